//! The word lists attribution reads: speech verbs (every inflected form), titles and roles, pronouns, time
//! expressions, group nouns and outlet words. Built once, looked up by lowercase word.

use std::collections::HashSet;
use std::sync::OnceLock;

/// Regular speech verbs (base forms); their `-s`, `-ed` and `-ing` forms are generated.
const REGULAR: &[&str] = &[
    "acknowledge",
    "add",
    "admit",
    "advise",
    "affirm",
    "agree",
    "allege",
    "announce",
    "answer",
    "argue",
    "ask",
    "assert",
    "assure",
    "blast",
    "blog",
    "boast",
    "brag",
    "caution",
    "charge",
    "chide",
    "chime",
    "cite",
    "claim",
    "comment",
    "complain",
    "concede",
    "conclude",
    "confess",
    "confide",
    "confirm",
    "contend",
    "continue",
    "counter",
    "cry",
    "declare",
    "demand",
    "deny",
    "describe",
    "disclose",
    "email",
    "emphasise",
    "emphasize",
    "estimate",
    "exclaim",
    "explain",
    "fume",
    "grumble",
    "gush",
    "huff",
    "indicate",
    "inform",
    "insist",
    "interject",
    "interrupt",
    "joke",
    "lament",
    "laugh",
    "maintain",
    "marvel",
    "mention",
    "mock",
    "mourn",
    "muse",
    "mutter",
    "note",
    "object",
    "observe",
    "plead",
    "pledge",
    "point",
    "post",
    "praise",
    "predict",
    "proclaim",
    "promise",
    "protest",
    "question",
    "quip",
    "rail",
    "reason",
    "reassure",
    "recall",
    "recount",
    "recommend",
    "reflect",
    "reiterate",
    "rejoin",
    "remark",
    "remind",
    "repeat",
    "reply",
    "report",
    "respond",
    "retort",
    "reveal",
    "scoff",
    "scream",
    "shout",
    "sigh",
    "snap",
    "sneer",
    "speculate",
    "state",
    "stress",
    "suggest",
    "testify",
    "text",
    "thunder",
    "tout",
    "tweet",
    "underline",
    "underscore",
    "urge",
    "volunteer",
    "vow",
    "warn",
    "whisper",
    "wonder",
    "worry",
    "yell",
    "wail",
    "whine",
    "murmur",
    "opine",
    "posit",
    "pronounce",
    "query",
    "theorize",
    "theorise",
    "summarize",
    "summarise",
    "acknowledge",
    "assess",
    "conjecture",
    "decry",
    "dismiss",
    "echo",
    "elaborate",
    "hail",
    "implore",
    "inquire",
    "instruct",
    "mused",
    "recollect",
    "relate",
    "remonstrate",
    "stammer",
    "stutter",
    "taunt",
    "threaten",
    "accuse",
    "criticize",
    "criticise",
    "thank",
    "welcome",
    "call",
    "attack",
    "laud",
    "invoke",
    "scold",
    "chant",
    "rebuke",
    "rebut",
    "scoff",
    "lash",
    "slam",
    "dub",
    "label",
    "brand",
    "concur",
];

/// Verbs whose past or participle is irregular, with every form.
const IRREGULAR: &[&str] = &[
    "say",
    "says",
    "said",
    "saying",
    "tell",
    "tells",
    "told",
    "telling",
    "write",
    "writes",
    "wrote",
    "written",
    "writing",
    "speak",
    "speaks",
    "spoke",
    "spoken",
    "speaking",
    "swear",
    "swears",
    "swore",
    "sworn",
    "swearing",
    "bemoan",
    "bemoans",
    "bemoaned",
    "bemoaning",
    "put",
    "puts",
    "putting",
    "reads",
    "sing",
    "sings",
    "sang",
    "sung",
    "singing",
];

/// Verbs that double their last consonant before `-ed`/`-ing`.
const DOUBLING: &[&str] = &[
    "admit", "quip", "snap", "blog", "chat", "regret", "commit", "omit", "stop",
];

fn inflect(base: &str, forms: &mut HashSet<String>) {
    forms.insert(base.to_string());
    let last = base.chars().last().unwrap_or('a');
    let before_last = base.chars().rev().nth(1).unwrap_or('a');
    let vowel = |c: char| "aeiou".contains(c);
    // -s
    if base.ends_with('s')
        || base.ends_with("sh")
        || base.ends_with("ch")
        || base.ends_with('x')
        || base.ends_with('o')
    {
        forms.insert(format!("{base}es"));
    } else if last == 'y' && !vowel(before_last) {
        forms.insert(format!("{}ies", &base[..base.len() - 1]));
    } else {
        forms.insert(format!("{base}s"));
    }
    // -ed, -ing
    if DOUBLING.contains(&base) {
        forms.insert(format!("{base}{last}ed"));
        forms.insert(format!("{base}{last}ing"));
    } else if last == 'e' {
        forms.insert(format!("{base}d"));
        let stem = &base[..base.len() - 1];
        forms.insert(format!("{stem}ing"));
    } else if last == 'y' && !vowel(before_last) {
        forms.insert(format!("{}ied", &base[..base.len() - 1]));
        forms.insert(format!("{base}ing"));
    } else {
        forms.insert(format!("{base}ed"));
        forms.insert(format!("{base}ing"));
    }
}

/// Every inflected form of every speech verb (lowercase).
pub fn speech_verbs() -> &'static HashSet<String> {
    static VERBS: OnceLock<HashSet<String>> = OnceLock::new();
    VERBS.get_or_init(|| {
        let mut forms = HashSet::new();
        for base in REGULAR {
            inflect(base, &mut forms);
        }
        forms.extend(IRREGULAR.iter().map(|s| s.to_string()));
        forms.remove("put"); // only `put it`, too ambiguous alone
        forms.remove("puts");
        forms.remove("putting");
        forms.remove("mused");
        forms.insert("mused".into());
        forms
    })
}

/// Whether a lowercase word is a speech verb.
pub fn is_speech_verb(lower: &str) -> bool {
    speech_verbs().contains(lower)
}

/// Speech verbs whose object is the one spoken to (`told some of the miners`, `asked the crowd`, `urged
/// supporters`), so an object after them does not make them another sentence's verb.
pub fn takes_addressee(lower: &str) -> bool {
    static VERBS: OnceLock<HashSet<String>> = OnceLock::new();
    VERBS
        .get_or_init(|| {
            let mut forms: HashSet<String> = ["tell", "tells", "told", "telling"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            for base in [
                "ask", "warn", "assure", "reassure", "remind", "urge", "inform", "advise",
                "caution", "implore", "admonish", "scold", "chide", "instruct", "thank", "greet",
            ] {
                inflect(base, &mut forms);
            }
            forms
        })
        .contains(lower)
}

/// Verbs that may precede their subject after a quote (`"…," said Smith`).
pub fn inverts(lower: &str) -> bool {
    !matches!(
        lower,
        "told"
            | "tells"
            | "tell"
            | "telling"
            | "saying"
            | "adding"
            | "noting"
            | "writing"
            | "warning"
    ) && !lower.ends_with("ing")
}

/// Forms ending in -ing introduce a participle clause (`…, adding that`), not a speaker of their own.
pub fn is_participle(lower: &str) -> bool {
    lower.ends_with("ing")
}

/// Titles and honorifics written before a name (lowercase, without a final period).
pub fn is_title(lower: &str) -> bool {
    matches!(
        lower,
        "mr" | "mrs"
            | "ms"
            | "miss"
            | "mx"
            | "dr"
            | "prof"
            | "professor"
            | "sir"
            | "dame"
            | "lord"
            | "lady"
            | "rev"
            | "reverend"
            | "fr"
            | "father"
            | "sister"
            | "brother"
            | "sen"
            | "senator"
            | "rep"
            | "representative"
            | "congressman"
            | "congresswoman"
            | "gov"
            | "governor"
            | "president"
            | "vice"
            | "prime"
            | "minister"
            | "chancellor"
            | "secretary"
            | "mayor"
            | "judge"
            | "justice"
            | "gen"
            | "general"
            | "col"
            | "colonel"
            | "capt"
            | "captain"
            | "lt"
            | "lieutenant"
            | "sgt"
            | "sergeant"
            | "adm"
            | "admiral"
            | "cmdr"
            | "commander"
            | "maj"
            | "major"
            | "chief"
            | "officer"
            | "detective"
            | "det"
            | "insp"
            | "inspector"
            | "sheriff"
            | "ambassador"
            | "king"
            | "queen"
            | "prince"
            | "princess"
            | "pope"
            | "bishop"
            | "archbishop"
            | "cardinal"
            | "rabbi"
            | "imam"
            | "sheikh"
            | "speaker"
            | "leader"
            | "chairman"
            | "chairwoman"
            | "chair"
            | "ceo"
            | "director"
            | "attorney"
            | "councillor"
            | "councilor"
            | "councilman"
            | "councilwoman"
            | "alderman"
            | "commissioner"
            | "superintendent"
            | "coach"
            | "nominee"
            | "candidate"
            | "former"
            | "deputy"
            | "assistant"
            | "acting"
            | "premier"
            | "president-elect"
            | "first"
            | "lady's"
            | "dep"
            | "supt"
            | "msgr"
            | "hon"
            | "honourable"
            | "honorable"
            | "emir"
            | "sultan"
            | "chairperson"
            | "founder"
            | "executive"
            | "spokesman"
            | "spokeswoman"
            | "spokesperson"
            | "gop"
            | "democrat"
            | "republican"
            | "democratic"
            | "sens"
            | "reps"
            | "state"
            | "house"
            | "senate"
            | "mrs."
            | "mr."
    )
}

/// Titles that are also frequent surnames (`Charlie King`, `John Major`, `Judge`, `Bishop`).
pub fn is_surname_title(lower: &str) -> bool {
    matches!(
        lower,
        "king"
            | "bishop"
            | "major"
            | "judge"
            | "pope"
            | "cardinal"
            | "dean"
            | "prince"
            | "marshal"
            | "sheriff"
            | "abbot"
            | "chancellor"
            | "provost"
            | "deacon"
    )
}

/// Titles that belong to a person only in front of a name; `state`, `house` and party words only qualify one.
pub fn is_strong_title(lower: &str) -> bool {
    is_title(lower)
        && !matches!(
            lower,
            "state"
                | "house"
                | "senate"
                | "gop"
                | "democrat"
                | "republican"
                | "democratic"
                | "first"
                | "executive"
        )
}

/// The title's gender, when it has one: `Some(true)` male, `Some(false)` female.
pub fn title_gender(lower: &str) -> Option<bool> {
    match lower {
        "mr" | "sir" | "lord" | "king" | "prince" | "father" | "fr" | "brother" | "congressman"
        | "councilman" | "chairman" | "spokesman" | "alderman" | "emir" | "sultan" | "sheikh" => {
            Some(true)
        }
        "mrs" | "ms" | "miss" | "dame" | "lady" | "queen" | "princess" | "sister"
        | "congresswoman" | "councilwoman" | "chairwoman" | "spokeswoman" => Some(false),
        _ => None,
    }
}

/// Personal pronouns that can be a speaker, with their gender (`None` for they).
pub fn pronoun(lower: &str) -> Option<Option<bool>> {
    match lower {
        "he" => Some(Some(true)),
        "she" => Some(Some(false)),
        "they" => Some(None),
        _ => None,
    }
}

/// Nouns that name a role (`the minister`, `a spokeswoman for …`): a person not named.
pub fn is_role_noun(lower: &str) -> bool {
    matches!(
        lower,
        "minister"
            | "president"
            | "senator"
            | "leader"
            | "spokesman"
            | "spokeswoman"
            | "spokesperson"
            | "official"
            | "aide"
            | "lawyer"
            | "attorney"
            | "mayor"
            | "governor"
            | "chairman"
            | "chairwoman"
            | "chair"
            | "chief"
            | "director"
            | "candidate"
            | "nominee"
            | "prosecutor"
            | "judge"
            | "officer"
            | "witness"
            | "analyst"
            | "expert"
            | "economist"
            | "professor"
            | "doctor"
            | "researcher"
            | "author"
            | "executive"
            | "secretary"
            | "congressman"
            | "congresswoman"
            | "representative"
            | "lawmaker"
            | "chancellor"
            | "premier"
            | "ambassador"
            | "diplomat"
            | "adviser"
            | "advisor"
            | "strategist"
            | "pollster"
            | "manager"
            | "founder"
            | "owner"
            | "resident"
            | "woman"
            | "man"
            | "mother"
            | "father"
            | "teacher"
            | "student"
            | "scientist"
            | "commissioner"
            | "councillor"
            | "councilor"
            | "sheriff"
            | "detective"
            | "inspector"
            | "general"
            | "colonel"
            | "captain"
            | "commander"
            | "businessman"
            | "businesswoman"
            | "billionaire"
            | "mogul"
            | "veteran"
            | "operative"
            | "surrogate"
            | "nominee's"
            | "host"
            | "anchor"
            | "reporter"
            | "columnist"
            | "correspondent"
            | "editor"
            | "writer"
            | "activist"
            | "organizer"
            | "organiser"
            | "critic"
            | "supporter"
            | "voter"
            | "senior"
            | "insider"
            | "publisher"
            | "narrator"
            | "announcer"
            | "questioner"
            | "moderator"
            | "caller"
            | "interviewer"
            | "panelist"
            | "physician"
            | "nurse"
            | "friend"
            | "wife"
            | "husband"
            | "son"
            | "daughter"
            | "brother"
            | "sister"
            | "niece"
            | "nephew"
            | "uncle"
            | "aunt"
            | "grandmother"
            | "grandfather"
            | "neighbor"
            | "neighbour"
            | "colleague"
            | "relative"
            | "chairperson"
    )
}

/// Nouns for a group or an unnamed party (`officials`, `sources`, `the statement`): never a person.
pub fn is_group_noun(lower: &str) -> bool {
    matches!(
        lower,
        "officials"
            | "family"
            | "relatives"
            | "friends"
            | "sources"
            | "source"
            | "aides"
            | "experts"
            | "analysts"
            | "critics"
            | "supporters"
            | "residents"
            | "people"
            | "voters"
            | "police"
            | "authorities"
            | "statement"
            | "report"
            | "reports"
            | "study"
            | "survey"
            | "poll"
            | "polls"
            | "campaign"
            | "government"
            | "ministry"
            | "department"
            | "agency"
            | "committee"
            | "council"
            | "company"
            | "group"
            | "organization"
            | "organisation"
            | "documents"
            | "document"
            | "letter"
            | "memo"
            | "release"
            | "website"
            | "data"
            | "lawmakers"
            | "republicans"
            | "democrats"
            | "observers"
            | "witnesses"
            | "protesters"
            | "others"
            | "some"
            | "many"
            | "both"
            | "all"
            | "investigators"
            | "prosecutors"
            | "lawyers"
            | "members"
            | "leaders"
            | "diplomats"
            | "scientists"
            | "researchers"
            | "economists"
            | "polling"
            | "reporters"
            | "spokespeople"
            | "insiders"
            | "strategists"
            | "operatives"
            | "advisers"
            | "advisors"
            | "surrogates"
            | "allies"
            | "opponents"
            | "administration"
            | "team"
            | "filing"
            | "ad"
            | "article"
            | "book"
            | "post"
            | "tweet"
            | "email"
            | "emails"
            | "transcript"
            | "party"
            | "panel"
            | "court"
            | "ruling"
            | "lawsuit"
            | "complaint"
            | "indictment"
            | "office"
            | "firm"
            | "commission"
            | "board"
            | "spot"
            | "clip"
            | "piece"
            | "video"
            | "story"
            | "paper"
            | "newspaper"
            | "outlet"
            | "network"
            | "site"
            | "blog"
            | "account"
            | "page"
            | "message"
            | "text"
            | "caucus"
    )
}

/// Words that make a capitalised group an organisation, place or outlet rather than a person.
pub fn is_org_word(word: &str) -> bool {
    matches!(
        word,
        "Committee"
            | "Party"
            | "House"
            | "Department"
            | "Service"
            | "Services"
            | "News"
            | "Post"
            | "Times"
            | "Journal"
            | "University"
            | "College"
            | "Council"
            | "Association"
            | "Campaign"
            | "Foundation"
            | "Center"
            | "Centre"
            | "Institute"
            | "Court"
            | "Senate"
            | "Congress"
            | "Inc"
            | "Corp"
            | "Ltd"
            | "Street"
            | "County"
            | "City"
            | "States"
            | "State"
            | "Kingdom"
            | "Republic"
            | "Union"
            | "Agency"
            | "Bureau"
            | "Office"
            | "Ministry"
            | "Press"
            | "Network"
            | "Radio"
            | "Television"
            | "TV"
            | "Magazine"
            | "Review"
            | "Tribune"
            | "Herald"
            | "Gazette"
            | "Telegraph"
            | "Guardian"
            | "Daily"
            | "Weekly"
            | "Reuters"
            | "Bank"
            | "Group"
            | "Company"
            | "Administration"
            | "Hospital"
            | "School"
            | "Church"
            | "Club"
            | "Organization"
            | "Organisation"
            | "Commission"
            | "Board"
            | "Police"
            | "Army"
            | "Navy"
            | "Force"
            | "Forces"
            | "Democrats"
            | "Republicans"
            | "Center's"
            | "Parliament"
            | "Assembly"
            | "Government"
            | "Federation"
            | "Fund"
            | "Trust"
            | "Project"
            | "Program"
            | "Programme"
            | "Initiative"
            | "Coalition"
            | "Alliance"
            | "Movement"
            | "Initiative's"
            | "Zero"
            | "Avenue"
            | "Road"
            | "Square"
            | "Park"
            | "Island"
            | "Islands"
            | "America"
            | "American"
            | "Americans"
            | "Security"
            | "Affairs"
            | "Studies"
            | "Research"
            | "Washington"
            | "York"
            | "Los"
            | "San"
            | "Las"
            | "Fox"
            | "CNN"
            | "MSNBC"
            | "NBC"
            | "ABC"
            | "CBS"
            | "BBC"
            | "NPR"
            | "PBS"
            | "AP"
            | "AFP"
            | "Politico"
            | "Breitbart"
            | "Bloomberg"
            | "Axios"
            | "Vox"
            | "HuffPost"
            | "Post's"
            | "Times's"
            | "Times'"
            | "Twitter"
            | "Facebook"
            | "Instagram"
            | "YouTube"
            | "Google"
            | "Obamacare"
            | "Medicare"
            | "Medicaid"
            | "Act"
            | "Day"
            | "Week"
            | "Convention"
            | "Debate"
            | "Summit"
            | "Conference"
            | "Hall"
            | "Tower"
            | "Building"
            | "Airport"
            | "Station"
            | "Bridge"
            | "River"
            | "Lake"
            | "Mountain"
            | "Valley"
            | "Beach"
            | "Nations"
            | "Economic"
            | "Forum"
            | "Index"
            | "Prize"
            | "Award"
            | "Awards"
    )
}

/// Countries, capitals and institutions that news English makes the subject of `said` (`China said`,
/// `the Kremlin said`): never a person.
pub fn is_place_or_body(lower: &str) -> bool {
    matches!(
        lower,
        "china"
            | "russia"
            | "iran"
            | "israel"
            | "ukraine"
            | "germany"
            | "france"
            | "britain"
            | "japan"
            | "india"
            | "pakistan"
            | "mexico"
            | "canada"
            | "syria"
            | "iraq"
            | "afghanistan"
            | "turkey"
            | "egypt"
            | "moscow"
            | "beijing"
            | "washington"
            | "kremlin"
            | "pentagon"
            | "tehran"
            | "brussels"
            | "london"
            | "paris"
            | "berlin"
            | "kyiv"
            | "kiev"
            | "tokyo"
            | "seoul"
            | "pyongyang"
            | "europe"
            | "asia"
            | "africa"
            | "america"
            | "nato"
            | "un"
            | "eu"
            | "korea"
            | "taiwan"
            | "italy"
            | "spain"
            | "poland"
            | "brazil"
            | "australia"
            | "venezuela"
            | "cuba"
            | "libya"
            | "yemen"
            | "lebanon"
            | "jordan"
            | "qatar"
            | "gaza"
            | "westminster"
            | "whitehall"
            | "downing"
            | "congress"
            | "parliament"
            | "hamas"
            | "hezbollah"
            | "google"
            | "apple"
            | "microsoft"
            | "amazon"
            | "facebook"
            | "twitter"
            | "meta"
            | "tesla"
            | "boeing"
    )
}

/// Words that mark an outlet (`according to Reuters`, `The Post reported`) wherever they stand.
pub fn is_outlet_word(word: &str) -> bool {
    matches!(
        word,
        "News"
            | "Post"
            | "Times"
            | "Journal"
            | "Press"
            | "Reuters"
            | "AP"
            | "AFP"
            | "BBC"
            | "CNN"
            | "NPR"
            | "PBS"
            | "NBC"
            | "ABC"
            | "CBS"
            | "MSNBC"
            | "Bloomberg"
            | "Guardian"
            | "Telegraph"
            | "Gazette"
            | "Herald"
            | "Tribune"
            | "Daily"
            | "Weekly"
            | "Magazine"
            | "Politico"
            | "Axios"
            | "Vox"
            | "Breitbart"
            | "HuffPost"
            | "Network"
            | "Radio"
            | "Television"
            | "TV"
            | "Wire"
            | "Agence"
            | "France-Presse"
            | "Examiner"
            | "Chronicle"
            | "Bulletin"
            | "Dispatch"
            | "Inquirer"
            | "Newsweek"
            | "Forbes"
            | "Spiegel"
            | "Zeitung"
            | "Pravda"
            | "TASS"
            | "Xinhua"
            | "Interfax"
            | "RIA"
            | "Kyodo"
            | "Yonhap"
            | "Jazeera"
            | "Haaretz"
            | "Times's"
            | "Post's"
    )
}

/// Outlet names that are also ordinary names or words: an outlet only after `The` (`The Hill`, `The Sun`).
pub fn is_weak_outlet_word(word: &str) -> bool {
    matches!(
        word,
        "Hill"
            | "Sun"
            | "Star"
            | "Mail"
            | "Time"
            | "Globe"
            | "Mirror"
            | "Express"
            | "Standard"
            | "Record"
            | "Fortune"
            | "Report"
            | "Review"
            | "Monitor"
            | "Today"
            | "Observer"
            | "Independent"
            | "Economist"
            | "Atlantic"
            | "Salon"
            | "Slate"
            | "Insider"
            | "Beast"
            | "Caller"
            | "Blaze"
            | "Intercept"
            | "Courier"
            | "Register"
            | "Sentinel"
            | "Hill's"
            | "Fox"
    )
}

/// Time expressions that may sit between a verb and its subject or after it (`said Monday`, `said on
/// Tuesday`, `told reporters last week`).
pub fn is_time_word(lower: &str) -> bool {
    matches!(
        lower,
        "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "today"
            | "yesterday"
            | "tonight"
            | "tomorrow"
            | "earlier"
            | "later"
            | "recently"
            | "previously"
            | "last"
            | "this"
            | "next"
            | "week"
            | "month"
            | "year"
            | "night"
            | "morning"
            | "afternoon"
            | "evening"
            | "weekend"
            | "on"
            | "in"
            | "at"
            | "during"
            | "a"
            | "an"
            | "the"
            | "interview"
            | "statement"
            | "speech"
            | "rally"
            | "conference"
            | "news"
            | "briefing"
            | "call"
            | "press"
            | "email"
            | "emailed"
            | "written"
            | "telephone"
            | "phone"
            | "with"
            | "to"
            | "reporters"
            | "again"
            | "also"
            | "then"
            | "once"
            | "twice"
            | "ago"
            | "days"
            | "weeks"
            | "months"
            | "years"
            | "january"
            | "february"
            | "march"
            | "april"
            | "may"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
            | "jan"
            | "feb"
            | "mar"
            | "apr"
            | "jun"
            | "jul"
            | "aug"
            | "sept"
            | "sep"
            | "oct"
            | "nov"
            | "dec"
            | "friday's"
            | "monday's"
            | "sunday's"
            | "recent"
            | "separate"
            | "televised"
            | "debate"
            | "event"
            | "appearance"
            | "town"
            | "hall"
            | "radio"
            | "tv"
            | "television"
            | "post"
            | "tweet"
            | "message"
            | "video"
            | "twitter"
            | "facebook"
    )
}

/// Adverbs and auxiliaries between a subject and its verb (`Smith also said`, `she has said`).
pub fn is_adverb_or_aux(lower: &str) -> bool {
    matches!(
        lower,
        "also"
            | "later"
            | "then"
            | "has"
            | "have"
            | "had"
            | "was"
            | "were"
            | "is"
            | "are"
            | "would"
            | "will"
            | "did"
            | "does"
            | "do"
            | "once"
            | "previously"
            | "recently"
            | "again"
            | "further"
            | "simply"
            | "flatly"
            | "bluntly"
            | "quickly"
            | "repeatedly"
            | "often"
            | "frequently"
            | "publicly"
            | "privately"
            | "reportedly"
            | "allegedly"
            | "famously"
            | "earlier"
            | "still"
            | "always"
            | "never"
            | "even"
            | "just"
            | "only"
            | "long"
            | "has since"
            | "since"
            | "immediately"
            | "angrily"
            | "calmly"
            | "quietly"
            | "loudly"
            | "could"
            | "might"
            | "may"
            | "can"
            | "had been"
            | "been"
            | "not"
            | "n't"
            | "once told"
            | "went"
            | "on"
            | "already"
            | "first"
            | "finally"
            | "personally"
            | "directly"
            | "explicitly"
            | "emphatically"
            | "tersely"
    )
}

/// Lowercase words that close a name group looked at backwards (`and`, `that`, `but`…).
pub fn is_clause_word(lower: &str) -> bool {
    matches!(
        lower,
        "and"
            | "but"
            | "that"
            | "when"
            | "while"
            | "because"
            | "as"
            | "after"
            | "before"
            | "if"
            | "so"
            | "where"
            | "which"
            | "though"
            | "although"
            | "since"
            | "until"
            | "yet"
            | "or"
            | "than"
            | "whom"
            | "whose"
    )
}

/// Common capitalised words that start sentences and are never names.
pub fn is_capitalised_stopword(word: &str) -> bool {
    matches!(
        word,
        "The"
            | "A"
            | "An"
            | "But"
            | "And"
            | "Or"
            | "So"
            | "If"
            | "In"
            | "On"
            | "At"
            | "For"
            | "To"
            | "Of"
            | "With"
            | "As"
            | "When"
            | "While"
            | "After"
            | "Before"
            | "Since"
            | "Yet"
            | "He"
            | "She"
            | "They"
            | "We"
            | "I"
            | "It"
            | "This"
            | "That"
            | "These"
            | "Those"
            | "His"
            | "Her"
            | "Their"
            | "Our"
            | "My"
            | "Your"
            | "There"
            | "Here"
            | "What"
            | "Why"
            | "How"
            | "Who"
            | "Where"
            | "Which"
            | "Some"
            | "Many"
            | "Most"
            | "All"
            | "No"
            | "Not"
            | "One"
            | "Two"
            | "Three"
            | "Asked"
            | "According"
            | "Meanwhile"
            | "However"
            | "Still"
            | "Also"
            | "Then"
            | "Now"
            | "Even"
            | "Just"
            | "Only"
            | "By"
            | "From"
            | "Into"
            | "Over"
            | "Under"
            | "About"
            | "Like"
            | "Because"
            | "Although"
            | "Though"
            | "During"
            | "Despite"
            | "Instead"
            | "Later"
            | "Earlier"
            | "Last"
            | "Next"
            | "Today"
            | "Yesterday"
            | "Monday"
            | "Tuesday"
            | "Wednesday"
            | "Thursday"
            | "Friday"
            | "Saturday"
            | "Sunday"
            | "January"
            | "February"
            | "March"
            | "April"
            | "May"
            | "June"
            | "July"
            | "August"
            | "September"
            | "October"
            | "November"
            | "December"
            | "Read"
            | "See"
            | "Watch"
            | "Click"
            | "It's"
            | "That's"
            | "You"
            | "Yes"
            | "Oh"
            | "Well"
            | "Do"
            | "Does"
            | "Did"
            | "Is"
            | "Are"
            | "Was"
            | "Were"
            | "Will"
            | "Would"
            | "Should"
            | "Could"
            | "Can"
            | "Let"
            | "Let's"
            | "Thank"
            | "Please"
            | "Every"
            | "Each"
            | "Both"
            | "Any"
            | "Such"
            | "Other"
            | "Another"
            | "More"
            | "Less"
            | "Much"
            | "Very"
            | "Too"
            | "Again"
            | "Never"
            | "Always"
            | "Sources"
            | "Officials"
            | "Critics"
            | "Supporters"
            | "Democrats"
            | "Republicans"
            | "Speaking"
            | "Addressing"
            | "Writing"
            | "Responding"
            | "Asked,"
            | "Once"
            | "Among"
            | "Between"
            | "Against"
            | "Through"
            | "Without"
            | "Within"
            | "Upon"
            | "Unlike"
            | "Whether"
            | "Unless"
            | "Until"
    )
}

/// Name particles written in lowercase inside a name (`Ursula von der Leyen`, `Charles de Gaulle`).
pub fn is_particle(word: &str) -> bool {
    matches!(
        word,
        "de" | "van"
            | "von"
            | "der"
            | "den"
            | "da"
            | "del"
            | "della"
            | "di"
            | "du"
            | "la"
            | "le"
            | "bin"
            | "bint"
            | "al"
            | "el"
            | "ibn"
            | "ter"
            | "dos"
            | "das"
            | "y"
    )
}

/// Suffixes after a surname (`Jr`, `III`).
pub fn is_name_suffix(word: &str) -> bool {
    matches!(
        word,
        "Jr" | "Sr" | "II" | "III" | "IV" | "Jr." | "Sr." | "PhD" | "MD" | "Esq"
    )
}

/// Common first names with their gender, to resolve `he`/`she` (a small list of frequent names is enough to
/// break ties; an unknown name is compatible with either pronoun).
pub fn first_name_gender(word: &str) -> Option<bool> {
    const MALE: &[&str] = &[
        "Donald",
        "Irving",
        "Sterling",
        "Channing",
        "Bill",
        "Barack",
        "Mike",
        "Michael",
        "John",
        "Joe",
        "Bernie",
        "Tim",
        "Paul",
        "Ted",
        "Marco",
        "Jeb",
        "Chris",
        "Rudy",
        "Newt",
        "Steve",
        "Stephen",
        "Steven",
        "Robert",
        "Bob",
        "James",
        "Jim",
        "David",
        "Richard",
        "Thomas",
        "Tom",
        "Mark",
        "George",
        "Jeff",
        "Jeffrey",
        "Kevin",
        "Brian",
        "Eric",
        "Jason",
        "Matt",
        "Matthew",
        "Andrew",
        "Ryan",
        "Peter",
        "Daniel",
        "Dan",
        "William",
        "Charles",
        "Anthony",
        "Scott",
        "Gary",
        "Larry",
        "Frank",
        "Jack",
        "Henry",
        "Vladimir",
        "Boris",
        "Emmanuel",
        "Justin",
        "Xi",
        "Kim",
        "Corey",
        "Reince",
        "Sean",
        "Rick",
        "Mitch",
        "Harry",
        "Chuck",
        "Ben",
        "Sam",
        "Nick",
        "Tony",
        "Jerry",
        "Roger",
        "Carl",
        "Ken",
        "Kenneth",
        "Ron",
        "Ronald",
        "Gov",
        "Lindsey",
        "Rand",
        "Jared",
        "Ivan",
        "Hugh",
        "Lars",
        "Olaf",
        "Pierre",
        "Juan",
        "Carlos",
        "Luis",
        "Jose",
        "Ahmed",
        "Mohammed",
        "Muhammad",
        "Ali",
        "Omar",
        "Hans",
        "Karl",
        "Giuseppe",
        "Marco",
        "Angus",
        "Evan",
        "Ezra",
        "Adam",
        "Aaron",
        "Alan",
        "Alex",
        "Alexander",
        "Greg",
        "Gregory",
        "Jonathan",
        "Joshua",
        "Keith",
        "Patrick",
        "Philip",
        "Phil",
        "Raymond",
        "Roy",
        "Russell",
        "Walter",
        "Wayne",
        "Howard",
        "Harold",
        "Arthur",
        "Edward",
        "Ed",
        "Jeremy",
        "Dennis",
        "Douglas",
        "Doug",
        "Nathan",
        "Benjamin",
        "Bret",
        "Bruce",
        "Craig",
        "Dean",
        "Glenn",
        "Joel",
        "Kurt",
        "Lou",
        "Martin",
        "Max",
        "Neil",
        "Nigel",
        "Noah",
        "Oliver",
        "Rob",
        "Ross",
        "Simon",
        "Stuart",
        "Todd",
        "Travis",
        "Troy",
        "Vincent",
        "Will",
        "Zach",
    ];
    const FEMALE: &[&str] = &[
        "Hillary",
        "Melania",
        "Ivanka",
        "Chelsea",
        "Kellyanne",
        "Elizabeth",
        "Nancy",
        "Sarah",
        "Michelle",
        "Mary",
        "Susan",
        "Karen",
        "Lisa",
        "Jennifer",
        "Jessica",
        "Emily",
        "Emma",
        "Anna",
        "Ann",
        "Anne",
        "Angela",
        "Theresa",
        "Theresa's",
        "Marine",
        "Ursula",
        "Jacinda",
        "Nicola",
        "Kamala",
        "Nikki",
        "Huma",
        "Donna",
        "Debbie",
        "Amy",
        "Laura",
        "Linda",
        "Barbara",
        "Patricia",
        "Margaret",
        "Helen",
        "Catherine",
        "Kate",
        "Katie",
        "Rachel",
        "Rebecca",
        "Julia",
        "Julie",
        "Maria",
        "Martha",
        "Olivia",
        "Sophie",
        "Sophia",
        "Victoria",
        "Claire",
        "Clare",
        "Diane",
        "Dianne",
        "Janet",
        "Jane",
        "Joan",
        "Judy",
        "Kathleen",
        "Kelly",
        "Kim's",
        "Lauren",
        "Lucy",
        "Megan",
        "Melissa",
        "Monica",
        "Nicole",
        "Pam",
        "Pamela",
        "Rose",
        "Ruth",
        "Samantha",
        "Sandra",
        "Sharon",
        "Stephanie",
        "Tina",
        "Valerie",
        "Wendy",
        "Alicia",
        "Amanda",
        "Andrea",
        "Betsy",
        "Carly",
        "Christine",
        "Condoleezza",
        "Eliza",
        "Gina",
        "Grace",
        "Hannah",
        "Heather",
        "Heidi",
        "Irene",
        "Jill",
        "Jo",
        "Kirsten",
        "Lena",
        "Liz",
        "Madeleine",
        "Maxine",
        "Michele",
        "Natalie",
        "Nina",
        "Priya",
        "Sally",
        "Sheila",
        "Tammy",
        "Tulsi",
        "Ilhan",
        "Alexandria",
        "Amara",
        "Ngozi",
        "Chloe",
        "Zoe",
    ];
    if MALE.contains(&word) {
        Some(true)
    } else if FEMALE.contains(&word) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lexicon_inflects_speech_verbs() {
        for form in [
            "said",
            "says",
            "told",
            "added",
            "warned",
            "insisted",
            "wrote",
            "tweeted",
            "argued",
            "replied",
            "quipped",
            "denies",
            "admitted",
            "arguing",
            "testified",
            "emphasizes",
        ] {
            assert!(is_speech_verb(form), "{form}");
        }
        assert!(!is_speech_verb("table"));
        assert!(speech_verbs().len() > 260, "{}", speech_verbs().len());
    }
}
