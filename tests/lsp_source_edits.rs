//! End-to-end: editing an open source buffer reaches the drafts' diagnostics without waiting — a pull sent
//! right after the source's `didChange` already sees the edit, a burst of edits ends on the last version, and
//! re-indexing the folder gives the same diagnostics as a fresh server.
mod common;

use common::*;
use serde_json::{json, Value};

/// Capabilities of a client that pulls diagnostics (no push).
fn pulling() -> Value {
    let mut capabilities = full_capabilities();
    capabilities["textDocument"]["diagnostic"] = json!({ "dynamicRegistration": false });
    capabilities["workspace"]["diagnostics"] = json!({ "refreshSupport": true });
    capabilities
}

async fn pull(client: &TestClient, uri: &str) -> Vec<Value> {
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri } }),
        )
        .await;
    assert_eq!(report["kind"], "full");
    report["items"].as_array().cloned().unwrap()
}

/// Waits until the folder's sources are indexed (the end of the indexing progress after `mark`).
async fn indexed_after(client: &TestClient, mark: usize) {
    client
        .wait_for_after(mark, "the end of indexing", |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
        })
        .await;
}

/// Asserts that a hover on `word` in the draft mentions `verdict`.
async fn assert_hover_mentions(client: &TestClient, ws: &Basic, word: &str, verdict: &str) {
    let hover = client.hover(&ws.draft_uri, find_pos(&ws.draft, word)).await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains(verdict),
        "{hover}"
    );
}

/// The client's copy of the source open in the editor, and its version there.
struct OpenSource {
    text: String,
    version: i64,
}

impl OpenSource {
    /// Replaces the first `old` in the source with `new` at the next version, then pulls the draft's
    /// diagnostics right away.
    async fn edit_then_pull(
        &mut self,
        client: &TestClient,
        ws: &Basic,
        old: &str,
        new: &str,
    ) -> Vec<Value> {
        self.version += 1;
        client.edit(&ws.source_uri, self.version, &mut self.text, old, new);
        pull(client, &ws.draft_uri).await
    }
}

/// A pulling client with the draft open and indexed, and the source open in the editor.
async fn draft_and_source_open() -> (Basic, TestClient, OpenSource) {
    let ws = Basic::new();
    let client = TestClient::start(pulling(), Some(&ws.root), Value::Null).await;
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    indexed_after(&client, 0).await;
    let text = std::fs::read_to_string(ws.root.join("sources/statement.md")).unwrap();
    client.open(&ws.source_uri, "markdown", 1, &text);
    let items = pull(&client, &ws.draft_uri).await;
    find_diagnostic(&items, &ws.draft, "drift", DRIFT);
    (ws, client, OpenSource { text, version: 1 })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_pull_right_after_a_source_edit_sees_it() {
    let (ws, client, mut source) = draft_and_source_open().await;
    // The source now says what the draft quotes: the drifting quote verifies, on the very next pull.
    let items = source
        .edit_then_pull(&client, &ws, "deepen mutual", "build mutual")
        .await;
    find_diagnostic(&items, &ws.draft, "verified", DRIFT);
    find_diagnostic(&items, &ws.draft, "verified", VERIFIED);
    // And back: a verified quote becomes drift at once.
    let items = source
        .edit_then_pull(&client, &ws, "build mutual", "deepen mutual")
        .await;
    find_diagnostic(&items, &ws.draft, "drift", DRIFT);
    // Editing the other verified quote's sentence away makes it drift too.
    let items = source
        .edit_then_pull(&client, &ws, "further expansion", "rapid expansion")
        .await;
    find_diagnostic(&items, &ws.draft, "drift", VERIFIED);
    // Hovers see it as well.
    assert_hover_mentions(&client, &ws, "further", "drift").await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_source_edits_ends_on_the_last() {
    let (ws, client, mut source) = draft_and_source_open().await;
    client.retype(&ws.source_uri, 1, &mut source.text, "deepen", "build", 50);
    let items = pull(&client, &ws.draft_uri).await;
    find_diagnostic(&items, &ws.draft, "verified", DRIFT);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_source_edits_is_pushed_to_the_drafts() {
    let ws = Basic::new();
    let client = TestClient::start(full_capabilities(), Some(&ws.root), Value::Null).await;
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    client.diagnostics_after(0, &ws.draft_uri, Some(1)).await;
    let mut source = std::fs::read_to_string(ws.root.join("sources/statement.md")).unwrap();
    client.open(&ws.source_uri, "markdown", 1, &source);
    client.retype(&ws.source_uri, 1, &mut source, "deepen", "build", 50);
    // The last push for the draft shows the last version of the source; nothing later contradicts it.
    client
        .wait_for("the drift quote verified", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == ws.draft_uri
                && m["params"]["diagnostics"].as_array().is_some_and(|d| {
                    d.iter().any(|d| {
                        d["code"] == "verified" && text_in(&ws.draft, &d["range"]) == DRIFT
                    })
                })
        })
        .await;
    assert_hover_mentions(&client, &ws, "build", "verified").await;
    client.shutdown().await;
}

/// The diagnostics sorted, so that two servers' answers compare equal whatever their order.
fn sorted(mut items: Vec<Value>) -> Vec<Value> {
    items.sort_by_key(|d| d.to_string());
    items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reindex_gives_what_a_fresh_server_gives() {
    let (ws, client, mut source) = draft_and_source_open().await;
    let before = source
        .edit_then_pull(&client, &ws, "deepen mutual", "build mutual")
        .await;
    find_diagnostic(&before, &ws.draft, "verified", DRIFT);
    // Other source globs (the same files): the folder is indexed again from scratch, the buffer still wins.
    let mark = client.mark();
    std::fs::write(
        ws.root.join("verbatim.toml"),
        "sources = [\"sources/*.md\"]\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(&ws.root.join("verbatim.toml")), "type": 1 }] }),
    );
    indexed_after(&client, mark).await;
    let reindexed = pull(&client, &ws.draft_uri).await;
    find_diagnostic(&reindexed, &ws.draft, "verified", DRIFT);
    // The source edited again after the re-index: still seen by the next pull.
    let edited = source
        .edit_then_pull(&client, &ws, "further expansion", "rapid expansion")
        .await;
    find_diagnostic(&edited, &ws.draft, "drift", VERIFIED);

    // A fresh server on the same files, with the same buffers open.
    let fresh = TestClient::start(pulling(), Some(&ws.root), Value::Null).await;
    fresh.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    fresh.open(&ws.source_uri, "markdown", source.version, &source.text);
    indexed_after(&fresh, 0).await;
    let expected = pull(&fresh, &ws.draft_uri).await;
    assert_eq!(sorted(edited), sorted(expected));
    fresh.shutdown().await;
    client.shutdown().await;
}
