//! The fuzz harness shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`) and by the always-on corpus
//! replay test (`tests/robustness_fuzz_corpus.rs`), so that every committed corpus file and crash regression
//! runs through exactly the same code in `cargo test`.
//!
//! Each entry point takes arbitrary bytes and panics only when verbatim misbehaves: a panic inside verbatim,
//! an invalid byte range, an edit that disagrees with the same edit on a `String`, or a language server that
//! hangs (does not answer a request or does not stop after `exit`).
//!
//! Shared with the tests: the text pieces and the range check (`tests/support/pieces.rs`, also used by
//! `tests/engine_properties.rs`) and the LSP wire format with a fake editor's answers (`tests/support/wire.rs`,
//! also used by the test clients).
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use ropey::Rope;
use serde_json::{json, Value};
use tower_lsp_server::ls_types::{Position, TextDocumentContentChangeEvent};
use verbatim::config::{Config, RawSettings};
use verbatim::engine::normalize::{normalize_word, words};
use verbatim::engine::{find_quotes, Corpus, EngineSettings, TextFormat};
use verbatim::lsp::document::apply_change;
use verbatim::lsp::position::{
    offset_to_position, position_to_offset, range_to_lsp, PositionEncoding,
};
use verbatim::workspace::{decode_text, Workspace};

#[path = "../tests/support/pieces.rs"]
mod pieces;
#[path = "../tests/support/wire.rs"]
mod wire;

use pieces::boundaries;
pub use pieces::{assert_range, PIECES};
use wire::{frame, plain_uri as uri_of};

/// Reads fuzz bytes as choices; past the end every read is 0.
pub struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data, at: 0 }
    }

    pub fn done(&self) -> bool {
        self.at >= self.data.len()
    }

    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.byte() as usize % n
        }
    }

    /// A number that is usually small but may be huge (positions past the end, odd versions).
    pub fn number(&mut self) -> u32 {
        match self.byte() % 8 {
            0..=4 => u32::from(self.byte() % 16),
            5 => u32::from(self.byte()),
            6 => u32::from(u16::from_le_bytes([self.byte(), self.byte()])),
            _ => u32::from_le_bytes([self.byte(), self.byte(), self.byte(), self.byte()]),
        }
    }

    /// Text made of up to `max` pieces; some bytes become raw characters.
    pub fn text(&mut self, max: usize) -> String {
        let count = self.below(max + 1);
        let mut out = String::new();
        for _ in 0..count {
            let b = self.byte();
            if b >= 0xF0 {
                out.push(char::from_u32(u32::from(self.byte()) + 0x20).unwrap_or('x'));
            } else {
                out.push_str(PIECES[b as usize % PIECES.len()]);
            }
        }
        out
    }

    /// The rest of the input, as text (lossily).
    pub fn rest(&mut self) -> String {
        let rest = self.data.get(self.at..).unwrap_or_default();
        self.at = self.data.len();
        String::from_utf8_lossy(rest).into_owned()
    }
}

pub const SOURCE: &str = "---\ntitle: Statement\ndate: 2022-02-04\n---\n\n“The parties oppose the further expansion \
of NATO and call for the North Atlantic Alliance to refrain from ideological approaches from the time of the Cold \
War,” it reads.\n\nThe meeting between Putin and Xi… comes amid a series of warnings. They don’t agree [sic].\n";

fn sample_corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut corpus = Corpus::new();
        corpus.upsert_source(
            "sources/statement.md",
            SOURCE.to_string(),
            TextFormat::Markdown,
        );
        corpus.upsert_source(
            "sources/copy.txt",
            SOURCE.replace('“', "\""),
            TextFormat::PlainText,
        );
        corpus
    })
}

/// Checks every finding of `draft` against `corpus` for valid ranges (in the draft and in the sources).
fn check_findings(corpus: &Corpus, draft: &str, format: TextFormat, settings: &EngineSettings) {
    for finding in corpus.check_draft(draft, format, settings) {
        assert_range(draft, &finding.quote.range, "quote");
        assert_range(draft, &finding.quote.outer, "quote with marks");
        for edit in &finding.edits {
            assert_range(draft, &edit.quote_range, "edit in the draft");
        }
        for passage in finding.passage.iter().chain(&finding.also_in) {
            let source = corpus
                .source(passage.source)
                .expect("a passage names a live source");
            assert_range(&source.text, &passage.range, "passage");
            assert_range(&source.text, &passage.sentence, "sentence");
            for edit in &finding.edits {
                if passage.source == finding.passage.as_ref().unwrap().source {
                    assert_range(&source.text, &edit.source_range, "edit in the source");
                }
            }
        }
        assert!(
            (0.0..=1.0).contains(&finding.similarity),
            "similarity {}",
            finding.similarity
        );
        assert_range(draft, &finding.range(), "finding range");
        if let Some(attribution) = &finding.attribution {
            assert_range(draft, &attribution.range, "speaker in the draft");
        }
        if let (Some(attribution), Some(passage)) = (&finding.source_attribution, &finding.passage)
        {
            let source = corpus.source(passage.source).expect("a live source");
            assert_range(&source.text, &attribution.range, "speaker in the source");
        }
    }
}

/// Target `quotes`: quote extraction on any draft, Markdown or plain text, then verdicts against a fixed corpus.
pub fn quotes(data: &[u8]) {
    let mut r = Reader::new(data);
    let format = if r.byte() & 1 == 0 {
        TextFormat::Markdown
    } else {
        TextFormat::PlainText
    };
    let settings = EngineSettings {
        min_words: 1 + r.below(4),
        max_quote_words: [400, 3, 40][r.below(3)],
        ..EngineSettings::default()
    };
    // Either structured pieces or the raw bytes.
    let draft = if r.byte() & 1 == 0 {
        r.text(200)
    } else {
        r.rest()
    };
    let quotes = find_quotes(&draft, format, &settings);
    let mut previous_end = 0;
    for quote in &quotes {
        assert_range(&draft, &quote.range, "quote");
        assert_range(&draft, &quote.outer, "outer");
        assert!(quote.outer.start <= quote.range.start && quote.range.end <= quote.outer.end);
        assert!(
            quote.outer.start >= previous_end,
            "quotes overlap: {quotes:?}"
        );
        previous_end = quote.outer.end;
        for segment in &quote.segments {
            assert_range(&draft, segment, "segment");
            assert!(quote.range.start <= segment.start && segment.end <= quote.range.end);
        }
    }
    check_findings(sample_corpus(), &draft, format, &settings);
}

/// Target `align`: normalization and alignment with a fuzzed source as well as a fuzzed draft.
pub fn align(data: &[u8]) {
    let mut r = Reader::new(data);
    let source_format = if r.byte() & 1 == 0 {
        TextFormat::Markdown
    } else {
        TextFormat::PlainText
    };
    let settings = EngineSettings {
        min_words: 1,
        drift_threshold: [0.5, 0.05, 1.0][r.below(3)],
        drift_min_matched_words: 1 + r.below(3),
        bracket_max_words: [6, 0, 50][r.below(3)],
        max_quote_words: 400,
        attribution: r.byte() & 1 == 0,
        ..EngineSettings::default()
    };
    let source = r.text(120);
    let quoted = r.text(60);
    let draft = format!("He said “{quoted}” and \"{quoted}\".\n\n> {quoted}\n");
    for word in words(&source, 0..source.len()) {
        assert_range(&source, &word, "word");
        let mut normal = String::new();
        normalize_word(&source[word], &mut normal);
    }
    let mut corpus = Corpus::new();
    corpus.upsert_source("a", source.clone(), source_format);
    corpus.upsert_source("b", format!("{source}\n\n{quoted}"), TextFormat::PlainText);
    check_findings(&corpus, &draft, TextFormat::Markdown, &settings);
    // The quote taken from the source word for word verifies.
    let mut cache = verbatim::engine::VerdictCache::new();
    let first = corpus.check_draft_cached(&draft, TextFormat::Markdown, &settings, &mut cache);
    let again = corpus.check_draft_cached(&draft, TextFormat::Markdown, &settings, &mut cache);
    assert_eq!(first, again, "the verdict cache changes findings");
    corpus.remove_source("a");
    check_findings(&corpus, &draft, TextFormat::Markdown, &settings);
}

const ENCODINGS: [PositionEncoding; 3] = [
    PositionEncoding::Utf8,
    PositionEncoding::Utf16,
    PositionEncoding::Utf32,
];

/// Target `edits`: incremental document edits and position conversion, against the same edits on a `String`.
pub fn edits(data: &[u8]) {
    let mut r = Reader::new(data);
    let encoding = ENCODINGS[r.below(3)];
    let mut model = r.text(40);
    let mut rope = Rope::from_str(&model);
    let steps = r.below(40);
    for _ in 0..steps {
        if r.done() {
            break;
        }
        let insert = r.text(6);
        let change = match r.below(3) {
            0 => {
                // A range between two real positions: must equal the `String` edit exactly.
                let bounds = boundaries(&model);
                let a = bounds[r.below(bounds.len())];
                let b = bounds[r.below(bounds.len())];
                let (start, end) = (a.min(b), a.max(b));
                let range = range_to_lsp(&rope, &(start..end), encoding);
                model.replace_range(start..end, &insert);
                TextDocumentContentChangeEvent {
                    range: Some(range),
                    range_length: None,
                    text: insert,
                }
            }
            1 => {
                // Any positions, past the end of lines and of the text, inverted: clamped, never a panic.
                let start = Position::new(r.number(), r.number());
                let end = Position::new(r.number(), r.number());
                let a = position_to_offset(&rope, start, encoding);
                let b = position_to_offset(&rope, end, encoding);
                assert!(
                    model.is_char_boundary(a) && model.is_char_boundary(b),
                    "{a} {b}"
                );
                model.replace_range(a.min(b)..a.max(b), &insert);
                let range = tower_lsp_server::ls_types::Range::new(start, end);
                TextDocumentContentChangeEvent {
                    range: Some(range),
                    range_length: Some(7),
                    text: insert,
                }
            }
            _ => {
                model = insert.clone();
                TextDocumentContentChangeEvent {
                    range: None,
                    range_length: None,
                    text: insert,
                }
            }
        };
        apply_change(&mut rope, &change, encoding);
        assert_eq!(rope.to_string(), model, "after {change:?}");
        // Positions round-trip at a few offsets, in every encoding; UTF-16 columns agree with std.
        let bounds = boundaries(&model);
        for _ in 0..3 {
            let offset = bounds[r.below(bounds.len())];
            for enc in ENCODINGS {
                let position = offset_to_position(&rope, offset, enc);
                assert_eq!(
                    position_to_offset(&rope, position, enc),
                    offset,
                    "{enc:?} {position:?}"
                );
            }
            let before = &model[..offset];
            let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let column = before[line_start..].encode_utf16().count() as u32;
            assert_eq!(
                offset_to_position(&rope, offset, PositionEncoding::Utf16).character,
                column
            );
        }
    }
}

/// Target `config`: `verbatim.toml` and editor settings of any shape, and file decoding.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (raw, _) = RawSettings::from_toml_str(&text);
    let (config, _) = Config::from_raw(&raw);
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        let (json_raw, _) = RawSettings::from_json(&value);
        let mut layered = raw.clone();
        layered.overlay(&json_raw);
        let (layered, _) = Config::from_raw(&layered);
        assert!(layered.engine.min_words >= 1);
    }
    assert!(config.engine.min_words >= 1 && config.engine.min_words <= 1000);
    assert!(config.engine.drift_threshold.is_finite());
    let workspace = Workspace::with_config(
        PathBuf::from("/nonexistent/ws"),
        config.clone(),
        raw,
        Vec::new(),
    );
    let _ = workspace.is_source(std::path::Path::new("/nonexistent/ws/sources/a.md"));
    let _ = workspace.is_draft(std::path::Path::new("/nonexistent/ws/drafts/b.md"));
    if let Ok((decoded, _)) = decode_text(data.to_vec()) {
        let _ = find_quotes(&decoded, TextFormat::Markdown, &config.engine);
    }
}

// ---------------------------------------------------------------------------------------------------------
// The language server's message loop, in process.

/// A workspace on disk shared by every run: one source, one draft, settings.
pub fn lsp_workspace() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("verbatim-fuzz-lsp-{}", std::process::id()));
        let _ = std::fs::create_dir_all(root.join("sources"));
        std::fs::write(root.join("sources/statement.md"), SOURCE).expect("write the source");
        std::fs::write(root.join("verbatim.toml"), "min_words = 2\n").expect("write the settings");
        root.canonicalize().unwrap_or(root)
    })
}

/// Reads one framed message from the server; `None` at the end of the stream.
async fn read_frame<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Option<Value> {
    match wire::read_frame_async(reader).await {
        wire::Frame::Message(message) => Some(message),
        wire::Frame::Garbage(garbage) => {
            panic!("the server wrote something else than framed JSON: {garbage:?}")
        }
        wire::Frame::End => None,
    }
}

struct Ids {
    next: i64,
    expected: Vec<i64>,
}

impl Ids {
    fn request(&mut self, method: &str, params: Value) -> Vec<u8> {
        let id = self.next;
        self.next += 1;
        self.expected.push(id);
        frame(
            json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
                .to_string()
                .as_bytes(),
        )
    }
}

/// Whether the fuzzed client may leave `workspace/configuration` unanswered for ever (in half the sessions that
/// do not answer it properly; the other half answer with the wrong shape). The server times out its requests to the client and stops within a grace period
/// after `exit` whatever its handlers wait for (see RELIABILITY.md), so a session must still answer every
/// request and stop in time.
pub const NEVER_ANSWER_CONFIGURATION: bool = true;

/// How long the server may take to stop after `exit` (its grace period for running handlers is 1 s).
pub const EXIT_DEADLINE: Duration = Duration::from_secs(5);

/// How long the server may take to answer everything once the client is done (a hang is a failure).
pub const LSP_DEADLINE: Duration = Duration::from_secs(20);

/// Target `lsp`: a fuzzed session with the language server: lifecycle, edits with any versions and ranges,
/// requests for unknown documents, cancellations, settings, file events, raw frames, `exit` with or without
/// `shutdown`. Fails when the server panics or does not answer a request or stop in time.
pub fn lsp(data: &[u8]) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(lsp_session(data));
    runtime.shutdown_timeout(Duration::from_millis(100));
}

async fn lsp_session(data: &[u8]) {
    use std::collections::HashSet;
    use std::sync::{Arc, Mutex};
    use tokio::io::AsyncWriteExt;

    let root = lsp_workspace();
    let mut r = Reader::new(data);
    let flags = r.byte();
    let raw_frames = flags & 0x40 != 0;
    let answer_configuration = flags & 2 == 0;
    // Of the sessions that do not answer `workspace/configuration` properly, half never answer it.
    let never_answer_configuration = NEVER_ANSWER_CONFIGURATION && flags & 4 != 0;
    let capabilities = match flags % 4 {
        0 => json!({}),
        _ => json!({
            "general": { "positionEncodings": [(["utf-16", "utf-8", "utf-32"][r.below(3)])] },
            "window": { "workDoneProgress": flags & 4 != 0 },
            "workspace": {
                "configuration": true,
                "didChangeConfiguration": { "dynamicRegistration": flags & 8 != 0 },
                "didChangeWatchedFiles": { "dynamicRegistration": flags & 16 != 0, "relativePatternSupport": true },
                "workspaceEdit": { "documentChanges": flags & 32 != 0 },
                "codeLens": { "refreshSupport": true },
                "diagnostics": { "refreshSupport": true }
            },
            "textDocument": {
                "hover": { "contentFormat": ["markdown"] },
                "publishDiagnostics": { "relatedInformation": true, "versionSupport": true },
                "codeAction": { "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix"] } } },
                "codeLens": {},
                "diagnostic": {}
            }
        }),
    };

    let (client_side, server_side) = tokio::io::duplex(1 << 16);
    let (server_in, server_out) = tokio::io::split(server_side);
    let server = tokio::spawn(verbatim::lsp::serve(server_in, server_out));
    let (client_in, client_out) = tokio::io::split(client_side);
    let client_out = Arc::new(tokio::sync::Mutex::new(client_out));
    let answered: Arc<Mutex<HashSet<i64>>> = Arc::default();
    let (answer_tx, mut answer_rx) = tokio::sync::mpsc::unbounded_channel::<i64>();

    // The client's reader: records answers, answers the server's requests like an editor (or never answers
    // `workspace/configuration`).
    {
        let answered = answered.clone();
        let writer = client_out.clone();
        tokio::spawn(async move {
            let mut reader = tokio::io::BufReader::new(client_in);
            while let Some(message) = read_frame(&mut reader).await {
                match (
                    message.get("method").and_then(Value::as_str),
                    message.get("id"),
                ) {
                    (None, Some(id)) => {
                        let id = id.as_i64().unwrap_or(-1);
                        answered.lock().unwrap().insert(id);
                        let _ = answer_tx.send(id);
                    }
                    (Some(_), Some(_)) => {
                        if std::env::var_os("VERBATIM_FUZZ_TRACE").is_some() {
                            eprintln!("<< {message}");
                        }
                        let configuration = |items| {
                            if answer_configuration {
                                Some(Value::Array(vec![json!({ "min_words": 2 }); items]))
                            } else if never_answer_configuration {
                                None
                            } else {
                                // An answer of the wrong shape: too few items, not objects.
                                Some(json!([null, 3]))
                            }
                        };
                        if let Some(reply) = wire::editor_reply(&message, configuration, false) {
                            let mut out = writer.lock().await;
                            let _ = out.write_all(&wire::frame_message(&reply)).await;
                        }
                    }
                    _ => {}
                }
            }
        });
    }

    let trace = std::env::var_os("VERBATIM_FUZZ_TRACE").is_some();
    let send = |message: Vec<u8>| {
        let writer = client_out.clone();
        if trace {
            eprintln!(">> {}", String::from_utf8_lossy(&message));
        }
        async move { writer.lock().await.write_all(&message).await.is_ok() }
    };
    let mut ids = Ids {
        next: 1,
        expected: Vec::new(),
    };
    let notify = |method: &str, params: Value| {
        frame(
            json!({ "jsonrpc": "2.0", "method": method, "params": params })
                .to_string()
                .as_bytes(),
        )
    };

    let draft_path = root.join(format!("draft-{}.md", r.byte() % 4));
    let draft_uri = uri_of(&draft_path);
    let source_uri = uri_of(&root.join("sources/statement.md"));
    let unopened_uri = uri_of(&root.join("never-opened.md"));
    let folders = json!([{ "uri": uri_of(root), "name": "ws" }]);
    let init = ids.request(
        "initialize",
        json!({ "processId": null, "rootUri": null, "capabilities": capabilities, "workspaceFolders": folders,
                "initializationOptions": if flags & 0x80 != 0 { json!({ "min_words": "two", "colour": 1 }) } else { Value::Null } }),
    );
    send(init).await;
    if flags & 1 == 0 {
        send(notify("initialized", json!({}))).await;
    }
    let mut version: i64 = 1;
    let first_text = r.text(60);
    send(notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": draft_uri, "languageId": "markdown", "version": version, "text": first_text } }),
    ))
    .await;

    let mut exited = false;
    let mut shutdown_sent = false;
    let steps = r.below(48);
    for _ in 0..steps {
        if r.done() {
            break;
        }
        let uri = match r.below(8) {
            0 => unopened_uri.clone(),
            1 => source_uri.clone(),
            2 => "untitled:Untitled-1".to_string(),
            _ => draft_uri.clone(),
        };
        let position = json!({ "line": r.number(), "character": r.number() });
        let range =
            json!({ "start": position, "end": { "line": r.number(), "character": r.number() } });
        let message = match r.below(20) {
            0..=4 => {
                version += [1, 1, 1, 0, -1, 5][r.below(6)];
                let change = if r.below(5) == 0 {
                    json!({ "text": r.text(40) })
                } else {
                    json!({ "range": range, "text": r.text(8) })
                };
                notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }),
                )
            }
            5 => ids.request("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": position })),
            6 => ids.request(
                "textDocument/codeAction",
                json!({ "textDocument": { "uri": uri }, "range": range, "context": { "diagnostics": [] } }),
            ),
            7 => ids.request("textDocument/definition", json!({ "textDocument": { "uri": uri }, "position": position })),
            8 => ids.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })),
            9 => ids.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri } })),
            10 => notify("$/cancelRequest", json!({ "id": ids.next - 1 - r.below(3) as i64 })),
            11 => notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } })),
            12 => notify(
                "textDocument/didOpen",
                json!({ "textDocument": { "uri": uri, "languageId": (["markdown", "plaintext", "rust"][r.below(3)]),
                        "version": version, "text": r.text(40) } }),
            ),
            13 => notify(
                "workspace/didChangeConfiguration",
                json!({ "settings": { "verbatim": { "min_words": r.number(), "drift_threshold": f64::from(r.byte()) / 100.0,
                        "sources": [(["sources/**/*.md", "[", "**"][r.below(3)])], "severity": { "drift": "loud" } } } }),
            ),
            14 => notify(
                "workspace/didChangeWatchedFiles",
                json!({ "changes": [{ "uri": ([source_uri.clone(), uri_of(&root.join("verbatim.toml")), unopened_uri.clone()][r.below(3)]),
                        "type": 1 + r.below(3) }] }),
            ),
            15 => ids.request(["textDocument/completion", "workspace/symbol", "verbatim/unknown"][r.below(3)], json!({})),
            16 if raw_frames => {
                let body = r.text(10).into_bytes();
                if r.byte() & 1 == 0 { frame(&body) } else { body }
            }
            17 => {
                tokio::time::sleep(Duration::from_millis(u64::from(r.byte() % 80))).await;
                continue;
            }
            18 => {
                shutdown_sent = true;
                ids.request("shutdown", Value::Null)
            }
            19 => {
                exited = true;
                notify("exit", Value::Null)
            }
            _ => continue,
        };
        if !send(message).await || exited {
            break;
        }
    }
    if !exited {
        shutdown_sent = true;
        send(ids.request("shutdown", Value::Null)).await;
        // Every request gets an answer in time (a cancelled one an error; after `shutdown`, an error).
        let wait = async {
            while !ids
                .expected
                .iter()
                .all(|id| answered.lock().unwrap().contains(id))
            {
                if answer_rx.recv().await.is_none() {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(LSP_DEADLINE, wait).await;
        {
            let answered = answered.lock().unwrap();
            let missing: Vec<&i64> = ids
                .expected
                .iter()
                .filter(|id| !answered.contains(id))
                .collect();
            assert!(
                missing.is_empty(),
                "requests not answered within {LSP_DEADLINE:?}: {missing:?}"
            );
        }
        send(notify("exit", Value::Null)).await;
    }
    let stopped = tokio::time::timeout(EXIT_DEADLINE, server).await;
    let Ok(joined) = stopped else {
        panic!("the server did not stop within {EXIT_DEADLINE:?} of `exit`");
    };
    let end = joined.expect("the server's task panicked");
    assert!(
        end.exit_received,
        "the session ended without `exit`: {end:?}"
    );
    if !shutdown_sent {
        assert!(
            !end.shutdown_received,
            "`shutdown` noted though never sent: {end:?}"
        );
    }
}

/// libFuzzer's panic hook aborts at the first panic, even one verbatim catches on purpose: the PDF reader runs
/// each page of a third-party parser inside `catch_unwind` and reports the page as unreadable. The hook is put
/// back to the standard one (print the message, then unwind), so only a panic that escapes verbatim is a
/// finding: libfuzzer-sys still aborts when a panic reaches the fuzz target's own boundary.
fn allow_caught_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = std::panic::take_hook();
        std::panic::set_hook(Box::new(|info| {
            eprintln!("panic (caught unless the fuzzer aborts next): {info}");
        }));
    });
}

/// Source-format extraction (issue 12): the parser of `format` on arbitrary bytes must return (text or a
/// clear error) without panicking, and every offset of its map must lie inside the text and the input.
fn extraction(format: verbatim::extract::Format, data: &[u8]) {
    use verbatim::extract::{extract_as, Limits};
    allow_caught_panics();
    let limits = Limits {
        max_input_bytes: 1 << 20,
        max_part_bytes: 4 << 20,
        max_pdf_pages: 50,
        ..Limits::default()
    };
    let Ok(extraction) = extract_as(format, data, &limits) else {
        return;
    };
    let text = &extraction.text;
    let map = &extraction.map;
    // A .docx maps into its unpacked word/document.xml, every other format into the input bytes.
    let bound = if format == verbatim::extract::Format::Docx {
        usize::MAX
    } else {
        data.len()
    };
    for segment in &map.segments {
        assert!(segment.text_start <= segment.text_end && segment.text_end as usize <= text.len());
        assert!(
            segment.original_start <= segment.original_end
                && segment.original_end as usize <= bound
        );
    }
    for window in map.segments.windows(2) {
        assert!(
            window[0].text_end <= window[1].text_start,
            "segments overlap"
        );
    }
    for (start, _) in &map.pages {
        assert!(*start as usize <= text.len());
    }
    for cue in &map.cues {
        assert!(cue.text_start <= cue.text_end && cue.text_end as usize <= text.len());
        assert!(cue.original_end as usize <= data.len());
    }
    for (offset, _) in text.char_indices().step_by(7) {
        let range = map.original_range(offset..(offset + 1).min(text.len()));
        assert!(range.start <= range.end && range.end <= bound);
        let _ = map.locator(offset..offset + 1);
    }
}

pub fn html(data: &[u8]) {
    extraction(verbatim::extract::Format::Html, data);
}

pub fn pdf(data: &[u8]) {
    extraction(verbatim::extract::Format::Pdf, data);
}

/// The first byte picks SRT (even) or WebVTT (odd).
pub fn transcript(data: &[u8]) {
    let (format, rest) = match data.split_first() {
        Some((b, rest)) if b % 2 == 1 => (verbatim::extract::Format::Vtt, rest),
        Some((_, rest)) => (verbatim::extract::Format::Srt, rest),
        None => (verbatim::extract::Format::Srt, data),
    };
    extraction(format, rest);
}

pub fn docx(data: &[u8]) {
    extraction(verbatim::extract::Format::Docx, data);
}
