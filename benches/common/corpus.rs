//! A deterministic newsroom corpus: source articles and drafts whose quotes have known verdicts.
//!
//! Everything follows from one seed through a tiny inline PRNG (splitmix64), so the same seed gives the same
//! bytes on every machine and with every dependency version; no download, no `rand`.
//!
//! What makes it look like a newsroom's folder rather than random text:
//! - a Zipf-distributed vocabulary (s = 1.0) of 60,000 synthesised content words under ~120 English function
//!   words that make up ~45% of running text, plus per-topic vocabularies (500 topics) and per-article named
//!   people (first + last names, then last name alone, possessives);
//! - boilerplate that recurs across articles: 400 stock phrases ("… said in a statement on Tuesday"-like
//!   pseudo-phrases) drawn Zipf-wise, plus per-outlet sign-offs;
//! - quoted speech inside sources (`“…,” Name said.`), as in real reporting;
//! - outlets with their own typography (straight or curly quotes and apostrophes);
//! - ~15% near-duplicate articles: wire copy re-run by another outlet, restyled, with a paragraph dropped or
//!   added and a few words changed.
//!
//! Drafts are ~3,000 words with 60 quotes: ~60% exact (some with an ellipsis, a `[bracketed]` insertion or
//! other typography), ~25% drifted (substituted, missing, added or reordered words), ~15% unsourced (new
//! sentences from the same vocabulary and topic). Each quote's true verdict, kind and source are returned as
//! [`Label`]s.

#![allow(dead_code)]

use std::collections::HashSet;
use std::fmt::Write as _;

/// Bump when the output changes, so cached workspaces are regenerated.
pub const GENERATOR_VERSION: u32 = 1;

/// splitmix64: tiny, fast, and good enough for synthetic text.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A generator for item `index` of stream `stream`, independent of every other item.
    pub fn for_item(seed: u64, stream: u64, index: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng.0 ^= mix(index.wrapping_add(0x632B_E59B_D9B4_E019));
        rng.next_u64();
        rng
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    /// Uniform in `low..=high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Walker/Vose alias table: O(1) draws from a discrete distribution.
pub struct Alias {
    probability: Vec<f64>,
    alias: Vec<u32>,
}

impl Alias {
    pub fn new(weights: &[f64]) -> Alias {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut alias = vec![0u32; n];
        let mut probability = vec![1.0; n];
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            probability[s] = scaled[s];
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        Alias { probability, alias }
    }

    pub fn draw(&self, rng: &mut Rng) -> usize {
        let i = rng.below(self.probability.len());
        if rng.unit() < self.probability[i] {
            i
        } else {
            self.alias[i] as usize
        }
    }
}

/// English function words (with `'` for the apostrophe, restyled per outlet), most frequent first.
const FUNCTION_WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "is",
    "for",
    "it",
    "was",
    "on",
    "with",
    "he",
    "as",
    "be",
    "by",
    "at",
    "said",
    "have",
    "this",
    "from",
    "are",
    "not",
    "but",
    "they",
    "his",
    "an",
    "had",
    "has",
    "we",
    "or",
    "will",
    "its",
    "were",
    "been",
    "their",
    "would",
    "there",
    "who",
    "which",
    "more",
    "she",
    "about",
    "than",
    "after",
    "also",
    "all",
    "if",
    "can",
    "one",
    "over",
    "when",
    "new",
    "could",
    "into",
    "our",
    "up",
    "out",
    "two",
    "them",
    "what",
    "last",
    "some",
    "her",
    "other",
    "no",
    "so",
    "year",
    "first",
    "people",
    "because",
    "most",
    "just",
    "before",
    "did",
    "any",
    "now",
    "very",
    "may",
    "those",
    "where",
    "government",
    "while",
    "it's",
    "don't",
    "should",
    "against",
    "between",
    "country",
    "under",
    "still",
    "such",
    "since",
    "week",
    "told",
    "many",
    "through",
    "during",
    "does",
    "only",
    "officials",
    "without",
    "can't",
    "we're",
    "isn't",
    "president",
    "minister",
    "police",
    "told",
    "statement",
    "state",
    "city",
    "report",
    "on",
    "its",
    "never",
];

/// The days and months that news copy is full of.
const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br",
    "cr", "dr", "fl", "gr", "pl", "pr", "st", "tr", "sh", "ch", "th", "bl", "sl", "sp", "",
];
const VOWELS: &[&str] = &[
    "a", "e", "i", "o", "u", "a", "e", "i", "o", "ea", "ou", "ai", "io", "y",
];
const CODAS: &[&str] = &[
    "", "", "", "n", "r", "s", "l", "t", "m", "nd", "st", "rk", "ng", "x", "ck",
];

/// A synthesised word of `syllables` syllables.
fn pseudo_word(rng: &mut Rng, syllables: usize) -> String {
    let mut word = String::new();
    for s in 0..syllables {
        let onset = *rng.pick(ONSETS);
        word.push_str(if s == 0 && onset.is_empty() {
            "m"
        } else {
            onset
        });
        let vowel = *rng.pick(VOWELS);
        word.push_str(vowel);
        if s + 1 == syllables || rng.chance(0.3) {
            let coda = *rng.pick(CODAS);
            word.push_str(coda);
        }
    }
    word
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The shared vocabulary, phrases, names and outlets of one seed.
pub struct Language {
    pub seed: u64,
    /// Content words, most frequent first.
    pub words: Vec<String>,
    content: Alias,
    function: Alias,
    /// Stock phrases (several words each), drawn Zipf-wise.
    pub phrases: Vec<Vec<String>>,
    phrase_draw: Alias,
    pub first_names: Vec<String>,
    pub last_names: Vec<String>,
    pub outlets: Vec<Outlet>,
}

/// A publication: name, typography and sign-off.
#[derive(Clone)]
pub struct Outlet {
    pub name: String,
    pub slug: String,
    /// Curly quotes and apostrophes (“ ” ’) rather than straight ones.
    pub curly: bool,
    pub sign_off: String,
}

pub const TOPICS: usize = 500;
const TOPIC_WORDS: usize = 150;
const CONTENT_WORDS: usize = 60_000;

impl Language {
    pub fn new(seed: u64) -> Language {
        let mut rng = Rng::for_item(seed, 1, 0);
        let mut seen: HashSet<String> = FUNCTION_WORDS.iter().map(|w| w.to_string()).collect();
        let mut words = Vec::with_capacity(CONTENT_WORDS);
        while words.len() < CONTENT_WORDS {
            // Frequent words are shorter (Zipf's law of abbreviation).
            let rank = words.len();
            let syllables = match rank {
                0..=300 => 1,
                301..=3000 => rng.between(1, 2),
                3001..=20000 => 2,
                _ => rng.between(2, 3),
            };
            let word = pseudo_word(&mut rng, syllables);
            if word.len() > 2 && seen.insert(word.clone()) {
                words.push(word);
            }
        }
        let content = Alias::new(
            &(0..CONTENT_WORDS)
                .map(|r| 1.0 / (r as f64 + 2.7))
                .collect::<Vec<_>>(),
        );
        let function = Alias::new(
            &(0..FUNCTION_WORDS.len())
                .map(|r| 1.0 / (r as f64 + 1.5))
                .collect::<Vec<_>>(),
        );
        let mut phrases = Vec::new();
        for _ in 0..400 {
            let length = rng.between(3, 7);
            let phrase: Vec<String> = (0..length)
                .map(|_| {
                    if rng.chance(0.45) {
                        FUNCTION_WORDS[function.draw(&mut rng)].to_string()
                    } else {
                        words[content.draw(&mut rng)].clone()
                    }
                })
                .collect();
            phrases.push(phrase);
        }
        let phrase_draw = Alias::new(
            &(0..phrases.len())
                .map(|r| 1.0 / (r as f64 + 1.0))
                .collect::<Vec<_>>(),
        );
        let name = |rng: &mut Rng, seen: &mut HashSet<String>| loop {
            let syllables = rng.between(2, 3);
            let word = capitalize(&pseudo_word(rng, syllables));
            if seen.insert(word.to_lowercase()) {
                return word;
            }
        };
        let first_names: Vec<String> = (0..3_000).map(|_| name(&mut rng, &mut seen)).collect();
        let last_names: Vec<String> = (0..30_000).map(|_| name(&mut rng, &mut seen)).collect();
        let outlets = (0..40)
            .map(|i| {
                let name = format!(
                    "{} {}",
                    capitalize(&pseudo_word(&mut rng, 2)),
                    *rng.pick(&[
                        "Post", "Times", "Herald", "Wire", "Daily", "News", "Observer", "Tribune"
                    ])
                );
                let slug = name.to_lowercase().replace(' ', "-");
                let sign_off = match i % 4 {
                    0 => format!(
                        "(Reporting by {} {}; Editing by {} {})",
                        first_names[rng.below(3000)],
                        last_names[rng.below(30000)],
                        first_names[rng.below(3000)],
                        last_names[rng.below(30000)]
                    ),
                    1 => {
                        format!("This story has been updated with comment from officials. © {name}")
                    }
                    2 => "Additional reporting by our correspondents.".to_string(),
                    _ => format!("Copyright {name}. All rights reserved."),
                };
                Outlet {
                    name,
                    slug,
                    curly: i % 5 < 2,
                    sign_off,
                }
            })
            .collect();
        Language {
            seed,
            words,
            content,
            function,
            phrases,
            phrase_draw,
            first_names,
            last_names,
            outlets,
        }
    }

    fn content_word(&self, rng: &mut Rng) -> &str {
        &self.words[self.content.draw(rng)]
    }

    fn function_word(&self, rng: &mut Rng) -> &'static str {
        FUNCTION_WORDS[self.function.draw(rng)]
    }

    /// Topic `topic`'s `k`th word (topics favour mid-frequency words).
    fn topic_word(&self, topic: usize, k: usize) -> &str {
        let h = mix(self.seed ^ (topic as u64) << 20 ^ k as u64);
        &self.words[50 + (h % 20_000) as usize]
    }
}

/// One sentence as words (punctuation attached to the word before it, `'` for apostrophes).
#[derive(Clone, Debug)]
pub struct Sentence {
    pub words: Vec<String>,
    /// Quoted speech: rendered `“…,” <speaker> said.`
    pub speaker: Option<String>,
}

/// An article before rendering.
#[derive(Clone, Debug)]
pub struct Article {
    pub index: usize,
    pub title: String,
    pub outlet: usize,
    pub date: String,
    pub paragraphs: Vec<Vec<Sentence>>,
    /// The article this one re-runs (wire copy), if any.
    pub copy_of: Option<usize>,
    pub topic: usize,
    pub people: Vec<(String, String)>,
}

/// Options of a corpus.
#[derive(Clone, Debug)]
pub struct CorpusSpec {
    pub seed: u64,
    pub articles: usize,
    /// Share of articles that re-run another (0.15).
    pub near_duplicates: f64,
}

impl CorpusSpec {
    pub fn new(articles: usize) -> CorpusSpec {
        CorpusSpec {
            seed: 0x5EED_2026,
            articles,
            near_duplicates: 0.15,
        }
    }

    /// Whether article `i` is a re-run of an earlier one, and of which.
    pub fn copy_of(&self, i: usize) -> Option<usize> {
        if i < 20 {
            return None;
        }
        let mut rng = Rng::for_item(self.seed, 2, i as u64);
        if !rng.chance(self.near_duplicates) {
            return None;
        }
        // Wire copy is re-run within days: an original among the previous 2,000 articles.
        loop {
            let j = i - 1 - rng.below(i.min(2000));
            if self.copy_of_shallow(j) {
                continue;
            }
            return Some(j);
        }
    }

    fn copy_of_shallow(&self, i: usize) -> bool {
        i >= 20 && Rng::for_item(self.seed, 2, i as u64).chance(self.near_duplicates)
    }

    /// The relative path of source `i`.
    pub fn source_path(&self, i: usize) -> String {
        format!("sources/{:03}/a{:06}.md", i / 1000, i)
    }
}

/// Generates sentences of one article or draft.
pub struct Writer<'a> {
    pub language: &'a Language,
    pub rng: Rng,
    pub topic: usize,
    pub people: Vec<(String, String)>,
    mentioned: Vec<bool>,
}

impl<'a> Writer<'a> {
    pub fn new(language: &'a Language, mut rng: Rng, topic: usize) -> Writer<'a> {
        let count = rng.between(2, 5);
        let people = (0..count)
            .map(|_| {
                (
                    language.first_names[rng.below(language.first_names.len())].clone(),
                    language.last_names[rng.below(language.last_names.len())].clone(),
                )
            })
            .collect();
        Writer {
            language,
            rng,
            topic,
            people,
            mentioned: vec![false; count],
        }
    }

    fn person(&mut self) -> String {
        let i = self.rng.below(self.people.len());
        let (first, last) = &self.people[i];
        if self.mentioned[i] {
            last.clone()
        } else {
            self.mentioned[i] = true;
            format!("{first} {last}")
        }
    }

    fn word(&mut self) -> String {
        let rng = &mut self.rng;
        let roll = rng.unit();
        if roll < 0.45 {
            self.language.function_word(rng).to_string()
        } else if roll < 0.57 {
            self.language
                .topic_word(self.topic, rng.below(TOPIC_WORDS))
                .to_string()
        } else if roll < 0.585 {
            let word = self.person();
            if self.rng.chance(0.15) {
                format!("{word}'s")
            } else {
                word
            }
        } else if roll < 0.595 {
            match self.rng.below(4) {
                0 => format!("{}", self.rng.between(2, 99)),
                1 => format!("{},{:03}", self.rng.between(1, 99), self.rng.below(1000)),
                2 => format!("{}.{}", self.rng.between(1, 20), self.rng.below(10)),
                _ => WEEKDAYS[self.rng.below(7)].to_string(),
            }
        } else {
            self.language.content_word(rng).to_string()
        }
    }

    /// A sentence of running text (`boilerplate`: may contain a stock phrase).
    pub fn sentence(&mut self, boilerplate: bool) -> Vec<String> {
        // Lengths of news sentences: 6–40 words, most 12–25.
        let length = (6 + self.rng.below(12) + self.rng.below(12) + self.rng.below(10)).min(40);
        let mut words: Vec<String> = Vec::with_capacity(length + 8);
        let phrase_at = (boilerplate && self.rng.chance(0.3)).then(|| self.rng.below(length));
        while words.len() < length {
            if phrase_at == Some(words.len()) {
                let phrase = &self.language.phrases[self.language.phrase_draw.draw(&mut self.rng)];
                words.extend(phrase.iter().cloned());
                continue;
            }
            let mut word = self.word();
            if self.rng.chance(0.06) && words.len() + 2 < length {
                word.push(',');
            }
            words.push(word);
        }
        if let Some(first) = words.first_mut() {
            *first = capitalize(first);
        }
        words
    }

    pub fn take_people(self) -> Vec<(String, String)> {
        self.people
    }
}

/// Article `i` of a corpus, deterministic (a re-run is its original, restyled and edited).
pub fn article(language: &Language, spec: &CorpusSpec, i: usize) -> Article {
    if let Some(j) = spec.copy_of(i) {
        let mut copy = original(language, spec, j);
        let mut rng = Rng::for_item(spec.seed, 4, i as u64);
        copy.index = i;
        copy.copy_of = Some(j);
        copy.outlet = rng.below(language.outlets.len());
        if rng.chance(0.5) {
            // A new headline from the same words.
            let mut words: Vec<String> = copy.title.split(' ').map(str::to_string).collect();
            let turn = rng.below(words.len().max(1));
            words.rotate_left(turn);
            copy.title = capitalize(&words.join(" ").to_lowercase());
        }
        let mut writer = Writer::new(language, Rng::for_item(spec.seed, 5, i as u64), copy.topic);
        writer.people = copy.people.clone();
        writer.mentioned = vec![true; writer.people.len()];
        // Editors cut a paragraph, add one, change a few words.
        if copy.paragraphs.len() > 3 && rng.chance(0.4) {
            let k = rng.between(1, copy.paragraphs.len() - 1);
            copy.paragraphs.remove(k);
        }
        if rng.chance(0.4) {
            let paragraph = (0..rng.between(1, 3))
                .map(|_| Sentence {
                    words: writer.sentence(true),
                    speaker: None,
                })
                .collect();
            let at = if rng.chance(0.5) {
                0
            } else {
                copy.paragraphs.len()
            };
            copy.paragraphs.insert(at, paragraph);
        }
        for paragraph in &mut copy.paragraphs {
            for sentence in paragraph.iter_mut() {
                if rng.chance(0.08) && sentence.words.len() > 6 {
                    let k = rng.below(sentence.words.len() - 1) + 1;
                    sentence.words[k] = writer.word();
                }
                if rng.chance(0.04) && sentence.words.len() > 8 {
                    let k = rng.below(sentence.words.len() - 1) + 1;
                    sentence.words.remove(k);
                }
            }
        }
        return copy;
    }
    original(language, spec, i)
}

fn original(language: &Language, spec: &CorpusSpec, i: usize) -> Article {
    let mut rng = Rng::for_item(spec.seed, 3, i as u64);
    let topic = rng.below(TOPICS);
    let outlet = rng.below(language.outlets.len());
    let date = format!(
        "20{:02}-{:02}-{:02}",
        20 + rng.below(6),
        rng.between(1, 12),
        rng.between(1, 28)
    );
    let mut writer = Writer::new(language, Rng::for_item(spec.seed, 6, i as u64), topic);
    let title = writer
        .sentence(false)
        .into_iter()
        .take(rng.between(5, 10))
        .collect::<Vec<_>>()
        .join(" ");
    let title = title.trim_end_matches(',').replace(",", "");
    // Article length: 200–1,900 words, most near 900.
    let target = 200 + rng.below(570) + rng.below(570) + rng.below(570);
    let mut paragraphs = Vec::new();
    let mut words = 0;
    while words < target {
        let mut paragraph = Vec::new();
        for _ in 0..rng.between(1, 4) {
            let sentence = writer.sentence(true);
            words += sentence.len();
            let speaker = rng.chance(0.22).then(|| writer.person());
            paragraph.push(Sentence {
                words: sentence,
                speaker,
            });
        }
        paragraphs.push(paragraph);
    }
    let people = writer.take_people();
    Article {
        index: i,
        title,
        outlet,
        date,
        paragraphs,
        copy_of: None,
        topic,
        people,
    }
}

/// Applies an outlet's typography to straight text.
pub fn style(text: &str, curly: bool) -> String {
    if curly {
        text.replace('\'', "’")
    } else {
        text.to_string()
    }
}

/// A sentence as it reads in running text (no final punctuation when `bare`).
pub fn sentence_text(words: &[String]) -> String {
    let mut text = words.join(" ");
    let trimmed = text.trim_end_matches(',').len();
    text.truncate(trimmed);
    text
}

/// An article rendered as a Markdown source with front matter.
pub fn render_article(language: &Language, article: &Article) -> String {
    let outlet = &language.outlets[article.outlet];
    let (open, close) = if outlet.curly {
        ('“', '”')
    } else {
        ('"', '"')
    };
    let mut out = String::with_capacity(8192);
    let _ = write!(
        out,
        "---\ntitle: \"{}\"\ndate: {}\nauthor: \"{}\"\nurl: https://example.org/{}/{}\n---\n\n",
        style(&article.title, outlet.curly).replace('"', "'"),
        article.date,
        outlet.name,
        outlet.slug,
        article.index
    );
    for paragraph in &article.paragraphs {
        let mut first = true;
        for sentence in paragraph {
            if !first {
                out.push(' ');
            }
            first = false;
            let text = style(&sentence_text(&sentence.words), outlet.curly);
            match &sentence.speaker {
                Some(speaker) => {
                    let _ = write!(out, "{open}{text},{close} {speaker} said.");
                }
                None => {
                    out.push_str(&text);
                    out.push('.');
                }
            }
        }
        out.push_str("\n\n");
    }
    out.push_str(&outlet.sign_off);
    out.push('\n');
    out
}

/// The true verdict of a draft's quote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    Verified,
    Drift,
    Unsourced,
}

impl Truth {
    pub fn code(self) -> &'static str {
        match self {
            Truth::Verified => "verified",
            Truth::Drift => "drift",
            Truth::Unsourced => "unsourced",
        }
    }
}

/// One quote of a draft and the truth about it.
#[derive(Clone, Debug)]
pub struct Label {
    /// Byte range of the quoted text (between the marks) in the draft.
    pub range: std::ops::Range<usize>,
    pub truth: Truth,
    /// How the quote was made: exact, ellipsis, bracket, typography; substitute, missing, added, reorder;
    /// invented.
    pub kind: &'static str,
    /// The article the quote was taken from (None for unsourced).
    pub source: Option<usize>,
    /// The quote's text as written (between the marks).
    pub text: String,
}

/// A draft and its labels.
pub struct Draft {
    pub text: String,
    pub labels: Vec<Label>,
}

/// Draft `d` against a corpus: ~3,000 words, 60 quotes.
pub fn draft(language: &Language, spec: &CorpusSpec, d: usize) -> Draft {
    draft_with(language, spec, d, 60, 3000)
}

pub fn draft_with(
    language: &Language,
    spec: &CorpusSpec,
    d: usize,
    quotes: usize,
    words: usize,
) -> Draft {
    let mut rng = Rng::for_item(spec.seed, 7, d as u64);
    // A draft leans on a handful of source articles, as a story does.
    let picks: Vec<usize> = (0..rng.between(4, 10))
        .map(|_| rng.below(spec.articles))
        .collect();
    let topic = rng.below(TOPICS);
    let mut writer = Writer::new(language, Rng::for_item(spec.seed, 8, d as u64), topic);
    let mut text = String::new();
    let mut labels = Vec::new();
    let title = sentence_text(&writer.sentence(false));
    let _ = write!(text, "# {}\n\n", title.replace(',', ""));
    let mut total = 0;
    let prose_per_quote = words.saturating_sub(quotes * 16) / quotes.max(1);
    for q in 0..quotes {
        // Prose before the quote.
        let mut prose_words = 0;
        while prose_words < prose_per_quote {
            let sentence = writer.sentence(false);
            prose_words += sentence.len();
            text.push_str(&sentence_text(&sentence));
            text.push_str(". ");
            if rng.chance(0.25) {
                text.truncate(text.len() - 1);
                text.push_str("\n\n");
            }
        }
        total += prose_words;
        let roll = rng.unit();
        let source = picks[rng.below(picks.len())];
        let article_data = article(language, spec, source);
        let curly_source = language.outlets[article_data.outlet].curly;
        let (truth, kind, quote_text, from) = if roll < 0.60 {
            let words = span(&mut rng, &article_data, 6);
            let sub = rng.unit();
            if sub < 0.12 && words.len() >= 12 {
                // An ellipsis for 2–6 words from the middle.
                let cut = rng.between(2, 6.min(words.len() - 9));
                let at = rng.between(4, words.len() - cut - 4);
                let mark = if rng.chance(0.5) { "…" } else { "..." };
                let head = sentence_text(&words[..at]);
                let tail = sentence_text(&words[at + cut..]);
                (
                    Truth::Verified,
                    "ellipsis",
                    style(&format!("{head} {mark} {tail}"), curly_source),
                    Some(source),
                )
            } else if sub < 0.22 && words.len() >= 8 {
                // [Bracketed] editorial text for one or two words.
                let at = rng.between(1, words.len() - 3);
                let cut = rng.between(1, 2);
                let name = &article_data
                    .people
                    .first()
                    .map_or("the minister".to_string(), |p| p.1.clone());
                let head = sentence_text(&words[..at]);
                let tail = sentence_text(&words[at + cut..]);
                (
                    Truth::Verified,
                    "bracket",
                    style(&format!("{head} [{name}] {tail}"), curly_source),
                    Some(source),
                )
            } else if sub < 0.30 {
                // Other typography than the source's (apostrophes, a line wrapped in the draft).
                let mut t = style(&sentence_text(&words), !curly_source);
                if t == style(&sentence_text(&words), curly_source) {
                    if let Some(space) = t[t.len() / 2..].find(' ') {
                        let at = t.len() / 2 + space;
                        t.replace_range(at..at + 1, "\n");
                    }
                }
                (Truth::Verified, "typography", t, Some(source))
            } else {
                (
                    Truth::Verified,
                    "exact",
                    style(&sentence_text(&words), curly_source),
                    Some(source),
                )
            }
        } else if roll < 0.85 {
            let mut words = span(&mut rng, &article_data, 9);
            let kind = match rng.below(4) {
                0 => {
                    for _ in 0..rng.between(1, 3.min(words.len() / 4)) {
                        let k = rng.below(words.len());
                        let mut w = writer.word();
                        while w.eq_ignore_ascii_case(&words[k]) {
                            w = writer.word();
                        }
                        words[k] = w;
                    }
                    "substitute"
                }
                1 => {
                    for _ in 0..rng.between(1, 2) {
                        // Inside the quote: a word dropped at an edge would leave an exact quote.
                        let k = rng.between(1, words.len() - 2);
                        words.remove(k);
                    }
                    "missing"
                }
                2 => {
                    for _ in 0..rng.between(1, 2) {
                        let k = rng.between(1, words.len() - 1);
                        let w = writer.word();
                        words.insert(k, w);
                    }
                    "added"
                }
                _ => {
                    let k = rng.between(1, words.len() - 2);
                    if words[k].eq_ignore_ascii_case(&words[k + 1]) {
                        words[k] = writer.word();
                    } else {
                        words.swap(k, k + 1);
                    }
                    "reorder"
                }
            };
            (
                Truth::Drift,
                kind,
                style(&sentence_text(&words), curly_source),
                Some(source),
            )
        } else {
            let mut invented = Writer::new(
                language,
                Rng::for_item(spec.seed, 9, (d * 1000 + q) as u64),
                article_data.topic,
            );
            invented.mentioned = vec![true; article_data.people.len()];
            invented.people = article_data.people.clone();
            let sentence = invented.sentence(false);
            let length = rng.between(8, sentence.len().max(8)).min(sentence.len());
            (
                Truth::Unsourced,
                "invented",
                sentence_text(&sentence[..length]),
                None,
            )
        };
        let quote_text = quote_text.replace(",,", ",");
        let curly_marks = rng.chance(0.7);
        let (open, close) = if curly_marks {
            ("“", "”")
        } else {
            ("\"", "\"")
        };
        // Straight double quotes inside a straight-quoted quote would end it: use the other marks.
        let (open, close) = if quote_text.contains('"') {
            ("“", "”")
        } else {
            (open, close)
        };
        let speaker = writer.person();
        let start;
        match rng.below(3) {
            0 => {
                let _ = write!(text, "{speaker} said ");
                text.push_str(open);
                start = text.len();
                text.push_str(&quote_text);
                let end = text.len();
                text.push_str(close);
                text.push_str(". ");
                labels.push(Label {
                    range: start..end,
                    truth,
                    kind,
                    source: from,
                    text: quote_text.clone(),
                });
            }
            1 => {
                text.push_str(open);
                start = text.len();
                text.push_str(&quote_text);
                let end = text.len();
                let _ = write!(text, ",{close} {speaker} told reporters. ");
                labels.push(Label {
                    range: start..end,
                    truth,
                    kind,
                    source: from,
                    text: quote_text.clone(),
                });
            }
            _ => {
                let _ = write!(text, "According to {speaker}, the situation was ");
                text.push_str(open);
                start = text.len();
                text.push_str(&quote_text);
                let end = text.len();
                text.push_str(close);
                text.push_str(". ");
                labels.push(Label {
                    range: start..end,
                    truth,
                    kind,
                    source: from,
                    text: quote_text.clone(),
                });
            }
        }
        total += quote_text.split_whitespace().count();
        if rng.chance(0.4) {
            text.truncate(text.len() - 1);
            text.push_str("\n\n");
        }
    }
    let _ = total;
    text.push('\n');
    Draft { text, labels }
}

/// A run of at least `min` words from one sentence of an article (a whole sentence or part of one).
fn span(rng: &mut Rng, article: &Article, min: usize) -> Vec<String> {
    let sentences: Vec<&Sentence> = article
        .paragraphs
        .iter()
        .flatten()
        .filter(|s| s.words.len() >= min)
        .collect();
    let sentence = if sentences.is_empty() {
        &article.paragraphs[0][0]
    } else {
        sentences[rng.below(sentences.len())]
    };
    let words = &sentence.words;
    if words.len() <= min || rng.chance(0.4) {
        return words.clone();
    }
    let length = rng.between(min, words.len().min(30));
    let start = rng.below(words.len() - length + 1);
    let mut out = words[start..start + length].to_vec();
    if start > 0 && rng.chance(0.5) {
        // Quoting a fragment: the first word keeps its case as in the source.
    } else if start == 0 {
    }
    if let Some(last) = out.last_mut() {
        let trimmed = last.trim_end_matches(',').to_string();
        *last = trimmed;
    }
    if out.is_empty() {
        out = words.clone();
    }
    out
}
