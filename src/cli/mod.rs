//! `verbatim check`: checks drafts from the command line and prints findings as text, JSON Lines, SARIF 2.1.0
//! or GitHub workflow commands, or as one HTML page (one module per output format); `verbatim extract` prints
//! the text one source is checked against (extract.rs).

pub mod archive;
mod args;
pub mod extract;
mod github;
pub mod html;
mod human;
mod json;
mod report;
mod run;
mod sarif;

pub use args::{CheckArgs, ColorChoice, FailOn, Format};
pub use json::finding_json;
pub use report::{check, DraftReport, Report};
pub use run::run;
pub use sarif::file_uri;

use crate::lsp::position::{PositionEncoding, TextPositions};

/// A 0-based line and UTF-16 character, as in LSP.
pub(crate) fn line_character(positions: &TextPositions, offset: usize) -> (u32, u32) {
    let position = positions.position(offset, PositionEncoding::Utf16);
    (position.line, position.character)
}

/// Collapses whitespace and shortens to `limit` characters.
pub(crate) fn excerpt(text: &str, limit: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= limit {
        collapsed
    } else {
        let head: String = collapsed.chars().take(limit).collect();
        format!("{}…", head.trim_end())
    }
}

/// Where a source's passages are in the source's own file, for the reports: Markdown and plain text are their
/// own file; an extracted web page or transcript is placed through its offset map; a PDF or Word passage at
/// the file's start, its page or cue said in words by [`SourcePlace::locator`].
pub(crate) struct SourcePlace {
    /// Line positions of the file's text (or of the indexed text when the file is the text).
    pub positions: TextPositions,
    original: Option<std::sync::Arc<crate::workspace::formats::Original>>,
}

impl SourcePlace {
    pub(crate) fn new(source: &crate::engine::Source) -> SourcePlace {
        let original = crate::workspace::formats::original(std::path::Path::new(&source.key));
        let positions = match original.as_ref().map(|o| o.file_text.as_deref()) {
            Some(Some(file)) => TextPositions::new(file),
            Some(None) => TextPositions::new(""),
            None => TextPositions::new(&source.text),
        };
        SourcePlace {
            positions,
            original,
        }
    }

    /// The byte range in the file of a range of the source's text.
    pub(crate) fn range(&self, range: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        match &self.original {
            Some(original) => original.original_range(range.clone()),
            None => range.clone(),
        }
    }

    /// `p. 3`, `00:03:12 · Minister`, or `None` (formats without pages or cues).
    pub(crate) fn locator(&self, range: &std::ops::Range<usize>) -> Option<String> {
        self.original.as_ref()?.locator(range.clone())
    }

    /// The outlet and canonical URL the document gives (web pages).
    pub(crate) fn site_and_url(&self) -> (Option<&str>, Option<&str>) {
        let Some(original) = &self.original else {
            return (None, None);
        };
        let metadata = &original.extraction.metadata;
        (metadata.site.as_deref(), metadata.url.as_deref())
    }
}
