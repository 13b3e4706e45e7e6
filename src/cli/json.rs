//! `--format json`: JSON Lines, one finding per line (keys are stable: new keys may be added, none renamed).
use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};

use super::line_character;
use super::report::{DraftReport, Report};
use crate::engine::Finding;
use crate::lsp::position::TextPositions;

fn json_range(positions: &TextPositions, range: &std::ops::Range<usize>) -> Value {
    let (start_line, start_character) = line_character(positions, range.start);
    let (end_line, end_character) = line_character(positions, range.end);
    json!({
        "start": {"line": start_line, "character": start_character},
        "end": {"line": end_line, "character": end_character},
    })
}

/// The finding as the JSON object of `--format json` (documented in the README; keep it stable).
pub fn finding_json(
    report: &Report,
    draft: &DraftReport,
    positions: &TextPositions,
    finding: &Finding,
) -> Value {
    let source = finding.passage.as_ref().and_then(|passage| {
        let source = report.corpus.source(passage.source)?;
        let source_positions = TextPositions::new(&source.text);
        Some((source, source_positions, passage))
    });
    let source_json = source.as_ref().map(|(source, source_positions, passage)| {
        json!({
            "path": report.workspace.display(Path::new(&source.key)),
            "range": json_range(source_positions, &passage.range),
            "title": source.metadata.title,
            "date": source.metadata.date,
        })
    });
    let edits: Vec<Value> = finding
        .edits
        .iter()
        .map(|edit| {
            let mut value = json!({
                "kind": edit.kind.name(),
                "quote": edit.quote_words,
                "source": edit.source_words,
                "range": json_range(positions, &edit.quote_range),
            });
            if let Some((_, source_positions, _)) = &source {
                value["source_range"] = json_range(source_positions, &edit.source_range);
            }
            value
        })
        .collect();
    let also_in: Vec<Value> = finding
        .also_in
        .iter()
        .filter_map(|passage| report.corpus.source(passage.source))
        .map(|source| json!(report.workspace.display(Path::new(&source.key))))
        .collect();
    json!({
        "path": report.workspace.display(&draft.path),
        "range": json_range(positions, &finding.quote.range),
        "code": finding.verdict.code(),
        "message": finding.message,
        "source": source_json,
        "edits": edits,
        "similarity": finding.similarity_rounded(),
        "also_in": also_in,
        "notes": finding.notes,
    })
}

pub(super) fn write_json_lines(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    for draft in &report.drafts {
        let positions = TextPositions::new(&draft.text);
        for finding in &draft.findings {
            writeln!(out, "{}", finding_json(report, draft, &positions, finding))?;
        }
    }
    Ok(())
}
