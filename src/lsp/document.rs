//! Owns the open documents: each one's rope, version and language, incremental edits (applied synchronously,
//! stale versions ignored), and the last analysis of a draft (its findings for one version of the text).
use std::sync::{Arc, Mutex};

use dashmap::DashMap;
use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::position::{position_to_offset, PositionEncoding};
use crate::engine::reuse::ReuseCache;
use crate::engine::{CorpusRevision, Finding, TextFormat, VerdictCache};
use crate::workspace::Workspace;

/// The findings of one draft for one version of its text and one state of the sources and settings. What it
/// was computed against is kept with it, so that it is published or answered only while all of it still holds
/// (see `Server::current_diagnostics`).
pub struct Analysis {
    pub version: i32,
    /// The server's epoch when the check began (see `Server::epoch`).
    pub epoch: u64,
    /// The folder's settings the findings were computed with (its severities are the diagnostics').
    pub workspace: Arc<Workspace>,
    /// The folder's corpus the findings were computed against (their source ids are its ids).
    pub corpus: CorpusRevision,
    /// The text the findings' byte ranges refer to.
    pub rope: Rope,
    pub text: Arc<str>,
    /// How the text was read (Markdown or plain text).
    pub format: TextFormat,
    pub findings: Vec<Finding>,
}

/// One open document.
pub struct Document {
    pub version: i32,
    pub language_id: String,
    pub format: TextFormat,
    pub rope: Rope,
    /// Verdicts by quote text, so that an edit re-checks only the quotes it touched.
    pub cache: Arc<Mutex<VerdictCache>>,
    /// Copied stretches by paragraph, so that an edit re-checks only the paragraph it touched.
    pub reuse_cache: Arc<Mutex<ReuseCache>>,
    pub analysis: Option<Arc<Analysis>>,
}

/// A copy of a document's text at one version, cheap to take (ropes share their nodes).
#[derive(Clone)]
pub struct Snapshot {
    pub uri: Uri,
    pub version: i32,
    pub format: TextFormat,
    pub rope: Rope,
    pub cache: Arc<Mutex<VerdictCache>>,
    pub reuse_cache: Arc<Mutex<ReuseCache>>,
}

/// What happened to a `didChange`.
#[derive(Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    Applied,
    /// The version is not newer than the one held: the change was dropped.
    Stale {
        held: i32,
        got: i32,
    },
    /// The document is not open.
    Unknown,
}

/// The format of a document: a Markdown file name (`.md`, `.markdown`, `.mdx`) is Markdown whatever the
/// language id (editors without a Markdown mode send `plaintext`, and code spans would then read as prose);
/// otherwise the `markdown` language id makes it Markdown, and anything else is plain text.
pub fn format_of(uri: &Uri, language_id: &str) -> TextFormat {
    match (TextFormat::from_path(uri.path().as_str()), language_id) {
        (TextFormat::Markdown, _) | (_, "markdown" | "mdx") => TextFormat::Markdown,
        _ => TextFormat::PlainText,
    }
}

/// Applies one content change to `rope`; a change without a range replaces the whole text.
pub fn apply_change(
    rope: &mut Rope,
    change: &TextDocumentContentChangeEvent,
    encoding: PositionEncoding,
) {
    match change.range {
        None => *rope = Rope::from_str(&change.text),
        Some(range) => {
            let a = position_to_offset(rope, range.start, encoding);
            let b = position_to_offset(rope, range.end, encoding);
            let (start, end) = (a.min(b), a.max(b));
            let start_char = rope.byte_to_char(start);
            let end_char = rope.byte_to_char(end);
            rope.remove(start_char..end_char);
            rope.insert(start_char, &change.text);
        }
    }
}

/// All open documents, by URI. Every method is synchronous and never holds a guard past its return.
#[derive(Default)]
pub struct DocumentStore {
    docs: DashMap<Uri, Document>,
}

impl DocumentStore {
    pub fn open(&self, uri: Uri, language_id: String, version: i32, text: &str) {
        let format = format_of(&uri, &language_id);
        let document = Document {
            version,
            language_id,
            format,
            rope: Rope::from_str(text),
            cache: Arc::new(Mutex::new(VerdictCache::new())),
            reuse_cache: Arc::new(Mutex::new(ReuseCache::new())),
            analysis: None,
        };
        self.docs.insert(uri, document);
    }

    pub fn close(&self, uri: &Uri) -> bool {
        self.docs.remove(uri).is_some()
    }

    pub fn is_open(&self, uri: &Uri) -> bool {
        self.docs.contains_key(uri)
    }

    /// Applies the changes of a `didChange` in order, unless `version` is not newer than the held one.
    pub fn apply_changes(
        &self,
        uri: &Uri,
        version: i32,
        changes: &[TextDocumentContentChangeEvent],
        encoding: PositionEncoding,
    ) -> ChangeOutcome {
        let Some(mut doc) = self.docs.get_mut(uri) else {
            return ChangeOutcome::Unknown;
        };
        if version <= doc.version {
            return ChangeOutcome::Stale {
                held: doc.version,
                got: version,
            };
        }
        for change in changes {
            apply_change(&mut doc.rope, change, encoding);
        }
        doc.version = version;
        ChangeOutcome::Applied
    }

    pub fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let doc = self.docs.get(uri)?;
        Some(Snapshot {
            uri: uri.clone(),
            version: doc.version,
            format: doc.format,
            rope: doc.rope.clone(),
            cache: doc.cache.clone(),
            reuse_cache: doc.reuse_cache.clone(),
        })
    }

    pub fn text(&self, uri: &Uri) -> Option<String> {
        self.docs.get(uri).map(|d| d.rope.to_string())
    }

    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.docs.get(uri).map(|d| d.version)
    }

    /// The last analysis, if it is for the current version and the given epoch.
    pub fn current_analysis(&self, uri: &Uri, epoch: u64) -> Option<Arc<Analysis>> {
        let doc = self.docs.get(uri)?;
        let analysis = doc.analysis.as_ref()?;
        (analysis.version == doc.version && analysis.epoch == epoch).then(|| analysis.clone())
    }

    /// Keeps an analysis unless the document has moved past it or holds a newer one.
    pub fn store_analysis(&self, uri: &Uri, analysis: Arc<Analysis>) -> bool {
        let Some(mut doc) = self.docs.get_mut(uri) else {
            return false;
        };
        if analysis.version != doc.version {
            return false;
        }
        if let Some(old) = &doc.analysis {
            if old.version == analysis.version && old.epoch > analysis.epoch {
                return false;
            }
        }
        doc.analysis = Some(analysis);
        true
    }

    /// Forgets every document's verdict cache (after a settings change).
    pub fn clear_caches(&self) {
        for uri in self.uris() {
            self.clear_cache(&uri);
        }
    }

    /// Forgets one document's verdict cache (after its folder's corpus was replaced by a new index).
    pub fn clear_cache(&self, uri: &Uri) {
        let caches = self
            .docs
            .get(uri)
            .map(|doc| (doc.cache.clone(), doc.reuse_cache.clone()));
        if let Some((cache, reuse_cache)) = caches {
            *cache.lock().unwrap_or_else(|p| p.into_inner()) = VerdictCache::new();
            *reuse_cache.lock().unwrap_or_else(|p| p.into_inner()) = ReuseCache::new();
        }
    }

    /// The URIs of all open documents.
    pub fn uris(&self) -> Vec<Uri> {
        self.docs.iter().map(|e| e.key().clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn uri() -> Uri {
        "file:///tmp/draft.md".parse().unwrap()
    }

    fn change(range: Option<(u32, u32, u32, u32)>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|(a, b, c, d)| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_edits_with_emoji_and_crlf() {
        let store = DocumentStore::default();
        store.open(
            uri(),
            "markdown".into(),
            1,
            "He said “😀 hi”\r\nnext line\r\n",
        );
        // Replace "hi" (after the emoji and a space: UTF-16 column 12) with "hello".
        let outcome = store.apply_changes(
            &uri(),
            2,
            &[change(Some((0, 12, 0, 14)), "hello")],
            PositionEncoding::Utf16,
        );
        assert_eq!(outcome, ChangeOutcome::Applied);
        assert_eq!(
            store.text(&uri()).unwrap(),
            "He said “😀 hello”\r\nnext line\r\n"
        );
        // Insert at the start of line 1 (after the CRLF).
        store.apply_changes(
            &uri(),
            3,
            &[change(Some((1, 0, 1, 0)), "the ")],
            PositionEncoding::Utf16,
        );
        assert_eq!(
            store.text(&uri()).unwrap(),
            "He said “😀 hello”\r\nthe next line\r\n"
        );
        // Join the lines by deleting the CRLF.
        store.apply_changes(
            &uri(),
            4,
            &[change(Some((0, 18, 1, 0)), " ")],
            PositionEncoding::Utf16,
        );
        assert_eq!(
            store.text(&uri()).unwrap(),
            "He said “😀 hello” the next line\r\n"
        );
    }

    #[test]
    fn stale_versions_are_ignored() {
        let store = DocumentStore::default();
        store.open(uri(), "markdown".into(), 5, "abc");
        let outcome =
            store.apply_changes(&uri(), 5, &[change(None, "zzz")], PositionEncoding::Utf16);
        assert_eq!(outcome, ChangeOutcome::Stale { held: 5, got: 5 });
        assert_eq!(store.text(&uri()).unwrap(), "abc");
        assert_eq!(
            store.apply_changes(&uri(), 6, &[change(None, "x")], PositionEncoding::Utf16),
            ChangeOutcome::Applied
        );
        assert_eq!(store.text(&uri()).unwrap(), "x");
        let other: Uri = "file:///nope.md".parse().unwrap();
        assert_eq!(
            store.apply_changes(&other, 9, &[], PositionEncoding::Utf16),
            ChangeOutcome::Unknown
        );
    }

    #[test]
    fn format_from_language_or_name() {
        let txt: Uri = "file:///a/notes.txt".parse().unwrap();
        assert_eq!(format_of(&txt, "plaintext"), TextFormat::PlainText);
        assert_eq!(format_of(&txt, "markdown"), TextFormat::Markdown);
        assert_eq!(format_of(&uri(), "whatever"), TextFormat::Markdown);
        assert_eq!(
            format_of(&uri(), "plaintext"),
            TextFormat::Markdown,
            "a .md file stays Markdown"
        );
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a", " ", "é", "e\u{301}", "中", "😀", "\n", "\r\n", "“", "”",
        ]);
        prop::collection::vec(pieces, 0..30).prop_map(|v| v.concat())
    }

    proptest! {
        /// An edit expressed as positions in any encoding gives the same text as the edit on a `String`.
        #[test]
        fn edits_match_string_edits(
            text in text_strategy(),
            a in any::<prop::sample::Index>(),
            b in any::<prop::sample::Index>(),
            insert in text_strategy(),
            enc in prop::sample::select(vec![PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32]),
        ) {
            let bounds: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .filter(|&i| !(i > 0 && text.as_bytes()[i - 1] == b'\r' && text.as_bytes().get(i) == Some(&b'\n')))
                .collect();
            let (x, y) = (bounds[a.index(bounds.len())], bounds[b.index(bounds.len())]);
            let (start, end) = (x.min(y), x.max(y));
            let mut rope = Rope::from_str(&text);
            let range = super::super::position::range_to_lsp(&rope, &(start..end), enc);
            let event = TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: insert.clone() };
            apply_change(&mut rope, &event, enc);
            let mut expected = text.clone();
            expected.replace_range(start..end, &insert);
            prop_assert_eq!(rope.to_string(), expected);
        }
    }
}
