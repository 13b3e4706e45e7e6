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
        Some(dir) if dir.join("ground-truth.json").is_file() => {
            web_pages(&dir, verbose);
            other_formats(&dir, verbose);
            cold_start(&dir);
        }
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

    let docs: Vec<(String, String, String)> = pages
        .iter()
        .zip(&extracted)
        .map(|(page, e)| (page.key.clone(), page.truth.clone(), e.text.clone()))
        .collect();
    quote_accuracy("web pages", &docs, verbose);
}

/// Quotes of the labelled sentences, exact and with one word changed, checked against a corpus of every
/// document's extracted text (`(key, labelled body, extracted text)`): how many verify with the right document,
/// how many drift.
fn quote_accuracy(label: &str, docs: &[(String, String, String)], verbose: bool) {
    let mut corpus = Corpus::new();
    for (key, _, text) in docs {
        corpus.upsert_source(key, text.clone(), TextFormat::PlainText);
    }
    let settings = EngineSettings::default();
    let (mut exact_ok, mut changed_ok, mut total, mut wrong_source) = (0, 0, 0, 0);
    for (key, truth, _) in docs {
        for sentence in quotable(truth).into_iter().take(10) {
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
                if f.verdict == Verdict::Verified && source_of(f).as_deref() == Some(key.as_str()) {
                    exact_ok += 1;
                } else if f.verdict == Verdict::Verified {
                    wrong_source += 1;
                } else if verbose {
                    eprintln!(
                        "{label}: not verified ({:?}) {key}: {sentence}\n    {}",
                        f.verdict, f.message
                    );
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
        "{label}: quotes of labelled sentences: {exact_ok}/{total} exact verified with the right document ({:.1}%, \
         {wrong_source} verified in another: near-duplicates), {changed_ok}/{total} one-word changes drift ({:.1}%)",
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

/// The cold start of a workspace of 1,000 saved web pages (the labelled pages copied 20 times into a temporary
/// folder, never into the repository): discovery, reading, extraction and indexing, as `verbatim check` and the
/// language server's first start do it.
fn cold_start(dir: &Path) {
    let pages = load(dir);
    let workspace = tempfile::tempdir().unwrap();
    let sources = workspace.path().join("sources");
    let mut bytes = 0usize;
    let mut count = 0usize;
    'copies: for copy in 0..1000usize.div_ceil(pages.len().max(1)) {
        let folder = sources.join(format!("copy-{copy:02}"));
        std::fs::create_dir_all(&folder).unwrap();
        for page in &pages {
            if count == 1000 {
                break 'copies;
            }
            std::fs::write(folder.join(format!("{}.html", page.key)), &page.html).unwrap();
            bytes += page.html.len();
            count += 1;
        }
    }
    let started = Instant::now();
    let opened = verbatim::workspace::Workspace::open(workspace.path());
    let found = opened.discover_sources();
    let mut corpus = Corpus::new();
    let warnings = opened.load_sources(&mut corpus, &found, &|_, _| {});
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "## Cold start: {count} saved web pages ({:.1} MB)",
        bytes as f64 / 1e6
    );
    println!(
        "{} sources indexed in {seconds:.2} s ({:.0} pages/s, {:.1} MB/s) on {} threads; {} warnings",
        corpus.len(),
        count as f64 / seconds,
        bytes as f64 / 1e6 / seconds,
        rayon::current_num_threads(),
        warnings.len()
    );
}

/// The labelled bodies typeset as the other formats a source arrives in, extracted, and quoted: SRT and WebVTT
/// transcripts (7-word cues, lines broken inside cues, a speaker label or voice per paragraph), .docx (runs
/// split every few words, bold and italic), and PDF typeset by groff when it is installed (one column and two
/// columns, hyphenation on, running header and footer, page numbers), written to a temporary folder.
fn other_formats(dir: &Path, verbose: bool) {
    let pages = load(dir);
    let mut srt = Vec::new();
    let mut vtt = Vec::new();
    let mut docx = Vec::new();
    for page in &pages {
        let body = &page.truth;
        for (format, out) in [(Format::Srt, &mut srt), (Format::Vtt, &mut vtt)] {
            let file = transcript(body, format);
            let extraction = extract::extract_as(format, file.as_bytes(), &Default::default())
                .expect("generated transcripts extract");
            out.push((page.key.clone(), body.clone(), extraction.text));
        }
        let file = word_document(body);
        let extraction = extract::extract_as(Format::Docx, &file, &Default::default())
            .expect("generated documents extract");
        docx.push((page.key.clone(), body.clone(), extraction.text));
    }
    quote_accuracy("SRT transcripts", &srt, verbose);
    quote_accuracy("WebVTT transcripts", &vtt, verbose);
    quote_accuracy(".docx", &docx, verbose);
    for columns in [1, 2] {
        let Some(docs) = groff_pdfs(&pages, columns) else {
            println!("PDF: groff not found, skipped");
            return;
        };
        quote_accuracy(
            &format!(
                "PDF, {columns} column(s), groff ({} of {} pages: Latin script)",
                docs.len(),
                pages.len()
            ),
            &docs,
            verbose,
        );
    }
}

fn transcript(body: &str, format: Format) -> String {
    let mut out = String::new();
    if format == Format::Vtt {
        out.push_str("WEBVTT\n\n");
    }
    let mut cue = 0u64;
    for (p, paragraph) in body
        .split('\n')
        .filter(|p| !p.trim().is_empty())
        .enumerate()
    {
        let speaker = if p % 2 == 0 { "Minister" } else { "Presenter" };
        let words: Vec<&str> = paragraph.split_whitespace().collect();
        for (c, chunk) in words.chunks(7).enumerate() {
            cue += 1;
            let (start, end) = (cue * 3000, cue * 3000 + 2900);
            let time = |ms: u64, sep: char| {
                format!(
                    "{:02}:{:02}:{:02}{sep}{:03}",
                    ms / 3_600_000,
                    ms / 60_000 % 60,
                    ms / 1000 % 60,
                    ms % 1000
                )
            };
            let (first, second) = chunk.split_at(chunk.len().min(4));
            let mut text = first.join(" ");
            if !second.is_empty() {
                text.push('\n');
                text.push_str(&second.join(" "));
            }
            match format {
                Format::Srt => {
                    let label = if c == 0 {
                        format!("{}: ", speaker.to_uppercase())
                    } else {
                        String::new()
                    };
                    out.push_str(&format!(
                        "{cue}\n{} --> {}\n{label}{text}\n\n",
                        time(start, ','),
                        time(end, ',')
                    ));
                }
                _ => {
                    let text = text.replace('&', "&amp;").replace('<', "&lt;");
                    out.push_str(&format!(
                        "{} --> {}\n<v {speaker}>{text}\n\n",
                        time(start, '.'),
                        time(end, '.')
                    ));
                }
            }
        }
    }
    out
}

fn word_document(body: &str) -> Vec<u8> {
    use std::io::Write;
    let escape = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#,
    );
    for paragraph in body.split('\n').filter(|p| !p.trim().is_empty()) {
        xml.push_str("<w:p>");
        let words: Vec<&str> = paragraph.split_whitespace().collect();
        for (i, chunk) in words.chunks(5).enumerate() {
            let style = ["", "<w:rPr><w:b/></w:rPr>", "<w:rPr><w:i/></w:rPr>"][i % 3];
            let space = if i + 1 < words.len().div_ceil(5) {
                " "
            } else {
                ""
            };
            xml.push_str(&format!(
                r#"<w:r>{style}<w:t xml:space="preserve">{}{space}</w:t></w:r>"#,
                escape(&chunk.join(" "))
            ));
        }
        xml.push_str("</w:p>");
    }
    xml.push_str("</w:body></w:document>");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(xml.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// The bodies typeset by `groff -ms -Tpdf` in a temporary folder and extracted; `None` without groff.
fn groff_pdfs(pages: &[Page], columns: usize) -> Option<Vec<(String, String, String)>> {
    let folder = tempfile::tempdir().ok()?;
    let mut docs = Vec::new();
    // groff's PDF fonts have Latin glyphs only: a Korean or Russian page cannot be typeset, so it is left out.
    let latin = |text: &str| {
        let other = text
            .chars()
            .filter(|c| !(*c as u32 <= 0x24F || ('\u{2000}'..='\u{206F}').contains(c)))
            .count();
        other * 100 <= text.chars().count()
    };
    for page in pages.iter().filter(|page| latin(&page.truth)) {
        let mut roff =
            String::from(".ds LH Annual Review\n.ds RH Ministry of Water\n.ds CF Page %\n.hy 14\n");
        if columns == 2 {
            roff.push_str(".2C\n");
        }
        for paragraph in page.truth.split('\n').filter(|p| !p.trim().is_empty()) {
            roff.push_str(".PP\n");
            for line in paragraph.split_whitespace().collect::<Vec<_>>().chunks(12) {
                let line = line.join(" ").replace('\\', "\\e");
                if line.starts_with(['.', '\'']) {
                    roff.push_str("\\&");
                }
                roff.push_str(&line);
                roff.push('\n');
            }
        }
        let input = folder.path().join(format!("{}.ms", page.key));
        std::fs::write(&input, roff).ok()?;
        let output = std::process::Command::new("groff")
            .args(["-k", "-ms", "-Tpdf"])
            .arg(&input)
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        if !output.status.success() {
            return None;
        }
        let text = extract::extract_as(Format::Pdf, &output.stdout, &Default::default())
            .map(|e| e.text)
            .unwrap_or_default();
        docs.push((page.key.clone(), page.truth.clone(), text));
    }
    Some(docs)
}
