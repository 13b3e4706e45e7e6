//! Runs every fixture workspace (`fixtures/cases/*` and `fixtures/demo`) through `verbatim check` and compares
//! the findings with the case's `expected.toml`: every finding must be expected and every expected one found.
//!
//! One trial per case, so `cargo test --test cases -- drift_` runs the drift cases alone.
//!
//! Each expected finding pins what a user sees, exactly: the message, the source passage's words, the edits a
//! quick fix would make and the source's title. Substrings of messages are not enough (`"the"` matches any).
//! `VERBATIM_BLESS=1 cargo test --test cases` writes the pinned fields a finding lacks (or that changed) into
//! its `expected.toml` from what the checker says now: review the diff before committing it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use serde::Deserialize;
use verbatim::cli::Report;
use verbatim::engine::attribution_text;
use verbatim::workspace::formats;

#[path = "support/check.rs"]
mod check_support;

use check_support::check_workspace;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[allow(dead_code)]
    description: String,
    #[serde(default)]
    finding: Vec<ExpectedFinding>,
    /// Substrings each of which some warning about reading the workspace must contain (a scanned PDF, a
    /// corrupt file); with `warnings` given, every warning must be expected.
    warnings: Option<Vec<String>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    draft: String,
    quote: String,
    code: String,
    source: Option<String>,
    /// The message, exactly.
    message: Option<String>,
    /// The source passage's words (whitespace collapsed), for a finding with a source.
    passage: Option<String>,
    /// The edits: `kind “draft words” → “source words”`, in order (empty for a verified quote).
    edits: Option<Vec<String>>,
    /// The title of the source (front matter, else its first line).
    source_title: Option<String>,
    /// The url of the source (front matter).
    source_url: Option<String>,
    also_in: Option<Vec<String>>,
    /// Who the draft credits the quote to, as written (`""`: nobody).
    speaker: Option<String>,
    /// The draft text a finding marks when it is not the quote: a misattribution's speaker.
    speaker_range: Option<String>,
    /// Whom the source credits the words to (`""`: nobody).
    source_speaker: Option<String>,
    /// Where the passage is in words (an extracted source): `p. 2`, `00:03:12 · Minister`.
    locator: Option<String>,
    /// The 1-based line of the passage's first byte in the source file itself (for an extracted web page or
    /// transcript: through the offset map, so go-to-definition lands on the quoted words).
    source_line: Option<u32>,
    /// The text "Insert attribution" writes after the quote (the case's `attribution.template`, filled from
    /// the source and the passage's place in it), exactly.
    attribution: Option<String>,
}

/// A finding as the cases see it.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    draft: String,
    quote: String,
    code: String,
    source: String,
    message: String,
    also_in: Vec<String>,
    similarity: f32,
    speaker: String,
    range_text: String,
    source_speaker: String,
    passage: String,
    locator: String,
    source_line: u32,
    edits: Vec<String>,
    source_title: String,
    source_url: String,
    attribution: String,
}

/// The quote text as cases write it: `>` markers at line starts dropped, whitespace collapsed.
fn comparable(text: &str) -> String {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| {
            let trimmed = line.trim_start();
            match trimmed.strip_prefix('>') {
                Some(rest) => rest.strip_prefix(' ').unwrap_or(rest),
                None => line,
            }
        })
        .collect();
    lines
        .join("\n")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn seen_findings(report: &Report) -> Vec<Seen> {
    let mut seen = Vec::new();
    for draft in &report.drafts {
        for finding in &draft.findings {
            let passage_source = finding
                .passage
                .as_ref()
                .and_then(|p| Some((p, report.corpus.source(p.source)?)));
            let source_path = |id| {
                report
                    .corpus
                    .source(id)
                    .map(|s| report.workspace.display(Path::new(&s.key)))
                    .unwrap_or_default()
            };
            seen.push(Seen {
                draft: report.workspace.display(&draft.path),
                quote: comparable(&draft.text[finding.quote.range.clone()]),
                code: finding.verdict.code().to_string(),
                source: finding
                    .passage
                    .as_ref()
                    .map(|p| source_path(p.source))
                    .unwrap_or_default(),
                message: finding.message.clone(),
                also_in: finding
                    .also_in
                    .iter()
                    .map(|p| source_path(p.source))
                    .collect(),
                similarity: finding.similarity,
                speaker: finding
                    .attribution
                    .as_ref()
                    .map(|a| a.speaker.clone())
                    .unwrap_or_default(),
                range_text: draft.text[finding.range()].to_string(),
                source_speaker: finding
                    .source_attribution
                    .as_ref()
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                passage: passage_source
                    .map(|(p, s)| comparable(s.text.get(p.range.clone()).unwrap_or_default()))
                    .unwrap_or_default(),
                edits: finding
                    .edits
                    .iter()
                    .map(|e| {
                        format!(
                            "{} “{}” → “{}”",
                            e.kind.name(),
                            e.quote_words,
                            e.source_words
                        )
                    })
                    .collect(),
                source_title: passage_source
                    .map(|(_, s)| s.metadata.title.clone())
                    .unwrap_or_default(),
                source_url: passage_source
                    .and_then(|(_, s)| s.metadata.url.clone())
                    .unwrap_or_default(),
                attribution: passage_source
                    .map(|(_, s)| {
                        attribution_text(
                            &report.workspace.config.attribution.template,
                            s,
                            &formats::passage_place(finding, s),
                        )
                    })
                    .unwrap_or_default(),
                locator: finding
                    .passage
                    .as_ref()
                    .and_then(|p| {
                        let source = report.corpus.source(p.source)?;
                        formats::original(Path::new(&source.key))?.locator(p.range.clone())
                    })
                    .unwrap_or_default(),
                source_line: finding
                    .passage
                    .as_ref()
                    .and_then(|p| {
                        let source = report.corpus.source(p.source)?;
                        let (file, at) = match formats::original(Path::new(&source.key)) {
                            Some(original) => {
                                let at = original.original_range(p.range.clone()).start;
                                (original.file_text.clone()?, at)
                            }
                            None => (source.text.as_str().to_string(), p.range.start),
                        };
                        let line = file.get(..at)?.matches('\n').count() + 1;
                        u32::try_from(line).ok()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    seen
}

fn load(root: &Path) -> Result<(Expected, Report), Failed> {
    let expected_text = std::fs::read_to_string(root.join("expected.toml"))
        .map_err(|e| format!("{}: cannot read expected.toml: {e}", root.display()))?;
    let expected: Expected =
        toml::from_str(&expected_text).map_err(|e| format!("expected.toml: {e}"))?;
    let report = check_workspace(root).map_err(|e| format!("check failed: {e}"))?;
    Ok((expected, report))
}

fn run_case(root: &Path) -> Result<(), Failed> {
    let (expected, report) = load(root)?;
    let mut unmatched = seen_findings(&report);
    let mut problems = Vec::new();
    // The finding matched by each expected one, and whether only pinned fields differ (then blessing helps).
    let mut matched: Vec<Seen> = Vec::new();
    let mut stale = false;
    for want in &expected.finding {
        let want_quote = comparable(&want.quote);
        // A quote may have two findings (its verdict and a misattribution): the one with the expected code first.
        let Some(index) = unmatched
            .iter()
            .position(|s| s.draft == want.draft && s.quote == want_quote && s.code == want.code)
            .or_else(|| {
                unmatched
                    .iter()
                    .position(|s| s.draft == want.draft && s.quote == want_quote)
            })
        else {
            problems.push(format!(
                "missing: {} {} “{}”",
                want.draft, want.code, want_quote
            ));
            continue;
        };
        let got = unmatched.remove(index);
        if got.code != want.code {
            problems.push(format!(
                "wrong verdict for “{}”: expected {}, got {} ({})",
                want_quote, want.code, got.code, got.message
            ));
            continue;
        }
        if let Some(source) = &want.source {
            if &got.source != source {
                problems.push(format!(
                    "“{want_quote}”: expected source {source:?}, got {:?}",
                    got.source
                ));
            }
        }
        let has_source = !got.source.is_empty();
        let pinned: [(&str, Option<String>, String, bool); 4] = [
            ("message", want.message.clone(), got.message.clone(), true),
            (
                "passage",
                want.passage.clone(),
                got.passage.clone(),
                has_source,
            ),
            (
                "edits",
                want.edits.as_ref().map(|e| format!("{e:?}")),
                format!("{:?}", got.edits),
                has_source,
            ),
            (
                "source_title",
                want.source_title.clone(),
                got.source_title.clone(),
                has_source,
            ),
        ];
        for (what, want_value, got_value, required) in pinned {
            match want_value {
                Some(want_value) if want_value != got_value => {
                    stale = true;
                    problems.push(format!(
                        "“{want_quote}” ({}): expected {what} {want_value}, got {got_value}",
                        want.code
                    ))
                }
                None if required => {
                    stale = true;
                    problems.push(format!(
                        "“{want_quote}” ({}): {what} is not pinned (it is {got_value})",
                        want.code
                    ))
                }
                _ => {}
            }
        }
        matched.push(got.clone());
        for (what, want_value, got_value) in [
            ("locator", &want.locator, &got.locator),
            ("speaker", &want.speaker, &got.speaker),
            ("speaker_range", &want.speaker_range, &got.range_text),
            ("source_speaker", &want.source_speaker, &got.source_speaker),
            ("source_url", &want.source_url, &got.source_url),
            ("attribution", &want.attribution, &got.attribution),
        ] {
            if let Some(want_value) = want_value {
                if want_value != got_value {
                    problems.push(format!(
                        "“{want_quote}” ({}): expected {what} {want_value:?}, got {got_value:?}",
                        want.code
                    ));
                }
            }
        }
        if let Some(line) = want.source_line {
            if line != got.source_line {
                problems.push(format!(
                    "“{want_quote}”: expected the passage on line {line} of the source file, got {}",
                    got.source_line
                ));
            }
        }
        if let Some(also_in) = &want.also_in {
            let mut got_also = got.also_in.clone();
            let mut want_also = also_in.clone();
            got_also.sort();
            want_also.sort();
            if got_also != want_also {
                problems.push(format!(
                    "“{want_quote}”: expected also_in {want_also:?}, got {got_also:?}"
                ));
            }
        }
    }
    if let Some(warnings) = &expected.warnings {
        for want in warnings {
            if !report.warnings.iter().any(|w| w.contains(want.as_str())) {
                problems.push(format!(
                    "no warning contains {want:?}; warnings: {:?}",
                    report.warnings
                ));
            }
        }
        for got in &report.warnings {
            if !warnings.iter().any(|w| got.contains(w.as_str())) {
                problems.push(format!("unexpected warning: {got}"));
            }
        }
    }
    for extra in unmatched {
        problems.push(format!(
            "unexpected: {} {} “{}” ({})",
            extra.draft, extra.code, extra.quote, extra.message
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let only_pins = stale
        && matched.len() == expected.finding.len()
        && problems.iter().all(|p| {
            p.contains("expected message")
                || p.contains("expected passage")
                || p.contains("expected edits")
                || p.contains("expected source_title")
                || p.contains("is not pinned")
        });
    if only_pins && std::env::var_os("VERBATIM_BLESS").is_some() {
        bless(&root.join("expected.toml"), &matched)?;
        return Ok(());
    }
    Err(problems.join("\n").into())
}

/// A TOML basic string (JSON's escapes are TOML's).
fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// Rewrites the pinned fields of each `[[finding]]` of `file` (in order) from the findings they matched.
fn bless(file: &Path, matched: &[Seen]) -> Result<(), Failed> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let mut blocks: Vec<String> = text.split("\n[[finding]]\n").map(str::to_string).collect();
    if blocks.len() != matched.len() + 1 {
        return Err(format!("{}: cannot bless (unusual layout)", file.display()).into());
    }
    for (block, seen) in blocks[1..].iter_mut().zip(matched) {
        let mut lines: Vec<String> = block
            .trim_end()
            .lines()
            .filter(|line| {
                !["message =", "passage =", "edits =", "source_title ="]
                    .iter()
                    .any(|key| line.starts_with(key))
            })
            .map(str::to_string)
            .collect();
        lines.push(format!("message = {}", toml_string(&seen.message)));
        if !seen.source.is_empty() {
            lines.push(format!("passage = {}", toml_string(&seen.passage)));
            let edits: Vec<String> = seen.edits.iter().map(|e| toml_string(e)).collect();
            lines.push(format!("edits = [{}]", edits.join(", ")));
            lines.push(format!(
                "source_title = {}",
                toml_string(&seen.source_title)
            ));
        }
        *block = lines.join("\n") + "\n";
    }
    let mut out = blocks[0].trim_end().to_string() + "\n";
    for block in &blocks[1..] {
        out.push_str("\n[[finding]]\n");
        out.push_str(block);
    }
    std::fs::write(file, out).map_err(|e| e.to_string())?;
    Ok(())
}

fn case_roots() -> BTreeMap<String, PathBuf> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut roots = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(fixtures.join("cases")) {
        for entry in entries.flatten() {
            if entry.path().join("expected.toml").is_file() {
                roots.insert(
                    entry.file_name().to_string_lossy().into_owned(),
                    entry.path(),
                );
            }
        }
    }
    roots.insert("demo".to_string(), fixtures.join("demo"));
    roots
}

/// The drift/unsourced boundary: the similarity (share of a quote's words aligned in order with its closest
/// passage) of every quote the cases call drift or unsourced. The default `drift_threshold` must separate
/// them; run with `--nocapture` to see the margin (README "Thresholds" quotes these figures).
fn thresholds() -> Result<(), Failed> {
    let mut drift = Vec::new();
    let mut unsourced = Vec::new();
    for root in case_roots().values() {
        let (expected, report) = load(root)?;
        let seen = seen_findings(&report);
        for want in &expected.finding {
            let quote = comparable(&want.quote);
            if let Some(got) = seen
                .iter()
                .find(|s| s.draft == want.draft && s.quote == quote)
            {
                match want.code.as_str() {
                    "drift" => drift.push((got.similarity, quote)),
                    "unsourced" => unsourced.push((got.similarity, quote)),
                    _ => {}
                }
            }
        }
    }
    drift.sort_by(|a, b| a.0.total_cmp(&b.0));
    unsourced.sort_by(|a, b| a.0.total_cmp(&b.0));
    let lowest_drift = drift.first().map_or(1.0, |d| d.0);
    let highest_unsourced = unsourced.last().map_or(0.0, |u| u.0);
    let default = verbatim::engine::EngineSettings::default().drift_threshold;
    println!(
        "thresholds: {} drift quotes, similarity {:.2}–{:.2} (lowest: “{}”); {} unsourced quotes, similarity \
         {:.2}–{:.2} (highest: “{}”); any drift_threshold in ({:.2}, {:.2}] separates them; default {:.2}",
        drift.len(),
        lowest_drift,
        drift.last().map_or(0.0, |d| d.0),
        drift.first().map_or("", |d| d.1.as_str()),
        unsourced.len(),
        unsourced.first().map_or(0.0, |u| u.0),
        highest_unsourced,
        unsourced.last().map_or("", |u| u.1.as_str()),
        highest_unsourced,
        lowest_drift,
        default
    );
    if highest_unsourced < default && default <= lowest_drift {
        Ok(())
    } else {
        Err(format!("default drift_threshold {default} does not separate drift ({lowest_drift}) from unsourced ({highest_unsourced})").into())
    }
}

fn main() {
    let arguments = Arguments::from_args();
    let mut trials: Vec<Trial> = case_roots()
        .into_iter()
        .map(|(name, root)| Trial::test(name, move || run_case(&root)))
        .collect();
    trials.push(Trial::test("thresholds", thresholds));
    libtest_mimic::run(&arguments, trials).exit();
}
