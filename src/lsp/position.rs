//! Converts between LSP positions (line + character in the negotiated encoding) and the byte offsets the
//! engine and the document store use. The counting itself is [`crate::lineindex`]'s; this module only
//! negotiates the encoding and converts to and from the protocol's types.
use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{self, Position, PositionEncodingKind};

pub use crate::lineindex::Encoding as PositionEncoding;
use crate::lineindex::{self, LineCol, LineIndex};

impl PositionEncoding {
    /// Picks the encoding from the client's `general.positionEncodings`: UTF-8 when offered (no conversion for
    /// the engine's byte offsets), else UTF-32, else the mandatory UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> PositionEncoding {
        let offered = offered.unwrap_or_default();
        if offered.contains(&PositionEncodingKind::UTF8) {
            PositionEncoding::Utf8
        } else if offered.contains(&PositionEncodingKind::UTF32) {
            PositionEncoding::Utf32
        } else {
            PositionEncoding::Utf16
        }
    }

    /// The protocol name of the encoding.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
            PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }
}

fn to_lsp(at: LineCol) -> Position {
    Position::new(at.line, at.column)
}

fn from_lsp(position: Position) -> LineCol {
    LineCol {
        line: position.line,
        column: position.character,
    }
}

/// The byte offset of `position` in `rope`, clamped and rounded down to a character boundary.
pub fn position_to_offset(rope: &Rope, position: Position, encoding: PositionEncoding) -> usize {
    lineindex::offset(rope, from_lsp(position), encoding)
}

/// The position of byte `offset` in `rope` (clamped to the text, rounded down to a character boundary).
pub fn offset_to_position(rope: &Rope, offset: usize, encoding: PositionEncoding) -> Position {
    to_lsp(lineindex::line_col(rope, offset, encoding))
}

/// The LSP range of a byte range of `rope`.
pub fn range_to_lsp(
    rope: &Rope,
    range: &Range<usize>,
    encoding: PositionEncoding,
) -> ls_types::Range {
    let start = offset_to_position(rope, range.start, encoding);
    let end = offset_to_position(rope, range.end.max(range.start), encoding);
    ls_types::Range::new(start, end)
}

/// The byte range of an LSP range of `rope` (an inverted range is reordered).
pub fn range_from_lsp(
    rope: &Rope,
    range: ls_types::Range,
    encoding: PositionEncoding,
) -> Range<usize> {
    let a = position_to_offset(rope, range.start, encoding);
    let b = position_to_offset(rope, range.end, encoding);
    a.min(b)..a.max(b)
}

/// The LSP range of a byte range of an indexed text (a source on disk).
pub fn index_range(
    index: &LineIndex,
    range: &Range<usize>,
    encoding: PositionEncoding,
) -> ls_types::Range {
    let start = index.line_col(range.start, encoding);
    let end = index.line_col(range.end.max(range.start), encoding);
    ls_types::Range::new(to_lsp(start), to_lsp(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_utf8_then_utf32_then_utf16() {
        use PositionEncodingKind as K;
        assert_eq!(PositionEncoding::negotiate(None), PositionEncoding::Utf16);
        assert_eq!(
            PositionEncoding::negotiate(Some(&[K::UTF16])),
            PositionEncoding::Utf16
        );
        assert_eq!(
            PositionEncoding::negotiate(Some(&[K::UTF16, K::UTF32])),
            PositionEncoding::Utf32
        );
        assert_eq!(
            PositionEncoding::negotiate(Some(&[K::UTF32, K::UTF8])),
            PositionEncoding::Utf8
        );
        assert_eq!(
            PositionEncoding::negotiate(Some(&[K::new("latin-1")])),
            PositionEncoding::Utf16
        );
    }

    #[test]
    fn converts_both_ways() {
        let rope = Rope::from_str("a😀b\nc");
        let range = range_to_lsp(&rope, &(1..5), PositionEncoding::Utf16);
        assert_eq!(
            range,
            ls_types::Range::new(Position::new(0, 1), Position::new(0, 3))
        );
        assert_eq!(range_from_lsp(&rope, range, PositionEncoding::Utf16), 1..5);
        let index = LineIndex::new("a😀b\nc");
        assert_eq!(
            index_range(&index, &(7..8), PositionEncoding::Utf32),
            ls_types::Range::new(Position::new(1, 0), Position::new(1, 1))
        );
    }
}
