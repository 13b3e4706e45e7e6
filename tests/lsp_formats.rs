//! End-to-end: sources in other formats in the editor — a saved web page's quote verified, its hover naming the
//! outlet and canonical URL and go-to-definition landing on the quoted words in the .html; a transcript's hover
//! naming the cue's time and speaker and definition landing on the cue's line.
mod common;

use common::*;
use serde_json::{json, Value};

/// The text of `file` at an LSP range (UTF-16 positions; the fixtures are ASCII where it matters).
fn file_text_in(file: &std::path::Path, range: &Value) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    text_in(&text, range).to_string()
}

async fn definition(client: &TestClient, uri: &str, position: Value) -> Value {
    let found = client
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": uri }, "position": position }),
        )
        .await;
    // A link (definitionLink capability) or a plain location, alone or in a list.
    let first = if found.is_array() {
        found[0].clone()
    } else {
        found
    };
    json!({
        "uri": first.get("targetUri").or(first.get("uri")).cloned().unwrap_or(Value::Null),
        "range": first
            .get("targetSelectionRange")
            .or(first.get("range"))
            .cloned()
            .unwrap_or(Value::Null),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn saved_web_page_hover_and_definition_point_into_the_html() {
    let (_dir, root) = copy_fixture("fixtures/cases/html_saved_page");
    let draft = std::fs::read_to_string(root.join("drafts/story.md")).unwrap();
    let uri = file_uri(&root.join("drafts/story.md"));
    let client = TestClient::start(full_capabilities(), Some(&root), Value::Null).await;
    client.open(&uri, "markdown", 1, &draft);
    let diagnostics = client.diagnostics_after(0, &uri, Some(1)).await;
    find_diagnostic(
        &diagnostics,
        &draft,
        "verified",
        "the most important decision this council has taken in a generation",
    );
    find_diagnostic(
        &diagnostics,
        &draft,
        "drift",
        "disruption to train routes would be kept to a minimum.",
    );
    find_diagnostic(
        &diagnostics,
        &draft,
        "unsourced",
        "this should have been built twenty years ago.",
    );

    let at = find_pos(&draft, "most important decision");
    let hover = client.hover(&uri, at.clone()).await;
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("The Riverside Gazette"), "{value}");
    assert!(
        value.contains("https://gazette.example/news/2024/03/tram-extension"),
        "{value}"
    );
    assert!(value.contains("sources/city-council.html:32"), "{value}");

    let target = definition(&client, &uri, at).await;
    assert!(target["uri"]
        .as_str()
        .unwrap()
        .ends_with("sources/city-council.html"));
    let html = root.join("sources/city-council.html");
    let quoted = file_text_in(&html, &target["range"]);
    assert!(
        quoted.ends_with("most important decision this council has taken in a generation"),
        "{quoted}"
    );

    // A quote across an inline tag: the range covers the markup between the words, in the file.
    let at = find_pos(&draft, "We have seen this film");
    let target = definition(&client, &uri, at).await;
    let quoted = file_text_in(&html, &target["range"]);
    assert!(
        quoted.starts_with("We have seen this film before")
            && quoted.contains("<em>timetable</em>")
            && quoted.ends_with("pay the price"),
        "{quoted}"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transcript_hover_names_the_cue_time_and_speaker() {
    let (_dir, root) = copy_fixture("fixtures/cases/srt_transcript");
    let draft = std::fs::read_to_string(root.join("drafts/story.md")).unwrap();
    let uri = file_uri(&root.join("drafts/story.md"));
    let client = TestClient::start(full_capabilities(), Some(&root), Value::Null).await;
    client.open(&uri, "markdown", 1, &draft);
    let diagnostics = client.diagnostics_after(0, &uri, Some(1)).await;
    find_diagnostic(
        &diagnostics,
        &draft,
        "verified",
        "is growing more slowly than at any time in the last decade, and that is because we took difficult \
         decisions early.",
    );
    let at = find_pos(&draft, "is growing more slowly");
    let hover = client.hover(&uri, at.clone()).await;
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("00:03:12 · Minister"), "{value}");

    let target = definition(&client, &uri, at).await;
    assert!(target["uri"]
        .as_str()
        .unwrap()
        .ends_with("sources/minister-interview.srt"));
    assert_eq!(target["range"]["start"]["line"], 25, "the cue's line (26)");
    let srt = root.join("sources/minister-interview.srt");
    let quoted = file_text_in(&srt, &target["range"]);
    assert!(quoted.starts_with("is growing more slowly"), "{quoted}");
    client.shutdown().await;
}
