//! Snapshots of a corpus as bytes, so a large workspace starts warm: term table, postings and every source's
//! text, words and positions, laid out as aligned flat arrays that are borrowed in place from a memory map
//! (restoring copies only the term table, the frequencies, the keys and the titles). Pure: the caller writes
//! the bytes where it likes and hands back shared bytes to restore.
//!
//! Layout (little-endian, sections 8-byte aligned): a 128-byte header (magic, layout, counts, section
//! offsets); the texts of all sources (first, so that a cold load can stream them there as it reads them,
//! [`Corpus::write_snapshot_after_texts`]); the *tables* (term hashes, document frequencies, posting offsets,
//! one fixed record per source with its key, title, file stamp and content hash, a blob of keys and titles),
//! checked on restore; the *data* (posting ids, then every source's term ids and positions); a trailer with
//! the checksums of the tables, the data and the texts. The texts' and data's checksums are not checked on
//! restore, which would read them all: the caller checks them later, off the critical path, by reading the
//! file ([`Corpus::snapshot_data`], [`checksum`](crate::engine::hash::checksum)) rather than the memory map. A source is restored when the
//! caller's [`FileStamp`] of its file (size, modification time) equals the recorded one; its content hash is
//! checked later too ([`Corpus::stale_sources`]).

use std::collections::HashMap;
use std::io::{self, Write};

use rayon::prelude::*;

use super::{Corpus, Entry, FileStamp, Postings, Source, SourceId};
use crate::engine::attribution::SpeakerLabels;
use crate::engine::hash::{digest, Checksum, DataChecksum, FastMap};
use crate::engine::metadata::SourceMetadata;
use crate::engine::store::{bytes_of, Bytes, Positions, SharedBytes, SourceText, Stored};
use crate::engine::TextFormat;

const MAGIC: &[u8; 16] = b"verbatim-index\0\0";
/// Bump when tokenization, normalization or the layout changes: old snapshots are then ignored.
const LAYOUT: u32 = 3;
const HEADER: usize = 128;
/// u64 fields per source record (see `Record`).
const RECORD: usize = 27;
const NONE: u64 = u64::MAX;
const TRAILER: usize = 24;
/// Bytes before a snapshot's texts (the room [`Corpus::write_snapshot_after_texts`] expects).
pub const SNAPSHOT_HEADER: usize = HEADER;

/// Writes through, hashing what passes.
struct Hashing<'a, W: Write> {
    out: &'a mut W,
    hasher: Checksum,
}

impl<W: Write> Hashing<'_, W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hasher.update(bytes);
        self.out.write_all(bytes)
    }
}

fn pad(length: usize) -> usize {
    length.div_ceil(8) * 8
}

/// Where one source's words lie in the file (absolute byte offsets).
struct WordsPlace {
    terms: usize,
    checkpoints: usize,
    far: usize,
    deltas: usize,
    end: usize,
}

fn words_place(at: usize, entry: &Entry) -> WordsPlace {
    let terms = at;
    let checkpoints = terms + entry.terms.as_slice().len() * 4;
    let far = checkpoints + entry.positions.checkpoints.as_slice().len() * 4;
    let deltas = far + entry.positions.far.as_slice().len() * 4;
    let end = (deltas + entry.positions.deltas.as_slice().len()).div_ceil(4) * 4;
    WordsPlace {
        terms,
        checkpoints,
        far,
        deltas,
        end,
    }
}

/// A snapshot's texts area written ahead of the rest (see [`Corpus::write_snapshot_after_texts`]): its length
/// and checksum.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpilledTexts {
    pub length: usize,
    pub checksum: u64,
}

impl Corpus {
    /// Whether the corpus changed since it was last saved or restored.
    pub fn is_saved(&self) -> bool {
        self.saved_generation == Some(self.generation)
    }

    /// Records that the snapshot taken at `generation` was saved (ignored if the corpus changed since).
    pub fn mark_saved_at(&mut self, generation: u64) {
        if self.generation == generation {
            self.saved_generation = Some(generation);
        }
    }

    /// The corpus as bytes (see the module docs), in memory; [`Corpus::write_snapshot`] streams them. Empty
    /// when the corpus cannot be laid out (over 2³² postings).
    pub fn snapshot(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.write_snapshot(&mut out) {
            Ok(_) => out,
            Err(_) => Vec::new(),
        }
    }

    /// Writes the snapshot (see the module docs) to `out`, holding only the tables in memory; returns the
    /// bytes written.
    pub fn write_snapshot(&self, out: &mut impl Write) -> io::Result<u64> {
        self.write_parts(out, None).map(|(_, length)| length)
    }

    /// Writes the snapshot of a corpus whose texts were spilled while loading
    /// ([`PreparedSource::spill_text`](super::PreparedSource::spill_text)): `out` already holds
    /// [`SNAPSHOT_HEADER`] bytes of room, then exactly `texts.length` bytes (each spilled text at the offset it
    /// was given); this writes the rest and returns the header to write over the room at the start, and the
    /// snapshot's length.
    pub fn write_snapshot_after_texts(
        &self,
        out: &mut impl Write,
        texts: SpilledTexts,
    ) -> io::Result<(Vec<u8>, u64)> {
        self.write_parts(out, Some(texts))
    }

    fn write_parts(
        &self,
        out: &mut impl Write,
        spilled: Option<SpilledTexts>,
    ) -> io::Result<(Vec<u8>, u64)> {
        let live: Vec<(SourceId, &Entry)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(id, e)| e.as_ref().map(|e| (id as SourceId, e)))
            .collect();
        // Live sources are renumbered 0.. in order; postings are written without tombstones.
        let mut renumber = vec![NONE as u32; self.entries.len()];
        for (new, (id, _)) in live.iter().enumerate() {
            renumber[*id as usize] = new as u32;
        }
        let terms = self.term_ids.len();
        let mut hashes = vec![0u64; terms];
        for (&hash, &id) in &self.term_ids {
            hashes[id as usize] = hash;
        }
        let list = |term: u32| {
            let (base, extra) = self.postings.lists(term);
            base.iter()
                .chain(extra)
                .filter_map(|&id| renumber.get(id as usize).copied())
                .filter(|&id| id != NONE as u32)
        };
        let mut offsets = Vec::with_capacity(terms + 1);
        offsets.push(0u32);
        let mut total = 0usize;
        for term in 0..terms as u32 {
            total += list(term).count();
            offsets.push(u32::try_from(total).map_err(|_| io::ErrorKind::FileTooLarge)?);
        }
        let texts_length = match spilled {
            Some(texts) => texts.length,
            None => live.iter().map(|(_, e)| e.source.text.raw().len()).sum(),
        };
        let mut strings: Vec<u8> = Vec::new();
        let mut put_string = |value: Option<&str>| -> [u64; 2] {
            match value {
                None => [0, NONE],
                Some(value) => {
                    let at = strings.len() as u64;
                    strings.extend_from_slice(value.as_bytes());
                    [at, value.len() as u64]
                }
            }
        };
        let frequency_start = HEADER + pad(texts_length) + terms * 8;
        let offsets_start = frequency_start + pad(terms * 4);
        let records_start = offsets_start + pad((terms + 1) * 4);
        let strings_start = records_start + live.len() * RECORD * 8;
        let mut records: Vec<u64> = Vec::with_capacity(live.len() * RECORD);
        // Word offsets depend on the strings' length: records are made with offsets relative to the words
        // area, then shifted.
        let mut at = 0usize;
        let mut text_at = HEADER;
        for (_, entry) in &live {
            let source = &entry.source;
            let place = words_place(at, entry);
            at = place.end;
            // Inline, the texts are written as read (`raw`), so offsets and lengths follow those bytes.
            let (text, text_length) = match spilled {
                Some(_) => (
                    HEADER + source.text.spilled_at().unwrap_or(usize::MAX - HEADER),
                    source.text.len(),
                ),
                None => (text_at, source.text.raw().len()),
            };
            text_at += text_length;
            let metadata = &source.metadata;
            let format = match source.format {
                TextFormat::Markdown => 0,
                TextFormat::PlainText => 1,
            };
            records.push(1 | (format << 8));
            records.extend(put_string(Some(&source.key)));
            records.extend(put_string(Some(&metadata.title)));
            records.extend(put_string(metadata.date.as_deref()));
            records.extend(put_string(metadata.author.as_deref()));
            records.extend(put_string(metadata.url.as_deref()));
            let stamp = entry.stamp.map_or([NONE, NONE], |s| [s.size, s.modified]);
            records.extend([
                text as u64,
                text_length as u64,
                place.terms as u64,
                entry.terms.as_slice().len() as u64,
                place.checkpoints as u64,
                entry.positions.checkpoints.as_slice().len() as u64,
                place.far as u64,
                entry.positions.far.as_slice().len() as u64,
                place.deltas as u64,
                entry.positions.deltas.as_slice().len() as u64,
                stamp[0],
                stamp[1],
                entry.recorded.unwrap_or_else(|| digest(source.text.raw())),
                0,
            ]);
            records.extend(put_string(source.speakers.encoded().as_deref()));
        }
        let postings_start = strings_start + pad(strings.len());
        let words_start = postings_start + pad(total * 4);
        let file_length = words_start + pad(at) + TRAILER;
        for record in records.chunks_exact_mut(RECORD) {
            for field in [13, 15, 17, 19] {
                record[field] += words_start as u64;
            }
        }
        let mut header = Vec::with_capacity(HEADER);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&LAYOUT.to_le_bytes());
        header.extend_from_slice(&0x0102_0304u32.to_le_bytes());
        for value in [
            terms,
            live.len(),
            total,
            texts_length,
            frequency_start,
            offsets_start,
            records_start,
            strings_start,
            postings_start,
            words_start,
            file_length,
        ] {
            header.extend_from_slice(&(value as u64).to_le_bytes());
        }
        header.resize(HEADER, 0);
        let zeros = [0u8; 8];
        // The texts (unless spilled already), then the tables.
        let texts_hash = match spilled {
            Some(texts) => texts.checksum,
            None => {
                out.write_all(&header)?;
                let mut hasher = Checksum::new();
                for (_, entry) in &live {
                    let text = entry.source.text.raw();
                    hasher.update(text);
                    out.write_all(text)?;
                }
                hasher.digest()
            }
        };
        out.write_all(&zeros[..pad(texts_length) - texts_length])?;
        let mut tables = Hashing {
            out,
            hasher: Checksum::new(),
        };
        tables.put(bytemuck::cast_slice(&hashes))?;
        drop(hashes);
        let frequency: Vec<u32> = offsets.windows(2).map(|w| w[1] - w[0]).collect();
        tables.put(bytemuck::cast_slice(&frequency))?;
        drop(frequency);
        tables.put(&zeros[..pad(terms * 4) - terms * 4])?;
        tables.put(bytemuck::cast_slice(&offsets))?;
        tables.put(&zeros[..pad((terms + 1) * 4) - (terms + 1) * 4])?;
        tables.put(bytemuck::cast_slice(&records))?;
        drop(records);
        tables.put(&strings)?;
        tables.put(&zeros[..pad(strings.len()) - strings.len()])?;
        let tables_hash = tables.hasher.digest();
        // The data: posting ids, then each source's words and positions.
        let mut data = Hashing {
            out,
            hasher: Checksum::new(),
        };
        let mut buffer: Vec<u32> = Vec::new();
        for term in 0..terms as u32 {
            buffer.extend(list(term));
            if buffer.len() >= 1 << 16 {
                data.put(bytemuck::cast_slice(&buffer))?;
                buffer.clear();
            }
        }
        data.put(bytemuck::cast_slice(&buffer))?;
        data.put(&zeros[..pad(total * 4) - total * 4])?;
        for (_, entry) in &live {
            data.put(bytemuck::cast_slice(entry.terms.as_slice()))?;
            data.put(bytemuck::cast_slice(entry.positions.checkpoints.as_slice()))?;
            data.put(bytemuck::cast_slice(entry.positions.far.as_slice()))?;
            let deltas = entry.positions.deltas.as_slice();
            data.put(deltas)?;
            data.put(&zeros[..deltas.len().div_ceil(4) * 4 - deltas.len()])?;
        }
        data.put(&zeros[..pad(at) - at])?;
        let data_hash = data.hasher.digest();
        out.write_all(&tables_hash.to_le_bytes())?;
        out.write_all(&data_hash.to_le_bytes())?;
        out.write_all(&texts_hash.to_le_bytes())?;
        Ok((header, file_length as u64))
    }

    /// Rebuilds a corpus from a snapshot, borrowing its arrays from `bytes` (which should be 8-byte aligned,
    /// as a memory map is; other bytes are copied once). `current` maps the keys of the caller's sources to
    /// the stamps of their files: a source recorded with the same stamp (and format) is restored and its key
    /// taken out of the map; any other is dropped. What is left in `current` is new or changed and must be
    /// indexed by the caller. Restored sources are trusted until [`Corpus::stale_sources`] checks them.
    /// `Err` says why the bytes are not a usable snapshot (the caller then indexes everything).
    pub fn restore(
        bytes: SharedBytes,
        current: &mut HashMap<String, FileStamp>,
    ) -> Result<Corpus, String> {
        let mut corpus = Corpus::restore_unchecked(bytes)?;
        corpus.keep_unchanged(current);
        Ok(corpus)
    }

    /// [`Corpus::restore`] in two steps, so that the first can run while the caller is still taking the
    /// stamps of its files: every source with a recorded stamp is restored, then
    /// [`Corpus::keep_unchanged`] drops those whose stamp differs.
    pub fn restore_unchecked(bytes: SharedBytes) -> Result<Corpus, String> {
        let bytes: SharedBytes = if bytes_of(&bytes).as_ptr() as usize % 8 == 0 {
            bytes
        } else {
            std::sync::Arc::new(Aligned::copy(bytes_of(&bytes)))
        };
        let raw = bytes_of(&bytes);
        if raw.len() < HEADER || &raw[..16] != MAGIC {
            return Err("not a verbatim index snapshot".into());
        }
        let word = |at: usize| u64::from_le_bytes(raw[at..at + 8].try_into().unwrap_or_default());
        if u32::from_le_bytes([raw[16], raw[17], raw[18], raw[19]]) != LAYOUT {
            return Err("a snapshot of another version".into());
        }
        if raw[20..24] != 0x0102_0304u32.to_le_bytes() {
            return Err("a snapshot of another byte order".into());
        }
        let field = |index: usize| usize::try_from(word(24 + index * 8)).unwrap_or(usize::MAX);
        let (terms, entry_count, total, texts_length) = (field(0), field(1), field(2), field(3));
        let (frequency_start, offsets_start, records_start, strings_start) =
            (field(4), field(5), field(6), field(7));
        let (postings_start, words_start, file_length) = (field(8), field(9), field(10));
        if file_length != raw.len() {
            return Err(format!(
                "truncated or extended ({} bytes, {file_length} expected)",
                raw.len()
            ));
        }
        let bounded = [
            texts_length,
            frequency_start,
            offsets_start,
            records_start,
            strings_start,
            postings_start,
            words_start,
        ]
        .iter()
        .all(|&start| start <= file_length);
        let tables_start = HEADER + pad(texts_length);
        let consistent = bounded
            && terms < u32::MAX as usize
            && total < u32::MAX as usize
            && entry_count < u32::MAX as usize
            && Some(frequency_start) == terms.checked_mul(8).map(|n| n + tables_start)
            && Some(offsets_start) == terms.checked_mul(4).map(|n| frequency_start + pad(n))
            && Some(records_start) == (terms + 1).checked_mul(4).map(|n| offsets_start + pad(n))
            && Some(strings_start)
                == entry_count
                    .checked_mul(RECORD * 8)
                    .map(|n| records_start + n)
            && strings_start <= postings_start
            && Some(words_start) == total.checked_mul(4).map(|n| postings_start + pad(n))
            && words_start <= file_length - TRAILER;
        if !consistent {
            return Err("inconsistent section table".into());
        }
        let tables = &raw[tables_start..postings_start];
        if digest(tables) != word(file_length - TRAILER) {
            return Err("damaged (checksum of the tables)".into());
        }
        let hashes: &[u64] = bytemuck::try_cast_slice(&raw[tables_start..frequency_start])
            .map_err(|_| "misaligned term table".to_string())?;
        let frequency: &[u32] =
            bytemuck::try_cast_slice(&raw[frequency_start..frequency_start + terms * 4])
                .map_err(|_| "misaligned frequencies".to_string())?;
        let records: &[u64] = bytemuck::try_cast_slice(&raw[records_start..strings_start])
            .map_err(|_| "misaligned records".to_string())?;
        let strings = &raw[strings_start..postings_start];
        let offsets = Stored::<u32>::shared(&bytes, offsets_start, terms + 1)
            .ok_or("misaligned posting offsets")?;
        let offsets_valid = offsets.as_slice().first() == Some(&0)
            && offsets.as_slice().windows(2).all(|w| w[0] <= w[1])
            && offsets.as_slice().last() == Some(&(total as u32));
        if !offsets_valid {
            return Err("inconsistent posting offsets".into());
        }
        let ids =
            Stored::<u32>::shared(&bytes, postings_start, total).ok_or("misaligned postings")?;
        let data = vec![
            DataChecksum {
                range: HEADER..HEADER + texts_length,
                checksum: word(file_length - 8),
            },
            DataChecksum {
                range: postings_start..file_length - TRAILER,
                checksum: word(file_length - 16),
            },
        ];

        let mut term_ids: FastMap<u64, u32> = FastMap::default();
        term_ids.reserve(terms);
        for (id, &hash) in hashes.iter().enumerate() {
            term_ids.insert(hash, id as u32);
        }
        if term_ids.len() != terms {
            return Err("duplicate terms".into());
        }
        let mut corpus = Corpus::restored(
            term_ids,
            frequency.to_vec(),
            Postings {
                offsets,
                ids,
                extra: FastMap::default(),
            },
            data,
            entry_count,
        );
        let string = |offset: u64, length: u64| -> Result<Option<String>, String> {
            if length == NONE {
                return Ok(None);
            }
            let from = usize::try_from(offset).map_err(|e| e.to_string())?;
            let to = from
                .checked_add(usize::try_from(length).map_err(|e| e.to_string())?)
                .ok_or("bad string")?;
            let slice = strings.get(from..to).ok_or("string out of bounds")?;
            Ok(Some(
                std::str::from_utf8(slice)
                    .map_err(|_| "a string is not UTF-8")?
                    .to_string(),
            ))
        };
        let size = |value: u64| usize::try_from(value).unwrap_or(usize::MAX);
        // Sources are rebuilt in parallel (keys and titles are allocations), then registered in order.
        /// A source restored, or the term ids of one dropped (its frequencies are taken back).
        type Built = Result<Result<Entry, Stored<u32>>, String>;
        let built: Vec<Built> = records
            .par_chunks_exact(RECORD)
            .map(|record| {
                let key = string(record[1], record[2])?.ok_or("a source without key")?;
                let format = if record[0] >> 8 == 0 {
                    TextFormat::Markdown
                } else {
                    TextFormat::PlainText
                };
                let stamp = FileStamp {
                    size: record[21],
                    modified: record[22],
                };
                let trusted = record[21] != NONE && TextFormat::from_path(&key) == format;
                let terms = Stored::<u32>::shared(&bytes, size(record[13]), size(record[14]))
                    .ok_or("term ids out of bounds")?;
                if !trusted {
                    return Ok(Err(terms));
                }
                let text = SourceText::shared(&bytes, size(record[11]), size(record[12]))
                    .ok_or("text out of bounds")?;
                let positions = Positions {
                    checkpoints: Stored::shared(&bytes, size(record[15]), size(record[16]))
                        .ok_or("positions out of bounds")?,
                    far: Stored::shared(&bytes, size(record[17]), size(record[18]))
                        .ok_or("positions out of bounds")?,
                    deltas: Stored::shared(&bytes, size(record[19]), size(record[20]))
                        .ok_or("positions out of bounds")?,
                };
                let metadata = SourceMetadata {
                    title: string(record[3], record[4])?.unwrap_or_default(),
                    date: string(record[5], record[6])?,
                    author: string(record[7], record[8])?,
                    url: string(record[9], record[10])?,
                };
                let speakers = match string(record[25], record[26])? {
                    Some(encoded) => {
                        SpeakerLabels::decode(&encoded).ok_or("malformed speaker labels")?
                    }
                    None => SpeakerLabels::default(),
                };
                let entry = Entry {
                    source: Source {
                        key,
                        text,
                        format,
                        metadata,
                        speakers,
                    },
                    terms,
                    positions,
                    stamp: Some(stamp),
                    recorded: Some(record[23]),
                };
                Ok(Ok(entry))
            })
            .collect();
        let mut clean = true;
        for source in built {
            match source? {
                Ok(entry) => corpus.push_restored(entry),
                // Gone or changed since the snapshot: its postings become tombstones.
                Err(terms) => {
                    corpus.push_tombstone(terms.as_slice());
                    clean = false;
                }
            }
        }
        clean &= corpus.dead == 0;
        if clean {
            corpus.saved_generation = Some(corpus.generation);
        }
        Ok(corpus)
    }

    /// Keeps the restored sources whose key is in `current` with the stamp recorded for them, taking their
    /// keys out of `current`; drops the others (gone or changed: indexed again by the caller).
    pub fn keep_unchanged(&mut self, current: &mut HashMap<String, FileStamp>) {
        let mut dropped = Vec::new();
        for (id, entry) in self.entries.iter().enumerate() {
            let Some(entry) = entry else {
                continue;
            };
            match current.get(&entry.source.key) {
                Some(stamp) if entry.stamp == Some(*stamp) => {
                    current.remove(&entry.source.key);
                }
                _ => dropped.push(id),
            }
        }
        for id in dropped {
            self.remove_id(id as SourceId);
        }
    }

    /// The sources restored from a snapshot that must be indexed again: `hashes` gives, per key, the content
    /// hash ([`content_hash`](crate::engine::hash::content_hash)) of the source's file as read now (`None`: unreadable or gone); a source is
    /// stale when it differs from the hash recorded in the snapshot. When `data_intact` is false (the
    /// snapshot's data failed its checksum, see [`Corpus::snapshot_data`]) every restored source is stale.
    /// Sources indexed in this session (from a file or an open buffer) are never stale.
    pub fn stale_sources(
        &self,
        hashes: &[(String, Option<u64>)],
        data_intact: bool,
    ) -> Vec<String> {
        hashes
            .iter()
            .filter(|(key, hash)| {
                let recorded = self
                    .source_id(key)
                    .and_then(|id| self.entry(id))
                    .and_then(|entry| entry.recorded);
                recorded.is_some_and(|recorded| !data_intact || *hash != Some(recorded))
            })
            .map(|(key, _)| key.clone())
            .collect()
    }

    /// Where the data borrowed from a snapshot (texts; postings and words) lies in the snapshot's bytes and
    /// the checksums it must have (empty when nothing was restored from a snapshot).
    pub fn snapshot_data(&self) -> Vec<DataChecksum> {
        self.snapshot_data.clone()
    }
}

/// Bytes copied into 8-byte-aligned storage.
struct Aligned(Vec<u64>, usize);

impl Aligned {
    fn copy(bytes: &[u8]) -> Aligned {
        let mut words = vec![0u64; bytes.len().div_ceil(8)];
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..bytes.len()].copy_from_slice(bytes);
        Aligned(words, bytes.len())
    }
}

impl AsRef<[u8]> for Aligned {
    fn as_ref(&self) -> &[u8] {
        &bytemuck::cast_slice(&self.0)[..self.1]
    }
}

impl Bytes for Aligned {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::hash::{checksum, content_hash};
    use crate::engine::EngineSettings;
    use std::sync::Arc;

    const STAMP: FileStamp = FileStamp {
        size: 1,
        modified: 2,
    };

    fn stamps(keys: &[&str]) -> HashMap<String, FileStamp> {
        keys.iter().map(|k| (k.to_string(), STAMP)).collect()
    }

    fn shared(bytes: Vec<u8>) -> SharedBytes {
        Arc::new(bytes)
    }

    const SOURCES: [(&str, &str); 3] = [
        ("a.md", "The parties oppose the further expansion of NATO."),
        (
            "b.txt",
            "Moscow has consistently denied any aggressive intentions.",
        ),
        (
            "c.md",
            "A third source about the Winter Olympics in Beijing.",
        ),
    ];

    fn corpus() -> Corpus {
        let mut corpus = Corpus::new();
        for (key, text) in SOURCES {
            let prepared =
                Corpus::prepare_source(key, text.to_string(), TextFormat::from_path(key));
            corpus.insert_prepared(prepared.with_stamp(STAMP));
        }
        corpus.remove_source("c.md");
        corpus
    }

    /// Snapshot bytes that can also be read by copying (as a snapshot file beside its map), counting the
    /// copies.
    struct Copying(Vec<u8>, std::sync::atomic::AtomicUsize);

    impl AsRef<[u8]> for Copying {
        fn as_ref(&self) -> &[u8] {
            &self.0
        }
    }

    impl Bytes for Copying {
        fn read_at(&self, offset: usize, buffer: &mut [u8]) -> bool {
            let Some(bytes) = self.0.get(offset..offset + buffer.len()) else {
                return false;
            };
            buffer.copy_from_slice(bytes);
            self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            true
        }
    }

    #[test]
    fn words_copied_out_of_a_snapshot_file_are_the_words_borrowed() {
        let mut corpus = Corpus::new();
        let texts = [
            (
                "a.md",
                "The parties oppose the further expansion of NATO.\n\nA second paragraph, \
                      with “quoted words” and        a long gap."
                    .to_string(),
            ),
            // Past 255 bytes, a gap is kept aside (`Positions::far`).
            (
                "b.txt",
                (0..300)
                    .map(|i| {
                        format!(
                            "word{}{}",
                            i % 17,
                            if i == 150 {
                                " ".repeat(300)
                            } else {
                                " ".into()
                            }
                        )
                    })
                    .collect::<String>(),
            ),
        ];
        for (key, text) in &texts {
            let prepared = Corpus::prepare_source(key, text.clone(), TextFormat::from_path(key));
            corpus.insert_prepared(prepared.with_stamp(STAMP));
        }
        let bytes = corpus.snapshot();
        let borrowed = Corpus::restore(shared(bytes.clone()), &mut stamps(&["a.md", "b.txt"]))
            .expect("a snapshot");
        let copying = Arc::new(Copying(bytes, Default::default()));
        let copied =
            Corpus::restore(copying.clone(), &mut stamps(&["a.md", "b.txt"])).expect("a snapshot");
        for id in 0..2 {
            let (terms, positions) = copied.words_of(id);
            assert!(matches!(terms, std::borrow::Cow::Owned(_)));
            assert_eq!(*terms, *borrowed.terms(id));
            assert_eq!(*copied.terms(id), *borrowed.terms(id));
            for word in 0..=terms.len() {
                assert_eq!(
                    positions.get(word),
                    borrowed.entry(id).unwrap().positions.get(word)
                );
            }
            let all = 0..terms.len();
            assert_eq!(
                copied.paragraph_starts_at(id, &positions, all.clone()),
                borrowed.paragraph_starts(id, all)
            );
        }
        assert_eq!(borrowed.paragraph_starts(0, 0..20), [8]);
        assert!(copying.1.load(std::sync::atomic::Ordering::Relaxed) > 0);
        let settings = EngineSettings::default();
        let draft =
            "“The parties oppose the further expansion” and “a second paragraph with quoted words”";
        assert_eq!(
            copied.check_draft(draft, TextFormat::Markdown, &settings),
            borrowed.check_draft(draft, TextFormat::Markdown, &settings)
        );
    }

    #[test]
    fn restores_unchanged_sources_and_drops_changed_ones() {
        let corpus = corpus();
        let bytes = corpus.snapshot();
        let draft = "“The parties oppose the further expansion” and “has consistently denied any aggressive intentions”";
        let settings = EngineSettings::default();
        let before = corpus.check_draft(draft, TextFormat::Markdown, &settings);

        let mut current = stamps(&["a.md", "b.txt"]);
        let restored = Corpus::restore(shared(bytes.clone()), &mut current).expect("a snapshot");
        assert!(current.is_empty());
        assert!(restored.is_saved());
        for data in restored.snapshot_data() {
            assert_eq!(
                checksum(&mut &bytes[data.range.clone()], data.range.len()).unwrap(),
                data.checksum
            );
        }
        assert_eq!(
            restored.check_draft(draft, TextFormat::Markdown, &settings),
            before
        );
        let hashes: Vec<(String, Option<u64>)> = SOURCES[..2]
            .iter()
            .map(|(k, t)| (k.to_string(), Some(content_hash(t))))
            .collect();
        assert!(restored.stale_sources(&hashes, true).is_empty());
        assert_eq!(restored.stale_sources(&hashes, false).len(), 2);
        let changed = [hashes[0].clone(), ("b.txt".to_string(), Some(7))];
        assert_eq!(restored.stale_sources(&changed, true), ["b.txt"]);

        let mut current = stamps(&["a.md"]);
        current.insert(
            "b.txt".into(),
            FileStamp {
                size: 1,
                modified: 3,
            },
        );
        let mut restored = Corpus::restore(shared(bytes), &mut current).expect("a snapshot");
        assert_eq!(
            current.len(),
            1,
            "the changed source is left to index again"
        );
        assert_eq!(restored.len(), 1);
        restored.upsert_source("b.txt", "Moscow denied it.".into(), TextFormat::PlainText);
        let after = restored.check_draft(draft, TextFormat::Markdown, &settings);
        assert_eq!(after[0].verdict, before[0].verdict);
        assert_ne!(after[1].verdict, before[1].verdict);
    }

    #[test]
    fn speaker_labels_survive_a_warm_start() {
        let mut corpus = Corpus::new();
        let speakers = SpeakerLabels {
            spans: vec![
                (0..20, "Amara Okafor".into()),
                (21..40, "Tab\tin a name".into()),
            ],
        };
        let text = "We will not close it. The budget cannot carry it.";
        let prepared = Corpus::prepare_source("t.txt", text.into(), TextFormat::PlainText);
        corpus.insert_prepared(prepared.with_stamp(STAMP).with_speakers(speakers));
        let restored = Corpus::restore(shared(corpus.snapshot()), &mut stamps(&["t.txt"]))
            .expect("a snapshot");
        let id = restored.source_id("t.txt").expect("restored");
        let spans = &restored.source(id).unwrap().speakers.spans;
        assert_eq!(
            spans,
            &vec![
                (0..20, "Amara Okafor".to_string()),
                (21..40, "Tab in a name".to_string())
            ]
        );
    }

    #[test]
    fn a_restored_corpus_takes_new_sources_and_round_trips() {
        let mut current = stamps(&["a.md", "b.txt"]);
        let mut restored =
            Corpus::restore(shared(corpus().snapshot()), &mut current).expect("a snapshot");
        restored.upsert_source(
            "d.md",
            "Fresh words about expansion.".into(),
            TextFormat::Markdown,
        );
        let mut current = stamps(&["a.md", "b.txt"]);
        let again = Corpus::restore(shared(restored.snapshot()), &mut current).expect("a snapshot");
        assert_eq!(again.len(), 2, "d.md has no stamp: not trusted");
        assert_eq!(
            again
                .source(again.source_id("a.md").unwrap())
                .unwrap()
                .text
                .as_str(),
            SOURCES[0].1
        );
    }

    #[test]
    fn damaged_bytes_are_refused_or_caught_never_a_panic() {
        assert!(Corpus::restore(shared(b"nonsense".to_vec()), &mut HashMap::new()).is_err());
        let bytes = corpus().snapshot();
        for cut in [17, HEADER, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                Corpus::restore(shared(bytes[..cut].to_vec()), &mut stamps(&["a.md"])).is_err()
            );
        }
        let settings = EngineSettings::default();
        let draft = "“The parties oppose the further expansion of NATO”";
        let expected = corpus().check_draft(draft, TextFormat::Markdown, &settings);
        // Flip every byte in turn: the tables are refused, damaged data is caught by the checks.
        for at in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x5A;
            let mut current = stamps(&["a.md", "b.txt"]);
            if let Ok(corpus) = Corpus::restore(shared(damaged.clone()), &mut current) {
                let findings = corpus.check_draft(draft, TextFormat::Markdown, &settings);
                let hashes: Vec<(String, Option<u64>)> = SOURCES[..2]
                    .iter()
                    .map(|(k, t)| (k.to_string(), Some(content_hash(t))))
                    .collect();
                let data_intact = corpus.snapshot_data().iter().all(|data| {
                    checksum(&mut &damaged[data.range.clone()], data.range.len()).unwrap()
                        == data.checksum
                });
                let intact = corpus.stale_sources(&hashes, data_intact).is_empty();
                // Damage that goes unnoticed (padding, unused header bytes) changes nothing.
                assert!(!intact || findings == expected, "byte {at}");
            }
        }
    }
}
