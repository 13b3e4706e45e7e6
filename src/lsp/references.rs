//! Owns the source's side of quotations, answered from the folder's reverse index ([`UsageIndex`]):
//! `textDocument/references` (from a source passage to every quote aligned with it; from a quote to the other
//! quotes of its passage), the code lens over each quoted paragraph of a source ("quoted 3× in 2 drafts · 1
//! drift", resolved lazily, its command carrying the locations), `workspace/symbol` (sources by title, outlet
//! and date; people quoted) and inlay hints after a draft's quotes (the source's short name and date).
use std::ops::Range;
use std::path::Path;

use ropey::Rope;
use serde_json::{json, Value};
use tower_lsp_server::ls_types::{
    CodeLens, Command, InlayHint, InlayHintLabel, Location, Position, SymbolInformation,
    SymbolKind, Uri,
};

use super::capabilities::ClientCaps;
use super::document::Analysis;
use super::folders::{path_to_uri, Folder};
use super::position::{index_range, position_to_offset, range_to_lsp};
use crate::engine::usage::{paragraphs, Hit};
use crate::engine::{Corpus, SourceUsage, TextFormat};
use crate::lineindex::LineIndex;

/// The command a source lens runs: arguments `[uri, position, locations]`, as VS Code's
/// `editor.action.showReferences` takes them (the VS Code extension maps one to the other; other editors
/// read the locations from the arguments).
pub const SHOW_REFERENCES: &str = "verbatim.showReferences";

/// Most symbols one `workspace/symbol` answer lists.
const MAX_SYMBOLS: usize = 500;

/// A source's text and format as the editor sees it: the open buffer when there is one, else the corpus'.
pub struct SourceView {
    pub key: String,
    pub rope: Rope,
    pub text: String,
    pub format: TextFormat,
}

impl SourceView {
    pub fn new(key: &str, buffer: Option<Rope>, corpus: &Corpus) -> Option<SourceView> {
        let format = TextFormat::from_path(key);
        let (rope, text) = match buffer {
            Some(rope) => {
                let text = rope.to_string();
                (rope, text)
            }
            None => {
                let source = corpus.source(corpus.source_id(key)?)?;
                let text = source.text.as_str().to_string();
                (Rope::from_str(&text), text)
            }
        };
        Some(SourceView {
            key: key.to_string(),
            rope,
            text,
            format,
        })
    }
}

/// A hit as a location: the quote in its draft.
fn quote_location(hit: &Hit<'_>, caps: &ClientCaps) -> Option<Location> {
    let uri = path_to_uri(Path::new(hit.draft))?;
    let lines = LineIndex::new(&hit.entry.text);
    Some(Location::new(
        uri,
        index_range(&lines, &hit.usage.quote, caps.encoding),
    ))
}

/// Locations of hits (one per quote: a quote aligned twice in the same source counts once).
pub fn locations(hits: &[Hit<'_>], caps: &ClientCaps) -> Vec<Location> {
    let mut seen: Vec<(&str, Range<usize>)> = Vec::new();
    let mut out = Vec::new();
    for hit in hits {
        let key = (hit.draft, hit.usage.quote.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.extend(quote_location(hit, caps));
    }
    out
}

/// `textDocument/references` from a position in a source: every quote aligned with the passage there (or
/// its paragraph); with `include_declaration`, the passages themselves first.
pub fn source_references(
    folder: &Folder,
    source: &SourceView,
    position: Position,
    include_declaration: bool,
    caps: &ClientCaps,
) -> Vec<Location> {
    let offset = position_to_offset(&source.rope, position, caps.encoding);
    let index = folder.usage.index();
    let hits = index.at(&source.key, &source.text, source.format, offset);
    let mut out = Vec::new();
    if include_declaration {
        if let Some(uri) = path_to_uri(Path::new(&source.key)) {
            let mut passages: Vec<Range<usize>> = hits
                .iter()
                .map(|h| clamp(&h.usage.passage, source.text.len()))
                .collect();
            passages.sort_by_key(|r| (r.start, r.end));
            passages.dedup();
            for passage in passages {
                out.push(Location::new(
                    uri.clone(),
                    range_to_lsp(&source.rope, &passage, caps.encoding),
                ));
            }
        }
    }
    out.extend(locations(&hits, caps));
    out
}

/// `textDocument/references` from a quote in a draft: the other quotes aligned with the same passage (in
/// other drafts and this one); with `include_declaration`, the passage in the source first.
pub fn draft_references(
    folder: &Folder,
    path: &Path,
    analysis: &Analysis,
    offset: usize,
    include_declaration: bool,
    corpus: &Corpus,
    caps: &ClientCaps,
) -> Vec<Location> {
    let Some(finding) = super::state::Server::finding_at(analysis, offset) else {
        return Vec::new();
    };
    let key = super::folders::draft_key(path);
    let index = folder.usage.index();
    let hits = index.same_passage(&key, finding.quote.range.start);
    let mut out = Vec::new();
    if include_declaration {
        if let Some(passage) = &finding.passage {
            if let Some(source) = corpus.source(passage.source) {
                if let Some(uri) = super::diagnostics::source_uri(source) {
                    let lines = LineIndex::new(&source.text);
                    out.push(Location::new(
                        uri,
                        index_range(&lines, &passage.range, caps.encoding),
                    ));
                }
            }
        }
    }
    out.extend(locations(&hits, caps));
    out
}

fn clamp(range: &Range<usize>, length: usize) -> Range<usize> {
    range.start.min(length)..range.end.min(length)
}

/// The code lenses of a source: one over each paragraph that drafts quote, unresolved (its `data` names the
/// source and the paragraph's bytes; [`resolve_lens`] gives it its title and command).
pub fn source_lenses(
    folder: &Folder,
    uri: &Uri,
    source: &SourceView,
    caps: &ClientCaps,
) -> Vec<CodeLens> {
    let index = folder.usage.index();
    let hits = index.query(&source.key, None);
    if hits.is_empty() {
        return Vec::new();
    }
    let mut lenses = Vec::new();
    for paragraph in paragraphs(&source.text, source.format) {
        if !hits.iter().any(|h| overlaps(&h.usage.passage, &paragraph)) {
            continue;
        }
        let start = range_to_lsp(
            &source.rope,
            &(paragraph.start..paragraph.start),
            caps.encoding,
        );
        lenses.push(CodeLens {
            range: start,
            command: None,
            data: Some(json!({
                "kind": "source-usage",
                "uri": uri.as_str(),
                "start": paragraph.start,
                "end": paragraph.end,
            })),
        });
    }
    lenses
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// The paragraph a source lens's `data` names, if it is one of ours.
pub fn lens_paragraph(data: &Value) -> Option<(String, Range<usize>)> {
    if data["kind"] != "source-usage" {
        return None;
    }
    let uri = data["uri"].as_str()?.to_string();
    let start = usize::try_from(data["start"].as_u64()?).ok()?;
    let end = usize::try_from(data["end"].as_u64()?).ok()?;
    Some((uri, start..end))
}

/// Gives a source lens its title ("quoted 3× in 2 drafts · 1 drift") and its command
/// ([`SHOW_REFERENCES`] with `[uri, position, locations]`).
pub fn resolve_lens(
    mut lens: CodeLens,
    folder: &Folder,
    uri: &Uri,
    source: &SourceView,
    paragraph: Range<usize>,
    caps: &ClientCaps,
) -> CodeLens {
    let index = folder.usage.index();
    let hits = index.query(&source.key, Some(paragraph));
    let usage = SourceUsage::of(hits.iter().copied());
    let locations = locations(&hits, caps);
    lens.command = Some(Command {
        title: if usage.quotes == 0 {
            "not quoted".to_string()
        } else {
            usage.label()
        },
        command: SHOW_REFERENCES.to_string(),
        arguments: Some(vec![
            json!(uri.as_str()),
            json!(lens.range.start),
            serde_json::to_value(locations).unwrap_or(Value::Null),
        ]),
    });
    lens
}

/// Whether `query` matches `text`: its characters in order, case aside (as editors filter symbols).
fn fuzzy_match(query: &str, text: &str) -> bool {
    let mut wanted = query
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .peekable();
    for c in text.chars().flat_map(char::to_lowercase) {
        if wanted.peek() == Some(&c) {
            wanted.next();
        }
    }
    wanted.peek().is_none()
}

/// `workspace/symbol`: the folder's sources (title; outlet and date as the container) and the people its
/// drafts quote (each quote of theirs, in the draft), matching `query`.
#[allow(deprecated)] // `SymbolInformation::deprecated` must be named to build one.
pub fn symbols(folder: &Folder, query: &str, caps: &ClientCaps, out: &mut Vec<SymbolInformation>) {
    let workspace = folder.workspace();
    {
        let corpus = folder.corpus();
        for (_, source) in corpus.sources() {
            if out.len() >= MAX_SYMBOLS {
                return;
            }
            let metadata = &source.metadata;
            let outlet = metadata
                .author
                .clone()
                .or_else(|| metadata.url.as_deref().and_then(host).map(str::to_string));
            let container: Vec<String> = outlet
                .into_iter()
                .chain(metadata.date.clone())
                .chain(std::iter::once(workspace.display(Path::new(&source.key))))
                .collect();
            let container = container.join(" · ");
            if !fuzzy_match(query, &format!("{} {container}", metadata.title)) {
                continue;
            }
            let Some(uri) = path_to_uri(Path::new(&source.key)) else {
                continue;
            };
            let origin = Position::new(0, 0);
            out.push(SymbolInformation {
                name: metadata.title.clone(),
                kind: SymbolKind::FILE,
                tags: None,
                deprecated: None,
                location: Location::new(
                    uri,
                    tower_lsp_server::ls_types::Range::new(origin, origin),
                ),
                container_name: Some(container),
            });
        }
    }
    let index = folder.usage.index();
    for (person, hits) in index.speakers() {
        if !fuzzy_match(query, person) {
            continue;
        }
        let mut seen: Vec<(&str, Range<usize>)> = Vec::new();
        for hit in hits {
            if out.len() >= MAX_SYMBOLS {
                return;
            }
            let key = (hit.draft, hit.usage.quote.clone());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let Some(location) = quote_location(&hit, caps) else {
                continue;
            };
            out.push(SymbolInformation {
                name: person.to_string(),
                kind: SymbolKind::CONSTANT,
                tags: None,
                deprecated: None,
                location,
                container_name: Some(format!(
                    "quoted in {}",
                    workspace.display(Path::new(hit.draft))
                )),
            });
        }
    }
}

/// The host of a URL (`https://www.example.com/x` → `www.example.com`).
fn host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then_some(host)
}

/// A source's short name for an inlay hint: its title cut to a few words.
fn short_name(title: &str) -> String {
    let words: Vec<&str> = title.split_whitespace().collect();
    if words.len() <= 4 {
        words.join(" ")
    } else {
        format!("{}…", words[..4].join(" "))
    }
}

/// Inlay hints after each sourced quote of a draft within `range` (bytes): the source's short name and date.
pub fn inlay_hints(
    analysis: &Analysis,
    range: Range<usize>,
    corpus: &Corpus,
    caps: &ClientCaps,
) -> Vec<InlayHint> {
    let mut hints = Vec::new();
    for finding in &analysis.findings {
        let outer = &finding.quote.outer;
        if outer.end < range.start || outer.start > range.end || finding.quote.ignored {
            continue;
        }
        if finding.verdict == crate::engine::Verdict::Misattributed {
            continue;
        }
        let Some(source) = finding
            .passage
            .as_ref()
            .and_then(|p| corpus.source(p.source))
        else {
            continue;
        };
        let mut label = short_name(&source.metadata.title);
        if let Some(date) = &source.metadata.date {
            label.push_str(&format!(", {date}"));
        }
        hints.push(InlayHint {
            position: super::position::offset_to_position(&analysis.rope, outer.end, caps.encoding),
            label: InlayHintLabel::String(label),
            kind: None,
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbol_queries_match_in_order() {
        assert!(fuzzy_match("", "anything"));
        assert!(fuzzy_match("cnl vote", "Council vote on budget"));
        assert!(!fuzzy_match("votec", "Council vote"));
        assert_eq!(host("https://www.example.com/a?b"), Some("www.example.com"));
        assert_eq!(short_name("One two three four five"), "One two three four…");
    }
}
