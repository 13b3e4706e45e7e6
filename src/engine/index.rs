//! The sources and their term index: each source's words as term ids, and postings from terms to sources.
//!
//! Terms are interned to `u32` ids; each source keeps its term array and compact word positions (about one
//! byte per word, see [`Positions`]), so a passage's words are found without re-reading the source. Postings
//! are per source (not per position): a quote's rarest terms vote for sources, and the few best are scanned
//! for the densest window of the quote's terms. After a bulk load postings are one flat array with per-term
//! offsets (built by counting, exact size); sources upserted later add to a small map beside it. Texts, term
//! arrays and positions are owned, or borrowed from a memory-mapped snapshot ([`super::snapshot`]). Removing a
//! source leaves a tombstone that queries skip; postings are rebuilt when tombstones outnumber live sources.

use std::collections::HashMap;
use std::ops::Range;

use foldhash::fast::FixedState;

use super::metadata::{parse_metadata, SourceMetadata};
use super::normalize::{for_each_word, term_hash, TermHash};
use super::prose::prose;
use super::store::{Positions, PositionsBuilder, Stored};
use super::TextFormat;

pub use super::store::{SharedBytes, SourceText};

/// A source's number in a [`Corpus`]; stable while the source is in it.
pub type SourceId = u32;

/// The term id of a word no source contains.
pub const NO_TERM: u32 = u32::MAX;

/// One source article.
#[derive(Clone, Debug)]
pub struct Source {
    /// The caller's stable name for it (a path or URI).
    pub key: String,
    pub text: SourceText,
    pub format: TextFormat,
    pub metadata: SourceMetadata,
}

/// What identifies a file's version without reading it: its size and modification time (nanoseconds since
/// the Unix epoch). A snapshot trusts a source whose stamp is unchanged, until its content hash is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileStamp {
    pub size: u64,
    pub modified: u64,
}

/// A source tokenized and hashed, ready to be inserted (made in parallel, inserted in order).
#[derive(Clone)]
pub struct PreparedSource {
    source: Source,
    hashes: Vec<TermHash>,
    positions: Positions,
    stamp: Option<FileStamp>,
    /// The content hash of a spilled text.
    content: Option<u64>,
}

impl PreparedSource {
    /// Takes the text out to be written at offset `at` of a snapshot's texts area (a cold load that streams
    /// texts to disk instead of keeping them, see [`Corpus::write_snapshot_after_texts`]). The source reads
    /// as empty until the corpus is restored from that snapshot; its metadata and words are kept.
    pub fn spill_text(&mut self, at: usize) -> String {
        let length = self.source.text.len();
        let text = std::mem::replace(&mut self.source.text, SourceText::spilled(at, length));
        let text = text.into_string();
        self.content = Some(super::snapshot::content_hash(&text));
        text
    }

    /// Records the stamp of the file the text was read from (saved in snapshots).
    pub fn with_stamp(mut self, stamp: FileStamp) -> PreparedSource {
        self.stamp = Some(stamp);
        self
    }

    pub fn key(&self) -> &str {
        &self.source.key
    }

    /// Replaces the metadata read from the text (for sources whose metadata is known otherwise, such as
    /// archived articles).
    pub fn with_metadata(mut self, metadata: SourceMetadata) -> PreparedSource {
        self.source.metadata = metadata;
        self
    }
}

pub(super) struct Entry {
    pub(super) source: Source,
    pub(super) terms: Stored<u32>,
    pub(super) positions: Positions,
    pub(super) stamp: Option<FileStamp>,
    /// Restored from a snapshot: the content hash recorded there, checked against the file by
    /// [`Corpus::stale_sources`].
    pub(super) recorded: Option<u64>,
}

pub(super) type FastMap<K, V> = HashMap<K, V, FixedState>;

/// Term → sources: a flat array with per-term offsets (built in bulk or restored), plus the sources inserted
/// since, per term.
#[derive(Default)]
pub(super) struct Postings {
    pub(super) offsets: Stored<u32>,
    pub(super) ids: Stored<u32>,
    pub(super) extra: FastMap<u32, Vec<SourceId>>,
}

impl Postings {
    /// The sources of a term: the flat part and the part added since.
    pub(super) fn lists(&self, term: u32) -> (&[SourceId], &[SourceId]) {
        let offsets = self.offsets.as_slice();
        let term = term as usize;
        let base = match (offsets.get(term), offsets.get(term + 1)) {
            (Some(&from), Some(&to)) => self
                .ids
                .as_slice()
                .get(from as usize..to as usize)
                .unwrap_or_default(),
            _ => &[],
        };
        let extra = self
            .extra
            .get(&(term as u32))
            .map_or(&[][..], Vec::as_slice);
        (base, extra)
    }

    fn heap_bytes(&self) -> usize {
        self.offsets.heap_bytes()
            + self.ids.heap_bytes()
            + self
                .extra
                .values()
                .map(|list| list.capacity() * 4 + 32)
                .sum::<usize>()
    }
}

/// Postings a quote's terms may vote with in [`Corpus::candidates`] before the vote stops (past the first
/// [`ALWAYS_VOTING`] terms; see [`Corpus::voting_terms`]).
const VOTE_VOLUME: usize = 400_000;
/// The rarest terms vote whatever their postings.
const ALWAYS_VOTING: usize = 4;

/// Which corpus value this is: every corpus made (new, restored, rebuilt) gets its own, so a verdict cache can
/// tell a corpus built anew from the one it was filled from, even when their counters agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct CorpusInstance(u64);

impl Default for CorpusInstance {
    fn default() -> CorpusInstance {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        CorpusInstance(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// A corpus value and its change count (see [`Corpus::revision`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CorpusRevision {
    instance: u64,
    generation: u64,
}

/// All sources of a workspace, indexed for quote look-up.
#[derive(Default)]
pub struct Corpus {
    /// This corpus value's identity (see [`CorpusInstance`]).
    pub(super) instance: CorpusInstance,
    pub(super) entries: Vec<Option<Entry>>,
    pub(super) by_key: FastMap<String, SourceId>,
    pub(super) term_ids: FastMap<TermHash, u32>,
    pub(super) document_frequency: Vec<u32>,
    pub(super) postings: Postings,
    /// Per term, the last source that counted it (a distinct without sorting).
    pub(super) seen: Vec<u32>,
    /// Between [`Corpus::begin_bulk_load`] and [`Corpus::finish_bulk_load`]: postings are built at the end.
    pub(super) bulk: bool,
    pub(super) live: usize,
    pub(super) dead: usize,
    pub(super) generation: u64,
    /// The generation last written to (or read from) a snapshot, if any.
    pub(super) saved_generation: Option<u64>,
    /// Where the bytes borrowed from a snapshot lie in it, with their recorded checksum.
    pub(super) snapshot_data: Vec<super::snapshot::DataChecksum>,
}

impl Corpus {
    pub fn new() -> Corpus {
        Corpus::default()
    }

    /// Tokenizes a source (pure; call it from many threads, then [`Corpus::insert_prepared`]).
    pub fn prepare_source(key: &str, text: String, format: TextFormat) -> PreparedSource {
        let metadata = parse_metadata(&text, format);
        let mut hashes = Vec::new();
        let mut positions = PositionsBuilder::default();
        let mut scratch = String::new();
        // Sources over 4 GiB cannot be addressed by u32 offsets; workspace refuses them long before that.
        if text.len() < u32::MAX as usize {
            // ~6 bytes of text per word in English prose: one allocation for most sources.
            hashes.reserve(text.len() / 5);
            positions = PositionsBuilder::with_capacity(text.len() / 5);
            for block in prose(&text, format).blocks {
                for segment in block.segments {
                    for_each_word(&text, segment, |range| {
                        hashes.push(term_hash(&text[range.clone()], &mut scratch));
                        positions.push(range.start as u32);
                    });
                }
            }
        }
        PreparedSource {
            source: Source {
                key: key.to_string(),
                text: text.into(),
                format,
                metadata,
            },
            hashes,
            positions: positions.finish(),
            stamp: None,
            content: None,
        }
    }

    /// Inserts a prepared source, replacing any source with the same key; returns its id.
    pub fn insert_prepared(&mut self, prepared: PreparedSource) -> SourceId {
        self.remove_source(&prepared.source.key);
        let id = self.entries.len() as SourceId;
        let mut terms = Vec::with_capacity(prepared.hashes.len());
        for hash in &prepared.hashes {
            let next = self.term_ids.len() as u32;
            let term = *self.term_ids.entry(*hash).or_insert(next);
            if term == next {
                self.document_frequency.push(0);
                self.seen.push(NO_TERM);
            }
            terms.push(term);
        }
        // In a bulk load, postings are laid out once at the end from these frequencies.
        for &term in &terms {
            let seen = &mut self.seen[term as usize];
            if *seen != id {
                *seen = id;
                self.document_frequency[term as usize] += 1;
                if !self.bulk {
                    self.postings.extra.entry(term).or_default().push(id);
                }
            }
        }
        self.by_key.insert(prepared.source.key.clone(), id);
        self.entries.push(Some(Entry {
            source: prepared.source,
            terms: Stored::Owned(terms),
            positions: prepared.positions,
            stamp: prepared.stamp,
            recorded: prepared.content,
        }));
        self.live += 1;
        self.generation += 1;
        id
    }

    /// Starts a bulk load: sources inserted until [`Corpus::finish_bulk_load`] are not searchable before it,
    /// which then builds the postings in one pass, exactly sized.
    pub fn begin_bulk_load(&mut self) {
        self.bulk = true;
    }

    /// Ends a bulk load (see [`Corpus::begin_bulk_load`]).
    pub fn finish_bulk_load(&mut self) {
        if std::mem::take(&mut self.bulk) {
            let frequency = std::mem::take(&mut self.document_frequency);
            self.lay_out_postings(frequency);
        }
    }

    /// Counts document frequencies and lays the postings of every live source out flat (dropping
    /// tombstones): one counting pass, one filling pass, no sorting.
    pub fn rebuild_postings(&mut self) {
        let terms = self.term_ids.len();
        let mut mark = vec![NO_TERM; terms];
        let mut frequency = vec![0u32; terms];
        for (id, entry) in self.entries.iter().enumerate() {
            let Some(entry) = entry else {
                continue;
            };
            for &term in entry.terms.as_slice() {
                if let Some(seen) = mark.get_mut(term as usize) {
                    if *seen != id as u32 {
                        *seen = id as u32;
                        frequency[term as usize] += 1;
                    }
                }
            }
        }
        self.lay_out_postings(frequency);
    }

    /// Lays the postings of every live source out flat, given how many live sources hold each term.
    fn lay_out_postings(&mut self, mut frequency: Vec<u32>) {
        let terms = self.term_ids.len();
        frequency.resize(terms, 0);
        let mut mark = vec![NO_TERM; terms];
        let live = || {
            self.entries
                .iter()
                .enumerate()
                .filter_map(|(id, e)| e.as_ref().map(|e| (id as u32, e.terms.as_slice())))
        };
        let mut offsets = Vec::with_capacity(terms + 1);
        let mut total = 0u32;
        offsets.push(0);
        for &count in &frequency {
            total = total.saturating_add(count);
            offsets.push(total);
        }
        let mut cursor: Vec<u32> = offsets[..terms].to_vec();
        let mut ids = vec![0u32; total as usize];
        for (id, words) in live() {
            for &term in words {
                let term = term as usize;
                if let Some(seen) = mark.get_mut(term) {
                    if *seen != id && cursor[term] < offsets[term + 1] {
                        *seen = id;
                        ids[cursor[term] as usize] = id;
                        cursor[term] += 1;
                    }
                }
            }
        }
        self.document_frequency = frequency;
        self.seen = mark;
        self.postings = Postings {
            offsets: Stored::Owned(offsets),
            ids: Stored::Owned(ids),
            extra: FastMap::default(),
        };
        self.dead = 0;
    }

    /// Adds a source or replaces the one with the same key; returns its id.
    pub fn upsert_source(&mut self, key: &str, text: String, format: TextFormat) -> SourceId {
        self.insert_prepared(Corpus::prepare_source(key, text, format))
    }

    /// Removes a source; false when no source has that key.
    pub fn remove_source(&mut self, key: &str) -> bool {
        let Some(id) = self.by_key.remove(key) else {
            return false;
        };
        if let Some(entry) = self.entries.get_mut(id as usize).and_then(Option::take) {
            self.forget_terms(entry.terms.as_slice());
        }
        self.live -= 1;
        self.dead += 1;
        self.generation += 1;
        if !self.bulk && self.dead > 64 && self.dead > self.live {
            self.rebuild_postings();
        }
        true
    }

    /// Takes back the document frequencies of a removed source's terms.
    pub(super) fn forget_terms(&mut self, terms: &[u32]) {
        for term in distinct(terms) {
            if let Some(frequency) = self.document_frequency.get_mut(term as usize) {
                *frequency = frequency.saturating_sub(1);
            }
        }
    }

    pub fn source(&self, id: SourceId) -> Option<&Source> {
        self.entry(id).map(|entry| &entry.source)
    }

    pub(super) fn entry(&self, id: SourceId) -> Option<&Entry> {
        self.entries.get(id as usize).and_then(Option::as_ref)
    }

    /// The stamp of the file a source was read from, if the caller gave one.
    pub fn stamp(&self, id: SourceId) -> Option<FileStamp> {
        self.entry(id).and_then(|entry| entry.stamp)
    }

    pub fn source_id(&self, key: &str) -> Option<SourceId> {
        self.by_key.get(key).copied()
    }

    /// Number of sources.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Every source with its id.
    pub fn sources(&self) -> impl Iterator<Item = (SourceId, &Source)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.as_ref().map(|e| (i as SourceId, &e.source)))
    }

    /// Changes whenever a source is added, replaced or removed (for caches of verdicts).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// This corpus value and how far it has changed: equal revisions hold the same sources under the same ids
    /// (a re-index builds another value, with a revision of its own). For callers that keep results computed
    /// from the corpus and must tell whether they still describe it.
    pub fn revision(&self) -> CorpusRevision {
        CorpusRevision {
            instance: self.instance.0,
            generation: self.generation,
        }
    }

    /// Total words over all sources.
    pub fn word_count(&self) -> usize {
        self.entries
            .iter()
            .flatten()
            .map(|e| e.terms.as_slice().len())
            .sum()
    }

    /// Approximate heap bytes held by the corpus (texts, term arrays, positions, postings, term table); what
    /// is borrowed from a mapped snapshot is not counted.
    pub fn heap_bytes(&self) -> usize {
        let entries: usize = self
            .entries
            .iter()
            .flatten()
            .map(|e| {
                e.source.text.heap_bytes()
                    + e.terms.heap_bytes()
                    + e.positions.heap_bytes()
                    + e.source.key.len()
                    + size_of::<Entry>()
            })
            .sum();
        entries
            + self.postings.heap_bytes()
            + self.term_ids.capacity() * 16
            + self.document_frequency.capacity() * 4
            + self.seen.capacity() * 4
            + self.by_key.capacity() * 32
    }

    /// The term id of a hash (`NO_TERM` when no source has the word).
    pub(crate) fn term_id(&self, hash: TermHash) -> u32 {
        self.term_ids.get(&hash).copied().unwrap_or(NO_TERM)
    }

    /// Inverse document frequency of a term (0 for unknown terms).
    pub(crate) fn weight(&self, term: u32) -> f32 {
        match self.document_frequency.get(term as usize) {
            Some(&frequency) if frequency > 0 => (1.0 + self.live as f32 / frequency as f32).ln(),
            _ => 0.0,
        }
    }

    /// A quote's distinct terms, sorted, with their document frequencies (0 for a term no source has).
    pub(super) fn term_frequencies(&self, quote_terms: &[u32]) -> Vec<(u32, u32)> {
        distinct(quote_terms)
            .into_iter()
            .map(|t| {
                let frequency = self.document_frequency.get(t as usize).copied();
                (t, frequency.unwrap_or(0))
            })
            .collect()
    }

    /// The terms that vote for candidate sources, in the order [`Corpus::candidates`] adds their weights:
    /// rarest first (ties by term id), those no source contains left out; the rarest [`ALWAYS_VOTING`] always,
    /// the others while the postings volume stays within [`VOTE_VOLUME`]. The verdict cache replays this vote
    /// to know what a finding depended on.
    pub(super) fn voting_terms(&self, terms: &[(u32, u32)]) -> Vec<u32> {
        let mut order: Vec<(u32, u32)> = terms.iter().copied().filter(|&(_, df)| df > 0).collect();
        order.sort_by_key(|&(term, df)| (df, term));
        let mut volume = 0usize;
        let mut voting = Vec::with_capacity(order.len());
        for (rank, (term, _)) in order.into_iter().enumerate() {
            let (base, extra) = self.postings.lists(term);
            let postings = base.len() + extra.len();
            if rank >= ALWAYS_VOTING && volume + postings > VOTE_VOLUME {
                break;
            }
            volume += postings;
            voting.push(term);
        }
        voting
    }

    /// The sources that share the most (rarest) terms with a quote, best first, at most `limit` (more when
    /// several tie with the last one, as near-duplicate wire copies do, up to `2 * limit`).
    pub(crate) fn candidates(&self, quote_terms: &[u32], limit: usize) -> Vec<SourceId> {
        // Dense scores + a touched list (no hashing); partial selection before sorting
        let mut scores = vec![0f32; self.entries.len()];
        let mut touched: Vec<SourceId> = Vec::new();
        for term in self.voting_terms(&self.term_frequencies(quote_terms)) {
            let (base, extra) = self.postings.lists(term);
            let weight = self.weight(term);
            for &id in base.iter().chain(extra) {
                let Some(score) = scores.get_mut(id as usize) else {
                    continue;
                };
                if *score == 0.0 {
                    touched.push(id);
                }
                *score += weight;
            }
        }
        let mut ranked: Vec<(SourceId, f32)> = touched
            .into_iter()
            .filter(|id| self.entries[*id as usize].is_some())
            .map(|id| (id, scores[id as usize]))
            .collect();
        if ranked.len() > limit * 2 {
            ranked.select_nth_unstable_by(limit * 2 - 1, by_vote);
            ranked.truncate(limit * 2);
        }
        ranked.sort_by(by_vote);
        if ranked.len() > limit {
            let cut = ranked[limit - 1].1;
            let keep = ranked
                .iter()
                .take_while(|(_, score)| *score >= cut * 0.999)
                .count()
                .max(limit);
            ranked.truncate(keep.min(limit * 2));
        }
        ranked.into_iter().map(|(id, _)| id).collect()
    }

    /// A source's term ids.
    pub(crate) fn terms(&self, id: SourceId) -> &[u32] {
        self.entry(id).map_or(&[], |e| e.terms.as_slice())
    }

    /// The words in `words` (indices of a source's words) that open a paragraph: a blank line separates them from
    /// the word before. A passage never crosses one unless the quote does.
    pub(crate) fn paragraph_starts(&self, id: SourceId, words: Range<usize>) -> Vec<usize> {
        let Some(entry) = self.entry(id) else {
            return Vec::new();
        };
        let text = entry.source.text.as_bytes();
        let start_of = |index: usize| entry.positions.get(index).map(|p| p as usize);
        let mut starts = Vec::new();
        let mut previous = start_of(words.start);
        for index in words.start + 1..words.end {
            let Some(at) = start_of(index) else {
                break;
            };
            if let Some(from) = previous {
                if blank_line_between(text.get(from..at).unwrap_or_default()) {
                    starts.push(index);
                }
            }
            previous = Some(at);
        }
        starts
    }

    /// The byte range of a source's word `index`.
    pub(crate) fn word_range(&self, id: SourceId, index: usize) -> Range<usize> {
        let Some(entry) = self.entry(id) else {
            return 0..0;
        };
        let text = entry.source.text.as_str();
        let start = match entry.positions.get(index) {
            Some(start) if text.is_char_boundary(start as usize) => start as usize,
            _ => return text.len()..text.len(),
        };
        // The word's end: the first word found from its start (the same segmentation as when indexing).
        let limit = (start + 256).min(text.len());
        let limit = (limit..=text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(text.len());
        let mut end = None;
        for_each_word(text, start..limit, |range| {
            if end.is_none() {
                end = Some(range.end);
            }
        });
        start..end.unwrap_or(limit)
    }
}

/// Whether `gap` (a word and the bytes up to the next word) holds a blank line: a line break, then only spaces,
/// tabs or carriage returns, then another line break.
fn blank_line_between(gap: &[u8]) -> bool {
    let mut after_break = false;
    for &byte in gap {
        match byte {
            b'\n' if after_break => return true,
            b'\n' => after_break = true,
            b' ' | b'\t' | b'\r' => {}
            _ => after_break = false,
        }
    }
    false
}

/// The order of candidate sources: higher vote score first, ties by id.
pub(super) fn by_vote(a: &(SourceId, f32), b: &(SourceId, f32)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

/// The distinct values of a slice, sorted.
pub(super) fn distinct(terms: &[u32]) -> Vec<u32> {
    let mut sorted = terms.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upsert_replace_and_remove() {
        let mut corpus = Corpus::new();
        let a = corpus.upsert_source("a.md", "One two three.".into(), TextFormat::Markdown);
        let b = corpus.upsert_source("b.md", "Three four five.".into(), TextFormat::Markdown);
        assert_eq!(corpus.len(), 2);
        let mut scratch = String::new();
        let three = corpus.term_id(term_hash("three", &mut scratch));
        assert_eq!(corpus.candidates(&[three], 8), vec![a, b]);
        let a2 = corpus.upsert_source("a.md", "Six seven.".into(), TextFormat::Markdown);
        assert_ne!(a, a2);
        assert_eq!(corpus.candidates(&[three], 8), vec![b]);
        assert!(corpus.remove_source("b.md"));
        assert!(!corpus.remove_source("b.md"));
        assert!(corpus.candidates(&[three], 8).is_empty());
        assert_eq!(corpus.len(), 1);
        assert_eq!(
            corpus.source(a2).map(|s| s.metadata.title.as_str()),
            Some("Six seven.")
        );
    }

    #[test]
    fn word_ranges_come_back() {
        let mut corpus = Corpus::new();
        let id = corpus.upsert_source(
            "a.txt",
            "Russia’s “Cold War” mentality".into(),
            TextFormat::PlainText,
        );
        let text = corpus.source(id).unwrap().text.as_str();
        let words: Vec<&str> = (0..4).map(|i| &text[corpus.word_range(id, i)]).collect();
        assert_eq!(words, ["Russia’s", "Cold", "War", "mentality"]);
    }
}
