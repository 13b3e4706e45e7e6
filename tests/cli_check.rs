//! `verbatim check` as a CI job runs it (the real binary): exit codes, what stderr says and in which style, and
//! settings honoured in every output format.
use std::fs;
use std::path::PathBuf;

#[path = "support/cli.rs"]
mod cli;

const SOURCE: &str = "# Council approves free school breakfasts\n\nThe city council voted on Tuesday to fund free \
breakfasts in every primary school from September.\n\n“No child should have to learn on an empty stomach,” said \
Mayor Tomás Reyes, who proposed the plan.\n";

/// A draft with one verified, one drifted and one unsourced quote of [`SOURCE`].
const DRAFT: &str = "# Breakfasts\n\nThe mayor: “No child should have to learn on an empty stomach.”\n\nThe \
council “voted on Monday to fund free breakfasts in every primary school”.\n\nA rumour: “the river will \
flood the old town by spring next year”.\n";

use cli::check as verbatim;

/// A workspace with `sources/council.md`, `drafts/story.md` and, if given, `verbatim.toml`.
fn workspace(config: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    cli::workspace("council.md", SOURCE, DRAFT, config)
}

/// Every stderr line is `verbatim: error|warning|note: …` or the indented continuation of one.
fn assert_one_style(stderr: &str) {
    for line in stderr.lines() {
        assert!(
            line.starts_with("verbatim: error: ")
                || line.starts_with("verbatim: warning: ")
                || line.starts_with("verbatim: note: ")
                || line.starts_with("  "),
            "stderr line in another style: {line:?}\n{stderr}"
        );
    }
}

#[test]
fn the_workspace_checks_with_one_finding_of_each_kind() {
    let (_dir, root) = workspace(None);
    let run = verbatim(&root, &["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("3 quotes in 1 draft: 1 verified, 1 drift, 1 unsourced (1 sources)"),
        "{}",
        run.stdout
    );
    // Whose words: the share is of the quote's words, not the source's.
    assert!(
        run.stdout.contains("% of the quote’s words)"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn invalid_settings_file_fails_with_exit_2_and_one_clear_message() {
    let (_dir, root) = workspace(Some("min_words = 3\nsources = [\"a\" \"b\"]\n"));
    let run = verbatim(&root, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stdout, "",
        "nothing is checked with other settings than the team's"
    );
    assert!(
        run.stderr.starts_with(
            "verbatim: error: verbatim.toml is not valid TOML (line 2, column 16): missing comma"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("verbatim.toml: verbatim.toml"));
    assert_one_style(&run.stderr);
}

#[test]
fn no_sources_fails_at_once_saying_where_sources_are_looked_for() {
    // A folder with neither verbatim.toml nor sources/: nothing is walked, the message says what to do.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    fs::create_dir_all(root.join("notes/deep")).unwrap();
    fs::write(root.join("notes/deep/a.md"), DRAFT).unwrap();
    let run = verbatim(&root, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    for needle in [
        "verbatim: error: no sources found in ",
        "\"sources/**/*.md\"",
        "the default `sources`",
        "neither verbatim.toml nor a sources/ folder",
        "sources = [",
        "--root",
    ] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
    assert_one_style(&run.stderr);
    // Configured globs that match nothing: the message quotes them and names the setting.
    let (_dir, root) = workspace(Some("sources = [\"wire/**/*.txt\"]\n"));
    fs::create_dir_all(root.join("wire")).unwrap();
    let run = verbatim(&root, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("[\"wire/**/*.txt\"] (`sources` in verbatim.toml)"),
        "{}",
        run.stderr
    );
}

#[test]
fn severity_off_is_off_in_every_output_and_for_fail_on() {
    let (_dir, root) = workspace(Some("[severity]\nunsourced = \"off\"\n"));
    let run = verbatim(&root, &["--fail-on", "unsourced"]);
    assert_eq!(
        run.code, 0,
        "an unsourced quote that is off cannot fail the job: {}",
        run.stdout
    );
    assert!(!run.stdout.contains("unsourced “"), "{}", run.stdout);
    assert!(!run.stdout.contains("flood the old town"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("2 quotes in 1 draft: 1 verified, 1 drift, 0 unsourced (1 sources; off in settings: unsourced)"),
        "{}",
        run.stdout
    );
    for format in ["json", "sarif", "github"] {
        let run = verbatim(&root, &["--format", format, "--fail-on", "unsourced"]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert!(
            !run.stdout.contains("flood the old town"),
            "{format}: {}",
            run.stdout
        );
        assert!(!run.stdout.contains("\"code\":\"unsourced\""), "{format}");
    }
    // The default --fail-on (drift) still fails on the drift.
    assert_eq!(verbatim(&root, &[]).code, 1);
}

#[test]
fn json_similarity_is_a_clean_decimal() {
    let (_dir, root) = workspace(None);
    let run = verbatim(&root, &["--format", "json", "--fail-on", "never"]);
    let mut seen = 0;
    for line in run.stdout.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = value["similarity"].to_string();
        let decimals = text.split('.').nth(1).map_or(0, str::len);
        assert!(decimals <= 2, "similarity {text} in {line}");
        seen += 1;
    }
    assert_eq!(seen, 3);
}

#[test]
fn files_left_out_by_narrowed_sources_are_named_as_drafts() {
    let (_dir, root) = workspace(Some("sources = [\"sources/wire/**/*.md\"]\n"));
    fs::create_dir_all(root.join("sources/wire")).unwrap();
    fs::write(root.join("sources/wire/ap.md"), SOURCE).unwrap();
    let run = verbatim(&root, &["--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "verbatim: note: 1 file under sources/ matches no `sources` glob of verbatim.toml \
             (sources = [\"sources/wire/**/*.md\"]), so it is checked as a draft (sources/council.md)"
        ),
        "{}",
        run.stderr
    );
    assert_one_style(&run.stderr);
    // Drafts named by the user: their choice, no note.
    fs::write(
        root.join("verbatim.toml"),
        "sources = [\"sources/wire/**/*.md\"]\ndrafts = [\"drafts/**/*.md\"]\n",
    )
    .unwrap();
    let run = verbatim(&root, &["--fail-on", "never"]);
    assert_eq!(run.stderr, "");
}

#[test]
fn log_lines_share_the_cli_style() {
    // An undecodable draft is reported through the log: in the same style as the CLI's own warnings.
    let (_dir, root) = workspace(Some("colour = \"red\"\n"));
    let mut draft = DRAFT.as_bytes().to_vec();
    draft.extend_from_slice(b"\nbad bytes \xff\xfe here\n");
    fs::write(root.join("drafts/story.md"), draft).unwrap();
    let run = verbatim(&root, &["--fail-on", "never"]);
    assert!(
        run.stderr
            .contains("verbatim: warning: drafts/story.md: not valid UTF-8"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("verbatim: warning: verbatim.toml: unknown setting `colour` ignored"),
        "{}",
        run.stderr
    );
    assert_one_style(&run.stderr);
}

/// Run from a folder inside the workspace with no path, `verbatim check` finds the root above it (the one rule of
/// `workspace::find_root`, which the editors follow too) and checks every draft there.
#[test]
fn check_from_a_subfolder_finds_the_root_above() {
    let (_dir, root) = workspace(None);
    let run = verbatim(&root.join("drafts"), &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
    assert!(run.stdout.contains("drafts/story.md"), "{}", run.stdout);
}

/// Draft discovery honours `.gitignore` (scratch and build output are not drafts), also outside a Git
/// repository; sources do not (articles that may not be committed are often ignored on purpose).
#[test]
fn gitignored_drafts_are_skipped_but_not_gitignored_sources() {
    let (_dir, root) = workspace(None);
    fs::create_dir_all(root.join("scratch")).unwrap();
    fs::write(root.join("scratch/old.md"), DRAFT).unwrap();
    fs::write(root.join(".gitignore"), "scratch/\nsources/\n").unwrap();
    let run = verbatim(&root, &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
    assert!(!run.stdout.contains("scratch/old.md"), "{}", run.stdout);
    assert!(run.stdout.contains("sources/council.md"), "{}", run.stdout);
    // Named on the command line, an ignored draft is checked all the same.
    let run = verbatim(&root, &["--format", "json", "scratch/old.md"]);
    assert!(run.stdout.contains("scratch/old.md"), "{}", run.stdout);
}

/// SARIF's related location is the source file's own: a saved page's and a transcript's line through the
/// offset map (where go-to-definition lands), and for a PDF, which has no lines, the page in the message.
#[test]
fn sarif_points_into_extracted_source_files() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/cases/attribution_template_places");
    let run = verbatim(&root, &["--format", "sarif", "--fail-on", "never"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let related = |file: &str| {
        results
            .iter()
            .map(|r| &r["relatedLocations"][0])
            .find(|l| {
                l["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .is_some_and(|u| u.ends_with(file))
            })
            .unwrap_or_else(|| panic!("no related location in {file}: {}", run.stdout))
            .clone()
    };
    let page = related("city-council.html");
    assert_eq!(
        page["physicalLocation"]["region"]["startLine"], 32,
        "{page}"
    );
    assert!(page["physicalLocation"]["region"]["snippet"]["text"]
        .as_str()
        .unwrap()
        .starts_with("the most important decision"));
    let transcript = related("minister-interview.srt");
    assert_eq!(
        transcript["physicalLocation"]["region"]["startLine"], 12,
        "{transcript}"
    );
    assert!(transcript["message"]["text"]
        .as_str()
        .unwrap()
        .ends_with("(00:00:08 · Minister)"));
    let pdf = related("nato-digest.pdf");
    assert!(pdf["physicalLocation"].get("region").is_none(), "{pdf}");
    assert_eq!(
        pdf["message"]["text"],
        "source passage in “nato-digest” (p. 2)"
    );
}
