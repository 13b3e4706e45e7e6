//! Owns turning findings into LSP diagnostics: one per quote (code = verdict, range = the quoted text between
//! the marks, severity from the settings, `relatedInformation` pointing at the source passage when the client
//! takes it, `data.source_uri`), plus one hint-level `drift-word` diagnostic per differing run of words.
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use serde_json::json;
use tower_lsp_server::ls_types::{
    self, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Uri,
};

use super::capabilities::ClientCaps;
use super::document::Analysis;
use super::folders::path_to_uri;
use super::position::{index_range, range_to_lsp, PositionEncoding};
use crate::config::{Severities, Severity};
use crate::engine::{Corpus, Edit, EditKind, Finding, Source, SourceId, Verdict};
use crate::extract::Format;
use crate::lineindex::LineIndex;
use crate::workspace::formats::{self, Original};

/// The `source` of every diagnostic.
pub const SOURCE: &str = "verbatim";
/// The code of the sub-diagnostics that mark each differing word of a drift.
pub const DRIFT_WORD: &str = "drift-word";

pub fn severity(severity: Severity) -> Option<DiagnosticSeverity> {
    match severity {
        Severity::Error => Some(DiagnosticSeverity::ERROR),
        Severity::Warning => Some(DiagnosticSeverity::WARNING),
        Severity::Information => Some(DiagnosticSeverity::INFORMATION),
        Severity::Hint => Some(DiagnosticSeverity::HINT),
        Severity::Off => None,
    }
}

/// The `file:` URI of a source (its corpus key is its path); for an article from the shared archive, its URL.
pub fn source_uri(source: &Source) -> Option<Uri> {
    if source.key.starts_with("archive:") {
        return source
            .metadata
            .url
            .as_deref()
            .filter(|url| url.starts_with("https://") || url.starts_with("http://"))
            .and_then(|url| url.parse().ok());
    }
    path_to_uri(std::path::Path::new(&source.key))
}

/// Source texts' line indexes, built once per source per call. A passage of an extracted source (web page,
/// transcript) is placed in the original file through its offset map; a PDF or Word passage at the file's
/// start (the page or time is said in words by the hover).
#[derive(Default)]
pub struct SourcePositions {
    cache: HashMap<SourceId, Placed>,
}

enum Placed {
    /// The source's text is the file's (Markdown, plain text).
    Own(LineIndex),
    /// The original file's text and the map into it.
    File(Arc<Original>, LineIndex),
    /// No text positions in the file.
    Binary,
}

impl SourcePositions {
    /// The LSP range, in the source's file, of a range of the source's text.
    pub fn range(
        &mut self,
        id: SourceId,
        source: &Source,
        range: &Range<usize>,
        encoding: PositionEncoding,
    ) -> ls_types::Range {
        let placed = self.cache.entry(id).or_insert_with(|| place(source));
        match placed {
            Placed::Own(lines) => index_range(lines, range, encoding),
            Placed::File(original, lines) => {
                index_range(lines, &original.original_range(range.clone()), encoding)
            }
            Placed::Binary => ls_types::Range::default(),
        }
    }
}

fn place(source: &Source) -> Placed {
    let path = std::path::Path::new(&source.key);
    let format = Format::from_name(&source.key);
    if format.is_identity() {
        return Placed::Own(LineIndex::new(&source.text));
    }
    if format.is_binary() {
        // A PDF or .docx has no text positions: no need to read it again.
        return Placed::Binary;
    }
    match formats::original(path) {
        Some(original) => match &original.file_text {
            Some(text) => {
                let lines = LineIndex::new(text);
                Placed::File(original.clone(), lines)
            }
            None => Placed::Binary,
        },
        // Unreadable now: place it in the indexed text, the best there is.
        None => Placed::Own(LineIndex::new(&source.text)),
    }
}

/// Quotes the words of a difference for a message.
fn quoted(words: &str) -> String {
    format!("“{}”", words.trim())
}

/// One line naming a difference, e.g. `“said” instead of “stated”`.
pub fn describe_edit(edit: &Edit) -> String {
    match edit.kind {
        EditKind::Substituted => format!(
            "{} instead of {}",
            quoted(&edit.quote_words),
            quoted(&edit.source_words)
        ),
        EditKind::Missing => format!("leaves out {}", quoted(&edit.source_words)),
        EditKind::Added => format!("adds {}", quoted(&edit.quote_words)),
        EditKind::Reordered => format!(
            "reorders {} (source: {})",
            quoted(&edit.quote_words),
            quoted(&edit.source_words)
        ),
    }
}

/// The main message of a finding: the engine's, or one made here when the engine gave none. Drift messages
/// always name the differing words.
pub fn message(finding: &Finding, source: Option<&Source>) -> String {
    let title = source
        .map(|s| s.metadata.title.as_str())
        .filter(|t| !t.is_empty())
        .unwrap_or("the source");
    let base = if finding.message.trim().is_empty() {
        match finding.verdict {
            Verdict::Verified => format!("Verified: {title} has this quote word for word"),
            Verdict::Drift => format!("Drift from {title}"),
            Verdict::Unsourced => "Unsourced: no source contains this quote".to_string(),
            Verdict::Misattributed => format!(
                "Misattributed: {title} credits these words to {}",
                finding
                    .source_attribution
                    .as_ref()
                    .map_or("someone else", |a| a.name.as_str())
            ),
            Verdict::Uncredited => format!("Uncredited copying from {title}"),
        }
    } else {
        finding.message.clone()
    };
    if finding.verdict != Verdict::Drift || finding.edits.is_empty() {
        return base;
    }
    let names_words = finding.edits.iter().all(|e| {
        [&e.quote_words, &e.source_words]
            .iter()
            .any(|w| !w.trim().is_empty() && base.contains(w.trim()))
    });
    if names_words {
        base
    } else {
        let edits: Vec<String> = finding.edits.iter().map(describe_edit).collect();
        format!("{base}: {}", edits.join("; "))
    }
}

/// All diagnostics of an analysis.
pub fn diagnostics(
    analysis: &Analysis,
    corpus: &Corpus,
    severities: &Severities,
    caps: &ClientCaps,
) -> Vec<Diagnostic> {
    let mut positions = SourcePositions::default();
    let mut out = Vec::new();
    for finding in &analysis.findings {
        if finding.quote.ignored {
            continue;
        }
        let code = finding.verdict.code();
        let Some(level) = severity(severities.for_code(code)) else {
            continue;
        };
        let source = finding
            .passage
            .as_ref()
            .and_then(|p| corpus.source(p.source).map(|s| (p, s)));
        let uri = source.and_then(|(_, s)| source_uri(s));
        let mut related = Vec::new();
        if let (Some((passage, source)), Some(uri), true) = (source, &uri, caps.related_information)
        {
            let title = if source.metadata.title.is_empty() {
                "source"
            } else {
                source.metadata.title.as_str()
            };
            related.push(DiagnosticRelatedInformation {
                location: Location::new(
                    uri.clone(),
                    positions.range(passage.source, source, &passage.range, caps.encoding),
                ),
                message: format!("passage in {title}"),
            });
            if let (Verdict::Misattributed, Some(theirs)) =
                (finding.verdict, &finding.source_attribution)
            {
                related.push(DiagnosticRelatedInformation {
                    location: Location::new(
                        uri.clone(),
                        positions.range(passage.source, source, &theirs.range, caps.encoding),
                    ),
                    message: format!("{title} credits these words to {}", theirs.name),
                });
            }
            for edit in &finding.edits {
                related.push(DiagnosticRelatedInformation {
                    location: Location::new(
                        uri.clone(),
                        positions.range(passage.source, source, &edit.source_range, caps.encoding),
                    ),
                    message: describe_edit(edit),
                });
            }
        }
        let mut data = json!({
            "source_uri": uri.as_ref().map(|u| u.as_str().to_string()),
            "source_title": source.map(|(_, s)| s.metadata.title.clone()),
            "verdict": code,
            "similarity": finding.similarity_rounded(),
        });
        if let Some(ours) = &finding.attribution {
            data["speaker"] = json!(ours.speaker);
        }
        if let Some(theirs) = &finding.source_attribution {
            data["source_speaker"] = json!(theirs.name);
        }
        out.push(Diagnostic {
            range: range_to_lsp(&analysis.rope, &finding.range(), caps.encoding),
            severity: Some(level),
            code: Some(NumberOrString::String(code.to_string())),
            source: Some(SOURCE.to_string()),
            message: message(finding, source.map(|(_, s)| s)),
            related_information: (!related.is_empty()).then_some(related),
            data: Some(data.clone()),
            ..Default::default()
        });
        if finding.verdict == Verdict::Drift {
            for edit in &finding.edits {
                out.push(Diagnostic {
                    range: range_to_lsp(&analysis.rope, &edit.quote_range, caps.encoding),
                    severity: Some(DiagnosticSeverity::HINT),
                    code: Some(NumberOrString::String(DRIFT_WORD.to_string())),
                    source: Some(SOURCE.to_string()),
                    message: describe_edit(edit),
                    data: Some(
                        json!({ "source_uri": data["source_uri"], "kind": edit.kind.name() }),
                    ),
                    ..Default::default()
                });
            }
        }
    }
    out
}
