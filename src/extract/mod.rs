//! Source-format extraction: a source file's bytes in; the text quotes are checked against, a map from every
//! text offset back to the original (byte offset, PDF page, transcript cue time and speaker) and the document's
//! metadata out. Pure: no filesystem, no threads, no protocol types; every parser is fuzzed and bounded.
//!
//! [`extract`] picks the parser by the file name's extension: web pages ([`html`]), PDF ([`pdf`]), SRT and
//! WebVTT transcripts ([`transcript`]), Word documents ([`docx`]); Markdown and plain text are the identity
//! extraction ([`plain`]). [`extract_guarded`] also catches a parser's panic, so one bad file becomes one
//! clear [`ExtractError`] instead of a crash; the time budget is the workspace's (it runs the guarded call on a
//! worker thread).

pub mod docx;
pub mod html;
mod html_depth;
mod map;
pub mod pdf;
mod pdf_tree;
pub mod plain;
pub mod transcript;

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::{Deserialize, Serialize};

pub use map::{timestamp as map_timestamp, Cue, OffsetMap, Segment, TextBuilder};

use crate::engine::TextFormat;

/// The formats a source may come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Markdown,
    #[serde(rename = "text")]
    PlainText,
    Html,
    Pdf,
    Srt,
    Vtt,
    Docx,
}

impl Format {
    /// Every format, in the order settings and docs list them.
    pub const ALL: [Format; 7] = [
        Format::Markdown,
        Format::PlainText,
        Format::Html,
        Format::Pdf,
        Format::Srt,
        Format::Vtt,
        Format::Docx,
    ];

    /// The format of a file by its name's extension: anything unknown is plain text.
    pub fn from_name(name: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        let extension = lower.rsplit_once('.').map_or("", |(_, ext)| ext);
        match extension {
            "md" | "markdown" | "mdx" => Format::Markdown,
            "html" | "htm" | "xhtml" | "shtml" => Format::Html,
            "pdf" => Format::Pdf,
            "srt" => Format::Srt,
            "vtt" => Format::Vtt,
            "docx" => Format::Docx,
            _ => Format::PlainText,
        }
    }

    /// The format's short name, as settings and `verbatim extract --format json` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::PlainText => "text",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Srt => "srt",
            Format::Vtt => "vtt",
            Format::Docx => "docx",
        }
    }

    /// The format named by a setting (`html`, `pdf`, `srt`, `vtt`, `docx`, `markdown`, `text`).
    pub fn from_setting(name: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|format| format.name().eq_ignore_ascii_case(name.trim()))
    }

    /// How the engine reads the extracted text: Markdown stays Markdown, every extracted format is plain
    /// text (paragraphs separated by blank lines).
    pub fn text_format(self) -> TextFormat {
        match self {
            Format::Markdown => TextFormat::Markdown,
            _ => TextFormat::PlainText,
        }
    }

    /// True when the text is the file itself (Markdown, plain text): text offsets are file offsets and an
    /// open editor buffer can replace the file's text.
    pub fn is_identity(self) -> bool {
        matches!(self, Format::Markdown | Format::PlainText)
    }

    /// True for formats whose files are not text an editor can show (PDF, Word): a location in them is the
    /// file itself, the page or paragraph is said in words.
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Pdf | Format::Docx)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a document says about itself. Every field is optional: a page without a `<title>` has none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The publication date as the document gives it (ISO 8601 when it does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The outlet or site name (`og:site_name`, JSON-LD `publisher`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The canonical URL (`<link rel=canonical>`, `og:url`, JSON-LD `url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl Metadata {
    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Metadata::default()
    }
}

/// A source's text as verbatim checks quotes against it, and the way back to the original file.
#[derive(Clone, Debug, PartialEq)]
pub struct Extraction {
    pub format: Format,
    /// The text a reader of the document sees, paragraphs separated by blank lines.
    pub text: String,
    /// Text offsets → original byte offsets, pages and cues.
    pub map: OffsetMap,
    pub metadata: Metadata,
    /// What the reader should know (boilerplate-only page, lossy decoding, skipped parts), each once.
    pub warnings: Vec<String>,
}

impl Extraction {
    /// An extraction whose text is the original (Markdown, plain text).
    pub fn identity(format: Format, text: String, warnings: Vec<String>) -> Extraction {
        let map = OffsetMap::identity(text.len());
        Extraction {
            format,
            text,
            map,
            metadata: Metadata::default(),
            warnings,
        }
    }
}

/// Why a file yields no text. Each says what happened in words a writer understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtractError {
    /// The file is larger than [`Limits::max_input_bytes`].
    TooLarge { bytes: usize, limit: usize },
    /// A PDF with no text layer (a scan).
    NeedsOcr { pages: usize },
    /// A password-protected document.
    Encrypted,
    /// A zip that would expand past the limits (entries, size or ratio).
    ZipBomb(String),
    /// The file is not what its name says, or is damaged.
    Corrupt(String),
    /// A NUL byte in what should be text.
    Binary,
    /// The parser failed unexpectedly (a panic caught by [`extract_guarded`]).
    Crashed(String),
    /// The workspace gave up waiting (see the workspace's time budget).
    TimedOut { seconds: u64 },
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExtractError::TooLarge { bytes, limit } => write!(
                f,
                "skipped: the file is {} MB, larger than the {} MB limit for this format",
                bytes.div_ceil(1 << 20),
                limit / (1 << 20)
            ),
            ExtractError::NeedsOcr { pages } => write!(
                f,
                "skipped: this PDF has no text layer ({pages} page{} of images, probably a scan); it needs OCR \
                 before its quotes can be checked",
                if *pages == 1 { "" } else { "s" }
            ),
            ExtractError::Encrypted => {
                f.write_str("skipped: the document is encrypted (password-protected); save an unprotected copy")
            }
            ExtractError::ZipBomb(why) => write!(f, "skipped: refused to unpack the document: {why}"),
            ExtractError::Corrupt(why) => write!(f, "skipped: the file is damaged or not what its name says: {why}"),
            ExtractError::Binary => f.write_str("skipped: binary file (contains NUL bytes)"),
            ExtractError::Crashed(why) => write!(f, "skipped: the reader failed on this file ({why})"),
            ExtractError::TimedOut { seconds } => {
                write!(f, "skipped: reading the file took longer than {seconds} s")
            }
        }
    }
}

impl std::error::Error for ExtractError {}

/// Bounds on what one file may cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file, in bytes.
    pub max_input_bytes: usize,
    /// Most entries in a zip container (.docx).
    pub max_zip_entries: usize,
    /// Largest uncompressed part read from a zip, in bytes.
    pub max_part_bytes: u64,
    /// Largest ratio of uncompressed to compressed size of one zip part.
    pub max_zip_ratio: u64,
    /// Most pages read from a PDF.
    pub max_pdf_pages: usize,
    /// Most bytes a PDF's compressed streams may unpack to, all together (a decompression bomb is refused
    /// before the parser inflates anything).
    pub max_pdf_unpacked: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 64 << 20,
            max_zip_entries: 10_000,
            max_part_bytes: 64 << 20,
            max_zip_ratio: 200,
            max_pdf_pages: 5_000,
            max_pdf_unpacked: 1 << 30,
        }
    }
}

/// Extracts a source's text, map and metadata; the format comes from `file_name`'s extension.
pub fn extract(file_name: &str, bytes: &[u8]) -> Result<Extraction, ExtractError> {
    extract_as(Format::from_name(file_name), bytes, &Limits::default())
}

/// Extracts `bytes` read as `format`, within `limits`.
pub fn extract_as(
    format: Format,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Extraction, ExtractError> {
    if bytes.len() > limits.max_input_bytes {
        return Err(ExtractError::TooLarge {
            bytes: bytes.len(),
            limit: limits.max_input_bytes,
        });
    }
    match format {
        Format::Markdown | Format::PlainText => plain::extract(format, bytes),
        Format::Html => Ok(html::extract(bytes)),
        Format::Pdf => pdf::extract(bytes, limits),
        Format::Srt | Format::Vtt => transcript::extract(format, bytes),
        Format::Docx => docx::extract(bytes, limits),
    }
}

/// [`extract_as`] with a parser's panic caught and turned into [`ExtractError::Crashed`]: one bad file can
/// never take the caller down.
pub fn extract_guarded(
    format: Format,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Extraction, ExtractError> {
    match catch_unwind(AssertUnwindSafe(|| extract_as(format, bytes, limits))) {
        Ok(result) => result,
        Err(payload) => {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown error".to_string());
            let why: String = why.chars().take(160).collect();
            Err(ExtractError::Crashed(why))
        }
    }
}

/// Collapses runs of white space into one space and trims; `None` when nothing is left.
pub(crate) fn clean(value: &str) -> Option<String> {
    let cleaned = value.split_whitespace().collect::<Vec<_>>().join(" ");
    (!cleaned.is_empty()).then_some(cleaned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::from_name("a/b/Page.HTM"), Format::Html);
        assert_eq!(Format::from_name("x.pdf"), Format::Pdf);
        assert_eq!(Format::from_name("x.srt"), Format::Srt);
        assert_eq!(Format::from_name("x.vtt"), Format::Vtt);
        assert_eq!(Format::from_name("x.docx"), Format::Docx);
        assert_eq!(Format::from_name("x.md"), Format::Markdown);
        assert_eq!(Format::from_name("x.txt"), Format::PlainText);
        assert_eq!(Format::from_name("README"), Format::PlainText);
        assert_eq!(Format::from_setting(" PDF "), Some(Format::Pdf));
    }

    #[test]
    fn refuses_oversized_input() {
        let limits = Limits {
            max_input_bytes: 4,
            ..Limits::default()
        };
        let error = extract_as(Format::PlainText, b"hello", &limits).unwrap_err();
        assert!(matches!(error, ExtractError::TooLarge { .. }));
    }
}
