//! How a corpus holds its big arrays: owned vectors, or slices of shared bytes (a memory-mapped snapshot)
//! borrowed without copying; a source's text that derefs to `str`; word positions in ~1 byte per word.
//!
//! Borrowed slices are checked (bounds, alignment, UTF-8) when read, never trusted: a damaged snapshot gives
//! empty or wrong data, never a panic.

use std::borrow::Cow;
use std::fmt;
use std::ops::{Deref, Range};
use std::sync::{Arc, OnceLock};

/// Bytes shared by many sources (a memory-mapped snapshot, a buffer), kept alive by every borrower.
pub type SharedBytes = Arc<dyn Bytes>;

/// What a corpus borrows its arrays from. Bytes that can also be read by copying ([`Bytes::read_at`]: a
/// snapshot file beside its memory map) are copied where a check reads much and keeps little (every candidate
/// source's words): a page read through a memory map stays resident, and counts in the server's memory, until
/// someone lets go of it; a copy is freed when the check is done.
pub trait Bytes: AsRef<[u8]> + Send + Sync {
    /// Copies the bytes at `offset` into `buffer`, without touching the memory map; false when these bytes
    /// cannot be read so (the caller then borrows them).
    fn read_at(&self, offset: usize, buffer: &mut [u8]) -> bool {
        let _ = (offset, buffer);
        false
    }
}

impl Bytes for Vec<u8> {}

pub(crate) fn bytes_of(shared: &SharedBytes) -> &[u8] {
    AsRef::<[u8]>::as_ref(&**shared)
}

/// An array owned by the corpus, or `len` values borrowed from shared bytes at byte offset `start`.
#[derive(Clone)]
pub(crate) enum Stored<T> {
    Owned(Vec<T>),
    Shared {
        bytes: SharedBytes,
        start: usize,
        len: usize,
    },
}

impl<T: bytemuck::Pod> Stored<T> {
    /// `len` values at byte offset `start` of `bytes`, if they are in bounds and aligned.
    pub(crate) fn shared(bytes: &SharedBytes, start: usize, len: usize) -> Option<Stored<T>> {
        let end = len
            .checked_mul(size_of::<T>())
            .and_then(|n| n.checked_add(start))?;
        let raw = bytes_of(bytes).get(start..end)?;
        bytemuck::try_cast_slice::<u8, T>(raw).ok()?;
        Some(Stored::Shared {
            bytes: bytes.clone(),
            start,
            len,
        })
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        match self {
            Stored::Owned(values) => values,
            Stored::Shared { bytes, start, len } => bytes_of(bytes)
                .get(*start..start.saturating_add(len.saturating_mul(size_of::<T>())))
                .and_then(|raw| bytemuck::try_cast_slice(raw).ok())
                .unwrap_or(&[]),
        }
    }

    /// The values, copied out of the shared bytes when they can be read that way ([`Bytes::read_at`]), else
    /// borrowed: for values a check reads once and drops.
    pub(crate) fn read(&self) -> Cow<'_, [T]> {
        let slice = self.as_slice();
        if let Stored::Shared { bytes, start, .. } = self {
            if !slice.is_empty() {
                let mut values = vec![T::zeroed(); slice.len()];
                if bytes.read_at(*start, bytemuck::cast_slice_mut(&mut values)) {
                    return Cow::Owned(values);
                }
            }
        }
        Cow::Borrowed(slice)
    }

    /// The shared bytes and the byte range of them these values lie in (`None` when owned).
    fn place(&self) -> Option<(&SharedBytes, Range<usize>)> {
        match self {
            Stored::Shared { bytes, start, len } => {
                Some((bytes, *start..start + len * size_of::<T>()))
            }
            Stored::Owned(_) => None,
        }
    }

    /// Heap bytes owned (borrowed bytes belong to the snapshot).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Stored::Owned(values) => values.capacity() * size_of::<T>(),
            Stored::Shared { .. } => 0,
        }
    }
}

impl<T> Default for Stored<T> {
    fn default() -> Self {
        Stored::Owned(Vec::new())
    }
}

/// A source's text: owned, or borrowed from a snapshot (checked to be UTF-8 on first use; text that is not
/// reads as empty).
#[derive(Clone)]
pub struct SourceText(Text);

#[derive(Clone)]
enum Text {
    Owned(String),
    Shared {
        bytes: SharedBytes,
        start: usize,
        len: usize,
        valid: OnceLock<bool>,
    },
    /// Written out while loading, at this offset of the snapshot's texts; reads as empty until restored.
    Spilled {
        start: usize,
        len: usize,
    },
}

impl SourceText {
    /// `len` bytes at offset `start` of `bytes` (`None` when out of bounds).
    pub(crate) fn shared(bytes: &SharedBytes, start: usize, len: usize) -> Option<SourceText> {
        bytes_of(bytes).get(start..start.checked_add(len)?)?;
        Some(SourceText(Text::Shared {
            bytes: bytes.clone(),
            start,
            len,
            valid: OnceLock::new(),
        }))
    }

    /// A text written out at `start` of a snapshot's texts area (see [`Text::Spilled`]).
    pub(crate) fn spilled(start: usize, len: usize) -> SourceText {
        SourceText(Text::Spilled { start, len })
    }

    /// Where a spilled text was written.
    pub(crate) fn spilled_at(&self) -> Option<usize> {
        match self.0 {
            Text::Spilled { start, .. } => Some(start),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Text::Owned(text) => text,
            Text::Spilled { .. } => "",
            Text::Shared { valid, .. } => {
                let raw = self.raw();
                if *valid.get_or_init(|| std::str::from_utf8(raw).is_ok()) {
                    std::str::from_utf8(raw).unwrap_or_default()
                } else {
                    ""
                }
            }
        }
    }

    /// Length in bytes (without the UTF-8 check of a borrowed text, so without reading it).
    pub fn len(&self) -> usize {
        match &self.0 {
            Text::Owned(text) => text.len(),
            Text::Shared { len, .. } | Text::Spilled { len, .. } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The raw bytes (for hashing without the UTF-8 check).
    pub(crate) fn raw(&self) -> &[u8] {
        match &self.0 {
            Text::Owned(text) => text.as_bytes(),
            Text::Shared {
                bytes, start, len, ..
            } => bytes_of(bytes).get(*start..start + len).unwrap_or_default(),
            Text::Spilled { .. } => &[],
        }
    }

    /// The raw bytes of `range` of the text (empty when out of bounds), copied out of the shared bytes when
    /// they can be read that way ([`Bytes::read_at`]), else borrowed: for a check that reads a little of
    /// many sources' texts.
    pub(crate) fn read_range(&self, range: Range<usize>) -> Cow<'_, [u8]> {
        if let Text::Shared {
            bytes, start, len, ..
        } = &self.0
        {
            if range.start < range.end && range.end <= *len {
                let mut buffer = vec![0u8; range.len()];
                if bytes.read_at(start + range.start, &mut buffer) {
                    return Cow::Owned(buffer);
                }
            }
        }
        Cow::Borrowed(self.raw().get(range).unwrap_or_default())
    }

    pub fn into_string(self) -> String {
        match self.0 {
            Text::Owned(text) => text,
            _ => self.as_str().to_string(),
        }
    }

    /// Heap bytes owned (a borrowed text belongs to the snapshot).
    pub fn heap_bytes(&self) -> usize {
        match &self.0 {
            Text::Owned(text) => text.capacity(),
            _ => 0,
        }
    }
}

impl Deref for SourceText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SourceText {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for SourceText {
    fn from(text: String) -> Self {
        SourceText(Text::Owned(text))
    }
}

impl From<&str> for SourceText {
    fn from(text: &str) -> Self {
        SourceText(Text::Owned(text.to_string()))
    }
}

impl PartialEq for SourceText {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl fmt::Debug for SourceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for SourceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A source's term ids and word positions, copied out of the shared bytes in one read where they lie
/// together there (a snapshot writes each source's term ids, checkpoints, long gaps and deltas in a row), else
/// as [`Stored::read`] and [`Positions::read`] read them: for a check that reads both for many sources once.
pub(crate) fn read_words<'a>(
    terms: &'a Stored<u32>,
    positions: &'a Positions,
) -> (Cow<'a, [u32]>, Positions) {
    let parts = [
        terms.place(),
        positions.checkpoints.place(),
        positions.far.place(),
        positions.deltas.place(),
    ];
    if let [Some((bytes, t)), Some((_, c)), Some((_, f)), Some((_, d))] = &parts {
        let same = parts
            .iter()
            .flatten()
            .all(|(other, _)| std::ptr::addr_eq(Arc::as_ptr(bytes), Arc::as_ptr(other)));
        let low = t.start.min(c.start).min(f.start).min(d.start);
        let high = t.end.max(c.end).max(f.end).max(d.end);
        // Together: nothing but padding between them.
        let together = high - low <= t.len() + c.len() + f.len() + d.len() + 16;
        if same && together && low % 4 == 0 {
            let mut buffer = vec![0u32; (high - low).div_ceil(4)];
            if bytes.read_at(low, bytemuck::cast_slice_mut(&mut buffer)) {
                let raw: &[u8] = bytemuck::cast_slice(&buffer);
                let words = |range: &Range<usize>| -> Vec<u32> {
                    raw.get(range.start - low..range.end - low)
                        .and_then(|b| bytemuck::try_cast_slice(b).ok())
                        .map(<[u32]>::to_vec)
                        .unwrap_or_default()
                };
                let deltas = raw.get(d.start - low..d.end - low).unwrap_or_default();
                return (
                    Cow::Owned(words(t)),
                    Positions {
                        deltas: Stored::Owned(deltas.to_vec()),
                        checkpoints: Stored::Owned(words(c)),
                        far: Stored::Owned(words(f)),
                    },
                );
            }
        }
    }
    (terms.read(), positions.read())
}

/// Words per checkpoint: a word's start is its block's checkpoint plus at most 63 one-byte deltas.
pub(crate) const BLOCK: usize = 64;
/// A delta that does not fit a byte: the start is in `far` instead.
const FAR: u8 = u8::MAX;

/// The byte start of every word of a source, in about one byte per word: an absolute start every [`BLOCK`]
/// words, one-byte deltas between, and the rare longer gaps (code blocks, tables) as (word, start) pairs.
#[derive(Clone, Default)]
pub(crate) struct Positions {
    pub(crate) deltas: Stored<u8>,
    pub(crate) checkpoints: Stored<u32>,
    /// Pairs (word index, start), sorted by word index.
    pub(crate) far: Stored<u32>,
}

impl Positions {
    /// The byte start of word `index`.
    pub(crate) fn get(&self, index: usize) -> Option<u32> {
        let deltas = self.deltas.as_slice();
        if index >= deltas.len() {
            return None;
        }
        let block = index / BLOCK;
        let mut start = *self.checkpoints.as_slice().get(block)?;
        let first = block * BLOCK + 1;
        for (word, &delta) in (first..).zip(&deltas[first.min(index + 1)..=index]) {
            start = match delta {
                FAR => self.far_start(word).unwrap_or(start),
                delta => start.saturating_add(u32::from(delta)),
            };
        }
        Some(start)
    }

    fn far_start(&self, word: usize) -> Option<u32> {
        let far = self.far.as_slice();
        let pairs = far.len() / 2;
        let (mut low, mut high) = (0, pairs);
        while low < high {
            let middle = (low + high) / 2;
            match (far[2 * middle] as usize).cmp(&word) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(far[2 * middle + 1]),
            }
        }
        None
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.deltas.heap_bytes() + self.checkpoints.heap_bytes() + self.far.heap_bytes()
    }

    /// These positions copied out of the shared bytes where they can be read that way ([`Stored::read`]):
    /// for a check that looks up many words of many sources once.
    pub(crate) fn read(&self) -> Positions {
        let owned = |stored: &Stored<u32>| Stored::Owned(stored.read().into_owned());
        Positions {
            deltas: Stored::Owned(self.deltas.read().into_owned()),
            checkpoints: owned(&self.checkpoints),
            far: owned(&self.far),
        }
    }
}

/// Builds [`Positions`] from increasing word starts.
#[derive(Default)]
pub(crate) struct PositionsBuilder {
    deltas: Vec<u8>,
    checkpoints: Vec<u32>,
    far: Vec<u32>,
    previous: u32,
}

impl PositionsBuilder {
    pub(crate) fn with_capacity(words: usize) -> PositionsBuilder {
        PositionsBuilder {
            deltas: Vec::with_capacity(words),
            checkpoints: Vec::with_capacity(words / BLOCK + 1),
            ..PositionsBuilder::default()
        }
    }

    pub(crate) fn push(&mut self, start: u32) {
        let index = self.deltas.len();
        if index % BLOCK == 0 {
            self.checkpoints.push(start);
            self.deltas.push(0);
        } else {
            match start.checked_sub(self.previous) {
                Some(delta) if delta < u32::from(FAR) => self.deltas.push(delta as u8),
                _ => {
                    self.deltas.push(FAR);
                    self.far.extend([index as u32, start]);
                }
            }
        }
        self.previous = start;
    }

    pub(crate) fn finish(mut self) -> Positions {
        self.deltas.shrink_to_fit();
        self.checkpoints.shrink_to_fit();
        self.far.shrink_to_fit();
        Positions {
            deltas: Stored::Owned(self.deltas),
            checkpoints: Stored::Owned(self.checkpoints),
            far: Stored::Owned(self.far),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_with_long_gaps() {
        let mut starts = Vec::new();
        let mut at = 0u32;
        for i in 0..1000u32 {
            at += match i % 97 {
                0 => 70_000,
                13 => 255,
                14 => 254,
                _ => 1 + i % 9,
            };
            starts.push(at);
        }
        let mut builder = PositionsBuilder::with_capacity(starts.len());
        for &start in &starts {
            builder.push(start);
        }
        let positions = builder.finish();
        for (index, &start) in starts.iter().enumerate() {
            assert_eq!(positions.get(index), Some(start), "word {index}");
        }
        assert_eq!(positions.get(starts.len()), None);
    }

    #[test]
    fn shared_slices_are_checked() {
        let bytes: SharedBytes = Arc::new(vec![0u8; 16]);
        assert!(Stored::<u8>::shared(&bytes, 4, 12).is_some());
        assert!(Stored::<u8>::shared(&bytes, 4, 13).is_none());
        assert!(Stored::<u32>::shared(&bytes, 0, usize::MAX).is_none());
        let text: SharedBytes = Arc::new(b"ok \xFF".to_vec());
        assert_eq!(SourceText::shared(&text, 0, 2).unwrap().as_str(), "ok");
        assert_eq!(SourceText::shared(&text, 0, 4).unwrap().as_str(), "");
        assert!(SourceText::shared(&text, 2, 3).is_none());
    }
}
