//! `verbatim refs PATH[:LINE[:COL]]`: who quotes a source (or the passage at a line and column of it), or,
//! for a draft, which other drafts quote the same passages as its quotes; as text or JSON Lines. Every draft of
//! the workspace is checked, then the reverse index ([`UsageIndex`]) answers.
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::json;

use super::args::{CheckArgs, ColorChoice, FailOn, Format};
use super::report::{check, Report};
use super::{excerpt, line_character};
use crate::engine::usage::Hit;
use crate::engine::{SourceUsage, TextFormat, UsageIndex};
use crate::lineindex::{Encoding, LineCol, LineIndex};
use crate::workspace::{root_for, source_key};

/// Output formats of `verbatim refs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RefsFormat {
    /// One line per quote, then a summary line.
    Text,
    /// JSON Lines: one quote per line.
    Json,
}

/// The options of `verbatim refs`.
#[derive(Clone, Debug, clap::Args)]
pub struct RefsArgs {
    /// A source or a draft, optionally with a 1-based line and column (`sources/x.md:12` or
    /// `sources/x.md:12:5`): the passage there, else its paragraph.
    #[arg(value_name = "PATH[:LINE[:COL]]")]
    pub target: String,
    /// The workspace root (default: the nearest folder above PATH holding verbatim.toml or sources/).
    #[arg(long)]
    pub root: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = RefsFormat::Text)]
    pub format: RefsFormat,
}

/// `PATH[:LINE[:COL]]` → the path and the 1-based line and column, if given (a path may itself hold colons:
/// only trailing numbers are read as a place).
pub fn split_target(target: &str) -> (PathBuf, Option<u32>, Option<u32>) {
    let number = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    if let Some((head, last)) = target.rsplit_once(':') {
        if let Some(last) = number(last) {
            if let Some((path, line)) = head.rsplit_once(':') {
                if let Some(line) = number(line) {
                    return (PathBuf::from(path), Some(line), Some(last));
                }
            }
            return (PathBuf::from(head), Some(last), None);
        }
    }
    (PathBuf::from(target), None, None)
}

/// Runs `verbatim refs`; the exit code is 0, or 2 on errors.
pub fn run_refs(args: &RefsArgs) -> ExitCode {
    match refs(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("verbatim: error: {error}");
            ExitCode::from(2)
        }
    }
}

fn refs(args: &RefsArgs) -> Result<(), String> {
    let (path, line, column) = split_target(&args.target);
    let absolute = std::path::absolute(&path)
        .map(|p| crate::workspace::canonical(&p))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let root = match &args.root {
        Some(root) => root.clone(),
        None => root_for(&absolute),
    };
    let report = check(&CheckArgs {
        paths: Vec::new(),
        root: Some(root),
        format: Format::Json,
        fail_on: FailOn::Never,
        quiet: false,
        color: ColorChoice::Never,
        summary: false,
        reuse_only: false,
        archive: None,
        output: None,
    })?;
    for warning in &report.warnings {
        eprintln!("verbatim: warning: {warning}");
    }
    let index = usage_index(&report);
    let key = source_key(&absolute);
    let place = |text: &str| {
        line.map(|line| {
            LineIndex::new(text).offset(
                LineCol {
                    line: line.saturating_sub(1),
                    column: column.unwrap_or(1).saturating_sub(1),
                },
                Encoding::Utf16,
            )
        })
    };
    let hits: Vec<Hit<'_>> = if let Some(id) = report.corpus.source_id(&key) {
        let source = report.corpus.source(id).ok_or("the source vanished")?;
        match place(source.text.as_str()) {
            Some(offset) => index.at(&key, source.text.as_str(), source.format, offset),
            None => index.query(&key, None),
        }
    } else if let Some(entry) = index.draft(&key) {
        let quotes: Vec<usize> = match place(&entry.text) {
            Some(offset) => vec![offset],
            None => entry.usages.iter().map(|u| u.quote.start).collect(),
        };
        let mut hits: Vec<Hit<'_>> = Vec::new();
        for offset in quotes {
            for hit in index.same_passage(&key, offset) {
                if !hits
                    .iter()
                    .any(|h| h.draft == hit.draft && h.usage.quote == hit.usage.quote)
                {
                    hits.push(hit);
                }
            }
        }
        hits
    } else {
        return Err(format!(
            "{}: neither a source nor a draft of the workspace at {}",
            path.display(),
            report.workspace.root.display()
        ));
    };
    let mut out = io::stdout().lock();
    let written = match args.format {
        RefsFormat::Text => write_text(&mut out, &report, &hits),
        RefsFormat::Json => write_json(&mut out, &report, &hits),
    };
    match written.and_then(|()| out.flush()) {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write the answer: {error}"))
        }
        _ => Ok(()),
    }
}

/// The reverse index of a checked workspace (drafts keyed by path, as the language server keys them).
pub fn usage_index(report: &Report) -> UsageIndex {
    let mut index = UsageIndex::new();
    for draft in &report.drafts {
        let format = TextFormat::from_path(&draft.path.to_string_lossy());
        index.record(
            &source_key(&draft.path),
            draft.text.as_str(),
            format,
            &report.corpus,
            &draft.findings,
        );
    }
    index
}

/// `path:line:col` of a byte in a text (1-based, UTF-16 columns as `verbatim check` prints them).
fn place(report: &Report, path: &str, text: &str, offset: usize) -> String {
    let (line, character) = line_character(&LineIndex::new(text), offset);
    format!(
        "{}:{}:{}",
        report.workspace.display(Path::new(path)),
        line + 1,
        character + 1
    )
}

fn write_text(out: &mut dyn Write, report: &Report, hits: &[Hit<'_>]) -> io::Result<()> {
    for hit in hits {
        let quote = hit
            .entry
            .text
            .get(hit.usage.quote.clone())
            .unwrap_or_default();
        let source = report
            .corpus
            .source_id(&hit.usage.source)
            .and_then(|id| report.corpus.source(id));
        let from = source
            .map(|s| {
                place(
                    report,
                    &hit.usage.source,
                    s.text.as_str(),
                    hit.usage.passage.start,
                )
            })
            .unwrap_or_default();
        writeln!(
            out,
            "{}  {:<13} “{}”  ← {from}",
            place(report, hit.draft, &hit.entry.text, hit.usage.quote.start),
            hit.usage.code(),
            excerpt(quote, 60)
        )?;
    }
    let usage = SourceUsage::of(hits.iter().copied());
    if usage.quotes == 0 {
        writeln!(out, "not quoted")
    } else {
        writeln!(out, "{}", usage.label())
    }
}

fn write_json(out: &mut dyn Write, report: &Report, hits: &[Hit<'_>]) -> io::Result<()> {
    for hit in hits {
        let positions = LineIndex::new(&hit.entry.text);
        let range = |positions: &LineIndex, range: &std::ops::Range<usize>| {
            let (start_line, start_character) = line_character(positions, range.start);
            let (end_line, end_character) = line_character(positions, range.end);
            json!({
                "start": {"line": start_line, "character": start_character},
                "end": {"line": end_line, "character": end_character},
            })
        };
        let source = report
            .corpus
            .source_id(&hit.usage.source)
            .and_then(|id| report.corpus.source(id));
        let source_json = source.map(|s| {
            json!({
                "path": report.workspace.display(Path::new(&s.key)),
                "range": range(&LineIndex::new(&s.text), &hit.usage.passage),
                "title": s.metadata.title,
                "date": s.metadata.date,
            })
        });
        let value = json!({
            "path": report.workspace.display(Path::new(hit.draft)),
            "range": range(&positions, &hit.usage.quote),
            "code": hit.usage.code(),
            "quote": hit.entry.text.get(hit.usage.quote.clone()).unwrap_or_default(),
            "speaker": hit.usage.speaker,
            "also_in": hit.usage.also_in,
            "source": source_json,
        });
        writeln!(out, "{value}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split_on_trailing_numbers() {
        assert_eq!(
            split_target("a/b.md"),
            (PathBuf::from("a/b.md"), None, None)
        );
        assert_eq!(
            split_target("a/b.md:12"),
            (PathBuf::from("a/b.md"), Some(12), None)
        );
        assert_eq!(
            split_target("a/b.md:12:5"),
            (PathBuf::from("a/b.md"), Some(12), Some(5))
        );
        assert_eq!(
            split_target("C:/x:y.md:3"),
            (PathBuf::from("C:/x:y.md"), Some(3), None)
        );
    }
}
