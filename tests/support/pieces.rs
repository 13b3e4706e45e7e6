//! The random-text pieces, the range check and the text positions an editor can name, shared by the engine's property tests
//! (`tests/engine_properties.rs`) and the fuzz harness (`fuzz/harness.rs`), both including it with `#[path]`.
//! The order of [`PIECES`] is part of the committed fuzz corpus's meaning (a byte picks a piece): append, never
//! reorder.
#![allow(dead_code)]

use std::ops::Range;

/// Pieces that random and fuzzed texts are made of: every quote mark the engine knows, editorial marks, Markdown syntax,
/// line endings, emoji, combining marks, right-to-left text, control characters and words of the source.
pub const PIECES: &[&str] = &[
    "\"",
    "“",
    "”",
    "‘",
    "’",
    "'",
    "«",
    "»",
    "„",
    "‚",
    "「",
    "」",
    "『",
    "』",
    "‹",
    "›",
    "〝",
    "〞",
    "＂",
    "…",
    "...",
    ". . .",
    "[",
    "]",
    "(",
    ")",
    "[sic]",
    "[...]",
    "[the bloc]",
    "> ",
    ">",
    "`",
    "```",
    "    ",
    "*",
    "**",
    "_",
    "#",
    "- ",
    "1. ",
    "---\n",
    "<!--",
    "-->",
    "<!-- verbatim-ignore -->",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    " ",
    "\u{a0}",
    "\t",
    "—",
    "–",
    "-",
    "😀",
    "👩\u{200d}💻",
    "e\u{301}",
    "\u{301}",
    "שלום",
    "مرحبا",
    "\u{202e}",
    "\u{200b}",
    "\u{feff}",
    "北约",
    "\u{0}",
    "\u{7}",
    "\u{1b}",
    "\u{fffd}",
    "the",
    "parties",
    "oppose",
    "further",
    "expansion",
    "of",
    "NATO",
    "and",
    "call",
    "for",
    "North",
    "Atlantic",
    "Cold",
    "War",
    "don’t",
    "it's",
    "1,000",
    "[link](http://y.org)",
    "|",
    "<b>",
    "&amp;",
];

/// Asserts that `range` is a byte range of `text` on character boundaries (`what` names it on failure).
pub fn assert_range(text: &str, range: &Range<usize>, what: &str) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{what}: {range:?} out of 0..{}",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what}: {range:?} splits a character"
    );
}

/// Char boundaries of `text` that are not between the `\r` and `\n` of a CRLF (no LSP position points there).
pub fn boundaries(text: &str) -> Vec<usize> {
    (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .filter(|&i| {
            !(i > 0 && text.as_bytes()[i - 1] == b'\r' && text.as_bytes().get(i) == Some(&b'\n'))
        })
        .collect()
}
