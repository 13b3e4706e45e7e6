//! Sentence bounds in a source: the sentence(s) around a passage, for hovers and messages, with a bounded
//! reach so a source without punctuation cannot make them large or slow.

use std::ops::Range;

/// The sentence(s) around `range`: back to the previous sentence end or paragraph break, forward to the next.
pub fn sentence_around(text: &str, range: &Range<usize>) -> Range<usize> {
    let start = sentence_start(text, range.start);
    let end = sentence_end(text, range.end);
    start..end.max(start)
}

/// How far a sentence is searched for on each side of a passage: a source without punctuation (one huge line)
/// cannot make a hover or a message large or slow.
const SENTENCE_REACH: usize = 1500;

pub(crate) fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？')
}

fn is_closing_mark(c: char) -> bool {
    matches!(c, '"' | '”' | '’' | '\'' | '»' | '」' | '』' | ')')
}

/// The start of the sentence holding byte `at`.
pub fn sentence_start(text: &str, at: usize) -> usize {
    let at = floor_boundary(text, at);
    let limit = floor_boundary(text, at.saturating_sub(SENTENCE_REACH));
    let before = &text[limit..at];
    // The reach ran out mid-sentence: start at a word.
    let mut start = if limit == 0 {
        0
    } else {
        limit + before.find(char::is_whitespace).unwrap_or(0)
    };
    // The first character after the current one that is not a closing mark.
    let mut following: Option<char> = None;
    for (index, c) in before.char_indices().rev() {
        // A blank line (LF or CRLF) ends a paragraph.
        if c == '\n' && (before[..index].ends_with('\n') || before[..index].ends_with("\n\r")) {
            start = limit + index + 1;
            break;
        }
        if is_terminator(c) && following.is_some_and(char::is_whitespace) {
            start = limit + index + c.len_utf8();
            break;
        }
        if !is_closing_mark(c) {
            following = Some(c);
        }
    }
    let rest = &text[start..at];
    start
        + (rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_whitespace() || is_closing_mark(c))
                .len())
}

/// The end of the sentence holding byte `at` (just after its final punctuation and closing marks).
pub fn sentence_end(text: &str, at: usize) -> usize {
    let at = floor_boundary(text, at);
    let limit = floor_boundary(text, at.saturating_add(SENTENCE_REACH));
    let rest = &text[at..limit];
    let mut iterator = rest.char_indices().peekable();
    while let Some((index, c)) = iterator.next() {
        if c == '\n' && rest[index + 1..].starts_with(['\n', '\r']) {
            return at + index;
        }
        if is_terminator(c) {
            let mut end = index + c.len_utf8();
            while let Some(&(next_index, next)) = iterator.peek() {
                if is_closing_mark(next) {
                    end = next_index + next.len_utf8();
                    iterator.next();
                } else {
                    break;
                }
            }
            if rest[end..].chars().next().is_none_or(char::is_whitespace) {
                return at + end;
            }
        }
    }
    if limit < text.len() {
        // The reach ran out mid-sentence: end after a word.
        return at + rest.rfind(char::is_whitespace).unwrap_or(rest.len());
    }
    text.trim_end().len().max(at)
}

fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The sentence before `sentence`, if any: in the same paragraph, or the last one of the paragraph before when
/// `sentence` opens its paragraph (what leads up to a quote, such as who is speaking).
pub fn previous_sentence(text: &str, sentence: &Range<usize>) -> Option<Range<usize>> {
    let before = text.get(..floor_boundary(text, sentence.start))?;
    let (at, _) = before
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_whitespace())?;
    let found = sentence_around(text, &(at..at));
    (found.end <= sentence.start && !found.is_empty()).then_some(found)
}

/// The sentence after `sentence` in the same paragraph, if any: the sentence that follows a paragraph's last one
/// belongs to another paragraph (often another speaker), so it is not context.
pub fn next_sentence(text: &str, sentence: &Range<usize>) -> Option<Range<usize>> {
    let from = floor_boundary(text, sentence.end);
    let (offset, _) = text[from..]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())?;
    if text[from..from + offset].matches('\n').count() >= 2 {
        return None;
    }
    let at = from + offset;
    let found = sentence_around(text, &(at..at));
    (found.start >= sentence.end && !found.is_empty()).then_some(found)
}

/// Where the sentence holding byte `at` ends, reading past a period that ends a title or other short abbreviation
/// (`Mr.`, `Gen.`, `U.S.`) rather than a sentence: a stricter bound than [`sentence_end`], for deciding that two
/// words are in different sentences.
pub fn sentence_end_past_abbreviations(text: &str, at: usize) -> usize {
    let mut end = sentence_end(text, at);
    for _ in 0..4 {
        if end >= text.len() || !ends_with_abbreviation(&text[..end]) {
            break;
        }
        end = sentence_end(text, end);
    }
    end
}

/// Where the sentence holding byte `at` starts, reading back past a period that ends an abbreviation (as
/// [`sentence_end_past_abbreviations`]).
pub fn sentence_start_past_abbreviations(text: &str, at: usize) -> usize {
    let mut start = sentence_start(text, at);
    for _ in 0..4 {
        let before = text[..floor_boundary(text, start)].trim_end();
        if before.is_empty() || !ends_with_abbreviation(before) {
            break;
        }
        start = sentence_start(text, before.len() - 1);
    }
    start
}

/// Whether `text` ends with a period closing an abbreviation: a single letter (`U.S.`, `J.`), or a title or
/// other short word a period follows without ending a sentence.
fn ends_with_abbreviation(text: &str) -> bool {
    let Some(before) = text.strip_suffix('.') else {
        return false;
    };
    let word = &before[before.trim_end_matches(char::is_alphabetic).len()..];
    let mut letters = word.chars();
    if letters.next().is_some() && letters.next().is_none() {
        return true;
    }
    const ABBREVIATIONS: &[&str] = &[
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "sen", "rep", "gov", "lt", "col",
        "sgt", "capt", "maj", "adm", "cmdr", "rev", "hon", "pres", "supt", "insp", "det", "no",
        "nos", "vs", "etc", "inc", "corp", "co", "ltd", "bros", "dept", "univ", "assn", "ave",
        "blvd", "mt", "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
        "nov", "dec", "approx", "est", "vol", "pp", "fig", "ca",
    ];
    ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours() {
        let text = "First one. Second “one!” Third? Fourth…\n\nNew paragraph";
        let second = text.find("Second").unwrap()..text.find(" Third").unwrap();
        assert_eq!(
            &text[previous_sentence(text, &second).unwrap()],
            "First one."
        );
        assert_eq!(&text[next_sentence(text, &second).unwrap()], "Third?");
        // The sentence after a paragraph's last one is not its context; the one before a paragraph's first is.
        let fourth = text.find("Fourth").unwrap()..text.find("\n\n").unwrap();
        assert!(next_sentence(text, &fourth).is_none());
        let crlf = "One two.\r\n\r\nThree four.";
        assert!(next_sentence(crlf, &(0..8)).is_none());
        let wrapped = "One two.\nThree four.";
        assert_eq!(
            &wrapped[next_sentence(wrapped, &(0..8)).unwrap()],
            "Three four."
        );
        let last = text.find("New").unwrap()..text.len();
        assert_eq!(&text[previous_sentence(text, &last).unwrap()], "Fourth…");
        assert!(next_sentence(text, &last).is_none());
        assert!(previous_sentence(text, &(0..10)).is_none());
    }

    #[test]
    fn sentences() {
        let text = "One. Two “three.” Four";
        assert_eq!(&text[sentence_around(text, &(10..15))], "Two “three.”");
        let text = "“One two.” Three four. Five";
        assert_eq!(&text[sentence_around(text, &(15..20))], "Three four.");
        let long = "word ".repeat(10_000);
        let sentence = sentence_around(&long, &(25_000..25_004));
        assert!(sentence.len() <= 2 * SENTENCE_REACH + 4, "{sentence:?}");
        assert!(long[sentence].starts_with("word"));
    }

    #[test]
    fn abbreviations_do_not_end_sentences_for_the_stricter_bounds() {
        let text =
            "They met Gen. Smith and the U.S. envoy in Washington. Talks went on. Mr. Jones left.";
        let smith = text.find("Smith").unwrap();
        assert_eq!(
            &text[..sentence_end_past_abbreviations(text, smith)],
            "They met Gen. Smith and the U.S. envoy in Washington."
        );
        let jones = text.find("Jones").unwrap();
        assert_eq!(
            &text[sentence_start_past_abbreviations(text, jones)..],
            "Mr. Jones left."
        );
        let envoy = text.find("envoy").unwrap();
        assert_eq!(sentence_start_past_abbreviations(text, envoy), 0);
        let talks = text.find("went").unwrap();
        assert_eq!(
            &text[sentence_start_past_abbreviations(text, talks)
                ..sentence_end_past_abbreviations(text, talks)],
            "Talks went on."
        );
        // A sentence that ends with an ordinary word ends there.
        assert_eq!(
            &text[..sentence_end_past_abbreviations(text, 0)],
            "They met Gen. Smith and the U.S. envoy in Washington."
        );
    }
}
