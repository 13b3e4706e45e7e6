//! `--format sarif`: one SARIF 2.1.0 log (rules per verdict, UTF-16 columns, related source locations).
use std::io::{self, Write};
use std::path::Path;

use serde_json::{json, Value};

use super::report::Report;
use super::{excerpt, line_character, SourcePlaces};
use crate::config::Severity;
use crate::engine::Verdict;
use crate::lineindex::{units, Encoding, LineIndex};

/// The SARIF level of a verdict, from the configured severities.
fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
        Severity::Off => "none",
    }
}

fn sarif_region(positions: &LineIndex, text: &str, range: &std::ops::Range<usize>) -> Value {
    let (start_line, start_character) = line_character(positions, range.start);
    let (end_line, end_character) = line_character(positions, range.end);
    let snippet = text.get(range.clone()).unwrap_or_default();
    json!({
        "startLine": start_line + 1,
        "startColumn": start_character + 1,
        "endLine": end_line + 1,
        "endColumn": end_character + 1,
        "charOffset": positions.units_before(range.start, Encoding::Utf16),
        "charLength": units(snippet, Encoding::Utf16),
        "snippet": {"text": snippet},
    })
}

/// A file URI for an absolute path.
pub use crate::uri::file_uri;
use crate::uri::relative_reference as relative_uri;

pub(super) fn write_sarif(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let severity = &report.workspace.config.severity;
    let rules = [
        (
            Verdict::Verified,
            "VerifiedQuote",
            "The quotation matches a source word for word.",
        ),
        (
            Verdict::Drift,
            "QuoteDrift",
            "The quotation differs from the wording of its source.",
        ),
        (
            Verdict::Unsourced,
            "UnsourcedQuote",
            "No source in the workspace contains the quotation.",
        ),
        (
            Verdict::Misattributed,
            "MisattributedQuote",
            "The source credits the quoted words to someone other than the draft's speaker.",
        ),
        (
            Verdict::Uncredited,
            "UncreditedCopying",
            "Prose outside quote marks repeats a source word for word or nearly, without credit.",
        ),
    ];
    let rule_values: Vec<Value> = rules
        .iter()
        .map(|(verdict, name, description)| {
            json!({
                "id": verdict.code(),
                "name": name,
                "shortDescription": {"text": description},
                "fullDescription": {"text": description},
                "defaultConfiguration": {"level": sarif_level(severity.for_code(verdict.code()))},
                "properties": {"tags": ["quotation", "accuracy"]},
            })
        })
        .collect();
    let mut results = Vec::new();
    let mut places = SourcePlaces::default();
    for draft in &report.drafts {
        let positions = LineIndex::new(&draft.text);
        let draft_path = report.workspace.display(&draft.path);
        for finding in &draft.findings {
            let level = severity.for_code(finding.verdict.code());
            let mut result = json!({
                "ruleId": finding.verdict.code(),
                "ruleIndex": finding.verdict as usize,
                "level": sarif_level(level),
                "kind": if finding.verdict == Verdict::Verified { "pass" } else { "fail" },
                "message": {"text": finding.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": relative_uri(&draft_path), "uriBaseId": "SRCROOT"},
                        "region": sarif_region(&positions, &draft.text, &finding.range()),
                    }
                }],
                "partialFingerprints": {
                    "quoteText/v1": format!("{:016x}", crate::engine::normalize::hash_normal(
                        &excerpt(draft.text.get(finding.quote.range.clone()).unwrap_or_default(), 10_000))),
                },
            });
            if result["kind"] == "pass" {
                result["level"] = json!("none");
            }
            if let Some(passage) = &finding.passage {
                if let Some(source) = report.corpus.source(passage.source) {
                    // In the source's own file: a saved page or transcript through its offset map; a PDF or
                    // Word document has no lines to point at, so its page or cue goes into the message.
                    let place = places.of(passage.source, source);
                    let locator = place
                        .locator(&passage.range)
                        .map(|l| format!(" ({l})"))
                        .unwrap_or_default();
                    let mut location = json!({
                        "artifactLocation": {
                            "uri": relative_uri(&report.workspace.display(Path::new(&source.key))),
                            "uriBaseId": "SRCROOT"
                        },
                    });
                    if place.has_lines() {
                        location["region"] = sarif_region(
                            &place.positions,
                            place.file_text(source),
                            &place.range(&passage.range),
                        );
                    }
                    result["relatedLocations"] = json!([{
                        "id": 1,
                        "message": {"text": format!("source passage in “{}”{locator}", source.metadata.title)},
                        "physicalLocation": location,
                    }]);
                }
            }
            if !finding.edits.is_empty() {
                result["properties"] = json!({
                    "edits": finding.edits.iter().map(|e| json!({
                        "kind": e.kind.name(), "quote": e.quote_words, "source": e.source_words
                    })).collect::<Vec<_>>()
                });
            }
            results.push(result);
        }
    }
    let mut root_uri = file_uri(&report.workspace.root);
    if !root_uri.ends_with('/') {
        root_uri.push('/');
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "verbatim",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_values,
            }},
            "originalUriBaseIds": {"SRCROOT": {"uri": root_uri}},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}
