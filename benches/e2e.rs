//! The end-to-end harness: generates workspaces, drives `verbatim lsp` over stdio as an editor does, times
//! `verbatim check` over many drafts, runs the peers (ripgrep `-F`, RapidFuzz) on the same quotes, scores
//! everyone against the generated labels, and writes a Markdown report.
//!
//! `cargo bench --bench e2e -- run [--quick] [--sizes 1000,10000,100000] [--report PATH] [--keystrokes N]
//!   [--check-drafts N] [--no-peers] [--rapidfuzz-quotes N]`
//! `cargo bench --bench e2e -- generate --articles N --drafts D --out DIR`
//!
//! Plain `cargo bench` runs the quick mode (1,000 articles). `benches/run.sh` runs the full set.
//! This is a benchmark, not a test: it measures and reports; it asserts nothing about time.

#[path = "common/corpus.rs"]
mod corpus;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use corpus::{CorpusSpec, Language};
use rayon::prelude::*;
use serde_json::{json, Value};

const VERBATIM: &str = env!("CARGO_BIN_EXE_verbatim");

/// The binary under test: `VERBATIM_BIN` (to compare builds), else this tree's.
fn verbatim() -> String {
    std::env::var("VERBATIM_BIN").unwrap_or_else(|_| VERBATIM.to_string())
}

// ---------------------------------------------------------------------------------------------------------
// Workspace generation

struct Workspace {
    root: PathBuf,
    articles: usize,
    drafts: usize,
    source_bytes: u64,
    generate_seconds: f64,
}

fn generate(root: &Path, articles: usize, drafts: usize) -> Workspace {
    let spec = CorpusSpec::new(articles);
    let stamp = format!(
        "generator v{} seed {:#x} articles {articles} drafts {drafts}\n",
        corpus::GENERATOR_VERSION,
        spec.seed
    );
    let stamp_path = root.join(".generated");
    let started = Instant::now();
    if fs::read_to_string(&stamp_path).ok().as_deref() != Some(stamp.as_str()) {
        // A link to a workspace generated elsewhere (another worktree's) is never replaced.
        assert!(
            !root.is_symlink(),
            "{} links to a workspace generated with other settings; not regenerating it",
            root.display()
        );
        let _ = fs::remove_dir_all(root);
        fs::create_dir_all(root.join("drafts")).unwrap();
        for folder in 0..articles.div_ceil(1000) {
            fs::create_dir_all(root.join(format!("sources/{folder:03}"))).unwrap();
        }
        let language = Language::new(spec.seed);
        (0..articles).into_par_iter().for_each(|i| {
            let article = corpus::article(&language, &spec, i);
            fs::write(
                root.join(spec.source_path(i)),
                corpus::render_article(&language, &article),
            )
            .unwrap();
        });
        // Which articles re-run which (to accept a wire copy as the right source).
        let mut copies: HashMap<usize, Vec<usize>> = HashMap::new();
        for i in 0..articles {
            if let Some(j) = spec.copy_of(i) {
                copies.entry(j).or_default().push(i);
            }
        }
        let labels: Vec<String> = (0..drafts)
            .into_par_iter()
            .map(|d| {
                let draft = corpus::draft(&language, &spec, d);
                let path = format!("drafts/d{d:05}.md");
                fs::write(root.join(&path), &draft.text).unwrap();
                let mut lines = String::new();
                for (q, label) in draft.labels.iter().enumerate() {
                    let (line, character) = line_utf16(&draft.text, label.range.start);
                    let group: Vec<String> = label
                        .source
                        .map(|s| {
                            let original = spec.copy_of(s).unwrap_or(s);
                            let mut group = vec![original];
                            group.extend(copies.get(&original).into_iter().flatten().copied());
                            group.into_iter().map(|i| spec.source_path(i)).collect()
                        })
                        .unwrap_or_default();
                    let value = json!({
                        "draft": path, "quote": q, "start": label.range.start, "end": label.range.end,
                        "line": line, "character": character, "verdict": label.truth.code(), "kind": label.kind,
                        "source": label.source.map(|s| spec.source_path(s)), "group": group, "text": label.text,
                    });
                    lines.push_str(&value.to_string());
                    lines.push('\n');
                }
                lines
            })
            .collect();
        fs::write(root.join("labels.jsonl"), labels.concat()).unwrap();
        fs::write(&stamp_path, &stamp).unwrap();
    }
    let generate_seconds = started.elapsed().as_secs_f64();
    let source_bytes = walk_bytes(&root.join("sources"));
    Workspace {
        root: root.to_path_buf(),
        articles,
        drafts,
        source_bytes,
        generate_seconds,
    }
}

fn walk_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let meta = entry.metadata().unwrap();
        total += if meta.is_dir() {
            walk_bytes(&entry.path())
        } else {
            meta.len()
        };
    }
    total
}

fn line_utf16(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].encode_utf16().count())
}

#[derive(Clone, Debug)]
struct LabelRow {
    draft: String,
    line: usize,
    character: usize,
    start: usize,
    verdict: String,
    kind: String,
    source: Option<String>,
    group: Vec<String>,
    text: String,
}

fn read_labels(root: &Path, drafts: usize) -> Vec<LabelRow> {
    let text = fs::read_to_string(root.join("labels.jsonl")).unwrap();
    text.lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .map(|v| LabelRow {
            draft: v["draft"].as_str().unwrap().to_string(),
            line: v["line"].as_u64().unwrap() as usize,
            character: v["character"].as_u64().unwrap() as usize,
            start: v["start"].as_u64().unwrap() as usize,
            verdict: v["verdict"].as_str().unwrap().to_string(),
            kind: v["kind"].as_str().unwrap().to_string(),
            source: v["source"].as_str().map(str::to_string),
            group: v["group"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g.as_str().unwrap().to_string())
                .collect(),
            text: v["text"].as_str().unwrap().to_string(),
        })
        .filter(|l| draft_number(&l.draft) < drafts)
        .collect()
}

fn draft_number(path: &str) -> usize {
    path.trim_start_matches("drafts/d")
        .trim_end_matches(".md")
        .parse()
        .unwrap_or(usize::MAX)
}

// ---------------------------------------------------------------------------------------------------------
// Process measurement

/// Wall time, CPU time and peak RSS of a finished child (wait4).
struct Usage {
    wall: f64,
    user: f64,
    system: f64,
    max_rss_kb: i64,
    status: i32,
}

fn wait_usage(child: &mut Child, started: Instant) -> Usage {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; usage and status are valid out-pointers.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Usage {
        wall: started.elapsed().as_secs_f64(),
        user: seconds(usage.ru_utime),
        system: seconds(usage.ru_stime),
        max_rss_kb: usage.ru_maxrss,
        status: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
    }
}

/// Runs a command to completion, stdout to `out`, and measures it.
fn run_measured(command: &mut Command, out: &Path) -> Usage {
    let file = fs::File::create(out).unwrap();
    let started = Instant::now();
    let mut child = command
        .stdout(file)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let usage = wait_usage(&mut child, started);
    let err = reader.join().unwrap();
    if !err.trim().is_empty() {
        eprintln!(
            "  (stderr: {})",
            err.lines().take(3).collect::<Vec<_>>().join(" | ")
        );
    }
    usage
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    };
    field("VmHWM:")
}

/// The private (anonymous) resident memory of a live process, in kB; `None` once it has exited.
fn rss_anon_kb(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    if status
        .lines()
        .any(|l| l.starts_with("State:") && l.contains('Z'))
    {
        return None;
    }
    status
        .lines()
        .find(|l| l.starts_with("RssAnon:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn vm_rss_kb(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}

// ---------------------------------------------------------------------------------------------------------
// A minimal LSP client over stdio

struct Lsp {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    inbox: Receiver<(Instant, Value)>,
    next_id: i64,
    started: Instant,
    /// Every notification seen, with its arrival time.
    seen: Vec<(Instant, Value)>,
    /// Requests sent during indexing and how long their answers took (ms).
    probes: Vec<(String, f64)>,
    /// The largest private (anonymous) resident memory seen, in kB: sampled every 10 ms while the server
    /// runs (VmHWM also counts the pages of the memory-mapped index, which are page cache).
    anon_peak_kb: Arc<std::sync::atomic::AtomicU64>,
}

fn frame(value: &Value) -> Vec<u8> {
    let body = value.to_string();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

impl Lsp {
    fn start(root: &Path) -> Lsp {
        let log = fs::File::create(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/lsp-stderr.log"),
        )
        .unwrap();
        let started = Instant::now();
        let mut child = Command::new(verbatim())
            .arg("lsp")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("spawn verbatim lsp");
        let stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
        let stdout = child.stdout.take().unwrap();
        let (tx, inbox) = channel();
        let replies = stdin.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        length = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let now = Instant::now();
                let Ok(message) = serde_json::from_slice::<Value>(&body) else {
                    continue;
                };
                // Answer the server's requests as an editor would.
                if message.get("method").is_some() && message.get("id").is_some() {
                    let result = match message["method"].as_str().unwrap_or("") {
                        "workspace/configuration" => {
                            let n = message["params"]["items"].as_array().map_or(1, Vec::len);
                            Value::Array(vec![Value::Null; n])
                        }
                        _ => Value::Null,
                    };
                    let reply =
                        json!({"jsonrpc": "2.0", "id": message["id"].clone(), "result": result});
                    let _ = replies.lock().unwrap().write_all(&frame(&reply));
                    let _ = replies.lock().unwrap().flush();
                }
                if tx.send((now, message)).is_err() {
                    return;
                }
            }
        });
        let anon_peak_kb = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (peak, pid) = (anon_peak_kb.clone(), child.id());
        std::thread::spawn(move || {
            while let Some(anon) = rss_anon_kb(pid) {
                peak.fetch_max(anon, std::sync::atomic::Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        Lsp {
            anon_peak_kb,
            probes: Vec::new(),
            child,
            stdin,
            inbox,
            next_id: 1,
            started,
            seen: Vec::new(),
        }
    }

    fn send(&self, value: Value) {
        let mut stdin = self.stdin.lock().unwrap();
        stdin.write_all(&frame(&value)).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request_async(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Waits for a message matching `predicate`; returns it with its arrival time.
    fn wait(
        &mut self,
        timeout: Duration,
        predicate: impl Fn(&Value) -> bool,
    ) -> Option<(Instant, Value)> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.inbox.recv_timeout(left) {
                Ok((at, message)) => {
                    let hit = predicate(&message);
                    if message.get("id").is_none() || message.get("method").is_some() {
                        self.seen.push((at, message.clone()));
                    }
                    if hit {
                        return Some((at, message));
                    }
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    return None
                }
            }
        }
    }

    /// The first notification or server request since `seen` (an index into `self.seen`) that `predicate`
    /// accepts: one already received (e.g. while a pull was awaited), else the next to come within `timeout`.
    fn seen_since_or_wait(
        &mut self,
        seen: usize,
        timeout: Duration,
        predicate: impl Fn(&Value) -> bool,
    ) -> Option<(Instant, Value)> {
        let earlier = self.seen[seen..]
            .iter()
            .find(|(_, m)| predicate(m))
            .cloned();
        earlier.or_else(|| self.wait(timeout, predicate))
    }

    fn request(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Option<(Instant, Value)> {
        let id = self.request_async(method, params);
        self.wait(timeout, |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        })
    }

    fn stop(mut self) {
        let _ = self.request("shutdown", Value::Null, Duration::from_secs(10));
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn is_diagnostics_for(message: &Value, uri: &str) -> bool {
    message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
}

#[derive(Default, Debug)]
struct LspResult {
    cold_start: f64,
    index_done: Option<f64>,
    progress_reports: usize,
    progress_percentages: Vec<u64>,
    first_diagnostics: usize,
    rss_after_start_kb: u64,
    push_ms: Vec<f64>,
    pull_ms: Vec<f64>,
    open_ms: Vec<f64>,
    source_edit_ms: Vec<f64>,
    /// A verdict-changing source edit: the first pull right after the `didChange` (answer time).
    source_pull_first_ms: Vec<f64>,
    /// … the first pull whose diagnostics show the edit (the server-side re-check once the edit is applied).
    source_pull_ms: Vec<f64>,
    /// … the pushed diagnostics showing the edit.
    source_push_ms: Vec<f64>,
    /// How many first pulls already showed the edit.
    source_pull_first_fresh: usize,
    peak_rss_kb: u64,
    /// Peak private (anonymous) memory over the same session.
    anon_peak_kb: u64,
    warm_start: Option<f64>,
    warm_peak_rss_kb: u64,
    probes: Vec<(String, f64)>,
    cache_bytes: u64,
    notes: Vec<String>,
}

/// Starts the server, initializes it as an editor does and opens the draft; returns the server, the time from
/// spawn to the draft's first non-empty diagnostics, and that message.
#[allow(clippy::result_large_err)] // the server comes back with the error, to be stopped
fn start_and_open(
    root: &Path,
    draft_uri: &str,
    text: &str,
) -> Result<(Lsp, f64, Value), (Lsp, String)> {
    let mut lsp = Lsp::start(root);
    let started = lsp.started;
    let capabilities = json!({
        "general": {"positionEncodings": ["utf-16"]},
        "window": {"workDoneProgress": true},
        "workspace": {"workspaceFolders": true, "configuration": true},
        "textDocument": {
            "synchronization": {"didSave": true, "dynamicRegistration": false},
            "publishDiagnostics": {"versionSupport": true, "relatedInformation": true, "codeDescriptionSupport": true},
            "hover": {"contentFormat": ["markdown", "plaintext"]}
        }
    });
    let init = lsp.request(
        "initialize",
        json!({
            "processId": std::process::id(), "rootUri": file_uri(root), "capabilities": capabilities,
            "workspaceFolders": [{"uri": file_uri(root), "name": "bench"}],
        }),
        Duration::from_secs(30),
    );
    if init.is_none() {
        return Err((lsp, "initialize got no answer".into()));
    }
    lsp.notify("initialized", json!({}));
    lsp.notify("textDocument/didOpen", json!({"textDocument": {"uri": draft_uri, "languageId": "markdown", "version": 1, "text": text}}));
    // Requests while the sources are being indexed must not wait for the index: probe with a hover and a
    // diagnostics pull right away, and time their answers.
    let probe_sent = Instant::now();
    let hover = lsp.request_async(
        "textDocument/hover",
        json!({"textDocument": {"uri": draft_uri}, "position": {"line": 4, "character": 0}}),
    );
    let pull = lsp.request_async(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": draft_uri}}),
    );
    let mut probes = Vec::new();
    let first = loop {
        let got = lsp.wait(Duration::from_secs(600), |m| {
            (m.get("method").is_none() && (m["id"] == json!(hover) || m["id"] == json!(pull)))
                || (is_diagnostics_for(m, draft_uri)
                    && m["params"]["diagnostics"]
                        .as_array()
                        .is_some_and(|d| !d.is_empty()))
        });
        match got {
            Some((at, m)) if m.get("method").is_none() => {
                let name = if m["id"] == json!(hover) {
                    "hover"
                } else {
                    "diagnostic pull"
                };
                probes.push((name.to_string(), (at - probe_sent).as_secs_f64() * 1e3));
            }
            other => break other,
        }
    };
    lsp.probes = probes;
    match first {
        Some((at, message)) => Ok((lsp, (at - started).as_secs_f64(), message)),
        None => Err((lsp, "no diagnostics within 600 s of start".into())),
    }
}

/// The snapshot files in the bench's cache directory.
fn cache_files() -> Vec<PathBuf> {
    let Some(dir) = std::env::var_os("VERBATIM_CACHE_DIR") else {
        return Vec::new();
    };
    fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect()
}

/// Source edits that change a verdict, seen through pulls: replace the first word of a verified quote's passage
/// in the open source (the quote drifts), then put it back, 20 times. After each `didChange` the draft's
/// diagnostics are pulled at once and then every millisecond until they show the edit: the first answer, the
/// first answer showing the edit, and the pushed diagnostics showing it are timed. A server that applies
/// source buffers only after its debounce answers the first pull from the old sources.
fn source_edit_pulls(
    lsp: &mut Lsp,
    result: &mut LspResult,
    draft_uri: &str,
    source_uri: &str,
    body: &mut String,
    mut version: i32,
    target: &LabelRow,
) {
    let pull = |lsp: &mut Lsp| {
        lsp.request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": draft_uri}}),
            Duration::from_secs(60),
        )
        .map(|(at, m)| (at, m["result"]["items"].clone()))
    };
    // Let the last pushes land, then take the diagnostics of the unedited source.
    std::thread::sleep(Duration::from_millis(200));
    let Some((_, original)) = pull(lsp) else {
        result.notes.push("no answer to a diagnostics pull".into());
        return;
    };
    let Some(at) = body.find(&target.text) else {
        return;
    };
    let word = target.text.split(' ').next().unwrap_or("").to_string();
    let (line, character) = line_utf16(body, at);
    for k in 0..20 {
        let edited = k % 2 == 0;
        let (old, new) = if edited {
            (word.as_str(), "zzyzx")
        } else {
            ("zzyzx", word.as_str())
        };
        let end = character + old.encode_utf16().count();
        body.replace_range(at..at + old.len(), new);
        version += 1;
        let seen_before = lsp.seen.len();
        let sent = Instant::now();
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": source_uri, "version": version}, "contentChanges": [{"range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": end}}, "text": new}]}),
        );
        let shows = |items: &Value| (*items != original) == edited;
        let mut first = true;
        loop {
            let Some((at, items)) = pull(lsp) else {
                result.notes.push("no answer to a diagnostics pull".into());
                return;
            };
            let ms = (at - sent).as_secs_f64() * 1e3;
            if first {
                result.source_pull_first_ms.push(ms);
                result.source_pull_first_fresh += usize::from(shows(&items));
                first = false;
            }
            if shows(&items) {
                result.source_pull_ms.push(ms);
                break;
            }
            if ms > 10_000.0 {
                result
                    .notes
                    .push("no pulled diagnostics showed a source edit within 10 s".into());
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let is_push =
            |m: &Value| is_diagnostics_for(m, draft_uri) && shows(&m["params"]["diagnostics"]);
        let pushed = lsp
            .seen_since_or_wait(seen_before, Duration::from_secs(10), is_push)
            .map(|(at, _)| at);
        match pushed {
            Some(at) => result.source_push_ms.push((at - sent).as_secs_f64() * 1e3),
            None => result
                .notes
                .push("no pushed diagnostics showed a source edit".into()),
        }
        // Let the re-checks of this edit finish before the next one.
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn drive_lsp(ws: &Workspace, keystrokes: usize, opens: usize) -> LspResult {
    let mut result = LspResult::default();
    let root = ws.root.canonicalize().unwrap();
    let draft_path = root.join("drafts/d00000.md");
    let draft_uri = file_uri(&draft_path);
    let mut text = fs::read_to_string(&draft_path).unwrap();
    // Cold: no snapshot in the cache directory.
    for file in cache_files() {
        let _ = fs::remove_file(file);
    }
    let (mut lsp, cold, message) = match start_and_open(&root, &draft_uri, &text) {
        Ok(started) => started,
        Err((lsp, note)) => {
            result.notes.push(note);
            lsp.stop();
            return result;
        }
    };
    let started = lsp.started;
    let at = started + Duration::from_secs_f64(cold);
    result.probes = lsp.probes.clone();
    result.cold_start = (at - started).as_secs_f64();
    result.first_diagnostics = message["params"]["diagnostics"]
        .as_array()
        .map_or(0, Vec::len);
    result.rss_after_start_kb = vm_rss_kb(lsp.child.id()).unwrap_or(0);
    for (at, m) in &lsp.seen {
        if m["method"] == "$/progress" {
            let kind = m["params"]["value"]["kind"].as_str().unwrap_or("");
            if kind == "report" {
                result.progress_reports += 1;
                if let Some(p) = m["params"]["value"]["percentage"].as_u64() {
                    result.progress_percentages.push(p);
                }
            }
            if kind == "end" {
                result.index_done = Some((*at - started).as_secs_f64());
            }
        }
    }

    // Keystrokes inside a verified quote: type a letter, then delete it, and so on. Each is followed by a pull
    // request (server-side re-check) and by the pushed diagnostics of that version.
    let labels = read_labels(&ws.root, 1);
    let target = labels
        .iter()
        .find(|l| l.verdict == "verified" && l.kind == "exact")
        .or(labels.first())
        .unwrap()
        .clone();
    let at_byte = target.start + target.text.find(' ').unwrap_or(1);
    let (line, character) = line_utf16(&text, at_byte);
    let mut version = 1;
    for k in 0..keystrokes {
        version += 1;
        let (range, insert) = if k % 2 == 0 {
            (
                json!({"start": {"line": line, "character": character}, "end": {"line": line, "character": character}}),
                "x",
            )
        } else {
            (
                json!({"start": {"line": line, "character": character}, "end": {"line": line, "character": character + 1}}),
                "",
            )
        };
        if k % 2 == 0 {
            text.insert(at_byte, 'x');
        } else {
            text.remove(at_byte);
        }
        let seen_before = lsp.seen.len();
        let sent = Instant::now();
        lsp.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": draft_uri, "version": version}, "contentChanges": [{"range": range, "text": insert}]}),
        );
        // First half: pushed diagnostics only (what an editor shows). Second half: a pull request right
        // after the change (the server-side re-check, no debounce); its push then comes from the same analysis.
        let pull_phase = k >= keystrokes / 2;
        if pull_phase {
            let pulled = lsp.request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": draft_uri}}),
                Duration::from_secs(60),
            );
            if let Some((at, _)) = pulled {
                result.pull_ms.push((at - sent).as_secs_f64() * 1e3);
            }
        }
        let v = version;
        let is_push =
            |m: &Value| is_diagnostics_for(m, &draft_uri) && m["params"]["version"] == json!(v);
        // The push may have come while the pull was awaited (a slow pull under load).
        let pushed = lsp.seen_since_or_wait(seen_before, Duration::from_secs(60), is_push);
        match pushed {
            Some((at, _)) if !pull_phase => result.push_ms.push((at - sent).as_secs_f64() * 1e3),
            Some(_) => {}
            None => {
                result
                    .notes
                    .push(format!("no pushed diagnostics for version {v}"));
                break;
            }
        }
    }

    // Full checks: open other drafts (nothing cached), time didOpen → diagnostics.
    for d in 1..=opens.min(ws.drafts.saturating_sub(1)) {
        let path = root.join(format!("drafts/d{d:05}.md"));
        let uri = file_uri(&path);
        let body = fs::read_to_string(&path).unwrap();
        let sent = Instant::now();
        lsp.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": body}}));
        if let Some((at, _)) = lsp.wait(Duration::from_secs(60), |m| is_diagnostics_for(m, &uri)) {
            result.open_ms.push((at - sent).as_secs_f64() * 1e3);
        }
        lsp.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
    }

    // Editing a source: open the source of a verified quote, insert a word in a line near its end, time until
    // the draft is re-published.
    let target = labels.iter().find_map(|l| {
        // A verified quote found once in its source and nowhere else (no wire copy keeps it verified).
        let source = l
            .source
            .as_ref()
            .filter(|_| l.verdict == "verified" && l.group.len() <= 1)?;
        let body = fs::read_to_string(root.join(source)).ok()?;
        (body.matches(&l.text).count() == 1).then(|| l.clone())
    });
    if let Some(source) = target
        .as_ref()
        .and_then(|t| t.source.clone())
        .or_else(|| labels.iter().find_map(|l| l.source.clone()))
    {
        let path = root.join(&source);
        let uri = file_uri(&path);
        let mut body = fs::read_to_string(&path).unwrap();
        lsp.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": body}}));
        std::thread::sleep(Duration::from_millis(300));
        let line = body.lines().count().saturating_sub(3);
        let mut version = 1;
        for _ in 0..5 {
            let at = body
                .split_inclusive('\n')
                .take(line)
                .map(str::len)
                .sum::<usize>();
            body.insert_str(at, "Edited. ");
            version += 1;
            let sent = Instant::now();
            lsp.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": "Edited. "}]}),
            );
            let got = lsp.wait(Duration::from_secs(60), |m| {
                is_diagnostics_for(m, &draft_uri)
            });
            match got {
                Some((at, _)) => result.source_edit_ms.push((at - sent).as_secs_f64() * 1e3),
                None => {
                    result
                        .notes
                        .push("no re-published draft diagnostics after a source edit".into());
                    break;
                }
            }
        }
        if let Some(target) = &target {
            source_edit_pulls(
                &mut lsp,
                &mut result,
                &draft_uri,
                &uri,
                &mut body,
                version,
                target,
            );
        }
    }
    result.peak_rss_kb = vm_hwm_kb(lsp.child.id()).unwrap_or(0);
    result.anon_peak_kb = lsp.anon_peak_kb.load(std::sync::atomic::Ordering::Relaxed);
    // The server writes its snapshot after indexing; give it time to land, then start again (warm).
    // (The server snapshots only workspaces of 8 MiB of sources or more: src/workspace CACHE_MIN_BYTES.)
    let wait = if ws.source_bytes >= 8 << 20 { 120 } else { 0 };
    let deadline = Instant::now() + Duration::from_secs(wait);
    while cache_files().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    result.cache_bytes = cache_files()
        .iter()
        .filter_map(|f| fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    lsp.stop();
    if result.cache_bytes > 0 {
        let text = fs::read_to_string(&draft_path).unwrap();
        match start_and_open(&root, &draft_uri, &text) {
            Ok((lsp, warm, _)) => {
                result.warm_start = Some(warm);
                result.warm_peak_rss_kb = vm_hwm_kb(lsp.child.id()).unwrap_or(0);
                lsp.stop();
            }
            Err((lsp, note)) => {
                result.notes.push(format!("warm start: {note}"));
                lsp.stop();
            }
        }
    } else {
        result
            .notes
            .push("no index snapshot (none is written under 8 MiB of sources)".into());
    }
    result
}

// ---------------------------------------------------------------------------------------------------------
// verbatim check, accuracy, peers

#[derive(Default, Clone, Copy)]
struct Confusion {
    /// [truth][predicted], verified/drift/unsourced
    counts: [[usize; 3]; 3],
    missing: usize,
    right_source: usize,
    sourced: usize,
}

fn class(code: &str) -> usize {
    match code {
        "verified" => 0,
        "drift" => 1,
        _ => 2,
    }
}

impl Confusion {
    fn add(&mut self, truth: &str, predicted: &str) {
        self.counts[class(truth)][class(predicted)] += 1;
    }
    fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }
    fn precision(&self, c: usize) -> f64 {
        let predicted: usize = (0..3).map(|t| self.counts[t][c]).sum();
        self.counts[c][c] as f64 / predicted.max(1) as f64
    }
    fn recall(&self, c: usize) -> f64 {
        let truth: usize = self.counts[c].iter().sum();
        self.counts[c][c] as f64 / truth.max(1) as f64
    }
    fn accuracy(&self) -> f64 {
        (0..3).map(|c| self.counts[c][c]).sum::<usize>() as f64 / self.total().max(1) as f64
    }
    fn row(&self, name: &str) -> String {
        let pr = |c| format!("{:.3} / {:.3}", self.precision(c), self.recall(c));
        format!(
            "| {name} | {} | {:.3} | {} | {} | {} |",
            self.total(),
            self.accuracy(),
            pr(0),
            pr(1),
            pr(2)
        )
    }
}

struct CheckResult {
    usage: Usage,
    drafts: usize,
    findings: usize,
    confusion: Confusion,
    by_kind: BTreeMap<String, (usize, usize)>,
}

fn run_check(ws: &Workspace, drafts: usize, out: &Path, cold: bool) -> CheckResult {
    let mut command = Command::new(verbatim());
    if cold {
        command.env("VERBATIM_CACHE_DIR", "off");
    }
    command
        .args([
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--color",
            "never",
            "--root",
        ])
        .arg(&ws.root);
    if drafts < ws.drafts {
        for d in 0..drafts {
            command.arg(ws.root.join(format!("drafts/d{d:05}.md")));
        }
    } else {
        command.arg(ws.root.join("drafts"));
    }
    let usage = run_measured(&mut command, out);
    let labels = read_labels(&ws.root, drafts);
    let output = fs::read_to_string(out).unwrap_or_default();
    let mut found: HashMap<(String, u64, u64), (String, Option<String>)> = HashMap::new();
    let mut findings = 0;
    for line in output.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        findings += 1;
        let key = (
            v["path"].as_str().unwrap_or("").to_string(),
            v["range"]["start"]["line"].as_u64().unwrap_or(0),
            v["range"]["start"]["character"].as_u64().unwrap_or(0),
        );
        found.insert(
            key,
            (
                v["code"].as_str().unwrap_or("").to_string(),
                v["source"]["path"].as_str().map(str::to_string),
            ),
        );
    }
    let mut confusion = Confusion::default();
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for label in &labels {
        let key = (
            label.draft.clone(),
            label.line as u64,
            label.character as u64,
        );
        match found.get(&key) {
            Some((code, source)) => {
                confusion.add(&label.verdict, code);
                let entry = by_kind
                    .entry(format!("{} ({})", label.kind, label.verdict))
                    .or_default();
                entry.0 += 1;
                entry.1 += usize::from(*code == label.verdict);
                if label.verdict != "unsourced" && code == &label.verdict {
                    confusion.sourced += 1;
                    if source.as_ref().is_some_and(|s| label.group.contains(s)) {
                        confusion.right_source += 1;
                    }
                }
            }
            None => {
                confusion.missing += 1;
                let entry = by_kind
                    .entry(format!("{} ({})", label.kind, label.verdict))
                    .or_default();
                entry.0 += 1;
            }
        }
    }
    CheckResult {
        usage,
        drafts,
        findings,
        confusion,
        by_kind,
    }
}

/// verbatim's verdicts on the first `quotes` labels only (to compare with a peer run on a subset).
fn subset_confusion(ws: &Workspace, output: &Path, quotes: usize) -> Confusion {
    let labels: Vec<LabelRow> = read_labels(&ws.root, quotes.div_ceil(60))
        .into_iter()
        .take(quotes)
        .collect();
    let mut found: HashMap<(String, u64, u64), String> = HashMap::new();
    for line in fs::read_to_string(output).unwrap_or_default().lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let key = (
            v["path"].as_str().unwrap_or("").to_string(),
            v["range"]["start"]["line"].as_u64().unwrap_or(0),
            v["range"]["start"]["character"].as_u64().unwrap_or(0),
        );
        found.insert(key, v["code"].as_str().unwrap_or("").to_string());
    }
    let mut confusion = Confusion::default();
    for label in &labels {
        match found.get(&(
            label.draft.clone(),
            label.line as u64,
            label.character as u64,
        )) {
            Some(code) => confusion.add(&label.verdict, code),
            None => confusion.missing += 1,
        }
    }
    confusion
}

/// The quotes as a writer would search them: one line each.
fn search_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct PeerResult {
    seconds: f64,
    quotes: usize,
    confusion: Confusion,
    note: String,
}

fn run_ripgrep(
    ws: &Workspace,
    timing_drafts: usize,
    accuracy_drafts: usize,
    scratch: &Path,
) -> Option<PeerResult> {
    if Command::new("rg").arg("--version").output().is_err() {
        return None;
    }
    // Timing: the quotes of the first draft(s), one `rg -F -f` run over the sources, best of 3 (warm cache).
    let timing = read_labels(&ws.root, timing_drafts);
    let patterns = scratch.join("rg-quotes.txt");
    fs::write(
        &patterns,
        timing
            .iter()
            .map(|l| search_line(&l.text) + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let usage = run_measured(
            Command::new("rg")
                .args(["-F", "-o", "--no-filename", "--no-line-number", "-f"])
                .arg(&patterns)
                .arg(ws.root.join("sources")),
            &scratch.join("rg-out.txt"),
        );
        best = best.min(usage.wall);
    }
    // Accuracy: found exactly = verified, else unsourced (rg has no notion of drift).
    let labels = read_labels(&ws.root, accuracy_drafts);
    let patterns_all = scratch.join("rg-quotes-all.txt");
    fs::write(
        &patterns_all,
        labels
            .iter()
            .map(|l| search_line(&l.text) + "\n")
            .collect::<String>(),
    )
    .unwrap();
    run_measured(
        Command::new("rg")
            .args(["-F", "-o", "--no-filename", "--no-line-number", "-f"])
            .arg(&patterns_all)
            .arg(ws.root.join("sources")),
        &scratch.join("rg-out-all.txt"),
    );
    let hits: std::collections::HashSet<String> =
        fs::read_to_string(scratch.join("rg-out-all.txt"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
    let mut confusion = Confusion::default();
    for label in &labels {
        let predicted = if hits.contains(&search_line(&label.text)) {
            "verified"
        } else {
            "unsourced"
        };
        confusion.add(&label.verdict, predicted);
    }
    Some(PeerResult {
        seconds: best,
        quotes: timing.len(),
        confusion,
        note: format!(
            "`rg -F -o -f quotes.txt sources/` ({} quotes; best of 3, warm cache)",
            timing.len()
        ),
    })
}

fn run_rapidfuzz(ws: &Workspace, quotes: usize, scratch: &Path) -> Option<PeerResult> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers/rapidfuzz_peer.py");
    let ok = Command::new("python3")
        .args(["-c", "import rapidfuzz"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return None;
    }
    let labels: Vec<LabelRow> = read_labels(&ws.root, quotes.div_ceil(60))
        .into_iter()
        .take(quotes)
        .collect();
    let input = scratch.join("rf-quotes.json");
    let list: Vec<Value> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| json!({"id": i, "text": search_line(&l.text)}))
        .collect();
    fs::write(&input, Value::Array(list).to_string()).unwrap();
    let output = scratch.join("rf-out.json");
    let usage = run_measured(
        Command::new("python3")
            .arg(&script)
            .arg(&ws.root)
            .arg(&input)
            .arg(&output),
        &scratch.join("rf-stdout.txt"),
    );
    let report: Value = serde_json::from_str(&fs::read_to_string(&output).ok()?).ok()?;
    let seconds = report["scan_seconds"].as_f64()? + report["align_seconds"].as_f64()?;
    // Thresholds: 100 = verified; drift at or above the threshold that scores best on these labels (the peer's
    // best case: tuned on the answers).
    let scores: Vec<f64> = report["results"]
        .as_array()?
        .iter()
        .map(|r| r["score"].as_f64().unwrap_or(0.0))
        .collect();
    let mut best = (Confusion::default(), 0.0, -1.0);
    for threshold in (50..100).map(f64::from) {
        let mut confusion = Confusion::default();
        for (label, score) in labels.iter().zip(&scores) {
            let predicted = if *score >= 99.999 {
                "verified"
            } else if *score >= threshold {
                "drift"
            } else {
                "unsourced"
            };
            confusion.add(&label.verdict, predicted);
        }
        if confusion.accuracy() > best.2 {
            best = (confusion, threshold, confusion.accuracy());
        }
    }
    Some(PeerResult {
        seconds,
        quotes: labels.len(),
        confusion: best.0,
        note: format!(
            "partial_ratio over every source ({}), then partial_ratio_alignment; load+preprocess {:.1} s not counted; drift threshold {} (tuned on the labels); process wall {:.1} s",
            report["workers"].as_str().unwrap_or("?"),
            report["load_seconds"].as_f64().unwrap_or(0.0),
            best.1,
            usage.wall
        ),
    })
}

// ---------------------------------------------------------------------------------------------------------
// The run

struct Options {
    quick: bool,
    sizes: Vec<usize>,
    report: PathBuf,
    data: PathBuf,
    keystrokes: usize,
    rapidfuzz_quotes: usize,
    /// At most this many drafts for `verbatim check` (the workspace keeps all it was generated with).
    check_drafts: Option<usize>,
    /// Leave out ripgrep and RapidFuzz.
    no_peers: bool,
}

fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("?")
        .trim()
        .to_string();
    let memory = fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .nth(1)
        .and_then(|k| k.parse::<u64>().ok())
        .unwrap_or(0);
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let rg = Command::new("rg")
        .arg("--version")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_else(|_| "not installed".into());
    let rf = Command::new("python3").args(["-c", "import rapidfuzz, sys; print('rapidfuzz', rapidfuzz.__version__, 'python', sys.version.split()[0])"]).output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "{cores} cores, {cpu}, {:.1} GiB RAM; {rustc}; {rg}; {rf}",
        memory as f64 / 1048576.0
    )
}

fn run(options: &Options) {
    let scratch = options.data.join("scratch");
    fs::create_dir_all(&scratch).unwrap();
    let mut report = String::new();
    let _ = writeln!(report, "# verbatim benchmark report\n");
    let _ = writeln!(report, "- machine: {}", machine());
    let _ = writeln!(report, "- binary: {}", verbatim());
    let _ = writeln!(
        report,
        "- mode: {}",
        if options.quick { "quick" } else { "full" }
    );
    let _ = writeln!(report, "- load average at start: {}\n", load_average());
    let mut rows = Vec::new();
    let mut accuracy = String::new();
    let mut kinds = String::new();
    let mut peers = String::new();
    for &articles in &options.sizes {
        let drafts = if articles == 10_000 && !options.quick {
            1000
        } else {
            60
        };
        eprintln!("== {articles} articles: generating ({drafts} drafts) …");
        let ws = generate(
            &options.data.join(format!("ws-{articles}")),
            articles,
            drafts,
        );
        eprintln!(
            "   {:.1} MB of sources ({:.1} s); load {}",
            ws.source_bytes as f64 / 1e6,
            ws.generate_seconds,
            load_average()
        );
        // Warm the page cache, as an editor restart would find it.
        let _ = Command::new("cat").arg("/dev/null").status();
        let _ = run_measured(
            Command::new("rg")
                .args(["-c", "zzzzqqqq", "--no-messages"])
                .arg(ws.root.join("sources")),
            &scratch.join("warm.txt"),
        );
        eprintln!("   lsp …");
        let load_lsp = load_average();
        let lsp = drive_lsp(&ws, options.keystrokes, if options.quick { 5 } else { 20 });
        eprintln!(
            "   cold start {:.3} s, {} diagnostics, peak RSS {} MB {:?}",
            lsp.cold_start,
            lsp.first_diagnostics,
            lsp.peak_rss_kb / 1024,
            lsp.notes
        );
        eprintln!("   check …");
        let load_check = load_average();
        let drafts = options.check_drafts.map_or(drafts, |n| n.min(drafts));
        let check = run_check(
            &ws,
            drafts,
            &scratch.join(format!("check-{articles}.jsonl")),
            false,
        );
        eprintln!(
            "   check of {} drafts: {} findings, {:.2} s wall, {:.2} s cpu",
            check.drafts,
            check.findings,
            check.usage.wall,
            check.usage.user + check.usage.system
        );
        let single = run_check(
            &ws,
            1,
            &scratch.join(format!("check1-{articles}.jsonl")),
            true,
        );
        eprintln!("   peers …");
        let rg = if options.no_peers {
            None
        } else {
            run_ripgrep(&ws, 1, drafts.min(60), &scratch)
        };
        // RapidFuzz is slow: more quotes on the small corpus (for accuracy), fewer on the big one.
        let rf_quotes = match articles {
            0..=1000 => options.rapidfuzz_quotes * 10,
            1001..=10_000 => options.rapidfuzz_quotes,
            _ => options.rapidfuzz_quotes / 6,
        };
        let rf = if rf_quotes > 0 && !options.no_peers {
            run_rapidfuzz(&ws, rf_quotes, &scratch)
        } else {
            None
        };
        let p = |v: &[f64], q| percentile(&sorted(v.to_vec()), q);
        let server_full = p(&lsp.open_ms, 50.0);
        rows.push(format!(
            "| {articles} | {:.0} | {:.2} | {} | {} | {:.1} / {:.1} / {:.1} | {:.1} / {:.1} / {:.1} | {:.1} | {:.0} ({:.2}×) · {:.0} ({:.2}×) | {:.0} | {} | {:.2} s | {:.1} | {:.2} | {} | {} |",
            ws.source_bytes as f64 / 1e6,
            lsp.cold_start,
            lsp.index_done.map_or("—".into(), |d| format!("{d:.2}")),
            lsp.warm_start.map_or("—".into(), |d| format!("{d:.2}")),
            p(&lsp.push_ms, 50.0), p(&lsp.push_ms, 95.0), p(&lsp.push_ms, 99.0),
            p(&lsp.pull_ms, 50.0), p(&lsp.pull_ms, 95.0), p(&lsp.pull_ms, 99.0),
            server_full,
            lsp.peak_rss_kb as f64 / 1024.0,
            lsp.peak_rss_kb as f64 * 1024.0 / ws.source_bytes as f64,
            lsp.anon_peak_kb as f64 / 1024.0,
            lsp.anon_peak_kb as f64 * 1024.0 / ws.source_bytes as f64,
            p(&lsp.source_edit_ms, 50.0),
            if lsp.source_pull_ms.is_empty() {
                "—".to_string()
            } else {
                format!(
                    "{:.1} / {:.1} · {:.1} / {:.1} · {:.0} / {:.0}",
                    p(&lsp.source_pull_first_ms, 50.0),
                    p(&lsp.source_pull_first_ms, 95.0),
                    p(&lsp.source_pull_ms, 50.0),
                    p(&lsp.source_pull_ms, 95.0),
                    p(&lsp.source_push_ms, 50.0),
                    p(&lsp.source_push_ms, 95.0),
                )
            },
            single.usage.wall,
            check.drafts as f64 / check.usage.wall,
            (check.usage.user + check.usage.system) / check.usage.wall,
            rg.as_ref().map_or("—".into(), |r| format!("{:.1} ms ({:.2}×)", r.seconds * 1e3, server_full / (r.seconds * 1e3))),
            rf.as_ref().map_or("—".into(), |r| format!("{:.2} s/60 quotes ({:.4}×)", r.seconds / r.quotes as f64 * 60.0, server_full / (r.seconds / r.quotes as f64 * 60.0 * 1e3))),
        ));
        let _ = writeln!(
            report,
            "- {articles} articles: {} drafts for accuracy/throughput; load before LSP {load_lsp}, before check {load_check}; $/progress reports: {} ({:?}…); first diagnostics: {}; requests during indexing answered in {}; RSS after cold start {:.0} MB; index snapshot {:.0} MB, peak RSS after a warm start {:.0} MB; keystrokes {} (push p50 {:.1} ms); verdict-changing source edits {} (first pull already showing the edit: {}); full checks via didOpen: {}; check of {} drafts: {:.2} s wall, {:.2} s user+sys, peak RSS {:.0} MB, exit {}{}",
            check.drafts,
            lsp.progress_reports,
            lsp.progress_percentages.iter().take(12).collect::<Vec<_>>(),
            lsp.first_diagnostics,
            lsp.probes.iter().map(|(n, ms)| format!("{ms:.1} ms ({n})")).collect::<Vec<_>>().join(", "),
            lsp.rss_after_start_kb as f64 / 1024.0,
            lsp.cache_bytes as f64 / 1e6,
            lsp.warm_peak_rss_kb as f64 / 1024.0,
            lsp.push_ms.len(),
            p(&lsp.push_ms, 50.0),
            lsp.source_pull_ms.len(),
            lsp.source_pull_first_fresh,
            lsp.open_ms.len(),
            check.drafts,
            check.usage.wall,
            check.usage.user + check.usage.system,
            check.usage.max_rss_kb as f64 / 1024.0,
            check.usage.status,
            if lsp.notes.is_empty() { String::new() } else { format!("; notes: {}", lsp.notes.join("; ")) }
        );
        let _ = writeln!(
            accuracy,
            "{}",
            check
                .confusion
                .row(&format!("verbatim, {articles} articles"))
        );
        if let Some(rg) = &rg {
            let _ = writeln!(
                accuracy,
                "{}",
                rg.confusion.row(&format!("rg -F, {articles} articles"))
            );
            let _ = writeln!(peers, "- {articles} articles, ripgrep: {}", rg.note);
        }
        if let Some(rf) = &rf {
            let same = subset_confusion(
                &ws,
                &scratch.join(format!("check-{articles}.jsonl")),
                rf.quotes,
            );
            let _ = writeln!(
                accuracy,
                "{}",
                same.row(&format!(
                    "verbatim, {articles} articles (the same {} quotes)",
                    rf.quotes
                ))
            );
            let _ = writeln!(
                accuracy,
                "{}",
                rf.confusion.row(&format!(
                    "RapidFuzz, {articles} articles ({} quotes)",
                    rf.quotes
                ))
            );
            let _ = writeln!(
                peers,
                "- {articles} articles, RapidFuzz: {:.2} s for {} quotes; {}",
                rf.seconds, rf.quotes, rf.note
            );
        }
        let _ = writeln!(
            kinds,
            "| {articles} | {} | {} / {} |",
            check
                .by_kind
                .iter()
                .map(|(k, (n, ok))| format!("{k}: {ok}/{n}"))
                .collect::<Vec<_>>()
                .join(", "),
            check.confusion.right_source,
            check.confusion.sourced
        );
        fs::write(
            &options.report,
            assemble(&report, &rows, &accuracy, &kinds, &peers),
        )
        .unwrap();
    }
    let _ = writeln!(report, "- load average at end: {}", load_average());
    let text = assemble(&report, &rows, &accuracy, &kinds, &peers);
    fs::write(&options.report, &text).unwrap();
    println!("{text}");
    eprintln!("report written to {}", options.report.display());
}

fn assemble(head: &str, rows: &[String], accuracy: &str, kinds: &str, peers: &str) -> String {
    let mut out = head.to_string();
    out.push_str("\n## Latency, memory, throughput\n\n");
    out.push_str("Times in ms unless marked. Keystroke: `didChange` inside a quote → diagnostics. *push* = the pushed `publishDiagnostics` of that version, end to end (the server checks at once: no debounce); *pull* = `textDocument/diagnostic` answered (the server-side re-check). *Full check* = `didOpen` of another draft → its diagnostics (median; nothing cached). *Source edit* = `didChange` of an open source → the draft's diagnostics re-published. *Source edit, verdict changes* = a word of a verified quote's passage replaced in the open source, then put back (20 edits): a `textDocument/diagnostic` pull right after each `didChange` (its answer time), pulls every millisecond until one shows the changed verdict (the server-side re-check once the server has applied the edit), and the pushed diagnostics showing it. *Cold start* = spawn → the draft's first diagnostics with no index snapshot in the cache directory; *warm start* = the same with the snapshot the first server wrote. *check 1 draft* = `verbatim check` of one draft with the cache off, process start to exit (reads and indexes the corpus). *drafts/s* and *CPU use* = `verbatim check` over all the drafts (1,000 at 10k articles) with the snapshot present; CPU use = (user+sys)/wall. *Ratio* = verbatim full check / peer time for the same 60 quotes. *Peak RSS* = VmHWM over the cold session, which counts the pages of the memory-mapped index snapshot (page cache the kernel can reclaim); *private* = the largest anonymous resident memory sampled every 10 ms over the same session.\n\n");
    out.push_str("| articles | MB | cold start s | indexed s | warm start s | keystroke push p50/p95/p99 | keystroke pull p50/p95/p99 | full check | peak RSS MB (× corpus) · private | source edit | source edit, verdict changes: first pull p50/p95 · pull showing it p50/p95 · push p50/p95 | check 1 draft | drafts/s | CPU use (cores) | rg -F (verbatim/rg) | RapidFuzz (verbatim/rf) |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for row in rows {
        out.push_str(row);
        out.push('\n');
    }
    out.push_str("\n## Accuracy on the generated labels\n\nprecision / recall per true class.\n\n| who | quotes | accuracy | verified P / R | drift P / R | unsourced P / R |\n|---|---|---|---|---|---|\n");
    out.push_str(accuracy);
    out.push_str("\n### verbatim by kind of quote (right verdict / quotes), and right source (or its wire copy) among right verdicts\n\n| articles | by kind | right source |\n|---|---|---|\n");
    out.push_str(kinds);
    out.push_str("\n## Peers\n\n");
    out.push_str(peers);
    out
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    // The servers and `verbatim check` keep their index snapshots here, not in the user's cache.
    if std::env::var_os("VERBATIM_CACHE_DIR").is_none() {
        std::env::set_var("VERBATIM_CACHE_DIR", data.join("cache"));
    }
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    match args.first().map(String::as_str) {
        Some("generate") => {
            let articles = value("--articles")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1000);
            let drafts = value("--drafts").and_then(|v| v.parse().ok()).unwrap_or(10);
            let out = value("--out")
                .map(PathBuf::from)
                .unwrap_or_else(|| data.join(format!("ws-{articles}")));
            let ws = generate(&out, articles, drafts);
            println!(
                "{}: {} articles, {:.1} MB, {} drafts, {:.1} s",
                ws.root.display(),
                ws.articles,
                ws.source_bytes as f64 / 1e6,
                ws.drafts,
                ws.generate_seconds
            );
        }
        _ => {
            let quick =
                args.iter().any(|a| a == "--quick") || args.first().is_none_or(|a| a != "run");
            let sizes = value("--sizes")
                .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
                .unwrap_or_else(|| {
                    if quick {
                        vec![1000]
                    } else {
                        vec![1000, 10_000, 100_000]
                    }
                });
            let options = Options {
                quick,
                sizes,
                report: value("--report").map(PathBuf::from).unwrap_or_else(|| {
                    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-report.md")
                }),
                data,
                keystrokes: value("--keystrokes")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(if quick { 40 } else { 200 }),
                // Quotes per 10k articles (×10 at 1k, ÷6 at 100k); the quick mode keeps RapidFuzz short.
                rapidfuzz_quotes: value("--rapidfuzz-quotes")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(if quick { 6 } else { 60 }),
                check_drafts: value("--check-drafts").and_then(|v| v.parse().ok()),
                no_peers: args.iter().any(|a| a == "--no-peers"),
            };
            run(&options);
        }
    }
}
