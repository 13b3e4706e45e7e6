//! Uncredited copying: stretches of a draft's prose outside quotation marks that repeat a source word for word
//! or nearly, found with word shingles seeded by the term index and extended and scored by the quote aligner.
//!
//! Pipeline, per paragraph of the draft (see [`Corpus::find_copied`]):
//! 1. **Runs**: the paragraph's words outside every quotation (quote marks, blockquotes; code and front matter
//!    are not prose), split where a quotation interrupts them.
//! 2. **Candidates**: overlapping windows of [`WINDOW`] words vote for sources with their rarest terms over the
//!    term index's postings, as a quote does, so no extra index is held in memory; a window lets fewer and
//!    rarer terms vote than a quote ([`VOTING_TERMS`], [`VOTE_POSTINGS`]) because every prose window votes.
//! 3. **Seeds**: each candidate source's word [`SHINGLE`]-grams (hashes of term ids, rolling over its term
//!    array) are looked up among the paragraph's shingles; shingles made only of function words are skipped.
//!    Every exact run of `SHINGLE` words shared with a candidate is found (what a winnowed fingerprint index
//!    guarantees only from `w + k − 1` words on), except shingles repeated more than
//!    [`MAX_SHINGLE_REPEATS`] times in the paragraph or the source (a template's own boilerplate).
//! 4. **Chains**: seeds on one diagonal (draft word − source word, with some slack) chain into clusters.
//! 5. **Alignment**: each cluster, widened on both sides, is aligned with [`align`] (the aligner that checks
//!    quotes) and the best-scoring stretch is cut out of the alignment (+1 per matched word, −1 per changed,
//!    added or missing word), so the stretch extends over a few changed words but not past them.
//! 6. **Merge and judge**: stretches of one source close together merge; a stretch counts when it has at
//!    least `min_words` words and `min_chars` characters, most of them matched, three content words, and when
//!    its longest exact run is not a phrase common to many sources (set phrases, datelines, boilerplate). Of
//!    several sources holding the same text, the closest (then the earliest dated) is named, the others listed.
//!
//! Credits are judged last, on the whole draft ([`credited`]): a stretch whose sentence names one of its
//! sources (author or outlet, title, url or its site, file name; through a link or a footnote too) is not
//! uncredited copying. [`ReuseCache`] keeps each paragraph's stretches by its text, so an edit re-checks only
//! the paragraph it touched.

use std::collections::HashMap;
use std::ops::Range;

use super::align::{align, Item, Step};
use super::attribution::Attributor;
use super::corpus::vote::by_vote;
use super::corpus::{Corpus, CorpusRevision, SourceId, NO_TERM};
use super::finding::{Finding, Passage, Verdict};
use super::messages::describe_edit;
use super::normalize::{for_each_word, normalize_word, term_hash, TermHash};
use super::prose::prose;
use super::quotes::find_quotes;
use super::quotes::{Quote, QuoteKind};
use super::sentence::sentence_around;
use super::sentence::{sentence_end, sentence_start};
use super::{Edit, EditKind, EngineSettings, Source, TextFormat};

/// Words per shingle (the seeds' length).
pub const SHINGLE: usize = 4;
/// Words per voting window; windows overlap by half, so any stretch of up to `WINDOW / 2` words lies wholly
/// inside one.
pub const WINDOW: usize = 24;
/// Sources voted for per window (plus near-duplicates that tie, up to twice as many).
const CANDIDATES_PER_WINDOW: usize = 8;
/// The rarest terms of a window that vote for candidate sources…
const VOTING_TERMS: usize = 8;
/// …while their postings stay within this many (the rarest two always vote): a copied stretch shares its rare
/// words with its source, so common words add cost, not recall.
const VOTE_POSTINGS: usize = 20_000;
/// Words added on each side of a cluster before aligning it, so the alignment can reach changed words.
const EXTEND: usize = 8;
/// Largest draft gap (in words) across which two stretches of one source passage merge.
const MERGE_GAP: usize = 12;
/// Largest source gap (in words) across which two stretches merge.
const MERGE_SOURCE_GAP: usize = 40;
/// Longest cluster aligned at once (longer ones are cut; their stretches merge again).
const MAX_CLUSTER_WORDS: usize = 200;
/// Share of a stretch's words (draft or source side, whichever is longer) that must match.
const MIN_SIMILARITY: f32 = 0.6;
/// Distinct content words (not function words) a stretch must match.
const MIN_CONTENT_WORDS: usize = 3;
/// A phrase found in at least this many sources (or [`COMMON_SHARE`] of them, if more) is common.
const COMMON_MIN_SOURCES: usize = 5;
const COMMON_SHARE: f32 = 0.01;
/// A term in more than this share of sources counts as a function word (in a corpus of at least
/// [`FUNCTION_MIN_SOURCES`] sources), besides the built-in English list.
const FUNCTION_SHARE: f32 = 0.4;
const FUNCTION_MIN_SOURCES: usize = 20;
/// Most occurrences of one shingle in a paragraph, or in a source, for it to seed: more is that text's own
/// boilerplate, and would multiply seeds (every occurrence on one side with every one on the other).
const MAX_SHINGLE_REPEATS: usize = 4;
/// Longest stretch that may be a quotation's credit line (its speaker named and described) rather than copying.
const MAX_SPEAKER_WORDS: usize = 16;
/// Sources searched for a phrase when deciding whether it is common.
const MAX_PHRASE_SCAN: usize = 20_000;

/// The reuse checker's knobs, already checked (see `config.rs`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReuseSettings {
    pub enabled: bool,
    /// Fewest words in a copied stretch.
    pub min_words: usize,
    /// Fewest characters in a copied stretch.
    pub min_chars: usize,
}

impl Default for ReuseSettings {
    fn default() -> Self {
        ReuseSettings {
            enabled: true,
            min_words: 8,
            min_chars: 40,
        }
    }
}

/// Where a copied stretch lies in one source.
#[derive(Clone, Debug, PartialEq)]
pub struct CopiedPassage {
    pub source: SourceId,
    /// The source's words the stretch aligns with (bytes of the source's text).
    pub range: Range<usize>,
    /// Share of the stretch's words that match this passage (0–1).
    pub similarity: f32,
}

/// A stretch of a draft that repeats a source, before credits are considered.
#[derive(Clone, Debug, PartialEq)]
pub struct Copied {
    /// The copied stretch in the draft, from its first to its last word.
    pub range: Range<usize>,
    /// The pieces of prose inside `range` (without Markdown markers).
    pub segments: Vec<Range<usize>>,
    /// Draft words in the stretch.
    pub words: usize,
    /// Of them, words equal to their source word.
    pub matched: usize,
    /// The named source's passage.
    pub passage: CopiedPassage,
    /// How the stretch differs from the passage (draft and source byte ranges).
    pub edits: Vec<Edit>,
    /// Other sources holding the same text.
    pub also_in: Vec<CopiedPassage>,
}

impl Copied {
    fn shifted(&self, delta: isize) -> Copied {
        let shift = |r: &Range<usize>| {
            r.start.saturating_add_signed(delta)..r.end.saturating_add_signed(delta)
        };
        let mut copied = self.clone();
        copied.range = shift(&self.range);
        copied.segments = self.segments.iter().map(shift).collect();
        for edit in &mut copied.edits {
            edit.quote_range = shift(&edit.quote_range);
        }
        copied
    }

    /// Every source holding the stretch: the named one first.
    pub fn sources(&self) -> impl Iterator<Item = SourceId> + '_ {
        std::iter::once(self.passage.source).chain(self.also_in.iter().map(|p| p.source))
    }
}

/// One word of a draft paragraph outside quotations.
#[derive(Clone, Debug)]
struct Word {
    range: Range<usize>,
    hash: TermHash,
    term: u32,
    /// The run (stretch between quotations) it belongs to.
    run: u32,
}

/// A prose block of the draft: its cache key and where it starts.
struct Paragraph {
    start: usize,
    key: String,
    /// Segments of prose, absolute.
    segments: Vec<Range<usize>>,
}

/// One step of an alignment in absolute indices: draft word (paragraph index) and source word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pair {
    Match(usize, usize),
    Substitute(usize, usize),
    Added(usize),
    Missing(usize),
}

/// A stretch cut out of one alignment, before merging.
#[derive(Clone, Debug)]
struct Stretch {
    source: SourceId,
    pairs: Vec<Pair>,
}

impl Stretch {
    fn draft_span(&self) -> Option<(usize, usize)> {
        let mut words = self.pairs.iter().filter_map(|p| match *p {
            Pair::Match(g, _) | Pair::Substitute(g, _) | Pair::Added(g) => Some(g),
            Pair::Missing(_) => None,
        });
        let first = words.next()?;
        Some((first, words.next_back().unwrap_or(first)))
    }

    fn source_span(&self) -> Option<(usize, usize)> {
        let mut words = self.pairs.iter().filter_map(|p| match *p {
            Pair::Match(_, s) | Pair::Substitute(_, s) | Pair::Missing(s) => Some(s),
            Pair::Added(_) => None,
        });
        let first = words.next()?;
        Some((first, words.next_back().unwrap_or(first)))
    }

    fn matched(&self) -> usize {
        self.pairs
            .iter()
            .filter(|p| matches!(p, Pair::Match(..)))
            .count()
    }

    fn similarity(&self) -> f32 {
        let (Some((g0, g1)), Some((s0, s1))) = (self.draft_span(), self.source_span()) else {
            return 0.0;
        };
        let longer = (g1 - g0 + 1).max(s1 - s0 + 1);
        self.matched() as f32 / longer as f32
    }
}

/// Findings of copied text remembered per paragraph, so that an edit re-checks only the paragraph it touched.
/// A change of corpus (any source added, edited or removed) or of settings clears it.
#[derive(Default)]
pub struct ReuseCache {
    state: Option<CorpusRevision>,
    settings: Option<ReuseSettings>,
    entries: HashMap<String, Vec<Copied>>,
    /// Paragraphs answered from the cache by the last check (for tests and logs).
    pub last_hits: usize,
    /// Paragraphs checked anew by the last check.
    pub last_misses: usize,
}

impl ReuseCache {
    pub fn new() -> ReuseCache {
        ReuseCache::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Corpus {
    /// Every stretch of the draft's prose outside quotation marks that repeats a source (credits not yet
    /// considered: see [`credited`]).
    pub fn find_copied(
        &self,
        text: &str,
        format: TextFormat,
        settings: &ReuseSettings,
    ) -> Vec<Copied> {
        self.find_copied_cached(text, format, settings, &mut ReuseCache::new())
    }

    /// As [`Corpus::find_copied`], reusing the stretches of paragraphs whose text has not changed while the
    /// corpus has not changed either.
    pub fn find_copied_cached(
        &self,
        text: &str,
        format: TextFormat,
        settings: &ReuseSettings,
        cache: &mut ReuseCache,
    ) -> Vec<Copied> {
        let state = self.revision();
        if cache.state != Some(state) || cache.settings.as_ref() != Some(settings) {
            cache.entries.clear();
            cache.state = Some(state);
            cache.settings = Some(settings.clone());
        }
        cache.last_hits = 0;
        cache.last_misses = 0;
        if !settings.enabled || self.is_empty() {
            cache.entries.clear();
            return Vec::new();
        }
        let (paragraphs, quotes) = paragraphs(text, format);
        let mut kept = HashMap::with_capacity(paragraphs.len());
        let mut found = Vec::new();
        for paragraph in paragraphs {
            let relative = match cache.entries.remove(&paragraph.key) {
                Some(stretches) => {
                    cache.last_hits += 1;
                    stretches
                }
                None => {
                    cache.last_misses += 1;
                    let words = self.paragraph_words(text, &paragraph.segments, &quotes);
                    self.copied_in_paragraph(text, &words, settings)
                        .into_iter()
                        .filter(|c| !names_speaker(text, format, &c.range, c.words, &quotes))
                        .map(|mut c| {
                            c.segments = paragraph
                                .segments
                                .iter()
                                .map(|s| s.start.max(c.range.start)..s.end.min(c.range.end))
                                .filter(|s| s.start < s.end)
                                .collect();
                            c.shifted(-(paragraph.start as isize))
                        })
                        .collect()
                }
            };
            found.extend(relative.iter().map(|c| c.shifted(paragraph.start as isize)));
            kept.insert(paragraph.key, relative);
        }
        cache.entries = kept;
        found
    }

    /// The `uncredited` findings of a draft: every copied stretch (see [`Corpus::find_copied_cached`]) whose
    /// sentence credits none of the sources holding it, in document order.
    pub fn check_reuse(
        &self,
        text: &str,
        format: TextFormat,
        settings: &ReuseSettings,
        cache: &mut ReuseCache,
    ) -> Vec<Finding> {
        self.find_copied_cached(text, format, settings, cache)
            .into_iter()
            .filter_map(|copied| {
                let sources: Vec<&Source> =
                    copied.sources().filter_map(|id| self.source(id)).collect();
                (!credited(text, &copied.range, &sources)).then(|| self.uncredited(copied))
            })
            .collect()
    }

    /// A copied stretch as an `uncredited` finding.
    fn uncredited(&self, copied: Copied) -> Finding {
        let passage = |p: &CopiedPassage| Passage {
            source: p.source,
            range: p.range.clone(),
            sentence: self
                .source(p.source)
                .map_or(p.range.clone(), |s| sentence_around(&s.text, &p.range)),
        };
        let title = self
            .source(copied.passage.source)
            .map(|s| s.metadata.title.clone())
            .unwrap_or_default();
        let how = if copied.edits.is_empty() {
            "word for word".to_string()
        } else {
            let edits: Vec<String> = copied.edits.iter().take(3).map(describe_edit).collect();
            let more = copied.edits.len().saturating_sub(3);
            format!(
                "with {} change{} ({}{})",
                copied.edits.len(),
                if copied.edits.len() == 1 { "" } else { "s" },
                edits.join("; "),
                if more > 0 {
                    format!("; {more} more")
                } else {
                    String::new()
                }
            )
        };
        let mut message = format!(
            "uncredited: {} words copied from “{title}” {how}, without quote marks or credit",
            copied.words
        );
        if !copied.also_in.is_empty() {
            let n = copied.also_in.len();
            message.push_str(&format!(
                " (also in {n} other source{})",
                if n == 1 { "" } else { "s" }
            ));
        }
        Finding {
            quote: Quote {
                range: copied.range.clone(),
                outer: copied.range.clone(),
                segments: if copied.segments.is_empty() {
                    vec![copied.range.clone()]
                } else {
                    copied.segments.clone()
                },
                kind: QuoteKind::Unmarked,
                word_count: copied.words,
                ignored: false,
                byline: None,
                title: false,
            },
            verdict: Verdict::Uncredited,
            passage: Some(passage(&copied.passage)),
            similarity: copied.passage.similarity,
            edits: copied.edits,
            notes: Vec::new(),
            also_in: copied.also_in.iter().map(passage).collect(),
            message,
            // The draft's own prose has no speaker: attribution is about quotations.
            attribution: None,
            source_attribution: None,
        }
    }

    /// The words of a paragraph's segments outside quotations, with their term ids and runs.
    fn paragraph_words(
        &self,
        text: &str,
        segments: &[Range<usize>],
        quotes: &[Range<usize>],
    ) -> Vec<Word> {
        let mut words = Vec::new();
        let mut scratch = String::new();
        for_each_prose_word(text, segments, quotes, |range, run| {
            let hash = term_hash(&text[range.clone()], &mut scratch);
            words.push(Word {
                term: self.term_id(hash),
                hash,
                range,
                run,
            });
        });
        words
    }

    /// The copied stretches of one paragraph's words (absolute ranges).
    fn copied_in_paragraph(
        &self,
        text: &str,
        words: &[Word],
        settings: &ReuseSettings,
    ) -> Vec<Copied> {
        let min_words = settings.min_words.max(SHINGLE);
        if words.len() < min_words {
            return Vec::new();
        }
        let function: Vec<bool> = words.iter().map(|w| self.is_function_word(w)).collect();
        // The paragraph's shingles: (hash, first word), sorted for look-up.
        let mut shingles: Vec<(u64, u32)> = Vec::new();
        for start in 0..=words.len() - SHINGLE {
            let window = &words[start..start + SHINGLE];
            if window
                .iter()
                .any(|w| w.term == NO_TERM || w.run != window[0].run)
                || function[start..start + SHINGLE].iter().all(|&f| f)
            {
                continue;
            }
            let terms: Vec<u32> = window.iter().map(|w| w.term).collect();
            shingles.push((shingle_hash(&terms), start as u32));
        }
        if shingles.is_empty() {
            return Vec::new();
        }
        shingles.sort_unstable();
        // A shingle repeated through the paragraph is its own boilerplate, not a seed.
        let mut kept = Vec::with_capacity(shingles.len());
        for group in shingles.chunk_by(|a, b| a.0 == b.0) {
            if group.len() <= MAX_SHINGLE_REPEATS {
                kept.extend_from_slice(group);
            }
        }
        let shingles = kept;
        if shingles.is_empty() {
            return Vec::new();
        }
        // The paragraph's term ids, as bits, to skip source positions no shingle can match.
        let mut present: Vec<u64> = Vec::new();
        for word in words.iter().filter(|w| w.term != NO_TERM) {
            let slot = word.term as usize / 64;
            if present.len() <= slot {
                present.resize(slot + 1, 0);
            }
            present[slot] |= 1 << (word.term % 64);
        }
        // Candidate sources: every window of each run votes (one score array for the paragraph's windows).
        let mut sources: Vec<SourceId> = Vec::new();
        let mut votes = Votes::default();
        let mut run_start = 0;
        while run_start < words.len() {
            let run = words[run_start].run;
            let run_end = words[run_start..]
                .iter()
                .position(|w| w.run != run)
                .map_or(words.len(), |n| run_start + n);
            if run_end - run_start >= min_words {
                let mut from = run_start;
                loop {
                    let to = (from + WINDOW).min(run_end);
                    let known: Vec<u32> = words[from..to]
                        .iter()
                        .map(|w| w.term)
                        .filter(|&t| t != NO_TERM)
                        .collect();
                    if known.len() >= SHINGLE {
                        sources.extend(self.window_candidates(&known, &mut votes));
                    }
                    if to == run_end {
                        break;
                    }
                    from += WINDOW / 2;
                }
            }
            run_start = run_end;
        }
        sources.sort_unstable();
        sources.dedup();
        let mut stretches: Vec<Stretch> = Vec::new();
        for source in sources {
            let seeds = self.seeds(source, &shingles, &present);
            for cluster in clusters(&seeds, words) {
                if let Some(stretch) = self.align_cluster(source, words, &cluster) {
                    stretches.push(stretch);
                }
            }
        }
        let stretches = merge(stretches, words);
        let accepted: Vec<Stretch> = stretches
            .into_iter()
            .filter(|s| self.acceptable(s, text, words, &function, settings))
            .collect();
        self.group(text, words, accepted)
    }

    /// The candidate sources of a window of draft words: its rarest terms vote (idf-weighted), the best
    /// [`CANDIDATES_PER_WINDOW`] win, plus those tied with the last (wire copies), up to twice as many.
    fn window_candidates(&self, known: &[u32], votes: &mut Votes) -> Vec<SourceId> {
        let mut terms: Vec<(u32, u32)> = distinct(known)
            .into_iter()
            .filter_map(|t| {
                let df = self.document_frequency(t)?;
                (df > 0).then_some((df, t))
            })
            .collect();
        terms.sort_unstable();
        if votes.scores.len() < self.id_bound() {
            votes.scores.resize(self.id_bound(), 0.0);
        }
        let mut volume = 0usize;
        for (rank, &(df, term)) in terms.iter().take(VOTING_TERMS).enumerate() {
            if rank >= 2 && volume + df as usize > VOTE_POSTINGS {
                break;
            }
            volume += df as usize;
            let weight = self.weight(term);
            let (base, extra) = self.postings_of(term);
            for &id in base.iter().chain(extra) {
                let Some(score) = votes.scores.get_mut(id as usize) else {
                    continue;
                };
                if *score == 0.0 {
                    votes.touched.push(id);
                }
                *score += weight;
            }
        }
        let mut ranked: Vec<(SourceId, f32)> = votes
            .touched
            .iter()
            .filter(|&&id| self.is_live(id))
            .map(|&id| (id, votes.scores[id as usize]))
            .collect();
        // Reset only what this window touched, for the next window.
        for id in votes.touched.drain(..) {
            votes.scores[id as usize] = 0.0;
        }
        let limit = CANDIDATES_PER_WINDOW;
        if ranked.len() > 2 * limit {
            ranked.select_nth_unstable_by(2 * limit - 1, by_vote);
            ranked.truncate(2 * limit);
        }
        ranked.sort_unstable_by(by_vote);
        if ranked.len() > limit {
            let cut = ranked[limit - 1].1;
            let keep = ranked
                .iter()
                .take_while(|(_, score)| *score >= cut * 0.999)
                .count()
                .clamp(limit, 2 * limit);
            ranked.truncate(keep);
        }
        ranked.into_iter().map(|(id, _)| id).collect()
    }

    /// Whether a draft word counts as a function word: the built-in English list, or a term in a large share
    /// of the sources.
    fn is_function_word(&self, word: &Word) -> bool {
        if FUNCTION_HASHES.contains(&word.hash) {
            return true;
        }
        let live = self.len();
        live >= FUNCTION_MIN_SOURCES
            && self
                .document_frequency(word.term)
                .is_some_and(|df| df as f32 > FUNCTION_SHARE * live as f32)
    }

    /// Seeds: (draft word, source word) of every paragraph shingle found in a source. Only source positions
    /// whose last [`SHINGLE`] terms all occur in the paragraph (`present`, a bit per term id) are hashed and
    /// looked up: most of a source's words are not the paragraph's.
    fn seeds(
        &self,
        source: SourceId,
        shingles: &[(u64, u32)],
        present: &[u64],
    ) -> Vec<(usize, usize)> {
        let terms = self.terms(source);
        let mut seeds = Vec::new();
        let mut found: Vec<(u64, usize)> = Vec::new();
        let mut run = 0usize;
        for (end, &term) in terms.iter().enumerate() {
            let known = present
                .get(term as usize / 64)
                .is_some_and(|bits| bits & (1 << (term % 64)) != 0);
            if !known {
                run = 0;
                continue;
            }
            run += 1;
            if run < SHINGLE {
                continue;
            }
            let i = end + 1 - SHINGLE;
            let hash = shingle_hash(&terms[i..=end]);
            let at = shingles.partition_point(|&(h, _)| h < hash);
            if shingles.get(at).is_some_and(|&(h, _)| h == hash) {
                found.push((hash, i));
            }
        }
        // A shingle repeated through the source is its boilerplate (a template, a refrain), not a seed.
        found.sort_unstable();
        for group in found.chunk_by(|a, b| a.0 == b.0) {
            if group.len() > MAX_SHINGLE_REPEATS {
                continue;
            }
            let hash = group[0].0;
            let at = shingles.partition_point(|&(h, _)| h < hash);
            for &(h, word) in &shingles[at..] {
                if h != hash {
                    break;
                }
                seeds.extend(group.iter().map(|&(_, i)| (word as usize, i)));
            }
        }
        seeds.sort_unstable();
        seeds
    }

    /// Aligns a cluster of seeds (widened by [`EXTEND`] words, within its run) and cuts out its best stretch.
    fn align_cluster(
        &self,
        source: SourceId,
        words: &[Word],
        cluster: &Cluster,
    ) -> Option<Stretch> {
        let run = words[cluster.draft.start].run;
        let mut lo = cluster.draft.start.saturating_sub(EXTEND);
        while words[lo].run != run {
            lo += 1;
        }
        let mut hi = (cluster.draft.end + EXTEND).min(words.len());
        while words[hi - 1].run != run {
            hi -= 1;
        }
        let terms = self.terms(source);
        let s_lo = cluster.source.start.saturating_sub(2 * EXTEND);
        let s_hi = (cluster.source.end + 2 * EXTEND).min(terms.len());
        let items: Vec<Item> = words[lo..hi]
            .iter()
            .map(|w| Item::Word {
                range: w.range.clone(),
                hash: w.hash,
            })
            .collect();
        let item_terms: Vec<u32> = words[lo..hi].iter().map(|w| w.term).collect();
        let alignment = align(&items, &item_terms, &terms[s_lo..s_hi], 0);
        let pairs: Vec<Pair> = alignment
            .steps
            .iter()
            .filter_map(|step| match *step {
                Step::Match { quote, source } => Some(Pair::Match(lo + quote, s_lo + source)),
                Step::Substitute { quote, source } => {
                    Some(Pair::Substitute(lo + quote, s_lo + source))
                }
                Step::Added { quote } => Some(Pair::Added(lo + quote)),
                Step::Missing { source } => Some(Pair::Missing(s_lo + source)),
                Step::Editorial { .. } => None,
            })
            .collect();
        // The best-scoring run of steps (maximum subarray): it starts and ends with a match.
        let mut best = (0i32, 0usize, 0usize);
        let mut score = 0i32;
        let mut from = 0usize;
        for (index, pair) in pairs.iter().enumerate() {
            let gain = if matches!(pair, Pair::Match(..)) {
                1
            } else {
                -1
            };
            if score <= 0 {
                score = 0;
                from = index;
            }
            score += gain;
            if score > best.0 {
                best = (score, from, index + 1);
            }
        }
        (best.0 > 0).then(|| Stretch {
            source,
            pairs: pairs[best.1..best.2].to_vec(),
        })
    }

    /// Whether a merged stretch is long, close and specific enough to report.
    fn acceptable(
        &self,
        stretch: &Stretch,
        text: &str,
        words: &[Word],
        function: &[bool],
        settings: &ReuseSettings,
    ) -> bool {
        let Some((g0, g1)) = stretch.draft_span() else {
            return false;
        };
        let count = g1 - g0 + 1;
        let chars = text
            .get(words[g0].range.start..words[g1].range.end)
            .map_or(0, |s| s.chars().count());
        if count < settings.min_words.max(SHINGLE)
            || chars < settings.min_chars
            || stretch.similarity() < MIN_SIMILARITY
        {
            return false;
        }
        let mut content: Vec<u32> = stretch
            .pairs
            .iter()
            .filter_map(|p| match *p {
                Pair::Match(g, _) if !function[g] => Some(words[g].term),
                _ => None,
            })
            .collect();
        content.sort_unstable();
        content.dedup();
        if content.len() < MIN_CONTENT_WORDS {
            return false;
        }
        !self.is_common(&longest_exact_run(stretch, words))
    }

    /// Whether a phrase (term ids) occurs in so many sources that it is a set phrase or boilerplate.
    fn is_common(&self, phrase: &[u32]) -> bool {
        let live = self.len();
        let cut = COMMON_MIN_SOURCES.max((live as f32 * COMMON_SHARE).ceil() as usize);
        if phrase.is_empty() || live < cut {
            return false;
        }
        let Some(&rarest) = phrase
            .iter()
            .min_by_key(|&&t| self.document_frequency(t).unwrap_or(0))
        else {
            return false;
        };
        if (self.document_frequency(rarest).unwrap_or(0) as usize) < cut {
            return false;
        }
        let (base, extra) = self.postings_of(rarest);
        let mut found = 0;
        for &id in base.iter().chain(extra).take(MAX_PHRASE_SCAN) {
            if !self.is_live(id) {
                continue;
            }
            let terms = self.terms(id);
            if terms.windows(phrase.len()).any(|w| w == phrase) {
                found += 1;
                if found >= cut {
                    return true;
                }
            }
        }
        false
    }

    /// Groups stretches of different sources covering the same draft words: the closest match (then the
    /// earliest dated source, then the first key) is named, the others are listed.
    fn group(&self, text: &str, words: &[Word], mut stretches: Vec<Stretch>) -> Vec<Copied> {
        let rank = |s: &Stretch| {
            let source = self.source(s.source);
            (
                std::cmp::Reverse((s.similarity() * 1000.0) as u32),
                std::cmp::Reverse(s.matched()),
                source
                    .and_then(|s| s.metadata.date.as_deref())
                    .and_then(date_key)
                    .unwrap_or(u32::MAX),
                source.map(|s| s.key.clone()).unwrap_or_default(),
            )
        };
        stretches.sort_by_cached_key(rank);
        let mut groups: Vec<(Stretch, Vec<Stretch>)> = Vec::new();
        for stretch in stretches {
            let Some((g0, g1)) = stretch.draft_span() else {
                continue;
            };
            let overlapping = groups.iter_mut().find(|(named, _)| {
                let Some((a0, a1)) = named.draft_span() else {
                    return false;
                };
                let overlap = (g1.min(a1) + 1).saturating_sub(g0.max(a0));
                overlap * 2 >= (g1 - g0 + 1).min(a1 - a0 + 1)
            });
            match overlapping {
                Some((named, others)) => {
                    if named.source != stretch.source
                        && !others.iter().any(|o| o.source == stretch.source)
                    {
                        others.push(stretch);
                    }
                }
                None => groups.push((stretch, Vec::new())),
            }
        }
        let mut copied: Vec<Copied> = groups
            .into_iter()
            .map(|(named, others)| self.copied(text, words, &named, &others))
            .collect();
        copied.sort_by_key(|c| c.range.start);
        copied
    }

    /// The passage of a stretch in its source.
    fn copied_passage(&self, stretch: &Stretch) -> CopiedPassage {
        let range = match stretch.source_span() {
            Some((s0, s1)) => {
                self.word_range(stretch.source, s0).start..self.word_range(stretch.source, s1).end
            }
            None => 0..0,
        };
        CopiedPassage {
            source: stretch.source,
            range,
            similarity: stretch.similarity(),
        }
    }

    fn copied(&self, text: &str, words: &[Word], named: &Stretch, others: &[Stretch]) -> Copied {
        let (g0, g1) = named.draft_span().unwrap_or((0, 0));
        Copied {
            range: words[g0].range.start..words[g1].range.end,
            segments: Vec::new(),
            words: g1 - g0 + 1,
            matched: named.matched(),
            passage: self.copied_passage(named),
            edits: self.stretch_edits(text, words, named),
            also_in: others.iter().map(|s| self.copied_passage(s)).collect(),
        }
    }

    /// Runs of differences of a stretch as edits (draft and source byte ranges, the words on both sides).
    fn stretch_edits(&self, text: &str, words: &[Word], stretch: &Stretch) -> Vec<Edit> {
        let source = stretch.source;
        let source_text = self.source(source).map_or("", |s| s.text.as_str());
        let mut edits = Vec::new();
        let mut index = 0;
        let mut last_match: Option<(usize, usize)> = None;
        let pairs = &stretch.pairs;
        while index < pairs.len() {
            if let Pair::Match(g, s) = pairs[index] {
                last_match = Some((g, s));
                index += 1;
                continue;
            }
            let mut draft: Vec<usize> = Vec::new();
            let mut sourced: Vec<usize> = Vec::new();
            while index < pairs.len() && !matches!(pairs[index], Pair::Match(..)) {
                match pairs[index] {
                    Pair::Substitute(g, s) => {
                        draft.push(g);
                        sourced.push(s);
                    }
                    Pair::Added(g) => draft.push(g),
                    Pair::Missing(s) => sourced.push(s),
                    Pair::Match(..) => {}
                }
                index += 1;
            }
            let kind = match (draft.is_empty(), sourced.is_empty()) {
                (false, false) => EditKind::Substituted,
                (false, true) => EditKind::Added,
                _ => EditKind::Missing,
            };
            let quote_range = match (draft.first(), draft.last()) {
                (Some(&a), Some(&b)) => words[a].range.start..words[b].range.end,
                _ => {
                    let at = last_match.map_or(0, |(g, _)| words[g].range.end);
                    at..at
                }
            };
            let source_range = match (sourced.first(), sourced.last()) {
                (Some(&a), Some(&b)) => {
                    self.word_range(source, a).start..self.word_range(source, b).end
                }
                _ => {
                    let at = last_match.map_or(0, |(_, s)| self.word_range(source, s).end);
                    at..at
                }
            };
            edits.push(Edit {
                kind,
                quote_words: collapse(text.get(quote_range.clone()).unwrap_or_default()),
                source_words: collapse(source_text.get(source_range.clone()).unwrap_or_default()),
                context: last_match
                    .map(|(g, _)| text[words[g].range.clone()].to_string())
                    .unwrap_or_default(),
                quote_range,
                source_range,
            });
        }
        edits
    }
}

/// The distinct values of a slice, sorted.
fn distinct(terms: &[u32]) -> Vec<u32> {
    let mut sorted = terms.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    sorted
}

/// Scratch space for the windows' votes: a score per source id and the ids scored, reset after each window
/// (a dense array, not a hash map: the votes of a window touch up to [`VOTE_POSTINGS`] sources).
#[derive(Default)]
struct Votes {
    scores: Vec<f32>,
    touched: Vec<SourceId>,
}

/// A chain of seeds on about one diagonal: draft words and source words it covers.
#[derive(Clone, Debug)]
struct Cluster {
    draft: Range<usize>,
    source: Range<usize>,
}

/// Chains seeds (sorted by draft word) into clusters: a seed joins a cluster of the same run whose last seed is
/// at most a shingle plus [`MERGE_GAP`] words before it on both sides, on a diagonal within `MERGE_GAP`.
fn clusters(seeds: &[(usize, usize)], words: &[Word]) -> Vec<Cluster> {
    struct Open {
        cluster: Cluster,
        last: (usize, usize),
    }
    let mut open: Vec<Open> = Vec::new();
    // The clusters a seed may still join: seeds come by draft word, so one whose last seed is too far behind
    // stays closed (this keeps a paragraph of thousands of seeds linear).
    let mut active: Vec<usize> = Vec::new();
    for &(g, s) in seeds {
        let diagonal = s as isize - g as isize;
        active.retain(|&i| g <= open[i].last.0 + SHINGLE + MERGE_GAP);
        let found = active.iter().rev().copied().find(|&i| {
            let o = &open[i];
            let (lg, ls) = o.last;
            words[lg].run == words[g].run
                && lg < g
                && g <= lg + SHINGLE + MERGE_GAP
                && ls < s
                && s <= ls + SHINGLE + MERGE_SOURCE_GAP
                && (diagonal - (ls as isize - lg as isize)).unsigned_abs() <= MERGE_GAP
                && g + SHINGLE - o.cluster.draft.start <= MAX_CLUSTER_WORDS
        });
        match found {
            Some(i) => {
                let o = &mut open[i];
                o.cluster.draft.end = o.cluster.draft.end.max(g + SHINGLE);
                o.cluster.source.end = o.cluster.source.end.max(s + SHINGLE);
                o.last = (g, s);
            }
            None => {
                active.push(open.len());
                open.push(Open {
                    cluster: Cluster {
                        draft: g..g + SHINGLE,
                        source: s..s + SHINGLE,
                    },
                    last: (g, s),
                });
            }
        }
    }
    open.into_iter().map(|o| o.cluster).collect()
}

/// Merges stretches of one source that overlap or lie close together in order on both sides, and drops
/// duplicates (two clusters cutting out the same stretch).
fn merge(mut stretches: Vec<Stretch>, words: &[Word]) -> Vec<Stretch> {
    stretches.sort_by_key(|s| (s.source, s.draft_span(), s.source_span()));
    let mut merged: Vec<Stretch> = Vec::new();
    for stretch in stretches {
        let (Some((g0, g1)), Some((s0, _))) = (stretch.draft_span(), stretch.source_span()) else {
            continue;
        };
        if let Some(last) = merged.last_mut() {
            if last.source == stretch.source {
                let (a0, a1) = last.draft_span().unwrap_or((0, 0));
                let (b0, b1) = last.source_span().unwrap_or((0, 0));
                if g0 <= a1 {
                    // Overlapping in the draft: keep the better one.
                    if (g1 - g0, stretch.matched()) > (a1 - a0, last.matched()) && s0 >= b0 {
                        *last = stretch;
                    }
                    continue;
                }
                let same_run = words[a1].run == words[g0].run;
                if same_run && g0 <= a1 + MERGE_GAP + 1 && s0 > b1 && s0 <= b1 + MERGE_SOURCE_GAP {
                    // The words between the two stretches: paired as substitutions, the rest added or missing.
                    let draft_gap: Vec<usize> = (a1 + 1..g0).collect();
                    let source_gap: Vec<usize> = (b1 + 1..s0).collect();
                    for i in 0..draft_gap.len().max(source_gap.len()) {
                        last.pairs
                            .push(match (draft_gap.get(i), source_gap.get(i)) {
                                (Some(&g), Some(&s)) => Pair::Substitute(g, s),
                                (Some(&g), None) => Pair::Added(g),
                                (None, Some(&s)) => Pair::Missing(s),
                                (None, None) => continue,
                            });
                    }
                    last.pairs.extend(stretch.pairs);
                    continue;
                }
            }
        }
        merged.push(stretch);
    }
    merged
}

/// The longest run of consecutive matched words of a stretch, as term ids.
fn longest_exact_run(stretch: &Stretch, words: &[Word]) -> Vec<u32> {
    let mut best: &[Pair] = &[];
    let mut from = 0;
    for (index, pair) in stretch.pairs.iter().enumerate() {
        if !matches!(pair, Pair::Match(..)) {
            from = index + 1;
            continue;
        }
        if index + 1 - from > best.len() {
            best = &stretch.pairs[from..=index];
        }
    }
    best.iter()
        .filter_map(|p| match *p {
            Pair::Match(g, _) => Some(words[g].term),
            _ => None,
        })
        .collect()
}

/// A hash of a few term ids (order matters).
fn shingle_hash(terms: &[u32]) -> u64 {
    let mut hash = 0x9E37_79B9_7F4A_7C15u64;
    for &term in terms {
        hash = (hash ^ u64::from(term)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        hash ^= hash >> 29;
    }
    hash
}

/// `YYYY-MM-DD` (or `YYYY/MM/DD`, optionally followed by a time) → a sortable number.
fn date_key(date: &str) -> Option<u32> {
    let digits: Vec<u32> = date
        .get(..10)?
        .split(['-', '/'])
        .map(|part| part.parse::<u32>().ok())
        .collect::<Option<Vec<u32>>>()?;
    match digits[..] {
        [year, month, day]
            if year > 999 && (1..=12).contains(&month) && (1..=31).contains(&day) =>
        {
            Some(year * 10_000 + month * 100 + day)
        }
        _ => None,
    }
}

/// Whether a short copied stretch is the credit line of a quotation in its sentence: it holds the speaker the
/// quotation is attributed to (`…," said Sara Lind, a spokeswoman for the health board.`). Naming who spoke
/// as the source names them is crediting the quote, not copying.
fn names_speaker(
    text: &str,
    format: TextFormat,
    range: &Range<usize>,
    words: usize,
    quotes: &[Range<usize>],
) -> bool {
    if words > MAX_SPEAKER_WORDS {
        return false;
    }
    let start = sentence_start(text, range.start);
    let end = sentence_end(text, range.end).max(range.end);
    let at = quotes.partition_point(|q| q.end <= start);
    let in_sentence: Vec<&Range<usize>> =
        quotes[at..].iter().take_while(|q| q.start < end).collect();
    if in_sentence.is_empty() {
        return false;
    }
    let attributor = Attributor::around(text, format, range);
    in_sentence.into_iter().any(|quote| {
        attributor
            .at(quote)
            .is_some_and(|a| a.range.start < range.end && range.start < a.range.end)
    })
}

/// Whether a word range lies inside one of the (sorted, disjoint) quotation ranges.
fn inside_any(quotes: &[Range<usize>], range: &Range<usize>) -> bool {
    let at = quotes.partition_point(|q| q.end <= range.start);
    quotes
        .get(at)
        .is_some_and(|q| q.start <= range.start && range.end <= q.end)
}

/// Calls `found` with each word of a paragraph's prose `segments` outside every quotation (`quotes`: outer
/// ranges, sorted) and the run it belongs to: runs are numbered from 0 and a quotation starts the next.
fn for_each_prose_word(
    text: &str,
    segments: &[Range<usize>],
    quotes: &[Range<usize>],
    mut found: impl FnMut(Range<usize>, u32),
) {
    let mut run = 0u32;
    let mut inside_before = false;
    for segment in segments {
        for_each_word(text, segment.clone(), |range| {
            if inside_any(quotes, &range) {
                if !inside_before {
                    run += 1;
                }
                inside_before = true;
                return;
            }
            inside_before = false;
            found(range, run);
        });
    }
}

/// The draft's prose blocks with their cache keys, and its quotations' outer ranges (sorted), every quotation
/// counted whatever its length.
fn paragraphs(text: &str, format: TextFormat) -> (Vec<Paragraph>, Vec<Range<usize>>) {
    let settings = EngineSettings {
        min_words: 1,
        ..EngineSettings::default()
    };
    let mut quotes: Vec<Range<usize>> = find_quotes(text, format, &settings)
        .into_iter()
        .map(|q| q.outer)
        .collect();
    quotes.sort_by_key(|q| q.start);
    let mut paragraphs = Vec::new();
    for block in prose(text, format).blocks {
        let (Some(first), Some(last)) = (block.segments.first(), block.segments.last()) else {
            continue;
        };
        let start = first.start;
        let end = last.end;
        let mut key = text.get(start..end).unwrap_or_default().to_string();
        for segment in &block.segments {
            key.push_str(&format!(
                "\u{0}{}:{}",
                segment.start - start,
                segment.end - start
            ));
        }
        let at = quotes.partition_point(|q| q.end <= start);
        for quote in quotes[at..].iter().take_while(|q| q.start < end) {
            key.push_str(&format!(
                "\u{1}{}:{}",
                quote.start as isize - start as isize,
                quote.end as isize - start as isize
            ));
        }
        paragraphs.push(Paragraph {
            start,
            key,
            segments: block.segments,
        });
    }
    (paragraphs, quotes)
}

/// The draft's prose outside quotations in windows of [`WINDOW`] words, each overlapping the next by half, as
/// the byte ranges of `text` each window covers (clipped to its paragraph's prose segments): what a search for
/// copied text in sources not held here (the shared archive) is asked about. A run of words between two
/// quotations is never joined to the next; runs shorter than `min_words` words are left out. Every stretch of
/// up to half a window lies whole inside some window.
pub fn prose_windows(text: &str, format: TextFormat, min_words: usize) -> Vec<Vec<Range<usize>>> {
    let (paragraphs, quotes) = paragraphs(text, format);
    let mut windows = Vec::new();
    let step = WINDOW / 2;
    for paragraph in paragraphs {
        // The paragraph's runs of words outside quotations.
        let mut runs: Vec<(u32, Vec<Range<usize>>)> = Vec::new();
        for_each_prose_word(
            text,
            &paragraph.segments,
            &quotes,
            |range, run| match runs.last_mut() {
                Some((last, words)) if *last == run => words.push(range),
                _ => runs.push((run, vec![range])),
            },
        );
        for (_, run) in runs {
            if run.len() < min_words.max(1) {
                continue;
            }
            let mut start = 0;
            loop {
                let end = (start + WINDOW).min(run.len());
                let span = run[start].start..run[end - 1].end;
                windows.push(
                    paragraph
                        .segments
                        .iter()
                        .map(|s| s.start.max(span.start)..s.end.min(span.end))
                        .filter(|s| s.start < s.end)
                        .collect(),
                );
                if end == run.len() {
                    break;
                }
                // The last window ends with the run, so none is shorter than needed.
                start = (start + step).min(run.len().saturating_sub(WINDOW));
            }
        }
    }
    windows
}

/// Collapses runs of whitespace to one space and trims.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// English function words: a stretch made of them alone is never copying, and shingles of them alone do not
/// seed.
#[rustfmt::skip]
const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
    "could", "did", "do", "does", "doing", "down", "during", "each", "even", "few", "for", "from", "further", "had",
    "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if",
    "in", "into", "is", "it", "it's", "its", "itself", "just", "may", "me", "might", "more", "most", "must", "my",
    "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours",
    "ourselves", "out", "over", "own", "said", "same", "says", "she", "should", "so", "some", "still", "such",
    "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "us", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
    "yourselves", "shall", "upon", "per", "via", "yet", "however", "although", "though", "since",
    "whether", "within", "without", "across", "among", "around", "along", "near", "many", "much", "every",
    "another", "there's", "that's", "don't", "didn't", "doesn't", "isn't", "wasn't", "aren't", "weren't", "won't",
    "can't", "two", "three", "new", "like",
];

/// The term hashes of [`FUNCTION_WORDS`].
static FUNCTION_HASHES: std::sync::LazyLock<std::collections::HashSet<TermHash>> =
    std::sync::LazyLock::new(|| {
        let mut scratch = String::new();
        FUNCTION_WORDS
            .iter()
            .map(|w| term_hash(w, &mut scratch))
            .collect()
    });

/// Whether the sentence around a copied stretch credits one of its sources: names its author or outlet (or
/// the outlet's initials), its title, its url or site, or its file name — in the text before or after the
/// stretch, in a link's target, or in the definition of a footnote or link reference the sentence uses.
pub fn credited(text: &str, range: &Range<usize>, sources: &[&super::Source]) -> bool {
    let start = sentence_start(text, range.start);
    let end = sentence_end(text, range.end).max(range.end);
    let mut context = String::new();
    context.push_str(text.get(start..range.start).unwrap_or_default());
    context.push(' ');
    context.push_str(text.get(range.end..end).unwrap_or_default());
    // A closing footnote or link just past the sentence end (`… tariffs.[^1]`).
    let tail: String = text
        .get(end..)
        .unwrap_or_default()
        .chars()
        .take(200)
        .take_while(|&c| c != '\n')
        .collect();
    let tail_reference = tail.trim_start().starts_with("[^") || tail.trim_start().starts_with('[');
    if tail_reference {
        context.push(' ');
        context.push_str(&tail);
    }
    // Footnote and link reference definitions used by the sentence.
    let mut definitions = String::new();
    for label in reference_labels(&context) {
        for line in text.lines() {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix(&format!("[{label}]:")) {
                definitions.push(' ');
                definitions.push_str(rest);
            }
        }
    }
    context.push_str(&definitions);
    let context_words = normal_words(&context);
    let lower = context.to_lowercase();
    sources
        .iter()
        .any(|source| names_source(&lower, &context_words, &context, source))
}

/// The labels of `[^note]` footnote references and `[text][label]` reference links in a text.
fn reference_labels(text: &str) -> Vec<String> {
    let mut labels = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find(']') else {
            break;
        };
        let label = &after[..close];
        let before_ok = label.starts_with('^') || rest[..open].ends_with(']');
        if before_ok && !label.is_empty() && label.len() < 100 && !label.contains('[') {
            labels.push(label.to_string());
        }
        rest = &after[close..];
    }
    labels
}

/// The normal forms of the words of a text.
fn normal_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(text, 0..text.len(), |range| {
        let mut normal = String::new();
        normalize_word(&text[range], &mut normal);
        out.push(normal);
    });
    out
}

/// Whether `needle` (normal words) occurs as consecutive words of `haystack`.
fn contains_words(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn names_source(lower: &str, words: &[String], raw: &str, source: &super::Source) -> bool {
    let metadata = &source.metadata;
    if let Some(author) = metadata.author.as_deref() {
        let name = normal_words(author);
        if contains_words(words, &name) {
            return true;
        }
        // A person's last name ("according to Hale"); an outlet's initials ("AP" for Associated Press).
        if name.len() >= 2 {
            if let Some(last) = name.last().filter(|l| l.chars().count() >= 3) {
                if !FUNCTION_WORDS.contains(&last.as_str())
                    && contains_words(words, std::slice::from_ref(last))
                {
                    return true;
                }
            }
            let initials: String = author
                .split_whitespace()
                .filter_map(|w| w.chars().next().filter(|c| c.is_uppercase()))
                .collect();
            if initials.chars().count() >= 2
                && raw
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| w == initials)
            {
                return true;
            }
        }
    }
    let title = normal_words(&metadata.title);
    if (title.len() >= 2 || metadata.title.chars().count() >= 8) && contains_words(words, &title) {
        return true;
    }
    if let Some(url) = metadata.url.as_deref() {
        let bare = url
            .trim()
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_start_matches("www.")
            .trim_end_matches('/')
            .to_lowercase();
        if !bare.is_empty() && lower.contains(&bare) {
            return true;
        }
        let host = bare.split(['/', '?', '#']).next().unwrap_or_default();
        if host.contains('.') && lower.contains(host) {
            return true;
        }
        // The site's name: "reuters" of reuters.com, "bbc" of bbc.co.uk, "cnn" of edition.cnn.com.
        let mut labels: Vec<&str> = host.split('.').collect();
        labels.pop();
        while labels.len() > 1
            && labels
                .last()
                .is_some_and(|l| matches!(*l, "co" | "com" | "org" | "net" | "gov" | "ac"))
        {
            labels.pop();
        }
        if let Some(site) = labels.last().filter(|s| s.len() >= 2) {
            if contains_words(words, &[site.to_string()]) {
                return true;
            }
        }
    }
    // A link to the source file itself.
    let file = source.key.rsplit(['/', '\\']).next().unwrap_or(&source.key);
    file.len() > 4 && lower.contains(&file.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "---\ntitle: China Supports Russia Against NATO Expansion\nauthor: Jane Hale\n\
        url: https://www.reuters.com/world/china-russia\ndate: 2022-02-04\n---\n\nChinese President Xi Jinping has \
        backed his Russian colleague Vladimir Putin by jointly calling for a halt to NATO's plans for expansion and \
        avoiding the Cold War mentality.\n\nThe two countries also stressed the need for cooperation between \
        governments around the world, given the challenges of fast-paced economic globalization.\n";

    fn corpus() -> Corpus {
        let mut corpus = Corpus::new();
        corpus.upsert_source("sources/xi.md", SOURCE.to_string(), TextFormat::Markdown);
        corpus.upsert_source(
            "sources/other.md",
            "Nothing about alliances here at all, only weather and sport.".into(),
            TextFormat::Markdown,
        );
        corpus
    }

    fn copied(draft: &str) -> Vec<String> {
        corpus()
            .find_copied(draft, TextFormat::Markdown, &ReuseSettings::default())
            .into_iter()
            .map(|c| draft[c.range].to_string())
            .collect()
    }

    /// The words of each window, joined by spaces.
    fn window_words(draft: &str, min_words: usize) -> Vec<String> {
        prose_windows(draft, TextFormat::Markdown, min_words)
            .into_iter()
            .map(|segments| {
                let mut words = Vec::new();
                for segment in segments {
                    for_each_word(draft, segment, |range| words.push(&draft[range]));
                }
                words.join(" ")
            })
            .collect()
    }

    #[test]
    fn prose_windows_leave_out_quotations_and_overlap_by_half() {
        let numbers: Vec<String> = (1..=40).map(|n| format!("w{n}")).collect();
        let draft = format!(
            "{}\n\nShe said \"these quoted words are never asked about\" and left it there.\n\n> A blockquote \
             is a quotation too, however long it runs on.\n",
            numbers.join(" ")
        );
        let windows = window_words(&draft, 3);
        // 40 words: 1–24, 13–36, then the last window ends with the run (17–40).
        let expect = |range: std::ops::RangeInclusive<usize>| {
            range.map(|n| format!("w{n}")).collect::<Vec<_>>().join(" ")
        };
        assert_eq!(windows[0], expect(1..=24));
        assert_eq!(windows[1], expect(13..=36));
        assert_eq!(windows[2], expect(17..=40));
        // A quotation splits its paragraph into runs; a run shorter than min_words is left out.
        assert_eq!(windows[3..], ["and left it there".to_string()]);
        assert_eq!(window_words(&draft, 5)[3..], [] as [String; 0]);
        assert!(window_words("\"All of it quoted, every single word of it.\"\n", 1).is_empty());
    }

    #[test]
    fn copied_sentence_and_changed_word() {
        let draft = "Intro of mine. The two countries also stressed the need for cooperation between governments \
                     around the world. More of my own words follow here.";
        assert_eq!(
            copied(draft),
            ["The two countries also stressed the need for cooperation between governments around the world"]
        );
        let draft = "The two nations also stressed the need for cooperation between governments around the world.";
        let found = corpus().find_copied(draft, TextFormat::Markdown, &ReuseSettings::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].edits.len(), 1, "{:?}", found[0].edits);
        assert_eq!(found[0].edits[0].quote_words, "nations");
    }

    #[test]
    fn clause_inside_own_sentence() {
        let draft = "Observers in Berlin noted that Xi Jinping has backed his Russian colleague Vladimir Putin by \
                     jointly calling for a halt, which surprised nobody.";
        assert_eq!(
            copied(draft),
            ["Xi Jinping has backed his Russian colleague Vladimir Putin by jointly calling for a halt"]
        );
    }

    #[test]
    fn quoted_text_is_not_copying() {
        let draft = "Reporters wrote “The two countries also stressed the need for cooperation between governments \
                     around the world” last week.";
        assert!(copied(draft).is_empty());
    }

    #[test]
    fn credits() {
        let corpus = corpus();
        let source = corpus.source(0).unwrap();
        for draft in [
            "The two countries also stressed the need for cooperation between governments around the world, \
             Reuters reported.",
            "According to reuters.com, the two countries also stressed the need for cooperation between governments.",
            "The two countries also stressed the need for cooperation between governments, Hale wrote.",
            "The two countries also stressed the need for cooperation between governments.[^1]\n\n[^1]: Reuters, 4 Feb.",
            "The two countries also stressed the need for cooperation between governments ([source](https://www.reuters.com/world/china-russia)).",
        ] {
            let found = corpus.find_copied(draft, TextFormat::Markdown, &ReuseSettings::default());
            assert_eq!(found.len(), 1, "{draft}");
            assert!(credited(draft, &found[0].range, &[source]), "{draft}");
        }
        let draft = "The two countries also stressed the need for cooperation between governments. Reuters said so.";
        let found = corpus.find_copied(draft, TextFormat::Markdown, &ReuseSettings::default());
        assert!(!credited(draft, &found[0].range, &[source]));
    }

    #[test]
    fn a_quotations_speaker_described_as_the_source_does_is_credit() {
        let mut corpus = Corpus::new();
        corpus.upsert_source(
            "sources/clinic.txt",
            "Clinic waiting times double\n\nSara Lind, a spokeswoman for the health board, said the board would \
             publish a recovery plan in May.\n"
                .into(),
            TextFormat::PlainText,
        );
        let settings = ReuseSettings::default();
        let draft =
            "\"We will publish the plan,\" said Sara Lind, a spokeswoman for the health board.";
        assert!(corpus
            .find_copied(draft, TextFormat::Markdown, &settings)
            .is_empty());
        // Without a quotation to credit, the same words are copied prose.
        let draft = "Sara Lind, a spokeswoman for the health board, is new.";
        assert_eq!(
            corpus
                .find_copied(draft, TextFormat::Markdown, &settings)
                .len(),
            1
        );
    }

    #[test]
    fn cache_reuses_paragraphs() {
        let corpus = corpus();
        let settings = ReuseSettings::default();
        let mut cache = ReuseCache::new();
        let draft = "First paragraph of mine.\n\nThe two countries also stressed the need for cooperation between \
                     governments around the world.\n";
        let first = corpus.find_copied_cached(draft, TextFormat::Markdown, &settings, &mut cache);
        assert_eq!(cache.last_misses, 2);
        let edited = format!("First paragraph of mine, longer.{}", &draft[24..]);
        let second =
            corpus.find_copied_cached(&edited, TextFormat::Markdown, &settings, &mut cache);
        assert_eq!((cache.last_hits, cache.last_misses), (1, 1));
        assert_eq!(
            second,
            corpus.find_copied(&edited, TextFormat::Markdown, &settings)
        );
        assert_eq!(second[0].range.start, first[0].range.start + 8);
    }
}
