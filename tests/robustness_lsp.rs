//! Protocol robustness against the real binary: `verbatim lsp` over stdio with Content-Length framing, driven
//! by a small client that can misbehave: malformed JSON-RPC, requests for documents never opened, ranges past
//! the end, stale and repeated versions, out-of-order notifications, cancellations, `exit` without `shutdown`,
//! and a client that never answers `workspace/configuration`. The server must keep serving (or stop when told),
//! answer every request, write nothing but framed JSON on stdout, and never edit a draft on its own.
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[path = "support/process.rs"]
mod client;

use client::*;

/// Enables the server's test hooks (`verbatim/debugPanic`, `verbatim/debugStall`…).
const TEST_HOOKS: (&str, &str) = ("VERBATIM_TEST_HOOKS", "1");

/// An editor session that verifies a quote: the baseline for the tests below.
fn ready_session(ws: &Workspace) -> Client {
    ready(Client::start(), ws)
}

fn ready(mut client: Client, ws: &Workspace) -> Client {
    client.initialize(&ws.root, capabilities());
    let text = format!("They said “{VERIFIED}”.\n");
    client.open(&ws.draft, 1, &text);
    let diagnostics = client
        .diagnostics(&ws.draft, Some(1), WAIT)
        .expect("diagnostics for the draft");
    assert_eq!(codes(&diagnostics), ["verified"], "{diagnostics:#?}");
    client
}

/// An empty range at a position (where an insertion goes).
fn caret(line: u32, character: u32) -> Value {
    let position = json!({ "line": line, "character": character });
    json!({ "start": position, "end": position })
}

/// Changes the draft to the drifted quote (version 2) and expects its diagnostics to be that one drift: the
/// server still checks edits, and has read nothing it must not.
fn expect_drift_after_change(client: &mut Client, ws: &Workspace) {
    client.change(&ws.draft, 2, None, &format!("Now “{DRIFTED}”.\n"));
    let diagnostics = client
        .diagnostics(&ws.draft, Some(2), WAIT)
        .expect("diagnostics for version 2");
    assert_eq!(codes(&diagnostics), ["drift"], "{diagnostics:#?}");
}

/// Waits for the draft's diagnostics at `version` (`what` names them if none come): one drift and one
/// verified quote, each covering the drifted or the verified quote in `text`, the client's copy.
fn expect_drift_and_verified(
    client: &mut Client,
    ws: &Workspace,
    version: i64,
    text: &str,
    what: &str,
) {
    let diagnostics = client
        .diagnostics(&ws.draft, Some(version), WAIT)
        .expect(what);
    assert_eq!(
        codes(&diagnostics),
        ["drift", "verified"],
        "{diagnostics:#?}"
    );
    for diagnostic in diagnostics.iter().filter(|d| d["code"] != "drift-word") {
        let quoted = covered(text, &diagnostic["range"]);
        assert!(
            quoted == VERIFIED || quoted == DRIFTED,
            "{quoted:?} in {text:?}"
        );
    }
}

#[test]
fn baseline_session_shuts_down_cleanly() {
    let ws = Workspace::new();
    ready_session(&ws).shutdown();
}

/// Malformed JSON-RPC: a body that is not JSON, JSON that is not a message, a body that is not UTF-8, a
/// header without Content-Length, garbage between messages. Each gets an error answer or is dropped with a
/// log line, and the server goes on serving.
#[test]
fn malformed_json_rpc_keeps_serving() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let hover = json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 14 } });
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("not JSON", frame(b"{not json")),
        ("JSON but not a message", frame(b"[1, 2, 3]")),
        (
            "a message without a method",
            frame(br#"{"jsonrpc":"2.0","id":99}"#),
        ),
        (
            "a request with params of the wrong type",
            frame(br#"{"jsonrpc":"2.0","id":98,"method":"textDocument/hover","params":5}"#),
        ),
        (
            "not UTF-8",
            frame(b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\xfe\"}"),
        ),
        (
            "no Content-Length",
            b"Content-Type: application/json\r\n\r\n{}".to_vec(),
        ),
        ("garbage between messages", b"garbage\r\n\r\n".to_vec()),
        ("an empty body", frame(b"")),
        ("a truncated header", b"Content-Len".to_vec()),
        (
            "a Content-Length that is not a number",
            b"Content-Length: lots\r\n\r\n{}".to_vec(),
        ),
        (
            "a Content-Length over the limit",
            b"Content-Length: 99999999999\r\n\r\n{\"jsonrpc\":\"2.0\"}".to_vec(),
        ),
        (
            "a header line of 100 KB",
            [vec![b'x'; 100_000], b"\r\n\r\n".to_vec()].concat(),
        ),
        (
            "a request with an invalid id",
            frame(br#"{"jsonrpc":"2.0","id":1.5,"method":"textDocument/hover"}"#),
        ),
        (
            "a request with the wrong version",
            frame(br#"{"jsonrpc":"1.0","id":97,"method":"textDocument/hover"}"#),
        ),
    ];
    for (what, bytes) in bad {
        client.send_raw(&bytes);
        let answer = client.request("textDocument/hover", hover.clone());
        assert!(
            answer["result"]["contents"].is_object() || answer["result"]["contents"].is_string(),
            "after {what}: {answer}"
        );
        assert!(client.is_running(), "the server stopped after {what}");
    }
    // Requests with a usable id get an Invalid request answer; bodies that are not JSON a Parse error.
    for id in [98, 97] {
        let answer = client.response(id);
        assert_eq!(answer["error"]["code"], -32600, "{answer}");
    }
    let parse_errors = client
        .history
        .iter()
        .filter(|m| m["error"]["code"] == -32700 && m["id"].is_null())
        .count();
    assert_eq!(parse_errors, 3, "not JSON, not UTF-8, empty");
    // The oversized frame is shown to the writer.
    let shown = client
        .wait_within(WAIT, |m| {
            m["method"] == "window/showMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|t| t.contains("over the 64 MiB limit"))
        })
        .expect("the oversized message is shown");
    assert_eq!(shown["params"]["type"], 1, "an error");
    // Nothing else was answered: no error for dropped messages, no second answer to any id.
    let answers: Vec<&Value> = client
        .history
        .iter()
        .filter(|m| m.get("method").is_none())
        .collect();
    let mut ids: Vec<String> = answers
        .iter()
        .filter(|m| !m["id"].is_null())
        .map(|m| m["id"].to_string())
        .collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "an id answered twice: {answers:?}");
    assert_eq!(answers.len(), count + 3, "{answers:#?}");
    client.shutdown();
}

/// A request that is answered before the malformed message, as things are: the server answers a parse error.
#[test]
fn malformed_json_gets_a_parse_error_answer() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    client.send_raw(&frame(b"{not json"));
    let error = client
        .wait_within(WAIT, |m| m["error"]["code"] == -32700)
        .expect("a Parse error answer");
    assert_eq!(error["id"], Value::Null);
    client.assert_clean_stdout();
}

/// `exit` without `shutdown` ends the process promptly, with nothing but protocol on stdout. LSP: "The server
/// should exit with success code 0 if the shutdown request has been received before;
/// otherwise with error code 1."
#[test]
fn exit_without_shutdown_exits_with_code_1() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    client.notify("exit", Value::Null);
    let status = client
        .wait_exit(Duration::from_secs(10))
        .expect("the server exits promptly");
    assert_eq!(status.code(), Some(1));
    client.assert_clean_stdout();
}

#[test]
fn closing_stdin_ends_the_process() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    // The editor dies: stdin closes without shutdown or exit.
    let stdin = client.stdin.clone();
    drop(std::mem::replace(&mut *stdin.lock().unwrap(), {
        // Swap in a handle to a throwaway process so that the real pipe closes.
        let mut cat = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let handle = cat.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = cat.wait();
        });
        handle
    }));
    assert!(
        client.wait_exit(Duration::from_secs(10)).is_some(),
        "the server outlived its editor"
    );
}

#[test]
fn cancelled_requests_are_answered_and_the_server_goes_on() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let mut ids = Vec::new();
    for i in 0..40 {
        let id = client.request_async(
            ["textDocument/hover", "textDocument/codeAction", "textDocument/definition"][i % 3],
            json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 14 },
                    "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 40 } },
                    "context": { "diagnostics": [] } }),
        );
        client.notify("$/cancelRequest", json!({ "id": id }));
        // Cancelling twice, and cancelling what does not exist, are harmless.
        client.notify("$/cancelRequest", json!({ "id": id }));
        client.notify("$/cancelRequest", json!({ "id": 10_000 + i }));
        client.notify("$/cancelRequest", json!({ "id": "not-a-request" }));
        ids.push(id);
    }
    for id in ids {
        let answer = client.response(id);
        assert!(
            answer.get("result").is_some() || answer["error"]["code"] == -32800,
            "a cancelled request is answered with its result or RequestCancelled: {answer}"
        );
    }
    client.shutdown();
}

#[test]
fn requests_for_documents_never_opened() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let position = json!({ "line": 0, "character": 3 });
    let range = json!({ "start": position, "end": position });
    for target in [
        uri(&ws.root.join("never-opened.md")),
        uri(&ws.root.join("sources/statement.md")),
        uri(Path::new("/definitely/not/here.md")),
        "untitled:Untitled-9".to_string(),
        "https://example.org/draft.md".to_string(),
    ] {
        let doc = json!({ "uri": target });
        for (method, params) in [
            (
                "textDocument/hover",
                json!({ "textDocument": doc, "position": position }),
            ),
            (
                "textDocument/definition",
                json!({ "textDocument": doc, "position": position }),
            ),
            (
                "textDocument/codeAction",
                json!({ "textDocument": doc, "range": range, "context": { "diagnostics": [] } }),
            ),
            ("textDocument/codeLens", json!({ "textDocument": doc })),
            ("textDocument/diagnostic", json!({ "textDocument": doc })),
        ] {
            let answer = client.request(method, params);
            assert!(answer.get("error").is_none(), "{method} {target}: {answer}");
            let result = &answer["result"];
            assert!(
                result.is_null() || result["items"].as_array().is_some_and(Vec::is_empty),
                "{method} {target}: {answer}"
            );
        }
    }
    // A URI that is not a URI: an error answer, not a crash.
    let answer = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "::not a uri::" }, "position": position }),
    );
    assert!(
        answer.get("error").is_some() || answer["result"].is_null(),
        "{answer}"
    );
    client.shutdown();
}

#[test]
fn ranges_past_the_end_of_the_document() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let draft = uri(&ws.draft);
    for (line, character) in [(0, 10_000), (9_999, 0), (u32::MAX, u32::MAX), (0, u32::MAX)] {
        let position = json!({ "line": line, "character": character });
        let answer = client.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": draft }, "position": position }),
        );
        assert!(answer.get("error").is_none(), "{answer}");
        let inverted = json!({ "start": position, "end": { "line": 0, "character": 0 } });
        let answer = client.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": draft }, "range": inverted, "context": { "diagnostics": [] } }),
        );
        assert!(answer.get("error").is_none(), "{answer}");
    }
    // An edit whose range lies past the end appends at the end (clamped), consistently with the editor.
    let past =
        json!({ "start": { "line": 500, "character": 7 }, "end": { "line": 900, "character": 0 } });
    client.change(&ws.draft, 2, Some(past), &format!("Then “{DRIFTED}”.\n"));
    let text = format!("They said “{VERIFIED}”.\nThen “{DRIFTED}”.\n");
    expect_drift_and_verified(&mut client, &ws, 2, &text, "diagnostics for version 2");
    // A column past the end of a line clamps to the line's end, before its line break.
    let eol = caret(0, 999);
    client.change(&ws.draft, 3, Some(eol), " Indeed.");
    let text = format!("They said “{VERIFIED}”. Indeed.\nThen “{DRIFTED}”.\n");
    let diagnostics = client
        .diagnostics(&ws.draft, Some(3), WAIT)
        .expect("diagnostics for version 3");
    assert!(
        diagnostics
            .iter()
            .any(|d| covered(&text, &d["range"]) == DRIFTED),
        "{diagnostics:#?}"
    );
    client.shutdown();
}

#[test]
fn stale_and_repeated_versions_are_ignored() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let start = caret(0, 0);
    client.change(&ws.draft, 5, Some(start.clone()), "A. ");
    // Repeated and older versions: dropped, the text stays as at version 5.
    client.change(&ws.draft, 5, Some(start.clone()), "B. ");
    client.change(&ws.draft, 3, Some(start.clone()), "C. ");
    client.change(&ws.draft, -7, None, "D. nothing left");
    client.change(&ws.draft, 6, Some(start), &format!("“{DRIFTED}” "));
    let text = format!("“{DRIFTED}” A. They said “{VERIFIED}”.\n");
    expect_drift_and_verified(&mut client, &ws, 6, &text, "diagnostics for version 6");
    // Diagnostics are never published for a version older than one already published.
    let versions: Vec<i64> = client
        .history
        .iter()
        .filter(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri(&ws.draft)
        })
        .filter_map(|m| m["params"]["version"].as_i64())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] <= w[1]), "{versions:?}");
    client.shutdown();
}

#[test]
fn out_of_order_notifications() {
    let ws = Workspace::new();
    let mut client = Client::start();
    // Before `initialize`: requests are refused with ServerNotInitialized, notifications dropped.
    let answer = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(answer["error"]["code"], -32002, "{answer}");
    client.open(&ws.draft, 1, "“dropped before initialize”");
    client.initialize(&ws.root, capabilities());
    // `initialize` again is refused; `initialized` twice is harmless.
    let again = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": {} }),
    );
    assert!(again.get("error").is_some(), "{again}");
    client.notify("initialized", json!({}));
    // Changes and closes of documents that are not open.
    client.change(&ws.draft, 2, None, "never opened");
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri(&ws.draft) } }),
    );
    // Opened twice: the second open wins. Its text (a verified quote) is checked, whatever the first open's
    // check published before, and the document holds it: a hover on the quote shows the verified finding.
    client.open(&ws.draft, 1, "“invented words that nobody ever said”\n");
    client.open(&ws.draft, 1, &format!("“{VERIFIED}”\n"));
    let target = uri(&ws.draft);
    client
        .wait_within(WAIT, |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == target
                && m["params"]["version"] == 1
                && codes(m["params"]["diagnostics"].as_array().unwrap_or(&Vec::new()))
                    == ["verified"]
        })
        .expect("the second open's text is checked: one verified quote");
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 3 } }),
    );
    let shown = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(shown.contains("verbatim: verified"), "{hover}");
    // Closed, then changed: dropped; reopened: checked again.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri(&ws.draft) } }),
    );
    client.change(&ws.draft, 9, None, "after close");
    client.open(&ws.draft, 2, &format!("Now “{DRIFTED}”.\n"));
    let diagnostics = client
        .diagnostics(&ws.draft, Some(2), WAIT)
        .expect("diagnostics after reopening");
    assert_eq!(codes(&diagnostics), ["drift"], "{diagnostics:#?}");
    // Notifications nobody knows, and `$/` ones, are ignored.
    client.notify("$/setTrace", json!({ "value": "verbose" }));
    client.notify("verbatim/unknownNotification", json!([1, 2]));
    let answer = client.request("verbatim/unknownRequest", json!({}));
    assert_eq!(answer["error"]["code"], -32601, "{answer}");
    client.shutdown();
}

/// Requests after `shutdown` are refused; the session ends cleanly.
#[test]
fn requests_after_shutdown_are_refused() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let answer = client.request("shutdown", Value::Null);
    assert!(answer.get("error").is_none());
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(hover["error"]["code"], -32600, "{hover}");
    client.notify("exit", Value::Null);
    assert!(client
        .wait_exit(Duration::from_secs(10))
        .is_some_and(|s| s.success()));
}

/// A client that declares `workspace.configuration` but never answers it: drafts are still checked, other
/// requests still answered, and `exit` still ends the server.
#[test]
fn client_never_answers_configuration() {
    let ws = Workspace::new();
    let mut client = Client::start();
    client.answer_configuration.store(false, Ordering::SeqCst);
    let mut caps = capabilities();
    caps["workspace"]["configuration"] = json!(true);
    client.initialize(&ws.root, caps);
    let text = format!("They said “{VERIFIED}”.\n");
    client.open(&ws.draft, 1, &text);
    let diagnostics = client.diagnostics(&ws.draft, Some(1), Duration::from_secs(30));
    assert!(
        diagnostics.is_some(),
        "the draft was never checked: indexing waits for the configuration"
    );
    assert!(
        client
            .history
            .iter()
            .any(|m| m["method"] == "workspace/configuration"),
        "the server asked for its settings"
    );
    // Each settings change asks again; none of the asks may hold a handler: the hover is answered before
    // a single ask could time out (5 s).
    for _ in 0..6 {
        client.notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": null }),
        );
    }
    let started = Instant::now();
    let answer = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 14 } }),
    );
    assert!(answer["result"]["contents"].is_object(), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the hover waited {:?} behind the unanswered asks",
        started.elapsed()
    );
    // Edits are still checked while the asks time out.
    expect_drift_after_change(&mut client, &ws);
    client.shutdown();
}

/// The same client, as things are: `exit` must still end the process even while the server waits for an
/// answer (a blocked server is killed by the editor otherwise, losing nothing but its own state).
#[test]
fn exit_ends_the_server_while_it_waits_for_the_client() {
    let ws = Workspace::new();
    let mut client = Client::start();
    client.answer_configuration.store(false, Ordering::SeqCst);
    let mut caps = capabilities();
    caps["workspace"]["configuration"] = json!(true);
    client.initialize(&ws.root, caps);
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": null }),
    );
    client
        .wait_within(WAIT, |m| m["method"] == "workspace/configuration")
        .expect("the server asks for its settings");
    client.notify("exit", Value::Null);
    let status = client
        .wait_exit(Duration::from_secs(5))
        .expect("the server exits while it waits for the client");
    assert_eq!(status.code(), Some(1), "no `shutdown` came first");
}

/// A handler stuck for ever (test hook `verbatim/debugStall`) does not keep the process alive after `exit`:
/// it ends within the grace period (1 s), with 0 since `shutdown` came first.
#[test]
fn exit_ends_the_process_while_a_handler_is_stuck() {
    let ws = Workspace::new();
    let mut client = ready(Client::start_with_env(&[TEST_HOOKS]), &ws);
    let stuck = client.request_async("verbatim/debugStall", json!({}));
    // The other handlers go on meanwhile.
    let answer = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 14 } }),
    );
    assert!(answer["result"]["contents"].is_object(), "{answer}");
    let answer = client.request("shutdown", Value::Null);
    assert!(answer.get("error").is_none(), "{answer}");
    client.notify("exit", Value::Null);
    let started = Instant::now();
    let status = client
        .wait_exit(Duration::from_secs(10))
        .expect("the server exits despite the stuck handler");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "exit took {:?}",
        started.elapsed()
    );
    assert!(status.success(), "{status}");
    assert!(
        client.history.iter().all(|m| m["id"] != stuck),
        "the stuck request was never answered"
    );
    client.assert_clean_stdout();
}

/// A panicking handler (test hook: `verbatim/debugPanic` panics with the draft's verdict cache locked) is
/// answered with `-32603 Internal error`, a panicking notification is dropped, and the server goes on: hover
/// and diagnostics still work, and the text is still the editor's.
#[test]
fn a_panicking_handler_is_answered_and_serving_goes_on() {
    let ws = Workspace::new();
    let mut client = ready(Client::start_with_env(&[TEST_HOOKS]), &ws);
    let draft = json!({ "textDocument": { "uri": uri(&ws.draft) } });
    for params in [draft.clone(), json!({})] {
        let answer = client.request("verbatim/debugPanic", params);
        assert_eq!(answer["error"]["code"], -32603, "{answer}");
    }
    client.notify("verbatim/debugPanicNotification", draft.clone());
    client.notify("verbatim/debugPanicNotification", json!({}));
    assert!(client.is_running());
    let hover = json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 14 } });
    let answer = client.request("textDocument/hover", hover.clone());
    let contents = answer["result"]["contents"].to_string();
    assert!(contents.contains("erified"), "{answer}");
    // An edit after the panics: the text is exactly what the editor has.
    client.change(
        &ws.draft,
        2,
        Some(caret(1, 0)),
        &format!("Then “{DRIFTED}”.\n"),
    );
    let text = format!("They said “{VERIFIED}”.\nThen “{DRIFTED}”.\n");
    expect_drift_and_verified(&mut client, &ws, 2, &text, "diagnostics after the panics");
    // Panicking again, with the diagnostics published, changes nothing.
    let answer = client.request("verbatim/debugPanic", draft);
    assert_eq!(answer["error"]["code"], -32603, "{answer}");
    let answer = client.request(
        "textDocument/diagnostic",
        json!({ "textDocument": { "uri": uri(&ws.draft) } }),
    );
    assert_eq!(
        codes(answer["result"]["items"].as_array().expect("items")),
        ["drift", "verified"],
        "{answer}"
    );
    client.shutdown();
}

/// Without `VERBATIM_TEST_HOOKS=1` the hooks do not exist.
#[test]
fn test_hooks_are_off_by_default() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    for method in ["verbatim/debugPanic", "verbatim/debugStall"] {
        let answer = client.request(method, json!({}));
        assert_eq!(answer["error"]["code"], -32601, "{method}: {answer}");
    }
    client.shutdown();
}

/// Code actions carry the document's version (`documentChanges`), so a client rejects them once the text has
/// moved on; the server never sends `workspace/applyEdit` on its own, whatever happens in the session.
#[test]
fn code_actions_are_versioned_and_never_applied_by_the_server() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let text = format!("Now “{DRIFTED}”.\n");
    client.change(&ws.draft, 2, None, &text);
    let diagnostics = client
        .diagnostics(&ws.draft, Some(2), WAIT)
        .expect("diagnostics");
    let drift = diagnostics
        .iter()
        .find(|d| d["code"] == "drift")
        .expect("a drift")
        .clone();
    let answer = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri(&ws.draft) }, "range": drift["range"], "context": { "diagnostics": [drift] } }),
    );
    let actions = answer["result"].as_array().expect("actions").clone();
    assert!(!actions.is_empty());
    for action in &actions {
        let edit = &action["edit"];
        assert!(edit.get("changes").is_none_or(Value::is_null), "{action}");
        for change in edit["documentChanges"].as_array().expect("documentChanges") {
            assert_eq!(change["textDocument"]["version"], 2, "{action}");
            assert_eq!(change["textDocument"]["uri"], uri(&ws.draft));
        }
        assert!(
            action.get("command").is_none_or(Value::is_null),
            "no server-side command: {action}"
        );
    }
    // The text moves on: an action asked for at the new version carries the new version.
    client.change(&ws.draft, 3, Some(caret(0, 0)), "So. ");
    let answer = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri(&ws.draft) },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 90 } },
                "context": { "diagnostics": [] } }),
    );
    for action in answer["result"].as_array().cloned().unwrap_or_default() {
        for change in action["edit"]["documentChanges"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            assert_eq!(change["textDocument"]["version"], 3, "{action}");
        }
    }
    // The draft on disk was never written, and nothing else appeared in the workspace.
    assert_eq!(std::fs::read_to_string(&ws.draft).unwrap(), "");
    let mut files: Vec<String> = Vec::new();
    let mut folders = vec![ws.root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            if entry.file_type().unwrap().is_dir() {
                folders.push(entry.path());
            } else {
                files.push(
                    entry
                        .path()
                        .strip_prefix(&ws.root)
                        .unwrap()
                        .display()
                        .to_string(),
                );
            }
        }
    }
    files.sort();
    assert_eq!(files, ["draft.md", "sources/statement.md"]);
    let _ = client.wait_within(Duration::from_millis(500), |_| false);
    assert!(
        client
            .history
            .iter()
            .all(|m| m["method"] != "workspace/applyEdit"),
        "the server edited on its own"
    );
    client.shutdown();
}

/// A watched-file event for a FIFO that matches the source globs: the server must not block reading it.
#[cfg(unix)]
#[test]
fn fifo_source_change_does_not_block() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let fifo = ws.root.join("sources/pipe.md");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&fifo), "type": 2 }] }),
    );
    let answer = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 14 } }),
    );
    assert!(answer.get("result").is_some());
    let answer = client.request("shutdown", Value::Null);
    assert!(answer.get("error").is_none());
    client.notify("exit", Value::Null);
    let exited = client.wait_exit(Duration::from_secs(10));
    // Unblock a reader stuck on the FIFO before failing, so nothing lingers. Non-blocking: without a reader
    // (the server never opened it), a plain open for writing would block this test for ever.
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo);
    }
    assert!(
        exited.is_some_and(|status| status.success()),
        "the server hangs on a FIFO"
    );
    client.assert_clean_stdout();
}

/// Symlinks and sources outside the workspace reported by a client's file watcher are not read.
#[cfg(unix)]
#[test]
fn watched_file_events_outside_the_workspace_are_ignored() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.md");
    std::fs::write(&secret, format!("Secret: {DRIFTED}.\n")).unwrap();
    std::os::unix::fs::symlink(&secret, ws.root.join("sources/link.md")).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [
            { "uri": uri(&ws.root.join("sources/link.md")), "type": 1 },
            { "uri": uri(&secret), "type": 1 },
            { "uri": "file:///etc/passwd", "type": 2 }
        ] }),
    );
    // If the secret were read, the drifted quote would verify against it.
    expect_drift_after_change(&mut client, &ws);
    client.shutdown();
}

/// Big messages: a 5 MB draft opened and edited over the wire, and a 1 MB single-line change.
#[test]
fn big_documents_over_the_wire() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 5 << 20 {
        text.push_str(&format!(
            "Paragraph {i} is prose with “a scare quote” and nothing else.\n\n"
        ));
        i += 1;
    }
    text.push_str(&format!("Last: “{VERIFIED}”.\n"));
    let big = ws.root.join("big.md");
    let started = Instant::now();
    client.open(&big, 1, &text);
    let diagnostics = client
        .diagnostics(&big, Some(1), Duration::from_secs(60))
        .expect("diagnostics of 5 MB");
    assert_eq!(codes(&diagnostics), ["verified"]);
    eprintln!("5 MB draft over stdio: {:?}", started.elapsed());
    let line = "word ".repeat(200_000);
    client.change(&big, 2, Some(caret(0, 0)), &line);
    let diagnostics = client
        .diagnostics(&big, Some(2), Duration::from_secs(60))
        .expect("diagnostics after 1 MB edit");
    assert_eq!(codes(&diagnostics), ["verified"]);
    client.shutdown();
}

/// A broken `verbatim.toml`, at start and after a change on disk: one `window/showMessage` each, defaults in
/// force, drafts still checked.
#[test]
fn malformed_settings_are_shown_and_checking_goes_on() {
    let ws = Workspace::new();
    std::fs::write(
        ws.root.join("verbatim.toml"),
        "min_words = 3\nthis is not toml\n",
    )
    .unwrap();
    let mut client = Client::start();
    let mut caps = capabilities();
    caps["workspace"]["didChangeWatchedFiles"] = json!({ "dynamicRegistration": true });
    client.initialize(&ws.root, caps);
    let shown = client
        .wait_within(WAIT, |m| m["method"] == "window/showMessage")
        .expect("the broken settings are shown");
    let message = shown["params"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(message.contains("line 2"), "{message}");
    client.open(&ws.draft, 1, &format!("They said “{VERIFIED}”.\n"));
    let diagnostics = client
        .diagnostics(&ws.draft, Some(1), WAIT)
        .expect("diagnostics");
    assert_eq!(codes(&diagnostics), ["verified"]);
    // Broken differently while running.
    std::fs::write(
        ws.root.join("verbatim.toml"),
        "min_words = \"many\"\nunknown_thing = 1\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&ws.root.join("verbatim.toml")), "type": 2 }] }),
    );
    let shown = client
        .wait_within(WAIT, |m| {
            m["method"] == "window/showMessage"
                && m["params"]["message"]
                    .as_str()
                    .is_some_and(|t| t.contains("min_words"))
        })
        .expect("the new problems are shown");
    assert_eq!(shown["params"]["type"], 2, "a warning");
    let answer = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 14 } }),
    );
    assert!(answer.get("result").is_some(), "{answer}");
    client.shutdown();
}
