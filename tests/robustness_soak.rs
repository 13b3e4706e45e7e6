//! Soak: 10,000 random edits over one language-server session (the real binary over stdio) while the sources
//! change on disk. At every checkpoint the published diagnostics must equal what the engine says of the same
//! text against the same sources, and the server's memory (VmRSS) must stay flat.
//!
//! `VERBATIM_SOAK_EDITS` sets the number of edits (10,000 by default).
#[path = "support/process.rs"]
mod client;
#[path = "support/pieces.rs"]
mod pieces;

use std::path::Path;
use std::time::{Duration, Instant};

use client::*;
use pieces::boundaries;
use serde_json::{json, Value};
use verbatim::engine::reuse::{ReuseCache, ReuseSettings};
use verbatim::engine::{Corpus, EngineSettings, TextFormat};

/// A small deterministic generator (xorshift64*), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SOURCE_A: [&str; 2] = [
    "The parties oppose the further expansion of NATO and call for the North Atlantic Alliance to refrain from \
     ideological approaches.\n",
    "The parties oppose the further enlargement of NATO and call for the North Atlantic Alliance to refrain from \
     ideological approaches.\n",
];
const SOURCE_B: [&str; 2] = [
    "Officials said the pipeline would be completed before the winter and that gas would flow by March.\n",
    "Officials said the pipeline would be delayed until the spring and that no gas would flow by March.\n",
];

const PIECES: &[&str] = &[
    "“oppose the further expansion of NATO and call for the North Atlantic Alliance” ",
    "“the pipeline would be completed before the winter” ",
    "“gas would flow by March, officials said today” ",
    "“invented words nobody ever said out loud” ",
    "word ",
    "and ",
    "😀 ",
    "e\u{301} ",
    "中文 ",
    "\n",
    "\r\n",
    "\n\n",
    "> ",
    "“",
    "”",
    "\"",
    "- ",
    "**",
];

/// The LSP position (UTF-16) of byte `offset`; lines break at `\n` (the soak never writes a lone `\r`).
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": before[line_start..].encode_utf16().count() })
}

/// What the engine says of `text` against the sources on disk: (code, quoted text), sorted.
fn expected(root: &Path, text: &str) -> Vec<(String, String)> {
    let mut corpus = Corpus::new();
    for name in ["a.md", "b.md"] {
        let path = root.join("sources").join(name);
        corpus.upsert_source(
            &path.to_string_lossy(),
            std::fs::read_to_string(&path).unwrap(),
            TextFormat::Markdown,
        );
    }
    // What the server publishes: the quotes' findings and uncredited copying (checked afresh here, while the
    // server keeps its per-paragraph cache).
    let mut findings = corpus.check_draft(text, TextFormat::Markdown, &EngineSettings::default());
    findings.extend(corpus.check_reuse(
        text,
        TextFormat::Markdown,
        &ReuseSettings::default(),
        &mut ReuseCache::new(),
    ));
    let mut found: Vec<(String, String)> = findings
        .into_iter()
        .map(|f| {
            (
                f.verdict.code().to_string(),
                text[f.quote.range.clone()].to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn published(text: &str, diagnostics: &[Value]) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = diagnostics
        .iter()
        .filter(|d| d["code"] != "drift-word")
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                covered(text, &d["range"]).to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn ten_thousand_edits_with_sources_changing_on_disk() {
    let edits: usize = std::env::var("VERBATIM_SOAK_EDITS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let ws = Workspace::new();
    std::fs::remove_file(ws.root.join("sources/statement.md")).unwrap();
    std::fs::write(ws.root.join("sources/a.md"), SOURCE_A[0]).unwrap();
    std::fs::write(ws.root.join("sources/b.md"), SOURCE_B[0]).unwrap();
    let mut client = Client::start();
    let pid = client.child.id();
    let mut caps = capabilities();
    caps["workspace"]["didChangeWatchedFiles"] = json!({ "dynamicRegistration": true });
    client.initialize(&ws.root, caps);
    let mut text = String::from(
        "Start. “oppose the further expansion of NATO and call for the North Atlantic Alliance”\n",
    );
    let mut version = 1;
    client.open(&ws.draft, version, &text);
    let mut rng = Rng(0x5EED_CAFE_F00D_1234);
    let started = Instant::now();
    let mut rss_after_warmup = 0;
    let mut rss_samples = Vec::new();
    let checkpoints = 20;
    let mut flips = [0usize; 2];
    let mut codes_seen = std::collections::BTreeSet::new();
    for edit in 1..=edits {
        // A random edit: insert a piece, delete a stretch, or replace one.
        let bounds = boundaries(&text);
        let index = rng.below(bounds.len());
        let a = bounds[index];
        let b = if rng.below(3) == 0 || text.len() > 6_000 {
            let reach = (bounds.len() - index).min(if text.len() > 6_000 { 400 } else { 40 });
            bounds[index + rng.below(reach)]
        } else {
            a
        };
        let (start, end) = (a.min(b), a.max(b));
        let insert = if end > start && rng.below(2) == 0 {
            ""
        } else {
            PIECES[rng.below(PIECES.len())]
        };
        let range = json!({ "start": position(&text, start), "end": position(&text, end) });
        text.replace_range(start..end, insert);
        version += 1;
        client.change(&ws.draft, version, Some(range), insert);
        // Sources change on disk now and then; the client's watcher reports it.
        if edit % 250 == 0 {
            let which = rng.below(2);
            flips[which] = 1 - flips[which];
            let (name, content) = if which == 0 {
                ("a.md", SOURCE_A[flips[0]])
            } else {
                ("b.md", SOURCE_B[flips[1]])
            };
            let path = ws.root.join("sources").join(name);
            std::fs::write(&path, content).unwrap();
            client.notify(
                "workspace/didChangeWatchedFiles",
                json!({ "changes": [{ "uri": uri(&path), "type": 2 }] }),
            );
        }
        if edit % (edits / checkpoints).max(1) == 0 || edit == edits {
            // Eventually the diagnostics of the current version equal the engine's findings.
            let want = expected(&ws.root, &text);
            codes_seen.extend(want.iter().map(|(code, _)| code.clone()));
            let deadline = Instant::now() + Duration::from_secs(30);
            let mut last = Vec::new();
            // Every publication seen meanwhile: (version, number of diagnostics).
            let mut seen = Vec::new();
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    panic!("after {edit} edits, version {version}: published {last:#?}\nexpected {want:#?}\npublications seen while waiting {seen:?}\ntext {text:?}");
                }
                if let Some(diagnostics) = client.diagnostics(&ws.draft, None, left) {
                    let published_version = client
                        .history
                        .last()
                        .map(|m| m["params"]["version"].clone());
                    // Only the current version counts (older ones may still be in flight).
                    let current = published_version.as_ref().is_some_and(|v| *v == version);
                    seen.push((published_version, diagnostics.len()));
                    if current {
                        last = published(&text, &diagnostics);
                        if last == want {
                            break;
                        }
                    }
                }
            }
            client.history.clear();
            let rss = rss_kib(pid);
            rss_samples.push(rss);
            if edit >= edits / 5 && rss_after_warmup == 0 {
                rss_after_warmup = rss;
            }
        }
    }
    // Verified, drift, unsourced, and uncredited copying (the edits paste source words outside quote marks).
    assert_eq!(
        codes_seen.len(),
        4,
        "the session saw every verdict: {codes_seen:?}"
    );
    let rss_end = *rss_samples.last().unwrap();
    eprintln!(
        "soak: {edits} edits in {:?}; server VmRSS (KiB) at checkpoints: {rss_samples:?}",
        started.elapsed()
    );
    // Flat: after warm-up, memory grows by at most half again plus 16 MiB (allocator slack).
    assert!(
        rss_end <= rss_after_warmup * 3 / 2 + 16 * 1024,
        "memory grew from {rss_after_warmup} KiB to {rss_end} KiB: {rss_samples:?}"
    );
    client.shutdown();
}
