//! `verbatim refs` and `verbatim check --summary` (the real binary) on `fixtures/lsp/references`: who quotes a
//! source, a passage (by line, by line and column), the other drafts quoting a draft's passages, as text and
//! JSON Lines; the per-source desk summary; errors.
use std::path::{Path, PathBuf};

#[path = "support/cli.rs"]
mod cli;

use serde_json::Value;

use cli::{run as verbatim, Run};

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lsp/references");
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap().join("ws");
    copy(&from, &root);
    (dir, root)
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The first column (`path:line:col`) and the code of each line but the last, and the last line.
fn lines(run: &Run) -> (Vec<(String, String)>, String) {
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let mut lines: Vec<&str> = run.stdout.lines().collect();
    let last = lines.pop().unwrap_or_default().to_string();
    let rows = lines
        .iter()
        .map(|l| {
            let mut words = l.split_whitespace();
            (
                words.next().unwrap().to_string(),
                words.next().unwrap().to_string(),
            )
        })
        .collect();
    (rows, last)
}

fn row(place: &str, code: &str) -> (String, String) {
    (place.to_string(), code.to_string())
}

#[test]
fn refs_of_a_source_and_of_a_passage() {
    let (_dir, root) = workspace();
    let (rows, last) = lines(&verbatim(&root, &["refs", "sources/council-budget.md"]));
    assert_eq!(
        rows,
        [
            row("drafts/budget-story.md:3:41", "verified"),
            row("drafts/budget-story.md:5:30", "verified"),
            row("drafts/desk/roundup.txt:3:20", "verified"),
            row("drafts/editorial.md:3:23", "drift"),
        ]
    );
    assert_eq!(last, "quoted 4× in 3 drafts · 1 drift");
    // A line: the passage there, else its paragraph.
    let (rows, last) = lines(&verbatim(&root, &["refs", "sources/council-budget.md:9"]));
    assert_eq!(rows.len(), 3);
    assert_eq!(last, "quoted 3× in 3 drafts · 1 drift");
    let (rows, last) = lines(&verbatim(
        &root,
        &["refs", "sources/council-budget.md:11:60"],
    ));
    assert_eq!(rows, [row("drafts/budget-story.md:5:30", "verified")]);
    assert_eq!(last, "quoted 1× in 1 draft");
    let (rows, last) = lines(&verbatim(&root, &["refs", "sources/council-budget.md:13"]));
    assert!(rows.is_empty());
    assert_eq!(last, "not quoted");
    // From the root's parent, with --root.
    let run = verbatim(
        root.parent().unwrap(),
        &["refs", "ws/sources/harbour-works.md", "--root", "ws"],
    );
    let (rows, _) = lines(&run);
    assert_eq!(rows, [row("drafts/desk/roundup.txt:5:18", "verified")]);
}

#[test]
fn refs_as_json_lines() {
    let (_dir, root) = workspace();
    let run = verbatim(
        &root,
        &["refs", "sources/council-budget.md:9:70", "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let values: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(values.len(), 3);
    let first = &values[0];
    assert_eq!(first["path"], "drafts/budget-story.md");
    assert_eq!(first["code"], "verified");
    assert_eq!(
        first["quote"],
        "will protect every library in this city, whatever it costs us,"
    );
    assert_eq!(first["range"]["start"]["line"], 2);
    assert_eq!(first["range"]["start"]["character"], 40);
    assert_eq!(first["speaker"], "Amara Okafor");
    assert_eq!(first["source"]["path"], "sources/council-budget.md");
    assert_eq!(first["source"]["range"]["start"]["line"], 8);
    assert_eq!(
        first["source"]["title"],
        "Council adopts budget after long night"
    );
    assert_eq!(first["source"]["date"], "2026-04-12");
    assert_eq!(values[2]["path"], "drafts/editorial.md");
    assert_eq!(values[2]["code"], "drift");
}

#[test]
fn refs_of_a_draft_lists_the_other_drafts_quoting_its_passages() {
    let (_dir, root) = workspace();
    // On the opening mark of the quote, and on its words.
    for place in ["drafts/budget-story.md:3:40", "drafts/budget-story.md:3:50"] {
        let (rows, last) = lines(&verbatim(&root, &["refs", place]));
        assert_eq!(
            rows,
            [
                row("drafts/desk/roundup.txt:3:20", "verified"),
                row("drafts/editorial.md:3:23", "drift"),
            ],
            "{place}"
        );
        assert_eq!(last, "quoted 2× in 2 drafts · 1 drift");
    }
    // The whole draft: the same two (its other quote is nobody else's).
    let (rows, _) = lines(&verbatim(&root, &["refs", "drafts/budget-story.md"]));
    assert_eq!(rows.len(), 2);
}

#[test]
fn refs_errors() {
    let (_dir, root) = workspace();
    let run = verbatim(&root, &["refs", "sources/missing.md"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("verbatim: error: sources/missing.md"),
        "{}",
        run.stderr
    );
    std::fs::write(root.join("notes.json"), "{}").unwrap();
    let run = verbatim(&root, &["refs", "notes.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("neither a source nor a draft"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_summary_per_source() {
    let (_dir, root) = workspace();
    let run = verbatim(&root, &["check", "--summary", "--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        lines[0][..5],
        ["source", "quoted", "drafts", "drift", "misattributed"]
    );
    assert_eq!(
        lines[1][..5],
        ["sources/council-budget.md", "4", "3", "1", "0"]
    );
    assert_eq!(
        lines[2][..5],
        ["sources/harbour-works.md", "1", "1", "0", "0"]
    );
    assert_eq!(
        run.stdout.lines().last().unwrap(),
        "2 of 2 sources quoted in 3 drafts; 1 quote unsourced"
    );
    // JSON Lines; the exit code still follows --fail-on (a drift is there).
    let run = verbatim(&root, &["check", "--summary", "--format", "json"]);
    assert_eq!(run.code, 1);
    let first: Value = serde_json::from_str(run.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["source"], "sources/council-budget.md");
    assert_eq!(first["quotes"], 4);
    assert_eq!(first["drafts"], 3);
    assert_eq!(first["verified"], 3);
    assert_eq!(first["drift"], 1);
    assert_eq!(first["title"], "Council adopts budget after long night");
}
