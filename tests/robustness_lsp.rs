//! Protocol robustness against the real binary: `verbatim lsp` over stdio with Content-Length framing, driven
//! by a small client that can misbehave: malformed JSON-RPC, requests for documents never opened, ranges past
//! the end, stale and repeated versions, out-of-order notifications, cancellations, `exit` without `shutdown`,
//! and a client that never answers `workspace/configuration`. The server must keep serving (or stop when told),
//! answer every request, write nothing but framed JSON on stdout, and never edit a draft on its own.
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);

const SOURCE: &str = "---\ntitle: Statement\n---\n\nThe parties oppose the further expansion of NATO and call for the \
North Atlantic Alliance to refrain from ideological approaches from the time of the Cold War.\n";
const VERIFIED: &str = "oppose the further expansion of NATO and call for the North Atlantic Alliance";
const DRIFTED: &str = "oppose the further expansion of NATO and call on the North Atlantic Alliance";

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A workspace with one source and one draft.
struct Workspace {
    _dir: tempfile::TempDir,
    root: PathBuf,
    draft: PathBuf,
}

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("sources")).unwrap();
        std::fs::write(root.join("sources/statement.md"), SOURCE).unwrap();
        let draft = root.join("draft.md");
        std::fs::write(&draft, "").unwrap();
        Workspace { _dir: dir, root, draft }
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The fake editor: the server's stdin, a thread reading its stdout (checking that only framed JSON appears
/// there) and answering its requests, and everything received so far.
struct Client {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    received: mpsc::Receiver<Value>,
    history: Vec<Value>,
    next_id: i64,
    /// Whether `workspace/configuration` is answered.
    answer_configuration: Arc<AtomicBool>,
    /// Set by the reader when stdout carries anything but framed JSON.
    garbage: Arc<Mutex<Option<String>>>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_verbatim"))
            .arg("lsp")
            .env("VERBATIM_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
        let stdout = child.stdout.take().unwrap();
        let (tx, received) = mpsc::channel();
        let answer_configuration = Arc::new(AtomicBool::new(true));
        let garbage = Arc::new(Mutex::new(None));
        {
            let stdin = stdin.clone();
            let answer_configuration = answer_configuration.clone();
            let garbage = garbage.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stdout);
                loop {
                    let mut length = None;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let line = line.trim_end();
                        if line.is_empty() {
                            break;
                        }
                        match line.split_once(':') {
                            Some((name, value)) if name.eq_ignore_ascii_case("content-length") => {
                                length = value.trim().parse::<usize>().ok()
                            }
                            Some((name, _)) if name.eq_ignore_ascii_case("content-type") => {}
                            _ => *garbage.lock().unwrap() = Some(line.to_string()),
                        }
                    }
                    let Some(length) = length else {
                        *garbage.lock().unwrap() = Some("a message without Content-Length".into());
                        return;
                    };
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let Ok(message) = serde_json::from_slice::<Value>(&body) else {
                        *garbage.lock().unwrap() = Some(String::from_utf8_lossy(&body).into_owned());
                        return;
                    };
                    if let (Some(method), Some(id)) = (message["method"].as_str(), message.get("id")) {
                        let result = match method {
                            "workspace/configuration" if !answer_configuration.load(Ordering::SeqCst) => None,
                            "workspace/configuration" => {
                                let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                                Some(Value::Array(vec![json!({}); items]))
                            }
                            "workspace/applyEdit" => Some(json!({ "applied": false })),
                            _ => Some(Value::Null),
                        };
                        if let Some(result) = result {
                            let reply = json!({ "jsonrpc": "2.0", "id": id, "result": result });
                            let _ = stdin.lock().unwrap().write_all(&frame(reply.to_string().as_bytes()));
                        }
                    }
                    if tx.send(message).is_err() {
                        return;
                    }
                }
            });
        }
        Client {
            child,
            stdin,
            received,
            history: Vec::new(),
            next_id: 1,
            answer_configuration,
            garbage,
        }
    }

    fn send_raw(&self, bytes: &[u8]) {
        let mut stdin = self.stdin.lock().unwrap();
        let _ = stdin.write_all(bytes).and_then(|_| stdin.flush());
    }

    fn notify(&self, method: &str, params: Value) {
        let message = json!({ "jsonrpc": "2.0", "method": method, "params": params });
        self.send_raw(&frame(message.to_string().as_bytes()));
    }

    fn request_async(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        self.send_raw(&frame(message.to_string().as_bytes()));
        id
    }

    /// Waits for a message matching `matches` among those received (already or within `within`).
    fn wait_within(&mut self, within: Duration, matches: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(found) = self.history.iter().find(|m| matches(m)) {
            return Some(found.clone());
        }
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self.received.recv_timeout(left).ok()?;
            self.history.push(message.clone());
            if matches(&message) {
                return Some(message);
            }
        }
    }

    fn response(&mut self, id: i64) -> Value {
        self.wait_within(WAIT, |m| m["id"] == id && m.get("method").is_none())
            .unwrap_or_else(|| panic!("no answer to request {id} within {WAIT:?}"))
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        self.response(id)
    }

    /// `initialize` (with `capabilities`, the workspace as the only folder) and `initialized`.
    fn initialize(&mut self, root: &Path, capabilities: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({ "processId": null, "rootUri": uri(root), "capabilities": capabilities,
                    "workspaceFolders": [{ "uri": uri(root), "name": "ws" }] }),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn open(&self, path: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri(path), "languageId": "markdown", "version": version, "text": text } }),
        );
    }

    fn change(&self, path: &Path, version: i64, range: Option<Value>, text: &str) {
        let change = match range {
            Some(range) => json!({ "range": range, "text": text }),
            None => json!({ "text": text }),
        };
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri(path), "version": version }, "contentChanges": [change] }),
        );
    }

    /// The next diagnostics published for `path` at `version` (or any version when `None`).
    fn diagnostics(&mut self, path: &Path, version: Option<i64>, within: Duration) -> Option<Vec<Value>> {
        let target = uri(path);
        let mark = self.history.len();
        let found = {
            let matches = |m: &Value| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == target
                    && version.is_none_or(|v| m["params"]["version"] == v)
            };
            // Only diagnostics that arrive from now on, unless a matching version was already published.
            if version.is_some() {
                self.wait_within(within, matches)
            } else {
                let deadline = Instant::now() + within;
                loop {
                    let left = deadline.saturating_duration_since(Instant::now());
                    let Ok(message) = self.received.recv_timeout(left) else {
                        break None;
                    };
                    self.history.push(message.clone());
                    if matches(&message) {
                        break Some(message);
                    }
                }
            }
        };
        let _ = mark;
        found.map(|m| m["params"]["diagnostics"].as_array().cloned().unwrap_or_default())
    }

    /// Waits for the process to end; `None` if it is still running after `within`.
    fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    fn assert_clean_stdout(&self) {
        if let Some(garbage) = self.garbage.lock().unwrap().as_ref() {
            panic!("the server wrote something other than framed JSON on stdout: {garbage:?}");
        }
    }

    /// `shutdown` then `exit`; the process must end with 0.
    fn shutdown(mut self) {
        let answer = self.request("shutdown", Value::Null);
        assert!(answer.get("error").is_none(), "{answer}");
        self.notify("exit", Value::Null);
        let status = self.wait_exit(Duration::from_secs(10)).expect("the server exits after `exit`");
        assert!(status.success(), "{status}");
        self.assert_clean_stdout();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn capabilities() -> Value {
    json!({
        "workspace": { "workspaceEdit": { "documentChanges": true }, "configuration": false },
        "textDocument": {
            "publishDiagnostics": { "versionSupport": true },
            "codeAction": { "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix"] } } }
        }
    })
}

/// The text a diagnostic's range covers (UTF-16 positions; the drafts here are ASCII and “”).
fn covered<'a>(text: &'a str, range: &Value) -> &'a str {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= character {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    &text[offset(&range["start"])..offset(&range["end"])]
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> = diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .filter(|c| c != "drift-word")
        .collect();
    codes.sort();
    codes
}

/// An editor session that verifies a quote: the baseline for the tests below.
fn ready_session(ws: &Workspace) -> Client {
    let mut client = Client::start();
    client.initialize(&ws.root, capabilities());
    let text = format!("They said “{VERIFIED}”.\n");
    client.open(&ws.draft, 1, &text);
    let diagnostics = client.diagnostics(&ws.draft, Some(1), WAIT).expect("diagnostics for the draft");
    assert_eq!(codes(&diagnostics), ["verified"], "{diagnostics:#?}");
    client
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
#[ignore = "bug: tower-lsp-server's transport stops reading stdin after the first undecodable message, so the server exits"]
fn malformed_json_rpc_keeps_serving() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let hover = json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 14 } });
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("not JSON", frame(b"{not json")),
        ("JSON but not a message", frame(b"[1, 2, 3]")),
        ("a message without a method", frame(br#"{"jsonrpc":"2.0","id":99}"#)),
        ("a request with params of the wrong type", frame(br#"{"jsonrpc":"2.0","id":98,"method":"textDocument/hover","params":5}"#)),
        ("not UTF-8", frame(b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\xfe\"}")),
        ("no Content-Length", b"Content-Type: application/json\r\n\r\n{}".to_vec()),
        ("garbage between messages", b"garbage\r\n\r\n".to_vec()),
        ("an empty body", frame(b"")),
        ("a truncated header", b"Content-Len".to_vec()),
    ];
    for (what, bytes) in bad {
        client.send_raw(&bytes);
        let answer = client.request("textDocument/hover", hover.clone());
        assert!(answer.get("result").is_some(), "after {what}: {answer}");
        assert!(client.is_running(), "the server stopped after {what}");
    }
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

#[test]
fn exit_without_shutdown_ends_the_process_promptly() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    client.notify("exit", Value::Null);
    let status = client.wait_exit(Duration::from_secs(10)).expect("the server exits");
    eprintln!("exit without shutdown: {status}");
    client.assert_clean_stdout();
}

/// LSP: "The server should exit with success code 0 if the shutdown request has been received before;
/// otherwise with error code 1."
#[test]
#[ignore = "bug: `verbatim lsp` exits 0 after `exit` without `shutdown` (the spec asks for 1)"]
fn exit_without_shutdown_exits_with_code_1() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    client.notify("exit", Value::Null);
    let status = client.wait_exit(Duration::from_secs(10)).expect("the server exits");
    assert_eq!(status.code(), Some(1));
}

#[test]
fn closing_stdin_ends_the_process() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    // The editor dies: stdin closes without shutdown or exit.
    let stdin = client.stdin.clone();
    drop(std::mem::replace(&mut *stdin.lock().unwrap(), {
        // Swap in a handle to a throwaway process so that the real pipe closes.
        let mut cat = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
        let handle = cat.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = cat.wait();
        });
        handle
    }));
    assert!(client.wait_exit(Duration::from_secs(10)).is_some(), "the server outlived its editor");
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
            ("textDocument/hover", json!({ "textDocument": doc, "position": position })),
            ("textDocument/definition", json!({ "textDocument": doc, "position": position })),
            ("textDocument/codeAction", json!({ "textDocument": doc, "range": range, "context": { "diagnostics": [] } })),
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
    assert!(answer.get("error").is_some() || answer["result"].is_null(), "{answer}");
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
    let past = json!({ "start": { "line": 500, "character": 7 }, "end": { "line": 900, "character": 0 } });
    client.change(&ws.draft, 2, Some(past), &format!("Then “{DRIFTED}”.\n"));
    let text = format!("They said “{VERIFIED}”.\nThen “{DRIFTED}”.\n");
    let diagnostics = client.diagnostics(&ws.draft, Some(2), WAIT).expect("diagnostics for version 2");
    assert_eq!(codes(&diagnostics), ["drift", "verified"], "{diagnostics:#?}");
    for diagnostic in &diagnostics {
        let quoted = covered(&text, &diagnostic["range"]);
        assert!(quoted == VERIFIED || quoted == DRIFTED || diagnostic["code"] == "drift-word", "{quoted:?}");
    }
    // A column past the end of a line clamps to the line's end, before its line break.
    let eol = json!({ "start": { "line": 0, "character": 999 }, "end": { "line": 0, "character": 999 } });
    client.change(&ws.draft, 3, Some(eol), " Indeed.");
    let text = format!("They said “{VERIFIED}”. Indeed.\nThen “{DRIFTED}”.\n");
    let diagnostics = client.diagnostics(&ws.draft, Some(3), WAIT).expect("diagnostics for version 3");
    assert!(diagnostics.iter().any(|d| covered(&text, &d["range"]) == DRIFTED), "{diagnostics:#?}");
    client.shutdown();
}

#[test]
fn stale_and_repeated_versions_are_ignored() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let start = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } });
    client.change(&ws.draft, 5, Some(start.clone()), "A. ");
    // Repeated and older versions: dropped, the text stays as at version 5.
    client.change(&ws.draft, 5, Some(start.clone()), "B. ");
    client.change(&ws.draft, 3, Some(start.clone()), "C. ");
    client.change(&ws.draft, -7, None, "D. nothing left");
    client.change(&ws.draft, 6, Some(start), &format!("“{DRIFTED}” "));
    let text = format!("“{DRIFTED}” A. They said “{VERIFIED}”.\n");
    let diagnostics = client.diagnostics(&ws.draft, Some(6), WAIT).expect("diagnostics for version 6");
    assert_eq!(codes(&diagnostics), ["drift", "verified"], "{diagnostics:#?}");
    for diagnostic in diagnostics.iter().filter(|d| d["code"] != "drift-word") {
        let quoted = covered(&text, &diagnostic["range"]);
        assert!(quoted == VERIFIED || quoted == DRIFTED, "{quoted:?} in {text:?}");
    }
    // Diagnostics are never published for a version older than one already published.
    let versions: Vec<i64> = client
        .history
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri(&ws.draft))
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
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri(&ws.draft) } }));
    // Opened twice: the second open wins.
    client.open(&ws.draft, 1, "“invented words that nobody ever said”\n");
    client.open(&ws.draft, 1, &format!("“{VERIFIED}”\n"));
    let diagnostics = client.diagnostics(&ws.draft, Some(1), WAIT).expect("diagnostics");
    let latest = client
        .wait_within(Duration::from_secs(3), |_| false)
        .map_or(diagnostics.clone(), |_| diagnostics);
    assert!(!latest.is_empty());
    // Closed, then changed: dropped; reopened: checked again.
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri(&ws.draft) } }));
    client.change(&ws.draft, 9, None, "after close");
    client.open(&ws.draft, 2, &format!("Now “{DRIFTED}”.\n"));
    let diagnostics = client.diagnostics(&ws.draft, Some(2), WAIT).expect("diagnostics after reopening");
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
    assert!(client.wait_exit(Duration::from_secs(10)).is_some_and(|s| s.success()));
}

/// A client that declares `workspace.configuration` but never answers it: drafts are still checked, other
/// requests still answered, and `exit` still ends the server.
#[test]
#[ignore = "bug: the server waits for `workspace/configuration` (and other requests to the client) without a timeout"]
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
    assert!(diagnostics.is_some(), "the draft was never checked: indexing waits for the configuration");
    // Each settings change asks again; none of the asks may hold a handler for ever.
    for _ in 0..6 {
        client.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    }
    let answer = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 14 } }),
    );
    assert!(answer.get("result").is_some(), "{answer}");
    client.shutdown();
}

/// The same client, as things are: `exit` must still end the process even while the server waits for an
/// answer (a blocked server is killed by the editor otherwise, losing nothing but its own state).
#[test]
#[ignore = "bug: after `exit`, the transport waits for handlers that wait for the client's answer, so the process never ends"]
fn exit_ends_the_server_while_it_waits_for_the_client() {
    let ws = Workspace::new();
    let mut client = Client::start();
    client.answer_configuration.store(false, Ordering::SeqCst);
    let mut caps = capabilities();
    caps["workspace"]["configuration"] = json!(true);
    client.initialize(&ws.root, caps);
    client.notify("workspace/didChangeConfiguration", json!({ "settings": null }));
    client
        .wait_within(WAIT, |m| m["method"] == "workspace/configuration")
        .expect("the server asks for its settings");
    client.notify("exit", Value::Null);
    assert!(client.wait_exit(Duration::from_secs(10)).is_some(), "the server did not exit");
}

/// Code actions carry the document's version (`documentChanges`), so a client rejects them once the text has
/// moved on; the server never sends `workspace/applyEdit` on its own, whatever happens in the session.
#[test]
fn code_actions_are_versioned_and_never_applied_by_the_server() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let text = format!("Now “{DRIFTED}”.\n");
    client.change(&ws.draft, 2, None, &text);
    let diagnostics = client.diagnostics(&ws.draft, Some(2), WAIT).expect("diagnostics");
    let drift = diagnostics.iter().find(|d| d["code"] == "drift").expect("a drift").clone();
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
        assert!(action.get("command").is_none_or(Value::is_null), "no server-side command: {action}");
    }
    // The text moves on: an action asked for at the new version carries the new version.
    client.change(&ws.draft, 3, Some(json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } })), "So. ");
    let answer = client.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri(&ws.draft) },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 90 } },
                "context": { "diagnostics": [] } }),
    );
    for action in answer["result"].as_array().cloned().unwrap_or_default() {
        for change in action["edit"]["documentChanges"].as_array().cloned().unwrap_or_default() {
            assert_eq!(change["textDocument"]["version"], 3, "{action}");
        }
    }
    // The draft on disk was never written.
    assert_eq!(std::fs::read_to_string(&ws.draft).unwrap(), "");
    let _ = client.wait_within(Duration::from_millis(500), |_| false);
    assert!(
        client.history.iter().all(|m| m["method"] != "workspace/applyEdit"),
        "the server edited on its own"
    );
    client.shutdown();
}

/// A watched-file event for a FIFO that matches the source globs: the server must not block reading it.
#[cfg(unix)]
#[test]
#[ignore = "bug: workspace::read_text opens special files, so a FIFO source blocks the handler and `exit` never ends the server"]
fn fifo_source_change_does_not_block() {
    let ws = Workspace::new();
    let mut client = ready_session(&ws);
    let fifo = ws.root.join("sources/pipe.md");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri(&fifo), "type": 2 }] }));
    let answer = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&ws.draft) }, "position": { "line": 0, "character": 14 } }),
    );
    assert!(answer.get("result").is_some());
    let answer = client.request("shutdown", Value::Null);
    assert!(answer.get("error").is_none());
    client.notify("exit", Value::Null);
    let exited = client.wait_exit(Duration::from_secs(10));
    // Unblock a reader stuck on the FIFO before failing, so nothing lingers.
    let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
    assert!(exited.is_some(), "the server hangs on a FIFO");
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
    client.change(&ws.draft, 2, None, &format!("Now “{DRIFTED}”.\n"));
    let diagnostics = client.diagnostics(&ws.draft, Some(2), WAIT).expect("diagnostics");
    assert_eq!(codes(&diagnostics), ["drift"], "{diagnostics:#?}");
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
        text.push_str(&format!("Paragraph {i} is prose with “a scare quote” and nothing else.\n\n"));
        i += 1;
    }
    text.push_str(&format!("Last: “{VERIFIED}”.\n"));
    let big = ws.root.join("big.md");
    let started = Instant::now();
    client.open(&big, 1, &text);
    let diagnostics = client.diagnostics(&big, Some(1), Duration::from_secs(60)).expect("diagnostics of 5 MB");
    assert_eq!(codes(&diagnostics), ["verified"]);
    eprintln!("5 MB draft over stdio: {:?}", started.elapsed());
    let line = "word ".repeat(200_000);
    client.change(&big, 2, Some(json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } })), &line);
    let diagnostics = client.diagnostics(&big, Some(2), Duration::from_secs(60)).expect("diagnostics after 1 MB edit");
    assert_eq!(codes(&diagnostics), ["verified"]);
    client.shutdown();
}
