//! Finds quotations in a draft: quote marks of many languages, blockquotes, wrapped and multi-paragraph quotes.
use std::ops::Range;

use super::{EngineSettings, TextFormat};

/// How a quotation is marked in the draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuoteKind {
    /// Between quote marks.
    Marked { open: char, close: char },
    /// A Markdown blockquote (`> …`): the whole block is the quotation.
    Blockquote,
}

/// One quotation in a draft. All ranges are byte ranges of the draft text.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    /// The quoted text, between the marks (for a multi-paragraph quote, from the first opening mark to the last
    /// closing one).
    pub range: Range<usize>,
    /// The range including the marks (equal to `range` for a blockquote).
    pub outer: Range<usize>,
    /// The pieces of quoted prose inside `range`, without Markdown markers or the marks that reopen a
    /// paragraph.
    pub segments: Vec<Range<usize>>,
    pub kind: QuoteKind,
    /// Words in the quote, editorial insertions and `[sic]` excluded.
    pub word_count: usize,
    /// Set when a `<!-- verbatim-ignore -->` marker precedes the quote.
    pub ignored: bool,
}

/// Every quotation in `text` with at least `settings.min_words` words, in document order.
pub fn find_quotes(text: &str, format: TextFormat, settings: &EngineSettings) -> Vec<Quote> {
    let _ = (text, format, settings);
    Vec::new()
}
