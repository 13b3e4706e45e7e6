//! `verbatim check --format html`: the page's structure (one `data-verdict` element with an anchor per finding,
//! summary counts, filter targets), escaping of hostile drafts and sources, validation by the Nu HTML Checker,
//! and the demo report as headless Chromium renders it (DOM text and a screenshot).
//!
//! The validator and the browser come from outside cargo: the test uses them when they are installed
//! (`VERBATIM_VNU_JAR` or `target/tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar`; `CHROMIUM` or
//! `/usr/bin/chromium`) and says it skipped them otherwise; `VERBATIM_REQUIRE_HTML_TOOLS=1` (set by `.ci/run`)
//! makes a missing tool a failure. `VERBATIM_HTML_DOCS=1` also copies the screenshot to `docs/`.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use verbatim::cli::html::{verdict_label, write_html};
use verbatim::cli::Report;

#[path = "support/check.rs"]
mod check_support;

use check_support::check_workspace;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn html_of(report: &Report) -> String {
    let mut out = Vec::new();
    write_html(&mut out, report).expect("the report is written");
    String::from_utf8(out).expect("the report is UTF-8")
}

/// The values of `attribute="…"` on every tag that has it.
fn attribute_values<'a>(html: &'a str, attribute: &str) -> Vec<&'a str> {
    let needle = format!(" {attribute}=\"");
    html.match_indices(&needle)
        .map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            &rest[..rest.find('"').expect("attribute closed")]
        })
        .collect()
}

/// The opening tags of the findings: `<details class="finding" …>`.
fn finding_tags(html: &str) -> Vec<&str> {
    html.match_indices("<details class=\"finding\"")
        .map(|(at, _)| &html[at..at + html[at..].find('>').unwrap()])
        .collect()
}

#[test]
fn demo_report_has_one_anchored_element_per_finding() {
    let report = check_workspace(&manifest().join("fixtures/demo")).unwrap();
    let html = html_of(&report);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.trim_end().ends_with("</html>"));
    assert!(!html.contains("<script"), "no script is needed");
    assert!(!html.contains("<link"), "nothing is fetched");
    assert!(!html.contains("src="), "nothing is fetched");
    assert!(html.contains("prefers-color-scheme: dark"));
    assert!(html.contains("@media print"));

    let findings: Vec<_> = report.drafts.iter().flat_map(|d| &d.findings).collect();
    let tags = finding_tags(&html);
    assert_eq!(tags.len(), findings.len(), "one element per finding");
    for (tag, finding) in tags.iter().zip(&findings) {
        let code = finding.verdict.code();
        assert!(
            tag.contains(&format!("data-verdict=\"{code}\"")),
            "{tag} is a {code}"
        );
        assert!(tag.contains(" id=\""), "{tag} has an anchor");
        // Verified quotes are collapsed, the others open.
        assert_eq!(tag.ends_with(" open"), code != "verified", "{tag}");
    }
    // Every id is unique, and every finding's id is linked from the finding itself.
    let ids = attribute_values(&html, "id");
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "ids are unique");
    for tag in &tags {
        let id = attribute_values(tag, "id")[0];
        let link = format!("href=\"#{}\"", id.replace(' ', "%20"));
        assert!(html.contains(&link), "a link points at {id}");
    }
    // The summary counts every verdict of the demo, with its label; the filter has a target per verdict.
    for verdict in findings.iter().map(|f| f.verdict) {
        let count = findings.iter().filter(|f| f.verdict == verdict).count();
        let code = verdict.code();
        assert!(
            html.contains(&format!(
                "<div class=\"card\" data-verdict=\"{code}\"><span class=\"number\">{count}</span>"
            )),
            "summary card for {code}"
        );
        assert!(html.contains(&format!("id=\"show-{code}\"")));
        assert!(html.contains(&format!("href=\"#show-{code}\"")));
        assert!(html.contains(&format!("#show-{code}:target ~ main")));
        assert!(html.contains(&verdict_label(verdict)));
    }
    // The chart draws one bar per verdict, with its number as text.
    assert!(html.contains("<svg viewBox="));
    assert_eq!(
        html.matches("class=\"bar\"").count(),
        html.matches("<div class=\"card\" data-verdict=").count()
    );
    // Drift shows the word diff on both sides, the source's metadata and the attribution text.
    assert!(
        html.contains("call <ins>on</ins>"),
        "draft side of the diff"
    );
    assert!(
        html.contains("call <del>for</del>"),
        "source side of the diff"
    );
    assert!(html.contains("<cite>China reveals position on NATO expansion</cite>"));
    assert!(html.contains("<time datetime=\"2022-02-04\">4 Feb 2022</time>"));
    assert!(
        html.contains("href=\"https://example.org/rt/china-reveals-position-on-nato-expansion\"")
    );
    assert!(html.contains("<code>(China reveals position on NATO expansion, 4 Feb 2022)</code>"));
    assert!(html.contains("sources/rt-nato-expansion.md</code>, line 14"));
}

const HOSTILE_SOURCE: &str = "---\n\
title: \"<script>alert('title')</script> & Sons\"\n\
author: \"O'Brien & <b>Co</b>\"\n\
date: \"<img src=x onerror=alert(1)>\"\n\
url: \"javascript:alert(document.cookie)\"\n\
---\n\n\
The minister said the plan would \"protect <b>every</b> family & every child from harm, whatever it costs\" on Monday.\n";

const HOSTILE_DRAFT: &str = "---\ntitle: \"</title><script>alert('draft')</script>\"\n---\n\n\
She said the plan would “protect <b>every</b> family & every child from harm, whatever it costs”.\n\n\
He added: “protect <i>each</i> family & every child from harm, whatever it costs”.\n\n\
And: “<script>alert(\"quote\")</script> is not something anybody ever said in \u{1b}[31m public”.\n";

/// A workspace whose file names, front matter and quotes are hostile markup.
fn hostile_workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    fs::create_dir_all(root.join("sources")).unwrap();
    fs::create_dir_all(root.join("drafts")).unwrap();
    fs::write(root.join("sources/<evil> \"src\".md"), HOSTILE_SOURCE).unwrap();
    fs::write(root.join("drafts/a <b> & 'c'.md"), HOSTILE_DRAFT).unwrap();
    (dir, root)
}

#[test]
fn hostile_text_is_escaped() {
    let (_dir, root) = hostile_workspace();
    let report = check_workspace(&root).unwrap();
    let verdicts: Vec<&str> = report
        .drafts
        .iter()
        .flat_map(|d| d.findings.iter().map(|f| f.verdict.code()))
        .collect();
    assert_eq!(verdicts, ["verified", "drift", "unsourced"]);
    let html = html_of(&report);
    for raw in ["<script", "<b>", "<i>", "<img", "</title><", "\u{1b}"] {
        assert!(!html.contains(raw), "{raw:?} must be escaped");
    }
    assert!(
        !html.contains("href=\"javascript:"),
        "a javascript: URL is never a link"
    );
    assert!(html.contains("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &amp; Sons"));
    assert!(html.contains("O&#39;Brien &amp; &lt;b&gt;Co&lt;/b&gt;"));
    assert!(html.contains("&lt;script&gt;alert(&quot;quote&quot;)&lt;/script&gt;"));
    assert!(html.contains("drafts/a &lt;b&gt; &amp; &#39;c&#39;.md"));
    assert!(
        html.contains("␛[31m"),
        "control characters are shown, not sent"
    );
    // The ids made of hostile paths stay single attribute values.
    for tag in finding_tags(&html) {
        assert_eq!(tag.matches('"').count() % 2, 0, "{tag}");
    }
}

/// A workspace with a source and no draft.
fn draftless_workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    fs::create_dir_all(root.join("sources")).unwrap();
    fs::write(root.join("sources/a.md"), HOSTILE_SOURCE).unwrap();
    (dir, root)
}

#[test]
fn a_workspace_without_drafts_still_makes_a_page() {
    let (_dir, root) = draftless_workspace();
    let report = check_workspace(&root).unwrap();
    let html = html_of(&report);
    assert!(html.contains("No drafts were checked."));
    assert!(finding_tags(&html).is_empty());
}

/// Whether a missing validator or browser fails the test (CI) or only skips that part.
fn tools_required() -> bool {
    std::env::var("VERBATIM_REQUIRE_HTML_TOOLS").is_ok_and(|v| v == "1")
}

fn skip(what: &str) {
    assert!(
        !tools_required(),
        "{what} is required (VERBATIM_REQUIRE_HTML_TOOLS=1)"
    );
    eprintln!("html_report: {what} not installed; skipped (.ci/run installs it)");
}

fn vnu_jar() -> Option<PathBuf> {
    let jar = std::env::var_os("VERBATIM_VNU_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            manifest().join("target/tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar")
        });
    let java = Command::new("java")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    (jar.is_file() && java).then_some(jar)
}

/// Runs `command` to its end, killed after `limit`; its output, or why it failed.
fn run_bounded(command: &mut Command, limit: Duration) -> std::process::Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the tool starts");
    let started = Instant::now();
    // Read the pipes on threads so a chatty tool never blocks on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buffer).ok();
        buffer
    });
    let err = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut buffer).ok();
        buffer
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().ok();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    std::process::Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Validates the pages with the Nu HTML Checker (errors only, one run for all), when it is installed.
fn validate(pages: &[(&str, String)]) {
    let Some(jar) = vnu_jar() else {
        skip("the Nu HTML Checker (npm vnu-jar + java)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new("java");
    command
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "text"]);
    for (name, html) in pages {
        let file = dir.path().join(format!("{name}.html"));
        fs::write(&file, html).unwrap();
        command.arg(file);
    }
    let output = run_bounded(&mut command, Duration::from_secs(300));
    assert!(
        output.status.success(),
        "the Nu HTML Checker rejects a report:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn reports_are_valid_html5() {
    let demo = check_workspace(&manifest().join("fixtures/demo")).unwrap();
    let (_hostile_dir, hostile_root) = hostile_workspace();
    let hostile = check_workspace(&hostile_root).unwrap();
    let (_empty_dir, empty_root) = draftless_workspace();
    let empty = check_workspace(&empty_root).unwrap();
    validate(&[
        ("demo", html_of(&demo)),
        ("hostile", html_of(&hostile)),
        ("empty", html_of(&empty)),
    ]);
}

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.is_file().then_some(path)
}

/// Headless Chromium as this machine needs it: no sandbox (root), no GPU, no background connections, a fresh
/// profile.
fn headless(chromium: &Path, profile: &Path) -> Command {
    let mut command = Command::new(chromium);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

#[test]
fn chromium_renders_the_demo_report() {
    let Some(chromium) = chromium() else {
        skip("Chromium");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("demo report.html");
    // The real command line, writing with --output.
    let status = Command::new(env!("CARGO_BIN_EXE_verbatim"))
        .args(["check", "--format", "html", "--root"])
        .arg(manifest().join("fixtures/demo"))
        .arg("--output")
        .arg(&page)
        .env("SOURCE_DATE_EPOCH", "1643990400")
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "the demo has findings");
    let html = fs::read_to_string(&page).expect("--output wrote the page");
    let url = format!("file://{}", page.display()).replace(' ', "%20");

    let dom = run_bounded(
        headless(&chromium, &dir.path().join("profile-dom"))
            .arg("--dump-dom")
            .arg(&url),
        Duration::from_secs(120),
    );
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom_text.contains("</html>"),
        "Chromium dumped the DOM: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    // The browser's DOM holds what the page says: every finding element, with its verdict label.
    assert_eq!(
        dom_text.matches("<details class=\"finding\"").count(),
        finding_tags(&html).len()
    );
    for label in ["Verified", "Drift", "Unsourced"] {
        assert!(
            dom_text.contains(&format!("</span> {label}</span>")),
            "the {label} label is rendered"
        );
    }
    assert!(dom_text.contains("call <ins>on</ins>"));

    let screenshot = dir.path().join("report.png");
    let shot = run_bounded(
        headless(&chromium, &dir.path().join("profile-shot"))
            .arg("--window-size=1280,1800")
            .arg(format!("--screenshot={}", screenshot.display()))
            .arg(&url),
        Duration::from_secs(120),
    );
    let png = fs::read(&screenshot).unwrap_or_else(|_| {
        panic!(
            "Chromium wrote no screenshot: {}",
            String::from_utf8_lossy(&shot.stderr)
        )
    });
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    // The header's size: 1280 × 1800, as asked.
    assert_eq!(&png[16..24], &[0, 0, 5, 0, 0, 0, 7, 8]);
    assert!(
        png.len() > 50_000,
        "the page is not blank ({} bytes)",
        png.len()
    );
    if std::env::var("VERBATIM_HTML_DOCS").is_ok_and(|v| v == "1") {
        fs::copy(&screenshot, manifest().join("docs/html-report.png")).unwrap();
    }
}

#[test]
fn a_misattribution_shows_both_credits() {
    let root = manifest().join("fixtures/cases/misattributed_appositive");
    let report = check_workspace(&root).unwrap();
    let html = html_of(&report);
    let tags = finding_tags(&html);
    let misattributed: Vec<_> = tags
        .iter()
        .filter(|t| t.contains("data-verdict=\"misattributed\""))
        .collect();
    assert_eq!(misattributed.len(), 1, "{tags:?}");
    // Its anchor is at the speaker's name (Finding::range), not at the quote.
    let finding = report.drafts[0]
        .findings
        .iter()
        .find(|f| f.verdict.code() == "misattributed")
        .unwrap();
    assert_ne!(finding.range(), finding.quote.range);
    assert!(html.contains("<b class=\"speaker\">Sara Lind</b>"));
    assert!(html.contains("<b class=\"speaker\">Hugh Hill</b>"));
    assert!(html.contains("<span class=\"key\">Credited</span>"));
    assert!(html.contains("</span> Misattributed</span>"));
}

/// A passage of a PDF is placed by its page (a PDF has no lines to point at), a transcript's by its line in the
/// .srt file and its cue's time and speaker, as the JSON's `locator` says them (issue 20: "page or timestamp
/// for PDFs and transcripts").
#[test]
fn extracted_sources_are_placed_by_page_or_cue() {
    let pdf =
        html_of(&check_workspace(&manifest().join("fixtures/cases/pdf_page_crossing")).unwrap());
    assert!(
        pdf.contains("sources/nato-digest.pdf · pp. 1–2</span>"),
        "the page range in the side label"
    );
    assert!(
        pdf.contains("sources/nato-digest.pdf</code>, p. 2</span>"),
        "the page in the source line"
    );
    assert!(
        !pdf.contains("nato-digest.pdf</code>, line"),
        "no line for a PDF"
    );

    // A saved page names its outlet beside the byline, and its line is the line in the .html file.
    let page =
        html_of(&check_workspace(&manifest().join("fixtures/cases/html_saved_page")).unwrap());
    assert!(
        page.contains("Priya Raman <span class=\"sep\">·</span> <span class=\"outlet\">The Riverside Gazette</span>"),
        "byline and outlet"
    );
    assert!(page.contains("sources/city-council.html</code>, line 32</span>"));

    let srt = html_of(&check_workspace(&manifest().join("fixtures/cases/srt_transcript")).unwrap());
    let place = srt
        .split("sources/minister-interview.srt</code>, line ")
        .nth(1)
        .expect("a transcript passage names its line");
    let (line, rest) = place.split_once(", ").unwrap();
    assert!(line.parse::<u32>().is_ok_and(|n| n > 1), "{place}");
    assert!(
        rest.starts_with("00:00:") && rest.contains(" · "),
        "cue time and speaker: {place}"
    );
}
