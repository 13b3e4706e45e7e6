//! End-to-end: hover, definition, each code action applied and re-checked, code lens, pull diagnostics.
mod common;

use common::*;
use serde_json::{json, Value};

async fn ready(capabilities: Value, options: Value) -> (Basic, TestClient) {
    let ws = Basic::new();
    let client = TestClient::start(capabilities, Some(&ws.root), options).await;
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    client.diagnostics_after(0, &ws.draft_uri, Some(1)).await;
    (ws, client)
}

/// The code actions offered at the start of `needle`.
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
async fn hover_explains_the_verdict() {
    let (ws, client) = ready(full_capabilities(), Value::Null).await;
    let hover = client
        .hover(&ws.draft_uri, find_pos(&ws.draft, "mutual"))
        .await;
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert_eq!(text_in(&ws.draft, &hover["range"]), format!("“{DRIFT}”"));
    let value = hover["contents"]["value"].as_str().unwrap();
    for expected in [
        "drift",
        "~~deepen~~",
        "**build**",
        "They call on all states",
        "The parties oppose",
        "The meeting ended in the evening.",
        "Joint statement on international relations",
        "4 Feb 2022",
        "sources/statement.md:9",
    ] {
        assert!(
            value.contains(expected),
            "hover lacks {expected:?}:\n{value}"
        );
    }
    // On the opening mark too.
    let hover = client
        .hover(&ws.draft_uri, find_pos(&ws.draft, "“strengthen"))
        .await;
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("drift"));
    // Outside any quote: nothing.
    let hover = client
        .hover(&ws.draft_uri, find_pos(&ws.draft, "Later"))
        .await;
    assert!(hover.is_null());
    let hover = client
        .hover(&ws.draft_uri, find_pos(&ws.draft, "moon"))
        .await;
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("unsourced"));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn definition_goes_to_the_passage() {
    let (ws, client) = ready(full_capabilities(), Value::Null).await;
    let source = std::fs::read_to_string(ws.root.join("sources/statement.md")).unwrap();
    let result = client
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": ws.draft_uri }, "position": find_pos(&ws.draft, "mutual") }),
        )
        .await;
    let link = &result[0];
    assert_eq!(link["targetUri"], ws.source_uri);
    assert_eq!(
        text_in(&source, &link["targetSelectionRange"]),
        DRIFT.replace("build", "deepen")
    );
    assert!(text_in(&source, &link["targetRange"]).starts_with("They call on all states"));
    assert_eq!(text_in(&ws.draft, &link["originSelectionRange"]), DRIFT);
    // An unsourced quote has nowhere to go.
    let result = client
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": ws.draft_uri }, "position": find_pos(&ws.draft, "moon") }),
        )
        .await;
    assert!(result.is_null());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_code_action_applied_and_rechecked() {
    let (ws, client) = ready(full_capabilities(), Value::Null).await;
    let uri = ws.draft_uri.clone();

    // Replace with source wording: the quote verifies.
    let actions = actions_at(&client, &uri, &ws.draft, "build").await;
    let replace = titled(&actions, "Replace with source wording");
    assert_eq!(replace["kind"], "quickfix");
    assert!(replace.get("command").is_none(), "edits, not commands");
    assert_eq!(
        replace["edit"]["documentChanges"][0]["textDocument"]["version"],
        1
    );
    let text = apply_edits(&ws.draft, &action_edits(replace, &uri));
    client.replace_all(&uri, 2, &text);
    let fixed = DRIFT.replace("build", "deepen");
    let diagnostics = client.diagnostics_after(0, &uri, Some(2)).await;
    find_diagnostic(&diagnostics, &text, "verified", &fixed);
    assert!(diagnostics.iter().all(|d| d["code"] != "drift"));

    // Insert attribution: right after the closing mark, naming the source's title and date.
    let actions = actions_at(&client, &uri, &text, "deepen").await;
    let attribute = titled(&actions, "Insert attribution");
    assert_eq!(
        attribute["edit"]["documentChanges"][0]["textDocument"]["version"],
        2
    );
    let text = apply_edits(&text, &action_edits(attribute, &uri));
    assert!(
        text.contains(&format!(
            "“{fixed}” (Joint statement on international relations, 4 Feb 2022)"
        )),
        "{text}"
    );
    client.replace_all(&uri, 3, &text);
    let diagnostics = client.diagnostics_after(0, &uri, Some(3)).await;
    find_diagnostic(&diagnostics, &text, "verified", &fixed);

    // Ignore this quote: the marker goes before the opening mark and the quote is no longer reported.
    let actions = actions_at(&client, &uri, &text, "moon").await;
    assert!(
        actions.iter().all(|a| a["title"] != "Insert attribution"),
        "unsourced quotes have no source"
    );
    let ignore = titled(&actions, "Ignore this quote");
    let text = apply_edits(&text, &action_edits(ignore, &uri));
    assert!(
        text.contains(&format!("<!-- verbatim-ignore --> “{UNSOURCED}”")),
        "{text}"
    );
    client.replace_all(&uri, 4, &text);
    let diagnostics = client.diagnostics_after(0, &uri, Some(4)).await;
    assert!(
        diagnostics.iter().all(|d| d["code"] != "unsourced"),
        "{diagnostics:#?}"
    );
    let lens = client
        .request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": uri } }),
        )
        .await;
    let title = lens[0]["command"]["title"].as_str().unwrap();
    // The engine may or may not report ignored quotes; the lens counts them apart when it does.
    assert!(
        title.starts_with("2 quotes · 2 verified · 0 drift · 0 unsourced"),
        "{title}"
    );
    // The server never wrote to the draft on its own.
    assert_eq!(
        std::fs::read_to_string(ws.root.join("drafts/draft.md")).unwrap(),
        ws.draft
    );
    assert!(client
        .history()
        .iter()
        .all(|m| m["method"] != "workspace/applyEdit"));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn plain_changes_without_document_changes_support() {
    let mut capabilities = full_capabilities();
    capabilities["workspace"]["workspaceEdit"]["documentChanges"] = json!(false);
    let (ws, client) = ready(capabilities, Value::Null).await;
    let actions = actions_at(&client, &ws.draft_uri, &ws.draft, "build").await;
    let replace = titled(&actions, "Replace with source wording");
    assert!(replace["edit"].get("documentChanges").is_none());
    let edits = action_edits(replace, &ws.draft_uri);
    assert_eq!(edits.len(), 1);
    assert!(apply_edits(&ws.draft, &edits).contains(&DRIFT.replace("build", "deepen")));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn attribution_as_link_or_footnote() {
    let (ws, client) = ready(
        full_capabilities(),
        json!({ "attribution": { "style": "link" } }),
    )
    .await;
    let actions = actions_at(&client, &ws.draft_uri, &ws.draft, "NATO").await;
    let text = apply_edits(
        &ws.draft,
        &action_edits(titled(&actions, "Insert attribution"), &ws.draft_uri),
    );
    assert!(
        text.contains("approaches.” ([Joint statement on international relations](https://example.org/statement), 4 Feb 2022)"),
        "{text}"
    );
    client.shutdown().await;

    let (ws, client) = ready(
        full_capabilities(),
        json!({ "attribution": { "style": "footnote" } }),
    )
    .await;
    let actions = actions_at(&client, &ws.draft_uri, &ws.draft, "NATO").await;
    let text = apply_edits(
        &ws.draft,
        &action_edits(titled(&actions, "Insert attribution"), &ws.draft_uri),
    );
    assert!(text.contains("approaches.”[^1]"), "{text}");
    assert!(
        text.ends_with("\n[^1]: Joint statement on international relations, 4 Feb 2022\n"),
        "{text}"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn code_lens_summarizes_the_draft() {
    let (ws, client) = ready(full_capabilities(), Value::Null).await;
    let lens = client
        .request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": ws.draft_uri } }),
        )
        .await;
    assert_eq!(lens.as_array().unwrap().len(), 1);
    assert_eq!(lens[0]["range"]["start"], pos(0, 0));
    assert_eq!(
        lens[0]["command"]["title"],
        "3 quotes · 1 verified · 1 drift · 1 unsourced"
    );
    client.shutdown().await;

    let (ws, client) = ready(full_capabilities(), json!({ "code_lens": false })).await;
    let lens = client
        .request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": ws.draft_uri } }),
        )
        .await;
    assert!(lens.is_null(), "{lens}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pull_diagnostics_for_clients_that_prefer_them() {
    let ws = Basic::new();
    let mut capabilities = full_capabilities();
    capabilities["textDocument"]["diagnostic"] = json!({ "dynamicRegistration": false });
    capabilities["workspace"]["diagnostics"] = json!({ "refreshSupport": true });
    let client = TestClient::start(capabilities, Some(&ws.root), Value::Null).await;
    assert_eq!(
        client.initialize_result["capabilities"]["diagnosticProvider"]["identifier"],
        "verbatim"
    );
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    // Once the sources are indexed, the server asks the client to pull again.
    client
        .wait_for("diagnostic refresh", |m| {
            m["method"] == "workspace/diagnostic/refresh"
        })
        .await;
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": ws.draft_uri } }),
        )
        .await;
    assert_eq!(report["kind"], "full");
    let items = report["items"].as_array().unwrap();
    find_diagnostic(items, &ws.draft, "verified", VERIFIED);
    find_diagnostic(items, &ws.draft, "drift", DRIFT);
    find_diagnostic(items, &ws.draft, "unsourced", UNSOURCED);
    // Pulled after an edit: reflects it at once.
    let text = ws.draft.replace("build", "deepen");
    client.replace_all(&ws.draft_uri, 2, &text);
    let report = client
        .request(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": ws.draft_uri } }),
        )
        .await;
    find_diagnostic(
        report["items"].as_array().unwrap(),
        &text,
        "verified",
        &DRIFT.replace("build", "deepen"),
    );
    assert!(
        client
            .history()
            .iter()
            .all(|m| m["method"] != "textDocument/publishDiagnostics"),
        "no push for a pulling client"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hover_lists_other_sources_with_the_quote() {
    let ws = Basic::new();
    std::fs::write(
        ws.root.join("sources/copy.md"),
        "---\ntitle: \"A copy of the statement\"\n---\n\nIt said: The parties oppose the further expansion of NATO \
         and call for the North Atlantic Alliance to refrain from ideological approaches.\n",
    )
    .unwrap();
    let client = TestClient::start(full_capabilities(), Some(&ws.root), Value::Null).await;
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    client.diagnostics_after(0, &ws.draft_uri, Some(1)).await;
    let hover = client
        .hover(&ws.draft_uri, find_pos(&ws.draft, "NATO"))
        .await;
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("verified"), "{value}");
    assert!(value.contains("Also in:"), "{value}");
    assert!(
        value.contains("sources/copy.md") && value.contains("sources/statement.md"),
        "{value}"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn excluded_files_and_sources_are_not_checked_as_drafts() {
    let (ws, client) = ready(full_capabilities(), Value::Null).await;
    let readme = file_uri(&ws.root.join("README.md"));
    client.open(&readme, "markdown", 1, &ws.draft);
    let source = std::fs::read_to_string(ws.root.join("sources/statement.md")).unwrap();
    client.open(&ws.source_uri, "markdown", 1, &source);
    // A request on each answers nothing, and no diagnostics are published for them.
    assert!(client
        .hover(&readme, find_pos(&ws.draft, "NATO"))
        .await
        .is_null());
    assert!(client.hover(&ws.source_uri, pos(8, 10)).await.is_null());
    client.replace_all(&ws.draft_uri, 2, &ws.draft);
    client.diagnostics_after(0, &ws.draft_uri, Some(2)).await;
    assert!(client
        .history()
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .all(|m| m["params"]["uri"] == ws.draft_uri));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pull_capable_client_without_refresh_gets_pushed_diagnostics() {
    let ws = Basic::new();
    let mut capabilities = full_capabilities();
    capabilities["textDocument"]["diagnostic"] = json!({ "dynamicRegistration": false });
    let client = TestClient::start(capabilities, Some(&ws.root), Value::Null).await;
    assert!(client.initialize_result["capabilities"]
        .get("diagnosticProvider")
        .is_none());
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    let diagnostics = client.diagnostics_after(0, &ws.draft_uri, Some(1)).await;
    find_diagnostic(&diagnostics, &ws.draft, "drift", DRIFT);
    client.shutdown().await;
}
