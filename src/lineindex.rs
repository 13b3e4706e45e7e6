//! Lines and columns of a text, free of any protocol: byte offset ⇄ (line, column), the column counted in UTF-8
//! bytes, UTF-16 code units or Unicode scalar values. The CLI's outputs and the language server (which converts
//! to and from protocol positions in `lsp::position`) both count with it.
//!
//! Lines break at `\n`, `\r\n` and `\r` (as in LSP, SARIF and editors). Conversions never panic: a column past
//! the end of a line clamps to the line's end, a line past the end of the text clamps to the end of the text,
//! and an offset or column that falls inside a character (or inside a UTF-16 surrogate pair) rounds down to
//! the start of that character.
use ropey::Rope;

/// The unit in which a column counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units: LSP's default, SARIF's `utf16CodeUnits`, GitHub's columns.
    #[default]
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

/// A 0-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// The length of `text` in `encoding`'s units.
pub fn units(text: &str, encoding: Encoding) -> usize {
    match encoding {
        Encoding::Utf8 => text.len(),
        Encoding::Utf16 => text.encode_utf16().count(),
        Encoding::Utf32 => text.chars().count(),
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

/// The byte offset of `at` in `rope`, clamped and rounded down to a character boundary.
pub fn offset(rope: &Rope, at: LineCol, encoding: Encoding) -> usize {
    let line = at.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let line_start_char = rope.line_to_char(line);
    let content_chars = line_content_chars(rope, line);
    let column = at.column as usize;
    let char_in_line = match encoding {
        Encoding::Utf32 => column.min(content_chars),
        Encoding::Utf8 => {
            let line_start_byte = rope.char_to_byte(line_start_char);
            let content_bytes =
                rope.char_to_byte(line_start_char + content_chars) - line_start_byte;
            rope.byte_to_char(line_start_byte + column.min(content_bytes)) - line_start_char
        }
        Encoding::Utf16 => {
            let line_start_cu = rope.char_to_utf16_cu(line_start_char);
            let content_cu = rope.char_to_utf16_cu(line_start_char + content_chars) - line_start_cu;
            // `utf16_cu_to_char` rounds a column inside a surrogate pair down to the pair's char.
            rope.utf16_cu_to_char(line_start_cu + column.min(content_cu)) - line_start_char
        }
    };
    rope.char_to_byte(line_start_char + char_in_line)
}

/// The line and column of byte `offset` in `rope` (clamped to the text, rounded down to a character boundary).
pub fn line_col(rope: &Rope, offset: usize, encoding: Encoding) -> LineCol {
    let offset = offset.min(rope.len_bytes());
    let char_idx = rope.byte_to_char(offset);
    let line = rope.char_to_line(char_idx);
    let line_start_char = rope.line_to_char(line);
    let column = match encoding {
        Encoding::Utf32 => char_idx - line_start_char,
        Encoding::Utf8 => rope.char_to_byte(char_idx) - rope.char_to_byte(line_start_char),
        Encoding::Utf16 => rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_start_char),
    };
    LineCol {
        line: saturate(line),
        column: saturate(column),
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The lines of a text that is not open as an edited document (a draft or source read from disk): indexed
/// once, then asked many times.
pub struct LineIndex {
    rope: Rope,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        LineIndex {
            rope: Rope::from_str(text),
        }
    }

    /// The line and column of byte `offset`.
    pub fn line_col(&self, offset: usize, encoding: Encoding) -> LineCol {
        line_col(&self.rope, offset, encoding)
    }

    /// The byte offset of a line and column.
    pub fn offset(&self, at: LineCol, encoding: Encoding) -> usize {
        offset(&self.rope, at, encoding)
    }

    /// The length of the text before byte `offset`, in `encoding`'s units (SARIF's `charOffset`).
    pub fn units_before(&self, offset: usize, encoding: Encoding) -> usize {
        let offset = offset.min(self.rope.len_bytes());
        let char_idx = self.rope.byte_to_char(offset);
        match encoding {
            Encoding::Utf8 => self.rope.char_to_byte(char_idx),
            Encoding::Utf16 => self.rope.char_to_utf16_cu(char_idx),
            Encoding::Utf32 => char_idx,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALL: [Encoding; 3] = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];

    fn pos(line: u32, column: u32) -> LineCol {
        LineCol { line, column }
    }

    #[test]
    fn emoji_is_two_utf16_units_four_bytes_one_scalar() {
        let text = "a😀b";
        let rope = Rope::from_str(text);
        let b = text.find('b').unwrap();
        assert_eq!(line_col(&rope, b, Encoding::Utf16), pos(0, 3));
        assert_eq!(line_col(&rope, b, Encoding::Utf8), pos(0, 5));
        assert_eq!(line_col(&rope, b, Encoding::Utf32), pos(0, 2));
        assert_eq!(offset(&rope, pos(0, 3), Encoding::Utf16), b);
        // Inside the surrogate pair rounds down to the emoji.
        assert_eq!(offset(&rope, pos(0, 2), Encoding::Utf16), 1);
        // Inside the emoji's bytes rounds down too.
        assert_eq!(offset(&rope, pos(0, 3), Encoding::Utf8), 1);
    }

    #[test]
    fn cjk_and_combining_marks() {
        let text = "中文“引用”\ne\u{301}t\u{e9}";
        let rope = Rope::from_str(text);
        let t = text.find('t').unwrap();
        assert_eq!(line_col(&rope, t, Encoding::Utf16), pos(1, 2));
        assert_eq!(line_col(&rope, t, Encoding::Utf8), pos(1, 3));
        assert_eq!(offset(&rope, pos(0, 2), Encoding::Utf16), "中文".len());
        assert_eq!(offset(&rope, pos(0, 6), Encoding::Utf8), "中文".len());
    }

    #[test]
    fn crlf_and_lone_cr_break_lines() {
        let text = "one\r\ntwo\rthree\nfour";
        let rope = Rope::from_str(text);
        for enc in ALL {
            assert_eq!(line_col(&rope, text.find("two").unwrap(), enc), pos(1, 0));
            assert_eq!(line_col(&rope, text.find("three").unwrap(), enc), pos(2, 0));
            assert_eq!(line_col(&rope, text.find("four").unwrap(), enc), pos(3, 0));
            // A column past the line's end stops before the line break.
            assert_eq!(offset(&rope, pos(0, 99), enc), 3);
            assert_eq!(
                offset(&rope, pos(1, 99), enc),
                text.find("\rthree").unwrap()
            );
        }
    }

    #[test]
    fn end_of_file_and_past_it() {
        let text = "abc\n";
        let rope = Rope::from_str(text);
        for enc in ALL {
            assert_eq!(line_col(&rope, 4, enc), pos(1, 0));
            assert_eq!(line_col(&rope, 400, enc), pos(1, 0));
            assert_eq!(offset(&rope, pos(1, 0), enc), 4);
            assert_eq!(offset(&rope, pos(7, 3), enc), 4);
        }
        let empty = Rope::new();
        assert_eq!(offset(&empty, pos(0, 5), Encoding::Utf16), 0);
        assert_eq!(line_col(&empty, 0, Encoding::Utf16), pos(0, 0));
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
            let at = bounds[pick.index(bounds.len())];
            for enc in ALL {
                let p = line_col(&rope, at, enc);
                prop_assert_eq!(offset(&rope, p, enc), at, "{:?} {:?}", enc, p);
            }
        }

        #[test]
        fn positions_always_land_on_char_boundaries(text in text_strategy(), line in 0u32..12, col in 0u32..50) {
            let rope = Rope::from_str(&text);
            for enc in ALL {
                let at = offset(&rope, pos(line, col), enc);
                prop_assert!(text.is_char_boundary(at));
                let back = line_col(&rope, at, enc);
                prop_assert!(back.line <= line);
            }
        }

        #[test]
        fn utf16_columns_match_std(text in text_strategy(), pick in any::<prop::sample::Index>()) {
            let rope = Rope::from_str(&text);
            let bounds = boundaries(&text);
            let at = bounds[pick.index(bounds.len())];
            let before = &text[..at];
            let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let expected_line = before.replace("\r\n", "\n").chars().filter(|&c| c == '\n' || c == '\r').count();
            let expected = pos(expected_line as u32, before[line_start..].encode_utf16().count() as u32);
            prop_assert_eq!(line_col(&rope, at, Encoding::Utf16), expected);
        }
    }
}
