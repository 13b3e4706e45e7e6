//! End-to-end: a folder whose `archive.url` names a shared archive (a real PostgreSQL this test starts) shows
//! the archive's verdicts in the editor once it answers, with no source in the workspace; an unreachable
//! archive costs one warning and leaves the local verdicts.
mod common;
#[path = "support/postgres.rs"]
mod postgres;

use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::{json, Value};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The basic LSP fixture with its sources moved into an archive, and `archive.url` pointing at it.
fn workspace_with_archive(database: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let cluster = postgres::cluster();
    let url = cluster.database(database);
    let verbatim = env!("CARGO_BIN_EXE_verbatim");
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lsp/basic/sources");
    for args in [
        vec!["archive", "init", "--url", &url],
        vec![
            "archive",
            "ingest",
            "--plain",
            "--url",
            &url,
            sources.to_str().unwrap(),
        ],
    ] {
        let output = Command::new(verbatim)
            .args(&args)
            .env_remove("VERBATIM_ARCHIVE_URL")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let (dir, root) = copy_fixture("fixtures/lsp/basic");
    std::fs::remove_dir_all(root.join("sources")).unwrap();
    std::fs::write(
        root.join("verbatim.toml"),
        format!("sources = [\"sources/**/*.md\"]\n[archive]\nurl = \"{url}\"\n"),
    )
    .unwrap();
    (dir, root)
}

fn codes_of(message: &Value, text: &str) -> Vec<(String, String)> {
    message["params"]["diagnostics"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|d| {
                    (
                        d["code"].as_str().unwrap_or("").to_string(),
                        text_in(text, &d["range"]).to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_archive_refines_the_local_verdicts() {
    std::env::remove_var("VERBATIM_ARCHIVE_URL");
    let (_dir, root) = workspace_with_archive("lsp_archive_refines");
    runtime().block_on(async {
        let client = TestClient::start(full_capabilities(), Some(&root), json!({})).await;
        let draft_path = root.join("drafts/draft.md");
        let draft = std::fs::read_to_string(&draft_path).unwrap();
        let uri = file_uri(&draft_path);
        client.open(&uri, "markdown", 1, &draft);
        // Wait for the state asserted: the archive's verdicts (the local check alone says unsourced).
        let message = client
            .wait_for("the draft's diagnostics with the archive's verdicts", |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri.as_str()
                    && {
                        let codes = codes_of(m, &draft);
                        codes.contains(&("verified".to_string(), VERIFIED.to_string()))
                            && codes.contains(&("drift".to_string(), DRIFT.to_string()))
                    }
            })
            .await;
        let diagnostics = message["params"]["diagnostics"].as_array().unwrap().clone();
        let verified = find_diagnostic(&diagnostics, &draft, "verified", VERIFIED);
        assert_eq!(verified["source"], "verbatim");
        let hover = client
            .hover(&uri, find_pos(&draft, "further expansion"))
            .await;
        let shown = hover["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            shown.contains("archive:sources/"),
            "the hover names the archived article: {shown}"
        );
        client.shutdown().await;
    });
}

/// A draft with no quotation: prose typed into it that repeats an archived article is reported as uncredited
/// copying once the archive answers (the edited paragraph's windows are asked about), with the article named.
#[test]
fn copying_typed_from_an_archived_article_is_found() {
    std::env::remove_var("VERBATIM_ARCHIVE_URL");
    let (_dir, root) = workspace_with_archive("lsp_archive_copying");
    runtime().block_on(async {
        let client = TestClient::start(full_capabilities(), Some(&root), json!({})).await;
        let draft_path = root.join("drafts/own-words.md");
        let mut draft = "# Summit\n\nThe talks were long. COPY\n\nMore later.\n".to_string();
        std::fs::write(&draft_path, &draft).unwrap();
        let uri = file_uri(&draft_path);
        client.open(&uri, "markdown", 1, &draft);
        let diagnostics = client.diagnostics_after(0, &uri, Some(1)).await;
        assert!(
            diagnostics.iter().all(|d| d["code"] != "uncredited"),
            "{diagnostics:#?}"
        );
        let copied = "They call on all states to strengthen dialogue and deepen mutual trust between all nations.";
        let mark = client.mark();
        client.edit(&uri, 2, &mut draft, "COPY", copied);
        let diagnostics = client
            .diagnostics_until(mark, &uri, Some(2), "uncredited copying", |d| {
                d.iter().any(|d| d["code"] == "uncredited")
            })
            .await;
        let finding = diagnostics
            .iter()
            .find(|d| d["code"] == "uncredited")
            .unwrap();
        let range = text_in(&draft, &finding["range"]);
        assert!(
            range.starts_with("They call on all states") && range.contains("mutual trust between all nations"),
            "the range is the copied words: {range:?}"
        );
        assert_eq!(
            finding["data"]["source_title"],
            "Joint statement on international relations"
        );
        assert_eq!(finding["data"]["source_uri"], "https://example.org/statement");
        client.shutdown().await;
    });
}

#[test]
fn an_unreachable_archive_warns_once_and_keeps_local_verdicts() {
    std::env::remove_var("VERBATIM_ARCHIVE_URL");
    let (_dir, root) = copy_fixture("fixtures/lsp/basic");
    let nowhere = root.join("no-server");
    std::fs::create_dir_all(&nowhere).unwrap();
    std::fs::write(
        root.join("verbatim.toml"),
        format!(
            "[archive]\nurl = \"host={} user=nobody dbname=none connect_timeout=2\"\n",
            nowhere.display()
        ),
    )
    .unwrap();
    runtime().block_on(async {
        let client = TestClient::start(full_capabilities(), Some(&root), json!({})).await;
        let draft_path = root.join("drafts/draft.md");
        let draft = std::fs::read_to_string(&draft_path).unwrap();
        let uri = file_uri(&draft_path);
        client.open(&uri, "markdown", 1, &draft);
        let message = client
            .wait_for("the local verdicts", |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri.as_str()
                    && codes_of(m, &draft).contains(&("verified".to_string(), VERIFIED.to_string()))
            })
            .await;
        assert!(!codes_of(&message, &draft).is_empty());
        let warning = client
            .wait_for("one warning about the archive", |m| {
                m["method"] == "window/showMessage"
                    && m["params"]["message"]
                        .as_str()
                        .is_some_and(|t| t.contains("archive could not be used"))
            })
            .await;
        assert_eq!(warning["params"]["type"], 2, "a warning");
        // Edits go on being checked locally, without a second warning for the same outage.
        let mark = client.mark();
        let mut text = draft.clone();
        client.edit(&uri, 2, &mut text, "mutual trust", "mutual respect");
        client.diagnostics_after(mark, &uri, Some(2)).await;
        let warnings = client
            .history()
            .iter()
            .filter(|m| {
                m["method"] == "window/showMessage"
                    && m["params"]["message"]
                        .as_str()
                        .is_some_and(|t| t.contains("archive could not be used"))
            })
            .count();
        assert_eq!(warnings, 1);
        client.shutdown().await;
    });
}
