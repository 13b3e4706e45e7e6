//! Properties over sequences of incremental edits (the unit proptests in `src/lsp/document.rs` and
//! `src/lsp/position.rs` cover one edit and one position at a time): a `didChange` carrying many changes, each
//! positioned in the text left by the previous one, in any position encoding, equals the same edits applied to a
//! `String`; stale versions change nothing; positions round-trip after every step.
#[path = "support/pieces.rs"]
mod pieces;

use pieces::boundaries;
use proptest::prelude::*;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};
use verbatim::lsp::document::{ChangeOutcome, DocumentStore};
use verbatim::lsp::position::{
    offset_to_position, position_to_offset, range_to_lsp, PositionEncoding,
};

const PIECES: &[&str] = &[
    "a",
    " ",
    "é",
    "e\u{301}",
    "中",
    "😀",
    "👩\u{200d}💻",
    "\n",
    "\r\n",
    "“",
    "”",
    "\u{0}",
    "ש",
];

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..30).prop_map(|v| v.concat())
}

fn encoding() -> impl Strategy<Value = PositionEncoding> {
    prop::sample::select(vec![
        PositionEncoding::Utf8,
        PositionEncoding::Utf16,
        PositionEncoding::Utf32,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn many_changes_in_one_notification_match_string_edits(
        initial in text(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), text(), any::<bool>()), 1..20),
        encoding in encoding(),
    ) {
        let uri: Uri = "file:///tmp/soak.md".parse().unwrap();
        let store = DocumentStore::default();
        store.open(uri.clone(), "markdown".into(), 1, &initial);
        let mut model = initial.clone();
        let mut rope = ropey::Rope::from_str(&initial);
        let mut changes = Vec::new();
        for (a, b, insert, whole) in edits {
            let change = if whole {
                model = insert.clone();
                TextDocumentContentChangeEvent { range: None, range_length: None, text: insert }
            } else {
                let bounds = boundaries(&model);
                let (x, y) = (bounds[a.index(bounds.len())], bounds[b.index(bounds.len())]);
                let (start, end) = (x.min(y), x.max(y));
                let range = range_to_lsp(&rope, &(start..end), encoding);
                model.replace_range(start..end, &insert);
                TextDocumentContentChangeEvent { range: Some(range), range_length: None, text: insert }
            };
            rope = ropey::Rope::from_str(&model);
            changes.push(change);
        }
        prop_assert_eq!(store.apply_changes(&uri, 2, &changes, encoding), ChangeOutcome::Applied);
        prop_assert_eq!(store.text(&uri).unwrap(), model.clone());
        // The same changes again at a stale or repeated version change nothing.
        prop_assert_eq!(store.apply_changes(&uri, 2, &changes, encoding), ChangeOutcome::Stale { held: 2, got: 2 });
        prop_assert_eq!(store.apply_changes(&uri, 1, &changes, encoding), ChangeOutcome::Stale { held: 2, got: 1 });
        prop_assert_eq!(store.text(&uri).unwrap(), model.clone());
        // Every position of the result round-trips in every encoding.
        for offset in boundaries(&model) {
            for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32] {
                let position = offset_to_position(&rope, offset, enc);
                prop_assert_eq!(position_to_offset(&rope, position, enc), offset);
            }
        }
    }
}
