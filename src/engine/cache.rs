//! The verdict cache: findings remembered by quote text, kept across source changes that cannot alter them.
use std::collections::HashMap;

use super::check::{drop_unsourced_titles, Parallelism, Trace, CANDIDATE_SOURCES, PARALLEL_QUOTES};
use super::corpus::vote::by_vote;
use super::corpus::{self, Corpus, CorpusRevision, SourceId, NO_TERM};
use super::credit::{credit_findings, SpeakerMemo};
use super::finding::Finding;
use super::normalize::TermHash;
use super::quotes::{find_quotes, Quote};
use super::{EngineSettings, TextFormat};

/// Verdicts remembered by the quote's exact text, so that an edit re-checks only the quotes it touched.
///
/// Settings changes clear it. A source change (the corpus's [`CorpusRevision`] moved) keeps each cached finding that
/// the change cannot have altered, so editing one source re-checks only the quotes that depended on it. Each
/// entry remembers what its verdict read from the corpus (`Dependencies`): the quote's unknown words, its
/// known terms with their document frequencies, how many of them voted for candidate sources, and the
/// candidate sources aligned with their vote scores (the 8th is the cut). When the corpus's history
/// ([`Corpus::changes_since`]) shows only sources inserted and removed, as many of each (an edit is both: the
/// source comes back under a new id; no postings rebuilt; so every term's weight depends only on its document
/// frequency), an entry stays valid iff
/// - its unknown words are still unknown and its terms' document frequencies are unchanged;
/// - the same number of its terms vote (postings lengths decide where the vote stops);
/// - every candidate source is still there;
/// - no added source has a vote score within 1% of the cut (or any vote, when there was no cut),
///
/// so its candidates, best passage and also-in list are what a full check would find. When the only
/// difference is candidates replaced by added sources of exactly their score (an edited source that kept the
/// quote's words), the candidate list is patched and the quote re-aligned without a new vote. Anything else (a
/// different number of sources, postings rebuilt, another corpus value, a history too long) clears it.
/// `check_draft_cached` returns exactly what [`Corpus::check_draft`] would (`tests/verdict_cache.rs`).
#[derive(Default)]
pub struct VerdictCache {
    /// The corpus version every entry is valid for.
    state: Option<CorpusRevision>,
    settings: Option<EngineSettings>,
    entries: HashMap<String, Cached>,
    /// Whom each source passage is credited to: a source's text only changes under a new id, so entries stay
    /// right; the map is emptied when it grows large or the settings change.
    speakers: SpeakerMemo,
    /// Quotes answered from the cache by the last check (for tests and logs).
    pub last_hits: usize,
    /// Cached quotes re-checked by the last check because a source change may have altered their verdict.
    pub last_invalidated: usize,
    /// Of those, the quotes whose candidate sources followed from the cached ones (no new vote).
    pub last_kept_candidates: usize,
}

impl VerdictCache {
    pub fn new() -> VerdictCache {
        VerdictCache::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A cached finding and what it was computed from.
struct Cached {
    finding: Finding,
    dependencies: Dependencies,
}

/// What a quote's verdict read from the corpus (see [`VerdictCache`]).
#[derive(Clone, Debug)]
struct Dependencies {
    /// Hashes of the quote's words no source contained: a new source may make them known.
    unknown: Vec<TermHash>,
    /// The quote's distinct known terms and their document frequencies.
    terms: Vec<(u32, u32)>,
    /// How many terms voted for candidate sources.
    voters: usize,
    /// The candidate sources that were aligned, best first, and their vote scores.
    candidates: Vec<(SourceId, f32)>,
}

impl Dependencies {
    /// The vote score of the `CANDIDATE_SOURCES`-th candidate; `None` when fewer sources had any vote (then any
    /// new source with a vote would be a candidate).
    fn cut(&self) -> Option<f32> {
        self.candidates.get(CANDIDATE_SOURCES - 1).map(|&(_, s)| s)
    }
}

/// Whether a cached finding survives a source change.
enum Validity {
    Valid,
    /// The candidates changed only by sources replaced with equally scored ones (an edited source comes back
    /// under a new id): re-check with these candidates, without voting again.
    Candidates(Vec<(SourceId, f32)>),
    Recheck,
}

/// What changed in a corpus since a cache's state.
enum Changes {
    /// Nothing: every entry is valid.
    None,
    /// Sources were added and removed, as many of each: each added source still in the corpus, with its sorted
    /// distinct terms.
    Sources(Vec<(SourceId, Vec<u32>)>),
    /// Anything else: no entry can be trusted.
    All,
}

/// Added sources beyond which a cache is cleared rather than checked entry by entry.
const MAX_ADDED_SOURCES: usize = 256;

/// The cache key of a quote: its text with marks, and where its segments lie relative to it.
fn cache_key(text: &str, quote: &Quote) -> String {
    let mut key = text
        .get(quote.outer.clone())
        .unwrap_or_default()
        .to_string();
    for segment in &quote.segments {
        key.push_str(&format!(
            "\u{0}{}:{}",
            segment.start - quote.outer.start,
            segment.end - quote.outer.start
        ));
    }
    key
}
impl Corpus {
    /// As [`Corpus::check_draft`], reusing the verdicts of quotes whose text has not changed and that no
    /// source change since can have altered (see [`VerdictCache`]).
    pub fn check_draft_cached(
        &self,
        text: &str,
        format: TextFormat,
        settings: &EngineSettings,
        cache: &mut VerdictCache,
    ) -> Vec<Finding> {
        let now = self.revision();
        let changes = match cache.state {
            _ if cache.settings.as_ref() != Some(settings) => Changes::All,
            Some(state) => self.cache_changes(state),
            None => Changes::All,
        };
        if matches!(changes, Changes::All) {
            cache.entries.clear();
            cache.speakers.clear();
        }
        cache.state = Some(now);
        cache.settings = Some(settings.clone());
        let mut hits = 0;
        let mut invalidated = 0;
        let mut kept_candidates = 0;
        // Each quote's cached finding if it is still valid, else what its check may start from; the checks
        // then run together (in parallel when there are enough of them) and the findings keep the draft's order.
        enum Work {
            Kept(Box<Cached>),
            Check(Quote, Option<Vec<(SourceId, f32)>>),
        }
        let mut keys = Vec::new();
        let mut work = Vec::new();
        for quote in find_quotes(text, format, settings)
            .into_iter()
            .filter(|q| !q.ignored)
        {
            let key = cache_key(text, &quote);
            let (validity, cached) = match (cache.entries.get(&key), &changes) {
                (None, _) => (Validity::Recheck, None),
                (Some(cached), Changes::Sources(added)) => {
                    (self.validity(&cached.dependencies, added), Some(cached))
                }
                (Some(cached), _) => (Validity::Valid, Some(cached)),
            };
            invalidated += usize::from(cached.is_some() && !matches!(validity, Validity::Valid));
            kept_candidates += usize::from(matches!(validity, Validity::Candidates(_)));
            work.push(match (validity, cached) {
                (Validity::Valid, Some(cached)) => {
                    hits += 1;
                    let delta =
                        quote.outer.start as isize - cached.finding.quote.outer.start as isize;
                    Work::Kept(Box::new(Cached {
                        finding: cached.finding.shifted(delta),
                        dependencies: cached.dependencies.clone(),
                    }))
                }
                (Validity::Candidates(sources), _) => Work::Check(quote, Some(sources)),
                (_, _) => Work::Check(quote, None),
            });
            keys.push(key);
        }
        // The same threshold as an uncached check, counted in quotes to check (kept ones cost nothing).
        let checks = work.iter().filter(|w| matches!(w, Work::Check(..))).count();
        let parallelism = if checks >= PARALLEL_QUOTES {
            Parallelism::Shared
        } else {
            Parallelism::Serial
        };
        let done = parallelism.map(work, |work| match work {
            Work::Kept(cached) => *cached,
            Work::Check(quote, sources) => {
                let mut trace = Trace::default();
                let finding =
                    self.check_quote_traced(text, quote, settings, sources, Some(&mut trace));
                Cached {
                    finding,
                    dependencies: Corpus::dependencies(trace),
                }
            }
        });
        let mut findings = Vec::with_capacity(done.len());
        let mut kept = HashMap::new();
        for (key, cached) in keys.into_iter().zip(done) {
            findings.push(cached.finding.clone());
            kept.insert(key, cached);
        }
        cache.entries = kept;
        cache.last_hits = hits;
        cache.last_invalidated = invalidated;
        cache.last_kept_candidates = kept_candidates;
        drop_unsourced_titles(&mut findings);
        if settings.attribution {
            if cache.speakers.len() > 20_000 {
                cache.speakers.clear();
            }
            credit_findings(self, text, format, &mut findings, &mut cache.speakers);
        }
        findings
    }
}

/// Share of the cut a new source's vote score must stay under for a cached finding to stay valid (the cut
/// itself lets ties within 0.1% in; the rest is margin).
const CUT_MARGIN: f32 = 0.99;

/// The verdict cache's view of the corpus: what changed since a cache's state, what a finding depended on.
impl Corpus {
    /// What changed since `version`, as the cache sees it: nothing; sources inserted and removed, as many of
    /// each (the number of sources decides every term's weight), with each inserted source still there and its
    /// distinct terms; or anything else.
    fn cache_changes(&self, version: CorpusRevision) -> Changes {
        match self.changes_since(version) {
            corpus::Changes::None => Changes::None,
            corpus::Changes::Sources {
                added,
                inserted,
                removed,
            } if inserted == removed && added.len() <= MAX_ADDED_SOURCES => Changes::Sources(
                added
                    .into_iter()
                    .map(|id| (id, self.distinct_terms(id)))
                    .collect(),
            ),
            _ => Changes::All,
        }
    }

    /// What a checked quote depended on, from what its check read.
    fn dependencies(trace: Trace) -> Dependencies {
        Dependencies {
            unknown: trace.unknown,
            terms: trace
                .vote
                .as_ref()
                .map_or_else(Vec::new, |vote| vote.terms().to_vec()),
            voters: trace.vote.as_ref().map_or(0, |vote| vote.voters()),
            candidates: trace.candidates,
        }
    }

    /// Whether a finding with these dependencies is still what a full check would give, after sources were
    /// added (`added`: their sorted distinct terms) and as many removed (see [`VerdictCache`]).
    ///
    /// With the same words, weights and voting terms, every source that was there before keeps its vote score,
    /// so the candidates can only change through sources removed or added. A candidate removed and a source
    /// added with exactly its score (an edited source that kept the quote's words) leave the scores above the
    /// cut as they were, so the new candidates are the old ones with the replacement in its place (after
    /// its ties: its id is newer), unless the list was cut at `2 * CANDIDATE_SOURCES` inside its ties.
    fn validity(&self, dependencies: &Dependencies, added: &[(SourceId, Vec<u32>)]) -> Validity {
        let same_words = dependencies
            .unknown
            .iter()
            .all(|&hash| self.term_id(hash) == NO_TERM)
            && dependencies
                .terms
                .iter()
                .all(|&(t, df)| self.document_frequency(t) == Some(df));
        if !same_words {
            return Validity::Recheck;
        }
        let vote = self.vote_of(dependencies.terms.clone());
        if vote.voters() != dependencies.voters {
            return Validity::Recheck;
        }
        let live = |id: SourceId| self.is_live(id);
        // Removed candidates, to be matched by added sources of the same score.
        let mut removed: Vec<f32> = dependencies
            .candidates
            .iter()
            .filter(|&&(id, _)| !live(id))
            .map(|&(_, score)| score)
            .collect();
        let cut = dependencies.cut();
        let mut replacements: Vec<(SourceId, f32)> = Vec::new();
        for (id, terms) in added {
            let score = vote.score(|t| terms.binary_search(&t).is_ok());
            if score == 0.0 || cut.is_some_and(|cut| score < cut * CUT_MARGIN) {
                continue;
            }
            match removed.iter().position(|r| r.to_bits() == score.to_bits()) {
                Some(at) => {
                    removed.swap_remove(at);
                    replacements.push((*id, score));
                }
                None => return Validity::Recheck,
            }
        }
        if !removed.is_empty() {
            return Validity::Recheck;
        }
        if replacements.is_empty() {
            return Validity::Valid;
        }
        // A full list cut inside the ties of a replaced source: sources past the cut could move up.
        let last = dependencies.candidates.last().map_or(0.0, |&(_, s)| s);
        if dependencies.candidates.len() >= 2 * CANDIDATE_SOURCES
            && replacements.iter().any(|&(_, score)| score <= last)
        {
            return Validity::Recheck;
        }
        let mut candidates: Vec<(SourceId, f32)> = dependencies
            .candidates
            .iter()
            .copied()
            .filter(|&(id, _)| live(id))
            .chain(replacements)
            .collect();
        candidates.sort_by(by_vote);
        Validity::Candidates(candidates)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::check::tests::corpus;

    #[test]
    fn cache_reuses_and_shifts() {
        let corpus = corpus();
        let settings = EngineSettings::default();
        let mut cache = VerdictCache::new();
        let draft = "Intro. “the parties oppose the further expansion of NATO”";
        let first = corpus.check_draft_cached(draft, TextFormat::Markdown, &settings, &mut cache);
        let edited = format!("Longer intro. {draft}");
        let second =
            corpus.check_draft_cached(&edited, TextFormat::Markdown, &settings, &mut cache);
        assert_eq!(cache.last_hits, 1);
        assert_eq!(
            second,
            corpus.check_draft(&edited, TextFormat::Markdown, &settings)
        );
        assert_eq!(second[0].quote.range.start, first[0].quote.range.start + 14);
    }

    /// Quotes checked on rayon's pool give the findings of a check on one thread, in the draft's order, and so
    /// does a cached check that re-checks some quotes and keeps others.
    #[test]
    fn parallel_checks_match_serial_ones() {
        let corpus = corpus();
        let settings = EngineSettings::default();
        let draft = "They said “the parties oppose the further expansion of NATO”. Then: \"The parties oppose \
                     the further expansion of NATO and call on the North Atlantic Alliance\". And “bananas are an \
                     excellent source of potassium”. Again “the parties oppose the expansion of NATO”. Last, \
                     “Nothing about alliances here at all”.";
        let serial =
            corpus.check_draft_with(draft, TextFormat::Markdown, &settings, Parallelism::Serial);
        assert_eq!(serial.len(), 5);
        assert_eq!(
            corpus.check_draft_with(draft, TextFormat::Markdown, &settings, Parallelism::Shared),
            serial
        );
        let mut cache = VerdictCache::new();
        assert_eq!(
            corpus.check_draft_cached(draft, TextFormat::Markdown, &settings, &mut cache),
            serial
        );
        let edited = draft.replace("bananas", "apples");
        let cached =
            corpus.check_draft_cached(&edited, TextFormat::Markdown, &settings, &mut cache);
        assert_eq!(cache.last_hits, 4);
        assert_eq!(
            cached,
            corpus.check_draft_with(
                &edited,
                TextFormat::Markdown,
                &settings,
                Parallelism::Serial
            )
        );
    }
}
