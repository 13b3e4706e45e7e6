//! Paths written as URI text, percent-encoded once for everyone (the `percent-encoding` crate): `file:` URIs
//! (SARIF's root, editors' links), relative references (SARIF's artifact locations) and Markdown link
//! destinations (the Insert attribution action).
use std::path::Path;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Bytes a path segment may hold as they are (RFC 3986 `pchar` and `/`): unreserved, sub-delims, `:`, `@`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b':')
    .remove(b'@')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=');

/// A relative reference: `:` escaped too, so a first segment is never read as a scheme.
const RELATIVE: &AsciiSet = &PATH.add(b':');

/// A Markdown link destination: parentheses escaped too, so the link does not end early.
const MARKDOWN: &AsciiSet = &RELATIVE.add(b'(').add(b')');

/// The `file:` URI of an absolute path (`\` read as `/`).
pub fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let scheme = if text.starts_with('/') {
        "file://"
    } else {
        "file:///"
    };
    format!("{scheme}{}", utf8_percent_encode(&text, PATH))
}

/// A relative URI reference for a relative `/`-separated path.
pub fn relative_reference(path: &str) -> String {
    utf8_percent_encode(path, RELATIVE).to_string()
}

/// A Markdown link destination for a relative `/`-separated path.
pub fn markdown_destination(path: &str) -> String {
    utf8_percent_encode(path, MARKDOWN).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_what_each_place_needs() {
        assert_eq!(
            file_uri(Path::new("/tmp/a b/ü (1).md")),
            "file:///tmp/a%20b/%C3%BC%20(1).md"
        );
        assert_eq!(
            file_uri(Path::new("C:\\ws\\a#b.md")),
            "file:///C:/ws/a%23b.md"
        );
        assert_eq!(relative_reference("c:d/e f.md"), "c%3Ad/e%20f.md");
        assert_eq!(
            markdown_destination("../sources/the article (2).md"),
            "../sources/the%20article%20%282%29.md"
        );
    }
}
