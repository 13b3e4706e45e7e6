//! End-to-end on the demo newsroom (`fixtures/demo`): the server's diagnostics agree with the engine's findings
//! for every draft, and hover, definition and code actions answer on every quote without an error.
mod common;

use common::*;
use serde_json::{json, Value};
use verbatim::engine::{Corpus, TextFormat};
use verbatim::workspace::Workspace;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn demo_workspace_agrees_with_the_engine() {
    let (_dir, root) = copy_fixture("fixtures/demo");
    let workspace = Workspace::open(&root);
    let mut corpus = Corpus::new();
    workspace.load_sources(&mut corpus, &workspace.discover_sources(), &|_, _| {});
    let client = TestClient::start(full_capabilities(), Some(&root), Value::Null).await;
    let drafts = workspace.discover_drafts();
    assert!(drafts.len() >= 3, "{drafts:?}");
    for path in drafts {
        let text = std::fs::read_to_string(&path).unwrap();
        let uri = file_uri(&path);
        let format = TextFormat::from_path(&path.to_string_lossy());
        let language = if format == TextFormat::Markdown {
            "markdown"
        } else {
            "plaintext"
        };
        client.open(&uri, language, 1, &text);
        let diagnostics = client.diagnostics_after(0, &uri, Some(1)).await;
        let findings = corpus.check_draft(&text, format, &workspace.config.engine);
        for finding in findings.iter().filter(|f| !f.quote.ignored) {
            let quoted = &text[finding.quote.range.clone()];
            let code = finding.verdict.code();
            let diagnostic = find_diagnostic(&diagnostics, &text, code, quoted);
            if let Some(passage) = &finding.passage {
                let source = corpus.source(passage.source).unwrap();
                assert_eq!(
                    diagnostic["data"]["source_uri"],
                    file_uri(std::path::Path::new(&source.key))
                );
            }
            let at = utf16_pos(&text, finding.quote.range.start);
            let hover = client.hover(&uri, at.clone()).await;
            assert!(
                hover["contents"]["value"].as_str().unwrap().contains(code),
                "{hover}"
            );
            let definition = client
                .request(
                    "textDocument/definition",
                    json!({ "textDocument": { "uri": uri }, "position": at }),
                )
                .await;
            assert_eq!(
                definition.is_null(),
                finding.passage.is_none(),
                "{definition}"
            );
            let actions = client
                .request(
                    "textDocument/codeAction",
                    json!({
                        "textDocument": { "uri": uri },
                        "range": { "start": at, "end": at },
                        "context": { "diagnostics": [diagnostic] }
                    }),
                )
                .await;
            assert!(actions
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["title"] == "Ignore this quote"));
            // Every edit of every action applies cleanly to the text it was made for.
            for action in actions.as_array().unwrap() {
                let edits = action_edits(action, &uri);
                assert!(!edits.is_empty(), "{action}");
                apply_edits(&text, &edits);
            }
        }
        let quotes = findings.iter().filter(|f| !f.quote.ignored).count();
        let lens = client
            .request(
                "textDocument/codeLens",
                json!({ "textDocument": { "uri": uri } }),
            )
            .await;
        let title = lens[0]["command"]["title"].as_str().unwrap().to_string();
        assert!(title.starts_with(&format!("{quotes} quote")), "{title}");
    }
    client.shutdown().await;
}
