//! Owns the hover over a quote: verdict, the source sentence with one sentence of context on each side, the
//! word diff (Markdown: ~~removed~~ **added**; plain text: [-removed-]{+added+}), the source's title, date,
//! path and line (for web pages, PDFs and transcripts also the outlet, page or cue time and speaker, and the
//! canonical URL), and the other sources that contain the quote; for uncredited copying, the draft's stretch
//! and the source's passage side by side.
use std::ops::Range;
use std::path::Path;

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use super::capabilities::ClientCaps;
use super::diagnostics::message;
use super::document::Analysis;
use super::position::range_to_lsp;
use crate::engine::sentence::{next_sentence, previous_sentence};
use crate::engine::{Corpus, Finding, Passage, Verdict};
use crate::lineindex::{Encoding, LineIndex};
use crate::workspace::{formats, Workspace};

/// The hover for the quote at byte `offset`, if there is one.
pub fn hover(
    analysis: &Analysis,
    offset: usize,
    corpus: &Corpus,
    workspace: &Workspace,
    caps: &ClientCaps,
) -> Option<Hover> {
    let finding = super::state::Server::finding_at(analysis, offset)?;
    let markdown = caps.hover_kind() == MarkupKind::Markdown;
    let value = render(finding, &analysis.text, corpus, workspace, markdown);
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: caps.hover_kind(),
            value,
        }),
        range: Some(range_to_lsp(
            &analysis.rope,
            &match finding.verdict {
                Verdict::Misattributed => finding.range(),
                _ => finding.quote.outer.clone(),
            },
            caps.encoding,
        )),
    })
}

/// Escapes text for Markdown so that a source's words render as written.
fn escape(text: &str, markdown: bool) -> String {
    if !markdown {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text[range]`, or "" when the range is not on character boundaries (never panics).
fn slice(text: &str, range: Range<usize>) -> &str {
    text.get(range).unwrap_or_default()
}

/// The sentence before `sentence` (from the paragraph before when it opens its paragraph) and the sentence after
/// it in the same paragraph.
fn context(text: &str, sentence: &Range<usize>) -> (Option<Range<usize>>, Option<Range<usize>>) {
    (
        previous_sentence(text, sentence),
        next_sentence(text, sentence),
    )
}

/// The passage with the differences inline.
fn diff(finding: &Finding, text: &str, passage: &Passage, markdown: bool) -> String {
    let mut edits: Vec<_> = finding
        .edits
        .iter()
        .filter(|e| e.source_range.end <= text.len())
        .collect();
    edits.sort_by_key(|e| (e.source_range.start, e.source_range.end));
    let (start, end) = (
        passage.range.start.min(text.len()),
        passage.range.end.min(text.len()),
    );
    let mut out = String::new();
    let mut at = start;
    for edit in edits {
        let from = edit.source_range.start.clamp(at, end.max(at));
        out.push_str(&escape(&collapse(slice(text, at..from)), markdown));
        out.push(' ');
        let removed = edit.source_words.trim();
        let added = edit.quote_words.trim();
        if !removed.is_empty() {
            let removed = escape(removed, markdown);
            out.push_str(&if markdown {
                format!("~~{removed}~~")
            } else {
                format!("[-{removed}-]")
            });
            out.push(' ');
        }
        if !added.is_empty() {
            let added = escape(added, markdown);
            out.push_str(&if markdown {
                format!("**{added}**")
            } else {
                format!("{{+{added}+}}")
            });
            out.push(' ');
        }
        at = edit.source_range.end.clamp(at, end.max(at));
    }
    out.push_str(&escape(&collapse(slice(text, at..end.max(at))), markdown));
    collapse(&out)
}

/// Who the draft and the source credit the quote to, when either says.
fn speakers(finding: &Finding, markdown: bool) -> Option<String> {
    let ours = finding
        .attribution
        .as_ref()
        .map(|a| escape(&a.speaker, markdown));
    let theirs = finding
        .source_attribution
        .as_ref()
        .map(|a| escape(&a.name, markdown));
    match (ours, theirs) {
        (None, None) => None,
        (Some(ours), None) => Some(format!("Speaker: {ours}")),
        (None, Some(theirs)) => Some(format!("Speaker in the source: {theirs}")),
        (Some(ours), Some(theirs)) => Some(format!("Speaker: {ours} (the source: {theirs})")),
    }
}

/// The hover over the speaker of a misattributed quote: "The source attributes these words to Ms Okafor
/// (sources/council-0412.md:14)", with the source's sentence.
fn render_misattributed(
    finding: &Finding,
    corpus: &Corpus,
    workspace: &Workspace,
    markdown: bool,
) -> String {
    let mut parts = vec![if markdown {
        "**verbatim: misattributed**".to_string()
    } else {
        "verbatim: misattributed".to_string()
    }];
    let source = finding
        .passage
        .as_ref()
        .and_then(|p| corpus.source(p.source).map(|s| (p, s)));
    let theirs = finding.source_attribution.as_ref();
    let name = theirs.map_or("someone else", |a| a.name.as_str());
    let place = source.map(|(passage, s)| {
        let at = theirs.map_or(passage.range.start, |a| a.range.start);
        let place = location(workspace, &s.key, &s.text, at);
        if markdown {
            format!(" (`{place}`)")
        } else {
            format!(" ({place})")
        }
    });
    parts.push(format!(
        "The source attributes these words to {}{}",
        escape(name, markdown),
        place.unwrap_or_default()
    ));
    if let Some(ours) = &finding.attribution {
        parts.push(format!(
            "The draft credits them to {}.",
            escape(&ours.speaker, markdown)
        ));
    }
    if let Some((passage, s)) = source {
        let text = s.text.as_str();
        let sentence = passage.sentence.start.min(text.len())..passage.sentence.end.min(text.len());
        let shown = escape(&collapse(slice(text, sentence)), markdown);
        parts.push(if markdown {
            format!("> {shown}")
        } else {
            format!("Source: {shown}")
        });
    }
    parts.join("\n\n")
}

/// Where a passage is: `path:line`.
fn location(workspace: &Workspace, key: &str, text: &str, offset: usize) -> String {
    let line = LineIndex::new(text).line_col(offset, Encoding::Utf8).line + 1;
    format!("{}:{line}", workspace.display(Path::new(key)))
}

/// Uncredited copying: the draft's stretch and the source's passage side by side (a two-column table in
/// Markdown).
fn side_by_side(
    draft: &str,
    finding: &Finding,
    source_text: &str,
    passage: &Passage,
    markdown: bool,
) -> String {
    let ours = collapse(slice(draft, finding.quote.range.clone()));
    let theirs = collapse(slice(source_text, passage.range.clone()));
    if markdown {
        let cell = |text: &str| escape(text, true);
        format!(
            "| your draft | the source |\n|---|---|\n| {} | {} |",
            cell(&ours),
            cell(&theirs)
        )
    } else {
        format!("Draft:  {ours}\nSource: {theirs}")
    }
}

fn render(
    finding: &Finding,
    draft: &str,
    corpus: &Corpus,
    workspace: &Workspace,
    markdown: bool,
) -> String {
    let passage = finding
        .passage
        .as_ref()
        .and_then(|p| corpus.source(p.source).map(|s| (p, s)));
    let mut parts = Vec::new();
    if finding.verdict == Verdict::Misattributed {
        return render_misattributed(finding, corpus, workspace, markdown);
    }
    let verdict = finding.verdict.code();
    let percent = (finding.similarity.clamp(0.0, 1.0) * 100.0).round();
    parts.push(if markdown {
        format!("**verbatim: {verdict}** ({percent}% of the words match)")
    } else {
        format!("verbatim: {verdict} ({percent}% of the words match)")
    });
    parts.push(escape(&message(finding, passage.map(|(_, s)| s)), markdown));
    if let (Verdict::Uncredited, Some((passage, source))) = (finding.verdict, passage) {
        parts.push(side_by_side(
            draft,
            finding,
            source.text.as_str(),
            passage,
            markdown,
        ));
    }
    if let Some((passage, source)) = passage {
        let text = source.text.as_str();
        let sentence = passage.sentence.start.min(text.len())..passage.sentence.end.min(text.len());
        let (before, after) = context(text, &sentence);
        let mut shown = String::new();
        if let Some(before) = before {
            shown.push_str(&escape(&collapse(slice(text, before)), markdown));
            shown.push(' ');
        }
        let core = escape(&collapse(slice(text, sentence.clone())), markdown);
        shown.push_str(&if markdown { format!("*{core}*") } else { core });
        if let Some(after) = after {
            shown.push(' ');
            shown.push_str(&escape(&collapse(slice(text, after)), markdown));
        }
        parts.push(if markdown {
            format!("> {shown}")
        } else {
            format!("Source: {shown}")
        });
        if matches!(finding.verdict, Verdict::Drift | Verdict::Uncredited)
            && !finding.edits.is_empty()
        {
            parts.push(format!(
                "Differences: {}",
                diff(finding, text, passage, markdown)
            ));
        }
        let title = if source.metadata.title.is_empty() {
            "(untitled)"
        } else {
            source.metadata.title.as_str()
        };
        let mut about = vec![if markdown {
            format!("*{}*", escape(title, true))
        } else {
            title.to_string()
        }];
        if let Some(date) = &source.metadata.date {
            about.push(escape(date, markdown));
        }
        let original = formats::original(Path::new(&source.key));
        if let Some(original) = &original {
            let metadata = &original.extraction.metadata;
            if let Some(site) = metadata
                .site
                .as_ref()
                .filter(|s| Some(*s) != source.metadata.author.as_ref())
            {
                about.push(escape(site, markdown));
            }
            if let Some(locator) = original.locator(passage.range.clone()) {
                about.push(escape(&locator, markdown));
            }
            if let Some(url) = &metadata.url {
                about.push(if markdown {
                    format!("<{url}>")
                } else {
                    url.clone()
                });
            }
        }
        let place = match &original {
            Some(original) => match &original.file_text {
                Some(file) => {
                    let at = original.original_range(passage.range.clone()).start;
                    location(workspace, &source.key, file, at)
                }
                None => workspace.display(Path::new(&source.key)),
            },
            None => location(workspace, &source.key, text, passage.range.start),
        };
        about.push(if markdown {
            format!("`{place}`")
        } else {
            place
        });
        parts.push(about.join(" · "));
    }
    if let Some(speakers) = speakers(finding, markdown) {
        parts.push(speakers);
    }
    for note in &finding.notes {
        parts.push(format!("Note: {}", escape(note, markdown)));
    }
    if !finding.also_in.is_empty() {
        let others: Vec<String> = finding
            .also_in
            .iter()
            .filter_map(|p| corpus.source(p.source).map(|s| (p, s)))
            .map(|(p, s)| {
                let place = location(workspace, &s.key, &s.text, p.range.start);
                let place = if markdown {
                    format!("`{place}`")
                } else {
                    place
                };
                if s.metadata.title.is_empty() {
                    place
                } else {
                    format!("{} ({place})", escape(&s.metadata.title, markdown))
                }
            })
            .collect();
        parts.push(format!("Also in: {}", others.join(", ")));
    }
    parts.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_and_their_context() {
        let text = "First one. Second “one!” Third? Fourth…\n\nNew paragraph";
        let second = text.find("Second").unwrap()..text.find(" Third").unwrap();
        let (before, after) = context(text, &second);
        assert_eq!(&text[before.unwrap()].trim(), &"First one.");
        assert_eq!(&text[after.unwrap()].trim(), &"Third?");
        let last = text.find("New").unwrap()..text.len();
        let (before, after) = context(text, &last);
        assert_eq!(&text[before.unwrap()].trim(), &"Fourth…");
        assert!(after.is_none());
        // A paragraph's last sentence: its context after is not taken from the next paragraph (another speaker).
        let text = "The vote followed a debate.\n\n“We will build it,” said Reyes. He called it a turning point.\n\nOsei, who voted against, disagreed.";
        let called = text.find("He called").unwrap()..text.find("point.").unwrap() + 6;
        let (before, after) = context(text, &called);
        assert_eq!(&text[before.unwrap()], "“We will build it,” said Reyes.");
        assert!(after.is_none());
        let opening = text.find('“').unwrap()..text.find("Reyes.").unwrap() + 6;
        let (before, after) = context(text, &opening);
        assert_eq!(&text[before.unwrap()], "The vote followed a debate.");
        assert_eq!(&text[after.unwrap()], "He called it a turning point.");
    }

    #[test]
    fn markdown_is_escaped() {
        assert_eq!(escape("a*b_[c]", true), "a\\*b\\_\\[c\\]");
        assert_eq!(escape("a*b", false), "a*b");
    }
}
