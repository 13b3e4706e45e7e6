//! Owns the conversion between LSP positions (line + column in the negotiated encoding) and the byte offsets
//! that the engine and the document store use.
//!
//! Columns count UTF-16 code units by default; `utf-8` (bytes) and `utf-32` (Unicode scalar values) are used
//! when the client offers them in `general.positionEncodings`. Lines break at `\n`, `\r\n` and `\r`, as in the
//! protocol. Conversions never panic: a position past the end of a line clamps to the line's end, a line past
//! the end of the text clamps to the end of the text, and an offset or column that falls inside a character
//! (or inside a UTF-16 surrogate pair) rounds down to the start of that character.
use std::ops::Range;

use ropey::Rope;
use tower_lsp_server::ls_types::{self, Position, PositionEncodingKind};

/// The unit in which a position's `character` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PositionEncoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units: the protocol's default.
    #[default]
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

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

/// Number of chars of `line` (0-based) before its line break.
fn line_content_chars(rope: &Rope, line: usize) -> usize {
    let start = rope.line_to_char(line);
    let end = if line + 1 < rope.len_lines() {
        rope.line_to_char(line + 1)
    } else {
        rope.len_chars()
    };
    let mut content_end = end;
    if content_end > start && rope.char(content_end - 1) == '\n' {
        content_end -= 1;
    }
    if content_end > start && rope.char(content_end - 1) == '\r' {
        content_end -= 1;
    }
    content_end - start
}

/// The byte offset of `position` in `rope`, clamped and rounded down to a character boundary.
pub fn position_to_offset(rope: &Rope, position: Position, encoding: PositionEncoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let line_start_char = rope.line_to_char(line);
    let content_chars = line_content_chars(rope, line);
    let column = position.character as usize;
    let char_in_line = match encoding {
        PositionEncoding::Utf32 => column.min(content_chars),
        PositionEncoding::Utf8 => {
            let line_start_byte = rope.char_to_byte(line_start_char);
            let content_bytes =
                rope.char_to_byte(line_start_char + content_chars) - line_start_byte;
            rope.byte_to_char(line_start_byte + column.min(content_bytes)) - line_start_char
        }
        PositionEncoding::Utf16 => {
            let line_start_cu = rope.char_to_utf16_cu(line_start_char);
            let content_cu = rope.char_to_utf16_cu(line_start_char + content_chars) - line_start_cu;
            // `utf16_cu_to_char` rounds a column inside a surrogate pair down to the pair's char.
            rope.utf16_cu_to_char(line_start_cu + column.min(content_cu)) - line_start_char
        }
    };
    rope.char_to_byte(line_start_char + char_in_line)
}

/// The position of byte `offset` in `rope` (clamped to the text, rounded down to a character boundary).
pub fn offset_to_position(rope: &Rope, offset: usize, encoding: PositionEncoding) -> Position {
    let offset = offset.min(rope.len_bytes());
    let char_idx = rope.byte_to_char(offset);
    let line = rope.char_to_line(char_idx);
    let line_start_char = rope.line_to_char(line);
    let column = match encoding {
        PositionEncoding::Utf32 => char_idx - line_start_char,
        PositionEncoding::Utf8 => rope.char_to_byte(char_idx) - rope.char_to_byte(line_start_char),
        PositionEncoding::Utf16 => {
            rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_start_char)
        }
    };
    Position::new(saturate(line), saturate(column))
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
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

/// Positions in a text that is not open as a document (a source on disk): a rope built once per use.
pub struct TextPositions {
    rope: Rope,
}

impl TextPositions {
    pub fn new(text: &str) -> TextPositions {
        TextPositions {
            rope: Rope::from_str(text),
        }
    }

    pub fn range(&self, range: &Range<usize>, encoding: PositionEncoding) -> ls_types::Range {
        range_to_lsp(&self.rope, range, encoding)
    }

    pub fn position(&self, offset: usize, encoding: PositionEncoding) -> Position {
        offset_to_position(&self.rope, offset, encoding)
    }

    /// The byte offset of a 0-based line and character (clamped to the text, as for LSP positions).
    pub fn offset(&self, line: u32, character: u32, encoding: PositionEncoding) -> usize {
        position_to_offset(&self.rope, Position::new(line, character), encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALL: [PositionEncoding; 3] = [
        PositionEncoding::Utf8,
        PositionEncoding::Utf16,
        PositionEncoding::Utf32,
    ];

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

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
    fn emoji_is_two_utf16_units_four_bytes_one_scalar() {
        let text = "a😀b";
        let rope = Rope::from_str(text);
        let b = text.find('b').unwrap();
        assert_eq!(
            offset_to_position(&rope, b, PositionEncoding::Utf16),
            pos(0, 3)
        );
        assert_eq!(
            offset_to_position(&rope, b, PositionEncoding::Utf8),
            pos(0, 5)
        );
        assert_eq!(
            offset_to_position(&rope, b, PositionEncoding::Utf32),
            pos(0, 2)
        );
        assert_eq!(
            position_to_offset(&rope, pos(0, 3), PositionEncoding::Utf16),
            b
        );
        // Inside the surrogate pair rounds down to the emoji.
        assert_eq!(
            position_to_offset(&rope, pos(0, 2), PositionEncoding::Utf16),
            1
        );
        // Inside the emoji's bytes rounds down too.
        assert_eq!(
            position_to_offset(&rope, pos(0, 3), PositionEncoding::Utf8),
            1
        );
    }

    #[test]
    fn cjk_and_combining_marks() {
        let text = "中文“引用”\ne\u{301}t\u{e9}";
        let rope = Rope::from_str(text);
        let t = text.find('t').unwrap();
        assert_eq!(
            offset_to_position(&rope, t, PositionEncoding::Utf16),
            pos(1, 2)
        );
        assert_eq!(
            offset_to_position(&rope, t, PositionEncoding::Utf8),
            pos(1, 3)
        );
        assert_eq!(
            position_to_offset(&rope, pos(0, 2), PositionEncoding::Utf16),
            "中文".len()
        );
        assert_eq!(
            position_to_offset(&rope, pos(0, 6), PositionEncoding::Utf8),
            "中文".len()
        );
    }

    #[test]
    fn crlf_and_lone_cr_break_lines() {
        let text = "one\r\ntwo\rthree\nfour";
        let rope = Rope::from_str(text);
        for enc in ALL {
            assert_eq!(
                offset_to_position(&rope, text.find("two").unwrap(), enc),
                pos(1, 0)
            );
            assert_eq!(
                offset_to_position(&rope, text.find("three").unwrap(), enc),
                pos(2, 0)
            );
            assert_eq!(
                offset_to_position(&rope, text.find("four").unwrap(), enc),
                pos(3, 0)
            );
            // A column past the line's end stops before the line break.
            assert_eq!(position_to_offset(&rope, pos(0, 99), enc), 3);
            assert_eq!(
                position_to_offset(&rope, pos(1, 99), enc),
                text.find("\rthree").unwrap()
            );
        }
    }

    #[test]
    fn end_of_file_and_past_it() {
        let text = "abc\n";
        let rope = Rope::from_str(text);
        for enc in ALL {
            assert_eq!(offset_to_position(&rope, 4, enc), pos(1, 0));
            assert_eq!(offset_to_position(&rope, 400, enc), pos(1, 0));
            assert_eq!(position_to_offset(&rope, pos(1, 0), enc), 4);
            assert_eq!(position_to_offset(&rope, pos(7, 3), enc), 4);
        }
        let empty = Rope::new();
        assert_eq!(
            position_to_offset(&empty, pos(0, 5), PositionEncoding::Utf16),
            0
        );
        assert_eq!(
            offset_to_position(&empty, 0, PositionEncoding::Utf16),
            pos(0, 0)
        );
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a",
            "b",
            " ",
            "é",
            "e\u{301}",
            "中",
            "文",
            "😀",
            "👩\u{200d}💻",
            "\n",
            "\r\n",
            "\r",
            "“",
            "”",
            "\"",
        ]);
        prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
    }

    /// Char boundaries that are not between the `\r` and `\n` of a CRLF.
    fn boundaries(text: &str) -> Vec<usize> {
        (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .filter(|&i| {
                !(i > 0
                    && text.as_bytes()[i - 1] == b'\r'
                    && text.as_bytes().get(i) == Some(&b'\n'))
            })
            .collect()
    }

    proptest! {
        #[test]
        fn offsets_round_trip(text in text_strategy(), pick in any::<prop::sample::Index>()) {
            let rope = Rope::from_str(&text);
            let bounds = boundaries(&text);
            let offset = bounds[pick.index(bounds.len())];
            for enc in ALL {
                let p = offset_to_position(&rope, offset, enc);
                prop_assert_eq!(position_to_offset(&rope, p, enc), offset, "{:?} {:?}", enc, p);
            }
        }

        #[test]
        fn positions_always_land_on_char_boundaries(text in text_strategy(), line in 0u32..12, col in 0u32..50) {
            let rope = Rope::from_str(&text);
            for enc in ALL {
                let offset = position_to_offset(&rope, pos(line, col), enc);
                prop_assert!(text.is_char_boundary(offset));
                let back = offset_to_position(&rope, offset, enc);
                prop_assert!(back.line <= line);
            }
        }

        #[test]
        fn utf16_columns_match_std(text in text_strategy(), pick in any::<prop::sample::Index>()) {
            let rope = Rope::from_str(&text);
            let bounds = boundaries(&text);
            let offset = bounds[pick.index(bounds.len())];
            let before = &text[..offset];
            let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let expected_line = before.replace("\r\n", "\n").chars().filter(|&c| c == '\n' || c == '\r').count();
            let expected = pos(expected_line as u32, before[line_start..].encode_utf16().count() as u32);
            prop_assert_eq!(offset_to_position(&rope, offset, PositionEncoding::Utf16), expected);
        }
    }
}
