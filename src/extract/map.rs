//! The offset map from extracted text back to the original file, and the builder every parser writes through.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// One stretch of text and the original bytes it came from. When both have the same length the stretch maps
/// byte for byte (copied text); otherwise the whole stretch maps to the whole original range (a decoded
/// entity, a joined hyphenation, a PDF glyph).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub text_start: u32,
    pub text_end: u32,
    pub original_start: u32,
    pub original_end: u32,
}

impl Segment {
    fn is_linear(&self) -> bool {
        self.text_end - self.text_start == self.original_end - self.original_start
    }
}

/// One transcript cue: where its words are in the text, its times, its speaker, and its bytes in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cue {
    pub text_start: u32,
    pub text_end: u32,
    /// Start and end in milliseconds.
    pub start_ms: u64,
    pub end_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// The cue's text lines in the original file.
    pub original_start: u32,
    pub original_end: u32,
}

impl Cue {
    /// `00:03:12 · Minister`, or just the time without a speaker.
    pub fn label(&self) -> String {
        let time = timestamp(self.start_ms);
        match &self.speaker {
            Some(speaker) => format!("{time} · {speaker}"),
            None => time,
        }
    }
}

/// `hh:mm:ss` of a time in milliseconds.
pub fn timestamp(ms: u64) -> String {
    let seconds = ms / 1000;
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        (seconds / 60) % 60,
        seconds % 60
    )
}

/// Text offsets → original byte offsets, plus the page of each stretch of a PDF and the cues of a transcript.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffsetMap {
    /// Sorted by text offset, not overlapping; the text between two segments (inserted separators) maps to the
    /// end of the segment before it.
    pub segments: Vec<Segment>,
    /// `(text offset, page number from 1)`: the page starting at that offset.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub pages: Vec<(u32, u32)>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cues: Vec<Cue>,
}

impl OffsetMap {
    /// The map of a text that is its own original.
    pub fn identity(len: usize) -> OffsetMap {
        let len = clamp(len);
        OffsetMap {
            segments: vec![Segment {
                text_start: 0,
                text_end: len,
                original_start: 0,
                original_end: len,
            }],
            ..OffsetMap::default()
        }
    }

    /// The original byte offset of a text offset (the start of whatever produced it).
    pub fn original(&self, offset: usize) -> usize {
        let offset = clamp(offset);
        let index = self.segments.partition_point(|s| s.text_end <= offset);
        match self.segments.get(index) {
            Some(segment) if segment.text_start <= offset => {
                if segment.is_linear() {
                    (segment.original_start + (offset - segment.text_start)) as usize
                } else {
                    segment.original_start as usize
                }
            }
            _ => index
                .checked_sub(1)
                .and_then(|i| self.segments.get(i))
                .map_or(0, |s| s.original_end as usize),
        }
    }

    /// The original bytes of a text range: from where its first byte came from to where its last byte ends.
    pub fn original_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.original(range.start);
        if range.end <= range.start {
            return start..start;
        }
        let last = clamp(range.end - 1);
        let index = self.segments.partition_point(|s| s.text_end <= last);
        let end = match self.segments.get(index) {
            Some(segment) if segment.text_start <= last => {
                if segment.is_linear() {
                    (segment.original_start + (last - segment.text_start) + 1) as usize
                } else {
                    segment.original_end as usize
                }
            }
            _ => self.original(range.end),
        };
        start..end.max(start)
    }

    /// The page (from 1) holding a text offset, for PDFs.
    pub fn page_at(&self, offset: usize) -> Option<u32> {
        let offset = clamp(offset);
        let index = self.pages.partition_point(|&(start, _)| start <= offset);
        index.checked_sub(1).map(|i| self.pages[i].1)
    }

    /// The cue holding a text offset (or the last cue before it), for transcripts.
    pub fn cue_at(&self, offset: usize) -> Option<&Cue> {
        let offset = clamp(offset);
        let index = self.cues.partition_point(|cue| cue.text_start <= offset);
        index.checked_sub(1).map(|i| &self.cues[i])
    }

    /// Where a text range is, in words: `p. 3`, `00:03:12 · Minister`; `None` for formats without pages or
    /// cues.
    pub fn locator(&self, range: Range<usize>) -> Option<String> {
        if let Some(cue) = self.cue_at(range.start) {
            return Some(cue.label());
        }
        let first = self.page_at(range.start)?;
        let last = self.page_at(range.end.saturating_sub(1).max(range.start))?;
        Some(if last > first {
            format!("pp. {first}–{last}")
        } else {
            format!("p. {first}")
        })
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.segments.capacity() * std::mem::size_of::<Segment>()
            + self.pages.capacity() * 8
            + self
                .cues
                .iter()
                .map(|c| {
                    std::mem::size_of::<Cue>() + c.speaker.as_ref().map_or(0, String::capacity)
                })
                .sum::<usize>()
    }
}

/// Offsets in text decoded with `String::from_utf8_lossy` → offsets in the bytes it was decoded from. Each
/// maximal invalid sequence (1–3 bytes) became one U+FFFD (3 bytes), so every offset after the first one is
/// shifted; the map of a parser that worked on the decoded text is put right with [`OffsetMap::undo_lossy`].
#[derive(Debug)]
pub struct LossyDecoding {
    /// In order: `(decoded start, original start, decoded length, original length, replaced)`.
    chunks: Vec<(u32, u32, u32, u32, bool)>,
}

impl LossyDecoding {
    pub fn of(bytes: &[u8]) -> LossyDecoding {
        let mut chunks = Vec::new();
        let (mut decoded, mut original) = (0u32, 0u32);
        for chunk in bytes.utf8_chunks() {
            let valid = clamp(chunk.valid().len());
            if valid > 0 {
                chunks.push((decoded, original, valid, valid, false));
                decoded = decoded.saturating_add(valid);
                original = original.saturating_add(valid);
            }
            let invalid = clamp(chunk.invalid().len());
            if invalid > 0 {
                let replacement = clamp(char::REPLACEMENT_CHARACTER.len_utf8());
                chunks.push((decoded, original, replacement, invalid, true));
                decoded = decoded.saturating_add(replacement);
                original = original.saturating_add(invalid);
            }
        }
        LossyDecoding { chunks }
    }

    /// The chunk holding a decoded offset (the last one for the end of the text).
    fn chunk(&self, decoded: u32) -> Option<&(u32, u32, u32, u32, bool)> {
        let index = self.chunks.partition_point(|c| c.0 + c.2 <= decoded);
        self.chunks.get(index).or(self.chunks.last())
    }

    /// The original offset of a decoded offset taken as a start (a replacement maps to its first byte).
    fn start(&self, decoded: u32) -> u32 {
        match self.chunk(decoded) {
            Some(&(d, o, dl, ol, replaced)) => {
                let within = decoded.saturating_sub(d).min(dl);
                if replaced {
                    if within >= dl {
                        o + ol
                    } else {
                        o
                    }
                } else {
                    o + within.min(ol)
                }
            }
            None => 0,
        }
    }

    /// The original offset of a decoded offset taken as an end (inside a replacement: past its last byte).
    fn end(&self, decoded: u32) -> u32 {
        match self.chunk(decoded) {
            Some(&(d, o, dl, ol, replaced)) => {
                let within = decoded.saturating_sub(d).min(dl);
                if replaced {
                    if within == 0 {
                        o
                    } else {
                        o + ol
                    }
                } else {
                    o + within.min(ol)
                }
            }
            None => 0,
        }
    }
}

impl OffsetMap {
    /// Puts right a map whose original offsets are `base` + offsets in the lossily decoded text: afterwards
    /// they are offsets in the original bytes (`base` + offsets in the bytes that were decoded). A copied
    /// stretch across a replaced byte is split there, so the text around it still maps byte for byte.
    pub fn undo_lossy(&mut self, decoding: &LossyDecoding, base: usize) {
        let base = clamp(base);
        let mut segments = Vec::with_capacity(self.segments.len());
        for segment in &self.segments {
            let from = segment.original_start.saturating_sub(base);
            let to = segment.original_end.saturating_sub(base);
            if !segment.is_linear() || from == to {
                segments.push(Segment {
                    original_start: base + decoding.start(from),
                    original_end: base + decoding.end(to).max(decoding.start(from)),
                    ..*segment
                });
                continue;
            }
            let first = decoding.chunks.partition_point(|c| c.0 + c.2 <= from);
            for &(d, o, dl, ol, replaced) in
                decoding.chunks[first..].iter().take_while(|c| c.0 < to)
            {
                let piece_start = from.max(d);
                let piece_end = to.min(d + dl);
                if piece_start >= piece_end {
                    continue;
                }
                let text_start = segment.text_start + (piece_start - from);
                let text_end = segment.text_start + (piece_end - from);
                let (original_start, original_end) = if replaced {
                    (o, o + ol)
                } else {
                    (o + (piece_start - d), o + (piece_end - d))
                };
                segments.push(Segment {
                    text_start,
                    text_end,
                    original_start: base + original_start,
                    original_end: base + original_end,
                });
            }
        }
        self.segments = segments;
        for cue in &mut self.cues {
            let from = cue.original_start.saturating_sub(base);
            let to = cue.original_end.saturating_sub(base);
            cue.original_start = base + decoding.start(from);
            cue.original_end = base + decoding.end(to).max(decoding.start(from));
        }
    }
}

fn clamp(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// What separates the next piece of text from the one before it. Stronger wins when several are pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Break {
    None,
    Space,
    Line,
    Paragraph,
}

/// Builds an extraction's text and map: pieces of text with their original ranges, white space collapsed,
/// breaks written only between two pieces (never leading or trailing, never doubled).
#[derive(Debug, Default)]
pub struct TextBuilder {
    text: String,
    map: OffsetMap,
    pending: Option<Break>,
}

impl TextBuilder {
    pub fn new() -> TextBuilder {
        TextBuilder::default()
    }

    /// The text so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The length of the text written so far (pending breaks not counted).
    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Asks for a break before the next piece (a space, a line break or a blank line).
    pub fn brk(&mut self, kind: Break) {
        if kind == Break::None {
            return;
        }
        self.pending = Some(self.pending.map_or(kind, |p| p.max(kind)));
    }

    /// Writes the pending break, if any, so the next piece starts after it. Returns the text offset.
    pub fn flush_break(&mut self) -> usize {
        if let Some(kind) = self.pending.take() {
            if !self.text.is_empty() {
                self.text.push_str(match kind {
                    Break::None => "",
                    Break::Space => " ",
                    Break::Line => "\n",
                    Break::Paragraph => "\n\n",
                });
            }
        }
        self.text.len()
    }

    /// Appends text copied from the original at `original_start` (same bytes): white space inside it
    /// collapses into breaks.
    pub fn push_copied(&mut self, piece: &str, original_start: usize) {
        let mut start = None;
        for (i, c) in piece.char_indices() {
            if c.is_whitespace() {
                if let Some(s) = start.take() {
                    self.push_run(&piece[s..i], original_start + s, original_start + i);
                }
                self.brk(Break::Space);
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            self.push_run(
                &piece[s..],
                original_start + s,
                original_start + piece.len(),
            );
        }
    }

    /// Appends text that stands for the original range as a whole (a decoded entity, a glyph): white space in
    /// it collapses into breaks.
    pub fn push_mapped(&mut self, piece: &str, original: Range<usize>) {
        if piece.len() == original.end.saturating_sub(original.start) {
            // Same length: map byte for byte when the text is the original's.
            let mut start = None;
            for (i, c) in piece.char_indices() {
                if c.is_whitespace() {
                    if let Some(s) = start.take() {
                        self.push_whole(&piece[s..i], original.clone());
                    }
                    self.brk(Break::Space);
                } else if start.is_none() {
                    start = Some(i);
                }
            }
            if let Some(s) = start {
                self.push_whole(&piece[s..], original);
            }
            return;
        }
        let words: Vec<&str> = piece.split_whitespace().collect();
        if piece.starts_with(char::is_whitespace) {
            self.brk(Break::Space);
        }
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                self.brk(Break::Space);
            }
            self.push_whole(word, original.clone());
        }
        if piece.ends_with(char::is_whitespace) {
            self.brk(Break::Space);
        }
    }

    /// Appends text with no place in the original file (a PDF's glyphs): white space collapses into breaks;
    /// the text maps to wherever the text before it does.
    pub fn push_unmapped(&mut self, piece: &str) {
        if piece.starts_with(char::is_whitespace) {
            self.brk(Break::Space);
        }
        for (i, word) in piece.split_whitespace().enumerate() {
            if i > 0 {
                self.brk(Break::Space);
            }
            self.flush_break();
            self.text.push_str(word);
        }
        if piece.ends_with(char::is_whitespace) {
            self.brk(Break::Space);
        }
    }

    /// Appends a run without white space copied byte for byte.
    fn push_run(&mut self, run: &str, original_start: usize, original_end: usize) {
        let at = self.flush_break();
        self.text.push_str(run);
        self.add_segment(at, self.text.len(), original_start, original_end);
    }

    /// Appends a run without white space that maps to `original` as a whole.
    fn push_whole(&mut self, run: &str, original: Range<usize>) {
        if run.is_empty() {
            return;
        }
        let at = self.flush_break();
        self.text.push_str(run);
        let end = self.text.len();
        let (o_start, o_end) = (original.start, original.end.max(original.start));
        if o_end - o_start == end - at {
            self.add_segment(at, end, o_start, o_end);
        } else {
            // Not byte for byte: keep it a segment of its own so it never merges into a linear one.
            self.map.segments.push(Segment {
                text_start: clamp(at),
                text_end: clamp(end),
                original_start: clamp(o_start),
                original_end: clamp(o_end),
            });
        }
    }

    fn add_segment(&mut self, text_start: usize, text_end: usize, o_start: usize, o_end: usize) {
        let (text_start, text_end, o_start, o_end) = (
            clamp(text_start),
            clamp(text_end),
            clamp(o_start),
            clamp(o_end),
        );
        if let Some(last) = self.map.segments.last_mut() {
            if last.is_linear() && last.text_end == text_start && last.original_end == o_start {
                last.text_end = text_end;
                last.original_end = o_end;
                return;
            }
        }
        self.map.segments.push(Segment {
            text_start,
            text_end,
            original_start: o_start,
            original_end: o_end,
        });
    }

    /// Marks that the page `page` (from 1) starts at the next piece.
    pub fn start_page(&mut self, page: u32) {
        let pending = match (self.pending, self.text.is_empty()) {
            (_, true) | (None, _) | (Some(Break::None), _) => 0,
            (Some(Break::Space | Break::Line), false) => 1,
            (Some(Break::Paragraph), false) => 2,
        };
        let at = clamp(self.text.len() + pending);
        match self.map.pages.last_mut() {
            Some(last) if last.0 >= at => last.1 = page,
            _ => self.map.pages.push((at, page)),
        }
    }

    /// Records a cue (its text range must already be written).
    pub fn push_cue(&mut self, cue: super::Cue) {
        self.map.cues.push(cue);
    }

    /// The finished text and map; pending breaks are dropped.
    pub fn finish(mut self) -> (String, OffsetMap) {
        let len = clamp(self.text.len());
        for page in &mut self.map.pages {
            page.0 = page.0.min(len);
        }
        (self.text, self.map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_white_space_and_maps_back() {
        let original = "  Hello   <b>big</b>\n world ";
        let mut b = TextBuilder::new();
        b.push_copied(&original[..10], 0);
        b.push_copied("big", 13);
        b.push_copied(&original[20..], 20);
        let (text, map) = b.finish();
        assert_eq!(text, "Hello big world");
        assert_eq!(map.original(0), 2);
        assert_eq!(map.original(6), 13);
        assert_eq!(&original[map.original_range(10..15)], "world");
        assert_eq!(&original[map.original_range(0..9)], "Hello   <b>big");
    }

    #[test]
    fn entities_map_to_their_whole_source() {
        let original = "a &ldquo;b";
        let mut b = TextBuilder::new();
        b.push_copied("a ", 0);
        b.push_mapped("\u{201c}", 2..9);
        b.push_copied("b", 9);
        let (text, map) = b.finish();
        assert_eq!(text, "a \u{201c}b");
        assert_eq!(map.original_range(2..5), 2..9);
        assert_eq!(&original[map.original_range(2..6)], "&ldquo;b");
    }

    #[test]
    fn breaks_only_between_pieces() {
        let mut b = TextBuilder::new();
        b.brk(Break::Paragraph);
        b.push_copied("one", 0);
        b.brk(Break::Space);
        b.brk(Break::Line);
        b.push_copied("two", 10);
        b.brk(Break::Paragraph);
        b.start_page(2);
        b.push_copied("three", 20);
        b.brk(Break::Paragraph);
        let (text, map) = b.finish();
        assert_eq!(text, "one\ntwo\n\nthree");
        assert_eq!(map.page_at(9), Some(2));
        assert_eq!(map.page_at(0), None);
    }
}
