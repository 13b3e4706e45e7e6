//! Shared helpers for the language server's end-to-end tests: an LSP client speaking Content-Length framed
//! JSON-RPC to `verbatim::lsp::serve` over an in-memory duplex pipe, answering the server's requests the way an
//! editor would, and recording every notification for assertions.
#![allow(dead_code)]

#[path = "../support/process.rs"]
pub mod process;

pub use process::wire;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::{mpsc, oneshot, Notify};

/// How long any single wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Writes one framed message.
async fn write_message(
    writer: &mut WriteHalf<DuplexStream>,
    message: &Value,
) -> std::io::Result<()> {
    writer.write_all(&wire::frame_message(message)).await?;
    writer.flush().await
}

/// Reads one framed message; `None` at end of stream.
async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Option<Value> {
    match wire::read_frame_async(reader).await {
        wire::Frame::Message(message) => Some(message),
        wire::Frame::Garbage(garbage) => {
            panic!("the server wrote something else than a message: {garbage:?}")
        }
        wire::Frame::End => None,
    }
}

/// What the fake editor answers to the server's requests.
#[derive(Default)]
struct Answers {
    /// The `verbatim` section returned by `workspace/configuration`.
    configuration: Value,
}

/// A fake editor connected to a fresh server.
pub struct TestClient {
    outgoing: mpsc::UnboundedSender<Value>,
    pending: Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>,
    /// Every message from the server that is not a response: notifications and server requests, in order.
    history: Arc<Mutex<Vec<Value>>>,
    arrived: Arc<Notify>,
    answers: Arc<Mutex<Answers>>,
    next_id: Mutex<i64>,
    pub initialize_result: Value,
    server: tokio::task::JoinHandle<()>,
}

/// Client capabilities of a capable editor (VS Code-like, with UTF-16 positions and push diagnostics).
pub fn full_capabilities() -> Value {
    json!({
        "general": { "positionEncodings": ["utf-16"] },
        "window": { "workDoneProgress": true },
        "workspace": {
            "configuration": true,
            "workspaceFolders": true,
            "didChangeConfiguration": { "dynamicRegistration": true },
            "didChangeWatchedFiles": { "dynamicRegistration": true, "relativePatternSupport": true },
            "workspaceEdit": { "documentChanges": true },
            "codeLens": { "refreshSupport": true }
        },
        "textDocument": {
            "synchronization": { "dynamicRegistration": false },
            "hover": { "contentFormat": ["markdown", "plaintext"] },
            "definition": { "linkSupport": true },
            "publishDiagnostics": { "relatedInformation": true, "versionSupport": true },
            "codeAction": { "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix"] } } },
            "codeLens": {}
        }
    })
}

/// Client capabilities of a minimal editor: nothing optional.
pub fn bare_capabilities() -> Value {
    json!({})
}

impl TestClient {
    /// Starts a server, sends `initialize` (with `root` as the only workspace folder, if any) and `initialized`.
    pub async fn start(
        capabilities: Value,
        root: Option<&Path>,
        initialization_options: Value,
    ) -> TestClient {
        let folders = root.map(|root| vec![json!({ "uri": file_uri(root), "name": "root" })]);
        TestClient::start_with_folders(capabilities, folders, initialization_options).await
    }

    pub async fn start_with_folders(
        capabilities: Value,
        folders: Option<Vec<Value>>,
        initialization_options: Value,
    ) -> TestClient {
        let client = TestClient::connect();
        let params = json!({
            "processId": null,
            "rootUri": null,
            "capabilities": capabilities,
            "workspaceFolders": folders,
            "initializationOptions": initialization_options,
        });
        let mut client = client;
        client.initialize_result = client.request("initialize", params).await;
        client.notify("initialized", json!({}));
        client
    }

    /// A server and the plumbing around it, before `initialize`.
    pub fn connect() -> TestClient {
        let (client_side, server_side) = tokio::io::duplex(1 << 16);
        let (server_in, server_out) = tokio::io::split(server_side);
        let server = tokio::spawn(async move {
            verbatim::lsp::serve(server_in, server_out).await;
        });
        let (client_in, mut client_out) = tokio::io::split(client_side);
        let (outgoing, mut queue) = mpsc::unbounded_channel::<Value>();
        tokio::spawn(async move {
            while let Some(message) = queue.recv().await {
                if write_message(&mut client_out, &message).await.is_err() {
                    break;
                }
            }
        });
        let client = TestClient {
            outgoing,
            pending: Arc::default(),
            history: Arc::default(),
            arrived: Arc::new(Notify::new()),
            answers: Arc::default(),
            next_id: Mutex::new(1),
            initialize_result: Value::Null,
            server,
        };
        client.spawn_reader(client_in);
        client
    }

    fn spawn_reader(&self, reader: tokio::io::ReadHalf<DuplexStream>) {
        let pending = self.pending.clone();
        let history = self.history.clone();
        let arrived = self.arrived.clone();
        let answers = self.answers.clone();
        let replies = self.outgoing.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(reader);
            while let Some(message) = read_message(&mut reader).await {
                if message.get("method").is_none() {
                    let id = message["id"].as_i64().unwrap_or(-1);
                    if let Some(tx) = pending.lock().unwrap().remove(&id) {
                        let _ = tx.send(message);
                    }
                    continue;
                }
                // A server request: answer it like an editor would.
                let section = answers.lock().unwrap().configuration.clone();
                let configuration = |items| Some(Value::Array(vec![section; items]));
                if let Some(reply) = wire::editor_reply(&message, configuration, true) {
                    let _ = replies.send(reply);
                }
                history.lock().unwrap().push(message);
                arrived.notify_waiters();
            }
        });
    }

    /// Sets what `workspace/configuration` answers from now on (the `verbatim` section).
    pub fn set_configuration(&self, section: Value) {
        self.answers.lock().unwrap().configuration = section;
    }

    /// Sends a request and waits for its response; returns the whole response (`result` or `error`).
    pub async fn request_raw(&self, method: &str, params: Value) -> Value {
        let id = {
            let mut next = self.next_id.lock().unwrap();
            *next += 1;
            *next
        };
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        self.outgoing
            .send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .unwrap();
        tokio::time::timeout(TIMEOUT, rx)
            .await
            .unwrap_or_else(|_| panic!("no response to {method} within {TIMEOUT:?}"))
            .unwrap()
    }

    /// Sends a request and returns its `result`, failing the test on an error response.
    pub async fn request(&self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params).await;
        if let Some(error) = response.get("error") {
            panic!("{method} failed: {error}");
        }
        response["result"].clone()
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.outgoing
            .send(json!({ "jsonrpc": "2.0", "method": method, "params": params }))
            .unwrap();
    }

    /// Everything the server has sent so far, responses aside.
    pub fn history(&self) -> Vec<Value> {
        self.history.lock().unwrap().clone()
    }

    /// How many messages have arrived so far (a mark for [`TestClient::wait_for_after`]).
    pub fn mark(&self) -> usize {
        self.history.lock().unwrap().len()
    }

    /// Waits for the first message (from the start) for which `matches` holds.
    pub async fn wait_for(&self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        self.wait_for_after(0, what, matches).await
    }

    /// Waits for the first message after `mark` for which `matches` holds.
    pub async fn wait_for_after(
        &self,
        mark: usize,
        what: &str,
        matches: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            let notified = self.arrived.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(found) = self
                .history
                .lock()
                .unwrap()
                .iter()
                .skip(mark)
                .find(|m| matches(m))
            {
                return found.clone();
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let methods: Vec<String> = self
                    .history()
                    .iter()
                    .skip(mark)
                    .map(|m| format!("{} {}", m["method"], short(&m["params"])))
                    .collect();
                panic!(
                    "timed out waiting for {what}; got after mark {mark}:\n{}",
                    methods.join("\n")
                );
            }
        }
    }

    /// Waits for diagnostics published for `uri` (for `version`, when given) after `mark`.
    pub async fn diagnostics_after(
        &self,
        mark: usize,
        uri: &str,
        version: Option<i64>,
    ) -> Vec<Value> {
        let message = self
            .wait_for_after(mark, &format!("diagnostics for {uri} v{version:?}"), |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == uri
                    && version.is_none_or(|v| m["params"]["version"] == v)
            })
            .await;
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Waits for diagnostics published for `uri` after `mark` (for `version`, when given) for which `holds` is
    /// true: the state the test asserts, not the first message that looks like it (a check that began before
    /// the change the test made may still be published before the change's own). On timeout, fails listing
    /// every message since `mark`.
    pub async fn diagnostics_until(
        &self,
        mark: usize,
        uri: &str,
        version: Option<i64>,
        what: &str,
        holds: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let message = self
            .wait_for_after(
                mark,
                &format!("diagnostics for {uri} v{version:?}: {what}"),
                |m| {
                    m["method"] == "textDocument/publishDiagnostics"
                        && m["params"]["uri"] == uri
                        && version.is_none_or(|v| m["params"]["version"] == v)
                        && m["params"]["diagnostics"]
                            .as_array()
                            .is_some_and(|d| holds(d))
                },
            )
            .await;
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Opens a document with its text.
    pub fn open(&self, uri: &str, language_id: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language_id, "version": version, "text": text } }),
        );
    }

    /// Sends one incremental change.
    pub fn change(&self, uri: &str, version: i64, range: Value, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": range, "text": text }]
            }),
        );
    }

    /// Replaces the first `old` in the client's copy of the text with `new`, sent as an incremental change.
    pub fn edit(&self, uri: &str, version: i64, text: &mut String, old: &str, new: &str) {
        let start = text
            .find(old)
            .unwrap_or_else(|| panic!("{old:?} not in {text:?}"));
        let range =
            json!({ "start": utf16_pos(text, start), "end": utf16_pos(text, start + old.len()) });
        self.change(uri, version, range, new);
        text.replace_range(start..start + old.len(), new);
    }

    /// Retypes `first` in the client's copy of the text `times` times, one incremental change a version from
    /// `after + 1` on (`word0`, `word1`, … in between), ending on `last`; returns the last version sent.
    pub fn retype(
        &self,
        uri: &str,
        after: i64,
        text: &mut String,
        first: &str,
        last: &str,
        times: usize,
    ) -> i64 {
        let mut current = first.to_string();
        let mut version = after;
        for i in 0..times {
            version += 1;
            let next = if i + 1 == times {
                last.to_string()
            } else {
                format!("word{i}")
            };
            self.edit(uri, version, text, &current, &next);
            current = next;
        }
        version
    }

    /// Sends a whole-text change.
    pub fn replace_all(&self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    pub async fn hover(&self, uri: &str, position: Value) -> Value {
        self.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": position }),
        )
        .await
    }

    /// Shuts the server down politely and checks that it stops.
    pub async fn shutdown(self) {
        let result = self.request_raw("shutdown", Value::Null).await;
        assert!(result.get("error").is_none(), "shutdown failed: {result}");
        self.notify("exit", Value::Null);
        let _ = tokio::time::timeout(TIMEOUT, self.server)
            .await
            .expect("server did not exit");
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 300 {
        format!(
            "{}…",
            &text[..text.char_indices().nth(300).map_or(text.len(), |(i, _)| i)]
        )
    } else {
        text
    }
}

/// An LSP position.
pub fn pos(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

/// An LSP range.
pub fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({ "start": pos(start.0, start.1), "end": pos(end.0, end.1) })
}

/// The UTF-16 position of byte `offset` of `text` (as a UTF-16 client computes it).
pub fn utf16_pos(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before
        .replace("\r\n", "\n")
        .chars()
        .filter(|&c| c == '\n' || c == '\r')
        .count();
    let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
    pos(
        line as u32,
        before[line_start..].encode_utf16().count() as u32,
    )
}

/// The UTF-16 position of the first occurrence of `needle` in `text` (its start).
pub fn find_pos(text: &str, needle: &str) -> Value {
    utf16_pos(
        text,
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in text")),
    )
}

/// The byte offset of an LSP position (UTF-16 columns) in `text`, as an editor computes it.
pub fn utf16_offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 2;
            starts.push(i);
        } else if bytes[i] == b'\n' || bytes[i] == b'\r' {
            i += 1;
            starts.push(i);
        } else {
            i += 1;
        }
    }
    if line >= starts.len() {
        return text.len();
    }
    let start = starts[line];
    let mut units = 0;
    for (index, ch) in text[start..].char_indices() {
        if units >= character || ch == '\n' || ch == '\r' {
            return start + index;
        }
        units += ch.len_utf16();
    }
    text.len()
}

/// The text an LSP range (UTF-16 columns) covers.
pub fn text_in<'a>(text: &'a str, range: &Value) -> &'a str {
    &text[utf16_offset(text, &range["start"])..utf16_offset(text, &range["end"])]
}

/// Applies LSP text edits (UTF-16 ranges) to a text, as an editor would.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut resolved: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                utf16_offset(text, &e["range"]["start"]),
                utf16_offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Later edits first, so that earlier offsets stay valid; inserts at one point keep their order.
    resolved.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut out = text.to_string();
    for (start, end, new_text) in resolved {
        out.replace_range(start..end, &new_text);
    }
    out
}

/// The edits of a code action for `uri`, from `documentChanges` or `changes`.
pub fn action_edits(action: &Value, uri: &str) -> Vec<Value> {
    if let Some(changes) = action["edit"]["documentChanges"].as_array() {
        return changes
            .iter()
            .filter(|c| c["textDocument"]["uri"] == uri)
            .flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default())
            .collect();
    }
    action["edit"]["changes"][uri]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// A copy of `fixtures/lsp/basic` with the URI and text of its draft.
pub struct Basic {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub draft_uri: String,
    pub draft: String,
    pub source_uri: String,
}

impl Basic {
    pub fn new() -> Basic {
        let (dir, root) = copy_fixture("fixtures/lsp/basic");
        let draft_path = root.join("drafts/draft.md");
        let draft = std::fs::read_to_string(&draft_path).unwrap();
        Basic {
            draft_uri: file_uri(&draft_path),
            source_uri: file_uri(&root.join("sources/statement.md")),
            draft,
            root,
            dir,
        }
    }
}

/// The quotes of `fixtures/lsp/basic/drafts/draft.md`, between their marks.
pub const VERIFIED: &str =
    "The parties oppose the further expansion of NATO and call for the North Atlantic \
                            Alliance to refrain from ideological approaches.";
pub const DRIFT: &str = "strengthen dialogue and build mutual trust between all nations";
pub const UNSOURCED: &str = "the moon is made of green cheese and always has been";

/// The diagnostic with this code whose range covers `quoted`.
pub fn find_diagnostic<'a>(
    diagnostics: &'a [Value],
    text: &str,
    code: &str,
    quoted: &str,
) -> &'a Value {
    diagnostics
        .iter()
        .find(|d| d["code"] == code && text_in(text, &d["range"]) == quoted)
        .unwrap_or_else(|| {
            let found: Vec<String> = diagnostics
                .iter()
                .map(|d| format!("{} {:?}", d["code"], text_in(text, &d["range"])))
                .collect();
            panic!("no {code} diagnostic on {quoted:?}; found {found:#?}")
        })
}

pub use wire::file_uri;

/// Copies `fixtures/lsp/<name>` (or any fixture folder relative to the crate) into a fresh temporary folder.
pub fn copy_fixture(relative: &str) -> (tempfile::TempDir, PathBuf) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("ws");
    copy_dir(&from, &to);
    let to = to.canonicalize().unwrap();
    (dir, to)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
