//! `verbatim check --format html`: one self-contained HTML5 page (inline CSS, no script, no network) with a
//! summary, a bar chart of the verdicts and, per draft, every finding with the draft's sentence beside the
//! source passage, the word diff marked, the source's metadata and the attribution text.
//!
//! The page is streamed: only the verdict counts are gathered first, then each draft is written as it comes,
//! so a check of thousands of drafts renders in about the time it takes to write the bytes. Verdicts are
//! rendered by their code (`data-verdict="<code>"`) and a label derived from it, so a new `Verdict` variant
//! shows up without changes here; the stylesheet knows the tones of the codes it has seen and gives any other
//! code a neutral one. Everything taken from drafts, sources and settings is escaped ([`Escaped`]).

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::{self, Write};
use std::ops::Range;
use std::path::Path;

use super::{DraftReport, Report, SourcePlaces};
use crate::engine::attribution::Attribution;
use crate::engine::metadata::parse_metadata;
use crate::engine::sentence::sentence_around;
use crate::engine::{attribution_text, human_date, EditKind, Finding, Source, TextFormat, Verdict};
use crate::lineindex::{Encoding, LineIndex};

/// Verdict codes the summary always lists (with 0 when absent), when this build's `Verdict` knows them.
const SUMMARY_CODES: [&str; 5] = [
    "verified",
    "drift",
    "unsourced",
    "misattributed",
    "uncredited",
];

/// Bytes of context kept on each side of a quote or passage when its sentence is longer.
const CONTEXT_BYTES: usize = 320;
/// Characters of a quote shown in a collapsed finding's summary line.
const EXCERPT_CHARS: usize = 140;

/// Writes the HTML report of `report` to `out`.
pub fn write_html(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let tally = Tally::of(report);
    write_head(out, report, &tally)?;
    write_summary(out, report, &tally)?;
    writeln!(out, "<main id=\"findings\">")?;
    if report.drafts.is_empty() {
        writeln!(out, "<p class=\"empty\">No drafts were checked.</p>")?;
    }
    let mut renderer = Renderer {
        report,
        source_places: SourcePlaces::default(),
        ids: HashSet::new(),
    };
    for (index, draft) in report.drafts.iter().enumerate() {
        renderer.write_draft(out, index, draft)?;
    }
    writeln!(out, "</main>")?;
    write_footer(out, report)?;
    writeln!(out, "</body>\n</html>")
}

/// The label of a verdict: its code, capitalised (`drift` → `Drift`).
pub fn verdict_label(verdict: Verdict) -> String {
    let code = verdict.code().replace(['-', '_'], " ");
    let mut chars = code.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A mark drawn before a verdict's label (a second signal besides colour); `•` for codes it does not know.
fn verdict_icon(code: &str) -> &'static str {
    match code {
        "verified" => "✓",
        "drift" => "≠",
        "unsourced" => "?",
        "misattributed" => "⚠",
        "uncredited" => "⧉",
        _ => "•",
    }
}

/// One line saying what a verdict means, for the legend (none for codes it does not know).
fn verdict_meaning(code: &str) -> Option<&'static str> {
    Some(match code {
        "verified" => "a source has the quote word for word",
        "drift" => "a source has it, with altered wording",
        "unsourced" => "no source in the workspace contains it",
        "misattributed" => "the draft credits someone other than the source does",
        "uncredited" => "prose copied from a source without credit",
        _ => return None,
    })
}

/// Findings per verdict, and the quotes they are about.
struct Tally {
    /// Every verdict listed in the summary, in the engine's order of verdicts.
    counts: BTreeMap<Verdict, usize>,
    quotes: usize,
    findings: usize,
}

impl Tally {
    fn of(report: &Report) -> Tally {
        let mut counts: BTreeMap<Verdict, usize> = SUMMARY_CODES
            .iter()
            .filter_map(|code| Verdict::from_code(code))
            .map(|verdict| (verdict, 0))
            .collect();
        let mut quotes = 0;
        let mut findings = 0;
        for draft in &report.drafts {
            let mut seen = HashSet::new();
            for finding in &draft.findings {
                *counts.entry(finding.verdict).or_default() += 1;
                findings += 1;
                // A quote may carry more than one finding (its verdict and a misattribution); copied prose
                // is not a quotation.
                if finding.verdict.code() != "uncredited"
                    && seen.insert((finding.quote.range.start, finding.quote.range.end))
                {
                    quotes += 1;
                }
            }
        }
        Tally {
            counts,
            quotes,
            findings,
        }
    }
}

/// Text escaped for HTML content and double- or single-quoted attribute values. Control characters (which
/// HTML forbids) become their visible Unicode control pictures; noncharacters become U+FFFD.
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        let mut start = 0;
        for (at, c) in text.char_indices() {
            let mut buffer = [0u8; 4];
            let replacement: &str = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '\t' | '\n' | '\r' => continue,
                '\0'..='\x1f' => char::from_u32(0x2400 + c as u32)
                    .map_or("\u{fffd}", |p| p.encode_utf8(&mut buffer)),
                '\x7f' => "\u{2421}",
                '\u{80}'..='\u{9f}' | '\u{fdd0}'..='\u{fdef}' => "\u{fffd}",
                c if (c as u32) & 0xfffe == 0xfffe => "\u{fffd}",
                _ => continue,
            };
            f.write_str(&text[start..at])?;
            f.write_str(replacement)?;
            start = at + c.len_utf8();
        }
        f.write_str(&text[start..])
    }
}

/// Whitespace collapsed and cut to `limit` characters (with `…`).
fn excerpt(text: &str, limit: usize) -> String {
    let mut collapsed = String::with_capacity(text.len().min(limit * 4));
    let mut count = 0;
    for word in text.split_whitespace() {
        if count > 0 {
            collapsed.push(' ');
            count += 1;
        }
        for c in word.chars() {
            if count >= limit {
                // Cut at the last word break when there is one.
                let kept = collapsed.rfind(' ').unwrap_or(collapsed.len());
                collapsed.truncate(kept);
                collapsed.push('…');
                return collapsed;
            }
            collapsed.push(c);
            count += 1;
        }
    }
    collapsed
}

/// Percent-encodes a fragment so that `href="#…"` finds the element whose `id` is `id`.
fn fragment(id: &str) -> String {
    let mut encoded = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~:@!$&'()*+,;=".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// An `id` (no white space, never empty) made of `text`.
fn id_of(prefix: &str, text: &str) -> String {
    let mut id = String::with_capacity(prefix.len() + text.len());
    id.push_str(prefix);
    id.extend(
        text.chars()
            .map(|c| if c.is_whitespace() { '_' } else { c }),
    );
    id
}

/// The largest char boundary of `text` at or below `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The smallest char boundary of `text` at or above `at`.
fn ceil_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// The sentence(s) around `focus`, cut to `CONTEXT_BYTES` on each side of it (at a word break when there is
/// one), with whether the start and the end were cut.
fn context_window(
    text: &str,
    focus: &Range<usize>,
    sentence: Range<usize>,
) -> (Range<usize>, bool, bool) {
    let focus =
        focus.start.min(text.len())..focus.end.min(text.len()).max(focus.start.min(text.len()));
    let mut start = sentence.start.min(focus.start);
    let mut end = sentence.end.max(focus.end).min(text.len());
    let (mut cut_start, mut cut_end) = (false, false);
    if focus.start - start > CONTEXT_BYTES {
        start = ceil_boundary(text, focus.start - CONTEXT_BYTES);
        if let Some(space) = text[start..focus.start].find(char::is_whitespace) {
            start += space;
        }
        cut_start = true;
    }
    if end - focus.end > CONTEXT_BYTES {
        end = floor_boundary(text, focus.end + CONTEXT_BYTES);
        if let Some(space) = text[focus.end..end].rfind(char::is_whitespace) {
            end = focus.end + space;
        }
        cut_end = true;
    }
    (
        floor_boundary(text, start)..ceil_boundary(text, end),
        cut_start,
        cut_end,
    )
}

/// How a stretch of text is marked inside a quote or passage.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Words of this side that the other side does not have (`<ins>` in the draft, `<del>` in the source).
    Differs,
    /// Words that stand in another order on the other side.
    Moved,
    /// The name of the speaker the text credits.
    Speaker,
}

impl Change {
    fn close(self, side: Side) -> &'static str {
        match (self, side) {
            (Change::Speaker, _) => "</b>",
            (_, Side::Draft) => "</ins>",
            (_, Side::Source) => "</del>",
        }
    }
}

/// A stretch of a side marked as differing, or a point where the other side has words this one lacks.
struct Mark {
    range: Range<usize>,
    change: Change,
}

/// Which side of a finding is written: the draft's (its changes are insertions) or the source's (deletions).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Draft,
    Source,
}

impl Side {
    fn tag(self) -> &'static str {
        match self {
            Side::Draft => "ins",
            Side::Source => "del",
        }
    }

    /// What a gap on this side means.
    fn gap_label(self) -> &'static str {
        match self {
            Side::Draft => "source words left out here",
            Side::Source => "the draft adds words here",
        }
    }
}

/// Writes `text[window]` escaped, with `highlight` in `<mark>` and each mark in `<ins>`/`<del>`; an empty mark
/// becomes a labelled caret.
fn write_marked(
    out: &mut dyn Write,
    text: &str,
    window: &Range<usize>,
    highlight: Option<&Range<usize>>,
    marks: &[Mark],
    side: Side,
) -> io::Result<()> {
    let clamp = |at: usize| at.clamp(window.start, window.end);
    let mut points: Vec<usize> = vec![window.start, window.end];
    if let Some(highlight) = highlight {
        points.extend([clamp(highlight.start), clamp(highlight.end)]);
    }
    for mark in marks {
        points.extend([clamp(mark.range.start), clamp(mark.range.end)]);
    }
    points.retain(|&at| text.is_char_boundary(at));
    points.sort_unstable();
    points.dedup();
    let gaps = |at: usize| {
        marks
            .iter()
            .filter(move |m| {
                m.range.is_empty()
                    && m.range.start == at
                    && (window.start..=window.end).contains(&at)
            })
            .count()
    };
    let mut open: Option<(bool, Option<Change>)> = None;
    let close = |out: &mut dyn Write, state: Option<(bool, Option<Change>)>| -> io::Result<()> {
        if let Some((highlighted, change)) = state {
            if let Some(change) = change {
                write!(out, "{}", change.close(side))?;
            }
            if highlighted {
                write!(out, "</mark>")?;
            }
        }
        Ok(())
    };
    let open_change = |out: &mut dyn Write, change: Option<Change>| match change {
        Some(Change::Differs) => write!(out, "<{}>", side.tag()),
        Some(Change::Moved) => write!(out, "<{} class=\"moved\">", side.tag()),
        Some(Change::Speaker) => write!(out, "<b class=\"speaker\">"),
        None => Ok(()),
    };
    for pair in points.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        for _ in 0..gaps(from) {
            close(out, open.take())?;
            write!(
                out,
                "<span class=\"gap\" role=\"img\" aria-label=\"{0}\" title=\"{0}\">‸</span>",
                side.gap_label()
            )?;
        }
        let highlighted = highlight.is_some_and(|h| h.start <= from && to <= h.end);
        let change = marks
            .iter()
            .find(|m| m.range.start <= from && to <= m.range.end && !m.range.is_empty())
            .map(|m| m.change);
        let state = (highlighted, change);
        match open {
            Some(current) if current == state => {}
            Some((was_highlighted, was_change)) if was_highlighted == highlighted => {
                // Only the change differs: the highlight stays open around it.
                if let Some(change) = was_change {
                    write!(out, "{}", change.close(side))?;
                }
                open_change(out, change)?;
                open = Some(state);
            }
            _ => {
                close(out, open.take())?;
                if highlighted {
                    write!(out, "<mark>")?;
                }
                open_change(out, change)?;
                open = Some(state);
            }
        }
        write!(out, "{}", Escaped(&text[from..to]))?;
    }
    close(out, open.take())?;
    for _ in 0..gaps(window.end) {
        write!(
            out,
            "<span class=\"gap\" role=\"img\" aria-label=\"{0}\" title=\"{0}\">‸</span>",
            side.gap_label()
        )?;
    }
    Ok(())
}

/// Streams the drafts; remembers each source's line table and the ids already used.
struct Renderer<'a> {
    report: &'a Report,
    source_places: SourcePlaces,
    ids: HashSet<String>,
}

impl Renderer<'_> {
    /// Where a passage of source `id` is in the source's own file, as the other formats say it: the 1-based
    /// line and column (UTF-16) when the file has lines (Markdown, text, a saved page, a transcript), and the
    /// page or cue (`p. 3`, `00:03:12 · Minister`) when the format has them.
    fn source_place(&mut self, id: u32, source: &Source, range: &Range<usize>) -> Place {
        let place = self.source_places.of(id, source);
        let line = place.has_lines().then(|| {
            let position = place
                .positions
                .line_col(place.range(range).start, Encoding::Utf16);
            (position.line + 1, position.column + 1)
        });
        Place {
            line,
            locator: place.locator(range),
            site: place.site_and_url().0.map(str::to_string),
        }
    }

    /// A unique id from `wanted` (`-2`, `-3`… appended when taken).
    fn unique_id(&mut self, wanted: String) -> String {
        if self.ids.insert(wanted.clone()) {
            return wanted;
        }
        let mut n = 2;
        loop {
            let candidate = format!("{wanted}-{n}");
            if self.ids.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }

    fn write_draft(
        &mut self,
        out: &mut dyn Write,
        index: usize,
        draft: &DraftReport,
    ) -> io::Result<()> {
        let path = self.report.workspace.display(&draft.path);
        let format = TextFormat::from_path(&draft.path.to_string_lossy());
        let title = parse_metadata(&draft.text, format).title;
        let draft_id = self.unique_id(id_of("draft:", &path));
        let mut counts: BTreeMap<Verdict, usize> = BTreeMap::new();
        for finding in &draft.findings {
            *counts.entry(finding.verdict).or_default() += 1;
        }
        writeln!(
            out,
            "<section class=\"draft\" id=\"{}\" aria-labelledby=\"h-{}\">",
            Escaped(&draft_id),
            index
        )?;
        writeln!(out, "<header class=\"draft-head\">")?;
        write!(
            out,
            "<h2 id=\"h-{index}\"><a href=\"#{}\">{}</a></h2>",
            Escaped(&fragment(&draft_id)),
            Escaped(&path)
        )?;
        if !title.trim().is_empty() && title.trim() != path {
            write!(
                out,
                "<p class=\"draft-title\">{}</p>",
                Escaped(&excerpt(&title, 160))
            )?;
        }
        write!(out, "<p class=\"pills\">")?;
        if counts.is_empty() {
            write!(out, "<span class=\"pill\">no quotations</span>")?;
        }
        for (verdict, count) in &counts {
            write_pill(out, *verdict, *count)?;
        }
        writeln!(out, "</p>\n</header>")?;
        let positions = LineIndex::new(&draft.text);
        for finding in &draft.findings {
            self.write_finding(out, draft, &path, &positions, finding)?;
        }
        writeln!(out, "</section>")
    }

    fn write_finding(
        &mut self,
        out: &mut dyn Write,
        draft: &DraftReport,
        path: &str,
        positions: &LineIndex,
        finding: &Finding,
    ) -> io::Result<()> {
        let code = finding.verdict.code();
        let text = draft.text.as_str();
        let range = finding.quote.range.clone();
        // Where a diagnostic points: the quote, or the speaker's name for a misattribution.
        let marked = finding.range();
        let position = positions.line_col(marked.start, Encoding::Utf16);
        let (line, column) = (position.line + 1, position.column + 1);
        let id = self.unique_id(id_of("", &format!("{path}:{line}:{column}:{code}")));
        let open = if finding.verdict == Verdict::Verified {
            ""
        } else {
            " open"
        };
        writeln!(
            out,
            "<details class=\"finding\" data-verdict=\"{code}\" id=\"{}\"{open}>",
            Escaped(&id)
        )?;
        let quoted = text.get(range.clone()).unwrap_or_default();
        write!(out, "<summary>")?;
        write_badge(out, finding.verdict)?;
        write!(
            out,
            " <span class=\"where\">line {line}:{column}</span> <q class=\"excerpt\">{}</q></summary>\n<div class=\"body\">\n",
            Escaped(&excerpt(quoted, EXCERPT_CHARS))
        )?;
        if finding.verdict != Verdict::Verified || finding.passage.is_none() {
            writeln!(
                out,
                "<p class=\"message\">{}</p>",
                Escaped(&finding.message)
            )?;
        }
        writeln!(out, "<div class=\"sides\">")?;
        // The draft's side: its sentence, the quote highlighted, the words the source does not have inserted.
        let focus = range.start.min(marked.start)..range.end.max(marked.end);
        let sentence = sentence_around(text, &focus);
        let (window, cut_start, cut_end) = context_window(text, &focus, sentence);
        let mut draft_marks: Vec<Mark> = finding
            .edits
            .iter()
            .filter(|edit| !(edit.kind == EditKind::Added && edit.quote_range.is_empty()))
            .map(|edit| Mark {
                range: edit.quote_range.clone(),
                change: if edit.kind == EditKind::Reordered {
                    Change::Moved
                } else {
                    Change::Differs
                },
            })
            .collect();
        if let Some(attribution) = &finding.attribution {
            draft_marks.push(Mark {
                range: attribution.range.clone(),
                change: Change::Speaker,
            });
        }
        write!(
            out,
            "<div class=\"side side-draft\"><p class=\"side-label\">In the draft <a class=\"loc\" href=\"#{}\">{}:{line}:{column}</a></p>\n<blockquote class=\"text\">",
            Escaped(&fragment(&id)),
            Escaped(path)
        )?;
        if cut_start {
            write!(out, "… ")?;
        }
        write_marked(out, text, &window, Some(&range), &draft_marks, Side::Draft)?;
        if cut_end {
            write!(out, " …")?;
        }
        writeln!(out, "</blockquote></div>")?;
        // The source's side.
        let source = finding.passage.as_ref().and_then(|passage| {
            self.report
                .corpus
                .source(passage.source)
                .map(|source| (passage, source))
        });
        match source {
            Some((passage, source)) => {
                let source_text: &str = &source.text;
                let place = self.source_place(passage.source, source, &passage.range);
                let source_path = self.report.workspace.display(Path::new(&source.key));
                let mut focus = passage.range.clone();
                let mut sentence = passage.sentence.clone();
                let credit = finding.source_attribution.as_ref().map(|a| a.range.clone());
                if let Some(credit) = credit.as_ref().filter(|c| c.end <= source_text.len()) {
                    // The source's credit is shown when it is near the passage.
                    if credit.start + CONTEXT_BYTES >= focus.start
                        && credit.end <= focus.end + CONTEXT_BYTES
                    {
                        focus = focus.start.min(credit.start)..focus.end.max(credit.end);
                        sentence = sentence.start.min(credit.start)..sentence.end.max(credit.end);
                    }
                }
                let (window, cut_start, cut_end) = context_window(source_text, &focus, sentence);
                let mut source_marks: Vec<Mark> = finding
                    .edits
                    .iter()
                    .filter(|edit| {
                        !(edit.kind == EditKind::Missing && edit.source_range.is_empty())
                    })
                    .map(|edit| Mark {
                        range: edit.source_range.clone(),
                        change: if edit.kind == EditKind::Reordered {
                            Change::Moved
                        } else {
                            Change::Differs
                        },
                    })
                    .collect();
                if let Some(credit) = credit {
                    source_marks.push(Mark {
                        range: credit,
                        change: Change::Speaker,
                    });
                }
                write!(
                    out,
                    "<div class=\"side side-source\"><p class=\"side-label\">In the source <span class=\"loc\">{}</span></p>\n<blockquote class=\"text\">",
                    Escaped(&place.short(&source_path))
                )?;
                if cut_start {
                    write!(out, "… ")?;
                }
                write_marked(
                    out,
                    source_text,
                    &window,
                    Some(&passage.range),
                    &source_marks,
                    Side::Source,
                )?;
                if cut_end {
                    write!(out, " …")?;
                }
                writeln!(out, "</blockquote>")?;
                write_source_meta(out, source, &source_path, &place)?;
                writeln!(out, "</div>")?;
            }
            None => {
                writeln!(
                    out,
                    "<div class=\"side side-source side-none\"><p class=\"side-label\">In the sources</p>\n<p class=\"none\">No source in the workspace contains this passage.</p></div>"
                )?;
            }
        }
        writeln!(out, "</div>")?;
        if !finding.edits.is_empty() {
            write_edits(out, finding)?;
        }
        write_credits(out, finding)?;
        for note in &finding.notes {
            writeln!(
                out,
                "<p class=\"note\"><strong>Note:</strong> {}</p>",
                Escaped(note)
            )?;
        }
        if let Some((passage, source)) = source {
            let place = self
                .source_places
                .of(passage.source, source)
                .passage_place(finding);
            let attribution = attribution_text(
                &self.report.workspace.config.attribution.template,
                source,
                &place,
            );
            if !attribution.trim().is_empty() {
                writeln!(
                    out,
                    "<p class=\"attribution\"><span class=\"key\">Attribution</span> <code>{}</code></p>",
                    Escaped(attribution.trim())
                )?;
            }
        }
        let also_in: Vec<String> = finding
            .also_in
            .iter()
            .filter_map(|passage| self.report.corpus.source(passage.source))
            .map(|source| self.report.workspace.display(Path::new(&source.key)))
            .collect();
        if !also_in.is_empty() {
            write!(
                out,
                "<p class=\"also-in\"><span class=\"key\">Also in</span> "
            )?;
            for (n, path) in also_in.iter().enumerate() {
                if n > 0 {
                    write!(out, ", ")?;
                }
                write!(out, "<code>{}</code>", Escaped(path))?;
            }
            writeln!(out, "</p>")?;
        }
        writeln!(out, "</div>\n</details>")
    }
}

/// Who the draft and the source credit the words to, when the engine found a speaker.
fn write_credits(out: &mut dyn Write, finding: &Finding) -> io::Result<()> {
    if finding.attribution.is_none() && finding.source_attribution.is_none() {
        return Ok(());
    }
    let credit = |attribution: &Attribution| {
        let mut text = format!("<b class=\"speaker\">{}</b>", Escaped(&attribution.speaker));
        if attribution.name != attribution.speaker && !attribution.name.is_empty() {
            text.push_str(&format!(" ({})", Escaped(&attribution.name)));
        }
        if !attribution.cue.is_empty() {
            text.push_str(&format!(
                " <span class=\"cue\">{}</span>",
                Escaped(&attribution.cue)
            ));
        }
        text
    };
    write!(
        out,
        "<p class=\"credits\"><span class=\"key\">Credited</span> "
    )?;
    match &finding.attribution {
        Some(attribution) => write!(out, "draft: {}", credit(attribution))?,
        None => write!(out, "draft: <span class=\"nothing\">nobody named</span>")?,
    }
    if finding.passage.is_some() {
        match &finding.source_attribution {
            Some(attribution) => write!(
                out,
                " <span class=\"sep\">·</span> source: {}",
                credit(attribution)
            )?,
            None => write!(
                out,
                " <span class=\"sep\">·</span> source: <span class=\"nothing\">nobody named</span>"
            )?,
        }
    }
    writeln!(out, "</p>")
}

/// The verdict's badge: icon, label, and its code for the stylesheet.
fn write_badge(out: &mut dyn Write, verdict: Verdict) -> io::Result<()> {
    let code = verdict.code();
    write!(
        out,
        "<span class=\"badge\" data-verdict=\"{code}\"><span class=\"icon\" aria-hidden=\"true\">{}</span> {}</span>",
        verdict_icon(code),
        verdict_label(verdict)
    )
}

fn write_pill(out: &mut dyn Write, verdict: Verdict, count: usize) -> io::Result<()> {
    let code = verdict.code();
    write!(
        out,
        "<span class=\"pill\" data-verdict=\"{code}\"><span class=\"icon\" aria-hidden=\"true\">{}</span> {count} {}</span> ",
        verdict_icon(code),
        verdict_label(verdict).to_lowercase()
    )
}

/// Title, author, date, link and path of a source (and its page or time when the passage has one).
/// A passage's place in its source's file, for people: line and column where the file has lines, page or
/// cue where the format has them (a transcript has both, a PDF a page, a .docx neither).
struct Place {
    line: Option<(u32, u32)>,
    locator: Option<String>,
    /// The outlet a saved web page names (`og:site_name`, JSON-LD publisher), shown beside its byline.
    site: Option<String>,
}

impl Place {
    /// `path:line:col`, `path:line:col · 00:03:12 · Minister`, `path · p. 3`, or the path.
    fn short(&self, path: &str) -> String {
        let mut out = path.to_string();
        if let Some((line, column)) = self.line {
            out.push_str(&format!(":{line}:{column}"));
        }
        if let Some(locator) = &self.locator {
            out.push_str(" · ");
            out.push_str(locator);
        }
        out
    }

    /// `, line 14`, `, line 9, 00:03:12 · Minister`, `, p. 3`, or nothing.
    fn words(&self) -> String {
        let mut out = String::new();
        if let Some((line, _)) = self.line {
            out.push_str(&format!(", line {line}"));
        }
        if let Some(locator) = &self.locator {
            out.push_str(", ");
            out.push_str(locator);
        }
        out
    }
}

fn write_source_meta(
    out: &mut dyn Write,
    source: &Source,
    path: &str,
    place: &Place,
) -> io::Result<()> {
    let metadata = &source.metadata;
    write!(out, "<p class=\"source-meta\">")?;
    if !metadata.title.trim().is_empty() {
        write!(
            out,
            "<cite>{}</cite>",
            Escaped(&excerpt(&metadata.title, 200))
        )?;
    }
    if let Some(author) = metadata.author.as_deref().filter(|a| !a.trim().is_empty()) {
        write!(
            out,
            " <span class=\"sep\">·</span> {}",
            Escaped(author.trim())
        )?;
    }
    if let Some(site) =
        place.site.as_deref().map(str::trim).filter(|site| {
            !site.is_empty() && metadata.author.as_deref().map(str::trim) != Some(*site)
        })
    {
        write!(
            out,
            " <span class=\"sep\">·</span> <span class=\"outlet\">{}</span>",
            Escaped(site)
        )?;
    }
    if let Some(date) = metadata.date.as_deref().filter(|d| !d.trim().is_empty()) {
        let date = date.trim();
        let shown = human_date(date);
        if date.len() >= 10 && date.as_bytes()[4] == b'-' && shown != date {
            write!(
                out,
                " <span class=\"sep\">·</span> <time datetime=\"{}\">{}</time>",
                Escaped(&date[..10]),
                Escaped(&shown)
            )?;
        } else {
            write!(out, " <span class=\"sep\">·</span> {}", Escaped(date))?;
        }
    }
    if let Some(url) = metadata
        .url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        // Only web links become links: a source's front matter could hold a `javascript:` URL.
        let lower = url.to_ascii_lowercase();
        if (lower.starts_with("https://") || lower.starts_with("http://"))
            && !url.contains(char::is_whitespace)
        {
            write!(
                out,
                "<br><a class=\"url\" href=\"{0}\" rel=\"noreferrer noopener\">{0}</a>",
                Escaped(url)
            )?;
        } else {
            write!(out, "<br><span class=\"url\">{}</span>", Escaped(url))?;
        }
    }
    writeln!(
        out,
        "<br><span class=\"path\"><code>{}</code>{}</span></p>",
        Escaped(path),
        Escaped(&place.words())
    )
}

/// The differences as a table: kind, the draft's words, the source's words.
fn write_edits(out: &mut dyn Write, finding: &Finding) -> io::Result<()> {
    writeln!(
        out,
        "<table class=\"edits\"><caption>Differences</caption><thead><tr><th scope=\"col\">Change</th><th scope=\"col\">Draft</th><th scope=\"col\">Source</th></tr></thead><tbody>"
    )?;
    for edit in &finding.edits {
        let words = |words: &str, tag: &str| {
            if words.is_empty() {
                "<span class=\"nothing\">(nothing)</span>".to_string()
            } else if edit.kind == EditKind::Substituted && !edit.context.is_empty() {
                format!(
                    "<span class=\"context\">{}</span> <{tag}>{}</{tag}>",
                    Escaped(&edit.context),
                    Escaped(&excerpt(words, 200))
                )
            } else {
                format!("<{tag}>{}</{tag}>", Escaped(&excerpt(words, 200)))
            }
        };
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            edit.kind.name(),
            words(&edit.quote_words, "ins"),
            words(&edit.source_words, "del")
        )?;
    }
    writeln!(out, "</tbody></table>")
}

/// `YYYY-MM-DD HH:MM UTC` of the run, or of `SOURCE_DATE_EPOCH` when set (reproducible reports).
fn generated_at() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
    let days = (seconds / 86_400) as i64;
    let (hour, minute) = ((seconds % 86_400) / 3600, (seconds % 3600) / 60);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

fn write_head(out: &mut dyn Write, report: &Report, tally: &Tally) -> io::Result<()> {
    let root = report
        .workspace
        .root
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| report.workspace.root.display().to_string());
    let mut title = format!("Quotation report: {root} — {} quotes", tally.quotes);
    for (verdict, count) in &tally.counts {
        if *verdict != Verdict::Verified && *count > 0 {
            title.push_str(&format!(", {count} {}", verdict.code()));
        }
    }
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"generator\" content=\"verbatim {}\">\n<title>{}</title>\n<style>\n{STYLE}",
        env!("CARGO_PKG_VERSION"),
        Escaped(&title)
    )?;
    // The filter: `#show-<code>` is the target of the filter's links; findings of other verdicts (and drafts
    // without one of this verdict) are hidden, no script needed.
    for verdict in tally.counts.keys() {
        let code = verdict.code();
        writeln!(
            out,
            "#show-{code}:target ~ main .finding:not([data-verdict=\"{code}\"]),\n#show-{code}:target ~ main .draft:not(:has(.finding[data-verdict=\"{code}\"])) {{ display: none; }}\n#show-{code}:target ~ .toolbar a[href=\"#show-{code}\"] {{ background: var(--ink); color: var(--bg); border-color: var(--ink); }}\n#show-{code}:target ~ .toolbar a[href=\"#top\"] {{ background: transparent; color: var(--ink); border-color: var(--line); }}"
        )?;
    }
    writeln!(out, "</style>\n</head>\n<body id=\"top\">")?;
    for verdict in tally.counts.keys() {
        writeln!(
            out,
            "<div class=\"filter-target\" id=\"show-{}\"></div>",
            verdict.code()
        )?;
    }
    Ok(())
}

fn write_summary(out: &mut dyn Write, report: &Report, tally: &Tally) -> io::Result<()> {
    let drafts = report.drafts.len();
    let sources = report.corpus.len();
    let workspace = report
        .workspace
        .root
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let to_review = tally.findings
        - tally
            .counts
            .get(&Verdict::Verified)
            .copied()
            .unwrap_or_default();
    let status = match (tally.findings, to_review) {
        (0, _) => "<p class=\"status\">No quotations found.</p>".to_string(),
        (_, 0) => "<p class=\"status status-clear\"><span aria-hidden=\"true\">✓</span> Every quotation matches its source.</p>".to_string(),
        (_, n) => format!(
            "<p class=\"status status-review\"><span aria-hidden=\"true\">!</span> {n} finding{} to review before publication.</p>",
            if n == 1 { "" } else { "s" }
        ),
    };
    writeln!(
        out,
        "<header class=\"masthead\">\n<p class=\"kicker\">verbatim</p>\n<h1>Quotation report</h1>\n<p class=\"meta\"><strong>{}</strong> · {drafts} draft{} checked against {sources} source{} · {}</p>\n{status}\n</header>",
        Escaped(&workspace),
        if drafts == 1 { "" } else { "s" },
        if sources == 1 { "" } else { "s" },
        generated_at(),
    )?;
    writeln!(
        out,
        "<section class=\"summary\" aria-labelledby=\"summary-heading\">\n<h2 id=\"summary-heading\" class=\"visually-hidden\">Summary</h2>\n<div class=\"cards\">"
    )?;
    writeln!(
        out,
        "<div class=\"card total\"><span class=\"number\">{}</span><span class=\"what\">quote{}</span></div>",
        tally.quotes,
        if tally.quotes == 1 { "" } else { "s" }
    )?;
    for (verdict, count) in &tally.counts {
        let code = verdict.code();
        writeln!(
            out,
            "<div class=\"card\" data-verdict=\"{code}\"><span class=\"number\">{count}</span><span class=\"what\"><span class=\"icon\" aria-hidden=\"true\">{}</span> {}</span></div>",
            verdict_icon(code),
            verdict_label(*verdict).to_lowercase()
        )?;
    }
    writeln!(out, "</div>")?;
    write_chart(out, tally)?;
    write!(out, "<dl class=\"legend\">")?;
    for verdict in tally.counts.keys() {
        if let Some(meaning) = verdict_meaning(verdict.code()) {
            write!(
                out,
                "<div><dt>{}</dt><dd>{meaning}</dd></div>",
                verdict_label(*verdict)
            )?;
        }
    }
    writeln!(
        out,
        "<div><dt><ins>words</ins></dt><dd>in the draft, not in the source</dd></div><div><dt><del>words</del></dt><dd>in the source, not in the draft</dd></div><div><dt><span class=\"gap\" role=\"img\" aria-label=\"caret\">‸</span></dt><dd>words missing at this point</dd></div></dl>\n</section>"
    )?;
    // The filter links (their targets are the `filter-target` elements at the top of the body).
    write!(
        out,
        "<nav class=\"toolbar\" aria-label=\"Filter findings by verdict\"><span class=\"toolbar-label\">Show</span> <a href=\"#top\">All <span class=\"count\">{}</span></a>",
        tally.findings
    )?;
    for (verdict, count) in &tally.counts {
        if *count > 0 {
            write!(
                out,
                " <a href=\"#show-{}\" data-verdict=\"{}\"><span class=\"icon\" aria-hidden=\"true\">{}</span> {} <span class=\"count\">{count}</span></a>",
                verdict.code(),
                verdict.code(),
                verdict_icon(verdict.code()),
                verdict_label(*verdict)
            )?;
        }
    }
    writeln!(out, "</nav>")?;
    write_index(out, report)
}

/// A horizontal bar chart of the verdict counts (inline SVG; the numbers are written as text too).
fn write_chart(out: &mut dyn Write, tally: &Tally) -> io::Result<()> {
    let rows = tally.counts.len();
    let max = tally.counts.values().copied().max().unwrap_or(0).max(1);
    let (label_width, bar_width, row_height) = (120.0, 300.0, 26.0);
    let height = row_height * rows as f64 + 4.0;
    let mut description = String::new();
    for (verdict, count) in &tally.counts {
        if !description.is_empty() {
            description.push_str(", ");
        }
        description.push_str(&format!("{count} {}", verdict.code()));
    }
    writeln!(
        out,
        "<figure class=\"chart\"><svg viewBox=\"0 0 480 {height}\" width=\"480\" height=\"{height}\" role=\"img\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">Findings by verdict: {description}</title>"
    )?;
    for (row, (verdict, count)) in tally.counts.iter().enumerate() {
        let y = row as f64 * row_height + 2.0;
        let width =
            (*count as f64 / max as f64 * bar_width).max(if *count > 0 { 2.0 } else { 0.0 });
        writeln!(
            out,
            "<g data-verdict=\"{code}\"><text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" class=\"chart-label\">{label}</text><rect x=\"{label_width}\" y=\"{y}\" width=\"{width:.1}\" height=\"{bh}\" rx=\"3\" class=\"bar\"/><rect x=\"{label_width}\" y=\"{y}\" width=\"{bar_width}\" height=\"{bh}\" rx=\"3\" class=\"track\"/><text x=\"{cx:.1}\" y=\"{ty}\" class=\"chart-count\">{count}</text></g>",
            code = verdict.code(),
            lx = label_width - 10.0,
            ty = y + row_height * 0.62,
            label = verdict_label(*verdict),
            bh = row_height - 8.0,
            cx = label_width + width + 8.0,
        )?;
    }
    writeln!(out, "</svg></figure>")
}

/// The list of drafts with their counts (collapsed when long), so a link can jump to one.
fn write_index(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    if report.drafts.len() < 2 {
        return Ok(());
    }
    let open = if report.drafts.len() <= 12 {
        " open"
    } else {
        ""
    };
    writeln!(
        out,
        "<details class=\"index\"{open}><summary>Drafts ({})</summary>\n<ol>",
        report.drafts.len()
    )?;
    let mut ids = HashSet::new();
    for draft in &report.drafts {
        let path = report.workspace.display(&draft.path);
        // The same ids as the sections get (first come, first served; drafts come before findings).
        let mut id = id_of("draft:", &path);
        let mut n = 2;
        while !ids.insert(id.clone()) {
            id = format!("{}-{n}", id_of("draft:", &path));
            n += 1;
        }
        let mut counts: BTreeMap<Verdict, usize> = BTreeMap::new();
        for finding in &draft.findings {
            *counts.entry(finding.verdict).or_default() += 1;
        }
        write!(
            out,
            "<li><a href=\"#{}\">{}</a> ",
            Escaped(&fragment(&id)),
            Escaped(&path)
        )?;
        for (verdict, count) in &counts {
            write_pill(out, *verdict, *count)?;
        }
        writeln!(out, "</li>")?;
    }
    writeln!(out, "</ol></details>")
}

fn write_footer(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    writeln!(
        out,
        "<footer class=\"colophon\"><p>Made by <code>verbatim check --format html</code> {}. Attribution template <code>{}</code>. Quotes are compared word for word after typography is normalised; ellipses and [bracketed] insertions are editorial marks.</p></footer>",
        env!("CARGO_PKG_VERSION"),
        Escaped(&report.workspace.config.attribution.template)
    )
}

/// The stylesheet: light, dark (`prefers-color-scheme`) and print; tones per verdict code, a neutral tone for
/// codes it does not know.
const STYLE: &str = r##":root {
  --bg: #f6f5f2; --paper: #ffffff; --ink: #1c1f24; --muted: #5d636e; --line: #dcdad4; --soft: #efede8;
  --mark: #fff1b8; --ins-bg: #dcfce7; --ins-ink: #14532d; --del-bg: #fee2e2; --del-ink: #7f1d1d;
  --tone: #475569; --tone-bg: #e2e8f0;
  --serif: "Iowan Old Style", "Charter", "Georgia", "Cambria", "Times New Roman", serif;
  --sans: system-ui, -apple-system, "Segoe UI", "Roboto", "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
  --mono: ui-monospace, "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", monospace;
  color-scheme: light dark;
}
[data-verdict="verified"] { --tone: #15803d; --tone-bg: #dcfce7; }
[data-verdict="drift"] { --tone: #b45309; --tone-bg: #fef3c7; }
[data-verdict="unsourced"] { --tone: #b91c1c; --tone-bg: #fee2e2; }
[data-verdict="misattributed"] { --tone: #7e22ce; --tone-bg: #f3e8ff; }
[data-verdict="uncredited"] { --tone: #0e7490; --tone-bg: #cffafe; }
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14161a; --paper: #1d2026; --ink: #e8e6e1; --muted: #a1a7b3; --line: #353a44; --soft: #262a31;
    --mark: #4a3f12; --ins-bg: #14532d; --ins-ink: #dcfce7; --del-bg: #7f1d1d; --del-ink: #fee2e2;
    --tone: #94a3b8; --tone-bg: #334155;
  }
  [data-verdict="verified"] { --tone: #4ade80; --tone-bg: #14532d; }
  [data-verdict="drift"] { --tone: #fbbf24; --tone-bg: #5a3a0a; }
  [data-verdict="unsourced"] { --tone: #f87171; --tone-bg: #6b1d1d; }
  [data-verdict="misattributed"] { --tone: #c084fc; --tone-bg: #4c1d75; }
  [data-verdict="uncredited"] { --tone: #22d3ee; --tone-bg: #164e63; }
}
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0 auto; max-width: 76rem; padding: 0 1.25rem 3rem; font: 15px/1.5 var(--sans); color: var(--ink); background: var(--bg); }
a { color: inherit; }
code { font: 0.86em/1.4 var(--mono); overflow-wrap: anywhere; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.filter-target { position: absolute; top: 0; }
.masthead { padding: 2rem 0 1rem; border-bottom: 3px double var(--line); }
.kicker { margin: 0; font-size: 0.78rem; letter-spacing: 0.12em; text-transform: uppercase; color: var(--muted); font-weight: 600; }
.masthead h1 { margin: 0.2rem 0 0.3rem; font: 700 2.1rem/1.15 var(--serif); letter-spacing: -0.01em; }
.masthead .meta { margin: 0; color: var(--muted); font-size: 0.9rem; }
.masthead .meta strong { color: var(--ink); }
.status { margin: 0.7rem 0 0; font-weight: 600; }
.status span { display: inline-block; width: 1.4rem; height: 1.4rem; line-height: 1.4rem; text-align: center; border-radius: 50%; margin-right: 0.35rem; background: var(--ink); color: var(--bg); font-size: 0.85rem; }
.status-review span { background: #b45309; color: #fff; }
.status-clear span { background: #15803d; color: #fff; }
.summary { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 1rem 2rem; align-items: center; padding: 1.25rem 0; }
.cards { display: flex; flex-wrap: wrap; gap: 0.6rem; }
.card { min-width: 7.2rem; padding: 0.6rem 0.9rem 0.55rem; background: var(--paper); border: 1px solid var(--line); border-top: 4px solid var(--tone); border-radius: 8px; display: flex; flex-direction: column; }
.card.total { border-top-color: var(--ink); }
.card .number { font: 700 1.9rem/1.1 var(--serif); font-variant-numeric: tabular-nums; }
.card .what { color: var(--muted); font-size: 0.85rem; }
.card .icon, .pill .icon, .toolbar .icon { color: var(--tone); font-weight: 700; }
.chart { margin: 0; }
.chart svg { display: block; max-width: 100%; height: auto; font: 13px var(--sans); }
.chart .bar { fill: var(--tone); }
.chart .track { fill: none; stroke: var(--line); }
.chart .chart-label { fill: var(--ink); }
.chart .chart-count { fill: var(--muted); font-variant-numeric: tabular-nums; font-weight: 600; }
.legend { grid-column: 1 / -1; display: flex; flex-wrap: wrap; gap: 0.3rem 1.4rem; margin: 0; font-size: 0.85rem; color: var(--muted); }
.legend div { display: flex; gap: 0.4rem; }
.legend dt { font-weight: 600; color: var(--ink); }
.legend dd { margin: 0; }
.toolbar { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem; padding: 0.6rem 0; background: var(--bg); border-bottom: 1px solid var(--line); }
.toolbar-label { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.08em; color: var(--muted); margin-right: 0.3rem; }
.toolbar a { text-decoration: none; padding: 0.2rem 0.75rem; border: 1px solid var(--line); border-radius: 999px; background: var(--paper); font-size: 0.88rem; }
.toolbar a:hover { border-color: var(--tone); }
.toolbar a[href="#top"] { background: var(--ink); color: var(--bg); border-color: var(--ink); }
.toolbar .count { font-variant-numeric: tabular-nums; color: inherit; opacity: 0.75; margin-left: 0.15rem; }
.index { margin: 1rem 0 0; font-size: 0.9rem; }
.index summary { cursor: pointer; color: var(--muted); font-weight: 600; }
.index ol { columns: 2 22rem; margin: 0.5rem 0 0; padding-left: 1.5rem; }
.index li { break-inside: avoid; margin-bottom: 0.2rem; }
.draft { margin-top: 2rem; content-visibility: auto; contain-intrinsic-size: auto 40rem; }
.draft-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.2rem 1rem; padding-bottom: 0.4rem; border-bottom: 1px solid var(--line); margin-bottom: 0.8rem; }
.draft-head h2 { margin: 0; font: 600 1.05rem/1.3 var(--mono); }
.draft-head h2 a { text-decoration: none; }
.draft-head h2 a:hover { text-decoration: underline; }
.draft-title { margin: 0; font: italic 1rem var(--serif); color: var(--muted); flex: 1 1 16rem; }
.pills { margin: 0; display: flex; flex-wrap: wrap; gap: 0.3rem; }
.pill { display: inline-block; padding: 0 0.55rem; border-radius: 999px; background: var(--tone-bg); border: 1px solid var(--line); font-size: 0.8rem; white-space: nowrap; }
.finding { background: var(--paper); border: 1px solid var(--line); border-left: 5px solid var(--tone); border-radius: 8px; margin: 0 0 0.7rem; }
.finding > summary { cursor: pointer; padding: 0.55rem 0.9rem; display: flex; gap: 0.6rem; align-items: baseline; list-style-position: outside; }
.finding > summary::-webkit-details-marker { color: var(--muted); }
.finding[open] > summary { border-bottom: 1px solid var(--soft); }
.badge { flex: none; display: inline-block; min-width: 7.5rem; padding: 0.05rem 0.55rem; border-radius: 4px; background: var(--tone-bg); color: var(--ink); font-weight: 700; font-size: 0.78rem; letter-spacing: 0.05em; text-transform: uppercase; }
.badge .icon { color: var(--tone); }
.where { flex: none; color: var(--muted); font-size: 0.82rem; font-variant-numeric: tabular-nums; }
.excerpt { font-family: var(--serif); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
.finding[open] .excerpt { white-space: normal; }
.body { padding: 0.7rem 0.9rem 0.8rem; }
.message { margin: 0 0 0.7rem; font-weight: 600; }
.sides { display: grid; grid-template-columns: repeat(auto-fit, minmax(19rem, 1fr)); gap: 0.8rem; }
.side { background: var(--soft); border-radius: 6px; padding: 0.6rem 0.8rem; min-width: 0; }
.side-label { margin: 0 0 0.3rem; font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.08em; color: var(--muted); font-weight: 700; display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.5rem; }
.side-label .loc { font: 0.78rem var(--mono); text-transform: none; letter-spacing: 0; font-weight: 400; text-decoration: none; overflow-wrap: anywhere; }
.text { margin: 0; font: 1.02rem/1.6 var(--serif); overflow-wrap: anywhere; }
.text mark { background: var(--mark); color: inherit; border-radius: 2px; padding: 0 1px; }
ins, del { text-decoration-thickness: 2px; border-radius: 2px; padding: 0 1px; }
ins { background: var(--ins-bg); color: var(--ins-ink); text-decoration: underline; text-underline-offset: 3px; }
del { background: var(--del-bg); color: var(--del-ink); text-decoration: line-through; }
ins.moved, del.moved { text-decoration-style: dashed; }
.text ins::before, .text ins::after, .text del::before, .text del::after { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.text ins::before { content: " [draft wording: "; }
.text del::before { content: " [source wording: "; }
.text ins::after, .text del::after { content: "] "; }
.gap { color: var(--del-ink); background: var(--del-bg); font-weight: 700; padding: 0 2px; border-radius: 2px; }
.side-draft .gap { color: var(--ins-ink); background: var(--ins-bg); }
.side-none .none { margin: 0; font: italic 1rem var(--serif); color: var(--muted); }
.source-meta { margin: 0.5rem 0 0; font-size: 0.82rem; color: var(--muted); line-height: 1.45; }
.source-meta cite { font-style: normal; font-weight: 600; color: var(--ink); }
.source-meta .url { overflow-wrap: anywhere; }
.sep { opacity: 0.6; }
.edits { margin: 0.8rem 0 0; border-collapse: collapse; font-size: 0.88rem; width: 100%; }
.edits caption { text-align: left; font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.08em; color: var(--muted); font-weight: 700; padding-bottom: 0.2rem; }
.edits th, .edits td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid var(--soft); vertical-align: top; }
.edits th { font-weight: 600; color: var(--muted); font-size: 0.78rem; }
.edits td:first-child { white-space: nowrap; color: var(--muted); }
.edits .context { opacity: 0.7; }
.edits ins, .edits del { font-family: var(--serif); }
.edits .nothing { font-style: italic; opacity: 0.7; }
.note { margin: 0.6rem 0 0; padding: 0.4rem 0.6rem; border-left: 3px solid var(--tone); background: var(--tone-bg); border-radius: 3px; font-size: 0.9rem; }
.attribution, .also-in, .credits { margin: 0.6rem 0 0; font-size: 0.88rem; }
.speaker { font-weight: 700; text-decoration: underline dotted; text-underline-offset: 3px; }
.credits .cue { color: var(--muted); font-style: italic; }
.credits .nothing { font-style: italic; color: var(--muted); }
.key { display: inline-block; min-width: 6.5rem; font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.08em; color: var(--muted); font-weight: 700; }
.attribution code { background: var(--soft); padding: 0.1rem 0.35rem; border-radius: 4px; }
.empty { color: var(--muted); font-style: italic; }
.colophon { margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--line); color: var(--muted); font-size: 0.8rem; }
@media (max-width: 40rem) {
  .summary { grid-template-columns: 1fr; }
  .badge { min-width: 0; }
  .finding > summary { flex-wrap: wrap; }
}
@media print {
  :root { --bg: #fff; --paper: #fff; --soft: #f4f4f4; --line: #bbb; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .toolbar, .index, .filter-target { display: none; }
  .draft { content-visibility: visible; break-before: auto; }
  .draft-head { break-after: avoid; }
  .finding { break-inside: avoid; border-left-width: 4pt; }
  .finding > summary { list-style: none; }
  .finding > summary::-webkit-details-marker { display: none; }
  .sides { grid-template-columns: 1fr 1fr; }
  a { text-decoration: none; }
  .source-meta a.url::after { content: none; }
  ins, del, mark, .badge, .pill, .card, .side, .gap { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            Escaped("<script>alert('x') & \"y\"</script>").to_string(),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
        assert_eq!(
            Escaped("a\u{1b}[31m\u{0}b\u{7f}\u{85}\u{fdd0}\u{ffff}\u{1fffe}").to_string(),
            "a␛[31m␀b␡\u{fffd}\u{fffd}\u{fffd}\u{fffd}"
        );
        assert_eq!(Escaped("tab\tline\nü “é”").to_string(), "tab\tline\nü “é”");
    }

    #[test]
    fn labels_come_from_codes() {
        assert_eq!(verdict_label(Verdict::Drift), "Drift");
        assert_eq!(verdict_label(Verdict::Verified), "Verified");
    }

    #[test]
    fn excerpts_collapse_and_cut() {
        assert_eq!(excerpt("  a\n  b  ", 10), "a b");
        assert_eq!(excerpt("abcdef ghij", 8), "abcdef…");
        assert_eq!(excerpt("üüü", 2), "üü…");
    }

    #[test]
    fn fragments_find_ids() {
        assert_eq!(fragment("drafts/a b.md:1:2"), "drafts/a%20b.md:1:2");
        assert_eq!(fragment("x\"<#"), "x%22%3C%23");
    }

    fn marked(
        text: &str,
        window: Range<usize>,
        highlight: Option<Range<usize>>,
        marks: Vec<Mark>,
        side: Side,
    ) -> String {
        let mut out = Vec::new();
        write_marked(&mut out, text, &window, highlight.as_ref(), &marks, side).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn marks_nest_and_gaps_show() {
        let text = "He said call on <them> now.";
        let html = marked(
            text,
            0..text.len(),
            Some(8..22),
            vec![
                Mark {
                    range: 13..15,
                    change: Change::Differs,
                },
                Mark {
                    range: 22..22,
                    change: Change::Differs,
                },
            ],
            Side::Draft,
        );
        assert_eq!(
            html,
            "He said <mark>call <ins>on</ins> &lt;them&gt;</mark><span class=\"gap\" role=\"img\" aria-label=\"source words left out here\" title=\"source words left out here\">‸</span> now."
        );
        // A mark reaching outside the highlight is split at its edge; tags always nest.
        let html = marked(
            "abc def ghi",
            0..11,
            Some(0..7),
            vec![Mark {
                range: 4..11,
                change: Change::Moved,
            }],
            Side::Source,
        );
        assert_eq!(
            html,
            "<mark>abc <del class=\"moved\">def</del></mark><del class=\"moved\"> ghi</del>"
        );
    }

    #[test]
    fn context_windows_cut_long_sentences_at_words() {
        let text = format!("{} QUOTE {}", "word ".repeat(200), "tail ".repeat(200));
        let focus = 1000..1007;
        let (window, cut_start, cut_end) = context_window(&text, &focus, 0..text.len());
        assert!(cut_start && cut_end);
        assert!(window.start >= 1000 - CONTEXT_BYTES && window.end <= 1007 + CONTEXT_BYTES);
        assert!(text[window.clone()].contains("QUOTE"));
        let (window, cut_start, cut_end) = context_window("short one", &(0..5), 0..9);
        assert_eq!((window, cut_start, cut_end), (0..9, false, false));
    }
}
