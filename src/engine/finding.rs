//! Findings: the verdict on one quote, its passage and its edits (the types every consumer reads).
use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

use super::attribution::Attribution;
use super::corpus::SourceId;
use super::quotes::{shift_range, Quote};

/// What a careful editor would say of a quotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// A source contains the quote word for word (typography and editorial marks aside).
    Verified,
    /// A source contains the quote with altered wording.
    Drift,
    /// No source contains anything close to the quote.
    Unsourced,
    /// A source has the words, but credits them to someone other than the draft's speaker.
    Misattributed,
    /// Prose outside quote marks that repeats a source word for word or nearly, without credit (the finding's
    /// quote is the copied stretch).
    Uncredited,
}

impl Verdict {
    /// The stable code used in diagnostics, JSON and SARIF.
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Drift => "drift",
            Verdict::Unsourced => "unsourced",
            Verdict::Misattributed => "misattributed",
            Verdict::Uncredited => "uncredited",
        }
    }

    pub fn from_code(code: &str) -> Option<Verdict> {
        match code {
            "verified" => Some(Verdict::Verified),
            "drift" => Some(Verdict::Drift),
            "unsourced" => Some(Verdict::Unsourced),
            "misattributed" => Some(Verdict::Misattributed),
            "uncredited" => Some(Verdict::Uncredited),
            _ => None,
        }
    }
}

/// How one run of words differs between the quote and the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EditKind {
    /// The quote has other words where the source has these.
    Substituted,
    /// The source has words that the quote leaves out (without an ellipsis).
    Missing,
    /// The quote has words the source does not have (outside brackets).
    Added,
    /// The same words stand in another order.
    Reordered,
}

impl EditKind {
    pub fn name(self) -> &'static str {
        match self {
            EditKind::Substituted => "substituted",
            EditKind::Missing => "missing",
            EditKind::Added => "added",
            EditKind::Reordered => "reordered",
        }
    }
}

/// One difference. Ranges are byte ranges; an empty range marks the point where words are missing or added.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub kind: EditKind,
    /// In the draft.
    pub quote_range: Range<usize>,
    /// In the source's text.
    pub source_range: Range<usize>,
    /// The quote's words here, as written in the draft (whitespace collapsed).
    pub quote_words: String,
    /// The source's words here, as written in the source (whitespace collapsed).
    pub source_words: String,
    /// The matched word just before the edit, as written in the draft (empty at the start), so a message can
    /// say “call on” for “call for” rather than “on” for “for”.
    pub context: String,
}

impl Edit {
    /// A difference of spelling only, not of words: the same letters once hyphens and the space a line-end
    /// hyphen leaves are dropped (`co-founded` / `cofounded`, `another` / `an-other` where a typesetter split
    /// the word, `MacBook` / `Mac- Book`), with a hyphen on at least one side (`over all` / `overall` is a
    /// change); and in names (every word capitalised on both sides), the same letters without their accents
    /// (`Petrović` / `Petrovic`: outlets transliterate names differently). `schon` / `schön` stays a change.
    pub fn is_spelling_only(&self) -> bool {
        if self.kind != EditKind::Substituted {
            return false;
        }
        let hyphen = |c: char| matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{00AD}');
        let squash = |words: &str, fold_accents: bool| -> String {
            words
                .nfd()
                .filter(|&c| !hyphen(c) && !c.is_whitespace())
                .filter(|&c| !fold_accents || !unicode_normalization::char::is_combining_mark(c))
                .flat_map(char::to_lowercase)
                .collect::<String>()
                .nfc()
                .collect()
        };
        let (ours, theirs) = (&self.quote_words, &self.source_words);
        if ours.trim().is_empty() || theirs.trim().is_empty() {
            return false;
        }
        let hyphenated = ours.contains(hyphen) || theirs.contains(hyphen);
        if hyphenated && squash(ours, false) == squash(theirs, false) {
            return true;
        }
        let names = |words: &str| {
            words
                .split(|c: char| c.is_whitespace() || hyphen(c))
                .filter(|w| !w.is_empty())
                .all(|w| w.starts_with(char::is_uppercase))
        };
        names(ours) && names(theirs) && squash(ours, true) == squash(theirs, true)
    }
}

/// A stretch of one source.
#[derive(Clone, Debug, PartialEq)]
pub struct Passage {
    pub source: SourceId,
    /// The words the quote aligns with, as bytes of the source's text.
    pub range: Range<usize>,
    /// The whole sentence(s) around `range`.
    pub sentence: Range<usize>,
}

/// The verdict on one quotation, with everything needed to explain and repair it.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub quote: Quote,
    pub verdict: Verdict,
    /// The best passage; `None` for `unsourced` quotes.
    pub passage: Option<Passage>,
    /// The differences from the passage (empty when verified).
    pub edits: Vec<Edit>,
    /// Share of the quote's words found in order in the passage (0–1).
    pub similarity: f32,
    /// Warnings worth a writer's attention, such as an ellipsis that drops a negation.
    pub notes: Vec<String>,
    /// Other sources that also contain the quote (as well as the best one).
    pub also_in: Vec<Passage>,
    /// One line for a diagnostic or a terminal.
    pub message: String,
    /// Who the draft credits the quote to, if anyone.
    pub attribution: Option<Attribution>,
    /// Who the passage's source credits the words to, if anyone.
    pub source_attribution: Option<Attribution>,
}

impl Finding {
    /// The draft range a diagnostic marks: the speaker's name for a misattribution, else the quote.
    pub fn range(&self) -> Range<usize> {
        match (&self.verdict, &self.attribution) {
            (Verdict::Misattributed, Some(attribution)) => attribution.range.clone(),
            _ => self.quote.range.clone(),
        }
    }
    /// The finding moved by `delta` bytes in the draft.
    pub(super) fn shifted(&self, delta: isize) -> Finding {
        let mut finding = self.clone();
        finding.quote = self.quote.shifted(delta);
        for edit in &mut finding.edits {
            edit.quote_range = shift_range(&edit.quote_range, delta);
        }
        finding
    }

    /// `similarity` as a clean two-decimal number for JSON (0.94, not 0.9409999847412109: an `f32` widened to
    /// `f64` keeps its binary noise).
    pub fn similarity_rounded(&self) -> f64 {
        (f64::from(self.similarity) * 100.0).round() / 100.0
    }
}
