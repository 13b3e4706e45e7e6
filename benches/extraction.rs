//! Source-format extraction yardsticks (issue 12): main-text F1 of saved web pages against human-labelled
//! article bodies, quotes of those pages verified and drifted end to end, and extraction throughput per format.
//!
//! `cargo bench --bench extraction -- [DATA_DIR] [--verbose]`, where DATA_DIR (or `VERBATIM_EXTRACTION_DATA`) is
//! the article-extraction development set: `html/<key>.html.gz` pages and `ground-truth.json`
//! (`key → {articleBody, url}`). The data is read in place, never copied. Without it only throughput runs.
//!
//! The F1 is the public benchmark's: `\w+` tokens, 4-token shingles counted per shingle, precision and recall
//! per page (1/1 when both sides are empty, 0/0 when nothing matches), averaged over pages, F1 from the
//! averages. This is a benchmark, not a test: it measures and reports; it asserts nothing.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use verbatim::engine::{Corpus, EngineSettings, TextFormat, Verdict};
use verbatim::extract::{self, Format};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let verbose = args.iter().any(|a| a == "--verbose");
    let data = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("VERBATIM_EXTRACTION_DATA").map(PathBuf::from));
    match data {
        Some(dir) if dir.join("ground-truth.json").is_file() => web_pages(&dir, verbose),
        _ => eprintln!(
            "no article-extraction data (pass its folder or set VERBATIM_EXTRACTION_DATA): F1 skipped"
        ),
    }
    throughput();
}

struct Page {
    key: String,
    html: Vec<u8>,
    truth: String,
}

fn load(dir: &Path) -> Vec<Page> {
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ground-truth.json")).unwrap())
            .unwrap();
    let mut pages: Vec<Page> = truth
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(key, value)| {
            let file = std::fs::File::open(dir.join("html").join(format!("{key}.html.gz"))).ok()?;
            let mut html = Vec::new();
            flate2::read::GzDecoder::new(file)
                .read_to_end(&mut html)
                .ok()?;
            Some(Page {
                key: key.clone(),
                html,
                truth: value["articleBody"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            })
        })
        .collect();
    pages.sort_by(|a, b| a.key.cmp(&b.key));
    pages
}

fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric() || c == '_';
        match (word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

fn shingles(text: &str) -> HashMap<Vec<&str>, i64> {
    let tokens = tokens(text);
    let mut out = HashMap::new();
    let n = 4;
    let count = if tokens.len() >= n {
        tokens.len() - n + 1
    } else {
        1
    };
    for i in 0..count {
        let end = (i + n).min(tokens.len());
        *out.entry(tokens[i..end].to_vec()).or_insert(0) += 1;
    }
    out
}

fn precision_recall(truth: &str, predicted: &str) -> (f64, f64) {
    let (t, p) = (shingles(truth), shingles(predicted));
    let (mut tp, mut fp, mut fneg) = (0, 0, 0);
    for (k, &v) in &p {
        let in_truth = *t.get(k).unwrap_or(&0);
        tp += v.min(in_truth);
        fp += (v - in_truth).max(0);
    }
    for (k, &v) in &t {
        fneg += (v - *p.get(k).unwrap_or(&0)).max(0);
    }
    if fp == 0 && fneg == 0 {
        return (1.0, 1.0);
    }
    if tp == 0 {
        return (0.0, 0.0);
    }
    (tp as f64 / (tp + fp) as f64, tp as f64 / (tp + fneg) as f64)
}

/// Sentences of a labelled body worth quoting: 8 to 40 words, no quotation marks inside (a draft's quote
/// marks would nest).
fn quotable(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in body.split('\n') {
        let mut sentence = String::new();
        for word in paragraph.split_whitespace() {
            sentence.push_str(word);
            sentence.push(' ');
            if word.ends_with(['.', '!', '?']) {
                let s = sentence.trim().to_string();
                let words = s.split_whitespace().count();
                if (8..=40).contains(&words) && !s.contains(['"', '“', '”', '„', '«', '»'])
                {
                    out.push(s);
                }
                sentence.clear();
            }
        }
    }
    out
}

/// Replaces the middle word with another of the same length class.
fn one_word_changed(sentence: &str) -> String {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let middle = words.len() / 2;
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    out[middle] = if words[middle].to_lowercase() == "considerable" {
        "negligible".to_string()
    } else {
        "considerable".to_string()
    };
    out.join(" ")
}

fn web_pages(dir: &Path, verbose: bool) {
    let pages = load(dir);
    let mut sum = (0.0, 0.0);
    let started = Instant::now();
    let mut extracted = Vec::new();
    let mut bytes = 0usize;
    for page in &pages {
        let extraction =
            extract::extract("page.html", &page.html).expect("web pages always extract");
        bytes += page.html.len();
        let (p, r) = precision_recall(&page.truth, &extraction.text);
        if verbose {
            eprintln!("{}\tP {p:.3}\tR {r:.3}", page.key);
        }
        sum.0 += p;
        sum.1 += r;
        extracted.push(extraction);
    }
    let seconds = started.elapsed().as_secs_f64();
    let n = pages.len() as f64;
    let (p, r) = (sum.0 / n, sum.1 / n);
    println!("## Web pages: main text ({} real pages)", pages.len());
    println!(
        "precision {p:.3}  recall {r:.3}  F1 {:.3}   ({:.1} MB in {seconds:.2} s: {:.1} MB/s)",
        2.0 * p * r / (p + r),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / seconds
    );

    // Quotes: sentences of the labelled bodies, quoted exactly and with one word changed, against a corpus of
    // all the pages' extracted text.
    let mut corpus = Corpus::new();
    for (page, extraction) in pages.iter().zip(&extracted) {
        corpus.upsert_source(&page.key, extraction.text.clone(), TextFormat::PlainText);
    }
    let settings = EngineSettings::default();
    let (mut exact_ok, mut changed_ok, mut total, mut wrong_source) = (0, 0, 0, 0);
    for page in &pages {
        for sentence in quotable(&page.truth).into_iter().take(10) {
            total += 1;
            let draft = format!(
                "She said \"{sentence}\"\n\nThey said \"{}\"\n",
                one_word_changed(&sentence)
            );
            let findings = corpus.check_draft(&draft, TextFormat::PlainText, &settings);
            let source_of = |f: &verbatim::engine::Finding| {
                f.passage
                    .as_ref()
                    .and_then(|p| corpus.source(p.source))
                    .map(|s| s.key.clone())
            };
            if let Some(f) = findings.first() {
                if f.verdict == Verdict::Verified
                    && source_of(f).as_deref() == Some(page.key.as_str())
                {
                    exact_ok += 1;
                } else if f.verdict == Verdict::Verified {
                    wrong_source += 1;
                } else if verbose {
                    eprintln!("not verified ({:?}) {}: {sentence}", f.verdict, page.key);
                }
            }
            if let Some(f) = findings.get(1) {
                if f.verdict == Verdict::Drift {
                    changed_ok += 1;
                }
            }
        }
    }
    println!(
        "quotes of labelled sentences: {exact_ok}/{total} exact verified with the right page ({:.1}%, {wrong_source} \
         verified on another page: near-duplicates), {changed_ok}/{total} one-word changes drift ({:.1}%)",
        100.0 * exact_ok as f64 / total.max(1) as f64,
        100.0 * changed_ok as f64 / total.max(1) as f64
    );
}

/// MB/s per format on the checked-in fixtures, repeated to at least ~4 MB of input each.
fn throughput() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases");
    let mut by_format: HashMap<Format, Vec<(String, Vec<u8>)>> = HashMap::new();
    for entry in walkdir::WalkDir::new(&root).into_iter().flatten() {
        let path = entry.path();
        if !path.is_file() || !path.to_string_lossy().contains("/sources/") {
            continue;
        }
        let name = path.to_string_lossy().into_owned();
        let format = Format::from_name(&name);
        if format.is_identity() {
            continue;
        }
        if let Ok(bytes) = std::fs::read(path) {
            if extract::extract(&name, &bytes).is_ok() {
                by_format.entry(format).or_default().push((name, bytes));
            }
        }
    }
    println!("## Extraction throughput (checked-in fixtures, repeated)");
    let mut formats: Vec<_> = by_format.into_iter().collect();
    formats.sort_by_key(|(f, _)| f.name());
    for (format, files) in formats {
        let size: usize = files.iter().map(|f| f.1.len()).sum();
        let rounds = (4_000_000 / size.max(1)).clamp(1, 20_000);
        let started = Instant::now();
        let mut chars = 0usize;
        for _ in 0..rounds {
            for (name, bytes) in &files {
                chars += extract::extract(name, bytes)
                    .map(|e| e.text.len())
                    .unwrap_or(0);
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{:5}  {} files, {:.1} MB read in {seconds:.2} s: {:.1} MB/s ({} text bytes)",
            format.name(),
            files.len(),
            (size * rounds) as f64 / 1e6,
            (size * rounds) as f64 / 1e6 / seconds,
            chars / rounds
        );
    }
}
