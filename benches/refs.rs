//! The source's side at scale: 10,000 synthetic sources and 1,000 drafts (60 quotes each, from
//! `benches/common/corpus.rs`). Measures
//! 1. in process: checking every draft into the reverse index ([`UsageIndex`]), whether every quote the check
//!    links to a source is found from its passage (the quality bar), and the latency of a references answer
//!    (the index query and the conversion of every hit to an LSP location, as the handler does it) at random
//!    positions of quoted passages, of their paragraphs and of unquoted text;
//! 2. over LSP (`--lsp`, the release binary on the same workspace written to `target/bench-data/refs-N/`): the
//!    time until the server's background scan has filled the index, then the round trip of
//!    `textDocument/references` requests.
//!
//! `cargo bench --bench refs -- [--articles 10000] [--drafts 1000] [--queries 2000] [--lsp]`
//! This is a benchmark: it measures and reports; it asserts only that every linked quote is found.

#[path = "common/corpus.rs"]
mod corpus;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use corpus::{CorpusSpec, Language, Rng};
use rayon::prelude::*;
use serde_json::{json, Value};
use verbatim::engine::{Corpus, EngineSettings, TextFormat, UsageIndex, Verdict};
use verbatim::lsp::capabilities::ClientCaps;
use verbatim::lsp::references::locations;

fn argument(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentiles(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!(
        "p50 {:.3} ms · p95 {:.3} ms · p99 {:.3} ms · max {:.3} ms ({} queries)",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(at(0.99)),
        ms(*times.last().unwrap()),
        times.len()
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let articles = argument(&args, "--articles", 10_000);
    let drafts = argument(&args, "--drafts", 1_000);
    let queries = argument(&args, "--queries", 2_000);
    let spec = CorpusSpec::new(articles);
    let language = Language::new(spec.seed);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("refs-{articles}-{drafts}"));
    let root_str = root.to_string_lossy().into_owned();

    let started = Instant::now();
    let sources: Vec<(String, String)> = (0..articles)
        .into_par_iter()
        .map(|i| {
            let article = corpus::article(&language, &spec, i);
            (
                format!("{root_str}/{}", spec.source_path(i)),
                corpus::render_article(&language, &article),
            )
        })
        .collect();
    let texts: Vec<(String, String)> = (0..drafts)
        .into_par_iter()
        .map(|d| {
            (
                format!("{root_str}/drafts/d{d:05}.md"),
                corpus::draft(&language, &spec, d).text,
            )
        })
        .collect();
    println!(
        "generated {articles} sources and {drafts} drafts in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let prepared: Vec<_> = sources
        .par_iter()
        .map(|(key, text)| Corpus::prepare_source(key, text.clone(), TextFormat::Markdown))
        .collect();
    let mut corpus = Corpus::new();
    corpus.begin_bulk_load();
    for source in prepared {
        corpus.insert_prepared(source);
    }
    corpus.finish_bulk_load();
    println!(
        "indexed the sources in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let settings = EngineSettings::default();
    let checked: Vec<_> = texts
        .par_iter()
        .map(|(key, text)| {
            let findings = corpus.check_draft(text, TextFormat::Markdown, &settings);
            (key, text, findings)
        })
        .collect();
    let checking = started.elapsed();
    let started = Instant::now();
    let mut index = UsageIndex::new();
    for (key, text, findings) in &checked {
        index.record(key, text.as_str(), TextFormat::Markdown, &corpus, findings);
    }
    let recording = started.elapsed();
    let usages: usize = index.drafts().map(|(_, d)| d.usages.len()).sum();
    println!(
        "checked {drafts} drafts in {:.1} s (both cores); recorded {usages} usages in {:.1} ms",
        checking.as_secs_f64(),
        recording.as_secs_f64() * 1e3
    );

    let text_bytes: usize = index.drafts().map(|(_, d)| d.text.len()).sum();
    let usage_bytes = usages * (std::mem::size_of::<verbatim::engine::Usage>() + 48);
    println!(
        "index size: {:.1} MB of draft texts (kept for positions) + ~{:.1} MB of usages",
        text_bytes as f64 / 1e6,
        usage_bytes as f64 / 1e6
    );

    // Re-recording one draft (what a draft edit costs the index).
    let (key, text, findings) = &checked[0];
    let started = Instant::now();
    for _ in 0..100 {
        index.record(key, text.as_str(), TextFormat::Markdown, &corpus, findings);
    }
    println!(
        "re-recording one draft (60 quotes): {:.1} µs",
        started.elapsed().as_secs_f64() * 1e6 / 100.0
    );

    // Every quote the check links to a source is found from its passage.
    let (mut linked, mut found) = (0usize, 0usize);
    for (key, _, findings) in &checked {
        for finding in findings {
            if finding.quote.ignored || finding.verdict == Verdict::Misattributed {
                continue;
            }
            for passage in finding.passage.iter().chain(&finding.also_in) {
                let source = corpus.source(passage.source).unwrap();
                linked += 1;
                let hits = index.at(
                    &source.key,
                    source.text.as_str(),
                    source.format,
                    passage.range.start,
                );
                if hits
                    .iter()
                    .any(|h| h.draft == key.as_str() && h.usage.quote == finding.quote.range)
                {
                    found += 1;
                }
            }
        }
    }
    println!("linked quotes found from their passage: {found} / {linked}");
    assert_eq!(found, linked, "every linked quote must be found");

    // Query positions: a quoted passage's start, a word inside its paragraph, any position of any source.
    let quoted: Vec<(String, usize)> = index
        .drafts()
        .flat_map(|(_, d)| {
            d.usages
                .iter()
                .map(|u| (u.source.clone(), u.passage.start + 1))
        })
        .collect();
    let mut rng = Rng::new(0xC0FFEE);
    let mut probes: Vec<(String, usize)> = Vec::with_capacity(queries);
    for q in 0..queries {
        if q % 4 == 3 {
            let (key, text) = &sources[rng.below(sources.len())];
            probes.push((key.clone(), rng.below(text.len())));
        } else {
            probes.push(quoted[rng.below(quoted.len())].clone());
        }
    }
    let caps = ClientCaps::default();
    let mut times = Vec::with_capacity(queries);
    let mut answers = 0usize;
    for (key, offset) in &probes {
        let started = Instant::now();
        let source = corpus.source(corpus.source_id(key).unwrap()).unwrap();
        let hits = index.at(key, source.text.as_str(), source.format, *offset);
        let answer = locations(&hits, &caps);
        times.push(started.elapsed());
        answers += answer.len();
    }
    println!(
        "references in process (query + locations): {}; {:.1} locations per answer",
        percentiles(times),
        answers as f64 / queries as f64
    );
    let most = index
        .summary()
        .into_iter()
        .max_by_key(|(_, u)| u.quotes)
        .map(|(k, u)| (k.to_string(), u.quotes));
    if let Some((key, quotes)) = &most {
        let source = corpus.source(corpus.source_id(key).unwrap()).unwrap();
        let started = Instant::now();
        let hits = index.query(key, None);
        let answer = locations(&hits, &caps);
        println!(
            "the most quoted source ({quotes} quotes): all its references in {:.3} ms ({} locations, {} bytes of text)",
            started.elapsed().as_secs_f64() * 1e3,
            answer.len(),
            source.text.len()
        );
    }

    if args.iter().any(|a| a == "--lsp") {
        write_workspace(&root, &sources, &texts, articles, drafts);
        let probes: Vec<(String, usize, usize)> = probes
            .iter()
            .take(200)
            .map(|(key, offset)| {
                let source = corpus.source(corpus.source_id(key).unwrap()).unwrap();
                let text = source.text.as_str();
                let line = text[..*offset].matches('\n').count();
                let line_start = text[..*offset].rfind('\n').map_or(0, |i| i + 1);
                let character = text[line_start..*offset].encode_utf16().count();
                (key.clone(), line, character)
            })
            .collect();
        let expected = {
            let (key, offset) = &quoted[0];
            let source = corpus.source(corpus.source_id(key).unwrap()).unwrap();
            let hits = index.at(key, source.text.as_str(), source.format, *offset);
            let line = source.text.as_str()[..*offset].matches('\n').count();
            (key.clone(), line, locations(&hits, &caps).len())
        };
        over_lsp(&root, &probes, &expected);
    }
}

/// Writes the workspace (once per size: a `.generated` stamp).
fn write_workspace(
    root: &Path,
    sources: &[(String, String)],
    drafts: &[(String, String)],
    articles: usize,
    count: usize,
) {
    let stamp = format!(
        "generator v{} articles {articles} drafts {count}\n",
        corpus::GENERATOR_VERSION
    );
    if fs::read_to_string(root.join(".generated")).ok().as_deref() == Some(stamp.as_str()) {
        return;
    }
    let _ = fs::remove_dir_all(root);
    for (path, text) in sources.iter().chain(drafts) {
        let path = PathBuf::from(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    fs::write(root.join(".generated"), stamp).unwrap();
}

fn frame(value: &Value) -> Vec<u8> {
    let body = value.to_string();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body.as_bytes());
    out
}

/// Reads one framed message.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The release server on the workspace: time until its background scan answers the first probe in full, then
/// the round trip of each references request.
fn over_lsp(root: &Path, probes: &[(String, usize, usize)], expected: &(String, usize, usize)) {
    let cache = root.with_extension("cache");
    let mut child = Command::new(env!("CARGO_BIN_EXE_verbatim"))
        .arg("lsp")
        .env("VERBATIM_CACHE_DIR", &cache)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts verbatim lsp");
    let mut input = child.stdin.take().unwrap();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    let mut next_id = 0;
    let mut request = |input: &mut std::process::ChildStdin,
                       output: &mut BufReader<std::process::ChildStdout>,
                       method: &str,
                       params: Value|
     -> Value {
        next_id += 1;
        let id = next_id;
        input
            .write_all(&frame(
                &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
            ))
            .unwrap();
        input.flush().unwrap();
        loop {
            let message = read_message(output).expect("the server answers");
            if message["id"] == id && message.get("method").is_none() {
                return message["result"].clone();
            }
        }
    };
    let uri = |path: &str| format!("file://{path}");
    let started = Instant::now();
    request(
        &mut input,
        &mut output,
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(&root.to_string_lossy()),
            "workspaceFolders": [{"uri": uri(&root.to_string_lossy()), "name": "bench"}],
            "capabilities": {"textDocument": {"references": {}}}
        }),
    );
    input
        .write_all(&frame(
            &json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
        ))
        .unwrap();
    let references = |path: &str, line: usize, character: usize| {
        json!({
            "textDocument": {"uri": uri(path)},
            "position": {"line": line, "character": character},
            "context": {"includeDeclaration": false}
        })
    };
    // The first probe answers in full once the scan has reached every draft quoting it; then wait for the
    // scan to end (its answer to a probe of the last draft's sources), measured by polling.
    loop {
        let answer = request(
            &mut input,
            &mut output,
            "textDocument/references",
            references(&expected.0, expected.1, 0),
        );
        if answer.as_array().is_some_and(|a| a.len() >= expected.2) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the scan never ended"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "over LSP: the index answers the first probe in full {:.1} s after initialize",
        started.elapsed().as_secs_f64()
    );
    // Let the scan finish (it holds a core), so the figures are the requests' own.
    let mut last = 0;
    loop {
        std::thread::sleep(Duration::from_secs(2));
        let total: usize = probes
            .iter()
            .take(40)
            .map(|(path, line, character)| {
                request(
                    &mut input,
                    &mut output,
                    "textDocument/references",
                    references(path, *line, *character),
                )
                .as_array()
                .map_or(0, Vec::len)
            })
            .sum();
        if total == last {
            break;
        }
        last = total;
    }
    println!(
        "over LSP: the background scan settled {:.1} s after initialize",
        started.elapsed().as_secs_f64()
    );
    let mut times = Vec::new();
    for (path, line, character) in probes {
        let begun = Instant::now();
        request(
            &mut input,
            &mut output,
            "textDocument/references",
            references(path, *line, *character),
        );
        times.push(begun.elapsed());
    }
    println!("over LSP, references round trip: {}", percentiles(times));
    let _ = request(&mut input, &mut output, "shutdown", Value::Null);
    let _ = input.write_all(&frame(&json!({"jsonrpc": "2.0", "method": "exit"})));
    drop(input);
    let _ = child.wait();
}
