//! Edits: the differences between a quote and its passage as byte ranges (reorderings recognised), and notes on
//! what ellipses and brackets leave out.
use std::ops::Range;

use super::align::{Item, Step};
use super::check::Candidate;
use super::corpus::Corpus;
use super::finding::{Edit, EditKind};
use super::messages::collapse;
use super::normalize::{is_negation, normalize_word};

/// and source word just before the run.
type Run = (Vec<usize>, Vec<usize>, Option<usize>, Option<usize>);

impl Corpus {
    /// The edits of an alignment, as byte ranges of draft and source, reorderings recognised.
    pub(super) fn edits(
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
        // The source words matched (or stood for by editorial marks): the core of the passage.
        let matched: Vec<usize> = candidate
            .alignment
            .steps
            .iter()
            .flat_map(|step| match step {
                Step::Match { source, .. } => vec![absolute(*source)],
                Step::Editorial { sources, .. } => sources.clone().map(absolute).collect(),
                _ => Vec::new(),
            })
            .collect();
        let core = matched.first().copied().zip(matched.last().copied());
        // Words moved from outside the aligned stretch are looked for nearby, in the same paragraph.
        let span = &candidate.alignment.source_span;
        let (paragraph_low, paragraph_high) = {
            let low = absolute(span.start).saturating_sub(40);
            let high = (absolute(span.end) + 40).min(terms.len());
            let starts = self.paragraph_starts(candidate.source, low..high);
            (
                starts
                    .iter()
                    .rev()
                    .find(|&&p| p <= absolute(span.start))
                    .copied()
                    .unwrap_or(low),
                starts
                    .iter()
                    .find(|&&p| p >= absolute(span.end.max(span.start + 1)))
                    .copied()
                    .unwrap_or(high),
            )
        };
        // Where `wanted` (a multiset of terms) stands just outside the aligned stretch, in the same paragraph.
        let moved_from_outside = |wanted: &[u32], outside: (usize, usize)| -> Option<usize> {
            let length = wanted.len();
            let low = outside.0.saturating_sub(length + 12).max(paragraph_low);
            let high = (outside.1 + 12).min(paragraph_high).min(terms.len());
            (low..(high + 1).saturating_sub(length).max(low))
                .filter(|&p| p + length <= outside.0 || p >= outside.1)
                .find(|&p| multiset(terms[p..p + length].to_vec()) == wanted)
        };
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
                    let found =
                        moved_from_outside(&wanted, (absolute(span.start), absolute(span.end)));
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
                } else if let Some((first, last)) = core.filter(|_| quote_indices.len() > 1) {
                    // A clause moved to the other end of the quote: the alignment substitutes it for the
                    // unrelated words just before or after the matched stretch ("It will be paid for by the
                    // levy and it will serve…" for "…it will serve…, he said, and it will be paid for by the
                    // levy"). When the quote's words stand, all of them, just outside the matched stretch in the
                    // same paragraph, they were reordered; the unrelated words are not part of the passage.
                    let at_edge = source_indices.iter().all(|&i| i < first)
                        || source_indices.iter().all(|&i| i > last);
                    let wanted = quote_terms_of(quote_indices);
                    if let Some(position) = at_edge
                        .then(|| moved_from_outside(&wanted, (first, last + 1)))
                        .flatten()
                    {
                        let moved: Vec<usize> = (position..position + wanted.len()).collect();
                        source_range = source_span(&moved, None);
                        kind = EditKind::Reordered;
                    }
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

    /// A swap of two clauses, as one reordered edit: the quote reads `P X c Y Z` where a run of the candidate's
    /// paragraph reads `P Y c X Z` (`c` one joining word such as "and", or none). The word-by-word alignment
    /// explains such a swap as scattered substitutions; this names it. Quotes with ellipses or insertions, and
    /// long quotes, are left to the alignment. Also returns the bytes of the whole run (the passage).
    pub(super) fn transposition(
        &self,
        text: &str,
        items: &[Item],
        quote_terms: &[u32],
        candidate: &Candidate,
    ) -> Option<(Edit, Range<usize>)> {
        const MAX_WORDS: usize = 80;
        if items.iter().any(|i| !matches!(i, Item::Word { .. })) || items.len() < 4 {
            return None;
        }
        let n = items.len();
        if n > MAX_WORDS || quote_terms.contains(&super::corpus::NO_TERM) {
            return None;
        }
        let terms = self.terms(candidate.source);
        let span = &candidate.alignment.source_span;
        let centre = candidate.window_start + span.start;
        let low = centre.saturating_sub(2 * n + 20);
        let high = (candidate.window_start + span.end + 2 * n + 20).min(terms.len());
        // The paragraph holding the aligned stretch.
        let starts = self.paragraph_starts(candidate.source, low..high);
        let low = starts
            .iter()
            .rev()
            .find(|&&p| p <= centre)
            .copied()
            .unwrap_or(low);
        let high = starts
            .iter()
            .find(|&&p| p > centre)
            .copied()
            .unwrap_or(high);
        if high < low + n {
            return None;
        }
        let mut wanted = quote_terms.to_vec();
        wanted.sort_unstable();
        let mut window = Vec::with_capacity(n);
        for start in low..=high - n {
            let run = &terms[start..start + n];
            window.clear();
            window.extend_from_slice(run);
            window.sort_unstable();
            if window != wanted || run == quote_terms {
                continue;
            }
            // Words the run and the quote share at their ends may belong to the swapped clauses ("the … and
            // the …"): every split of the shared ends is tried.
            let shared_prefix = (0..n).take_while(|&i| run[i] == quote_terms[i]).count();
            let shared_suffix = (0..n - shared_prefix)
                .take_while(|&i| run[n - 1 - i] == quote_terms[n - 1 - i])
                .count();
            let is_swap = |prefix: usize, suffix: usize| {
                let q = &quote_terms[prefix..n - suffix];
                let r = &run[prefix..n - suffix];
                let length = q.len();
                (1..length).any(|k| {
                    // q = X · rest, r = … · X
                    if q[..k] != r[length - k..] {
                        return false;
                    }
                    let (rest, before) = (&q[k..], &r[..length - k]);
                    rest == before
                        || (rest.len() > 1
                            && rest[0] == before[before.len() - 1]
                            && rest[1..] == before[..before.len() - 1])
                })
            };
            let Some((prefix, suffix)) = (0..=shared_prefix)
                .rev()
                .flat_map(|p| (0..=shared_suffix).rev().map(move |z| (p, z)))
                .find(|&(p, z)| is_swap(p, z))
            else {
                continue;
            };
            let quote_range = items[prefix].range().start..items[n - suffix - 1].range().end;
            let source_range = self.word_range(candidate.source, start + prefix).start
                ..self
                    .word_range(candidate.source, start + n - suffix - 1)
                    .end;
            let source_text = self
                .source(candidate.source)
                .map_or("", |s| s.text.as_str());
            let whole = self.word_range(candidate.source, start).start
                ..self.word_range(candidate.source, start + n - 1).end;
            let edit = Edit {
                kind: EditKind::Reordered,
                context: String::new(),
                quote_words: collapse(text.get(quote_range.clone()).unwrap_or_default()),
                source_words: collapse(source_text.get(source_range.clone()).unwrap_or_default()),
                quote_range,
                source_range,
            };
            return Some((edit, whole));
        }
        None
    }

    /// Notes on what ellipses and brackets leave out: a dropped negation changes the meaning.
    pub(super) fn editorial_notes(
        &self,
        text: &str,
        items: &[Item],
        candidate: &Candidate,
    ) -> Vec<String> {
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
