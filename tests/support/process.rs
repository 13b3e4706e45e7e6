//! The LSP client of the tests that drive the real binary (included with `#[path]` by `robustness_lsp.rs` and
//! `robustness_soak.rs`, and as `common::process` by the `lsp_*` tests): `verbatim lsp` over stdio with
//! Content-Length framing ([`wire`], which the in-process clients of `tests/common` and `fuzz/harness.rs` use
//! too), a reader thread that checks stdout carries nothing but framed JSON and answers the server's requests,
//! and helpers for the usual messages.
#![allow(dead_code, clippy::new_without_default)]

#[path = "wire.rs"]
pub mod wire;

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const WAIT: Duration = Duration::from_secs(20);

pub const SOURCE: &str = "---\ntitle: Statement\n---\n\nThe parties oppose the further expansion of NATO and call for the \
North Atlantic Alliance to refrain from ideological approaches from the time of the Cold War.\n";
pub const VERIFIED: &str =
    "oppose the further expansion of NATO and call for the North Atlantic Alliance";
pub const DRIFTED: &str =
    "oppose the further expansion of NATO and call on the North Atlantic Alliance";

pub use wire::frame;

/// A workspace with one source and one draft.
pub struct Workspace {
    pub _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub draft: PathBuf,
}

impl Workspace {
    pub fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("sources")).unwrap();
        std::fs::write(root.join("sources/statement.md"), SOURCE).unwrap();
        let draft = root.join("draft.md");
        std::fs::write(&draft, "").unwrap();
        Workspace {
            _dir: dir,
            root,
            draft,
        }
    }
}

pub use wire::plain_uri as uri;

/// The fake editor: the server's stdin, a thread reading its stdout (checking that only framed JSON appears
/// there) and answering its requests, and everything received so far.
pub struct Client {
    pub child: Child,
    pub stdin: Arc<Mutex<ChildStdin>>,
    pub received: mpsc::Receiver<Value>,
    pub history: Vec<Value>,
    pub next_id: i64,
    /// Whether `workspace/configuration` is answered.
    pub answer_configuration: Arc<AtomicBool>,
    /// Set by the reader when stdout carries anything but framed JSON.
    pub garbage: Arc<Mutex<Option<String>>>,
}

/// Where the server's log goes: the file `VERBATIM_TEST_SERVER_LOG` names (appended to), or nowhere.
fn server_log() -> Stdio {
    let Some(path) = std::env::var_os("VERBATIM_TEST_SERVER_LOG") else {
        return Stdio::null();
    };
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_or_else(|_| Stdio::null(), Stdio::from)
}

impl Client {
    pub fn start() -> Client {
        Client::start_with(&["lsp"], &[])
    }

    /// Starts the server with extra environment variables (e.g. the test hooks).
    pub fn start_with_env(variables: &[(&str, &str)]) -> Client {
        Client::start_with(&["lsp"], variables)
    }

    /// Starts `verbatim` with `arguments` and extra environment variables.
    pub fn start_with(arguments: &[&str], variables: &[(&str, &str)]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_verbatim"))
            .args(arguments)
            .env(
                "VERBATIM_LOG",
                std::env::var("VERBATIM_TEST_SERVER_LOG_LEVEL").unwrap_or_else(|_| "warn".into()),
            )
            .envs(variables.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(server_log())
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
                    let message = match wire::read_frame(&mut reader) {
                        wire::Frame::Message(message) => message,
                        wire::Frame::Garbage(text) => {
                            *garbage.lock().unwrap() = Some(text);
                            return;
                        }
                        wire::Frame::End => return,
                    };
                    let answer = answer_configuration.load(Ordering::SeqCst);
                    let configuration =
                        |items| answer.then(|| Value::Array(vec![json!({}); items]));
                    if let Some(reply) = wire::editor_reply(&message, configuration, false) {
                        let _ = stdin
                            .lock()
                            .unwrap()
                            .write_all(&wire::frame_message(&reply));
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

    pub fn send_raw(&self, bytes: &[u8]) {
        let mut stdin = self.stdin.lock().unwrap();
        let _ = stdin.write_all(bytes).and_then(|_| stdin.flush());
    }

    pub fn notify(&self, method: &str, params: Value) {
        let message = json!({ "jsonrpc": "2.0", "method": method, "params": params });
        self.send_raw(&frame(message.to_string().as_bytes()));
    }

    pub fn request_async(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        self.send_raw(&frame(message.to_string().as_bytes()));
        id
    }

    /// Waits for a message matching `matches` among those received (already or within `within`).
    pub fn wait_within(
        &mut self,
        within: Duration,
        matches: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
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

    pub fn response(&mut self, id: i64) -> Value {
        self.wait_within(WAIT, |m| m["id"] == id && m.get("method").is_none())
            .unwrap_or_else(|| {
                let garbage = self.garbage.lock().unwrap().clone();
                panic!("no answer to request {id} within {WAIT:?} (garbage on stdout: {garbage:?})")
            })
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        self.response(id)
    }

    /// `initialize` (with `capabilities`, the workspace as the only folder) and `initialized`.
    pub fn initialize(&mut self, root: &Path, capabilities: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({ "processId": null, "rootUri": uri(root), "capabilities": capabilities,
                    "workspaceFolders": [{ "uri": uri(root), "name": "ws" }] }),
        );
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&self, path: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri(path), "languageId": "markdown", "version": version, "text": text } }),
        );
    }

    pub fn change(&self, path: &Path, version: i64, range: Option<Value>, text: &str) {
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
    pub fn diagnostics(
        &mut self,
        path: &Path,
        version: Option<i64>,
        within: Duration,
    ) -> Option<Vec<Value>> {
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
        found.map(|m| {
            m["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
    }

    /// Waits for the process to end; `None` if it is still running after `within`.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
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

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    pub fn assert_clean_stdout(&self) {
        if let Some(garbage) = self.garbage.lock().unwrap().as_ref() {
            panic!("the server wrote something other than framed JSON on stdout: {garbage:?}");
        }
    }

    /// `shutdown` then `exit`; the process must end with 0.
    pub fn shutdown(mut self) {
        let answer = self.request("shutdown", Value::Null);
        assert!(answer.get("error").is_none(), "{answer}");
        self.notify("exit", Value::Null);
        let status = self
            .wait_exit(Duration::from_secs(10))
            .expect("the server exits after `exit`");
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

pub fn capabilities() -> Value {
    json!({
        "workspace": { "workspaceEdit": { "documentChanges": true }, "configuration": false },
        "textDocument": {
            "publishDiagnostics": { "versionSupport": true },
            "codeAction": { "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix"] } } }
        }
    })
}

/// The text a diagnostic's range covers (UTF-16 positions; the drafts here are ASCII and “”).
pub fn covered<'a>(text: &'a str, range: &Value) -> &'a str {
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

pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> = diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .filter(|c| c != "drift-word")
        .collect();
    codes.sort();
    codes
}
