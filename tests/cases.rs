//! Runs every fixture workspace (`fixtures/cases/*` and `fixtures/demo`) through `verbatim check` and compares
//! the findings with the case's `expected.toml`: every finding must be expected and every expected one found.
//!
//! One trial per case, so `cargo test --test cases -- drift_` runs the drift cases alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use serde::Deserialize;
use verbatim::cli::Report;

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
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    draft: String,
    quote: String,
    code: String,
    source: Option<String>,
    #[serde(default)]
    message_contains: Vec<String>,
    also_in: Option<Vec<String>>,
    /// Who the draft credits the quote to, as written (`""`: nobody).
    speaker: Option<String>,
    /// The draft text a finding marks when it is not the quote: a misattribution's speaker.
    speaker_range: Option<String>,
    /// Whom the source credits the words to (`""`: nobody).
    source_speaker: Option<String>,
    /// The source passage's words, exactly (whitespace collapsed): where the quote's words are found, never
    /// running into another paragraph.
    passage: Option<String>,
    /// Every edit, in order, as `kind “draft words” for “source words”` (either side may be empty).
    edits: Option<Vec<String>>,
    /// The finding's similarity, to two decimals.
    similarity: Option<f64>,
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
    edits: Vec<String>,
    similarity_rounded: f64,
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
                passage: finding
                    .passage
                    .as_ref()
                    .and_then(|p| {
                        let source = report.corpus.source(p.source)?;
                        source.text.as_str().get(p.range.clone()).map(comparable)
                    })
                    .unwrap_or_default(),
                edits: finding
                    .edits
                    .iter()
                    .map(|e| {
                        format!(
                            "{} “{}” for “{}”",
                            e.kind.name(),
                            e.quote_words,
                            e.source_words
                        )
                    })
                    .collect(),
                similarity_rounded: finding.similarity_rounded(),
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
        for part in &want.message_contains {
            if !got.message.contains(part.as_str()) {
                problems.push(format!(
                    "“{want_quote}”: message lacks {part:?}: {}",
                    got.message
                ));
            }
        }
        if let Some(passage) = &want.passage {
            if &got.passage != passage {
                problems.push(format!(
                    "“{want_quote}”: expected passage “{passage}”, got “{}”",
                    got.passage
                ));
            }
        }
        if let Some(edits) = &want.edits {
            if &got.edits != edits {
                problems.push(format!(
                    "“{want_quote}”: expected edits {edits:?}, got {:?}",
                    got.edits
                ));
            }
        }
        if let Some(similarity) = want.similarity {
            if (got.similarity_rounded - similarity).abs() > 1e-9 {
                problems.push(format!(
                    "“{want_quote}”: expected similarity {similarity}, got {}",
                    got.similarity_rounded
                ));
            }
        }
        for (what, want_value, got_value) in [
            ("speaker", &want.speaker, &got.speaker),
            ("speaker_range", &want.speaker_range, &got.range_text),
            ("source_speaker", &want.source_speaker, &got.source_speaker),
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
    for extra in unmatched {
        problems.push(format!(
            "unexpected: {} {} “{}” ({})",
            extra.draft, extra.code, extra.quote, extra.message
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
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
