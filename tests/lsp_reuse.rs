//! End-to-end: uncredited copying over a real transport — the diagnostic over the copied stretch, the hover with
//! the source passage side by side, "Quote and credit" and "Credit source" applied and re-checked, settings.
mod common;

use common::*;
use serde_json::{json, Value};

/// The copied sentence of `fixtures/cases/reuse_copied_sentence/drafts/story.md`, without its full stop.
const COPIED: &str =
    "The West points to reports of a troop buildup near the common border, as well as \
                      large-scale joint military exercises taking place in neighboring Belarus";
const TITLE: &str = "Xi and Putin oppose NATO expansion";

struct Reuse {
    _dir: tempfile::TempDir,
    uri: String,
    draft: String,
    source_uri: String,
    client: TestClient,
}

async fn ready(options: Value) -> Reuse {
    let (dir, root) = copy_fixture("fixtures/cases/reuse_copied_sentence");
    let path = root.join("drafts/story.md");
    let draft = std::fs::read_to_string(&path).unwrap();
    let uri = file_uri(&path);
    let client = TestClient::start(full_capabilities(), Some(&root), options).await;
    client.open(&uri, "markdown", 1, &draft);
    Reuse {
        _dir: dir,
        uri,
        draft,
        source_uri: file_uri(&root.join("sources/wire-xi-putin.md")),
        client,
    }
}

async fn actions_at(client: &TestClient, uri: &str, text: &str, needle: &str) -> Vec<Value> {
    let at = find_pos(text, needle);
    let result = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": { "start": at, "end": at },
                "context": { "diagnostics": [] }
            }),
        )
        .await;
    result.as_array().cloned().unwrap_or_default()
}

fn titled<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no {title:?} in {actions:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uncredited_diagnostic_hover_and_fixes() {
    let ws = ready(Value::Null).await;
    let (client, uri) = (&ws.client, ws.uri.as_str());
    let diagnostics = client.diagnostics_after(0, uri, Some(1)).await;
    let found = find_diagnostic(&diagnostics, &ws.draft, "uncredited", COPIED);
    assert_eq!(found["severity"], 2, "warning by default: {found:#}");
    assert_eq!(found["source"], "verbatim");
    assert_eq!(found["data"]["source_uri"], ws.source_uri.as_str());
    let message = found["message"].as_str().unwrap();
    assert!(
        message.contains(TITLE) && message.contains("word for word"),
        "{message}"
    );
    let related = &found["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], ws.source_uri.as_str());
    let source_text =
        std::fs::read_to_string(ws._dir.path().join("ws/sources/wire-xi-putin.md")).unwrap();
    assert_eq!(
        text_in(&source_text, &related["location"]["range"]),
        COPIED,
        "the related location is the source passage"
    );
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");

    // Hover: the draft's words and the source's, side by side.
    let hover = client
        .hover(uri, find_pos(&ws.draft, "troop buildup"))
        .await;
    assert_eq!(text_in(&ws.draft, &hover["range"]), COPIED);
    let value = hover["contents"]["value"].as_str().unwrap();
    for expected in [
        "uncredited",
        "| your draft | the source |",
        "neighboring Belarus |",
        TITLE,
        "sources/wire-xi-putin.md:10",
    ] {
        assert!(
            value.contains(expected),
            "hover lacks {expected:?}:\n{value}"
        );
    }

    // Quote and credit: marks around the stretch, the attribution after them; the quote then verifies.
    let actions = actions_at(client, uri, &ws.draft, "troop buildup").await;
    assert!(actions.iter().all(|a| a["title"] != "Ignore this quote"));
    let quote = titled(&actions, "Quote and credit");
    assert_eq!(quote["kind"], "quickfix");
    assert!(quote.get("command").is_none(), "edits, not commands");
    let text = apply_edits(&ws.draft, &action_edits(quote, uri));
    assert_eq!(
        text,
        ws.draft
            .replace(COPIED, &format!("“{COPIED}” ({TITLE}, 4 Feb 2022)"))
    );
    client.replace_all(uri, 2, &text);
    let diagnostics = client.diagnostics_after(0, uri, Some(2)).await;
    find_diagnostic(&diagnostics, &text, "verified", COPIED);
    assert!(
        diagnostics.iter().all(|d| d["code"] != "uncredited"),
        "{diagnostics:#?}"
    );

    // Credit source: the attribution alone, after which the stretch is credited.
    client.replace_all(uri, 3, &ws.draft);
    client.diagnostics_after(0, uri, Some(3)).await;
    let actions = actions_at(client, uri, &ws.draft, "troop buildup").await;
    let credit = titled(&actions, "Credit source");
    let text = apply_edits(&ws.draft, &action_edits(credit, uri));
    assert_eq!(
        text,
        ws.draft
            .replace(COPIED, &format!("{COPIED} ({TITLE}, 4 Feb 2022)"))
    );
    client.replace_all(uri, 4, &text);
    let diagnostics = client.diagnostics_after(0, uri, Some(4)).await;
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");

    // Copying again in a new paragraph is found again (the per-paragraph cache keeps the rest).
    let text = format!(
        "{text}\nMoscow has consistently denied that it has any aggressive intentions and has called for \
         written security guarantees.\n"
    );
    client.replace_all(uri, 5, &text);
    let diagnostics = client.diagnostics_after(0, uri, Some(5)).await;
    find_diagnostic(
        &diagnostics,
        &text,
        "uncredited",
        "Moscow has consistently denied that it has any aggressive intentions and has called for written \
         security guarantees",
    );
    let lens = client
        .request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": uri } }),
        )
        .await;
    let title = lens[0]["command"]["title"].as_str().unwrap();
    assert!(title.contains("1 uncredited"), "{title}");
    ws.client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reuse_settings_apply() {
    let ws = ready(json!({ "severity": { "uncredited": "information" } })).await;
    let diagnostics = ws.client.diagnostics_after(0, &ws.uri, Some(1)).await;
    let found = find_diagnostic(&diagnostics, &ws.draft, "uncredited", COPIED);
    assert_eq!(found["severity"], 3, "{found:#}");
    ws.client.shutdown().await;

    let ws = ready(json!({ "reuse": { "enabled": false } })).await;
    let diagnostics = ws.client.diagnostics_after(0, &ws.uri, Some(1)).await;
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    ws.client.shutdown().await;

    let ws = ready(json!({ "reuse": { "min_words": 30 } })).await;
    let diagnostics = ws.client.diagnostics_after(0, &ws.uri, Some(1)).await;
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    ws.client.shutdown().await;
}
