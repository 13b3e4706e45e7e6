//! `verbatim check`: checks drafts from the command line and prints findings as text, JSON Lines, SARIF 2.1.0
//! or GitHub workflow commands, or as one HTML page (one module per output format).

pub mod archive;
mod args;
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
