//! `--format json`: JSON Lines, one finding per line (keys are stable: new keys may be added, none renamed).
use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};

use super::report::{DraftReport, Report};
use super::{line_character, SourcePlaces};
use crate::engine::attribution::Attribution;
use crate::engine::Finding;
use crate::lineindex::LineIndex;

fn json_range(positions: &LineIndex, range: &std::ops::Range<usize>) -> Value {
    let (start_line, start_character) = line_character(positions, range.start);
    let (end_line, end_character) = line_character(positions, range.end);
    json!({
        "start": {"line": start_line, "character": start_character},
        "end": {"line": end_line, "character": end_character},
    })
}

/// The finding as the JSON object of `--format json` (documented in the README; keep it stable).
pub(crate) fn finding_json(
    report: &Report,
    draft: &DraftReport,
    positions: &LineIndex,
    finding: &Finding,
    places: &mut SourcePlaces,
) -> Value {
    let source = finding.passage.as_ref().and_then(|passage| {
        let source = report.corpus.source(passage.source)?;
        Some((source, places.of(passage.source, source), passage))
    });
    let source_json = source.as_ref().map(|(source, place, passage)| {
        let mut value = json!({
            "path": report.workspace.display(Path::new(&source.key)),
            "range": json_range(&place.positions, &place.range(&passage.range)),
            "title": source.metadata.title,
            "date": source.metadata.date,
        });
        // Extracted sources: the page or cue time and speaker, the outlet and the canonical URL.
        let (site, url) = place.site_and_url();
        for (key, found) in [
            ("locator", place.locator(&passage.range).as_deref()),
            ("site", site),
            ("url", url.or(source.metadata.url.as_deref())),
        ] {
            if let Some(found) = found {
                value[key] = json!(found);
            }
        }
        value
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
            if let Some((_, place, _)) = &source {
                value["source_range"] =
                    json_range(&place.positions, &place.range(&edit.source_range));
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
    let source_attribution = finding.source_attribution.as_ref().map(|attribution| {
        let range = source
            .as_ref()
            .map(|(_, place, _)| json_range(&place.positions, &place.range(&attribution.range)));
        attribution_json(attribution, range)
    });
    json!({
        "path": report.workspace.display(&draft.path),
        "range": json_range(positions, &finding.range()),
        "code": finding.verdict.code(),
        "message": finding.message,
        "source": source_json,
        "edits": edits,
        "similarity": finding.similarity_rounded(),
        "also_in": also_in,
        "notes": finding.notes,
        "attribution": finding
            .attribution
            .as_ref()
            .map(|a| attribution_json(a, Some(json_range(positions, &a.range)))),
        "source_attribution": source_attribution,
    })
}

/// Who a quote is credited to, as `--format json` writes it: the speaker as written, its range (in the draft,
/// or in the source for `source_attribution`), the cue, whom it resolves to, what kind of party and how sure.
fn attribution_json(attribution: &Attribution, range: Option<Value>) -> Value {
    json!({
        "speaker": attribution.speaker,
        "range": range,
        "cue": attribution.cue,
        "name": attribution.name,
        "kind": attribution.kind.name(),
        "confidence": (attribution.confidence * 100.0).round() / 100.0,
    })
}

pub(super) fn write_json_lines(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let mut places = SourcePlaces::default();
    for draft in &report.drafts {
        let positions = LineIndex::new(&draft.text);
        for finding in &draft.findings {
            let json = finding_json(report, draft, &positions, finding, &mut places);
            writeln!(out, "{json}")?;
        }
    }
    Ok(())
}
