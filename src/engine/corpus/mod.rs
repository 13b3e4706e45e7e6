//! The corpus: all sources of a workspace and their term index, behind a small API. Each source's words are
//! term ids, and postings lead from terms to sources.
//!
//! Terms are interned to `u32` ids; each source keeps its term array and compact word positions (about one
//! byte per word, see [`Positions`]), so a passage's words are found without re-reading the source. Postings
//! are per source (not per position): a quote's rarest terms vote for sources ([`vote`]), and the few best are
//! scanned for the densest window of the quote's terms. After a bulk load postings are one flat array with
//! per-term offsets (built by counting, exact size); sources upserted later add to a small map beside it.
//! Texts, term arrays and positions are owned, or borrowed from a memory-mapped snapshot ([`snapshot`]).
//! Removing a source leaves a tombstone that queries skip; postings are rebuilt when tombstones outnumber live
//! sources. The corpus keeps its own change history ([`Corpus::revision`], [`Corpus::changes_since`]), so a
//! cache of verdicts can ask what changed instead of reconstructing it.

pub mod snapshot;
pub mod vote;

use std::borrow::Cow;
use std::collections::VecDeque;
use std::ops::Range;

use super::attribution::SpeakerLabels;
use super::hash::{content_hash, DataChecksum, FastMap};
use super::metadata::{parse_metadata, SourceMetadata};
use super::normalize::{for_each_term, for_each_word, TermHash};
use super::prose::prose;
use super::store::{read_words, Positions, PositionsBuilder, Stored};
use super::TextFormat;

pub use super::store::{Bytes, SharedBytes, SourceText};

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
    /// Who speaks where, when the format says so (a transcript's cue voices and `SPEAKER:` labels, which are
    /// not in the text): they decide whom a passage is credited to. Empty for articles.
    pub speakers: SpeakerLabels,
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
        // An extracted source already carries the hash of its file's bytes.
        self.content.get_or_insert_with(|| content_hash(&text));
        text
    }

    /// Records the content hash of the file the text came from (extracted sources: over the file's bytes,
    /// not the extracted text), checked against the file at a warm start.
    pub fn with_content_hash(mut self, hash: u64) -> PreparedSource {
        self.content = Some(hash);
        self
    }

    /// Records the stamp of the file the text was read from (saved in snapshots).
    pub fn with_stamp(mut self, stamp: FileStamp) -> PreparedSource {
        self.stamp = Some(stamp);
        self
    }

    pub fn key(&self) -> &str {
        &self.source.key
    }

    /// Records who speaks where in the text (a transcript's labels; see [`Source::speakers`]). Spans that do
    /// not lie on the text's character boundaries (labels stored elsewhere and damaged) are dropped.
    pub fn with_speakers(mut self, mut speakers: SpeakerLabels) -> PreparedSource {
        let text = self.source.text.as_str();
        speakers.spans.retain(|(span, _)| {
            span.start <= span.end
                && text.is_char_boundary(span.start)
                && text.is_char_boundary(span.end)
        });
        self.source.speakers = speakers;
        self
    }

    /// Replaces the metadata read from the text (for sources whose metadata is known otherwise, such as
    /// archived articles, or an extracted web page's or PDF's own).
    pub fn with_metadata(mut self, metadata: SourceMetadata) -> PreparedSource {
        self.source.metadata = metadata;
        self
    }
}

/// One source in the corpus with its words.
struct Entry {
    source: Source,
    terms: Stored<u32>,
    positions: Positions,
    stamp: Option<FileStamp>,
    /// Restored from a snapshot: the content hash recorded there, checked against the file by
    /// [`Corpus::stale_sources`].
    recorded: Option<u64>,
}

/// Term → sources: a flat array with per-term offsets (built in bulk or restored), plus the sources inserted
/// since, per term.
#[derive(Default)]
struct Postings {
    offsets: Stored<u32>,
    ids: Stored<u32>,
    extra: FastMap<u32, Vec<SourceId>>,
}

impl Postings {
    /// The sources of a term: the flat part and the part added since.
    fn lists(&self, term: u32) -> (&[SourceId], &[SourceId]) {
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

/// Which corpus value this is: every corpus made (new, restored, rebuilt) gets its own, so a verdict cache can
/// tell a corpus built anew from the one it was filled from, even when their counters agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CorpusInstance(u64);

impl Default for CorpusInstance {
    fn default() -> CorpusInstance {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        CorpusInstance(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// One change in a corpus's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    Added(SourceId),
    Removed(SourceId),
    /// Postings laid out anew (after a bulk load, or a compaction dropping tombstones).
    Rebuilt,
}

/// Changes remembered; a version older than that gets [`Changes::Unknown`].
const HISTORY: usize = 1024;

/// A corpus value and its change count: a point in its history (see [`Corpus::revision`],
/// [`Corpus::changes_since`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CorpusRevision {
    instance: CorpusInstance,
    generation: u64,
}

/// What changed in a corpus since a [`CorpusRevision`] of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Changes {
    /// Nothing.
    None,
    /// Only sources inserted and removed (an upsert is both: the source comes back under a new id, above
    /// every id the version knew).
    Sources {
        /// The inserted sources still in the corpus, in id order.
        added: Vec<SourceId>,
        /// Sources inserted since (including those removed again).
        inserted: usize,
        /// Sources removed since.
        removed: usize,
    },
    /// Something else (another corpus value, postings rebuilt, a version older than the history kept).
    Unknown,
}

/// All sources of a workspace, indexed for quote look-up.
#[derive(Default)]
pub struct Corpus {
    /// This corpus value's identity (see [`CorpusInstance`]).
    instance: CorpusInstance,
    entries: Vec<Option<Entry>>,
    by_key: FastMap<String, SourceId>,
    term_ids: FastMap<TermHash, u32>,
    document_frequency: Vec<u32>,
    postings: Postings,
    /// Per term, the last source that counted it (a distinct without sorting).
    seen: Vec<u32>,
    /// Between [`Corpus::begin_bulk_load`] and [`Corpus::finish_bulk_load`]: postings are built at the end.
    bulk: bool,
    live: usize,
    dead: usize,
    /// Changes since this corpus value was made: one per insertion, removal or postings rebuild.
    generation: u64,
    /// The last [`HISTORY`] changes, the first of them at generation `generation - history.len()`.
    history: VecDeque<Change>,
    /// The generation last written to (or read from) a snapshot, if any.
    saved_generation: Option<u64>,
    /// Where the bytes borrowed from a snapshot lie in it, with their recorded checksum.
    snapshot_data: Vec<DataChecksum>,
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
        // Sources over 4 GiB cannot be addressed by u32 offsets; workspace refuses them long before that.
        if text.len() < u32::MAX as usize {
            // ~6 bytes of text per word in English prose: one allocation for most sources.
            hashes.reserve(text.len() / 5);
            positions = PositionsBuilder::with_capacity(text.len() / 5);
            for block in prose(&text, format).blocks {
                for segment in block.segments {
                    for_each_term(&text, segment, |range, hash| {
                        hashes.push(hash);
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
                speakers: SpeakerLabels::default(),
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
        self.record(Change::Added(id));
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
        self.record(Change::Rebuilt);
    }

    /// Adds a source or replaces the one with the same key; returns its id.
    pub fn upsert_source(&mut self, key: &str, text: String, format: TextFormat) -> SourceId {
        self.insert_prepared(Corpus::prepare_source(key, text, format))
    }

    /// Removes a source; false when no source has that key.
    pub fn remove_source(&mut self, key: &str) -> bool {
        let Some(&id) = self.by_key.get(key) else {
            return false;
        };
        self.remove_id(id);
        if !self.bulk && self.dead > 64 && self.dead > self.live {
            self.rebuild_postings();
        }
        true
    }

    /// Removes the source `id` (if it is live), leaving a tombstone.
    fn remove_id(&mut self, id: SourceId) {
        let Some(entry) = self.entries.get_mut(id as usize).and_then(Option::take) else {
            return;
        };
        self.by_key.remove(&entry.source.key);
        self.forget_terms(entry.terms.as_slice());
        self.live -= 1;
        self.dead += 1;
        self.record(Change::Removed(id));
    }

    /// Takes back the document frequencies of a removed source's terms.
    fn forget_terms(&mut self, terms: &[u32]) {
        for term in distinct(terms) {
            if let Some(frequency) = self.document_frequency.get_mut(term as usize) {
                *frequency = frequency.saturating_sub(1);
            }
        }
    }

    /// A corpus of a snapshot's tables, before its sources are pushed ([`Corpus::push_restored`],
    /// [`Corpus::push_tombstone`]) in id order.
    fn restored(
        term_ids: FastMap<TermHash, u32>,
        document_frequency: Vec<u32>,
        postings: Postings,
        snapshot_data: Vec<DataChecksum>,
        sources: usize,
    ) -> Corpus {
        let mut corpus = Corpus {
            seen: vec![NO_TERM; term_ids.len()],
            term_ids,
            document_frequency,
            postings,
            snapshot_data,
            ..Corpus::default()
        };
        corpus.entries.reserve(sources);
        corpus.by_key.reserve(sources);
        corpus
    }

    /// Adds a restored source under the next id; a tombstone instead when its key is taken already.
    fn push_restored(&mut self, entry: Entry) {
        if self.by_key.contains_key(&entry.source.key) {
            return self.push_tombstone(entry.terms.as_slice());
        }
        self.by_key
            .insert(entry.source.key.clone(), self.entries.len() as SourceId);
        self.entries.push(Some(entry));
        self.live += 1;
    }

    /// A restored source that is gone or changed: its id becomes a tombstone, its frequencies are taken back.
    fn push_tombstone(&mut self, terms: &[u32]) {
        self.forget_terms(terms);
        self.entries.push(None);
        self.dead += 1;
    }

    /// Notes a change in the history.
    fn record(&mut self, change: Change) {
        self.generation += 1;
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(change);
    }

    /// This corpus value and how far it has changed: equal revisions hold the same sources under the same ids
    /// (a re-index builds another value, with a revision of its own). For callers that keep results computed
    /// from the corpus and must tell whether they still describe it; [`Corpus::changes_since`] says what changed.
    pub fn revision(&self) -> CorpusRevision {
        CorpusRevision {
            instance: self.instance,
            generation: self.generation,
        }
    }

    /// What changed since `version`.
    pub fn changes_since(&self, version: CorpusRevision) -> Changes {
        let kept = self.generation - self.history.len() as u64;
        if version.instance != self.instance
            || version.generation > self.generation
            || version.generation < kept
        {
            return Changes::Unknown;
        }
        if version.generation == self.generation {
            return Changes::None;
        }
        let (mut inserted, mut removed) = (0, 0);
        let mut added = Vec::new();
        for change in self
            .history
            .iter()
            .skip((version.generation - kept) as usize)
        {
            match *change {
                Change::Added(id) => {
                    inserted += 1;
                    added.push(id);
                }
                Change::Removed(_) => removed += 1,
                Change::Rebuilt => return Changes::Unknown,
            }
        }
        added.retain(|&id| self.is_live(id));
        Changes::Sources {
            added,
            inserted,
            removed,
        }
    }

    /// Whether `id` is a source of the corpus (not removed).
    pub fn is_live(&self, id: SourceId) -> bool {
        self.entry(id).is_some()
    }

    pub fn source(&self, id: SourceId) -> Option<&Source> {
        self.entry(id).map(|entry| &entry.source)
    }

    fn entry(&self, id: SourceId) -> Option<&Entry> {
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

    /// A source's distinct term ids, sorted.
    pub(crate) fn distinct_terms(&self, id: SourceId) -> Vec<u32> {
        distinct(&self.terms(id))
    }

    /// The postings of a term: the sources holding it (some may be removed: see [`Corpus::is_live`]).
    pub(crate) fn postings_of(&self, term: u32) -> (&[SourceId], &[SourceId]) {
        self.postings.lists(term)
    }

    /// One past the largest source id (live or removed), for arrays indexed by source id.
    pub(crate) fn id_bound(&self) -> usize {
        self.entries.len()
    }

    /// The number of sources holding a term (`None` for an id no source ever had).
    pub(crate) fn document_frequency(&self, term: u32) -> Option<u32> {
        self.document_frequency.get(term as usize).copied()
    }

    /// A source's term ids: copied out of a snapshot file where it can be read (a check reads the words of
    /// every candidate source once; through the memory map they would all stay resident), else borrowed.
    pub(crate) fn terms(&self, id: SourceId) -> Cow<'_, [u32]> {
        self.entry(id)
            .map_or(Cow::Borrowed(&[]), |e| e.terms.read())
    }

    /// The words in `words` (indices of a source's words) that open a paragraph: a blank line separates them from
    /// the word before. A passage never crosses one unless the quote does.
    pub(crate) fn paragraph_starts(&self, id: SourceId, words: Range<usize>) -> Vec<usize> {
        match self.entry(id) {
            Some(entry) => self.paragraph_starts_at(id, &entry.positions.read(), words),
            None => Vec::new(),
        }
    }

    /// A source's term ids and word positions, read together (copied where they can be: see `terms`).
    pub(crate) fn words_of(&self, id: SourceId) -> (Cow<'_, [u32]>, Positions) {
        match self.entry(id) {
            Some(entry) => read_words(&entry.terms, &entry.positions),
            None => (Cow::Borrowed(&[]), Positions::default()),
        }
    }

    /// [`Corpus::paragraph_starts`] with the source's positions already read ([`Corpus::words_of`]).
    pub(crate) fn paragraph_starts_at(
        &self,
        id: SourceId,
        positions: &Positions,
        words: Range<usize>,
    ) -> Vec<usize> {
        let Some(entry) = self.entry(id) else {
            return Vec::new();
        };
        // Only the stretch of text the words span is read (copied where it can be: see `terms`).
        let start_of = |index: usize| positions.get(index).map(|p| p as usize);
        let Some(base) = start_of(words.start) else {
            return Vec::new();
        };
        let last = (words.start..words.end)
            .rev()
            .find_map(start_of)
            .unwrap_or(base);
        let text = entry.source.text.read_range(base..last.max(base));
        let mut starts = Vec::new();
        let mut previous = Some(base);
        for index in words.start + 1..words.end {
            let Some(at) = start_of(index) else {
                break;
            };
            if let Some(from) = previous {
                let gap = text
                    .get(from.saturating_sub(base)..at.saturating_sub(base))
                    .unwrap_or_default();
                if blank_line_between(gap) {
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

/// The distinct values of a slice, sorted.
fn distinct(terms: &[u32]) -> Vec<u32> {
    let mut sorted = terms.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::normalize::term_hash;

    #[test]
    fn upsert_replace_and_remove() {
        let mut corpus = Corpus::new();
        let a = corpus.upsert_source("a.md", "One two three.".into(), TextFormat::Markdown);
        let b = corpus.upsert_source("b.md", "Three four five.".into(), TextFormat::Markdown);
        assert_eq!(corpus.len(), 2);
        let mut scratch = String::new();
        let three = corpus.term_id(term_hash("three", &mut scratch));
        let candidates = |corpus: &Corpus| -> Vec<SourceId> {
            let vote = corpus.vote(&[three]);
            corpus
                .candidates(&vote, 8)
                .into_iter()
                .map(|(id, _)| id)
                .collect()
        };
        assert_eq!(candidates(&corpus), vec![a, b]);
        let a2 = corpus.upsert_source("a.md", "Six seven.".into(), TextFormat::Markdown);
        assert_ne!(a, a2);
        assert_eq!(candidates(&corpus), vec![b]);
        assert!(corpus.remove_source("b.md"));
        assert!(!corpus.remove_source("b.md"));
        assert!(candidates(&corpus).is_empty());
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
