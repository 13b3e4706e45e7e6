//! Finds quotations in a draft: quote marks of many languages, blockquotes, wrapped and multi-paragraph quotes.
//!
//! The scanner walks each prose block (see [`super::prose`]) with a stack of open marks. A mark closes the
//! innermost open quote whose closing marks include it; otherwise it may open a new one. Symmetric marks (`"`,
//! `'`, `”`, `’`) open only before a word and close only after one, and `’`/`'` between letters is an
//! apostrophe. Only outermost quotes are reported; inner ones are part of them. A quote still open at the end
//! of a paragraph continues only when the next paragraph reopens with the same mark (Chicago 13.30); otherwise
//! it is dropped, so an unterminated mark never swallows the rest of the document.

use std::ops::Range;

use super::align::{quote_items, Item};
use super::prose::{prose, Block};
use super::{EngineSettings, TextFormat};

/// How a quotation is marked in the draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QuoteKind {
    /// Between quote marks.
    Marked { open: char, close: char },
    /// A Markdown blockquote (`> …`): the whole block is the quotation.
    Blockquote,
    /// Not a quotation: a stretch of the draft's own prose that repeats a source (an `uncredited` finding).
    Unmarked,
}

/// One quotation in a draft. All ranges are byte ranges of the draft text.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    /// The quoted text, between the marks (for a multi-paragraph quote, from the first opening mark to the last
    /// closing one).
    pub range: Range<usize>,
    /// The range including the marks (equal to `range` for a blockquote).
    pub outer: Range<usize>,
    /// The pieces of quoted prose inside `range`, without Markdown markers or the marks that reopen a
    /// paragraph.
    pub segments: Vec<Range<usize>>,
    pub kind: QuoteKind,
    /// Words in the quote, editorial insertions and `[sic]` excluded.
    pub word_count: usize,
    /// Set when a `<!-- verbatim-ignore -->` marker precedes the quote.
    pub ignored: bool,
    /// Short words in Title Case or ALL CAPS between marks (`'Keep Calm and Carry On'`): a title, slogan or
    /// headline rather than a quotation, so no source containing it is not worth a finding (set only with
    /// `EngineSettings::skip_titles`).
    pub title: bool,
    /// For a blockquote, the dash line that closes it (`— Tomás Reyes`, `-- Name`), whether directly under
    /// the quote or after a blank `>` line: the credit, not part of the quotation (excluded from `range`).
    pub byline: Option<Range<usize>>,
}

impl Quote {
    /// The quote's segments shifted by `delta` bytes (for reusing a cached finding after an edit above it).
    pub fn shifted(&self, delta: isize) -> Quote {
        let shift = |r: &Range<usize>| shift_range(r, delta);
        Quote {
            range: shift(&self.range),
            outer: shift(&self.outer),
            segments: self.segments.iter().map(shift).collect(),
            byline: self.byline.as_ref().map(shift),
            ..self.clone()
        }
    }
}

pub(crate) fn shift_range(range: &Range<usize>, delta: isize) -> Range<usize> {
    range.start.saturating_add_signed(delta)..range.end.saturating_add_signed(delta)
}

/// Every quotation in `text` with at least `settings.min_words` words, in document order. Ignored quotes are
/// included with `ignored` set.
pub fn find_quotes(text: &str, format: TextFormat, settings: &EngineSettings) -> Vec<Quote> {
    let prose = prose(text, format);
    let mut quotes = Vec::new();
    let mut index = 0;
    let mut carried: Option<Carry> = None;
    while index < prose.blocks.len() {
        let block = &prose.blocks[index];
        if let Some(start) = block.blockquote {
            let group_end = prose.blocks[index..]
                .iter()
                .position(|b| b.blockquote != Some(start))
                .map_or(prose.blocks.len(), |offset| index + offset);
            let group = &prose.blocks[index..group_end];
            carried = None;
            if let Some(quote) = blockquote(text, group) {
                quotes.push(quote);
            } else {
                for block in group {
                    scan_block(text, block, None, &mut quotes);
                }
            }
            index = group_end;
            continue;
        }
        let next = prose
            .blocks
            .get(index + 1)
            .filter(|b| b.blockquote.is_none());
        carried = scan_block(text, block, carried.take(), &mut quotes).and_then(|carry| {
            let reopen = next.and_then(|b| first_char(text, b))?;
            (reopen.1 == carry.open.mark).then_some(Carry {
                reopen: Some(reopen.0..reopen.0 + reopen.1.len_utf8()),
                ..carry
            })
        });
        index += 1;
    }
    for quote in &mut quotes {
        let items = quote_items(text, &quote.segments);
        quote.word_count = items
            .iter()
            .filter(|item| matches!(item, Item::Word { .. }))
            .count();
        quote.ignored = prose.ignore_markers.iter().any(|&marker| {
            marker <= quote.outer.start
                && text[marker..quote.outer.start]
                    .chars()
                    .all(|c| c.is_whitespace() || c == '>')
        });
    }
    quotes.retain(|quote| quote.word_count >= settings.min_words.max(1));
    if settings.skip_titles {
        for quote in &mut quotes {
            quote.title =
                matches!(quote.kind, QuoteKind::Marked { .. }) && is_title(text, &quote.segments);
        }
    }
    quotes
}

/// Most words a quoted title, slogan or headline has.
const TITLE_MAX_WORDS: usize = 10;

/// Words a title leaves in lower case (articles, conjunctions, short prepositions).
const TITLE_SMALL_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "nor", "but", "for", "of", "in", "on", "at", "to", "by", "with",
    "from", "as", "vs", "via", "per", "into", "onto", "upon", "de", "del", "la", "le", "les", "du",
    "des", "et", "von", "van", "der", "und",
];

/// Whether quoted words are a name rather than a quotation: at most [`TITLE_MAX_WORDS`] words, either all in
/// capitals (`'BREAKING NEWS TONIGHT NOW'`) or in Title Case, every word capitalized but the small ones
/// (`'Keep Calm and Carry On'`, `“The Road to Serfdom: Fifty Years On”`). Words of scripts without case make
/// it a quotation.
fn is_title(text: &str, segments: &[Range<usize>]) -> bool {
    let words: Vec<&str> = segments
        .iter()
        .flat_map(|segment| text[segment.clone()].split_whitespace())
        .map(|word| word.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|word| !word.is_empty())
        .collect();
    if words.is_empty() || words.len() > TITLE_MAX_WORDS {
        return false;
    }
    let mut capitalized = 0;
    for (index, word) in words.iter().enumerate() {
        let Some(first) = word.chars().next() else {
            continue;
        };
        if first.is_numeric() {
            continue;
        }
        if first.is_uppercase() {
            capitalized += 1;
        } else if !first.is_lowercase()
            || index == 0
            || !TITLE_SMALL_WORDS.contains(&word.to_lowercase().as_str())
        {
            return false;
        }
    }
    capitalized >= 2
}

/// The first non-space character of a block, with its offset.
fn first_char(text: &str, block: &Block) -> Option<(usize, char)> {
    let segment = block.segments.first()?;
    text[segment.clone()]
        .char_indices()
        .find(|(_, c)| !c.is_whitespace())
        .map(|(i, c)| (segment.start + i, c))
}

/// A blockquote group is one quotation, unless it is wholly wrapped in quote marks (then the marks decide).
/// A dash line closing the group is the credit (`— Name`), not part of the quotation: either a last paragraph
/// that starts with a dash, or a last line of the last paragraph that does (see [`byline_line`]).
fn blockquote(text: &str, group: &[Block]) -> Option<Quote> {
    let mut blocks: Vec<Block> = group.to_vec();
    let mut byline = None;
    if blocks.len() > 1 {
        if let Some((_, c)) = first_char(text, &blocks[blocks.len() - 1]) {
            if is_byline_dash(c) {
                let last = blocks.pop()?;
                byline = Some(last.segments.first()?.start..last.segments.last()?.end);
            }
        }
    }
    if byline.is_none() {
        if let Some(last) = blocks.last_mut() {
            if let Some(cut) = byline_line(text, &last.segments) {
                byline = Some(last.segments[cut].start..last.segments.last()?.end);
                last.segments.truncate(cut);
            }
        }
    }
    let segments: Vec<Range<usize>> = blocks
        .iter()
        .flat_map(|b| b.segments.iter().cloned())
        .collect();
    let range = segments.first()?.start..segments.last()?.end;
    let inner = text[range.clone()].trim();
    let wrapped = inner
        .chars()
        .next()
        .zip(inner.chars().last())
        .is_some_and(|(open, close)| {
            closers(open).contains(&close) && count_top_level_marks(inner, open) <= 2
        });
    if wrapped {
        return None;
    }
    Some(Quote {
        outer: range.clone(),
        range,
        segments,
        kind: QuoteKind::Blockquote,
        word_count: 0,
        ignored: false,
        title: false,
        byline,
    })
}

/// Dashes that open a credit line: em, en and horizontal-bar dashes, a hyphen (`-`, `--`) and a tilde.
fn is_byline_dash(c: char) -> bool {
    matches!(c, '—' | '–' | '―' | '-' | '~')
}

/// The index of the segment where a credit line starts inside a paragraph (`> …stomach.` then
/// `> — Tomás Reyes` with no blank `>` line between): a segment that starts a line (not the first line) with a
/// dash, when what comes before it ends a sentence or a quotation, or the dash is followed by a capital (a
/// name). A line that opens with a dash in the middle of a sentence (`> we will build it` /
/// `> — whatever it costs — by 2030.`) stays in the quote.
fn byline_line(text: &str, segments: &[Range<usize>]) -> Option<usize> {
    (1..segments.len()).find(|&i| {
        let gap = text
            .get(segments[i - 1].end..segments[i].start)
            .unwrap_or("");
        if !gap.contains('\n') {
            return false;
        }
        let line = text[segments[i].clone()].trim_start();
        let Some(dash) = line.chars().next().filter(|&c| is_byline_dash(c)) else {
            return false;
        };
        let after = line[dash.len_utf8()..].trim_start_matches(is_byline_dash);
        let name_follows = after
            .trim_start()
            .chars()
            .next()
            .is_some_and(char::is_uppercase);
        let before = segments[..i]
            .iter()
            .rev()
            .map(|r| text[r.clone()].trim_end())
            .find(|s| !s.is_empty())
            .and_then(|s| s.chars().last());
        let sentence_ended = before.is_some_and(|c| {
            matches!(
                c,
                '.' | '!'
                    | '?'
                    | '…'
                    | ')'
                    | ']'
                    | '"'
                    | '\''
                    | '”'
                    | '’'
                    | '»'
                    | '«'
                    | '“'
                    | '」'
                    | '』'
            )
        });
        name_follows || sentence_ended
    })
}

fn count_top_level_marks(text: &str, mark: char) -> usize {
    text.chars()
        .filter(|&c| c == mark || closers(mark).contains(&c))
        .count()
}

/// The marks that may close a quote opened by `open`.
fn closers(open: char) -> &'static [char] {
    match open {
        '"' => &['"', '”'],
        '“' => &['”', '"'],
        '„' => &['“', '”'],
        '”' => &['”'],
        '‘' => &['’'],
        '‚' => &['‘', '’'],
        '\'' => &['\''],
        '«' => &['»'],
        '»' => &['«'],
        '‹' => &['›'],
        '›' => &['‹'],
        '「' => &['」'],
        '『' => &['』'],
        '〝' => &['〞', '〟'],
        '＂' => &['＂'],
        _ => &[],
    }
}

/// Marks that need a word right after them to open and a word right before them to close.
fn is_symmetric(mark: char) -> bool {
    matches!(mark, '"' | '\'' | '”' | '’' | '＂')
}

/// Most quote marks held open at once (real nesting is two or three deep).
const MAX_OPEN: usize = 32;

#[derive(Clone, Debug)]
struct Open {
    mark: char,
    at: usize,
    content_start: usize,
}

/// An outermost quote left open at the end of a paragraph, carried into the next one.
#[derive(Clone, Debug)]
struct Carry {
    open: Open,
    segments: Vec<Range<usize>>,
    /// The next paragraph's reopening mark, skipped there.
    reopen: Option<Range<usize>>,
}

/// Scans one block; returns the outermost quote still open at its end.
fn scan_block(
    text: &str,
    block: &Block,
    carried: Option<Carry>,
    quotes: &mut Vec<Quote>,
) -> Option<Carry> {
    // The block as (offset, char) with a space standing between segments.
    let mut chars: Vec<(usize, char)> = Vec::new();
    let mut previous_end: Option<usize> = None;
    for segment in &block.segments {
        // A gap with white space (a line break) reads as a space; markup glued to words (`*`, `**`) as nothing.
        if let Some(end) = previous_end {
            if text
                .get(end..segment.start)
                .is_none_or(|gap| gap.chars().any(char::is_whitespace))
            {
                chars.push((segment.start, ' '));
            }
        }
        previous_end = Some(segment.end);
        chars.extend(
            text[segment.clone()]
                .char_indices()
                .map(|(i, c)| (segment.start + i, c)),
        );
    }
    let (chars, widths) = merge_doubled_marks(chars);
    let mut stack: Vec<Open> = Vec::new();
    let mut segments_so_far: Vec<Range<usize>> = Vec::new();
    let mut skip: Option<Range<usize>> = None;
    if let Some(carry) = carried {
        stack.push(carry.open);
        segments_so_far = carry.segments;
        skip = carry.reopen;
    }
    for index in 0..chars.len() {
        let (at, mark) = chars[index];
        if skip.as_ref().is_some_and(|s| s.start == at) {
            continue;
        }
        if !is_mark(mark) {
            continue;
        }
        let before = index.checked_sub(1).map(|i| chars[i].1);
        let after = chars.get(index + 1).map(|&(_, c)| c);
        let word_before = before.is_some_and(|c| !c.is_whitespace() && !is_opening_punctuation(c));
        let word_after = after.is_some_and(|c| !c.is_whitespace());
        let letter_before = before.is_some_and(char::is_alphanumeric);
        let letter_after = after.is_some_and(char::is_alphanumeric);
        // An apostrophe inside a word (don’t, rock'n'roll) is never a mark.
        if matches!(mark, '’' | '\'') && letter_before && letter_after {
            continue;
        }
        // Close the innermost open quote this mark can close.
        // A letter right after a symmetric mark means it opens, unless punctuation ends the quote before it
        // (`…was fair.”Reporting by`: a missing space in the copy).
        // A mark with space on both sides cannot open: it closes (`and continue to see ” Mayer said`, a stray
        // space before the closing mark in the copy).
        let mut can_close = !is_symmetric(mark)
            || (word_before && (!letter_after || before.is_some_and(ends_quoted_words)))
            || (!word_before && !word_after);
        // “the Games’ opening ceremony’”: after a plural s, ’ is a possessive when another ’ further on can
        // close the same quote.
        let word_follows = after.is_some_and(char::is_whitespace)
            && chars
                .get(index + 2)
                .is_some_and(|&(_, c)| c.is_alphanumeric());
        if can_close
            && matches!(mark, '’' | '\'')
            && matches!(before, Some('s' | 'S'))
            && word_follows
        {
            can_close = !later_closer(&chars[index + 1..], mark);
        }
        if can_close {
            if let Some(level) = stack
                .iter()
                .rposition(|open| closers(open.mark).contains(&mark))
            {
                // A symmetric mark that could also open (a word follows, a space precedes) opens instead
                // when the quote it would close is not the innermost one.
                let opens_instead = is_symmetric(mark) && level + 1 != stack.len() && !word_before;
                if !opens_instead {
                    let open = stack[level].clone();
                    stack.truncate(level);
                    if stack.is_empty() {
                        let content = open.content_start..at;
                        let mut segments = std::mem::take(&mut segments_so_far);
                        segments.extend(block.segments.iter().cloned());
                        quotes.push(make_quote(
                            open,
                            content,
                            at + widths[index],
                            mark,
                            segments,
                            skip.clone(),
                        ));
                    }
                    continue;
                }
            }
        }
        // A straight or Swedish mark after a letter is a closing mark or an apostrophe, never an opening one.
        let can_open =
            !closers(mark).is_empty() && (!is_symmetric(mark) || (word_after && !word_before));
        let apostrophe_like = matches!(mark, '’' | '\'') && letter_before;
        // Bounded nesting: thousands of marks that never close cannot make the scan quadratic.
        if can_open && !apostrophe_like && !matches!(mark, '’') && stack.len() < MAX_OPEN {
            stack.push(Open {
                mark,
                at,
                content_start: at + widths[index],
            });
        }
    }
    let outermost = stack.into_iter().next()?;
    segments_so_far.extend(block.segments.iter().cloned());
    Some(Carry {
        open: outermost,
        segments: segments_so_far,
        reopen: None,
    })
}

/// Two apostrophes or single marks written as one double mark (`''like this''`, `‘‘so’’`: an archive style
/// of some wires and papers) read as `"`, `“` and `”`. Returns the characters and each one's width in bytes.
fn merge_doubled_marks(chars: Vec<(usize, char)>) -> (Vec<(usize, char)>, Vec<usize>) {
    let mut merged = Vec::with_capacity(chars.len());
    let mut widths = Vec::with_capacity(chars.len());
    let mut index = 0;
    while index < chars.len() {
        let (at, c) = chars[index];
        let doubled = match (c, chars.get(index + 1)) {
            ('\'', Some(&(next_at, '\''))) if next_at == at + 1 => Some('"'),
            ('‘', Some(&(next_at, '‘'))) if next_at == at + '‘'.len_utf8() => Some('“'),
            ('’', Some(&(next_at, '’'))) if next_at == at + '’'.len_utf8() => Some('”'),
            _ => None,
        };
        if let Some(mark) = doubled {
            merged.push((at, mark));
            widths.push(2 * c.len_utf8());
            index += 2;
        } else {
            merged.push((at, c));
            widths.push(c.len_utf8());
            index += 1;
        }
    }
    (merged, widths)
}

/// Whether a closing `mark` (not inside a word, not followed by a letter) comes later in the paragraph, within
/// a sentence or two.
fn later_closer(rest: &[(usize, char)], mark: char) -> bool {
    let window = &rest[..rest.len().min(300)];
    (0..window.len()).any(|i| {
        let (_, c) = window[i];
        let before = i.checked_sub(1).map(|j| window[j].1);
        let after = rest.get(i + 1).map(|&(_, c)| c);
        c == mark
            && before.is_some_and(|b| !b.is_whitespace())
            && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Punctuation that ends quoted words, after which a closing mark may touch the next word.
fn ends_quoted_words(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | ',')
}

fn is_mark(c: char) -> bool {
    matches!(
        c,
        '"' | '“'
            | '”'
            | '„'
            | '‘'
            | '’'
            | '‚'
            | '\''
            | '«'
            | '»'
            | '‹'
            | '›'
            | '「'
            | '」'
            | '『'
            | '』'
            | '〝'
            | '〞'
            | '〟'
            | '＂'
    )
}

fn is_opening_punctuation(c: char) -> bool {
    matches!(c, '(' | '[' | '{' | '—' | '–' | '-' | '/') || (is_mark(c) && !matches!(c, '’' | '\''))
}

/// Builds the quote from its opening, its content range and the segments it crossed.
fn make_quote(
    open: Open,
    content: Range<usize>,
    outer_end: usize,
    close: char,
    crossed: Vec<Range<usize>>,
    _reopen: Option<Range<usize>>,
) -> Quote {
    let segments = clip_segments(&crossed, &content);
    Quote {
        range: content.clone(),
        outer: open.at..outer_end,
        segments,
        kind: QuoteKind::Marked {
            open: open.mark,
            close,
        },
        word_count: 0,
        ignored: false,
        title: false,
        byline: None,
    }
}

/// The parts of `segments` inside `content`; reopening marks of continued paragraphs are dropped later by
/// word segmentation (marks are not words), so only the clipping is needed here.
fn clip_segments(segments: &[Range<usize>], content: &Range<usize>) -> Vec<Range<usize>> {
    let mut clipped: Vec<Range<usize>> = Vec::new();
    for segment in segments {
        let start = segment.start.max(content.start);
        let end = segment.end.min(content.end);
        if start < end && !clipped.iter().any(|c| c.start == start) {
            clipped.push(start..end);
        }
    }
    clipped.sort_by_key(|r| r.start);
    clipped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(text: &str, format: TextFormat) -> Vec<String> {
        let settings = EngineSettings {
            min_words: 1,
            ..EngineSettings::default()
        };
        find_quotes(text, format, &settings)
            .into_iter()
            .map(|q| text[q.range].to_string())
            .collect()
    }

    fn md(text: &str) -> Vec<String> {
        quoted(text, TextFormat::Markdown)
    }

    #[test]
    fn marks_of_many_languages() {
        assert_eq!(
            md("He said \"one two\" and “three four”."),
            ["one two", "three four"]
        );
        assert_eq!(
            md("Er sagte „eins zwei“ und »drei vier«."),
            ["eins zwei", "drei vier"]
        );
        assert_eq!(
            md("Il a dit « un deux » et «trois»."),
            [" un deux ", "trois"]
        );
        assert_eq!(
            md("Powiedział „raz dwa” i ”tre fyra”."),
            ["raz dwa", "tre fyra"]
        );
        assert_eq!(md("他说「一二三」和『四五』。"), ["一二三", "四五"]);
        assert_eq!(
            md("She said ‘the country’s future’ today."),
            ["the country’s future"]
        );
    }

    #[test]
    fn doubled_apostrophes_are_one_mark() {
        let text = "He said ''we will not back down,'' and left. ‘‘Never again’’, she wrote.";
        let quotes = find_quotes(
            text,
            TextFormat::PlainText,
            &EngineSettings {
                min_words: 1,
                ..EngineSettings::default()
            },
        );
        let found: Vec<(&str, &str)> = quotes
            .iter()
            .map(|q| (&text[q.range.clone()], &text[q.outer.clone()]))
            .collect();
        assert_eq!(
            found,
            [
                ("we will not back down,", "''we will not back down,''"),
                ("Never again", "‘‘Never again’’"),
            ]
        );
    }

    #[test]
    fn a_closing_mark_after_a_stray_space() {
        assert_eq!(
            md("“We have never had demand like that day, and continue to see ” Mayer said. “We will see.”"),
            ["We have never had demand like that day, and continue to see ", "We will see."]
        );
        // Alone between spaces with no quote open, a mark opens nothing.
        assert!(md("A 27 \" screen and \"no quote").is_empty());
    }

    #[test]
    fn a_closing_mark_touching_the_next_word() {
        assert_eq!(
            md("“The vote was fair and the count was right.”Reporting by Ann Lee."),
            ["The vote was fair and the count was right."]
        );
        assert_eq!(
            md("She said \"the vote was fair,\"adding nothing."),
            ["the vote was fair,"]
        );
    }

    #[test]
    fn titles_and_slogans_are_names_not_quotes() {
        let settings = EngineSettings::default();
        let text = "Posters read 'Keep Calm and Carry On' and “The Road to Serfdom: Fifty Years On” sold, \
                    as did 'Annual Statement of Accounts' and \"BREAKING NEWS FROM THE HILL\". \
                    She said “we will win this race in the end” and “It Was Not Me, I Was Home.”";
        let quotes: Vec<&str> = find_quotes(text, TextFormat::PlainText, &settings)
            .into_iter()
            .filter(|q| !q.title)
            .map(|q| &text[q.range])
            .collect();
        assert_eq!(quotes, ["we will win this race in the end"]);
        let all = EngineSettings {
            skip_titles: false,
            ..EngineSettings::default()
        };
        let quotes = find_quotes(text, TextFormat::PlainText, &all);
        assert_eq!(quotes.len(), 6);
        assert!(quotes.iter().all(|q| !q.title));
        // Cased words are needed: a quote in a script without case is a quotation.
        let cjk = "「東京 大阪 京都 奈良」";
        assert!(!is_title(cjk, std::slice::from_ref(&(0..cjk.len()))));
        let german = "Über Alles war es";
        assert!(!is_title(german, std::slice::from_ref(&(0..german.len()))));
    }

    #[test]
    fn apostrophes_are_not_marks() {
        assert!(md("Russia’s leaders and the Games’ opening don't matter.").is_empty());
        assert_eq!(
            md("The Games’ opening: ‘we’re ready now’ he said."),
            ["we’re ready now"]
        );
    }

    #[test]
    fn nested_quotes_report_the_outer_one() {
        assert_eq!(
            md("“He said ‘stop now’ and left”"),
            ["He said ‘stop now’ and left"]
        );
        assert_eq!(
            md("\"He said 'stop now' and left\""),
            ["He said 'stop now' and left"]
        );
    }

    #[test]
    fn wrapped_and_multi_paragraph() {
        assert_eq!(md("“one\ntwo”"), ["one\ntwo"]);
        let text = "“First para.\n\n“Second para.”\n";
        assert_eq!(md(text), ["First para.\n\n“Second para."]);
        let found = find_quotes(
            text,
            TextFormat::Markdown,
            &EngineSettings {
                min_words: 1,
                ..Default::default()
            },
        );
        assert_eq!(found[0].segments.len(), 2);
    }

    #[test]
    fn unterminated_quote_does_not_swallow() {
        assert_eq!(
            md("“never closed here.\n\nThen “a real quote” here."),
            ["a real quote"]
        );
    }

    #[test]
    fn code_is_never_quoted() {
        assert!(md("`\"not a quote\"`\n\n```\n\"nor this\"\n```\n").is_empty());
    }

    #[test]
    fn blockquote_is_a_quote() {
        let text = "> The whole block\n> is quoted.\n>\n> — Somebody\n";
        let found = find_quotes(text, TextFormat::Markdown, &EngineSettings::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, QuoteKind::Blockquote);
        assert_eq!(found[0].word_count, 5);
    }

    #[test]
    fn byline_directly_under_a_blockquote_is_not_quoted() {
        for (line, byline) in [
            ("> — Tomás Reyes\n", "— Tomás Reyes"),
            ("> -- Tomás Reyes\n", "-- Tomás Reyes"),
            ("> ― Tomás Reyes\n", "― Tomás Reyes"),
            (
                "> —Tomás Reyes, mayor\n> of Lisbon\n",
                "—Tomás Reyes, mayor\n> of Lisbon",
            ),
            (">\n> — Tomás Reyes\n", "— Tomás Reyes"),
        ] {
            let text = format!("Intro.\n\n> No child should have to learn\n> on an empty stomach.\n{line}\nAfter.\n");
            let found = find_quotes(&text, TextFormat::Markdown, &EngineSettings::default());
            assert_eq!(found.len(), 1, "{line:?}");
            assert_eq!(
                &text[found[0].range.clone()],
                "No child should have to learn\n> on an empty stomach.",
                "{line:?}"
            );
            assert_eq!(found[0].word_count, 10);
            let range = found[0].byline.clone().expect("byline");
            assert_eq!(&text[range], byline);
        }
    }

    #[test]
    fn a_dash_line_inside_a_sentence_stays_quoted() {
        let text = "> We will build the bridge\n> — whatever it costs — by 2030.\n";
        let found = find_quotes(text, TextFormat::Markdown, &EngineSettings::default());
        assert_eq!(
            &text[found[0].range.clone()],
            text[2..text.len() - 1].to_string()
        );
        assert_eq!(found[0].byline, None);
    }

    #[test]
    fn ignore_marker() {
        let text = "<!-- verbatim-ignore --> “one two three four” and “five six seven eight”";
        let found = find_quotes(text, TextFormat::Markdown, &EngineSettings::default());
        assert_eq!(
            found.iter().map(|q| q.ignored).collect::<Vec<_>>(),
            [true, false]
        );
    }

    #[test]
    fn min_words() {
        let text = "a “scare quote” and “one two three four”";
        let found = find_quotes(text, TextFormat::PlainText, &EngineSettings::default());
        assert_eq!(found.len(), 1);
    }
}
