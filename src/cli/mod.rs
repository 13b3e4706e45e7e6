//! `verbatim check`: checks drafts from the command line and prints findings as text, JSON Lines, SARIF 2.1.0
//! or GitHub workflow commands, or as one HTML page (one module per output format), or per-source usage
//! (`--summary`); `verbatim extract` prints the text one source is checked against (extract.rs); `verbatim
//! refs`: who quotes a source or a passage.

pub mod archive;
mod args;
pub mod extract;
mod github;
pub mod html;
mod human;
mod json;
mod refs;
mod report;
mod run;
mod sarif;
mod summary;

pub use args::{CheckArgs, ColorChoice, FailOn, Format};
pub use refs::{run_refs, split_target, usage_index, RefsArgs, RefsFormat};
pub use report::{check, DraftReport, Report};
pub use run::run;
pub use sarif::file_uri;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use crate::lineindex::{Encoding, LineIndex};

/// A 0-based line and UTF-16 column, as the JSON output (LSP's convention), SARIF (`utf16CodeUnits`) and
/// GitHub count them.
pub(crate) fn line_character(positions: &LineIndex, offset: usize) -> (u32, u32) {
    let at = positions.line_col(offset, Encoding::Utf16);
    (at.line, at.column)
}

/// Collapses whitespace and shortens to `limit` characters.
pub(crate) fn excerpt(text: &str, limit: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.width() <= limit {
        return collapsed;
    }
    // Whole grapheme clusters (an emoji sequence, a letter and its accents) until the terminal width is used.
    let mut head = String::new();
    let mut width = 0;
    for grapheme in collapsed.graphemes(true) {
        width += grapheme.width();
        if width > limit {
            break;
        }
        head.push_str(grapheme);
    }
    format!("{}…", head.trim_end())
}

/// Where a source's passages are in the source's own file, for the reports: Markdown and plain text are their
/// own file; an extracted web page or transcript is placed through its offset map; a PDF or Word passage at
/// the file's start, its page or cue said in words by [`SourcePlace::locator`].
pub(crate) struct SourcePlace {
    /// Line positions of the file's text (or of the indexed text when the file is the text).
    pub positions: LineIndex,
    original: Option<std::sync::Arc<crate::workspace::formats::Original>>,
}

impl SourcePlace {
    pub(crate) fn new(source: &crate::engine::Source) -> SourcePlace {
        let original = crate::workspace::formats::original(std::path::Path::new(&source.key));
        let positions = match original.as_ref().map(|o| o.file_text.as_deref()) {
            Some(Some(file)) => LineIndex::new(file),
            Some(None) => LineIndex::new(""),
            None => LineIndex::new(&source.text),
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

    /// The text of the file itself, which [`SourcePlace::range`] and `positions` point into: the file for a
    /// saved page or a transcript, the source's text for Markdown and plain text (empty for PDF and Word).
    pub(crate) fn file_text<'a>(&'a self, source: &'a crate::engine::Source) -> &'a str {
        match &self.original {
            Some(original) => original.file_text.as_deref().unwrap_or_default(),
            None => source.text.as_str(),
        }
    }

    /// Whether the file has lines to point at (not a PDF or a Word document, whose passages are placed by
    /// page or not at all).
    pub(crate) fn has_lines(&self) -> bool {
        self.original
            .as_ref()
            .is_none_or(|original| original.file_text.is_some())
    }

    /// `p. 3`, `00:03:12 · Minister`, or `None` (formats without pages or cues).
    pub(crate) fn locator(&self, range: &std::ops::Range<usize>) -> Option<String> {
        self.original.as_ref()?.locator(range.clone())
    }

    /// What the attribution template can say of a finding's passage in this source (see
    /// [`crate::workspace::formats::passage_place`]), from the extraction already at hand.
    pub(crate) fn passage_place(
        &self,
        finding: &crate::engine::Finding,
    ) -> crate::engine::PassagePlace {
        crate::workspace::formats::passage_place_in(self.original.as_deref(), finding)
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

/// The [`SourcePlace`] of each source a report points into, made once per source: a source's line index and
/// extraction serve all its findings.
#[derive(Default)]
pub(crate) struct SourcePlaces(std::collections::HashMap<crate::engine::SourceId, SourcePlace>);

impl SourcePlaces {
    pub(crate) fn of(
        &mut self,
        id: crate::engine::SourceId,
        source: &crate::engine::Source,
    ) -> &SourcePlace {
        self.0.entry(id).or_insert_with(|| SourcePlace::new(source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_cut_whole_graphemes_by_width() {
        assert_eq!(excerpt("a  b\n c", 10), "a b c");
        // CJK characters take two columns; a ZWJ emoji sequence and a combining accent are never split.
        assert_eq!(excerpt("中文引用很长", 5), "中文…");
        assert_eq!(excerpt("ab👩\u{200d}💻cd", 3), "ab…");
        assert_eq!(excerpt("ab👩\u{200d}💻cd", 4), "ab👩\u{200d}💻…");
        assert_eq!(excerpt("cafe\u{301} noir", 4), "cafe\u{301}…");
    }
}
