//! Verdicts: picks the best passage for each quote and turns its alignment into a [`Finding`].
use std::ops::Range;

use super::attribution::Attribution;
use super::index::SourceId;
use super::quotes::Quote;

/// What a careful editor would say of a quotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// A source contains the quote word for word (typography and editorial marks aside).
    Verified,
    /// A source contains the quote with altered wording.
    Drift,
    /// No source contains anything close to the quote.
    Unsourced,
    /// A source has the words, but credits them to someone other than the draft's speaker.
    Misattributed,
}

impl Verdict {
    /// The stable code used in diagnostics, JSON and SARIF.
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Drift => "drift",
            Verdict::Unsourced => "unsourced",
            Verdict::Misattributed => "misattributed",
        }
    }

    pub fn from_code(code: &str) -> Option<Verdict> {
        match code {
            "verified" => Some(Verdict::Verified),
            "drift" => Some(Verdict::Drift),
            "unsourced" => Some(Verdict::Unsourced),
            "misattributed" => Some(Verdict::Misattributed),
            _ => None,
        }
    }
}

/// How one run of words differs between the quote and the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EditKind {
    /// The quote has other words where the source has these.
    Substituted,
    /// The source has words that the quote leaves out (without an ellipsis).
    Missing,
    /// The quote has words the source does not have (outside brackets).
    Added,
    /// The same words stand in another order.
    Reordered,
}

impl EditKind {
    pub fn name(self) -> &'static str {
        match self {
            EditKind::Substituted => "substituted",
            EditKind::Missing => "missing",
            EditKind::Added => "added",
            EditKind::Reordered => "reordered",
        }
    }
}

/// One difference. Ranges are byte ranges; an empty range marks the point where words are missing or added.
#[derive(Clone, Debug, PartialEq)]
pub struct Edit {
    pub kind: EditKind,
    /// In the draft.
    pub quote_range: Range<usize>,
    /// In the source's text.
    pub source_range: Range<usize>,
    /// The quote's words here, as written in the draft (whitespace collapsed).
    pub quote_words: String,
    /// The source's words here, as written in the source (whitespace collapsed).
    pub source_words: String,
    /// The matched word just before the edit, as written in the draft (empty at the start), so a message can
    /// say “call on” for “call for” rather than “on” for “for”.
    pub context: String,
}

/// A stretch of one source.
#[derive(Clone, Debug, PartialEq)]
pub struct Passage {
    pub source: SourceId,
    /// The words the quote aligns with, as bytes of the source's text.
    pub range: Range<usize>,
    /// The whole sentence(s) around `range`.
    pub sentence: Range<usize>,
}

/// The verdict on one quotation, with everything needed to explain and repair it.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub quote: Quote,
    pub verdict: Verdict,
    /// The best passage; `None` for `unsourced` quotes.
    pub passage: Option<Passage>,
    /// The differences from the passage (empty when verified).
    pub edits: Vec<Edit>,
    /// Share of the quote's words found in order in the passage (0–1).
    pub similarity: f32,
    /// Warnings worth a writer's attention, such as an ellipsis that drops a negation.
    pub notes: Vec<String>,
    /// Other sources that also contain the quote (as well as the best one).
    pub also_in: Vec<Passage>,
    /// One line for a diagnostic or a terminal.
    pub message: String,
    /// Who the draft credits the quote to, if anyone.
    pub attribution: Option<Attribution>,
    /// Who the passage's source credits the words to, if anyone.
    pub source_attribution: Option<Attribution>,
}

use std::collections::HashMap;

use super::align::{align, quote_items, Alignment, Item, Step};
use super::attribution::check::credit_findings;
use super::index::{by_vote, distinct, Corpus, CorpusInstance, FastMap, NO_TERM};
use super::normalize::{is_negation, normalize_word, TermHash};
use super::quotes::{find_quotes, shift_range};
use super::sentence::sentence_around;
use super::{EngineSettings, TextFormat};

/// Sources aligned per quote (the best by shared rare terms; near-duplicates that tie are added).
const CANDIDATE_SOURCES: usize = 8;
/// Windows aligned per candidate source.
const WINDOWS_PER_SOURCE: usize = 2;

/// Verdicts remembered by the quote's exact text, so that an edit re-checks only the quotes it touched.
///
/// Settings changes clear it. A source change (the corpus `generation` moved) keeps each cached finding that
/// the change cannot have altered, so editing one source re-checks only the quotes that depended on it. Each
/// entry remembers what its verdict read from the corpus (`Dependencies`): the quote's unknown words, its
/// known terms with their document frequencies, how many of them voted for candidate sources, and the
/// candidate sources aligned with their vote scores (the 8th is the cut). When the corpus moved on by adding
/// and removing sources only, as many of each (an edit is both: the source comes back under a new id, at or
/// above the cache's id watermark; no compaction; so every term's weight depends only on its document
/// frequency), an entry stays valid iff
/// - its unknown words are still unknown and its terms' document frequencies are unchanged;
/// - the same number of its terms vote (postings lengths decide where the vote stops);
/// - every candidate source is still there;
/// - no added source has a vote score within 1% of the cut (or any vote, when there was no cut),
///
/// so its candidates, best passage and also-in list are what a full check would find. When the only
/// difference is candidates replaced by added sources of exactly their score (an edited source that kept the
/// quote's words), the candidate list is patched and the quote re-aligned without a new vote. Anything else (a
/// different number of sources, a compaction, a corpus whose history does not add up) clears it.
/// `check_draft_cached` returns exactly what [`Corpus::check_draft`] would (`tests/verdict_cache.rs`).
#[derive(Default)]
pub struct VerdictCache {
    /// The corpus every entry is valid for.
    state: Option<CorpusState>,
    settings: Option<EngineSettings>,
    entries: HashMap<String, Cached>,
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
    Candidates(Vec<SourceId>),
    Recheck,
}

/// The corpus counters a cache is valid for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct CorpusState {
    generation: u64,
    /// Sources ever inserted: ids at or above this were added later.
    ids: usize,
    live: usize,
    dead: usize,
    /// The corpus value itself: one built anew (a re-index) is another, even with the same counters.
    instance: CorpusInstance,
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

impl Finding {
    /// The draft range a diagnostic marks: the speaker's name for a misattribution, else the quote.
    pub fn range(&self) -> Range<usize> {
        match (&self.verdict, &self.attribution) {
            (Verdict::Misattributed, Some(attribution)) => attribution.range.clone(),
            _ => self.quote.range.clone(),
        }
    }

    /// The finding moved by `delta` bytes in the draft.
    fn shifted(&self, delta: isize) -> Finding {
        let mut finding = self.clone();
        finding.quote = self.quote.shifted(delta);
        for edit in &mut finding.edits {
            edit.quote_range = shift_range(&edit.quote_range, delta);
        }
        finding
    }
}

/// A run of consecutive differences: quote item indices, absolute source word indices, and the quote item
/// and source word just before the run.
type Run = (Vec<usize>, Vec<usize>, Option<usize>, Option<usize>);

/// One aligned candidate.
struct Candidate {
    source: SourceId,
    window_start: usize,
    alignment: Alignment,
}

impl Corpus {
    /// Finds every quotation in a draft and gives each its verdict. Quotes marked to be ignored are left out.
    pub fn check_draft(
        &self,
        text: &str,
        format: TextFormat,
        settings: &EngineSettings,
    ) -> Vec<Finding> {
        let mut findings = find_quotes(text, format, settings)
            .into_iter()
            .filter(|quote| !quote.ignored)
            .map(|quote| self.check_quote(text, quote, settings))
            .collect();
        if settings.attribution {
            credit_findings(self, text, format, &mut findings);
        }
        findings
    }

    /// As [`Corpus::check_draft`], reusing the verdicts of quotes whose text has not changed and that no
    /// source change since can have altered (see [`VerdictCache`]).
    pub fn check_draft_cached(
        &self,
        text: &str,
        format: TextFormat,
        settings: &EngineSettings,
        cache: &mut VerdictCache,
    ) -> Vec<Finding> {
        let now = self.cache_state();
        let changes = match cache.state {
            _ if cache.settings.as_ref() != Some(settings) => Changes::All,
            Some(state) if state == now => Changes::None,
            Some(state) => self.changes_since(state),
            None => Changes::All,
        };
        if matches!(changes, Changes::All) {
            cache.entries.clear();
        }
        cache.state = Some(now);
        cache.settings = Some(settings.clone());
        let mut kept = HashMap::new();
        let mut hits = 0;
        let mut invalidated = 0;
        let mut kept_candidates = 0;
        let mut findings = Vec::new();
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
            let cached = match (validity, cached) {
                (Validity::Valid, Some(cached)) => {
                    hits += 1;
                    let delta =
                        quote.outer.start as isize - cached.finding.quote.outer.start as isize;
                    Cached {
                        finding: cached.finding.shifted(delta),
                        dependencies: cached.dependencies.clone(),
                    }
                }
                (validity, _) => {
                    let sources = match validity {
                        Validity::Candidates(sources) => Some(sources),
                        _ => None,
                    };
                    let mut trace = Trace::default();
                    let finding =
                        self.check_quote_traced(text, quote, settings, sources, Some(&mut trace));
                    Cached {
                        finding,
                        dependencies: self.dependencies(trace),
                    }
                }
            };
            findings.push(cached.finding.clone());
            kept.insert(key, cached);
        }
        cache.entries = kept;
        cache.last_hits = hits;
        cache.last_invalidated = invalidated;
        cache.last_kept_candidates = kept_candidates;
        if settings.attribution {
            credit_findings(self, text, format, &mut findings);
        }
        findings
    }

    /// The verdict on one quote of `text`.
    pub fn check_quote(&self, text: &str, quote: Quote, settings: &EngineSettings) -> Finding {
        self.check_quote_traced(text, quote, settings, None, None)
    }

    /// As [`Corpus::check_quote`], with the candidate sources when they are known already, noting in `trace` what
    /// the verdict read from the corpus.
    fn check_quote_traced(
        &self,
        text: &str,
        quote: Quote,
        settings: &EngineSettings,
        sources: Option<Vec<SourceId>>,
        trace: Option<&mut Trace>,
    ) -> Finding {
        let mut items = quote_items(text, &quote.segments);
        let mut notes = Vec::new();
        let word_total = items
            .iter()
            .filter(|i| matches!(i, Item::Word { .. }))
            .count();
        if word_total > settings.max_quote_words {
            let mut words = 0;
            items.retain(|item| {
                words += usize::from(matches!(item, Item::Word { .. }));
                words <= settings.max_quote_words
            });
            notes.push(format!(
                "only the first {} words were checked",
                settings.max_quote_words
            ));
        }
        let quote_terms: Vec<u32> = items
            .iter()
            .map(|item| match item {
                Item::Word { hash, .. } => self.term_id(*hash),
                _ => NO_TERM,
            })
            .collect();
        let word_count = items
            .iter()
            .filter(|i| matches!(i, Item::Word { .. }))
            .count();
        let mut trace = trace;
        let mut scorer = None;
        if let Some(trace) = trace.as_deref_mut() {
            for (item, &term) in items.iter().zip(&quote_terms) {
                if let Item::Word { hash, .. } = item {
                    if term == NO_TERM {
                        trace.unknown.push(*hash);
                    } else {
                        trace.known.push(term);
                    }
                }
            }
            scorer = Some(self.vote_scorer(&trace.known));
        }
        let (candidates, sources) =
            self.aligned_candidates(&items, &quote_terms, settings, sources, scorer.as_mut());
        if let Some(trace) = trace {
            trace.candidates = sources;
            trace.scorer = scorer;
        }
        let best = candidates.iter().min_by(|a, b| {
            a.alignment
                .cost
                .cmp(&b.alignment.cost)
                .then(b.alignment.matched.cmp(&a.alignment.matched))
                // Ties go to the source whose key (path) sorts first: stable however the corpus was loaded.
                .then_with(|| self.source_key(a.source).cmp(self.source_key(b.source)))
        });
        let unsourced =
            |quote: Quote, notes: Vec<String>, similarity: f32, closest: Option<&str>| {
                let message = match closest {
                    Some(title) => format!(
                        "no source contains this quote (closest: “{title}”, {:.0}% of its words)",
                        similarity * 100.0
                    ),
                    None => "no source contains this quote".to_string(),
                };
                Finding {
                    quote,
                    verdict: Verdict::Unsourced,
                    passage: None,
                    edits: Vec::new(),
                    similarity,
                    notes,
                    also_in: Vec::new(),
                    message,
                    attribution: None,
                    source_attribution: None,
                }
            };
        let Some(best) = best else {
            return unsourced(quote, notes, 0.0, None);
        };
        let similarity = if word_count == 0 {
            0.0
        } else {
            best.alignment.matched as f32 / word_count as f32
        };
        let verified =
            best.alignment.cost == 0 && best.alignment.matched == word_count && word_count > 0;
        let drift = !verified
            && best.alignment.matched >= settings.drift_min_matched_words.min(word_count)
            && similarity >= settings.drift_threshold;
        let title = self
            .source(best.source)
            .map(|s| s.metadata.title.clone())
            .unwrap_or_default();
        if !verified && !drift {
            return unsourced(
                quote,
                notes,
                similarity,
                (similarity > 0.0).then_some(title.as_str()),
            );
        }
        let mut passage = self.passage(best);
        let edits = self.edits(text, &items, &quote_terms, best);
        // Words moved from just outside the aligned stretch belong to the passage (a repair restores them).
        for edit in edits.iter().filter(|e| e.kind == EditKind::Reordered) {
            passage.range = passage.range.start.min(edit.source_range.start)
                ..passage.range.end.max(edit.source_range.end);
        }
        notes.extend(self.editorial_notes(text, &items, best));
        let also_in: Vec<Passage> = candidates
            .iter()
            .filter(|c| {
                c.source != best.source
                    && c.alignment.cost == best.alignment.cost
                    && c.alignment.matched == best.alignment.matched
            })
            .fold(Vec::<&Candidate>::new(), |mut unique, c| {
                if !unique.iter().any(|u| u.source == c.source) {
                    unique.push(c);
                }
                unique
            })
            .into_iter()
            .map(|c| self.passage(c))
            .collect();
        let verdict = if verified {
            Verdict::Verified
        } else {
            Verdict::Drift
        };
        let mut message = if verified {
            format!("verified: matches “{title}”")
        } else {
            let differences: Vec<String> = edits.iter().map(describe_edit).collect();
            format!("drift from “{title}”: {}", differences.join("; "))
        };
        if !also_in.is_empty() {
            message.push_str(&format!(
                " (also in {} other source{})",
                also_in.len(),
                plural(also_in.len())
            ));
        }
        for note in &notes {
            message.push_str(&format!("; note: {note}"));
        }
        Finding {
            quote,
            verdict,
            passage: Some(passage),
            edits,
            similarity,
            notes,
            also_in,
            message,
            attribution: None,
            source_attribution: None,
        }
    }

    fn source_key(&self, id: SourceId) -> &str {
        self.source(id).map_or("", |s| s.key.as_str())
    }

    /// Aligns the quote with the best windows of its best candidate sources (voted for unless given); also
    /// returns those sources.
    fn aligned_candidates(
        &self,
        items: &[Item],
        quote_terms: &[u32],
        settings: &EngineSettings,
        sources: Option<Vec<SourceId>>,
        mut scorer: Option<&mut VoteScorer>,
    ) -> (Vec<Candidate>, Vec<SourceId>) {
        let word_terms: Vec<(usize, u32)> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| matches!(item, Item::Word { .. }))
            .map(|(i, _)| (i, quote_terms[i]))
            .collect();
        let known: Vec<u32> = word_terms
            .iter()
            .map(|&(_, t)| t)
            .filter(|&t| t != NO_TERM)
            .collect();
        if known.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let words = word_terms.len();
        let has_skip = items.iter().any(|i| matches!(i, Item::Skip { .. }));
        let insertions = items
            .iter()
            .filter(|i| matches!(i, Item::Insertion { .. }))
            .count();
        // How far apart the quote's words may lie in the source.
        let span = words
            + words / 2
            + 4
            + insertions * settings.bracket_max_words
            + if has_skip { 3 * words + 60 } else { 0 };
        let slack = words / 2 + 8;
        let mut weights: FastMap<u32, f32> = FastMap::default();
        for &term in &known {
            weights.entry(term).or_insert_with(|| self.weight(term));
        }
        let mut candidates = Vec::new();
        let sources = sources.unwrap_or_else(|| self.candidates(&known, CANDIDATE_SOURCES));
        for &source in &sources {
            let terms = self.terms(source);
            let (windows, hits) = densest_windows(terms, &weights, span, WINDOWS_PER_SOURCE);
            if let Some(scorer) = scorer.as_deref_mut() {
                scorer.score(source, &hits);
            }
            for window in windows {
                let start = window.start.saturating_sub(slack);
                let end = (window.end + slack).min(terms.len());
                let alignment = align(
                    items,
                    quote_terms,
                    &terms[start..end],
                    settings.bracket_max_words,
                );
                candidates.push(Candidate {
                    source,
                    window_start: start,
                    alignment,
                });
            }
        }
        (candidates, sources)
    }

    /// The passage a candidate aligned with, and the sentence around it.
    fn passage(&self, candidate: &Candidate) -> Passage {
        let span = &candidate.alignment.source_span;
        let first = self.word_range(candidate.source, candidate.window_start + span.start);
        let last = if span.is_empty() {
            first.clone()
        } else {
            self.word_range(candidate.source, candidate.window_start + span.end - 1)
        };
        let range = first.start..last.end.max(first.start);
        let sentence = self
            .source(candidate.source)
            .map_or(range.clone(), |s| sentence_around(&s.text, &range));
        Passage {
            source: candidate.source,
            range,
            sentence,
        }
    }

    /// The edits of an alignment, as byte ranges of draft and source, reorderings recognised.
    fn edits(
        &self,
        text: &str,
        items: &[Item],
        quote_terms: &[u32],
        candidate: &Candidate,
    ) -> Vec<Edit> {
        let source_text = self
            .source(candidate.source)
            .map_or("", |s| s.text.as_str());
        let terms = self.terms(candidate.source);
        let absolute = |window_index: usize| candidate.window_start + window_index;
        // Runs of consecutive differences: (quote item indices, absolute source word indices).
        let mut runs: Vec<Run> = Vec::new();
        let mut open = false;
        let mut last_quote: Option<usize> = None;
        let mut last_source: Option<usize> = None;
        for step in &candidate.alignment.steps {
            match step {
                Step::Match { quote, source } => {
                    open = false;
                    last_quote = Some(*quote);
                    last_source = Some(absolute(*source));
                }
                Step::Editorial { quote, sources } => {
                    open = false;
                    last_quote = Some(*quote);
                    if !sources.is_empty() {
                        last_source = Some(absolute(sources.end - 1));
                    }
                }
                _ => {
                    if !open {
                        runs.push((Vec::new(), Vec::new(), last_quote, last_source));
                        open = true;
                    }
                    let run = runs.last_mut().expect("a run was just opened");
                    match step {
                        Step::Substitute { quote, source } => {
                            run.0.push(*quote);
                            run.1.push(absolute(*source));
                            last_quote = Some(*quote);
                            last_source = Some(absolute(*source));
                        }
                        Step::Added { quote } => {
                            run.0.push(*quote);
                            last_quote = Some(*quote);
                        }
                        Step::Missing { source } => {
                            run.1.push(absolute(*source));
                            last_source = Some(absolute(*source));
                        }
                        _ => {}
                    }
                }
            }
        }
        let quote_span = |indices: &[usize], after: Option<usize>| -> Range<usize> {
            match (indices.first(), indices.last()) {
                (Some(&a), Some(&b)) => items[a].range().start..items[b].range().end,
                _ => {
                    let at = after.map_or_else(
                        || items.first().map_or(0, |i| i.range().start),
                        |i| items[i].range().end,
                    );
                    at..at
                }
            }
        };
        let source_span = |indices: &[usize], after: Option<usize>| -> Range<usize> {
            match (indices.first(), indices.last()) {
                (Some(&a), Some(&b)) => {
                    self.word_range(candidate.source, a).start
                        ..self.word_range(candidate.source, b).end
                }
                _ => {
                    let at = after.map_or_else(
                        || {
                            self.word_range(
                                candidate.source,
                                absolute(candidate.alignment.source_span.start),
                            )
                            .start
                        },
                        |i| self.word_range(candidate.source, i).end,
                    );
                    at..at
                }
            }
        };
        let multiset = |mut values: Vec<u32>| {
            values.sort_unstable();
            values
        };
        let quote_terms_of =
            |indices: &[usize]| multiset(indices.iter().map(|&i| quote_terms[i]).collect());
        let source_terms_of =
            |indices: &[usize]| multiset(indices.iter().map(|&i| terms[i]).collect());
        let mut edits = Vec::new();
        let mut consumed = vec![false; runs.len()];
        for a in 0..runs.len() {
            if consumed[a] {
                continue;
            }
            let (quote_indices, source_indices, after_quote, after_source) = &runs[a];
            let quote_range = quote_span(quote_indices, *after_quote);
            let source_range = source_span(source_indices, *after_source);
            let mut kind = match (quote_indices.is_empty(), source_indices.is_empty()) {
                (false, false) => EditKind::Substituted,
                (false, true) => EditKind::Added,
                _ => EditKind::Missing,
            };
            let mut source_range = source_range;
            let mut quote_range = quote_range;
            if kind == EditKind::Substituted
                && quote_indices.len() > 1
                && quote_terms_of(quote_indices) == source_terms_of(source_indices)
            {
                kind = EditKind::Reordered;
            } else if kind != EditKind::Substituted {
                // An added run whose words are missing elsewhere (or the reverse) moved.
                let partner = (a + 1..runs.len()).find(|&b| {
                    !consumed[b]
                        && match kind {
                            EditKind::Added => {
                                runs[b].0.is_empty()
                                    && source_terms_of(&runs[b].1) == quote_terms_of(quote_indices)
                            }
                            _ => {
                                runs[b].1.is_empty()
                                    && quote_terms_of(&runs[b].0) == source_terms_of(source_indices)
                            }
                        }
                });
                if let Some(b) = partner {
                    consumed[b] = true;
                    if kind == EditKind::Added {
                        source_range = source_span(&runs[b].1, runs[b].3);
                    } else {
                        quote_range = quote_span(&runs[b].0, runs[b].2);
                    }
                    kind = EditKind::Reordered;
                } else if kind == EditKind::Added {
                    // Words moved from just outside the aligned passage ("coinciding and similar" for
                    // "similar and coinciding": the alignment matches one word and adds the others).
                    let wanted = quote_terms_of(quote_indices);
                    let length = wanted.len();
                    let span = &candidate.alignment.source_span;
                    let low = absolute(span.start).saturating_sub(length + 12);
                    let high = (absolute(span.end) + 12).min(terms.len());
                    let found = (low..high.saturating_sub(length).max(low))
                        .filter(|&p| p + length <= absolute(span.start) || p >= absolute(span.end))
                        .find(|&p| multiset(terms[p..p + length].to_vec()) == wanted);
                    if let Some(position) = found {
                        let moved: Vec<usize> = (position..position + length).collect();
                        source_range = source_span(&moved, None);
                        kind = EditKind::Reordered;
                    }
                }
            } else {
                // Two substitutions that swap words ("A and B" for "B and A") are one reordering.
                let partner = (a + 1..runs.len()).find(|&b| {
                    !consumed[b]
                        && !runs[b].0.is_empty()
                        && !runs[b].1.is_empty()
                        && quote_terms_of(&runs[b].0) == source_terms_of(source_indices)
                        && source_terms_of(&runs[b].1) == quote_terms_of(quote_indices)
                });
                if let Some(b) = partner {
                    consumed[b] = true;
                    quote_range = quote_range.start..quote_span(&runs[b].0, runs[b].2).end;
                    source_range = source_range.start..source_span(&runs[b].1, runs[b].3).end;
                    kind = EditKind::Reordered;
                }
            }
            let context = after_quote
                .filter(|&i| matches!(items[i], Item::Word { .. }))
                .and_then(|i| text.get(items[i].range().clone()))
                .unwrap_or_default()
                .to_string();
            edits.push(Edit {
                kind,
                context,
                quote_words: collapse(text.get(quote_range.clone()).unwrap_or_default()),
                source_words: collapse(source_text.get(source_range.clone()).unwrap_or_default()),
                quote_range,
                source_range,
            });
        }
        edits
    }

    /// Notes on what ellipses and brackets leave out: a dropped negation changes the meaning.
    fn editorial_notes(&self, text: &str, items: &[Item], candidate: &Candidate) -> Vec<String> {
        let mut notes = Vec::new();
        let source_text = self
            .source(candidate.source)
            .map_or("", |s| s.text.as_str());
        let mut scratch = String::new();
        for step in &candidate.alignment.steps {
            let Step::Editorial { quote, sources } = step else {
                continue;
            };
            let mut dropped = Vec::new();
            for index in sources.clone() {
                let range = self.word_range(candidate.source, candidate.window_start + index);
                let word = source_text.get(range).unwrap_or_default();
                normalize_word(word, &mut scratch);
                if is_negation(&scratch) {
                    dropped.push(word.to_string());
                }
            }
            if dropped.is_empty() {
                continue;
            }
            let words = dropped
                .iter()
                .map(|w| format!("“{w}”"))
                .collect::<Vec<_>>()
                .join(", ");
            let mark = text.get(items[*quote].range().clone()).unwrap_or("…");
            notes.push(match items[*quote] {
                Item::Skip { .. } => format!("the ellipsis “{mark}” drops the negation {words}"),
                _ => format!("the insertion “{mark}” replaces the negation {words}"),
            });
        }
        notes
    }
}

/// What one check of a quote read from the corpus, gathered for its [`Dependencies`].
#[derive(Default)]
struct Trace {
    unknown: Vec<TermHash>,
    known: Vec<u32>,
    candidates: Vec<SourceId>,
    /// The candidates' vote scores.
    scorer: Option<VoteScorer>,
}

/// Vote scores of candidate sources from the quote-term hits `densest_windows` found in them (no second scan).
struct VoteScorer {
    /// The quote's distinct known terms and their document frequencies.
    terms: Vec<(u32, u32)>,
    voting: Vec<u32>,
    weights: Vec<f32>,
    index: TermIndex,
    present: Vec<bool>,
    scores: Vec<(SourceId, f32)>,
}

impl VoteScorer {
    fn score(&mut self, source: SourceId, hits: &[(usize, u32)]) {
        self.present.fill(false);
        for &(_, term) in hits {
            if let Some(i) = self.index.get(term) {
                self.present[i] = true;
            }
        }
        let present = &self.present;
        let score = Corpus::vote_score(&self.voting, &self.weights, |i, _| present[i]);
        self.scores.push((source, score));
    }
}

/// The position of each of a few term ids (a quote's voting terms), found with one multiplication per word:
/// an open-addressing table a few times larger than the terms.
struct TermIndex {
    slots: Vec<(u32, u32)>,
    shift: u32,
}

impl TermIndex {
    fn new(terms: &[u32]) -> TermIndex {
        let bits = (terms.len() * 4)
            .next_power_of_two()
            .trailing_zeros()
            .max(4);
        let mut index = TermIndex {
            slots: vec![(NO_TERM, 0); 1 << bits],
            shift: 32 - bits,
        };
        let mask = index.slots.len() - 1;
        for (position, &term) in terms.iter().enumerate() {
            let mut slot = index.slot(term);
            while index.slots[slot].0 != NO_TERM && index.slots[slot].0 != term {
                slot = (slot + 1) & mask;
            }
            index.slots[slot] = (term, position as u32);
        }
        index
    }

    fn slot(&self, term: u32) -> usize {
        (term.wrapping_mul(0x9E37_79B1) >> self.shift) as usize
    }

    fn get(&self, term: u32) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut slot = self.slot(term);
        loop {
            match self.slots[slot] {
                (NO_TERM, _) => return None,
                (t, position) if t == term => return Some(position as usize),
                _ => slot = (slot + 1) & mask,
            }
        }
    }
}

/// Share of the cut a new source's vote score must stay under for a cached finding to stay valid (the cut
/// itself lets ties within 0.1% in; the rest is margin).
const CUT_MARGIN: f32 = 0.99;

/// The verdict cache's view of the corpus: what changed since a cache's state, what a finding depended on.
impl Corpus {
    fn cache_state(&self) -> CorpusState {
        CorpusState {
            generation: self.generation,
            ids: self.entries.len(),
            live: self.live,
            dead: self.dead,
            instance: self.instance,
        }
    }

    /// Whether `state` was taken of this very corpus value (not of another one, such as the corpus a
    /// re-index replaced).
    fn same_corpus(&self, state: &CorpusState) -> bool {
        self.instance == state.instance
    }

    /// What changed since `state`. Each insertion and removal bumps the generation once and a removal adds one
    /// tombstone, so a history of `a` insertions and `r` removals without compaction satisfies the counts
    /// below; anything else (a compaction, a replaced corpus) asks for every entry to be re-checked, as does a
    /// change in the number of sources, which changes every term's weight.
    fn changes_since(&self, state: CorpusState) -> Changes {
        let now = self.cache_state();
        if now.generation < state.generation
            || now.ids < state.ids
            || now.live != state.live
            || !self.same_corpus(&state)
        {
            return Changes::All;
        }
        let added = (now.ids - state.ids) as u64;
        let Some(removed) = (now.generation - state.generation).checked_sub(added) else {
            return Changes::All;
        };
        if removed != added || now.dead as u64 != state.dead as u64 + removed {
            return Changes::All;
        }
        let sources: Vec<(SourceId, Vec<u32>)> = (state.ids..now.ids)
            .filter(|&id| self.entries[id].is_some())
            .take(MAX_ADDED_SOURCES + 1)
            .map(|id| (id as SourceId, distinct(self.terms(id as SourceId))))
            .collect();
        if sources.len() > MAX_ADDED_SOURCES {
            return Changes::All;
        }
        Changes::Sources(sources)
    }

    /// A source's vote score as `Corpus::candidates` sums it: the weights (`self.weight` of each voting term)
    /// of the voting terms it contains, in order, so the same `f32`.
    fn vote_score(voting: &[u32], weights: &[f32], contains: impl Fn(usize, u32) -> bool) -> f32 {
        let mut score = 0f32;
        for (i, (&term, &weight)) in voting.iter().zip(weights).enumerate() {
            if contains(i, term) {
                score += weight;
            }
        }
        score
    }

    /// A scorer for the candidates of a quote with these known terms.
    fn vote_scorer(&self, known: &[u32]) -> VoteScorer {
        let terms = self.term_frequencies(known);
        let voting = self.voting_terms(&terms);
        VoteScorer {
            weights: voting.iter().map(|&t| self.weight(t)).collect(),
            index: TermIndex::new(&voting),
            present: vec![false; voting.len()],
            voting,
            terms,
            scores: Vec::new(),
        }
    }

    /// What a checked quote depended on, from what its check read.
    fn dependencies(&self, trace: Trace) -> Dependencies {
        let scorer = trace
            .scorer
            .unwrap_or_else(|| self.vote_scorer(&trace.known));
        debug_assert!(scorer
            .scores
            .iter()
            .map(|s| s.0)
            .eq(trace.candidates.iter().copied()));
        Dependencies {
            unknown: trace.unknown,
            terms: scorer.terms,
            voters: scorer.voting.len(),
            candidates: scorer.scores,
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
                .all(|&(t, df)| self.document_frequency.get(t as usize) == Some(&df));
        if !same_words {
            return Validity::Recheck;
        }
        let voting = self.voting_terms(&dependencies.terms);
        if voting.len() != dependencies.voters {
            return Validity::Recheck;
        }
        let live = |id: SourceId| self.entries.get(id as usize).is_some_and(Option::is_some);
        // Removed candidates, to be matched by added sources of the same score.
        let mut removed: Vec<f32> = dependencies
            .candidates
            .iter()
            .filter(|&&(id, _)| !live(id))
            .map(|&(_, score)| score)
            .collect();
        let cut = dependencies.cut();
        let weights: Vec<f32> = voting.iter().map(|&t| self.weight(t)).collect();
        let mut replacements: Vec<(SourceId, f32)> = Vec::new();
        for (id, terms) in added {
            let score =
                Corpus::vote_score(&voting, &weights, |_, t| terms.binary_search(&t).is_ok());
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
        Validity::Candidates(candidates.into_iter().map(|(id, _)| id).collect())
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// One edit in words, as shown in messages.
pub fn describe_edit(edit: &Edit) -> String {
    let quote = shorten(&edit.quote_words);
    let source = shorten(&edit.source_words);
    match edit.kind {
        EditKind::Substituted if !edit.context.is_empty() => {
            format!("“{} {quote}” for “{} {source}”", edit.context, edit.context)
        }
        EditKind::Substituted => format!("“{quote}” for “{source}”"),
        EditKind::Missing => format!("missing “{source}”"),
        EditKind::Added => format!("added “{quote}”"),
        EditKind::Reordered => format!("reordered “{quote}” (source: “{source}”)"),
    }
}

fn shorten(words: &str) -> String {
    const LIMIT: usize = 60;
    if words.chars().count() <= LIMIT {
        return words.to_string();
    }
    let head: String = words.chars().take(LIMIT).collect();
    format!("{}…", head.trim_end())
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The best `count` non-overlapping windows of at most `span` words, by the summed weight of the distinct quote
/// terms they contain, best first. Each window runs from its first hit to its last (word indices). Also returns
/// the hits: every word of `terms` in `weights`, with its index.
fn densest_windows(
    terms: &[u32],
    weights: &FastMap<u32, f32>,
    span: usize,
    count: usize,
) -> (Vec<Range<usize>>, Vec<(usize, u32)>) {
    let hits: Vec<(usize, u32)> = terms
        .iter()
        .enumerate()
        .filter(|(_, t)| weights.contains_key(t))
        .map(|(i, &t)| (i, t))
        .collect();
    let mut windows: Vec<(f32, Range<usize>)> = Vec::new();
    let mut counts: FastMap<u32, u32> = FastMap::default();
    let mut score = 0.0f32;
    let mut low = 0;
    let mut scored: Vec<(f32, usize, usize)> = Vec::with_capacity(hits.len());
    for high in 0..hits.len() {
        let (position, term) = hits[high];
        let count = counts.entry(term).or_insert(0);
        if *count == 0 {
            score += weights[&term];
        }
        *count += 1;
        while position - hits[low].0 >= span {
            let old = hits[low].1;
            let count = counts
                .get_mut(&old)
                .expect("every hit in the window was counted");
            *count -= 1;
            if *count == 0 {
                score -= weights[&old];
            }
            low += 1;
        }
        scored.push((score, hits[low].0, position + 1));
    }
    // `count` linear passes (the best window not overlapping those taken) instead of a full sort.
    while windows.len() < count {
        let mut best: Option<(f32, usize, usize)> = None;
        for &(score, start, end) in &scored {
            if score <= 0.0 || windows.iter().any(|(_, w)| start < w.end && w.start < end) {
                continue;
            }
            if best.is_none_or(|(s, b, _)| score > s || (score == s && start < b)) {
                best = Some((score, start, end));
            }
        }
        match best {
            Some((score, start, end)) => windows.push((score, start..end)),
            None => break,
        }
    }
    (windows.into_iter().map(|(_, w)| w).collect(), hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "Following a meeting, the Kremlin published the text.\n\n“The parties oppose the further \
        expansion of NATO and call for the North Atlantic Alliance to refrain from ideological approaches from the \
        time of the Cold War,” it reads. Other text follows here.\n";

    fn corpus() -> Corpus {
        let mut corpus = Corpus::new();
        corpus.upsert_source("rt.md", SOURCE.to_string(), TextFormat::Markdown);
        corpus.upsert_source(
            "other.md",
            "Nothing about alliances here at all.".into(),
            TextFormat::Markdown,
        );
        corpus
    }

    fn check(draft: &str) -> Vec<Finding> {
        corpus().check_draft(draft, TextFormat::Markdown, &EngineSettings::default())
    }

    #[test]
    fn verified_drift_unsourced() {
        let findings = check(
            "They said “the parties oppose the further expansion of NATO”. Then: \"The parties oppose the further \
             expansion of NATO and call on the North Atlantic Alliance to refrain from ideological approaches since \
             the Cold War.\" And “bananas are an excellent source of potassium”.",
        );
        let verdicts: Vec<Verdict> = findings.iter().map(|f| f.verdict).collect();
        assert_eq!(
            verdicts,
            [Verdict::Verified, Verdict::Drift, Verdict::Unsourced]
        );
        let drift = &findings[1];
        assert!(
            drift.message.contains("“call on” for “call for”"),
            "{}",
            drift.message
        );
        assert!(
            drift
                .message
                .contains("“approaches since” for “approaches from the time of”"),
            "{}",
            drift.message
        );
        let sentence = &SOURCE[drift.passage.as_ref().unwrap().sentence.clone()];
        assert!(
            sentence.starts_with("“The parties") && sentence.ends_with("it reads."),
            "{sentence}"
        );
    }

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
}
