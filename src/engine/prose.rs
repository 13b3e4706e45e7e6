//! Prose: the byte ranges of a text that are running text, grouped into blocks (paragraphs, headings, list
//! items, table cells), with blockquotes marked. Code, front matter, HTML and link targets are not prose.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};

use super::TextFormat;

/// The marker that makes the engine skip the next quotation.
pub const IGNORE_MARKER: &str = "verbatim-ignore";

/// A run of prose that quote marks cannot span out of (except the multi-paragraph convention).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Pieces of running text, in order, without Markdown markers.
    pub segments: Vec<Range<usize>>,
    /// The byte where the outermost blockquote holding this block starts, if any.
    pub blockquote: Option<usize>,
}

/// The prose of a text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prose {
    pub blocks: Vec<Block>,
    /// Byte offsets just after each `<!-- verbatim-ignore -->` marker.
    pub ignore_markers: Vec<usize>,
}

/// Splits a text into prose blocks.
pub fn prose(text: &str, format: TextFormat) -> Prose {
    match format {
        TextFormat::Markdown => markdown_prose(text),
        TextFormat::PlainText => plain_prose(text),
    }
}

/// Plain text: paragraphs are separated by blank lines; every line is prose.
fn plain_prose(text: &str) -> Prose {
    let mut prose = Prose::default();
    let mut segments = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let rest = &text[start..];
        let line_length = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = start..start + line_length;
        let mut next = line.end;
        if text[next..].starts_with("\r\n") {
            next += 2;
        } else if next < text.len() {
            next += 1;
        }
        if text[line.clone()].trim().is_empty() {
            if !segments.is_empty() {
                prose.blocks.push(Block {
                    segments: std::mem::take(&mut segments),
                    blockquote: None,
                });
            }
        } else {
            segments.push(line);
        }
        start = next;
    }
    if !segments.is_empty() {
        prose.blocks.push(Block {
            segments,
            blockquote: None,
        });
    }
    let mut from = 0;
    while let Some(found) = text[from..].find(IGNORE_MARKER) {
        let after = from + found + IGNORE_MARKER.len();
        let end = text[after..]
            .find("-->")
            .map_or(after, |close| after + close + 3);
        prose.ignore_markers.push(end);
        from = after;
    }
    prose
}

fn markdown_prose(text: &str) -> Prose {
    let options = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut prose = Prose::default();
    let mut current: Vec<Range<usize>> = Vec::new();
    // Depth of containers whose text is not prose (code blocks, front matter, images, autolinks).
    let mut hidden = 0usize;
    let mut blockquotes: Vec<usize> = Vec::new();
    let flush = |current: &mut Vec<Range<usize>>, blockquotes: &[usize], prose: &mut Prose| {
        if !current.is_empty() {
            prose.blocks.push(Block {
                segments: std::mem::take(current),
                blockquote: blockquotes.first().copied(),
            });
        }
    };
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(tag) => match tag {
                Tag::CodeBlock(_) | Tag::MetadataBlock(_) | Tag::Image { .. } => hidden += 1,
                Tag::Link {
                    link_type: LinkType::Autolink | LinkType::Email,
                    ..
                } => hidden += 1,
                Tag::BlockQuote(_) => {
                    flush(&mut current, &blockquotes, &mut prose);
                    blockquotes.push(range.start);
                }
                Tag::Paragraph
                | Tag::Heading { .. }
                | Tag::Item
                | Tag::TableCell
                | Tag::FootnoteDefinition(_) => {
                    flush(&mut current, &blockquotes, &mut prose);
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::CodeBlock | TagEnd::MetadataBlock(_) | TagEnd::Image => {
                    hidden = hidden.saturating_sub(1)
                }
                TagEnd::Link if hidden > 0 && is_autolink(text, &range) => hidden -= 1,
                TagEnd::BlockQuote(_) => {
                    flush(&mut current, &blockquotes, &mut prose);
                    blockquotes.pop();
                }
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::TableCell
                | TagEnd::FootnoteDefinition => flush(&mut current, &blockquotes, &mut prose),
                _ => {}
            },
            Event::Text(_) if hidden == 0 => push_segment(&mut current, range),
            Event::InlineHtml(html) if html.contains(IGNORE_MARKER) => {
                prose.ignore_markers.push(range.end)
            }
            Event::Html(html) if html.contains(IGNORE_MARKER) => {
                // `<!-- verbatim-ignore --> “…”` at the start of a line makes the whole line an HTML block;
                // what follows the comment is still the writer's prose.
                let marker = range.start + html.find(IGNORE_MARKER).unwrap_or(0);
                let comment_end = text[marker..range.end]
                    .find("-->")
                    .map_or(range.end, |i| marker + i + 3);
                prose.ignore_markers.push(comment_end);
                let rest = comment_end..range.end;
                if !text[rest.clone()].trim().is_empty() {
                    flush(&mut current, &blockquotes, &mut prose);
                    let inner = markdown_prose(&text[rest.clone()]);
                    for block in inner.blocks {
                        let segments = block
                            .segments
                            .iter()
                            .map(|r| r.start + rest.start..r.end + rest.start)
                            .collect();
                        prose.blocks.push(Block {
                            segments,
                            blockquote: blockquotes.first().copied(),
                        });
                    }
                    prose
                        .ignore_markers
                        .extend(inner.ignore_markers.iter().map(|m| m + rest.start));
                }
            }
            _ => {}
        }
    }
    flush(&mut current, &blockquotes, &mut prose);
    prose
}

/// Whether the link ending at `range` is `<…>` autolink syntax (the link's text is its target).
fn is_autolink(text: &str, range: &Range<usize>) -> bool {
    text.get(range.clone())
        .is_some_and(|link| link.starts_with('<') && link.ends_with('>'))
}

/// Adds a text range, merging it with the previous one when they touch (pulldown-cmark splits text at
/// brackets, entities and escapes).
fn push_segment(segments: &mut Vec<Range<usize>>, range: Range<usize>) {
    if range.is_empty() {
        return;
    }
    if let Some(last) = segments.last_mut() {
        if last.end == range.start {
            last.end = range.end;
            return;
        }
    }
    segments.push(range);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_texts(text: &str, format: TextFormat) -> Vec<String> {
        prose(text, format)
            .blocks
            .iter()
            .map(|b| {
                b.segments
                    .iter()
                    .map(|r| &text[r.clone()])
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect()
    }

    #[test]
    fn markdown_skips_code_front_matter_and_urls() {
        let text = "---\ntitle: \"A quoted title here\"\n---\n\nSaid `\"code\"` and [link](http://x.org/\"a\").\n\n```\n\"fenced\"\n```\n\n    \"indented\"\n\n<http://auto.link/x>\n";
        let blocks = block_texts(text, TextFormat::Markdown);
        assert_eq!(blocks, ["Said | and |link|."]);
    }

    #[test]
    fn blockquotes_are_marked() {
        let text = "Intro.\n\n> First line\n> second line.\n>\n> Next para.\n\nAfter.\n";
        let prose = prose(text, TextFormat::Markdown);
        assert_eq!(prose.blocks.len(), 4);
        assert_eq!(prose.blocks[1].blockquote, Some(8));
        assert_eq!(prose.blocks[2].blockquote, Some(8));
        assert_eq!(prose.blocks[3].blockquote, None);
    }

    #[test]
    fn plain_text_paragraphs() {
        let text = "one\r\ntwo\r\n\r\nthree";
        assert_eq!(
            block_texts(text, TextFormat::PlainText),
            ["one|two", "three"]
        );
    }

    #[test]
    fn ignore_markers_found() {
        let text = "<!-- verbatim-ignore --> \"quoted words here now\"\n";
        assert_eq!(prose(text, TextFormat::Markdown).ignore_markers, vec![24]);
        assert_eq!(prose(text, TextFormat::PlainText).ignore_markers, vec![24]);
    }
}
