//! Owns the code actions on a quote, each carrying its `edit` (never a client-side command): "Replace with
//! source wording" (drift, from `engine::repair_edits`), "Insert attribution" (verified and drift; text, link
//! or footnote per `attribution.style`) and "Ignore this quote" (`<!-- verbatim-ignore -->` before the opening
//! mark); on uncredited copying, "Quote and credit" (quote marks around the stretch and the attribution) and
//! "Credit source" (the attribution only). Edits are versioned `documentChanges` when the client supports them, else `changes`.
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, DocumentChanges, NumberOrString,
    OneOf, OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::capabilities::ClientCaps;
use super::document::Analysis;
use super::position::range_to_lsp;
use crate::config::AttributionStyle;
use crate::engine::{attribution_text, repair_edits, Corpus, Finding, Source, TextFormat, Verdict};
use crate::workspace::{formats, Workspace};

/// The marker that makes the engine skip the quote after it.
pub const IGNORE_MARKER: &str = "<!-- verbatim-ignore --> ";

pub struct ActionContext<'a> {
    pub uri: &'a Uri,
    pub analysis: &'a Analysis,
    pub format: TextFormat,
    pub corpus: &'a Corpus,
    pub workspace: &'a Workspace,
    pub caps: &'a ClientCaps,
    /// The diagnostics the client sent with the request (attached to the matching actions).
    pub diagnostics: &'a [Diagnostic],
}

/// The actions for every quote that the byte range `selection` touches.
pub fn code_actions(cx: &ActionContext, selection: Range<usize>) -> Vec<CodeActionOrCommand> {
    let mut out = Vec::new();
    for finding in &cx.analysis.findings {
        if finding.verdict == Verdict::Misattributed {
            let range = finding.range();
            if let Some(theirs) = &finding.source_attribution {
                if range.start <= selection.end
                    && selection.start <= range.end
                    && !finding.quote.ignored
                {
                    out.push(action(
                        cx,
                        &format!("Credit {}", theirs.name),
                        vec![(range, theirs.name.clone())],
                        matching_diagnostics(cx, finding),
                        true,
                    ));
                }
            }
            continue;
        }
        let outer = &finding.quote.outer;
        if finding.quote.ignored || outer.start > selection.end || selection.start > outer.end {
            continue;
        }
        let source = finding
            .passage
            .as_ref()
            .and_then(|p| cx.corpus.source(p.source));
        let diagnostics = matching_diagnostics(cx, finding);
        if finding.verdict == Verdict::Uncredited {
            if let Some(source) = source {
                out.extend(uncredited_actions(cx, finding, source, diagnostics));
            }
            continue;
        }
        if let (Verdict::Drift, Some(source)) = (finding.verdict, source) {
            let edits = repair_edits(&cx.analysis.text, finding, source);
            if !edits.is_empty() {
                let edits = edits.into_iter().map(|e| (e.range, e.new_text)).collect();
                out.push(action(
                    cx,
                    "Replace with source wording",
                    edits,
                    diagnostics.clone(),
                    true,
                ));
            }
        }
        if let (Verdict::Verified | Verdict::Drift, Some(source)) = (finding.verdict, source) {
            let edits = attribution_edits(cx, finding, source);
            if !edits.is_empty() {
                out.push(action(cx, "Insert attribution", edits, Vec::new(), false));
            }
        }
        let at = outer.start;
        out.push(action(
            cx,
            "Ignore this quote",
            vec![(at..at, IGNORE_MARKER.to_string())],
            diagnostics,
            false,
        ));
    }
    out
}

/// "Quote and credit" (quote marks around the copied stretch, then the attribution) and "Credit source" (the
/// attribution after the stretch) for uncredited copying.
fn uncredited_actions(
    cx: &ActionContext,
    finding: &Finding,
    source: &Source,
    diagnostics: Vec<Diagnostic>,
) -> Vec<CodeActionOrCommand> {
    let credit = attribution_edits(cx, finding, source);
    let range = &finding.quote.range;
    // The draft's own style of marks: straight when it uses more straight than curly double quotes.
    let text = &cx.analysis.text;
    let straight = text.matches('"').count() > text.matches(['“', '”']).count();
    let (open, close) = if straight {
        ("\"", "\"")
    } else {
        ("“", "”")
    };
    let mut quoted = vec![(range.start..range.start, open.to_string())];
    let mut closed = false;
    for (at, new_text) in &credit {
        if *at == (range.end..range.end) && !closed {
            quoted.push((at.clone(), format!("{close}{new_text}")));
            closed = true;
        } else {
            quoted.push((at.clone(), new_text.clone()));
        }
    }
    if !closed {
        quoted.push((range.end..range.end, close.to_string()));
    }
    let mut out = vec![action(
        cx,
        "Quote and credit",
        quoted,
        diagnostics.clone(),
        true,
    )];
    if !credit.is_empty() {
        out.push(action(cx, "Credit source", credit, diagnostics, false));
    }
    out
}

fn matching_diagnostics(cx: &ActionContext, finding: &Finding) -> Vec<Diagnostic> {
    let range = range_to_lsp(&cx.analysis.rope, &finding.range(), cx.caps.encoding);
    let code = NumberOrString::String(finding.verdict.code().to_string());
    cx.diagnostics
        .iter()
        .filter(|d| d.range == range && d.code.as_ref() == Some(&code))
        .cloned()
        .collect()
}

fn action(
    cx: &ActionContext,
    title: &str,
    edits: Vec<(Range<usize>, String)>,
    diagnostics: Vec<Diagnostic>,
    preferred: bool,
) -> CodeActionOrCommand {
    let edits: Vec<TextEdit> = edits
        .into_iter()
        .map(|(range, new_text)| TextEdit {
            range: range_to_lsp(&cx.analysis.rope, &range, cx.caps.encoding),
            new_text,
        })
        .collect();
    let edit = if cx.caps.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: cx.uri.clone(),
                    version: Some(cx.analysis.version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..Default::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(cx.uri.clone(), edits)])),
            ..Default::default()
        }
    };
    CodeActionOrCommand::CodeAction(CodeAction {
        title: title.to_string(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..Default::default()
    })
}

/// The edits that attribute a quote to its source, per the attribution style (Markdown drafts only; plain
/// text always gets the template's text).
fn attribution_edits(
    cx: &ActionContext,
    finding: &Finding,
    source: &Source,
) -> Vec<(Range<usize>, String)> {
    let attribution = &cx.workspace.config.attribution;
    let place = formats::passage_place(finding, source);
    let end = finding.quote.outer.end;
    let style = if cx.format == TextFormat::Markdown {
        attribution.style
    } else {
        AttributionStyle::Text
    };
    match style {
        AttributionStyle::Text => {
            let text = attribution_text(&attribution.template, source, &place);
            if text.trim().is_empty() {
                Vec::new()
            } else {
                vec![(end..end, text)]
            }
        }
        AttributionStyle::Link => {
            let target = source
                .metadata
                .url
                .clone()
                .unwrap_or_else(|| link_to(cx.uri, &source.key));
            let template = attribution
                .template
                .replace("{title}", &format!("[{{title}}]({target})"));
            vec![(end..end, attribution_text(&template, source, &place))]
        }
        AttributionStyle::Footnote => {
            let text = &cx.analysis.text;
            let label = next_footnote(text);
            let note = attribution_text(&attribution.template, source, &place);
            let note = note.trim();
            let note = note
                .strip_prefix('(')
                .and_then(|n| n.strip_suffix(')'))
                .unwrap_or(note);
            let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
            let blank = format!("{eol}{eol}");
            let separator = if text.ends_with(&blank) {
                String::new()
            } else if text.ends_with(eol) {
                eol.to_string()
            } else {
                blank
            };
            vec![
                (end..end, format!("[^{label}]")),
                (
                    text.len()..text.len(),
                    format!("{separator}[^{label}]: {note}{eol}"),
                ),
            ]
        }
    }
}

/// The first footnote number not used in the draft.
fn next_footnote(text: &str) -> usize {
    let mut n = 1;
    while text.contains(&format!("[^{n}]")) {
        n += 1;
    }
    n
}

/// A relative link from the draft to the source file (`/` separators, percent-encoded for a Markdown link
/// destination), else the source's path.
fn link_to(draft: &Uri, source_key: &str) -> String {
    let source = Path::new(source_key);
    let relative = super::folders::uri_to_path(draft)
        .and_then(|d| d.parent().map(Path::to_path_buf))
        .and_then(|dir| relative_path(&dir, source))
        .unwrap_or_else(|| source.to_path_buf());
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    crate::uri::markdown_destination(&parts.join("/"))
}

fn relative_path(from_dir: &Path, to: &Path) -> Option<PathBuf> {
    let from: Vec<Component> = from_dir.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to_parts[common..] {
        out.push(part.as_os_str());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footnote_numbers_skip_used_ones() {
        assert_eq!(next_footnote("no notes"), 1);
        assert_eq!(next_footnote("a[^1] b[^2]\n\n[^1]: x"), 3);
    }

    #[test]
    fn links_are_relative_to_the_draft() {
        let draft: Uri = "file:///ws/drafts/piece.md".parse().unwrap();
        assert_eq!(
            link_to(&draft, "/ws/sources/the article.md"),
            "../sources/the%20article.md"
        );
    }
}
