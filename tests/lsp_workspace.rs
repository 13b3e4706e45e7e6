//! End-to-end: keeping the index fresh (sources changed on disk, reported by the client or by the server's own
//! watcher; open source buffers win) and settings (verbatim.toml, initializationOptions, workspace
//! configuration, invalid values reported once).
mod common;

use common::*;
use serde_json::{json, Value};

async fn ready(capabilities: Value, options: Value) -> (Basic, TestClient) {
    let ws = Basic::new();
    let client = TestClient::start(capabilities, Some(&ws.root), options).await;
    client.open(&ws.draft_uri, "markdown", 1, &ws.draft);
    // Bare clients get no version (they did not declare versionSupport).
    client.diagnostics_after(0, &ws.draft_uri, None).await;
    (ws, client)
}

/// Waits for diagnostics after `mark` in which the drifting quote has `code`.
async fn drift_quote_becomes(
    client: &TestClient,
    ws: &Basic,
    mark: usize,
    code: &str,
) -> Vec<Value> {
    settled_on(client, ws, mark, &format!("the drift quote {code}"), |d| {
        drift_quote(ws, d).is_some_and(|q| q["code"] == code)
    })
    .await
}

/// The diagnostic on the drifting quote (of whatever code).
fn drift_quote<'a>(ws: &Basic, diagnostics: &'a [Value]) -> Option<&'a Value> {
    diagnostics
        .iter()
        .find(|d| d["code"] != "drift-word" && text_in(&ws.draft, &d["range"]) == DRIFT)
}

/// Waits for diagnostics of the draft after `mark` for which `holds` is true (the whole state asserted: a
/// check that began before the change may still be published after the mark, with the state before it).
async fn settled_on(
    client: &TestClient,
    ws: &Basic,
    mark: usize,
    what: &str,
    holds: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    client
        .diagnostics_until(mark, &ws.draft_uri, None, what, holds)
        .await
}

fn rewrite_source(ws: &Basic, from: &str, to: &str) -> String {
    let path = ws.root.join("sources/statement.md");
    let text = std::fs::read_to_string(&path).unwrap().replace(from, to);
    std::fs::write(&path, &text).unwrap();
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn source_changed_on_disk_reported_by_the_client() {
    let (ws, client) = ready(full_capabilities(), Value::Null).await;
    let mark = client.mark();
    rewrite_source(&ws, "deepen mutual", "build mutual");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": ws.source_uri, "type": 2 }] }),
    );
    drift_quote_becomes(&client, &ws, mark, "verified").await;

    // Removed: the quotes it held are unsourced.
    let mark = client.mark();
    std::fs::remove_file(ws.root.join("sources/statement.md")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": ws.source_uri, "type": 3 }] }),
    );
    drift_quote_becomes(&client, &ws, mark, "unsourced").await;

    // Created again.
    let mark = client.mark();
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/lsp/basic/sources/statement.md"),
        ws.root.join("sources/statement.md"),
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": ws.source_uri, "type": 1 }] }),
    );
    drift_quote_becomes(&client, &ws, mark, "drift").await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn source_changed_on_disk_seen_by_the_server_watcher() {
    // This client cannot watch files: the server watches the workspace itself.
    let (ws, client) = ready(bare_capabilities(), Value::Null).await;
    let mark = client.mark();
    rewrite_source(&ws, "deepen mutual", "build mutual");
    drift_quote_becomes(&client, &ws, mark, "verified").await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_open_source_buffer_wins_over_the_file() {
    let (ws, client) = ready(full_capabilities(), Value::Null).await;
    let source = std::fs::read_to_string(ws.root.join("sources/statement.md")).unwrap();
    let mark = client.mark();
    client.open(&ws.source_uri, "markdown", 1, &source);
    client.replace_all(
        &ws.source_uri,
        2,
        &source.replace("deepen mutual", "build mutual"),
    );
    drift_quote_becomes(&client, &ws, mark, "verified").await;
    // The file on disk changes while the buffer is open: the buffer still wins.
    let mark = client.mark();
    rewrite_source(&ws, "deepen mutual", "grow mutual");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": ws.source_uri, "type": 2 }] }),
    );
    client.replace_all(&ws.draft_uri, 2, &ws.draft);
    // The file's change is ignored, so every push for version 2 shows the buffer's wording.
    let diagnostics = client.diagnostics_after(mark, &ws.draft_uri, Some(2)).await;
    find_diagnostic(&diagnostics, &ws.draft, "verified", DRIFT);
    // Closed: the file on disk is the source again.
    let mark = client.mark();
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": ws.source_uri } }),
    );
    drift_quote_becomes(&client, &ws, mark, "drift").await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn configuration_changes_apply_without_restart() {
    let (ws, client) = ready(full_capabilities(), Value::Null).await;
    let mark = client.mark();
    client.set_configuration(json!({ "severity": { "drift": "error", "verified": "off" } }));
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    // Drift raised to an error and verified quotes off: both, in one message.
    let diagnostics = settled_on(&client, &ws, mark, "drift an error, verified off", |d| {
        drift_quote(&ws, d).is_some_and(|q| q["code"] == "drift" && q["severity"] == 1)
            && d.iter().all(|d| d["code"] != "verified")
    })
    .await;
    let drift = find_diagnostic(&diagnostics, &ws.draft, "drift", DRIFT);
    assert_eq!(drift["severity"], 1);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn invalid_settings_are_reported_once_and_defaults_used() {
    let (ws, client) = ready(full_capabilities(), json!({ "min_words": "lots" })).await;
    // The default min_words (4) still finds all three quotes.
    let warning = client
        .wait_for("a warning", |m| {
            m["method"] == "window/showMessage" && m["params"]["type"] == 2
        })
        .await;
    assert!(
        warning["params"]["message"]
            .as_str()
            .unwrap()
            .contains("min_words"),
        "{warning}"
    );
    let mark = client.mark();
    client.set_configuration(json!({ "severity": { "drift": "loud" } }));
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    client
        .wait_for_after(mark, "the warning about `loud`", |m| {
            m["method"] == "window/showMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|w| w.contains("loud"))
        })
        .await;
    // Again, with the same bad value and one visible change: no second message for the same value once the
    // change is seen (settings are applied one change at a time, in order).
    client.set_configuration(json!({ "severity": { "drift": "loud", "verified": "off" } }));
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    let diagnostics = settled_on(&client, &ws, mark, "verified off", |d| {
        drift_quote(&ws, d).is_some() && d.iter().all(|d| d["code"] != "verified")
    })
    .await;
    assert_eq!(
        find_diagnostic(&diagnostics, &ws.draft, "drift", DRIFT)["severity"],
        2,
        "the default"
    );
    // The warning is sent on its own path: wait for it rather than for the diagnostics (on a busy machine it can
    // come after them).
    client
        .wait_for("the warning about \"loud\"", |m| {
            m["method"] == "window/showMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|text| text.contains("loud"))
        })
        .await;
    let warnings: Vec<String> = client
        .history()
        .iter()
        .filter(|m| m["method"] == "window/showMessage")
        .map(|m| m["params"]["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        warnings.iter().filter(|w| w.contains("min_words")).count(),
        1,
        "{warnings:#?}"
    );
    assert_eq!(
        warnings.iter().filter(|w| w.contains("loud")).count(),
        1,
        "{warnings:#?}"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pushed_settings_for_clients_without_workspace_configuration() {
    let (ws, client) = ready(
        bare_capabilities(),
        json!({ "severity": { "unsourced": "off" } }),
    )
    .await;
    let first = client.diagnostics_after(0, &ws.draft_uri, None).await;
    assert!(
        first.iter().all(|d| d["code"] != "unsourced"),
        "initializationOptions apply"
    );
    let mark = client.mark();
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "verbatim": { "severity": { "drift": "error" } } } }),
    );
    // Wait for the state asserted (a check begun before the change may still publish the old severity after
    // the mark): drift an error, with the initializationOptions still applied.
    let diagnostics = settled_on(&client, &ws, mark, "drift an error", |d| {
        drift_quote(&ws, d).is_some_and(|q| q["code"] == "drift" && q["severity"] == 1)
    })
    .await;
    assert!(
        diagnostics.iter().all(|d| d["code"] != "unsourced"),
        "initializationOptions still apply"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn verbatim_toml_changes_are_applied() {
    let (ws, client) = ready(full_capabilities(), Value::Null).await;
    let mark = client.mark();
    std::fs::write(
        ws.root.join("verbatim.toml"),
        "[severity]\ndrift = \"error\"\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(&ws.root.join("verbatim.toml")), "type": 1 }] }),
    );
    settled_on(&client, &ws, mark, "drift an error", |d| {
        drift_quote(&ws, d).is_some_and(|q| q["code"] == "drift" && q["severity"] == 1)
    })
    .await;
    // Moving the sources elsewhere re-indexes: nothing is sourced any more.
    let mark = client.mark();
    std::fs::write(
        ws.root.join("verbatim.toml"),
        "sources = [\"elsewhere/**/*.md\"]\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(&ws.root.join("verbatim.toml")), "type": 2 }] }),
    );
    drift_quote_becomes(&client, &ws, mark, "unsourced").await;
    client.shutdown().await;
}
