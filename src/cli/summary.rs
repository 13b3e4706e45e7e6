//! `verbatim check --summary`: per-source usage for a desk report — how often each source is quoted, in how
//! many drafts, how many of those quotes drift or are misattributed — instead of the findings (text, or JSON
//! Lines with `--format json`).
use std::io::{self, Write};
use std::path::Path;

use serde_json::json;

use super::args::Format;
use super::excerpt;
use super::refs::usage_index;
use super::report::Report;
use crate::engine::SourceUsage;

/// One row: the source's path as shown, its usage, its title and date.
type Row<'a> = (String, &'a SourceUsage, Option<(&'a str, Option<&'a str>)>);

/// Writes the summary: the sources quoted, most quoted first (then by path), and a closing line.
pub(super) fn write_summary(
    out: &mut dyn Write,
    report: &Report,
    format: Format,
) -> io::Result<()> {
    let index = usage_index(report);
    let mut rows: Vec<Row<'_>> = Vec::new();
    let summary = index.summary();
    for (key, usage) in &summary {
        let source = report
            .corpus
            .source_id(key)
            .and_then(|id| report.corpus.source(id))
            .map(|s| (s.metadata.title.as_str(), s.metadata.date.as_deref()));
        rows.push((report.workspace.display(Path::new(key)), usage, source));
    }
    rows.sort_by(|a, b| b.1.quotes.cmp(&a.1.quotes).then_with(|| a.0.cmp(&b.0)));
    let unsourced: usize = index.drafts().map(|(_, d)| d.unsourced).sum();
    if format == Format::Json {
        for (path, usage, source) in &rows {
            let value = json!({
                "source": path,
                "title": source.map(|s| s.0),
                "date": source.and_then(|s| s.1),
                "quotes": usage.quotes,
                "drafts": usage.drafts,
                "verified": usage.verified,
                "drift": usage.drift,
                "misattributed": usage.misattributed,
            });
            writeln!(out, "{value}")?;
        }
        return Ok(());
    }
    let width = rows
        .iter()
        .map(|r| r.0.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    writeln!(
        out,
        "{:<width$}  quoted  drafts  drift  misattributed  title",
        "source"
    )?;
    for (path, usage, source) in &rows {
        let title = source
            .map(|(title, date)| match date {
                Some(date) => format!("{}, {date}", excerpt(title, 50)),
                None => excerpt(title, 50),
            })
            .unwrap_or_default();
        writeln!(
            out,
            "{path:<width$}  {:>6}  {:>6}  {:>5}  {:>13}  {title}",
            usage.quotes, usage.drafts, usage.drift, usage.misattributed
        )?;
    }
    writeln!(
        out,
        "{} of {} sources quoted in {} draft{}; {unsourced} quote{} unsourced",
        rows.len(),
        report.corpus.len(),
        report.drafts.len(),
        if report.drafts.len() == 1 { "" } else { "s" },
        if unsourced == 1 { "" } else { "s" },
    )
}
