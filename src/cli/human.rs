//! `--format human`: readable text, coloured on a terminal (never on a pipe).
use std::io::{self, Write};
use std::path::Path;

use anstyle::{AnsiColor, Style};
use unicode_width::UnicodeWidthStr;

use super::report::Report;
use super::{excerpt, line_character, SourcePlaces};
use crate::config::Severity;
use crate::engine::{EditKind, Verdict};
use crate::lineindex::LineIndex;

fn verdict_style(verdict: Verdict) -> Style {
    match verdict {
        Verdict::Verified => AnsiColor::Green.on_default(),
        Verdict::Drift => AnsiColor::Yellow.on_default().bold(),
        Verdict::Unsourced => AnsiColor::Red.on_default().bold(),
        Verdict::Misattributed => AnsiColor::Magenta.on_default().bold(),
        Verdict::Uncredited => AnsiColor::Cyan.on_default().bold(),
    }
}

pub(super) fn write_human(out: &mut dyn Write, report: &Report, quiet: bool) -> io::Result<()> {
    let dim = Style::new().dimmed();
    let bold = Style::new().bold();
    let removed = AnsiColor::Red.on_default();
    let added = AnsiColor::Green.on_default();
    let mut counts = [0usize; 8];
    let mut places = SourcePlaces::default();
    for draft in &report.drafts {
        let positions = LineIndex::new(&draft.text);
        let path = report.workspace.display(&draft.path);
        for finding in &draft.findings {
            counts[finding.verdict as usize] += 1;
            if quiet && finding.verdict == Verdict::Verified {
                continue;
            }
            let (line, character) = line_character(&positions, finding.range().start);
            let style = verdict_style(finding.verdict);
            let quote = excerpt(
                draft
                    .text
                    .get(finding.quote.range.clone())
                    .unwrap_or_default(),
                70,
            );
            writeln!(
                out,
                "{bold}{path}:{}:{}{bold:#}  {style}{:<9}{style:#} “{quote}”",
                line + 1,
                character + 1,
                finding.verdict.code()
            )?;
            if let Some(passage) = &finding.passage {
                if let Some(source) = report.corpus.source(passage.source) {
                    let place = places.of(passage.source, source);
                    let (source_line, source_character) =
                        line_character(&place.positions, place.range(&passage.range).start);
                    let locator = place
                        .locator(&passage.range)
                        .map(|l| format!(" ({l})"))
                        .unwrap_or_default();
                    let date = source
                        .metadata
                        .date
                        .as_deref()
                        .map(|d| format!(", {d}"))
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "    {dim}source{dim:#}  {}:{}:{}{locator}  “{}”{date}",
                        report.workspace.display(Path::new(&source.key)),
                        source_line + 1,
                        source_character + 1,
                        source.metadata.title
                    )?;
                }
            }
            // Side by side: what the draft says, what the source says (the matched word before a
            // substitution is shown on both sides, so “on” for “for” reads “call on” / “call for”).
            let sides: Vec<(String, String)> = finding
                .edits
                .iter()
                .map(|edit| {
                    let with_context = |words: &str| match (edit.kind, edit.context.is_empty()) {
                        (_, _) if words.is_empty() => "—".to_string(),
                        (EditKind::Substituted, false) => {
                            excerpt(&format!("{} {words}", edit.context), 50)
                        }
                        _ => excerpt(words, 50),
                    };
                    (
                        with_context(&edit.quote_words),
                        with_context(&edit.source_words),
                    )
                })
                .collect();
            let width = sides
                .iter()
                .map(|(draft_side, _)| draft_side.width())
                .max()
                .unwrap_or(0);
            for (edit, (draft_side, source_side)) in finding.edits.iter().zip(&sides) {
                let padding = " ".repeat(width.saturating_sub(draft_side.width()));
                writeln!(
                    out,
                    "    {dim}{:<11}{dim:#} {removed}{draft_side}{removed:#}{padding}  {dim}source:{dim:#} {added}{source_side}{added:#}",
                    edit.kind.name(),
                )?;
            }
            if matches!(
                finding.verdict,
                Verdict::Unsourced | Verdict::Misattributed | Verdict::Uncredited
            ) {
                writeln!(out, "    {dim}{}{dim:#}", finding.message)?;
            }
            for note in &finding.notes {
                writeln!(
                    out,
                    "    {}note:{:#} {note}",
                    AnsiColor::Magenta.on_default(),
                    AnsiColor::Magenta.on_default()
                )?;
            }
            for passage in &finding.also_in {
                if let Some(source) = report.corpus.source(passage.source) {
                    writeln!(
                        out,
                        "    {dim}also in{dim:#} {}",
                        report.workspace.display(Path::new(&source.key))
                    )?;
                }
            }
        }
    }
    // Misattributions are findings about a quote's speaker, and uncredited copies about the draft's own prose:
    // neither is a quote of its own.
    let total: usize = counts[..3].iter().sum();
    let misattributed = counts[Verdict::Misattributed as usize];
    let misattributed = if misattributed > 0 {
        format!(", {misattributed} misattributed")
    } else {
        String::new()
    };
    let uncredited = match counts[Verdict::Uncredited as usize] {
        0 => String::new(),
        1 => "; 1 uncredited copy".to_string(),
        n => format!("; {n} uncredited copies"),
    };
    // Verdicts whose severity is "off" were dropped from the report: say so, so "0 unsourced" is not misread.
    let off: Vec<&str> = [
        Verdict::Verified,
        Verdict::Drift,
        Verdict::Unsourced,
        Verdict::Uncredited,
    ]
    .iter()
    .map(|v| v.code())
    .filter(|code| report.workspace.config.severity.for_code(code) == Severity::Off)
    .collect();
    let off = if off.is_empty() {
        String::new()
    } else {
        format!("; off in settings: {}", off.join(", "))
    };
    writeln!(
        out,
        "{bold}{total} quote{} in {} draft{}{bold:#}: {} verified, {} drift, {} unsourced{misattributed}{uncredited} ({} sources{off})",
        if total == 1 { "" } else { "s" },
        report.drafts.len(),
        if report.drafts.len() == 1 { "" } else { "s" },
        counts[0],
        counts[1],
        counts[2],
        report.corpus.len()
    )
}
