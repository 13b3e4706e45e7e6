//! Edits: the differences between a quote and its passage as byte ranges (reorderings recognised), and notes on
//! what ellipses and brackets leave out.
use std::ops::Range;

use super::align::{Item, Step};
use super::check::Candidate;
use super::finding::{Edit, EditKind};
use super::index::Corpus;
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
