//! Checking: a quote's candidate sources, their densest windows, the best alignment, and the verdict.
use std::ops::Range;

use super::align::{align, quote_items, Alignment, Item, Step};
use super::corpus::vote::Vote;
use super::corpus::{Corpus, SourceId, NO_TERM};
use super::credit::credit_findings;
use super::finding::{Edit, EditKind, Finding, Passage, Verdict};
use super::hash::FastMap;
use super::messages;
use super::normalize::TermHash;
use super::quotes::{find_quotes, Quote};
use super::sentence::{
    is_terminator, sentence_around, sentence_end_past_abbreviations,
    sentence_start_past_abbreviations,
};
use super::{EngineSettings, TextFormat};

/// Sources aligned per quote (the best by shared rare terms; near-duplicates that tie are added).
pub(super) const CANDIDATE_SOURCES: usize = 8;
/// Windows aligned per candidate source.
const WINDOWS_PER_SOURCE: usize = 2;

/// One aligned candidate.
pub(super) struct Candidate {
    pub(super) source: SourceId,
    pub(super) window_start: usize,
    pub(super) alignment: Alignment,
}

/// Titles, slogans and headlines in quotes (see [`Quote::title`]) that no source contains are names, not
/// misquotations: no finding. Found in a source, they are checked like any quote.
pub(super) fn drop_unsourced_titles(findings: &mut Vec<Finding>) {
    findings.retain(|finding| !(finding.quote.title && finding.verdict == Verdict::Unsourced));
}

/// Whether a draft's quotes are checked on the calling thread alone or shared with rayon's pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parallelism {
    /// On the calling thread: a background pass, or a caller already running one draft per core.
    Serial,
    /// Spread over rayon's pool when the draft has enough quotes to repay it (a draft opened or checked alone:
    /// its quotes are independent, and two cores check a 60-quote draft in little over half the time).
    Shared,
}

/// Quotes to check below which a draft is checked on the calling thread whatever the [`Parallelism`].
pub(super) const PARALLEL_QUOTES: usize = 4;

impl Parallelism {
    /// `items` mapped by `check`, in order.
    pub(super) fn map<T: Send, U: Send>(
        self,
        items: Vec<T>,
        check: impl Fn(T) -> U + Sync + Send,
    ) -> Vec<U> {
        if self == Parallelism::Serial || items.len() < PARALLEL_QUOTES {
            items.into_iter().map(check).collect()
        } else {
            use rayon::prelude::*;
            items.into_par_iter().with_max_len(1).map(check).collect()
        }
    }
}

impl Corpus {
    /// Finds every quotation in a draft and gives each its verdict. Quotes marked to be ignored are left out.
    pub fn check_draft(
        &self,
        text: &str,
        format: TextFormat,
        settings: &EngineSettings,
    ) -> Vec<Finding> {
        self.check_draft_with(text, format, settings, Parallelism::Shared)
    }

    /// As [`Corpus::check_draft`], on the calling thread only when `parallelism` says so (a background pass
    /// that must not take the cores from the foreground).
    pub fn check_draft_with(
        &self,
        text: &str,
        format: TextFormat,
        settings: &EngineSettings,
        parallelism: Parallelism,
    ) -> Vec<Finding> {
        let quotes: Vec<Quote> = find_quotes(text, format, settings)
            .into_iter()
            .filter(|quote| !quote.ignored)
            .collect();
        let mut findings = parallelism.map(quotes, |quote| self.check_quote(text, quote, settings));
        drop_unsourced_titles(&mut findings);
        if settings.attribution {
            credit_findings(self, text, format, &mut findings, &mut Default::default());
        }
        findings
    }
    /// The verdict on one quote of `text`.
    pub fn check_quote(&self, text: &str, quote: Quote, settings: &EngineSettings) -> Finding {
        self.check_quote_traced(text, quote, settings, None, None)
    }

    /// As [`Corpus::check_quote`], with the candidate sources when they are known already, noting in `trace` what
    /// the verdict read from the corpus.
    pub(super) fn check_quote_traced(
        &self,
        text: &str,
        quote: Quote,
        settings: &EngineSettings,
        sources: Option<Vec<(SourceId, f32)>>,
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
        // A passage stays inside one paragraph of the source, unless the quote itself runs over paragraphs or
        // skips with an ellipsis (which may join paragraphs).
        let within_paragraph = !items.iter().any(|i| matches!(i, Item::Skip { .. }))
            && !spans_paragraphs(text, &quote.segments);
        let (candidates, vote, sources) =
            self.aligned_candidates(&items, &quote_terms, settings, sources, within_paragraph);
        if let Some(trace) = trace {
            trace.unknown = items
                .iter()
                .zip(&quote_terms)
                .filter_map(|(item, &term)| match item {
                    Item::Word { hash, .. } if term == NO_TERM => Some(*hash),
                    _ => None,
                })
                .collect();
            trace.vote = vote;
            trace.candidates = sources;
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
                let message = messages::unsourced(closest, similarity);
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
        // The best alignment is chosen on the aligner's costs, then its ends kept inside the source sentence.
        let best = &Candidate {
            source: best.source,
            window_start: best.window_start,
            alignment: self.within_sentences(
                best.source,
                best.window_start,
                text,
                &items,
                best.alignment.clone(),
            ),
        };
        let verified =
            best.alignment.cost == 0 && best.alignment.matched == word_count && word_count > 0;
        // A swap of two clauses is one reordering; other differences come from the alignment.
        let transposed = if verified {
            None
        } else {
            self.transposition(text, &items, &quote_terms, best)
        };
        let edits = match (&transposed, verified) {
            (Some((edit, _)), _) => vec![edit.clone()],
            (None, true) => Vec::new(),
            (None, false) => self.edits(text, &items, &quote_terms, best),
        };
        // Differences of spelling only (a compound's hyphen, a word a typesetter split at a line end, a name's
        // accents) leave the words the same: verified (their source words still widen the passage below).
        let spelling_only = !verified
            && transposed.is_none()
            && !edits.is_empty()
            && edits.iter().all(|e| e.is_spelling_only());
        let verified = verified || spelling_only;
        // The quote's words found in the passage: in order (matched), or in another order (a swap of clauses
        // keeps every word: it is drift, whatever the share the alignment could keep in order).
        let found = if transposed.is_some() || spelling_only {
            word_count
        } else {
            best.alignment.matched + reordered_words(&items, &edits, best)
        };
        let similarity = if word_count == 0 {
            0.0
        } else {
            found.min(word_count) as f32 / word_count as f32
        };
        let drift = !verified
            && found >= settings.drift_min_matched_words.min(word_count)
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
        // The passage: the matched words and every edit's source words. Words moved from just outside the aligned
        // stretch belong to it (a repair restores them); unrelated words an edge clause was first aligned with
        // (before it was recognised as reordered) do not.
        let core = match &transposed {
            // The whole run: the swapped clauses and the words matched around them.
            Some((_, run)) => Some(run.clone()),
            None => self.matched_range(best),
        };
        if let Some(core) = core {
            let mut range = core;
            for edit in edits.iter().filter(|e| !e.source_range.is_empty()) {
                range =
                    range.start.min(edit.source_range.start)..range.end.max(edit.source_range.end);
            }
            if range != passage.range {
                passage.sentence = self
                    .source(best.source)
                    .map_or(range.clone(), |s| sentence_around(&s.text, &range));
                passage.range = range;
            }
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
        let edits = if spelling_only { Vec::new() } else { edits };
        let message = messages::sourced(verdict, &title, &edits, also_in.len(), &notes);
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
    /// returns the vote (none when no word of the quote is known) and those sources with their scores.
    fn aligned_candidates(
        &self,
        items: &[Item],
        quote_terms: &[u32],
        settings: &EngineSettings,
        sources: Option<Vec<(SourceId, f32)>>,
        within_paragraph: bool,
    ) -> (Vec<Candidate>, Option<Vote>, Vec<(SourceId, f32)>) {
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
            return (Vec::new(), None, Vec::new());
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
        let mut needed: FastMap<u32, u32> = FastMap::default();
        for &term in &known {
            weights.entry(term).or_insert_with(|| self.weight(term));
            *needed.entry(term).or_insert(0) += 1;
        }
        let mut candidates = Vec::new();
        let vote = self.vote(&known);
        let sources = sources.unwrap_or_else(|| self.candidates(&vote, CANDIDATE_SOURCES));
        for &(source, _) in &sources {
            let (terms, positions) = self.words_of(source);
            let windows = densest_windows(&terms, &weights, &needed, span, WINDOWS_PER_SOURCE);
            for window in windows {
                let start = window.start.saturating_sub(slack);
                let end = (window.end + slack).min(terms.len());
                // The window cut at the source's paragraph breaks: each piece holding some of the quote's
                // words is aligned on its own, so differences never run into the next paragraph. The whole
                // window is aligned too, and kept only when it matches words in every paragraph it touches (a
                // quote copied across a paragraph break is still found word for word).
                let breaks = if within_paragraph {
                    self.paragraph_starts_at(source, &positions, start..end)
                } else {
                    Vec::new()
                };
                let mut pieces = Vec::new();
                let mut from = start;
                for &at in &breaks {
                    pieces.push(from..at);
                    from = at;
                }
                pieces.push(from..end);
                let mut exact = false;
                for piece in &pieces {
                    if holds_quote_words(&terms[piece.clone()], &weights) {
                        let alignment = align(
                            items,
                            quote_terms,
                            &terms[piece.clone()],
                            settings.bracket_max_words,
                        );
                        exact |= alignment.cost == 0 && alignment.matched == words;
                        candidates.push(Candidate {
                            source,
                            window_start: piece.start,
                            alignment,
                        });
                    }
                }
                // A piece the quote matches exactly cannot be beaten: the whole window is not needed.
                if pieces.len() > 1 && !exact {
                    let alignment = align(
                        items,
                        quote_terms,
                        &terms[start..end],
                        settings.bracket_max_words,
                    );
                    if matches_every_paragraph(&alignment, start, &breaks) {
                        candidates.push(Candidate {
                            source,
                            window_start: start,
                            alignment,
                        });
                    }
                }
            }
        }
        (candidates, Some(vote), sources)
    }

    /// An alignment whose quote words at either end stand for source words past the end (or before the start) of
    /// the sentence holding the nearest word the quote matches, with no sentence break in the quote between them:
    /// those quote words are added, not substituted. Substituting is cheaper than adding, so a quote that runs on
    /// past its source sentence ("we didn't play very well at all" against "we didn't play well. We were on the
    /// field") would otherwise claim the next sentence's words ("*at all* for *We were*"), and the fix restoring
    /// the source's wording would write them in.
    fn within_sentences(
        &self,
        source: SourceId,
        window_start: usize,
        quote_text: &str,
        items: &[Item],
        alignment: Alignment,
    ) -> Alignment {
        let steps = &alignment.steps;
        let is_match = |step: &Step| matches!(step, Step::Match { .. });
        let (Some(first), Some(last)) = (
            steps.iter().position(is_match),
            steps.iter().rposition(is_match),
        ) else {
            return alignment;
        };
        let Some(text) = self.source(source).map(|s| s.text.as_str()) else {
            return alignment;
        };
        let word = |index: usize| self.word_range(source, window_start + index);
        // The quote's own words between two items hold a sentence break: words on either side may well stand
        // for two source sentences.
        let quote_breaks = |a: usize, b: usize| {
            let (from, to) = (items[a.min(b)].range().end, items[a.max(b)].range().start);
            quote_text
                .get(from..to.max(from))
                .is_some_and(|between| between.contains(is_terminator))
        };
        let mut steps = alignment.steps.clone();
        let mut changed = false;
        if let Step::Match { quote, source } = steps[last] {
            let sentence_end = sentence_end_past_abbreviations(text, word(source).end);
            for step in &mut steps[last + 1..] {
                if let Step::Substitute {
                    quote: q,
                    source: s,
                } = *step
                {
                    if word(s).start >= sentence_end && !quote_breaks(quote, q) {
                        *step = Step::Added { quote: q };
                        changed = true;
                    }
                }
            }
        }
        if let Step::Match { quote, source } = steps[first] {
            let sentence_start = sentence_start_past_abbreviations(text, word(source).start);
            for step in &mut steps[..first] {
                if let Step::Substitute {
                    quote: q,
                    source: s,
                } = *step
                {
                    if word(s).end <= sentence_start && !quote_breaks(q, quote) {
                        *step = Step::Added { quote: q };
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return alignment;
        }
        let end = alignment.source_span.end;
        Alignment::from_steps(steps, end)
    }

    /// The bytes of the source words a candidate matched (or editorial marks stood for), first to last.
    fn matched_range(&self, candidate: &Candidate) -> Option<Range<usize>> {
        let mut matched = candidate
            .alignment
            .steps
            .iter()
            .filter_map(|step| match step {
                Step::Match { source, .. } => Some(*source..*source + 1),
                Step::Editorial { sources, .. } if !sources.is_empty() => Some(sources.clone()),
                _ => None,
            });
        let first = matched.next()?;
        let last = matched.next_back().unwrap_or_else(|| first.clone());
        let start = self.word_range(candidate.source, candidate.window_start + first.start);
        let end = self.word_range(candidate.source, candidate.window_start + last.end - 1);
        Some(start.start..end.end.max(start.start))
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
}

/// What one check of a quote read from the corpus, gathered for its `Dependencies` (`super::cache`).
#[derive(Default)]
pub(super) struct Trace {
    /// Hashes of the quote's words no source contains.
    pub(super) unknown: Vec<TermHash>,
    /// The vote of its known terms (none when it has none).
    pub(super) vote: Option<Vote>,
    /// The candidate sources aligned, best first, with their vote scores.
    pub(super) candidates: Vec<(SourceId, f32)>,
}

/// How many of the quote's words are not matched in order but stand in a reordered edit (found elsewhere in the
/// passage).
fn reordered_words(items: &[Item], edits: &[Edit], candidate: &Candidate) -> usize {
    let matched: std::collections::HashSet<usize> = candidate
        .alignment
        .steps
        .iter()
        .filter_map(|step| match step {
            Step::Match { quote, .. } => Some(*quote),
            _ => None,
        })
        .collect();
    items
        .iter()
        .enumerate()
        .filter(|(index, item)| {
            matches!(item, Item::Word { .. })
                && !matched.contains(index)
                && edits.iter().any(|edit| {
                    edit.kind == EditKind::Reordered
                        && edit.quote_range.start <= item.range().start
                        && item.range().end <= edit.quote_range.end
                })
        })
        .count()
}

/// Whether an alignment over a window starting at source word `window_start` matches, in each paragraph its
/// steps touch (`breaks`: the source words opening a paragraph), at least one word and at least as many words as
/// differ there: a run of differences with a stray match in another paragraph is the alignment running into
/// it, not the quote.
fn matches_every_paragraph(alignment: &Alignment, window_start: usize, breaks: &[usize]) -> bool {
    let paragraph = |index: usize| breaks.partition_point(|&b| b <= window_start + index);
    let mut matched = vec![0usize; breaks.len() + 1];
    let mut differing = vec![0usize; breaks.len() + 1];
    for step in &alignment.steps {
        match step {
            Step::Match { source, .. } => matched[paragraph(*source)] += 1,
            Step::Substitute { source, .. } | Step::Missing { source } => {
                differing[paragraph(*source)] += 1
            }
            Step::Editorial { sources, .. } => {
                for source in sources.clone() {
                    matched[paragraph(source)] += 1;
                }
            }
            Step::Added { .. } => {}
        }
    }
    matched
        .iter()
        .zip(&differing)
        .all(|(&m, &d)| (m == 0 && d == 0) || (m >= 1 && m >= d))
}

/// Whether a piece of a window holds any of the quote's known words (else aligning it cannot match a word).
fn holds_quote_words(terms: &[u32], weights: &FastMap<u32, f32>) -> bool {
    terms.iter().any(|term| weights.contains_key(term))
}

/// Whether a quote's pieces run over paragraphs of the draft (a blank line, `>` markers aside, between two).
fn spans_paragraphs(text: &str, segments: &[std::ops::Range<usize>]) -> bool {
    segments.windows(2).any(|pair| {
        let gap = text.get(pair[0].end..pair[1].start).unwrap_or_default();
        // The lines wholly inside the gap (between its first and its last line break).
        let lines: Vec<&str> = gap.split('\n').collect();
        lines.len() > 2
            && lines[1..lines.len() - 1].iter().any(|line| {
                line.trim_matches(|c: char| c.is_whitespace() || c == '>')
                    .is_empty()
            })
    })
}

/// The best `count` non-overlapping windows of at most `span` words, by the summed weight of the distinct quote
/// terms they contain, best first. Each window runs from its first hit to its last (word indices). A term the
/// quote repeats (`needed` times) weighs a share per occurrence up to that many, so `3 anos, 3 anos, 3 anos`
/// finds the sentence that repeats them before an earlier one that says `3 anos` once; a term the quote has once
/// weighs in full at its first occurrence, as before.
fn densest_windows(
    terms: &[u32],
    weights: &FastMap<u32, f32>,
    needed: &FastMap<u32, u32>,
    span: usize,
    count: usize,
) -> Vec<Range<usize>> {
    let share = |term: u32| -> (f32, u32) {
        let need = needed[&term];
        (weights[&term] / need as f32, need)
    };
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
        *count += 1;
        let (weight, need) = share(term);
        if *count <= need {
            score += weight;
        }
        while position - hits[low].0 >= span {
            let old = hits[low].1;
            let count = counts
                .get_mut(&old)
                .expect("every hit in the window was counted");
            let (weight, need) = share(old);
            if *count <= need {
                score -= weight;
            }
            *count -= 1;
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
    windows.into_iter().map(|(_, w)| w).collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    const SOURCE: &str = "Following a meeting, the Kremlin published the text.\n\n“The parties oppose the further \
        expansion of NATO and call for the North Atlantic Alliance to refrain from ideological approaches from the \
        time of the Cold War,” it reads. Other text follows here.\n";

    pub(crate) fn corpus() -> Corpus {
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
}
