//! End-to-end: a misattributed quote in the editor — the diagnostic on the speaker's name, the hover naming the
//! source's speaker and where, the "Credit …" quick fix applied and re-checked, and the settings that turn the
//! check off or change its severity.
mod common;

use common::*;
use serde_json::{json, Value};

const QUOTE: &str = "We will not borrow money we cannot repay,";

/// The `misattributed_pronoun` case opened in a server: the draft credits Amara Okafor's words to `he` (Tom
/// Lindqvist).
async fn ready(options: Value) -> (tempfile::TempDir, String, String, TestClient) {
    let (dir, root) = copy_fixture("fixtures/cases/misattributed_pronoun");
    let draft = std::fs::read_to_string(root.join("drafts/story.md")).unwrap();
    let uri = file_uri(&root.join("drafts/story.md"));
    let client = TestClient::start(full_capabilities(), Some(&root), options).await;
    client.open(&uri, "markdown", 1, &draft);
    (dir, uri, draft, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn misattribution_is_shown_explained_and_fixed() {
    let (_dir, uri, draft, client) = ready(Value::Null).await;
    let diagnostics = client.diagnostics_after(0, &uri, Some(1)).await;
    find_diagnostic(&diagnostics, &draft, "verified", QUOTE);
    let wrong = find_diagnostic(&diagnostics, &draft, "misattributed", "he");
    assert_eq!(wrong["severity"], 2, "a warning by default");
    assert_eq!(wrong["source"], "verbatim");
    let message = wrong["message"].as_str().unwrap();
    assert!(
        message.contains("Amara Okafor") && message.contains("he"),
        "{message}"
    );
    assert_eq!(wrong["data"]["source_speaker"], "Amara Okafor");
    assert_eq!(wrong["data"]["speaker"], "he");
    assert!(wrong["data"]["source_uri"]
        .as_str()
        .unwrap()
        .ends_with("sources/council-0412.md"));
    let related = wrong["relatedInformation"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["message"].as_str().unwrap().contains("Amara Okafor")),
        "{related:#?}"
    );

    // The hover on the speaker names the source's speaker and where the source says so.
    let hover = client.hover(&uri, find_pos(&draft, "he said")).await;
    assert_eq!(text_in(&draft, &hover["range"]), "he");
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains(
            "The source attributes these words to Amara Okafor (`sources/council-0412.md:10`)"
        ),
        "{value}"
    );
    // The hover on the quote still explains its verdict, and names both speakers.
    let hover = client.hover(&uri, find_pos(&draft, "borrow")).await;
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("verified"), "{value}");
    assert!(
        value.contains("Speaker: he (the source: Amara Okafor)"),
        "{value}"
    );

    // "Credit Amara Okafor" replaces the speaker; the re-check finds nothing wrong.
    let at = find_pos(&draft, "he said");
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": { "start": at, "end": at },
                "context": { "diagnostics": [wrong] }
            }),
        )
        .await;
    let actions = actions.as_array().cloned().unwrap_or_default();
    let credit = actions
        .iter()
        .find(|a| a["title"] == "Credit Amara Okafor")
        .unwrap_or_else(|| panic!("no Credit action in {actions:#?}"));
    assert_eq!(credit["kind"], "quickfix");
    assert_eq!(credit["isPreferred"], true);
    assert_eq!(credit["diagnostics"][0]["code"], "misattributed");
    let text = apply_edits(&draft, &action_edits(credit, &uri));
    assert!(
        text.contains(&format!("“{QUOTE}” Amara Okafor said.")),
        "{text}"
    );
    client.replace_all(&uri, 2, &text);
    let diagnostics = client.diagnostics_after(0, &uri, Some(2)).await;
    find_diagnostic(&diagnostics, &text, "verified", QUOTE);
    assert!(
        diagnostics.iter().all(|d| d["code"] != "misattributed"),
        "{diagnostics:#?}"
    );
    let lens = client
        .request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": uri } }),
        )
        .await;
    let title = lens[0]["command"]["title"].as_str().unwrap();
    assert_eq!(title, "1 quote · 1 verified · 0 drift · 0 unsourced");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn misattribution_settings_turn_it_off_or_change_its_severity() {
    let (_dir, uri, draft, client) =
        ready(json!({ "severity": { "misattributed": "error" } })).await;
    let diagnostics = client.diagnostics_after(0, &uri, Some(1)).await;
    assert_eq!(
        find_diagnostic(&diagnostics, &draft, "misattributed", "he")["severity"],
        1
    );
    client.shutdown().await;

    let (_dir, uri, draft, client) = ready(json!({ "misattribution": { "enabled": false } })).await;
    let diagnostics = client.diagnostics_after(0, &uri, Some(1)).await;
    find_diagnostic(&diagnostics, &draft, "verified", QUOTE);
    assert!(
        diagnostics.iter().all(|d| d["code"] != "misattributed"),
        "{diagnostics:#?}"
    );
    client.shutdown().await;
}
