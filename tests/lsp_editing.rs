//! End-to-end: incremental edits on a rope (emoji, CJK, CRLF), stale versions, and the ordering guarantee
//! (many `didChange` then a request: the answer reflects the last change).
mod common;

use common::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn incremental_edits_with_emoji_cjk_and_crlf() {
    let ws = Basic::new();
    let uri = file_uri(&ws.root.join("drafts/crlf.md"));
    let mut text = format!(
        "# 中文 notes 👩‍💻\r\n\r\n😀🇫🇷 They urged states to “{DRIFT}”.\r\n\r\ne\u{301}té: “{UNSOURCED}”.\r\n"
    );
    std::fs::write(ws.root.join("drafts/crlf.md"), &text).unwrap();
    let client = TestClient::start(full_capabilities(), Some(&ws.root), Value::Null).await;
    client.open(&uri, "markdown", 1, &text);
    let diagnostics = client.diagnostics_after(0, &uri, Some(1)).await;
    find_diagnostic(&diagnostics, &text, "drift", DRIFT);
    find_diagnostic(&diagnostics, &text, "drift-word", "build");
    find_diagnostic(&diagnostics, &text, "unsourced", UNSOURCED);

    // Fix the drifting word: the quote verifies, with a range still right after the emoji.
    client.edit(&uri, 2, &mut text, "build", "deepen");
    let fixed = DRIFT.replace("build", "deepen");
    let diagnostics = client.diagnostics_after(0, &uri, Some(2)).await;
    find_diagnostic(&diagnostics, &text, "verified", &fixed);

    // Insert an astral character before the quote on its line, and CJK on the line above.
    client.edit(&uri, 3, &mut text, "😀", "😀👍");
    client.edit(&uri, 4, &mut text, "中文", "中文引用");
    let diagnostics = client.diagnostics_after(0, &uri, Some(4)).await;
    find_diagnostic(&diagnostics, &text, "verified", &fixed);
    find_diagnostic(&diagnostics, &text, "unsourced", UNSOURCED);

    // Join two lines by deleting a CRLF: every range below moves up a line.
    client.edit(&uri, 5, &mut text, "”.\r\n\r\ne\u{301}té", "”. e\u{301}té");
    let diagnostics = client.diagnostics_after(0, &uri, Some(5)).await;
    let verified = find_diagnostic(&diagnostics, &text, "verified", &fixed);
    let unsourced = find_diagnostic(&diagnostics, &text, "unsourced", UNSOURCED);
    assert_eq!(
        verified["range"]["start"]["line"],
        unsourced["range"]["start"]["line"]
    );

    // A whole-text change still works.
    text = text.replace("deepen", "build");
    client.replace_all(&uri, 6, &text);
    let diagnostics = client.diagnostics_after(0, &uri, Some(6)).await;
    find_diagnostic(&diagnostics, &text, "drift", DRIFT);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_changes_then_hover_reflects_the_last() {
    let ws = Basic::new();
    let client = TestClient::start(full_capabilities(), Some(&ws.root), Value::Null).await;
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    client.diagnostics_after(0, &ws.draft_uri, Some(1)).await;
    let mut text = ws.draft.clone();
    // Retype the drifting word many times, one notification each, ending on the source's word.
    let version = client.retype(&ws.draft_uri, 1, &mut text, "build", "deepen", 60);
    let hover = client.hover(&ws.draft_uri, find_pos(&text, "deepen")).await;
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("verified"),
        "hover after the last change: {value}"
    );
    let quote = DRIFT.replace("build", "deepen");
    assert_eq!(text_in(&text, &hover["range"]), format!("“{quote}”"));
    let diagnostics = client
        .diagnostics_after(0, &ws.draft_uri, Some(version))
        .await;
    find_diagnostic(&diagnostics, &text, "verified", &quote);
    // No diagnostics were published for a version other than one the client sent, and none after the last.
    for message in client.history() {
        if message["method"] == "textDocument/publishDiagnostics"
            && message["params"]["uri"] == ws.draft_uri
        {
            let v = message["params"]["version"].as_i64().unwrap();
            assert!((1..=version).contains(&v));
        }
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stale_versions_are_ignored() {
    let ws = Basic::new();
    let client = TestClient::start(full_capabilities(), Some(&ws.root), Value::Null).await;
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    client.diagnostics_after(0, &ws.draft_uri, Some(1)).await;
    let fixed = ws.draft.replace("build", "deepen");
    client.replace_all(&ws.draft_uri, 5, &fixed);
    // Late and duplicate versions are dropped.
    client.replace_all(&ws.draft_uri, 3, "nothing quoted here");
    client.replace_all(&ws.draft_uri, 5, "nothing quoted here either");
    let hover = client
        .hover(&ws.draft_uri, find_pos(&fixed, "deepen"))
        .await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("verified"),
        "{hover}"
    );
    let lens = client
        .request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": ws.draft_uri } }),
        )
        .await;
    assert_eq!(
        lens[0]["command"]["title"],
        "3 quotes · 2 verified · 0 drift · 1 unsourced"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input_gets_answers_not_panics() {
    let ws = Basic::new();
    let client = TestClient::start(full_capabilities(), Some(&ws.root), Value::Null).await;
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    client.diagnostics_after(0, &ws.draft_uri, Some(1)).await;
    // A change to a document that is not open, a hover on one, positions far past the end.
    client.change("file:///nowhere/ghost.md", 2, range((0, 0), (0, 1)), "x");
    assert!(client
        .hover("file:///nowhere/ghost.md", pos(0, 0))
        .await
        .is_null());
    assert!(client.hover(&ws.draft_uri, pos(9999, 9999)).await.is_null());
    // An inverted range and a range past the end are clamped, not refused.
    let mut text = ws.draft.clone();
    client.change(&ws.draft_uri, 2, range((4, 55), (4, 50)), "deepen");
    text.replace_range(
        text.find("build").unwrap()..text.find("build").unwrap() + 5,
        "deepen",
    );
    client.change(&ws.draft_uri, 3, range((999, 0), (999, 5)), "\nThe end.");
    text.push_str("\nThe end.");
    let diagnostics = client.diagnostics_after(0, &ws.draft_uri, Some(3)).await;
    find_diagnostic(
        &diagnostics,
        &text,
        "verified",
        &DRIFT.replace("build", "deepen"),
    );
    // Malformed parameters get a JSON-RPC error, and the server keeps serving.
    let response = client
        .request_raw("textDocument/hover", json!({ "textDocument": 7 }))
        .await;
    assert_eq!(response["error"]["code"], -32602, "{response}");
    let hover = client.hover(&ws.draft_uri, find_pos(&text, "deepen")).await;
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("verified"));
    client.shutdown().await;
}
