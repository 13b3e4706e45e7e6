//! The pure quote engine: draft text in, findings with byte ranges out. No I/O, no protocol types, no panics.
//!
//! Pipeline: [`quotes`] finds quotations in a draft; [`normalize`] turns text into comparable words with byte
//! offsets back into the original; [`corpus`] keeps the sources' words and a term index; [`align`] aligns a
//! quote with a candidate passage word by word; `check` turns the best alignment into a [`Finding`] (types in
//! [`finding`], edits in `edits`, wording in [`messages`]); `cache` keeps findings across edits ([`VerdictCache`]).

pub mod align;
pub mod attribution;
mod cache;
mod check;
pub mod corpus;
mod credit;
mod edits;
pub mod finding;
pub mod fingerprint;
pub mod hash;
pub mod messages;
pub mod metadata;
pub mod normalize;
pub mod prose;
pub mod quotes;
pub mod repair;
pub mod reuse;
pub mod sentence;
pub mod store;
pub mod usage;

pub use cache::VerdictCache;
pub use check::Parallelism;
pub use corpus::{Corpus, CorpusRevision, FileStamp, Source, SourceId, SourceText};
pub use finding::{Edit, EditKind, Finding, Passage, Verdict};
pub use metadata::SourceMetadata;
pub use quotes::{find_quotes, Quote, QuoteKind};
pub use repair::{apply_edits, attribution_text, human_date, repair_edits, PassagePlace, TextEdit};
pub use usage::{SourceUsage, Usage, UsageIndex};

/// How a text is laid out: Markdown drafts are parsed (code, front matter, HTML comments and link targets are
/// never quotations); plain text is prose throughout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextFormat {
    Markdown,
    PlainText,
}

impl TextFormat {
    /// Markdown for `.md`/`.markdown`/`.mdx` names, plain text otherwise.
    pub fn from_path(path: &str) -> TextFormat {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".md") || lower.ends_with(".markdown") || lower.ends_with(".mdx") {
            TextFormat::Markdown
        } else {
            TextFormat::PlainText
        }
    }
}

/// The engine's knobs, already checked (see `config.rs` for the raw settings and their validation).
#[derive(Clone, Debug, PartialEq)]
pub struct EngineSettings {
    /// Quotes with fewer words than this are ignored (scare quotes, titles).
    pub min_words: usize,
    /// Share of the quote's words (0–1) that must align, in order, with a source passage for the quote to be
    /// `drift` rather than `unsourced`.
    pub drift_threshold: f32,
    /// Fewest words that must align in a drift, whatever the share (guards very short quotes).
    pub drift_min_matched_words: usize,
    /// Most source words one `[bracketed]` insertion may stand for.
    pub bracket_max_words: usize,
    /// Quotes longer than this (in words) are checked on their first `max_quote_words` words only, so a
    /// pathological quote cannot stall the checker.
    pub max_quote_words: usize,
    /// Compare who the draft and the source credit each quote to (`misattributed` findings).
    pub attribution: bool,
    /// Short quoted phrases in Title Case or ALL CAPS (titles, slogans, headlines) are names, not quotations,
    /// and are not checked.
    pub skip_titles: bool,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            min_words: 4,
            drift_threshold: 0.5,
            drift_min_matched_words: 3,
            bracket_max_words: 6,
            max_quote_words: 400,
            attribution: true,
            skip_titles: true,
        }
    }
}
