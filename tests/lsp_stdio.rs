//! End-to-end over the real transport: the built `verbatim lsp --stdio` binary, Content-Length framing on its
//! stdin/stdout, driven by the process client (`tests/support/process.rs`). Nothing but protocol messages may
//! appear on stdout; the process exits 0 after shutdown/exit.
mod common;

use std::time::Duration;

use common::{file_uri, Basic, DRIFT};
use serde_json::json;

#[test]
fn binary_serves_lsp_on_stdio() {
    let ws = Basic::new();
    let mut client = common::process::Client::start_with(&["lsp", "--stdio"], &[]);
    let initialized = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": file_uri(&ws.root), "capabilities": {} }),
    );
    assert_eq!(initialized["result"]["serverInfo"]["name"], "verbatim");
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": ws.draft_uri, "languageId": "markdown", "version": 1, "text": ws.draft } }),
    );
    let published = client
        .wait_within(Duration::from_secs(30), |m| {
            m["method"] == "textDocument/publishDiagnostics"
        })
        .expect("the server published diagnostics in time");
    let diagnostics = published["params"]["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics
            .iter()
            .any(|d| d["code"] == "drift" && common::text_in(&ws.draft, &d["range"]) == DRIFT),
        "{diagnostics:#?}"
    );
    client.assert_clean_stdout();
    // `shutdown`, then `exit`: the process exits 0 promptly even though the client keeps its end of stdin
    // open, and stdout carried only framed JSON.
    client.shutdown();
}
