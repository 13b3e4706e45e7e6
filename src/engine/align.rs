//! Word-level alignment of a quote with a source passage: edits, ellipses as free ordered skips, `[brackets]` as
//! free replacements of a few words, `[sic]` as nothing.
//!
//! The alignment is an infix edit distance (the quote may be any part of the passage) over term ids, solved by
//! dynamic programming over a window of the source around the candidate passage; it is O(quote × window) with
//! both bounded, so a pathological quote cannot stall the checker.

use std::ops::Range;

use super::normalize::{for_each_term, term_hash, TermHash};

/// One element of a quote as the aligner sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A word: its byte range in the draft and its term hash.
    Word { range: Range<usize>, hash: TermHash },
    /// An ellipsis (`…`, `...`, `. . .`, `[...]`, `(...)`, `(..)`): any number of source words may be left out.
    Skip { range: Range<usize> },
    /// `[bracketed]` editorial text standing for a few source words (or none).
    Insertion { range: Range<usize> },
}

impl Item {
    pub fn range(&self) -> &Range<usize> {
        match self {
            Item::Word { range, .. } | Item::Skip { range } | Item::Insertion { range } => range,
        }
    }
}

/// Splits a quote's segments into words and editorial marks. `[sic]` and `(sic)` disappear.
pub fn quote_items(text: &str, segments: &[Range<usize>]) -> Vec<Item> {
    let mut items = Vec::new();
    let mut scratch_word = String::new();
    for segment in segments {
        let Some(slice) = text.get(segment.clone()) else {
            continue;
        };
        let base = segment.start;
        let mut plain_start = 0;
        let mut index = 0;
        let bytes = slice.as_bytes();
        let flush = |from: usize, to: usize, items: &mut Vec<Item>| {
            for_each_term(text, base + from..base + to, |range, hash| {
                items.push(Item::Word { range, hash });
            });
        };
        while index < bytes.len() {
            let rest = &slice[index..];
            let marker = editorial_marker(rest);
            match marker {
                Some((length, Marker::Insertion)) if attached_to_word(slice, index, length) => {
                    // "[T]he", "Putin[’s]": the bracket changes part of a word; the word is compared as read.
                    let mut start = index;
                    while let Some(c) = slice[..start]
                        .chars()
                        .next_back()
                        .filter(|c| c.is_alphanumeric())
                    {
                        start -= c.len_utf8();
                    }
                    let start = start.max(plain_start);
                    let mut end = index + length;
                    while let Some(c) = slice[end..]
                        .chars()
                        .next()
                        .filter(|c| c.is_alphanumeric() || *c == '’' || *c == '\'')
                    {
                        end += c.len_utf8();
                    }
                    flush(plain_start, start, &mut items);
                    let joined: String = slice[start..end]
                        .chars()
                        .filter(|c| !matches!(c, '[' | ']'))
                        .collect();
                    let hash = term_hash(&joined, &mut scratch_word);
                    items.push(Item::Word {
                        range: base + start..base + end,
                        hash,
                    });
                    index = end;
                    plain_start = end;
                }
                Some((length, kind)) => {
                    flush(plain_start, index, &mut items);
                    let range = base + index..base + index + length;
                    match kind {
                        Marker::Skip => {
                            // Two ellipses in a row are one skip.
                            if !matches!(items.last(), Some(Item::Skip { .. })) {
                                items.push(Item::Skip { range });
                            }
                        }
                        Marker::Insertion => items.push(Item::Insertion { range }),
                        Marker::Sic => {}
                    }
                    index += length;
                    plain_start = index;
                }
                None => index += rest.chars().next().map_or(1, char::len_utf8),
            }
        }
        flush(plain_start, slice.len(), &mut items);
    }
    items
}

/// Whether the bracket at `index` (of `length` bytes) touches a letter or digit on either side.
fn attached_to_word(slice: &str, index: usize, length: usize) -> bool {
    let before = slice[..index]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric);
    let after = slice[index + length..]
        .chars()
        .next()
        .is_some_and(char::is_alphanumeric);
    (before || after) && length <= 12
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    Skip,
    Insertion,
    Sic,
}

/// The editorial marker at the start of `rest`, with its length in bytes.
fn editorial_marker(rest: &str) -> Option<(usize, Marker)> {
    let first = rest.chars().next()?;
    match first {
        '…' => Some(('…'.len_utf8(), Marker::Skip)),
        '.' => {
            // "..." or ". . ." (three or more dots, single spaces allowed between them).
            let mut dots = 0;
            let mut length = 0;
            let bytes = rest.as_bytes();
            while length < bytes.len() {
                if bytes[length] == b'.' {
                    dots += 1;
                    length += 1;
                } else if bytes[length] == b' ' && bytes.get(length + 1) == Some(&b'.') && dots > 0
                {
                    length += 1;
                } else {
                    break;
                }
            }
            (dots >= 3).then_some((length, Marker::Skip))
        }
        '[' | '(' => {
            let close = if first == '[' { ']' } else { ')' };
            let end = rest.find(close)?;
            let inner = rest[1..end].trim();
            if inner.len() > 200 || inner.contains(['[', '(', '\n']) {
                return None;
            }
            let length = end + 1;
            let lower = inner.to_lowercase();
            if matches!(lower.as_str(), "sic" | "sic!" | "sic." | "[sic]") {
                Some((length, Marker::Sic))
            } else if !inner.is_empty() && inner.chars().all(|c| c == '.' || c == '…' || c == ' ')
            {
                Some((length, Marker::Skip))
            } else if first == '[' {
                Some((length, Marker::Insertion))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// What one step of an alignment does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Quote item `quote` (a word) equals source word `source`.
    Match { quote: usize, source: usize },
    /// Quote word `quote` stands where the source has word `source`.
    Substitute { quote: usize, source: usize },
    /// Quote word `quote` is not in the source.
    Added { quote: usize },
    /// Source word `source` is left out by the quote (without a mark).
    Missing { source: usize },
    /// Quote item `quote` (an ellipsis or insertion) covers source words `sources`.
    Editorial { quote: usize, sources: Range<usize> },
}

/// The best alignment of a quote with a window of source words.
#[derive(Clone, Debug, PartialEq)]
pub struct Alignment {
    /// Edit cost ([`MISSING_COST`], [`ADDED_COST`], [`SUBSTITUTE_COST`] per word); 0 when the quote is exact.
    pub cost: u32,
    /// Quote words equal to their source word.
    pub matched: usize,
    /// The steps from the first aligned source word to the last (indices into the window).
    pub steps: Vec<Step>,
    /// Source words (window indices) covered by the alignment, from the first to the last.
    pub source_span: Range<usize>,
}

const NO_TERM: u32 = u32::MAX;

/// Costs of the edits. A word the quote adds costs more than a source word it leaves out, so that an
/// alignment keeps the quote's words matched where it can ("since the Cold War" against "from the time of the
/// Cold War" is one substitution and three missing words, not a substitution and two added words); a
/// substitution costs less than an added plus a missing word.
pub const MISSING_COST: u32 = 1;
pub const ADDED_COST: u32 = 4;
pub const SUBSTITUTE_COST: u32 = 3;
/// Larger than any number of matched words in one alignment.
const SCALE: i32 = 1 << 12;

/// Aligns quote items (as term ids: `quote_terms[i]` for word items, ignored for others) with source window
/// terms. `bracket_max_words` bounds what one insertion may stand for.
pub fn align(
    items: &[Item],
    quote_terms: &[u32],
    window: &[u32],
    bracket_max_words: usize,
) -> Alignment {
    let rows = items.len() + 1;
    let columns = window.len() + 1;
    // cost[i * columns + j]: best cost of aligning the first i items so that they end at source word j.
    // Scores are costs scaled by SCALE, less one per matched word: among alignments of equal cost, the one
    // matching more of the quote's words wins.
    let mut cost = vec![i32::MAX / 4; rows * columns];
    let mut back = vec![0u8; rows * columns];
    const FROM_DIAGONAL: u8 = 1;
    const FROM_UP: u8 = 2; // the quote item consumes no source word (added word, empty skip)
    const FROM_LEFT: u8 = 3; // a source word is missing
    const FROM_EDITORIAL: u8 = 4; // skip or insertion covering source words (start stored separately)
    let mut editorial_start = vec![0u32; rows * columns];
    cost[..columns].fill(0);
    for i in 1..rows {
        let row = i * columns;
        let previous = (i - 1) * columns;
        match &items[i - 1] {
            Item::Word { .. } => {
                let term = quote_terms.get(i - 1).copied().unwrap_or(NO_TERM);
                for j in 0..columns {
                    let mut best = cost[previous + j] + ADDED_COST as i32 * SCALE;
                    let mut from = FROM_UP;
                    if j > 0 {
                        let same = term != NO_TERM && window[j - 1] == term;
                        let diagonal = cost[previous + j - 1]
                            + if same {
                                -1
                            } else {
                                SUBSTITUTE_COST as i32 * SCALE
                            };
                        if diagonal < best || (diagonal == best && same) {
                            best = diagonal;
                            from = FROM_DIAGONAL;
                        }
                        let left = cost[row + j - 1] + MISSING_COST as i32 * SCALE;
                        if left < best {
                            best = left;
                            from = FROM_LEFT;
                        }
                    }
                    cost[row + j] = best;
                    back[row + j] = from;
                }
            }
            item => {
                let limit = match item {
                    Item::Skip { .. } => usize::MAX,
                    _ => bracket_max_words,
                };
                // The best start among the previous row's columns j - limit ..= j (ties: the latest start, so
                // the mark covers as few words as it can).
                let mut prefix_best = 0usize;
                for j in 0..columns {
                    let best_start = if limit == usize::MAX {
                        if cost[previous + j] <= cost[previous + prefix_best] {
                            prefix_best = j;
                        }
                        prefix_best
                    } else {
                        let mut start = j;
                        for k in j.saturating_sub(limit)..j {
                            if cost[previous + k] < cost[previous + start] {
                                start = k;
                            }
                        }
                        start
                    };
                    cost[row + j] = cost[previous + best_start];
                    back[row + j] = if best_start == j {
                        FROM_UP
                    } else {
                        FROM_EDITORIAL
                    };
                    editorial_start[row + j] = best_start as u32;
                }
            }
        }
    }
    // Free end: the best column in the last row (the earliest on ties, so nothing extra is claimed).
    let last = (rows - 1) * columns;
    let mut end = 0;
    for j in 0..columns {
        if cost[last + j] < cost[last + end] {
            end = j;
        }
    }
    let mut steps = Vec::new();
    let (mut i, mut j) = (rows - 1, end);
    while i > 0 {
        let at = i * columns + j;
        match back[at] {
            FROM_DIAGONAL => {
                let same = matches!(items[i - 1], Item::Word { .. })
                    && quote_terms.get(i - 1).copied().unwrap_or(NO_TERM) == window[j - 1]
                    && window[j - 1] != NO_TERM;
                steps.push(if same {
                    Step::Match {
                        quote: i - 1,
                        source: j - 1,
                    }
                } else {
                    Step::Substitute {
                        quote: i - 1,
                        source: j - 1,
                    }
                });
                i -= 1;
                j -= 1;
            }
            FROM_LEFT => {
                steps.push(Step::Missing { source: j - 1 });
                j -= 1;
            }
            FROM_EDITORIAL => {
                let start = editorial_start[at] as usize;
                steps.push(Step::Editorial {
                    quote: i - 1,
                    sources: start..j,
                });
                i -= 1;
                j = start;
            }
            _ => {
                if matches!(items[i - 1], Item::Word { .. }) {
                    steps.push(Step::Added { quote: i - 1 });
                } else {
                    steps.push(Step::Editorial {
                        quote: i - 1,
                        sources: j..j,
                    });
                }
                i -= 1;
            }
        }
    }
    steps.reverse();
    Alignment::from_steps(steps, end)
}

impl Alignment {
    /// The alignment made of `steps` (source words left out before the quote's first word or after its last are
    /// dropped); `end` is the window index its span collapses to when no step touches the source.
    pub fn from_steps(steps: Vec<Step>, end: usize) -> Alignment {
        let matched = steps
            .iter()
            .filter(|s| matches!(s, Step::Match { .. }))
            .count();
        // The span runs from the first source word matched or substituted to the last one.
        let touched: Vec<usize> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Match { source, .. }
                | Step::Substitute { source, .. }
                | Step::Missing { source } => Some(*source),
                _ => None,
            })
            .collect();
        let source_span = match (touched.first(), touched.last()) {
            (Some(&first), Some(&last)) => first..last + 1,
            _ => end..end,
        };
        // Missing words before the first or after the last quote word are not part of the quote (a fragment).
        let first_quote_source = steps
            .iter()
            .position(|s| matches!(s, Step::Match { .. } | Step::Substitute { .. }));
        let last_quote_source = steps
            .iter()
            .rposition(|s| matches!(s, Step::Match { .. } | Step::Substitute { .. }));
        let steps = match (first_quote_source, last_quote_source) {
            (Some(first), Some(last)) => {
                let kept: Vec<Step> = steps
                    .iter()
                    .enumerate()
                    .filter(|(k, s)| {
                        !(matches!(s, Step::Missing { .. }) && (*k < first || *k > last))
                    })
                    .map(|(_, s)| s.clone())
                    .collect();
                kept
            }
            _ => steps,
        };
        let source_span = match (
            steps.iter().find_map(source_of),
            steps.iter().rev().find_map(source_of),
        ) {
            (Some(first), Some(last)) => first..last + 1,
            _ => source_span,
        };
        let cost = steps
            .iter()
            .map(|step| match step {
                Step::Substitute { .. } => SUBSTITUTE_COST,
                Step::Added { .. } => ADDED_COST,
                Step::Missing { .. } => MISSING_COST,
                _ => 0,
            })
            .sum();
        Alignment {
            cost,
            matched,
            steps,
            source_span,
        }
    }
}

fn source_of(step: &Step) -> Option<usize> {
    match step {
        Step::Match { source, .. } | Step::Substitute { source, .. } | Step::Missing { source } => {
            Some(*source)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::normalize::words;

    fn terms(text: &str, dictionary: &mut Vec<String>) -> Vec<u32> {
        words(text, 0..text.len())
            .into_iter()
            .map(|r| {
                let word = text[r].to_lowercase();
                match dictionary.iter().position(|w| *w == word) {
                    Some(i) => i as u32,
                    None => {
                        dictionary.push(word);
                        (dictionary.len() - 1) as u32
                    }
                }
            })
            .collect()
    }

    fn run(quote: &str, source: &str) -> Alignment {
        let mut dictionary = Vec::new();
        let window = terms(source, &mut dictionary);
        let items = quote_items(quote, std::slice::from_ref(&(0..quote.len())));
        let quote_terms: Vec<u32> = items
            .iter()
            .map(|item| match item {
                Item::Word { range, .. } => {
                    let word = quote[range.clone()].to_lowercase();
                    dictionary
                        .iter()
                        .position(|w| *w == word)
                        .map_or(NO_TERM, |i| i as u32)
                }
                _ => NO_TERM,
            })
            .collect();
        align(&items, &quote_terms, &window, 6)
    }

    #[test]
    fn exact_fragment_costs_nothing() {
        let a = run(
            "call for the North Atlantic",
            "The parties oppose it and call for the North Atlantic Alliance",
        );
        assert_eq!((a.cost, a.matched), (0, 5));
        assert_eq!(a.source_span, 5..10);
    }

    #[test]
    fn substitution_and_missing() {
        let a = run(
            "call on the North Alliance",
            "call for the North Atlantic Alliance",
        );
        assert_eq!(a.cost, SUBSTITUTE_COST + MISSING_COST);
        assert!(a.steps.contains(&Step::Substitute {
            quote: 1,
            source: 1
        }));
        assert!(a.steps.contains(&Step::Missing { source: 4 }));
    }

    #[test]
    fn ellipsis_and_brackets_are_free() {
        let a = run(
            "oppose … expansion of [NATO] and call",
            "oppose the further expansion of the bloc and call",
        );
        assert_eq!(a.cost, 0, "{:?}", a.steps);
        let a = run(
            "oppose the further expansion [sic] of",
            "oppose the further expansion of",
        );
        assert_eq!(a.cost, 0);
    }

    #[test]
    fn items_recognise_marks() {
        let text = "a ... b . . . c […] d [the bloc] e [sic] f (..) g…";
        let kinds: Vec<&str> = quote_items(text, std::slice::from_ref(&(0..text.len())))
            .iter()
            .map(|i| match i {
                Item::Word { .. } => "w",
                Item::Skip { .. } => "s",
                Item::Insertion { .. } => "i",
            })
            .collect();
        assert_eq!(kinds.join(""), "wswswswiwwsws");
    }
}
