//! Repairs: the text edits that restore a source's wording, and the attribution text for a quote.
use std::ops::Range;

use super::index::Source;
use super::verdict::Finding;

/// Replace `range` (bytes of the draft) with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// Edits to the draft after which the quote in `finding` verifies against `source` (empty unless drift).
pub fn repair_edits(draft: &str, finding: &Finding, source: &Source) -> Vec<TextEdit> {
    let _ = (draft, finding, source);
    Vec::new()
}

/// Fills an attribution template: `{title}`, `{date}`, `{author}`, `{url}`, `{path}`.
pub fn attribution_text(template: &str, source: &Source) -> String {
    let _ = (template, source);
    String::new()
}
