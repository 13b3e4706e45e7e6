//! End-to-end: initialize → background indexing with progress → diagnostics, and capability negotiation for
//! capable and bare clients, multi-root workspaces and files opened without a workspace.
mod common;

use common::*;
use serde_json::{json, Value};

fn position_of(history: &[Value], matches: impl Fn(&Value) -> bool) -> usize {
    history.iter().position(matches).expect("message not found")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn initialize_progress_then_diagnostics() {
    let ws = Basic::new();
    let client = TestClient::start(full_capabilities(), Some(&ws.root), Value::Null).await;
    let caps = &client.initialize_result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["definitionProvider"], true);
    assert!(caps["codeActionProvider"].is_object());
    assert!(
        caps["codeLensProvider"].is_object(),
        "the client has textDocument.codeLens"
    );
    assert!(
        caps.get("diagnosticProvider").is_none(),
        "the client does not pull diagnostics"
    );
    assert_eq!(client.initialize_result["serverInfo"]["name"], "verbatim");

    // Opened while the sources are still being indexed.
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);

    let create = client
        .wait_for("workDoneProgress/create", |m| {
            m["method"] == "window/workDoneProgress/create"
        })
        .await;
    let token = create["params"]["token"].clone();
    let begin = client
        .wait_for("progress begin", |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin"
        })
        .await;
    assert_eq!(begin["params"]["token"], token);
    assert!(begin["params"]["value"]["title"]
        .as_str()
        .unwrap()
        .contains("Indexing"));
    let end = client
        .wait_for("progress end", |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
        })
        .await;
    assert_eq!(end["params"]["token"], token);
    assert!(end["params"]["value"]["message"]
        .as_str()
        .unwrap()
        .starts_with("2 sources"));

    let diagnostics = client.diagnostics_after(0, &ws.draft_uri, Some(1)).await;
    let history = client.history();
    let end_at = position_of(&history, |m| {
        m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
    });
    let diagnostics_at = position_of(&history, |m| {
        m["method"] == "textDocument/publishDiagnostics"
    });
    assert!(
        end_at < diagnostics_at,
        "diagnostics come once the index is ready"
    );

    let verified = find_diagnostic(&diagnostics, &ws.draft, "verified", VERIFIED);
    assert_eq!(verified["severity"], 4, "verified is a hint by default");
    assert_eq!(verified["source"], "verbatim");
    assert_eq!(verified["data"]["source_uri"], ws.source_uri);
    let related = &verified["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], ws.source_uri);

    let drift = find_diagnostic(&diagnostics, &ws.draft, "drift", DRIFT);
    assert_eq!(drift["severity"], 2, "drift is a warning by default");
    let message = drift["message"].as_str().unwrap();
    assert!(
        message.contains("build") && message.contains("deepen"),
        "names the differing words: {message}"
    );
    assert_eq!(drift["data"]["source_uri"], ws.source_uri);
    let word = find_diagnostic(&diagnostics, &ws.draft, "drift-word", "build");
    assert_eq!(word["severity"], 4);

    let unsourced = find_diagnostic(&diagnostics, &ws.draft, "unsourced", UNSOURCED);
    assert_eq!(
        unsourced["severity"], 3,
        "unsourced is information by default"
    );
    assert!(unsourced
        .get("relatedInformation")
        .is_none_or(Value::is_null));

    // The client watches the source globs and verbatim.toml for the server.
    let registration = client
        .wait_for("watcher registration", |m| {
            m["method"] == "client/registerCapability"
                && m["params"]["registrations"][0]["method"] == "workspace/didChangeWatchedFiles"
        })
        .await;
    let watchers = registration["params"]["registrations"][0]["registerOptions"]["watchers"]
        .as_array()
        .unwrap();
    let patterns: Vec<&Value> = watchers.iter().map(|w| &w["globPattern"]).collect();
    assert!(
        patterns.iter().any(|p| p["pattern"] == "verbatim.toml"),
        "{patterns:?}"
    );
    assert!(
        patterns.iter().all(|p| p["baseUri"] == file_uri(&ws.root)),
        "{patterns:?}"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bare_client_gets_only_what_it_declared() {
    let ws = Basic::new();
    let client = TestClient::start(bare_capabilities(), Some(&ws.root), Value::Null).await;
    let caps = &client.initialize_result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert!(caps.get("codeLensProvider").is_none());
    assert!(caps.get("diagnosticProvider").is_none());
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    let diagnostics = client.diagnostics_after(0, &ws.draft_uri, None).await;
    let drift = find_diagnostic(&diagnostics, &ws.draft, "drift", DRIFT);
    assert!(
        drift.get("relatedInformation").is_none(),
        "no relatedInformation without the capability"
    );
    let hover = client
        .hover(&ws.draft_uri, find_pos(&ws.draft, "build"))
        .await;
    assert_eq!(hover["contents"]["kind"], "plaintext");
    let definition = client
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": ws.draft_uri }, "position": find_pos(&ws.draft, "build") }),
        )
        .await;
    assert_eq!(
        definition["uri"], ws.source_uri,
        "a Location, not a LocationLink: {definition}"
    );
    for message in client.history() {
        let method = message["method"].as_str().unwrap_or_default();
        assert!(
            ![
                "$/progress",
                "window/workDoneProgress/create",
                "client/registerCapability",
                "workspace/configuration"
            ]
            .contains(&method),
            "sent {method} to a client that did not declare it"
        );
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn utf8_positions_when_offered() {
    let ws = Basic::new();
    let mut capabilities = full_capabilities();
    capabilities["general"]["positionEncodings"] = json!(["utf-16", "utf-8"]);
    let client = TestClient::start(capabilities, Some(&ws.root), Value::Null).await;
    assert_eq!(
        client.initialize_result["capabilities"]["positionEncoding"],
        "utf-8"
    );
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    let diagnostics = client.diagnostics_after(0, &ws.draft_uri, Some(1)).await;
    let drift = diagnostics
        .iter()
        .find(|d| d["code"] == "drift")
        .expect("a drift");
    let start = ws.draft.find(DRIFT).unwrap();
    let line_start = ws.draft[..start].rfind('\n').unwrap() + 1;
    assert_eq!(
        drift["range"]["start"]["character"],
        start - line_start,
        "byte columns"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn file_opened_without_a_workspace() {
    let ws = Basic::new();
    let client = TestClient::start_with_folders(full_capabilities(), None, Value::Null).await;
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    let diagnostics = client.diagnostics_after(0, &ws.draft_uri, Some(1)).await;
    find_diagnostic(&diagnostics, &ws.draft, "verified", VERIFIED);
    find_diagnostic(&diagnostics, &ws.draft, "drift", DRIFT);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn untitled_draft_is_checked_against_the_first_folder() {
    let ws = Basic::new();
    let client = TestClient::start(full_capabilities(), Some(&ws.root), Value::Null).await;
    client.open("untitled:Untitled-1", "markdown", 1, &ws.draft);
    let diagnostics = client
        .diagnostics_after(0, "untitled:Untitled-1", Some(1))
        .await;
    find_diagnostic(&diagnostics, &ws.draft, "verified", VERIFIED);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_root_of_a_multi_root_workspace_has_its_own_sources() {
    let first = Basic::new();
    let second = Basic::new();
    // In the second root, the source has the draft's wording: the quote that drifts in the first verifies.
    let source = second.root.join("sources/statement.md");
    let text = std::fs::read_to_string(&source)
        .unwrap()
        .replace("deepen mutual", "build mutual");
    std::fs::write(&source, text).unwrap();
    let folders = vec![
        json!({ "uri": file_uri(&first.root), "name": "first" }),
        json!({ "uri": file_uri(&second.root), "name": "second" }),
    ];
    let client =
        TestClient::start_with_folders(full_capabilities(), Some(folders), Value::Null).await;
    client.open(&first.draft_uri, "markdown", 1, &first.draft);
    client.open(&second.draft_uri, "markdown", 1, &second.draft);
    let one = client.diagnostics_after(0, &first.draft_uri, Some(1)).await;
    let two = client
        .diagnostics_after(0, &second.draft_uri, Some(1))
        .await;
    find_diagnostic(&one, &first.draft, "drift", DRIFT);
    let verified = find_diagnostic(&two, &second.draft, "verified", DRIFT);
    assert_eq!(verified["data"]["source_uri"], second.source_uri);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workspace_folders_added_later_are_indexed() {
    let first = Basic::new();
    let second = Basic::new();
    let client = TestClient::start(full_capabilities(), Some(&first.root), Value::Null).await;
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": { "added": [{ "uri": file_uri(&second.root), "name": "second" }], "removed": [] } }),
    );
    client.open(&second.draft_uri, "markdown", 1, &second.draft);
    let diagnostics = client
        .diagnostics_after(0, &second.draft_uri, Some(1))
        .await;
    let drift = find_diagnostic(&diagnostics, &second.draft, "drift", DRIFT);
    assert_eq!(
        drift["data"]["source_uri"], second.source_uri,
        "checked against its own folder's sources"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn plain_text_drafts_are_checked() {
    let ws = Basic::new();
    let path = ws.root.join("drafts/script.txt");
    let text = format!("HOST: They urged states to \"{DRIFT}\".\n");
    std::fs::write(&path, &text).unwrap();
    let client = TestClient::start(full_capabilities(), Some(&ws.root), Value::Null).await;
    let uri = file_uri(&path);
    client.open(&uri, "plaintext", 1, &text);
    let diagnostics = client.diagnostics_after(0, &uri, Some(1)).await;
    find_diagnostic(&diagnostics, &text, "drift", DRIFT);
    client.shutdown().await;
}
