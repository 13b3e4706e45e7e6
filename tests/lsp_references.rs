//! End-to-end: the source's side of quotations over a real transport — `textDocument/references` from a source
//! (open or not) to every draft quoting the passage (drafts not open included), `includeDeclaration`, from a
//! quote to the other drafts quoting its passage, an edited draft updating only its own entries, the code lens
//! over each quoted paragraph (resolved lazily, the locations in its command), `workspace/symbol` (sources,
//! people quoted) and inlay hints only where declared and enabled.
mod common;

use common::*;
use serde_json::{json, Value};

const LIBRARY: &str = "We will protect every library in this city, whatever it costs us,";

/// The client capabilities of an editor that also declares references, symbols and inlay hints.
fn capabilities() -> Value {
    let mut caps = full_capabilities();
    caps["textDocument"]["references"] = json!({});
    caps["textDocument"]["inlayHint"] = json!({});
    caps["workspace"]["symbol"] = json!({});
    caps
}

struct Workspace {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    source: String,
    source_uri: String,
}

impl Workspace {
    fn new() -> Workspace {
        let (dir, root) = copy_fixture("fixtures/lsp/references");
        let path = root.join("sources/council-budget.md");
        Workspace {
            source: std::fs::read_to_string(&path).unwrap(),
            source_uri: file_uri(&path),
            root,
            _dir: dir,
        }
    }

    fn uri(&self, relative: &str) -> String {
        file_uri(&self.root.join(relative))
    }

    fn text(&self, relative: &str) -> String {
        std::fs::read_to_string(self.root.join(relative)).unwrap()
    }

    /// Each location as `(relative path, text it covers)`, the text read from disk.
    fn described(&self, locations: &Value) -> Vec<(String, String)> {
        let prefix = format!("{}/", file_uri(&self.root));
        locations
            .as_array()
            .unwrap_or_else(|| panic!("not locations: {locations}"))
            .iter()
            .map(|l| {
                let relative = l["uri"].as_str().unwrap().strip_prefix(&prefix).unwrap();
                let text = self.text(relative);
                (
                    relative.to_string(),
                    text_in(&text, &l["range"]).to_string(),
                )
            })
            .collect()
    }
}

async fn references(client: &TestClient, uri: &str, position: Value, declaration: bool) -> Value {
    client
        .request(
            "textDocument/references",
            json!({
                "textDocument": { "uri": uri },
                "position": position,
                "context": { "includeDeclaration": declaration }
            }),
        )
        .await
}

/// Asks for references until `holds` (the background check of the drafts not open fills the index).
async fn references_until(
    client: &TestClient,
    uri: &str,
    position: Value,
    what: &str,
    holds: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let found = references(client, uri, position.clone(), false).await;
        if holds(&found) {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for references: {what}; last answer {found}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn count(n: usize) -> impl Fn(&Value) -> bool {
    move |v: &Value| v.as_array().is_some_and(|a| a.len() == n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn references_from_a_source_find_every_draft_quoting_the_passage() {
    let ws = Workspace::new();
    let client = TestClient::start(capabilities(), Some(&ws.root), Value::Null).await;
    let caps = &client.initialize_result["capabilities"];
    assert_eq!(caps["referencesProvider"], true);
    assert_eq!(caps["codeLensProvider"]["resolveProvider"], true);

    // The source is not open; no draft is open either.
    let at = find_pos(&ws.source, "every library");
    let found = references_until(&client, &ws.source_uri, at.clone(), "3 quotes", count(3)).await;
    let mut described = ws.described(&found);
    described.sort();
    assert_eq!(
        described,
        [
            (
                "drafts/budget-story.md".to_string(),
                "will protect every library in this city, whatever it costs us,".to_string()
            ),
            (
                "drafts/desk/roundup.txt".to_string(),
                "We will protect every library in this city, whatever it costs us.".to_string()
            ),
            (
                "drafts/editorial.md".to_string(),
                "We will protect every library in this town, whatever it costs us,".to_string()
            ),
        ]
    );

    // With the declaration: the passage itself comes first.
    let with = references(&client, &ws.source_uri, at.clone(), true).await;
    let described = ws.described(&with);
    let passages = described
        .iter()
        .take_while(|(p, _)| p.starts_with("sources/"))
        .count();
    assert!(passages >= 1, "{described:?}");
    assert_eq!(described.len(), passages + 3, "{described:?}");
    for (path, text) in &described[..passages] {
        assert_eq!(path, "sources/council-budget.md");
        assert!(
            LIBRARY.contains(text.as_str()) && text.contains("protect every library"),
            "{text:?}"
        );
    }

    // Anywhere in the paragraph (outside the quoted words) finds the same quotes; another paragraph others.
    let before = find_pos(&ws.source, "council adopted");
    assert_eq!(
        references(&client, &ws.source_uri, before, false)
            .await
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let lindqvist = find_pos(&ws.source, "borrows from our children");
    let described = ws.described(&references(&client, &ws.source_uri, lindqvist, false).await);
    assert_eq!(
        described,
        [(
            "drafts/budget-story.md".to_string(),
            "This budget borrows from our children to pay for a press release,".to_string()
        )]
    );
    let unquoted = find_pos(&ws.source, "financial year");
    assert_eq!(
        references(&client, &ws.source_uri, unquoted, false).await,
        json!([])
    );

    // Opened, the source answers the same (from its buffer's positions).
    client.open(&ws.source_uri, "markdown", 1, &ws.source);
    let found = references_until(
        &client,
        &ws.source_uri,
        at.clone(),
        "3 quotes, source open",
        count(3),
    )
    .await;
    assert_eq!(found.as_array().unwrap().len(), 3);

    // A draft opened and edited: its own entries follow the buffer (the quote is gone), the others stay.
    let editorial = ws.uri("drafts/editorial.md");
    let mut text = ws.text("drafts/editorial.md");
    client.open(&editorial, "markdown", 1, &text);
    client.edit(
        &editorial,
        2,
        &mut text,
        "“We will protect every library in this town, whatever it costs us,”",
        "a pledge",
    );
    client
        .diagnostics_until(0, &editorial, Some(2), "no quote left", |d| d.is_empty())
        .await;
    references_until(
        &client,
        &ws.source_uri,
        at.clone(),
        "2 quotes after the edit",
        count(2),
    )
    .await;
    // Closed without saving: the file on disk is the draft again.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": editorial } }),
    );
    references_until(
        &client,
        &ws.source_uri,
        at.clone(),
        "3 quotes after the close",
        count(3),
    )
    .await;

    // A draft not open changed on disk (the client's watcher reports it): re-checked into the index.
    let roundup = ws.root.join("drafts/desk/roundup.txt");
    let changed = ws.text("drafts/desk/roundup.txt").replace(
        "“We will protect every library in this city, whatever it costs us.”",
        "nothing",
    );
    std::fs::write(&roundup, changed).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": file_uri(&roundup), "type": 2 }] }),
    );
    references_until(
        &client,
        &ws.source_uri,
        at,
        "2 quotes after the file changed",
        count(2),
    )
    .await;
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn references_from_a_quote_find_the_other_drafts() {
    let ws = Workspace::new();
    let client = TestClient::start(capabilities(), Some(&ws.root), Value::Null).await;
    let story = ws.uri("drafts/budget-story.md");
    let text = ws.text("drafts/budget-story.md");
    client.open(&story, "markdown", 1, &text);
    let at = find_pos(&text, "every library");
    let found = references_until(&client, &story, at.clone(), "the 2 other drafts", count(2)).await;
    let mut drafts: Vec<String> = ws.described(&found).into_iter().map(|(p, _)| p).collect();
    drafts.sort();
    assert_eq!(drafts, ["drafts/desk/roundup.txt", "drafts/editorial.md"]);
    // With the declaration: the source passage first.
    let with = references(&client, &story, at, true).await;
    let described = ws.described(&with);
    assert_eq!(described.len(), 3);
    assert_eq!(described[0].0, "sources/council-budget.md");
    assert!(
        described[0].1.contains("protect every library"),
        "{described:?}"
    );
    // A quote nobody else uses: no other draft.
    let alone = find_pos(&text, "borrows from");
    assert_eq!(references(&client, &story, alone, false).await, json!([]));
    // Outside any quote: nothing.
    let outside = find_pos(&text, "scathing");
    assert_eq!(references(&client, &story, outside, false).await, json!([]));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn code_lens_over_quoted_paragraphs_resolves_with_locations() {
    let ws = Workspace::new();
    let client = TestClient::start(capabilities(), Some(&ws.root), Value::Null).await;
    client.open(&ws.source_uri, "markdown", 1, &ws.source);
    // Wait for the drafts not open to be in the index.
    let at = find_pos(&ws.source, "every library");
    references_until(&client, &ws.source_uri, at, "3 quotes", count(3)).await;
    let lenses = client
        .request(
            "textDocument/codeLens",
            json!({ "textDocument": { "uri": ws.source_uri } }),
        )
        .await;
    let lenses = lenses.as_array().unwrap();
    assert_eq!(lenses.len(), 2, "{lenses:#?}");
    assert!(
        lenses.iter().all(|l| l["command"].is_null()),
        "resolved lazily"
    );
    let mut titles = Vec::new();
    for lens in lenses {
        let resolved = client.request("codeLens/resolve", lens.clone()).await;
        assert_eq!(resolved["range"], lens["range"]);
        let command = &resolved["command"];
        assert_eq!(command["command"], "verbatim.showReferences");
        assert_eq!(command["arguments"][0], ws.source_uri.as_str());
        assert_eq!(command["arguments"][1], lens["range"]["start"]);
        let locations = &command["arguments"][2];
        titles.push((
            command["title"].as_str().unwrap().to_string(),
            ws.described(locations).len(),
        ));
    }
    assert_eq!(
        titles,
        [
            ("quoted 3× in 3 drafts · 1 drift".to_string(), 3),
            ("quoted 1× in 1 draft".to_string(), 1)
        ]
    );
    // The lens sits on the paragraph's first line.
    let line = lenses[0]["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert!(ws
        .source
        .lines()
        .nth(line)
        .unwrap()
        .starts_with("The council adopted"));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workspace_symbols_list_sources_and_people_quoted() {
    let ws = Workspace::new();
    let client = TestClient::start(capabilities(), Some(&ws.root), Value::Null).await;
    assert_eq!(
        client.initialize_result["capabilities"]["workspaceSymbolProvider"],
        true
    );
    let at = find_pos(&ws.source, "every library");
    references_until(&client, &ws.source_uri, at, "3 quotes", count(3)).await;
    let found = client
        .request("workspace/symbol", json!({ "query": "council budget" }))
        .await;
    let found = found.as_array().unwrap();
    let source = found
        .iter()
        .find(|s| s["name"] == "Council adopts budget after long night")
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(
        source["containerName"],
        "City Gazette · 2026-04-12 · sources/council-budget.md"
    );
    assert_eq!(source["location"]["uri"], ws.source_uri.as_str());
    // By outlet and date.
    let found = client
        .request("workspace/symbol", json!({ "query": "Coast Post 2026-03" }))
        .await;
    assert_eq!(found[0]["name"], "Harbour works delayed again");
    // People quoted: each of their quotes, in the draft.
    let found = client
        .request("workspace/symbol", json!({ "query": "Jonas Berg" }))
        .await;
    let people: Vec<&Value> = found
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == "Jonas Berg")
        .collect();
    assert_eq!(people.len(), 1, "{found:#?}");
    assert_eq!(
        people[0]["containerName"],
        "quoted in drafts/desk/roundup.txt"
    );
    assert_eq!(
        ws.described(&json!([people[0]["location"]]))[0].1,
        "the contractor has asked for another six months to finish the survey,"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn inlay_hints_only_when_declared_and_enabled() {
    let ws = Workspace::new();
    let story = ws.uri("drafts/budget-story.md");
    let text = ws.text("drafts/budget-story.md");
    let whole = json!({ "start": pos(0, 0), "end": pos(100, 0) });
    // Off by default.
    let client = TestClient::start(capabilities(), Some(&ws.root), Value::Null).await;
    assert_eq!(
        client.initialize_result["capabilities"]["inlayHintProvider"],
        true
    );
    client.open(&story, "markdown", 1, &text);
    client.diagnostics_after(0, &story, Some(1)).await;
    let hints = client
        .request(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": story }, "range": whole }),
        )
        .await;
    assert_eq!(hints, json!([]));
    client.shutdown().await;
    // Enabled: after each sourced quote, the source's short name and date.
    let options = json!({ "inlay_hints": { "enabled": true } });
    let client = TestClient::start(capabilities(), Some(&ws.root), options).await;
    client.open(&story, "markdown", 1, &text);
    client.diagnostics_after(0, &story, Some(1)).await;
    let hints = client
        .request(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": story }, "range": whole }),
        )
        .await;
    let hints = hints.as_array().unwrap();
    assert_eq!(hints.len(), 2, "{hints:#?}");
    assert_eq!(
        hints[0]["label"],
        "Council adopts budget after…, 2026-04-12"
    );
    let after = utf16_offset(&text, &hints[0]["position"]);
    assert!(
        text[..after].ends_with("costs us,”"),
        "{:?}",
        &text[..after]
    );
    client.shutdown().await;
    // Not declared: not announced.
    let mut caps = capabilities();
    caps["textDocument"]
        .as_object_mut()
        .unwrap()
        .remove("inlayHint");
    caps["textDocument"]
        .as_object_mut()
        .unwrap()
        .remove("references");
    caps["workspace"].as_object_mut().unwrap().remove("symbol");
    let client = TestClient::start(caps, Some(&ws.root), Value::Null).await;
    let caps = &client.initialize_result["capabilities"];
    for provider in [
        "inlayHintProvider",
        "referencesProvider",
        "workspaceSymbolProvider",
    ] {
        assert!(caps.get(provider).is_none(), "{provider}: {caps}");
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_source_edit_rechecks_the_drafts_quoting_it() {
    let ws = Workspace::new();
    let client = TestClient::start(capabilities(), Some(&ws.root), Value::Null).await;
    let mut source = ws.source.clone();
    client.open(&ws.source_uri, "markdown", 1, &source);
    let at = find_pos(&source, "every library");
    references_until(&client, &ws.source_uri, at, "3 quotes", count(3)).await;
    let title = || async {
        let lenses = client
            .request(
                "textDocument/codeLens",
                json!({ "textDocument": { "uri": ws.source_uri } }),
            )
            .await;
        let first = lenses[0].clone();
        client.request("codeLens/resolve", first).await["command"]["title"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(title().await, "quoted 3× in 3 drafts · 1 drift");
    // The passage's wording changes in the open buffer: the three drafts (none open) are checked again.
    client.edit(
        &ws.source_uri,
        2,
        &mut source,
        "every library",
        "every museum",
    );
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let now = title().await;
        if now == "quoted 3× in 3 drafts · 3 drift" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the lens still says {now:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    client.shutdown().await;
}
