//! Runs every fixture workspace (`fixtures/cases/*` and `fixtures/demo`) through `verbatim check` and compares
//! the findings with the case's `expected.toml`: every finding must be expected and every expected one found.
//!
//! One trial per case, so `cargo test --test cases -- drift_` runs the drift cases alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use serde::Deserialize;
use verbatim::cli::{check, CheckArgs, ColorChoice, FailOn, Format, Report};

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
}

/// A finding as the cases see it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Seen {
    draft: String,
    quote: String,
    code: String,
    source: String,
    message: String,
    also_in: Vec<String>,
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
            });
        }
    }
    seen
}

fn run_case(root: &Path) -> Result<(), Failed> {
    let expected_text = std::fs::read_to_string(root.join("expected.toml"))
        .map_err(|e| format!("{}: cannot read expected.toml: {e}", root.display()))?;
    let expected: Expected =
        toml::from_str(&expected_text).map_err(|e| format!("expected.toml: {e}"))?;
    let args = CheckArgs {
        paths: Vec::new(),
        root: Some(root.to_path_buf()),
        format: Format::Json,
        fail_on: FailOn::Never,
        quiet: false,
        color: ColorChoice::Never,
    };
    let report = check(&args).map_err(|e| format!("check failed: {e}"))?;
    let mut unmatched = seen_findings(&report);
    let mut problems = Vec::new();
    for want in &expected.finding {
        let want_quote = comparable(&want.quote);
        let Some(index) = unmatched
            .iter()
            .position(|s| s.draft == want.draft && s.quote == want_quote)
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

fn main() {
    let arguments = Arguments::from_args();
    let trials = case_roots()
        .into_iter()
        .map(|(name, root)| Trial::test(name, move || run_case(&root)))
        .collect();
    libtest_mimic::run(&arguments, trials).exit();
}
