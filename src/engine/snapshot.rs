//! Snapshots of a corpus as bytes, so a large workspace starts warm: term table, postings and every source's
//! words, without the texts (the caller re-reads them; a source whose content hash changed is dropped and
//! indexed again). Pure: the caller decides where the bytes live.

use std::collections::HashMap;

use super::index::{distinct, Corpus, Entry, FastMap, Source};
use super::metadata::parse_metadata;
use super::TextFormat;

const MAGIC: &[u8; 16] = b"verbatim-index\0\0";
/// Bump when tokenization, normalization or the layout changes: old snapshots are then ignored.
const LAYOUT: u32 = 1;

/// The hash that tells whether a source changed since its snapshot (xxHash3, 64 bits).
pub fn content_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
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

    /// The corpus as bytes (see the module docs); source texts are not included.
    pub fn snapshot(&self) -> Vec<u8> {
        let words: usize = self.entries.iter().flatten().map(|e| e.terms.len()).sum();
        let postings: usize = self.postings.iter().map(Vec::len).sum();
        let mut out = Vec::with_capacity(64 + words * 8 + postings * 4 + self.term_ids.len() * 16);
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, LAYOUT);
        let mut hashes = vec![0u64; self.term_ids.len()];
        for (&hash, &id) in &self.term_ids {
            hashes[id as usize] = hash;
        }
        put_u64s(&mut out, &hashes);
        put_u32s(&mut out, &self.document_frequency);
        let lengths: Vec<u32> = self.postings.iter().map(|p| p.len() as u32).collect();
        put_u32s(&mut out, &lengths);
        for list in &self.postings {
            put_u32_values(&mut out, list);
        }
        put_u32(&mut out, self.entries.len() as u32);
        for entry in &self.entries {
            match entry {
                None => out.push(0),
                Some(entry) => {
                    out.push(1);
                    put_bytes(&mut out, entry.source.key.as_bytes());
                    out.extend_from_slice(&content_hash(&entry.source.text).to_le_bytes());
                    out.push(match entry.source.format {
                        TextFormat::Markdown => 0,
                        TextFormat::PlainText => 1,
                    });
                    put_u32s(&mut out, &entry.terms);
                    put_u32_values(&mut out, &entry.starts);
                }
            }
        }
        out
    }

    /// Rebuilds a corpus from a snapshot. `texts` maps source keys to their current text and format; a source
    /// whose text is there with the same content hash and format is restored (and its text taken out of the
    /// map), any other is dropped. What is left in `texts` is new or changed and must be indexed by the caller.
    /// `None` when the bytes are not a snapshot of this layout (the caller indexes everything).
    pub fn restore(
        bytes: &[u8],
        texts: &mut HashMap<String, (String, TextFormat)>,
    ) -> Option<Corpus> {
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(MAGIC.len())? != MAGIC || reader.u32()? != LAYOUT {
            return None;
        }
        let hashes = reader.u64s()?;
        let document_frequency = reader.u32s()?;
        let lengths = reader.u32s()?;
        if document_frequency.len() != hashes.len() || lengths.len() != hashes.len() {
            return None;
        }
        let mut postings = Vec::with_capacity(lengths.len());
        for &length in &lengths {
            postings.push(reader.u32_values(length as usize)?);
        }
        let mut term_ids: FastMap<u64, u32> = FastMap::default();
        term_ids.reserve(hashes.len());
        for (id, hash) in hashes.into_iter().enumerate() {
            term_ids.insert(hash, id as u32);
        }
        let entry_count = reader.u32()? as usize;
        let mut corpus = Corpus {
            term_ids,
            document_frequency,
            postings,
            ..Corpus::default()
        };
        corpus.entries.reserve(entry_count);
        let mut dropped = 0;
        for id in 0..entry_count {
            if reader.u8()? == 0 {
                corpus.entries.push(None);
                corpus.dead += 1;
                continue;
            }
            let key = String::from_utf8(reader.bytes()?.to_vec()).ok()?;
            let hash = reader.u64()?;
            let format = if reader.u8()? == 0 {
                TextFormat::Markdown
            } else {
                TextFormat::PlainText
            };
            let terms = reader.u32s()?;
            let starts = reader.u32_values(terms.len())?;
            if terms.iter().any(|&t| t as usize >= corpus.postings.len()) {
                return None;
            }
            let current = texts
                .get(&key)
                .filter(|(text, f)| *f == format && content_hash(text) == hash);
            if current.is_some() {
                let (text, format) = texts.remove(&key)?;
                let metadata = parse_metadata(&text, format);
                corpus.by_key.insert(key.clone(), id as u32);
                corpus.entries.push(Some(Entry {
                    source: Source {
                        key,
                        text,
                        format,
                        metadata,
                    },
                    terms,
                    starts,
                }));
                corpus.live += 1;
            } else {
                // Gone or changed since the snapshot: its postings become tombstones.
                for term in distinct(&terms) {
                    let frequency = &mut corpus.document_frequency[term as usize];
                    *frequency = frequency.saturating_sub(1);
                }
                corpus.entries.push(None);
                corpus.dead += 1;
                dropped += 1;
            }
        }
        if reader.at != bytes.len()
            || corpus
                .postings
                .iter()
                .flatten()
                .any(|&id| id as usize >= entry_count)
        {
            return None;
        }
        corpus.generation = 1;
        if dropped == 0 {
            corpus.saved_generation = Some(corpus.generation);
        }
        Some(corpus)
    }
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_u32(out, bytes.len() as u32);
    out.extend_from_slice(bytes);
}

fn put_u32_values(out: &mut Vec<u8>, values: &[u32]) {
    out.reserve(values.len() * 4);
    for value in values {
        out.extend_from_slice(&value.to_le_bytes());
    }
}

fn put_u32s(out: &mut Vec<u8>, values: &[u32]) {
    put_u32(out, values.len() as u32);
    put_u32_values(out, values);
}

fn put_u64s(out: &mut Vec<u8>, values: &[u64]) {
    put_u32(out, values.len() as u32);
    out.reserve(values.len() * 8);
    for value in values {
        out.extend_from_slice(&value.to_le_bytes());
    }
}

/// Reads little-endian values; every method returns `None` past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, length: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(length)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let length = self.u32()? as usize;
        self.take(length)
    }

    fn u32_values(&mut self, count: usize) -> Option<Vec<u32>> {
        let raw = self.take(count.checked_mul(4)?)?;
        Some(
            raw.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }

    fn u32s(&mut self) -> Option<Vec<u32>> {
        let count = self.u32()? as usize;
        self.u32_values(count)
    }

    fn u64s(&mut self) -> Option<Vec<u64>> {
        let count = self.u32()? as usize;
        let raw = self.take(count.checked_mul(8)?)?;
        Some(
            raw.chunks_exact(8)
                .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineSettings;

    fn texts(pairs: &[(&str, &str)]) -> HashMap<String, (String, TextFormat)> {
        pairs
            .iter()
            .map(|(k, t)| (k.to_string(), (t.to_string(), TextFormat::from_path(k))))
            .collect()
    }

    #[test]
    fn restores_unchanged_sources_and_drops_changed_ones() {
        let sources = [
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
        let mut corpus = Corpus::new();
        for (key, text) in sources {
            corpus.upsert_source(key, text.to_string(), TextFormat::from_path(key));
        }
        corpus.remove_source("c.md");
        let bytes = corpus.snapshot();
        let draft = "“The parties oppose the further expansion” and “has consistently denied any aggressive intentions”";
        let settings = EngineSettings::default();
        let before = corpus.check_draft(draft, TextFormat::Markdown, &settings);

        let mut current = texts(&sources[..2]);
        let restored = Corpus::restore(&bytes, &mut current).expect("a valid snapshot");
        assert!(current.is_empty());
        assert!(restored.is_saved());
        assert_eq!(
            restored.check_draft(draft, TextFormat::Markdown, &settings),
            before
        );

        let mut changed = texts(&[sources[0], ("b.txt", "Moscow denied it.")]);
        let mut restored = Corpus::restore(&bytes, &mut changed).expect("a valid snapshot");
        assert_eq!(
            changed.len(),
            1,
            "the changed source is left to index again"
        );
        assert_eq!(restored.len(), 1);
        for (key, (text, format)) in changed {
            restored.upsert_source(&key, text, format);
        }
        let after = restored.check_draft(draft, TextFormat::Markdown, &settings);
        assert_eq!(after[0].verdict, before[0].verdict);
        assert_ne!(after[1].verdict, before[1].verdict);
    }

    #[test]
    fn garbage_is_not_a_snapshot() {
        let mut none = HashMap::new();
        assert!(Corpus::restore(b"nonsense", &mut none).is_none());
        let mut corpus = Corpus::new();
        corpus.upsert_source("a.md", "one two three".into(), TextFormat::Markdown);
        let bytes = corpus.snapshot();
        for cut in [17, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                Corpus::restore(&bytes[..cut], &mut texts(&[("a.md", "one two three")])).is_none()
            );
        }
    }
}
