//! Attribution: who each quotation in a text is credited to (news English), in drafts and sources alike.
//!
//! Rules, not a model: the text is split into words and punctuation per prose block; quotes come from
//! [`super::quotes`]. For each quote the nearest speech verb (a lexicon of ~400 inflected forms) outside the
//! quote in its own sentence decides, after the quote first (`"…," X said` / `"…," said X`), then before it
//! (`X said: "…"`, `X told reporters "…"`, `according to X, "…"`), then a Markdown blockquote's `— X` line, a
//! colon introduction ending the previous paragraph, and last another quote of the same paragraph. The subject
//! of the verb is a noun phrase: a name with titles (`President Putin`), an appositive (`Hugh Hill, a doctor,`)
//! skipped, a pronoun resolved to the nearest preceding person named in the same or previous paragraph, a role
//! (`the Russian leader`) resolved through the titles and appositives the text gave earlier, or a group or an
//! outlet (`officials`, `Reuters`), which is never a person. Names are compared with [`names`].

pub mod lexicon;
pub mod names;

use std::collections::HashMap;
use std::ops::Range;

use super::prose::prose;
use super::quotes::{find_quotes, QuoteKind};
use super::{EngineSettings, TextFormat};
use lexicon::*;
use names::{fold, parse_name, without_possessive, PersonName};

/// What kind of party a quote is credited to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpeakerKind {
    /// A named person (possibly reached through a pronoun or a role).
    Person,
    /// A role whose holder the text does not name (`a spokeswoman for the council`).
    Role,
    /// A group or an unnamed party (`officials`, `sources`, `the statement`, `the White House`).
    Group,
    /// A news outlet (`according to Reuters`): checked against a source's metadata, not its speakers.
    Outlet,
    /// A pronoun with no person to resolve it to.
    Unresolved,
}

impl SpeakerKind {
    pub fn name(self) -> &'static str {
        match self {
            SpeakerKind::Person => "person",
            SpeakerKind::Role => "role",
            SpeakerKind::Group => "group",
            SpeakerKind::Outlet => "outlet",
            SpeakerKind::Unresolved => "unresolved",
        }
    }
}

/// Who a text credits a quotation to.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribution {
    /// The speaker as written at the cue (`he`, `Ms Okafor`, `a spokeswoman for the council`).
    pub speaker: String,
    /// The byte range of `speaker` in the text.
    pub range: Range<usize>,
    /// Who `speaker` resolves to, as the text names them (`Amara Okafor` for a `she`); equals `speaker` when
    /// the speaker is named at the cue.
    pub name: String,
    /// The normalised name: the surname, lowercase (`okafor`); empty unless `kind` is `Person`.
    pub key: String,
    /// The cue: the speech verb (`said`), `according to`, `—` (a blockquote's dash line), `:` or `label`.
    pub cue: String,
    /// How sure the rules are, 0–1. A misattribution is claimed only above [`CONFIDENT`] on both sides.
    pub confidence: f32,
    pub kind: SpeakerKind,
    /// The parsed name of a person (titles and given names), for comparisons.
    pub person: Option<PersonName>,
}

/// Confidence from which an attribution is trusted enough to claim a misattribution.
pub const CONFIDENT: f32 = 0.7;

impl Attribution {
    /// A speaker given by a label (a transcript's cue speaker, a `SPEAKER:` line): a person, fully confident.
    pub fn from_label(label: &str, range: Range<usize>) -> Attribution {
        let words: Vec<&str> = label.split_whitespace().collect();
        let person = parse_name(&words);
        Attribution {
            speaker: label.to_string(),
            range,
            name: label.to_string(),
            key: person.as_ref().map(names::key).unwrap_or_default(),
            cue: "label".into(),
            confidence: if person.is_some() { 1.0 } else { 0.0 },
            kind: if person.is_some() {
                SpeakerKind::Person
            } else {
                SpeakerKind::Unresolved
            },
            person,
        }
    }

    /// Whether this attribution is trusted enough to compare.
    pub fn is_confident(&self) -> bool {
        self.confidence >= CONFIDENT
    }

    /// `Some(true)` when both attributions name the same person, `Some(false)` when they confidently name
    /// different people, `None` when they cannot be compared (a role, a group, an outlet, an unresolved
    /// pronoun, low confidence on either side).
    pub fn same_speaker(&self, other: &Attribution) -> Option<bool> {
        if !self.is_confident() || !other.is_confident() {
            return None;
        }
        let (Some(a), Some(b)) = (&self.person, &other.person) else {
            return None;
        };
        if self.kind != SpeakerKind::Person || other.kind != SpeakerKind::Person {
            return None;
        }
        Some(names::same_person(a, b))
    }
}

/// The speakers of a source, from its text or from a format's labels (a transcript's cue speakers), so the
/// checker does not care where they come from.
#[derive(Clone, Debug, Default)]
pub struct SpeakerLabels {
    /// Byte ranges of the source text with the speaker label that holds them, in order.
    pub spans: Vec<(Range<usize>, String)>,
}

impl SpeakerLabels {
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// One line per span, `start\tend\tspeaker` (tabs and line breaks in a name become spaces), for the index
    /// snapshot.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (span, speaker) in &self.spans {
            let speaker: String = speaker
                .chars()
                .map(|c| {
                    if matches!(c, '\t' | '\n' | '\r') {
                        ' '
                    } else {
                        c
                    }
                })
                .collect();
            out.push_str(&format!("{}\t{}\t{speaker}\n", span.start, span.end));
        }
        out
    }

    /// [`SpeakerLabels::encode`], or `None` when there are no labels (nothing to store).
    pub fn encoded(&self) -> Option<String> {
        (!self.is_empty()).then(|| self.encode())
    }

    /// Reads [`SpeakerLabels::encode`]'s lines; `None` if one is malformed.
    pub fn decode(encoded: &str) -> Option<SpeakerLabels> {
        let mut spans = Vec::new();
        for line in encoded.lines() {
            let mut fields = line.splitn(3, '\t');
            let start = fields.next()?.parse().ok()?;
            let end = fields.next()?.parse().ok()?;
            let speaker = fields.next()?.to_string();
            spans.push((start..end, speaker));
        }
        Some(SpeakerLabels { spans })
    }

    /// The labelled speaker of a passage: the label whose span holds most of it.
    pub fn at(&self, range: &Range<usize>) -> Option<Attribution> {
        let (span, label) = self
            .spans
            .iter()
            .filter(|(span, _)| {
                span.start < range.end.max(range.start + 1) && range.start < span.end
            })
            .max_by_key(|(span, _)| span.end.min(range.end) - span.start.max(range.start))?;
        Some(Attribution::from_label(label, span.start..span.start))
    }
}

/// Finds the attribution of quotes and passages of one text.
pub struct Attributor<'a> {
    text: &'a str,
    toks: Vec<Tok>,
    quotes: Vec<QuoteSpan>,
    mentions: Vec<Mention>,
    /// Indices into `mentions` by surname.
    by_surname: HashMap<String, Vec<usize>>,
    /// One per quote, in the order of `quotes`.
    found: Vec<Option<Attribution>>,
}

#[derive(Clone, Debug)]
struct Tok {
    range: Range<usize>,
    block: usize,
    /// Inside a quotation (marks included).
    quoted: bool,
    /// A word (letters, digits, inner apostrophes, hyphens and periods) rather than punctuation.
    word: bool,
    /// Starts a sentence.
    sentence_start: bool,
}

#[derive(Clone, Debug)]
struct QuoteSpan {
    outer: Range<usize>,
    /// Token indices `first..end`.
    toks: Range<usize>,
    blockquote: bool,
}

/// A person named in the text outside quotes, for pronouns and roles.
#[derive(Clone, Debug)]
struct Mention {
    tok: usize,
    range: Range<usize>,
    person: PersonName,
    /// From a title or a first name.
    gender: Option<bool>,
    /// From the pronouns that refer to the person (`learn_genders`): it rules out a pronoun of the other
    /// gender, but does not make the person preferred the way a title or a first name does.
    learned: Option<bool>,
    /// Lowercase words describing the person: titles, nationality, appositive.
    descriptors: Vec<String>,
}

impl Mention {
    /// The gender a title, a first name or the pronouns referring to the person tell, if any.
    fn known_gender(&self) -> Option<bool> {
        self.gender.or(self.learned)
    }
}

/// The attribution of each quote, in order (`None` where no speaker is found). `quotes` are outer ranges.
pub fn attribute(
    text: &str,
    format: TextFormat,
    quotes: &[Range<usize>],
) -> Vec<Option<Attribution>> {
    let attributor = Attributor::new(text, format);
    quotes.iter().map(|q| attributor.at(q)).collect()
}

impl<'a> Attributor<'a> {
    /// Reads a whole text.
    pub fn new(text: &'a str, format: TextFormat) -> Attributor<'a> {
        Attributor::build(text, format, 0..text.len())
    }

    /// How much of a long text [`Attributor::around`] reads before and after a passage.
    const BEFORE: usize = 40_000;
    const AFTER: usize = 4_000;

    /// Whether [`Attributor::around`] reads all of `text` whatever the passage (so that one attributor of the
    /// whole text answers for every passage of it).
    pub fn reads_whole(text: &str) -> bool {
        text.len() <= Attributor::BEFORE + Attributor::AFTER
    }

    /// Reads only the paragraphs around `range` (a few thousand bytes after it, up to 40 kB before it, where
    /// the names its pronouns and roles point to are), for a passage of a long source.
    pub fn around(text: &'a str, format: TextFormat, range: &Range<usize>) -> Attributor<'a> {
        if Attributor::reads_whole(text) {
            return Attributor::new(text, format);
        }
        let mut start = range.start.saturating_sub(Self::BEFORE);
        if start > 0 {
            start = text[start..range.start.min(text.len())]
                .find("\n\n")
                .map_or(range.start, |i| start + i + 2);
        }
        let mut end = range.end.saturating_add(Self::AFTER).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut start = start.min(range.start);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        if let Some(i) = text[range.end.min(end)..end].rfind("\n\n") {
            end = range.end.min(end) + i;
        }
        Attributor::build(text, format, start..end)
    }

    fn build(text: &'a str, format: TextFormat, window: Range<usize>) -> Attributor<'a> {
        let base = window.start;
        let slice = &text[window];
        let settings = EngineSettings {
            min_words: 1,
            ..EngineSettings::default()
        };
        let mut toks = Vec::new();
        for (block_index, block) in prose(slice, format).blocks.iter().enumerate() {
            let first = toks.len();
            for segment in &block.segments {
                tokenize(slice, segment.clone(), base, block_index, &mut toks);
            }
            if let Some(tok) = toks.get_mut(first) {
                tok.sentence_start = true;
            }
        }
        let quote_list = find_quotes(slice, format, &settings);
        let mut quotes = Vec::with_capacity(quote_list.len());
        let mut cursor = 0;
        for quote in &quote_list {
            let outer = quote.outer.start + base..quote.outer.end + base;
            while cursor < toks.len() && toks[cursor].range.start < outer.start {
                cursor += 1;
            }
            let first = cursor;
            let mut end = first;
            while end < toks.len() && toks[end].range.end <= outer.end {
                toks[end].quoted = true;
                end += 1;
            }
            quotes.push(QuoteSpan {
                outer,
                toks: first..end,
                blockquote: quote.kind == QuoteKind::Blockquote,
            });
        }
        mark_sentences(text, &mut toks);
        let mut attributor = Attributor {
            text,
            toks,
            quotes,
            mentions: Vec::new(),
            by_surname: HashMap::new(),
            found: Vec::new(),
        };
        (attributor.mentions, attributor.by_surname) = attributor.find_mentions();
        attributor.learn_genders();
        let mut found: Vec<Option<Attribution>> = (0..attributor.quotes.len())
            .map(|i| {
                let span = attributor.quotes[i].clone();
                attributor.direct(&span)
            })
            .collect();
        // `"A," Warren said. "B," she said`: a pronoun resolved to the person the paragraph's previous quote
        // names is that person, even with another person named nearby.
        for i in 1..found.len() {
            let Some(current) = &found[i] else { continue };
            if current.kind != SpeakerKind::Person
                || current.confidence >= 0.8
                || pronoun(&current.speaker.to_lowercase()).is_none()
            {
                continue;
            }
            let block = attributor.block_of(&attributor.quotes[i]);
            let previous = (0..i)
                .rev()
                .take_while(|&j| attributor.block_of(&attributor.quotes[j]) == block)
                .filter_map(|j| found[j].as_ref())
                // Quotes sharing this cue (`"A" and "B," she said`) are no confirmation of it.
                .find(|p| p.range != current.range);
            let confirmed = previous.is_some_and(|p| {
                p.kind == SpeakerKind::Person
                    && p.is_confident()
                    && pronoun(&p.speaker.to_lowercase()).is_none()
                    && matches!((&p.person, &current.person), (Some(a), Some(b)) if names::same_person(a, b))
            });
            if confirmed {
                if let Some(current) = &mut found[i] {
                    current.confidence = 0.8;
                }
            }
        }
        // A quote without a cue of its own takes the nearest attribution of its paragraph.
        for i in 0..found.len() {
            if found[i].is_some() {
                continue;
            }
            let block = attributor.block_of(&attributor.quotes[i]);
            // The nearest attributed quote of the same block (quotes are in order: look both ways until the
            // block changes).
            let same_block = |j: &usize| attributor.block_of(&attributor.quotes[*j]) == block;
            let before = (0..i)
                .rev()
                .take_while(same_block)
                .find(|&j| found[j].is_some());
            let after = (i + 1..found.len())
                .take_while(same_block)
                .find(|&j| found[j].is_some());
            let nearest = match (before, after) {
                (Some(b), Some(a)) if a - i < i - b => Some(a),
                (Some(b), _) => Some(b),
                (None, a) => a,
            };
            if let Some(j) = nearest {
                let mut inherited = found[j].clone().unwrap();
                // `"A," Smith said. "B."`: the previous quote's cue sits between the two, so B continues A.
                let between = j + 1 == i
                    && inherited.cue != "—"
                    && inherited.range.start >= attributor.quotes[j].outer.end
                    && inherited.range.end <= attributor.quotes[i].outer.start;
                // `Cruz called Trump a "liar" who is "utterly amoral"`: quotes of one sentence share its cue.
                let (a, b) = (j.min(i), j.max(i));
                let gap = attributor.quotes[a].toks.end..attributor.quotes[b].toks.start;
                let same_sentence = gap.clone().all(|k| {
                    let t = &attributor.toks[k];
                    t.block == block && !t.sentence_start && !attributor.is_verb(k)
                }) && !gap
                    .clone()
                    .any(|k| attributor.is_punct(k, &['.', '?', '!', ';']))
                    // The cue between them belongs to one of them (`"A" ― Olidem "B"`), not to both.
                    && !(gap.start < gap.end
                        && inherited.range.start >= attributor.toks[gap.start].range.start
                        && inherited.range.end <= attributor.toks[gap.end - 1].range.end);
                let confidence = if same_sentence {
                    0.85
                } else if between {
                    0.8
                } else {
                    0.6
                };
                inherited.confidence = inherited.confidence.min(confidence);
                found[i] = Some(inherited);
            } else if let Some(inherited) = attributor.continues_paragraph(i, &found) {
                found[i] = Some(inherited);
            }
        }
        attributor.found = found;
        attributor
    }

    /// A paragraph that is nothing but quote `i`, right after a paragraph whose last quote a person spoke
    /// (`"…," he said.` ¶ `"Right now, …"`): the speaker going on, not surely (confidence 0.6).
    fn continues_paragraph(&self, i: usize, found: &[Option<Attribution>]) -> Option<Attribution> {
        let span = &self.quotes[i];
        let block = self.block_of(span);
        let opens = span.toks.start == 0 || self.toks[span.toks.start - 1].block != block;
        let closes = self
            .toks
            .get(span.toks.end)
            .is_none_or(|t| t.block != block);
        if !opens || !closes || i == 0 {
            return None;
        }
        let previous = &self.quotes[i - 1];
        if self.block_of(previous) + 1 != block {
            return None;
        }
        let mut inherited = found[i - 1].clone()?;
        if inherited.kind != SpeakerKind::Person || !inherited.is_confident() {
            return None;
        }
        // The previous paragraph ends with that quote's sentence (its cue after it, nothing else).
        let after_previous = previous.toks.end..span.toks.start;
        if after_previous
            .clone()
            .any(|k| self.toks[k].sentence_start && self.toks[k].block + 1 == block)
        {
            return None;
        }
        inherited.confidence = inherited.confidence.min(0.6);
        Some(inherited)
    }

    /// Every quote of the text (outer ranges, marks included) with its attribution.
    pub fn quotes(&self) -> impl Iterator<Item = (&Range<usize>, Option<&Attribution>)> {
        self.quotes
            .iter()
            .zip(&self.found)
            .map(|(q, a)| (&q.outer, a.as_ref()))
    }

    /// The attribution of the quote or passage at `range`: the quote holding it if there is one, else the
    /// range read as a quote of its own (a source may report the words without marks: `X said that …`).
    pub fn at(&self, range: &Range<usize>) -> Option<Attribution> {
        // Quotes are in order and do not overlap: the last one starting at or before the range holds it, or
        // one of the next overlaps it.
        let at = self
            .quotes
            .partition_point(|q| q.outer.start <= range.start);
        let holding = at
            .checked_sub(1)
            .filter(|&i| range.end <= self.quotes[i].outer.end)
            .or_else(|| {
                (at.saturating_sub(1)..self.quotes.len())
                    .take_while(|&i| self.quotes[i].outer.start < range.end)
                    .find(|&i| {
                        self.quotes[i].outer.start < range.end
                            && range.start < self.quotes[i].outer.end
                    })
            });
        if let Some(i) = holding {
            let mut found = self.found[i].clone();
            let quote = &self.quotes[i].outer;
            // A passage that only overlaps a quote (its marks are unbalanced) is less surely its words.
            if !(quote.start <= range.start && range.end <= quote.end) {
                if let Some(found) = &mut found {
                    found.confidence = found.confidence.min(0.6);
                }
            }
            return found;
        }
        let mut first = self.toks.partition_point(|t| t.range.end <= range.start);
        let end = self.toks.partition_point(|t| t.range.start < range.end);
        while first > 0 && self.is_punct(first - 1, QUOTE_MARKS) {
            first -= 1;
        }
        if first >= end {
            return None;
        }
        let span = QuoteSpan {
            outer: range.clone(),
            toks: first..end,
            blockquote: false,
        };
        self.direct(&span)
    }

    fn block_of(&self, span: &QuoteSpan) -> usize {
        self.toks
            .get(span.toks.start)
            .map_or(usize::MAX, |t| t.block)
    }

    fn word(&self, i: usize) -> &str {
        &self.text[self.toks[i].range.clone()]
    }

    fn is_word(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| t.word)
    }

    fn lower(&self, i: usize) -> String {
        self.word(i).to_lowercase().replace('’', "'")
    }

    fn is_punct(&self, i: usize, chars: &[char]) -> bool {
        self.toks.get(i).is_some_and(|t| {
            !t.word
                && self.text[t.range.clone()]
                    .chars()
                    .next()
                    .is_some_and(|c| chars.contains(&c))
        })
    }

    fn is_cap(&self, i: usize) -> bool {
        self.is_word(i) && self.word(i).chars().next().is_some_and(char::is_uppercase)
    }

    fn is_verb(&self, i: usize) -> bool {
        self.is_word(i)
            && !self.toks[i].quoted
            && {
                let w = self.word(i);
                w.chars().next().is_some_and(char::is_lowercase)
                && (is_speech_verb(w)
                    // `the article read`, `the sign read`.
                    || (w == "read" && i > 0 && self.is_word(i - 1) && is_group_noun(&self.lower(i - 1))))
                // `one of the states suing`, `a statement`, `his remarks`: a noun after a determiner.
                && !(i > 0
                    && self.is_word(i - 1)
                    && matches!(
                        self.lower(i - 1).as_str(),
                        "the" | "a" | "an" | "his" | "her" | "their" | "its" | "our" | "these" | "those"
                    ))
                // `the report stated`, `a statement said`: a document noun before the verb.
                && !(is_group_noun(&w.to_lowercase())
                    && self.is_word(i + 1)
                    && self.word(i + 1).chars().next().is_some_and(char::is_lowercase)
                    && is_speech_verb(self.word(i + 1)))
            }
    }

    /// Attribution from the quote's own sentence, its blockquote line or its paragraph's introduction.
    fn direct(&self, span: &QuoteSpan) -> Option<Attribution> {
        if span.toks.is_empty() {
            return None;
        }
        if span.blockquote {
            if let Some(found) = self.dash_line(span) {
                return Some(found);
            }
        }
        let ends_sentence = self.quote_ends_sentence(span);
        let after = self.after(span, ends_sentence);
        if let Some(found) = after {
            return Some(found);
        }
        if let Some(found) = self.before(span) {
            return Some(found);
        }
        self.introduced(span).or_else(|| self.continued(span))
    }

    /// A quote opening a sentence of its own right after a sentence reporting a person's words in the same
    /// paragraph: `…, Schiff said. "The other factor …"` (the speaker goes on) or `Smith said the plan would
    /// fail. "It cannot work."`.
    fn continued(&self, span: &QuoteSpan) -> Option<Attribution> {
        let q = span.toks.start;
        if q < 3 || !self.is_punct(q - 1, &['.']) || self.is_abbreviation(q - 1) {
            return None;
        }
        let block = self.toks[q].block;
        let stop = q - 1;
        if self.toks[stop].block != block || self.toks[stop].quoted {
            return None;
        }
        let mut start = stop;
        while start > 0 && stop - start < 60 {
            let prev = start - 1;
            let t = &self.toks[prev];
            if t.block != block || t.quoted || self.is_punct(prev, &['?', '!', ';', ':']) {
                return None;
            }
            if self.is_punct(prev, &['.']) && !self.is_abbreviation(prev) {
                break;
            }
            start -= 1;
            if self.toks[start].sentence_start {
                break;
            }
        }
        // `…, Schiff said.`: the sentence ends with its cue.
        if let Some(verb) = (start..stop).rev().find(|&i| self.is_verb(i)) {
            if self.clause_ends_after(verb + 1)
                && !is_participle(&self.lower(verb))
                && (start..stop).filter(|&i| self.is_verb(i)).count() == 1
            {
                if let Some(np) = self.subject_np(start, verb) {
                    if np.kind == SpeakerKind::Person {
                        let cue = self.word(verb).to_string();
                        return self.make(np, &cue, 0.8, span);
                    }
                }
            }
        }
        // `Smith said the plan would fail.`: the sentence opens with its speaker and cue.
        let verb = (start..stop.min(start + 8)).find(|&i| self.is_verb(i))?;
        if is_participle(&self.lower(verb)) {
            return None;
        }
        let np = self.subject_np(start, verb)?;
        if np.kind != SpeakerKind::Person || np.toks.start != start {
            return None;
        }
        let cue = self.word(verb).to_string();
        self.make(np, &cue, 0.7, span)
    }

    /// Whether the quote's words end with a full stop (its sentence is over: what follows is a new one).
    fn quote_ends_sentence(&self, span: &QuoteSpan) -> bool {
        let inner: &str = self.text[span.outer.clone()]
            .trim_end_matches(|c: char| is_quote_mark(c) || c.is_whitespace());
        inner.ends_with('.') && !inner.ends_with("...")
    }

    /// `"…," X said` / `"…," said X` / `"…" according to X` after the quote, in the same sentence.
    fn after(&self, span: &QuoteSpan, ends_sentence: bool) -> Option<Attribution> {
        let block = self.toks[span.toks.end - 1].block;
        let mut j = span.toks.end;
        // Closing marks of a passage read as a quote of its own.
        while j < self.toks.len()
            && !self.toks[j].word
            && self.is_punct(j, QUOTE_MARKS)
            && !self.toks[j].quoted
        {
            j += 1;
        }
        let dash = self.is_punct(j, DASHES);
        while j < self.toks.len() && self.is_punct(j, &[',', '—', '–', '―', '-', ')', '…'])
        {
            j += 1;
        }
        let tok = self.toks.get(j)?;
        if tok.block != block || tok.quoted || !tok.word {
            return None;
        }
        if dash && !self.is_verb(j) {
            // `"…" ― Carla Sanchez`: a dash line after the quote.
            if let Some(np) = self.forward_np(j) {
                let next = np.toks.end;
                let closes = next >= self.toks.len()
                    || self.toks[next].block != block
                    || self.is_punct(next, &['.', ',', '('])
                    || self.toks[next].quoted
                    || self.toks[next].sentence_start;
                if np.kind == SpeakerKind::Person && closes {
                    return self.make(np, "—", 0.9, span);
                }
            }
        }
        if self.lower(j) == "according" && self.word_at(j + 1, "to") {
            let np = self.forward_np(j + 2)?;
            return self.make(np, "according to", 0.9, span);
        }
        // `"…," as a Homeland Security memo put it`.
        if self.lower(j) == "as" {
            if let Some(put) = (j + 2..(j + 10).min(self.toks.len())).find(|&k| {
                self.word_at(k, "put") && self.word_at(k + 1, "it") && self.toks[k].block == block
            }) {
                if (j + 1..put).all(|k| !self.toks[k].quoted && !self.is_punct(k, &['.', ';', ',']))
                {
                    if let Some(np) = self.classify(j + 1..put) {
                        return self.make(np, "put it", 0.85, span);
                    }
                }
            }
        }
        // The window: up to 10 words before a sentence end, a quote or the block's end; farther only to a verb
        // right after an appositive's closing comma (`Scott Pruitt, the attorney general of Oklahoma, one of
        // the states suing the EPA, said`).
        let mut end = j;
        while end < self.toks.len()
            && end < j + 30
            && self.toks[end].block == block
            && !self.toks[end].quoted
            && !(end > j && self.toks[end].sentence_start)
            && !self.is_punct(end, &[';', ':'])
        {
            end += 1;
        }
        let verb = (j..end).find(|&i| self.is_verb(i))?;
        if verb >= j + 14 && !self.is_punct(verb - 1, &[',']) {
            return None;
        }
        let cue = self.word(verb).to_string();
        let lower = self.lower(verb);
        if verb == j {
            if !inverts(&lower) {
                return None;
            }
            let mut k = verb + 1;
            while k < end && self.is_time_at(k) {
                k += 1;
            }
            let np = self.forward_np(k)?;
            return self.make(np, &cue, 0.95, span);
        }
        if is_participle(&lower) {
            return None;
        }
        // A new sentence after a full stop is an attribution only when it ends at the verb: `"…." she said.`
        if ends_sentence && !self.clause_ends_after(verb + 1) {
            return None;
        }
        // `"…," Melanie said yes`: the verb has an object of its own, so it is not this quote's cue; a verb
        // whose object is the one spoken to (`told some of the miners`, `asked the crowd`) still is.
        if !takes_addressee(&lower) && !self.adjunct_follows(verb + 1) {
            return None;
        }
        // `"…." Jones added, "…"`: the cue of the next quote.
        if ends_sentence && self.introduces_quote(verb + 1) {
            return None;
        }
        let np = self.subject_np(j, verb)?;
        // `"…," when Clinton blasted him`: a clause between the quote and the subject.
        if (j..np.toks.start).any(|i| self.is_word(i) && is_clause_word(&self.lower(i))) {
            return None;
        }
        self.make(np, &cue, 0.95, span)
    }

    /// Whether nothing but time words, `to reporters`, `in a statement` and the like follow `from` before the
    /// sentence ends.
    fn clause_ends_after(&self, from: usize) -> bool {
        let mut k = from;
        while k < self.toks.len() && k < from + 8 {
            if !self.toks[k].word {
                return self.is_punct(k, &['.', ',', ';', '!', '?', ':', '—', '–'])
                    || self.toks[k].quoted;
            }
            if self.toks[k].sentence_start || !self.is_time_at(k) {
                return self.toks[k].sentence_start;
            }
            k += 1;
        }
        k >= self.toks.len()
    }

    /// Whether what follows a cue verb after a quote is the end of the clause or an adjunct (`said on Monday`,
    /// `told reporters`, `said of the plan`, `told CNN`), not an object of its own (`said yes`).
    fn adjunct_follows(&self, from: usize) -> bool {
        let Some(t) = self.toks.get(from) else {
            return true;
        };
        if !t.word || t.quoted || t.sentence_start || self.is_cap(from) {
            return true;
        }
        let lower = self.lower(from);
        is_time_word(&lower)
            || is_clause_word(&lower)
            || lower.chars().all(|c| c.is_ascii_digit())
            || matches!(
                lower.as_str(),
                "of" | "about"
                    | "via"
                    | "through"
                    | "from"
                    | "by"
                    | "him"
                    | "her"
                    | "them"
                    | "me"
                    | "us"
                    | "it"
                    | "referring"
                    | "adding"
                    | "noting"
                    | "according"
                    | "told"
                    | "then"
                    | "too"
                    | "afterward"
                    | "afterwards"
                    | "recently"
                    | "shortly"
                    | "flatly"
                    | "simply"
                    | "bluntly"
                    | "for"
                    | "after"
                    | "before"
                    | "into"
                    | "outside"
                    | "inside"
                    | "near"
                    | "over"
                    | "under"
                    | "reporters"
                    | "journalists"
                    | "supporters"
                    | "voters"
                    | "members"
                    | "officials"
            )
            || lower.ends_with("ly")
            || is_speech_verb(&lower)
    }

    /// Whether a quote follows `from` (after a comma or colon and time words): `added, "…"`.
    fn introduces_quote(&self, from: usize) -> bool {
        let mut k = from;
        while k < self.toks.len()
            && k < from + 6
            && (self.is_time_at(k) || self.is_punct(k, &[',', ':']))
        {
            k += 1;
        }
        self.toks.get(k).is_some_and(|t| t.quoted)
    }

    fn is_time_at(&self, i: usize) -> bool {
        self.is_word(i) && {
            let lower = self.lower(i);
            is_time_word(&lower) || lower.chars().all(|c| c.is_ascii_digit())
        }
    }

    fn word_at(&self, i: usize, word: &str) -> bool {
        self.is_word(i) && self.word(i).eq_ignore_ascii_case(word)
    }

    /// `X said: "…"` / `X told reporters "…"` / `according to X, "…"` / `X: "…"` before the quote.
    fn before(&self, span: &QuoteSpan) -> Option<Attribution> {
        let q = span.toks.start;
        if q == 0 {
            return None;
        }
        // The sentence before the quote, back to its start, another quote or the block's start; a sentence, not
        // a whole run-on block: at most 120 tokens back.
        let start = self.sentence_start(q, 120, false);
        if start == q {
            return None;
        }
        // `according to X` anywhere in the sentence before the quote.
        if let Some(a) = (start..q.saturating_sub(1))
            .rev()
            .find(|&i| self.lower(i) == "according" && self.word_at(i + 1, "to"))
        {
            if let Some(np) = self.forward_np(a + 2) {
                return self.make(np, "according to", 0.9, span);
            }
        }
        let verbs: Vec<usize> = (start..q)
            .rev()
            .filter(|&i| self.is_verb(i) && q - i <= 20)
            .collect();
        for &verb in &verbs {
            let cue = self.word(verb).to_string();
            let lower = self.lower(verb);
            if is_participle(&lower) {
                // `footage of Trump saying "…"`: the name right before the participle.
                if verb > start && self.is_word(verb - 1) {
                    if let Some(np) = self.subject_np(start, verb) {
                        if np.kind == SpeakerKind::Person && np.toks.end == verb {
                            return self.make(np, &cue, 0.85, span);
                        }
                    }
                    // `The spot ends with footage of Trump saying`: the capitalised name the participle
                    // follows, inside a longer phrase.
                    if let Some(np) = self.name_before(start, verb) {
                        return self.make(np, &cue, 0.85, span);
                    }
                }
                // `Smith spoke for an hour, adding: "…"` / `Smith was quoted as saying "…"`: the sentence's subject.
                if let Some(np) = self.forward_np(start) {
                    return self.make(np, &cue, 0.8, span);
                }
                // `Trump unleashed a series of tweets early Friday saying …`: the name opening the sentence
                // before its main verb.
                if let Some(np) = self.opening_name(start) {
                    return self.make(np, &cue, 0.75, span);
                }
                continue;
            }
            // Between the verb and the quote: objects and adjuncts (`told reporters`, `said in a statement
            // that`); a noun that looks like a verb (`tweets`) has no subject and the next verb is tried.
            if let Some(np) = self.subject_np(start, verb) {
                let confidence = match q - verb {
                    0..=4 => 0.95,
                    5..=14 => 0.85,
                    _ => 0.75,
                };
                return self.make(np, &cue, confidence, span);
            }
            // `Clinton, the former secretary of State, stressed … and said she has …: "…"`: a coordinated
            // verb's subject opens the sentence.
            if verb > 0 && self.word_at(verb - 1, "and") {
                if let Some(np) = self.coordinated_subject(verb) {
                    return self.make(np, &cue, 0.8, span);
                }
            }
        }
        if verbs.is_empty() {
            // `Smith: "…"` (an interview's label).
            if self.is_punct(q - 1, &[':']) && q >= 2 {
                let np = self.subject_np(start, q - 1)?;
                if matches!(np.kind, SpeakerKind::Person) {
                    return self.make(np, ":", 0.85, span);
                }
            }
        }
        None
    }

    /// A blockquote's `— Name` line right after it (or its own last line).
    fn dash_line(&self, span: &QuoteSpan) -> Option<Attribution> {
        let rest = &self.text[span.outer.end..];
        let skipped = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_whitespace() || c == '>')
                .len();
        let at = span.outer.end + skipped;
        let dash = self.text[at..].chars().next()?;
        let line_start = if matches!(dash, '—' | '–' | '―' | '-' | '~') {
            at
        } else {
            // The dash line inside the quote: its last line.
            let inner = &self.text[span.outer.clone()];
            let line = inner
                .trim_end()
                .rfind('\n')
                .map(|i| span.outer.start + i + 1)?;
            let trimmed = self.text[line..span.outer.end]
                .trim_start_matches(|c: char| c.is_whitespace() || c == '>');
            if !trimmed.starts_with(['—', '–', '―']) && !trimmed.starts_with("--") {
                return None;
            }
            span.outer.end - trimmed.len()
        };
        let first = self.toks.partition_point(|t| t.range.end <= line_start);
        let mut k = first;
        while k < self.toks.len() && self.is_punct(k, &['—', '–', '―', '-', '~']) {
            k += 1;
        }
        if k == first || k >= self.toks.len() {
            return None;
        }
        let np = self.forward_np(k)?;
        self.make(np, "—", 0.95, span)
    }

    /// A quote opening its paragraph after one that ends with a colon introduction (`Smith warned:`).
    fn introduced(&self, span: &QuoteSpan) -> Option<Attribution> {
        let q = span.toks.start;
        if q == 0 || !self.toks[q].sentence_start {
            return None;
        }
        let colon = q - 1;
        if !self.is_punct(colon, &[':']) || self.toks[colon].quoted {
            return None;
        }
        let block = self.toks[colon].block;
        let mut start = colon;
        while start > 0
            && colon - start < 120
            && self.toks[start - 1].block == block
            && !self.toks[start].sentence_start
        {
            start -= 1;
        }
        let verb = (start..colon).rev().find(|&i| self.is_verb(i));
        match verb {
            Some(verb) if colon - verb <= 6 => {
                let np = if is_participle(&self.lower(verb)) {
                    self.forward_np(start)?
                } else {
                    self.subject_np(start, verb)?
                };
                let cue = self.word(verb).to_string();
                self.make(np, &cue, 0.85, span)
            }
            _ => {
                let np = self.subject_np(start, colon)?;
                (np.kind == SpeakerKind::Person && np.toks.end == colon)
                    .then(|| self.make(np, ":", 0.8, span))
                    .flatten()
            }
        }
    }

    /// The subject of a verb at `verb`, looking back no further than `start`: the phrase right before the verb
    /// (adverbs and auxiliaries skipped), with an appositive (`Hugh Hill, a doctor,`) passed over.
    fn subject_np(&self, start: usize, verb: usize) -> Option<Np> {
        let mut end = verb;
        while end > start && self.is_word(end - 1) && {
            let lower = self.lower(end - 1);
            is_adverb_or_aux(&lower)
                || (lower.ends_with("ly") && lower.len() > 4 && !self.is_cap(end - 1))
        } {
            end -= 1;
        }
        // `a woman who suggested`: the verb of a relative clause has no speaker of its own here.
        if end > start
            && matches!(
                self.lower(end - 1).as_str(),
                "who" | "which" | "that" | "whom"
            )
        {
            return None;
        }
        // `Rep. Gwen Moore (D-Wis.) said`: the parenthesis is not part of the name.
        if end > start && self.is_punct(end - 1, &[')']) {
            if let Some(open) = (start.max(end.saturating_sub(10))..end - 1)
                .rev()
                .find(|&i| self.is_punct(i, &['(']))
            {
                end = open;
            }
        }
        // Back to a clause boundary.
        let mut first = end;
        while first > start {
            let i = first - 1;
            let t = &self.toks[i];
            if t.quoted
                || self.is_verb(i)
                || self.is_punct(i, &[';', ':', '(', ')', '"', '“', '”', '―'])
            {
                break;
            }
            let relative = t.word
                && matches!(self.lower(i).as_str(), "who" | "which")
                && i > start
                && self.is_punct(i - 1, &[',']);
            if t.word && is_clause_word(&self.lower(i)) && !relative {
                break;
            }
            // `Mulgrew, president of …, which represents …, said`: a relative clause between commas.
            if t.word
                && matches!(self.lower(i).as_str(), "who" | "which")
                && !(i > start && self.is_punct(i - 1, &[',']))
            {
                break;
            }
            first -= 1;
            if self.toks[first].sentence_start {
                break;
            }
        }
        // Parts between commas, last first.
        let mut parts: Vec<Range<usize>> = Vec::new();
        let mut part_end = end;
        for i in (first..end).rev() {
            if self.is_punct(i, &[',', '—', '–', '―']) {
                parts.push(i + 1..part_end);
                part_end = i;
            }
        }
        parts.push(first..part_end);
        let mut parts = parts.into_iter().filter(|p| !p.is_empty());
        let last = parts.next()?;
        let np = self.classify(last.clone());
        let appositive_like = self.is_word(last.start)
            && {
                let lower = self.lower(last.start);
                matches!(
                lower.as_str(),
                "a" | "an" | "the" | "who" | "whose" | "which" | "his" | "her" | "their" |"its"
            ) || lower.chars().all(|c| c.is_ascii_digit())
                // `McConnell, R-Ky., said`: party and state.
                || (last.len() <= 3 && self.word(last.start).split_once('-').is_some_and(|(p, _)| matches!(p, "R" | "D" | "I")))
                || (self
                    .word(last.start)
                    .chars()
                    .next()
                    .is_some_and(char::is_lowercase)
                    && np.is_none())
            };
        if appositive_like || np.is_none() {
            // `Hugh Hill, a doctor, said` / `Smith, 45, said`: the name before the appositive.
            for part in parts.take(3) {
                if let Some(mut named) = self.classify(part.clone()) {
                    if named.kind == SpeakerKind::Person {
                        named.descriptors.extend(
                            (last.clone())
                                .filter(|&i| self.is_word(i))
                                .map(|i| self.lower(i)),
                        );
                        return Some(named);
                    }
                }
            }
        }
        if np.as_ref().is_some_and(|np| np.kind == SpeakerKind::Person) {
            return np;
        }
        self.leading_name(start, end).or(np)
    }

    /// `Douglas Brinkley, a historian who attended the session, recalled`: the name opening the clause at
    /// `start`, followed by an appositive (a lowercase or numeric phrase, relative clauses allowed) that
    /// closes with a comma right before `end`.
    fn leading_name(&self, start: usize, end: usize) -> Option<Np> {
        if end <= start + 3 || !self.is_punct(end - 1, &[',']) {
            return None;
        }
        let comma = (start..end - 1).find(|&i| self.is_punct(i, &[',']))?;
        let opens = comma + 1;
        if opens >= end - 1 || !self.is_word(opens) {
            return None;
        }
        let head = self.lower(opens);
        let appositive = !self.is_cap(opens)
            || matches!(head.as_str(), "the" | "a" | "an" | "his" | "her" | "their")
            || head.chars().all(|c| c.is_ascii_digit())
            || is_title(&head);
        let clean = (comma + 1..end - 1).all(|i| {
            let t = &self.toks[i];
            !t.quoted
                && !t.sentence_start
                && !self.is_verb(i)
                && !self.is_punct(i, &[';', ':', '(', ')', '"', '“', '”'])
        });
        if !appositive || !clean {
            return None;
        }
        let mut np = self.classify(start..comma)?;
        if np.kind != SpeakerKind::Person {
            return None;
        }
        np.descriptors.extend(
            (comma + 1..end - 1)
                .filter(|&i| self.is_word(i))
                .map(|i| self.lower(i)),
        );
        Some(np)
    }

    /// The subject of the sentence holding the coordinated verb at `verb` (`X … and said`): the person named
    /// at its start, before an appositive or right before its first verb.
    fn coordinated_subject(&self, verb: usize) -> Option<Np> {
        let start = self.sentence_start(verb, 80, true);
        if self.toks[start].quoted {
            return None;
        }
        if let Some(comma) =
            (start..verb).find(|&i| self.is_punct(i, &[',']) || self.toks[i].quoted)
        {
            if self.is_punct(comma, &[',']) && comma > start {
                if let Some(np) = self.classify(start..comma) {
                    if np.kind == SpeakerKind::Person {
                        return Some(np);
                    }
                }
            }
        }
        self.opening_name(start)
    }

    /// The first token of the sentence holding the token at `end` (or ending right before it): back to a full
    /// stop, the block's start or a sentence start, at most `max` tokens; across quotes only when
    /// `cross_quotes`, else a quote ends the walk as a sentence end would.
    fn sentence_start(&self, end: usize, max: usize, cross_quotes: bool) -> usize {
        let block = self.toks[end].block;
        let mut start = end;
        while start > 0 && end - start < max {
            let prev = start - 1;
            let t = &self.toks[prev];
            if t.block != block
                || (t.quoted && !cross_quotes)
                || (self.is_punct(prev, &['.', '?', '!', ';']) && !self.is_abbreviation(prev))
            {
                break;
            }
            start -= 1;
            if self.toks[start].sentence_start {
                break;
            }
        }
        start
    }

    /// The person named by the capitalised words opening the sentence at `start` when a past-tense or
    /// auxiliary verb follows them (`Trump unleashed …`, `Sen. Warren has …`).
    fn opening_name(&self, start: usize) -> Option<Np> {
        let mut end = start;
        while end < self.toks.len()
            && end < start + 6
            && (self.is_word(end) && self.is_cap(end)
                || (self.is_punct(end, &['.']) && self.is_abbreviation(end)))
        {
            end += 1;
        }
        if end == start || !self.is_word(end) || self.is_cap(end) {
            return None;
        }
        let next = self.lower(end);
        let verb_like = (next.ends_with("ed") && next.len() > 3)
            || matches!(
                next.as_str(),
                "has"
                    | "had"
                    | "was"
                    | "is"
                    | "went"
                    | "spent"
                    | "took"
                    | "made"
                    | "gave"
                    | "sent"
                    | "began"
                    | "kept"
                    | "held"
                    | "led"
                    | "left"
                    | "met"
                    | "ran"
                    | "won"
                    | "lost"
            );
        if !verb_like {
            return None;
        }
        let np = self.classify(start..end)?;
        (np.kind == SpeakerKind::Person).then_some(np)
    }

    /// The person whose name (capitalised words, initials and titles) ends right before `end`, after a
    /// lowercase word (`footage of Trump`, `a Bloomberg interview Trump`), looking back no further than `start`.
    fn name_before(&self, start: usize, end: usize) -> Option<Np> {
        let mut first = end;
        while first > start
            && first + 6 > end
            && (self.is_word(first - 1) && self.is_cap(first - 1)
                || (self.is_punct(first - 1, &['.']) && self.is_abbreviation(first - 1)))
        {
            first -= 1;
        }
        // Only after a lowercase word: a name opening the clause is the subject's business.
        if first == end || first == start || !self.is_word(first - 1) || self.is_cap(first - 1) {
            return None;
        }
        if (first..end).any(|i| self.is_time_at(i)) {
            return None; // `early Friday saying`
        }
        let np = self.classify(first..end)?;
        (np.kind == SpeakerKind::Person).then_some(np)
    }

    /// The noun phrase starting at `start` (after `said`, `according to`, a dash): up to a comma, a
    /// preposition other than `for`/`of`, a relative pronoun or the sentence's end.
    fn forward_np(&self, start: usize) -> Option<Np> {
        let mut end = start;
        let block = self.toks.get(start)?.block;
        while end < self.toks.len() && end < start + 12 {
            let t = &self.toks[end];
            if t.block != block || t.quoted || (end > start && t.sentence_start) {
                break;
            }
            if !t.word {
                if self.is_punct(end, &['.']) && self.is_abbreviation(end) {
                    end += 1;
                    continue;
                }
                if self.is_punct(end, &['\'', '’', '&', '-', '/']) {
                    end += 1;
                    continue;
                }
                break;
            }
            let lower = self.lower(end);
            if end > start
                && (is_clause_word(&lower)
                    || matches!(
                        lower.as_str(),
                        "who"
                            | "in"
                            | "on"
                            | "at"
                            | "during"
                            | "to"
                            | "from"
                            | "with"
                            | "about"
                            | "by"
                            | "told"
                            | "was"
                            | "is"
                            | "has"
                            | "had"
                            | "would"
                            | "will"
                            | "said"
                            | "says"
                            | "recently"
                            | "earlier"
                            | "later"
                            | "last"
                            | "this"
                            | "yesterday"
                            | "today"
                            | "tonight"
                    )
                    || self.is_verb(end))
            {
                break;
            }
            end += 1;
        }
        if end == start {
            return None;
        }
        self.classify(start..end)
    }

    /// Whether a period at `i` ends an abbreviation or an initial rather than a sentence.
    fn is_abbreviation(&self, i: usize) -> bool {
        i > 0
            && self.toks[i - 1].word
            && self.toks[i - 1].range.end == self.toks[i].range.start
            && {
                let w = self.word(i - 1);
                let lower = fold(w);
                is_title(&lower)
                    || (w.chars().count() == 1 && w.chars().all(char::is_uppercase))
                    || w.contains('.')
                    || matches!(
                        lower.as_str(),
                        "st" | "jr"
                            | "sr"
                            | "inc"
                            | "co"
                            | "corp"
                            | "ltd"
                            | "jan"
                            | "feb"
                            | "aug"
                            | "sept"
                            | "oct"
                            | "nov"
                            | "dec"
                            | "no"
                            | "vs"
                            | "etc"
                            | "mt"
                            | "ft"
                    )
            }
    }

    /// What a phrase names: a person (by name or pronoun), a role, a group or an outlet.
    fn classify(&self, range: Range<usize>) -> Option<Np> {
        let mut first = range.start;
        let mut end = range.end;
        // Trim punctuation and leading conjunctions.
        while first < end
            && (!self.toks[first].word
                || matches!(
                    self.lower(first).as_str(),
                    "and" | "but" | "so" | "then" | "yet" | "or"
                ))
        {
            first += 1;
        }
        while end > first && !self.toks[end - 1].word {
            end -= 1;
        }
        if first >= end {
            return None;
        }
        let mut words: Vec<usize> = (first..end).filter(|&i| self.toks[i].word).collect();
        while words.len() > 1
            && (is_capitalised_stopword(self.word(words[0]))
                || is_speech_verb(&self.lower(words[0])))
            && !matches!(
                self.word(words[0]),
                "The" | "A" | "An" | "He" | "She" | "They"
            )
        {
            words.remove(0);
        }
        // `During the debate a friend`, `In the hearing the senator`: an introductory phrase without its comma
        // ends where a new determiner follows a noun.
        if let Some(k) = (1..words.len()).rev().find(|&k| {
            matches!(self.word(words[k]), "a" | "an" | "the")
                && !self.is_cap(words[k - 1])
                && !matches!(
                    self.lower(words[k - 1]).as_str(),
                    "of" | "for"
                        | "at"
                        | "with"
                        | "from"
                        | "to"
                        | "in"
                        | "on"
                        | "by"
                        | "and"
                        | "or"
                        | "a"
                        | "an"
                        | "the"
                        | "as"
                        | "than"
                        | "into"
                        | "about"
                )
        }) {
            words.drain(..k);
        }
        if words.is_empty() || words.len() > 10 {
            return None;
        }
        if words.len() == 1
            && is_capitalised_stopword(self.word(words[0]))
            && pronoun(&self.lower(words[0])).is_none()
        {
            return None;
        }
        let first = words[0];
        let last_word = self.word(*words.last().unwrap());
        if last_word.ends_with("'s") || last_word.ends_with("’s") || last_word.ends_with("s'") {
            return None;
        }
        let head = self.lower(words[0]);
        if words.len() == 1 {
            // `"…," it said`: an organisation or a document named before, never resolved to a person.
            let pronoun = |lower: &str| {
                if lower == "it" {
                    Some(None)
                } else {
                    pronoun(lower)
                }
            };
            if let Some(gender) = pronoun(&head) {
                return Some(Np {
                    toks: first..end,
                    kind: SpeakerKind::Unresolved,
                    person: None,
                    pronoun: Some(gender),
                    descriptors: Vec::new(),
                });
            }
        }
        if matches!(
            head.as_str(),
            "i" | "we" | "you" | "it" | "who" | "which" | "that" | "this" | "there"
        ) {
            return None;
        }
        let determiner = head.chars().next().is_some_and(|c| c.is_ascii_digit())
            || matches!(
                head.as_str(),
                "a" | "an"
                    | "the"
                    | "his"
                    | "her"
                    | "their"
                    | "my"
                    | "our"
                    | "its"
                    | "one"
                    | "another"
                    | "two"
                    | "three"
                    | "some"
                    | "several"
                    | "many"
                    | "other"
                    | "senior"
                    | "top"
                    | "former"
                    | "both"
            );
        let first_cap = self.is_cap(words[0]);
        // `opposition spokesman Erik Vang`: lowercase words describing a name that ends the phrase.
        let described_name = words.len() >= 2 && self.is_cap(words[words.len() - 1]) && {
            let before_name = words.iter().rposition(|&i| !self.is_cap(i)).unwrap_or(0);
            let lower = self.lower(words[before_name]);
            is_role_noun(&lower) || is_title(&lower)
        };
        if !determiner
            && !first_cap
            && !is_group_noun(&head)
            && !is_role_noun(&head)
            && !described_name
        {
            return None;
        }
        // The capitalised groups of the phrase.
        let groups = self.cap_groups(&words);
        let starts_the = self.word(words[0]) == "The" || self.word(words[0]) == "the";
        let outlet = words.iter().any(|&i| {
            let w = self.word(i).trim_end_matches("'s").trim_end_matches("’s");
            is_outlet_word(w) || (starts_the && is_weak_outlet_word(w))
        });
        let org = self.group_is_org(&words) && words.iter().any(|&i| is_org_word(self.word(i)));
        // `a spokeswoman for the council` / `the Russian leader`: a role, unless a name follows the role.
        let preposition = words.iter().position(|&i| {
            matches!(
                self.lower(i).as_str(),
                "for" | "of" | "at" | "with" | "from"
            )
        });
        let before_preposition = &words[..preposition.unwrap_or(words.len())];
        let lower_nouns: Vec<String> = before_preposition
            .iter()
            .filter(|&&i| !self.is_cap(i))
            .map(|&i| self.lower(i))
            .collect();
        let name_group = groups
            .iter()
            .rev()
            .find(|g| {
                g.end <= before_preposition.len()
                    && !self.group_is_org(&words[g.start..g.end])
                    && !(g.start == 0 && determiner)
            })
            .cloned();
        // `Analysts say`: a common noun starting a sentence is not a name.
        let name_group = name_group.filter(|g| {
            let lower = self.lower(words[g.start]);
            g.len() > 1 || !(is_group_noun(&lower) || is_role_noun(&lower))
        });
        let named = name_group.is_some();
        if let Some(group) = name_group {
            let group_words: Vec<&str> =
                words[group.clone()].iter().map(|&i| self.word(i)).collect();
            // The group is the name if it ends the phrase (before any preposition) or the rest is a title.
            let possessive = group_words
                .last()
                .is_some_and(|w| w.ends_with("'s") || w.ends_with("’s"));
            // An outlet or organisation elsewhere in the phrase, a lowercase word away (`a Bloomberg interview
            // Trump`, `CNN anchor Jake Tapper`, `White House spokesman Josh Earnest`), leaves the name a
            // person's; one in the group itself is the group's (`group_is_org`).
            let time = group_words.iter().all(|w| is_time_word(&w.to_lowercase()));
            if group.end == before_preposition.len()
                && (!org || group.start > 0)
                && !possessive
                && !time
            {
                let descriptors: Vec<String> = words[..group.start]
                    .iter()
                    .map(|&i| self.lower(i))
                    .filter(|w| !matches!(w.as_str(), "the" | "a" | "an"))
                    .collect();
                let person = parse_name(&group_words)?;
                if group_words.len() == 1 && is_capitalised_stopword(group_words[0]) {
                    return None;
                }
                let mut all_descriptors = descriptors;
                all_descriptors.extend(person.descriptors.iter().cloned());
                let name_start = words[group.start];
                return Some(Np {
                    toks: name_start..end.max(name_start + 1),
                    kind: SpeakerKind::Person,
                    person: Some(person),
                    pronoun: None,
                    descriptors: all_descriptors,
                });
            }
        }
        if outlet && (first_cap || head == "the") && lower_nouns.iter().all(|w| w == "the") {
            return Some(Np {
                toks: first..end,
                kind: SpeakerKind::Outlet,
                person: None,
                pronoun: None,
                descriptors: Vec::new(),
            });
        }
        let all_caps_phrase = words.iter().all(|&i| {
            self.is_cap(i)
                || matches!(
                    self.lower(i).as_str(),
                    "of" | "for" | "the" | "and" | "on" | "&"
                )
        });
        // `the IMF`, `the Pentagon`: a named body.
        let the_body = head == "the" && words.len() > 1 && all_caps_phrase && !named;
        if org && (all_caps_phrase || determiner)
            || (first_cap && !determiner && all_caps_phrase)
            || the_body
        {
            return Some(Np {
                toks: first..end,
                kind: SpeakerKind::Group,
                person: None,
                pronoun: None,
                descriptors: Vec::new(),
            });
        }
        let role = lower_nouns.iter().any(|w| is_role_noun(w));
        let group = lower_nouns.iter().any(|w| is_group_noun(w));
        if !role && !group {
            return None;
        }
        let mut descriptors: Vec<String> = before_preposition
            .iter()
            .map(|&i| self.lower(i))
            .filter(|w| {
                !matches!(
                    w.as_str(),
                    "the" | "a" | "an" | "his" | "her" | "their" | "its"
                )
            })
            .collect();
        descriptors.dedup();
        Some(Np {
            toks: first..end,
            kind: if role && !group {
                SpeakerKind::Role
            } else {
                SpeakerKind::Group
            },
            person: None,
            pronoun: None,
            descriptors,
        })
    }

    /// Runs of capitalised words (with particles and initials) among `words`, as index ranges into `words`.
    fn cap_groups(&self, words: &[usize]) -> Vec<Range<usize>> {
        let mut groups = Vec::new();
        let mut i = 0;
        while i < words.len() {
            if self.is_cap(words[i]) {
                let start = i;
                while i < words.len()
                    && (self.is_cap(words[i])
                        || (is_particle(self.word(words[i]))
                            && i + 1 < words.len()
                            && self.is_cap(words[i + 1])))
                {
                    i += 1;
                }
                groups.push(start..i);
            } else {
                i += 1;
            }
        }
        groups
    }

    fn group_is_org(&self, words: &[usize]) -> bool {
        // `House Speaker Paul Ryan`, `White House Press Secretary Josh Earnest`: only the name after the last
        // title decides.
        let words = match words
            .iter()
            .rposition(|&i| is_strong_title(&fold(self.word(i))))
        {
            Some(t) if t + 1 < words.len() => &words[t + 1..],
            _ => words,
        };
        words.iter().any(|&i| {
            let w = self.word(i);
            is_org_word(w) || is_outlet_word(w.trim_end_matches("'s").trim_end_matches("’s"))
        }) || words.iter().all(|&i| {
            let w = self.word(i);
            w.len() > 1 && w.chars().all(|c| c.is_uppercase() || c == '.')
        })
    }

    /// Turns a noun phrase into an attribution: pronouns and roles resolved to a person when the text names one.
    fn make(&self, np: Np, cue: &str, confidence: f32, span: &QuoteSpan) -> Option<Attribution> {
        let range = self.toks[np.toks.start].range.start..self.toks[np.toks.end - 1].range.end;
        let speaker = self.text[range.clone()].to_string();
        let anchor = span.toks.start.min(np.toks.start);
        let (kind, person, name, confidence) = match np.kind {
            SpeakerKind::Unresolved => {
                // `he told Cook`: the person the cue addresses is not the one speaking.
                let end = np.toks.end;
                let from = self.mentions.partition_point(|m| m.tok <= end);
                let addressed: Vec<&PersonName> = self.mentions[from..]
                    .iter()
                    .take_while(|m| m.tok <= end + 2)
                    .filter(|m| {
                        (end..=m.tok).all(|k| self.is_word(k) && !self.toks[k].sentence_start)
                    })
                    .map(|m| &m.person)
                    .collect();
                match self.resolve_pronoun(anchor, np.pronoun.flatten(), np.pronoun, &addressed) {
                    Some((mention, c)) => (
                        SpeakerKind::Person,
                        Some(mention.person.clone()),
                        self.text[mention.range.clone()].to_string(),
                        confidence.min(c),
                    ),
                    None => (SpeakerKind::Unresolved, None, speaker.clone(), 0.3),
                }
            }
            SpeakerKind::Role => match self.resolve_role(anchor, &np.descriptors) {
                Some(mention) => (
                    SpeakerKind::Person,
                    Some(mention.person.clone()),
                    self.text[mention.range.clone()].to_string(),
                    confidence.min(0.75),
                ),
                None => (SpeakerKind::Role, None, speaker.clone(), 0.4),
            },
            SpeakerKind::Person => {
                let (person, confidence) = self.complete_name(np.person.clone(), confidence);
                (SpeakerKind::Person, person, speaker.clone(), confidence)
            }
            kind => (kind, None, speaker.clone(), confidence.min(0.9)),
        };
        let key = person.as_ref().map(names::key).unwrap_or_default();
        Some(Attribution {
            speaker,
            range,
            name,
            key,
            cue: cue.to_string(),
            confidence,
            kind,
            person,
        })
    }

    /// A surname alone (`Smith said`) is a person the text introduced by full name or title (`John Smith`):
    /// it takes their given names when one such person has that surname (or clearly dominates); a surname the text never introduced is a guess (`China said`).
    fn complete_name(
        &self,
        person: Option<PersonName>,
        confidence: f32,
    ) -> (Option<PersonName>, f32) {
        let Some(mut person) = person else {
            return (None, confidence);
        };
        if !person.given.is_empty() || !person.descriptors.is_empty() {
            return (Some(person), confidence);
        }
        let introduced: Vec<&Mention> = self
            .by_surname
            .get(&person.surname)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&m| &self.mentions[m])
            .filter(|m| !m.person.given.is_empty() || !m.person.descriptors.is_empty())
            .collect();
        let mut distinct: Vec<&Vec<String>> = introduced
            .iter()
            .filter(|m| !m.person.given.is_empty())
            .map(|m| &m.person.given)
            .collect();
        distinct.sort();
        distinct.dedup();
        match distinct.len() {
            _ if introduced.is_empty() => {
                let written = person.surname.as_str();
                if is_place_or_body(written) {
                    (Some(person), confidence.min(0.5))
                } else {
                    (Some(person), confidence.min(0.85))
                }
            }
            0 => (Some(person), confidence),
            1 => {
                person.given = distinct[0].clone();
                (Some(person), confidence)
            }
            _ => {
                // The person most often named with this surname (`Trump` is Donald, not Ivanka), when they
                // clearly dominate; else the surname alone.
                let count = |given: &Vec<String>| {
                    introduced
                        .iter()
                        .filter(|m| &m.person.given == given)
                        .count()
                };
                let top = distinct.iter().max_by_key(|g| count(g)).copied();
                let named = introduced
                    .iter()
                    .filter(|m| !m.person.given.is_empty())
                    .count();
                if let Some(top) = top.filter(|g| count(g) * 3 >= named * 2) {
                    person.given = top.clone();
                    return (Some(person), confidence.min(0.85));
                }
                // Which of them is unclear: the surname alone stands (it still tells this family from
                // another, but never one of them from the other).
                (Some(person), confidence)
            }
        }
    }

    /// The nearest person named before `anchor` in the same or the previous paragraph, of the pronoun's gender
    /// when that is known; with a confidence (lower across a paragraph or with a rival of the same gender).
    fn resolve_pronoun(
        &self,
        anchor: usize,
        gender: Option<bool>,
        pronoun: Option<Option<bool>>,
        addressed: &[&PersonName],
    ) -> Option<(&Mention, f32)> {
        if pronoun == Some(None) {
            return None; // `they`
        }
        let block = self.toks.get(anchor)?.block;
        let before = self.mentions.partition_point(|m| m.tok < anchor);
        let candidates = self.mentions[..before]
            .iter()
            .rev()
            .take_while(|m| self.toks[m.tok].block + 1 >= block);
        let candidates: Vec<&Mention> = candidates
            .filter(|m| !addressed.iter().any(|a| names::same_person(a, &m.person)))
            .collect();
        // A person of the pronoun's known gender beats a nearer one of unknown gender.
        let gendered = gender.is_some() && candidates.iter().any(|m| m.gender == gender);
        let mut chosen: Option<&Mention> = None;
        let mut rival = false;
        for m in candidates
            .into_iter()
            .filter(|m| !gendered || m.gender == gender)
        {
            let compatible = match (gender, m.known_gender()) {
                (Some(g), Some(h)) => g == h,
                _ => true,
            };
            if !compatible {
                continue;
            }
            match chosen {
                None => chosen = Some(m),
                Some(c) if !names::same_person(&c.person, &m.person) => {
                    if self.toks[m.tok].block == self.toks[c.tok].block
                        && m.gender.is_none() == c.gender.is_none()
                    {
                        rival = true;
                    }
                    break;
                }
                _ => {}
            }
        }
        let chosen = chosen?;
        let same_block = self.toks[chosen.tok].block == block;
        let confidence = match (same_block, rival) {
            (true, false) => 0.85,
            (false, false) => 0.75,
            (_, true) => 0.6,
        };
        Some((chosen, confidence))
    }

    /// The person a role refers to (`the Russian leader` → `Russian President Vladimir Putin`): the nearest
    /// earlier mention whose titles or appositive share the role's noun and adjectives.
    fn resolve_role(&self, anchor: usize, descriptors: &[String]) -> Option<&Mention> {
        let (nouns, adjectives): (Vec<&String>, Vec<&String>) = descriptors
            .iter()
            .partition(|w| is_role_noun(w) || is_title(w));
        if nouns.is_empty() {
            return None;
        }
        let before = self.mentions.partition_point(|m| m.tok < anchor);
        // The last few hundred people named: a role points back a few paragraphs, not across a book.
        self.mentions[..before].iter().rev().take(300).find(|m| {
            nouns
                .iter()
                .any(|noun| m.descriptors.iter().any(|d| role_matches(noun, d)))
                && adjectives.iter().all(|a| {
                    matches!(a.as_str(), "former" | "senior" | "top") || m.descriptors.contains(a)
                })
        })
    }

    /// People named outside quotes, in order: capitalised groups that are not organisations, with a title or
    /// two names, or a surname already seen in a full name.
    fn find_mentions(&self) -> (Vec<Mention>, HashMap<String, Vec<usize>>) {
        let mut mentions: Vec<Mention> = Vec::new();
        let mut by_surname: HashMap<String, Vec<usize>> = HashMap::new();
        let mut i = 0;
        while i < self.toks.len() {
            if self.toks[i].quoted || !self.is_cap(i) {
                i += 1;
                continue;
            }
            let start = i;
            let block = self.toks[i].block;
            let mut words = Vec::new();
            while i < self.toks.len() && self.toks[i].block == block && !self.toks[i].quoted {
                if self.is_cap(i) || (is_particle(self.word(i)) && self.is_cap(i + 1)) {
                    words.push(i);
                    i += 1;
                } else if self.is_punct(i, &['.']) && self.is_abbreviation(i) && self.is_cap(i + 1)
                {
                    i += 1;
                } else {
                    break;
                }
            }
            if words.is_empty() {
                i = start + 1;
                continue;
            }
            // Leading sentence words that are not names, and a participle opening the sentence (`Hosting Cook
            // at Dreamforce, …`, `Asked about …`) unless it is a known first name (`Sterling Brown`).
            let mut from = 0;
            while from < words.len()
                && (is_capitalised_stopword(self.word(words[from]).trim_end_matches(','))
                    || (from == 0 && words.len() > 1 && self.opens_with_participle(words[0])))
            {
                from += 1;
            }
            let words = &words[from..];
            if words.is_empty() || self.group_is_org(words) {
                continue;
            }
            let written: Vec<&str> = words.iter().map(|&w| self.word(w)).collect();
            let Some(person) = parse_name(&written) else {
                continue;
            };
            let titled =
                !person.descriptors.is_empty() && written.iter().any(|w| is_strong_title(&fold(w)));
            let full = person.given.len() + 1 >= 2;
            // Lowercase title before the group (`former president Bill Clinton`, `spokesman Brian Fallon`).
            let mut descriptors = person.descriptors.clone();
            let mut k = words[0];
            while k > 0 && self.is_word(k - 1) && !self.is_cap(k - 1) && !self.toks[k - 1].quoted {
                let lower = self.lower(k - 1);
                if is_title(&lower) || is_role_noun(&lower) {
                    descriptors.push(lower);
                    k -= 1;
                } else {
                    break;
                }
            }
            // An appositive right after: `Hugh Hill, a doctor at …,`.
            let last = *words.last().unwrap();
            if self.is_punct(last + 1, &[','])
                && matches!(
                    self.word_lower_at(last + 2).as_deref(),
                    Some("a" | "an" | "the")
                )
            {
                let mut k = last + 3;
                while k < self.toks.len() && k < last + 10 && self.toks[k].word {
                    descriptors.push(self.lower(k));
                    k += 1;
                }
            }
            let same_surname: &[usize] = by_surname.get(&person.surname).map_or(&[], Vec::as_slice);
            // A surname the text has already used for a person: named in full, titled or speaking.
            let known_surname = !same_surname.is_empty();
            // A lone surname is a person when it speaks (`"…," Benioff said.`), as the attribution reads it: a
            // pronoun after it points back to it.
            let speaks = words.len() == 1
                && !self.toks[last].sentence_start
                && last > 0
                && !self.is_word(last - 1)
                && self.is_verb(last + 1);
            // `Buckley, who hadn't sung …`: a relative `who` says a person.
            let who = self.is_punct(last + 1, &[','])
                && self.word_lower_at(last + 2).as_deref() == Some("who");
            if !(titled || full || known_surname || speaks || who) {
                continue;
            }
            // A full name's surname alone at a sentence start is still a person; a lone unknown word is not.
            let gender = written
                .iter()
                .find_map(|w| title_gender(&fold(w)))
                .or_else(|| {
                    person.given.first().and_then(|g| {
                        let capital: String = g
                            .chars()
                            .enumerate()
                            .map(|(n, c)| if n == 0 { c.to_ascii_uppercase() } else { c })
                            .collect();
                        first_name_gender(&capital)
                    })
                })
                .or_else(|| {
                    same_surname
                        .iter()
                        .rev()
                        .map(|&m| &mentions[m])
                        .find(|m| names::same_person(&m.person, &person))
                        .and_then(|m| m.gender)
                });
            let earlier: Vec<String> = same_surname
                .iter()
                .rev()
                .map(|&m| &mentions[m])
                .find(|m| names::same_person(&m.person, &person))
                .map(|m| m.descriptors.clone())
                .unwrap_or_default();
            descriptors.extend(earlier);
            descriptors.sort();
            descriptors.dedup();
            // A possessive is not part of the name (`Steenburgen’s son`).
            let last_word = self.word(last);
            let name_end = match without_possessive(last_word).len() {
                0 => last_word.len(),
                len => len,
            };
            let range = self.toks[words[0]].range.start..self.toks[last].range.start + name_end;
            by_surname
                .entry(person.surname.clone())
                .or_default()
                .push(mentions.len());
            mentions.push(Mention {
                tok: words[0],
                range,
                person,
                gender,
                learned: None,
                descriptors,
            });
        }
        (mentions, by_surname)
    }

    /// A person whose gender no title or first name tells takes it from the pronouns that refer to them
    /// (`Charlie McDowell … "…," he said.`), so a later `she` does not land on him: in order, each
    /// subject `he` or `she` outside quotes whose paragraph names exactly one person it could refer to,
    /// people of the other known gender set aside (not `his`/`her`: a possessive refers to a pair's other
    /// half as readily, `my parents, James and Olive Meehan, … my father began his studies`).
    fn learn_genders(&mut self) {
        for i in 0..self.toks.len() {
            if self.toks[i].quoted || !self.is_word(i) {
                continue;
            }
            let word = self.word(i);
            let gender = if word.eq_ignore_ascii_case("he") {
                true
            } else if word.eq_ignore_ascii_case("she") {
                false
            } else {
                continue;
            };
            let block = self.toks[i].block;
            let before = self.mentions.partition_point(|m| m.tok < i);
            let mut candidates = self.mentions[..before]
                .iter()
                .rev()
                .take_while(|m| self.toks[m.tok].block == block)
                .filter(|m| m.known_gender().is_none_or(|g| g == gender));
            let Some(first) = candidates.next() else {
                continue;
            };
            if first.known_gender().is_some()
                || candidates.any(|m| !names::same_person(&m.person, &first.person))
            {
                continue;
            }
            let person = first.person.clone();
            for m in self.mentions.iter_mut() {
                if m.known_gender().is_none() && names::same_person(&m.person, &person) {
                    m.learned = Some(gender);
                }
            }
        }
    }

    /// Whether token `i` opens its sentence with a participle (`Hosting`, `Speaking`), not a first name.
    fn opens_with_participle(&self, i: usize) -> bool {
        let word = self.word(i);
        self.toks[i].sentence_start
            && word.chars().count() > 4
            && word.ends_with("ing")
            && first_name_gender(word).is_none()
    }

    fn word_lower_at(&self, i: usize) -> Option<String> {
        self.is_word(i).then(|| self.lower(i))
    }
}

/// Whether a role noun (`leader`) fits a descriptor of a named person (`president`).
fn role_matches(noun: &str, descriptor: &str) -> bool {
    let leaders = [
        "president",
        "prime",
        "minister",
        "chancellor",
        "premier",
        "king",
        "queen",
        "leader",
        "emir",
        "sultan",
    ];
    noun == descriptor
        || (noun == "leader" && leaders.contains(&descriptor))
        || matches!(
            (noun, descriptor),
            ("senator", "sen")
                | ("governor", "gov")
                | (
                    "representative" | "congressman" | "congresswoman" | "lawmaker",
                    "rep"
                )
                | (
                    "lawmaker",
                    "senator" | "sen" | "congressman" | "congresswoman"
                )
                | ("doctor", "dr")
                | ("professor", "prof")
                | ("general", "gen")
                | ("spokesperson", "spokesman" | "spokeswoman")
                | ("official", "secretary" | "minister" | "director")
        )
}

const QUOTE_MARKS: &[char] = &['"', '“', '”', '‘', '’', '\'', '«', '»', '„'];
const DASHES: &[char] = &['—', '–', '―'];

/// A noun phrase that may be a speaker.
#[derive(Clone, Debug)]
struct Np {
    toks: Range<usize>,
    kind: SpeakerKind,
    person: Option<PersonName>,
    /// `Some(gender)` for a pronoun (`Some(None)` for `they`).
    pronoun: Option<Option<bool>>,
    descriptors: Vec<String>,
}

fn is_quote_mark(c: char) -> bool {
    matches!(
        c,
        '"' | '“' | '”' | '‘' | '’' | '\'' | '«' | '»' | '„' | '‹' | '›'
    )
}

/// Splits one prose segment into words and punctuation.
fn tokenize(slice: &str, segment: Range<usize>, base: usize, block: usize, toks: &mut Vec<Tok>) {
    let text = &slice[segment.clone()];
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = segment.start + at;
        if c.is_alphanumeric() {
            let mut j = i + 1;
            while j < chars.len() {
                let c = chars[j].1;
                let joins = matches!(c, '\'' | '’' | '-' | '.' | '‑')
                    && chars.get(j + 1).is_some_and(|n| n.1.is_alphanumeric())
                    // `U.S.` and `J.R.R.` keep their periods; `end.Next` does not join.
                    && (c != '.' || chars[j - 1].1.is_uppercase() && chars[j + 1].1.is_uppercase() && chars.get(j + 2).is_none_or(|n| !n.1.is_lowercase()));
                if c.is_alphanumeric() || joins || c == '\u{0301}' {
                    j += 1;
                } else {
                    break;
                }
            }
            let end = segment.start + chars.get(j).map_or(text.len(), |n| n.0);
            toks.push(Tok {
                range: start + base..end + base,
                block,
                quoted: false,
                word: true,
                sentence_start: false,
            });
            i = j;
        } else {
            toks.push(Tok {
                range: start + base..start + c.len_utf8() + base,
                block,
                quoted: false,
                word: false,
                sentence_start: false,
            });
            i += 1;
        }
    }
}

/// Marks sentence starts: after `.`/`?`/`!` (and the closing marks after them) followed by a capital, except
/// after a title or an initial.
fn mark_sentences(text: &str, toks: &mut [Tok]) {
    for i in 1..toks.len() {
        if toks[i].sentence_start || !toks[i].word {
            continue;
        }
        // Walk back over closing quote marks and brackets.
        let mut k = i - 1;
        while k > 0
            && !toks[k].word
            && text[toks[k].range.clone()]
                .chars()
                .all(|c| is_quote_mark(c) || c == ')')
        {
            k -= 1;
        }
        if toks[k].word || toks[k].block != toks[i].block {
            continue;
        }
        let mark = &text[toks[k].range.clone()];
        if !matches!(mark, "." | "?" | "!" | "…") {
            continue;
        }
        let starts_upper = text[toks[i].range.clone()]
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
        if !starts_upper {
            continue;
        }
        if mark == "." && k > 0 && toks[k - 1].word && toks[k - 1].range.end == toks[k].range.start
        {
            let w = &text[toks[k - 1].range.clone()];
            let lower = fold(w);
            if is_title(&lower) && w.chars().next().is_some_and(char::is_uppercase)
                || (w.chars().count() == 1 && w.chars().all(char::is_uppercase))
                || (w.contains('.') && w.chars().all(|c| c.is_uppercase() || c == '.'))
            {
                continue;
            }
        }
        toks[i].sentence_start = true;
    }
}

#[cfg(test)]
mod tests;
