//! Robustness of settings: bad values in `verbatim.toml` or odd editor settings give one warning each and the
//! defaults, never a panic; a `verbatim.toml` that cannot be read at all stops `verbatim check` with a clear
//! message while the language server warns and uses the defaults.
use std::fs;
use std::path::PathBuf;

use serde_json::json;
use verbatim::config::{Config, RawSettings};
use verbatim::engine::Verdict;
use verbatim::workspace::Workspace;

#[path = "support/check.rs"]
mod check_support;

use check_support::check_workspace;

const ARTICLE: &str =
    "The parties oppose the further expansion of NATO and call for the North Atlantic Alliance.\n";

fn workspace(config: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    fs::create_dir_all(root.join("sources")).unwrap();
    fs::write(root.join("sources/a.md"), ARTICLE).unwrap();
    fs::write(
        root.join("draft.md"),
        "“the further expansion of NATO and call”\n",
    )
    .unwrap();
    fs::write(root.join("verbatim.toml"), config).unwrap();
    (dir, root)
}

/// Checks the workspace; returns the warnings and the verdicts.
fn run(root: &std::path::Path) -> (Vec<String>, Vec<Verdict>) {
    let report = check_workspace(root).expect("check runs whatever the settings");
    let verdicts = report
        .drafts
        .iter()
        .flat_map(|d| d.findings.iter().map(|f| f.verdict))
        .collect();
    (report.warnings, verdicts)
}

/// A settings file that cannot be used at all stops `verbatim check` (exit 2 in the binary) with one clear
/// message; the language server (which opens the workspace the same way) warns and uses the defaults.
fn assert_unusable(root: &std::path::Path, needle: &str) {
    let error = check_workspace(root)
        .err()
        .unwrap_or_else(|| panic!("check must stop on a broken verbatim.toml ({needle})"));
    assert!(error.contains(needle), "{needle}: {error}");
    assert!(error.contains("fix the file"), "{error}");
    assert_eq!(
        error.matches("verbatim.toml").count(),
        2,
        "the file named once, then its path: {error}"
    );
    let workspace = Workspace::open(root);
    assert!(workspace
        .config_error
        .as_deref()
        .is_some_and(|e| e.contains(needle)));
    assert_eq!(workspace.warnings.len(), 1, "{:?}", workspace.warnings);
    assert!(
        workspace.warnings[0].contains(needle)
            && workspace.warnings[0].ends_with("using the defaults")
    );
    assert_eq!(workspace.config, Config::default());
}

#[test]
fn malformed_toml_stops_check_with_line_and_column_and_the_server_falls_back() {
    for (text, place) in [
        ("min_words = 3\nthis is not toml\n", "(line 2, column 6)"),
        ("[severity\ndrift = \"error\"\n", "(line 1, column 10)"),
        ("min_words = 3\nmin_words = 4\n", "(line 2, column 1)"),
        ("sources = [\"a\",\n", "(line 1, column 16)"),
        ("x = \"unterminated\n", "(line 1, column 18)"),
        ("= 3\n", "(line 1, column 1)"),
    ] {
        let (_dir, root) = workspace(text.as_bytes());
        assert_unusable(&root, &format!("verbatim.toml is not valid TOML {place}: "));
    }
}

#[test]
fn unknown_keys_warn_once_each_with_a_hint() {
    let (_dir, root) = workspace(
        b"minwords = 3\ncolour = \"red\"\n[severity]\nverifed = \"off\"\n[future.section]\nx = 1\n",
    );
    let (warnings, verdicts) = run(&root);
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    assert!(
        warnings.iter().any(|w| w.contains("`severity.verifed`")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("future.section.x")),
        "{warnings:?}"
    );
    assert_eq!(verdicts, [Verdict::Verified]);
}

#[test]
fn invalid_globs_and_thresholds_fall_back_to_defaults() {
    let (_dir, root) = workspace(
        b"sources = [\"sources/[\", \"**/{a,\"]\ndrafts = 7\nexclude = [1, 2]\nmin_words = 0\ndrift_threshold = 1.5\n\
          drift_min_matched_words = -1\nbracket_max_words = 1e9\n[severity]\ndrift = \"loud\"\nverified = 3\n\
          [attribution]\nstyle = \"shout\"\ntemplate = 5\n",
    );
    let (warnings, verdicts) = run(&root);
    assert_eq!(warnings.len(), 11, "{warnings:#?}");
    assert!(
        warnings.iter().all(|w| w.contains("using the default")),
        "{warnings:#?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("invalid glob")),
        "{warnings:#?}"
    );
    assert_eq!(verdicts, [Verdict::Verified]);
    let workspace = Workspace::open(&root);
    assert_eq!(workspace.config, Config::default());
}

#[test]
fn special_float_values_are_refused() {
    for value in ["nan", "inf", "-inf", "-0.0", "1e308", "0.0"] {
        let (raw, warnings) = RawSettings::from_toml_str(&format!("drift_threshold = {value}\n"));
        assert!(warnings.is_empty(), "{value}: {warnings:?}");
        let (config, warnings) = Config::from_raw(&raw);
        assert!(config.engine.drift_threshold.is_finite());
        assert!(
            config.engine.drift_threshold >= 0.05 && config.engine.drift_threshold <= 1.0,
            "{value}"
        );
        assert_eq!(warnings.len(), 1, "{value}: {warnings:?}");
    }
}

#[test]
fn settings_file_that_is_not_text_or_not_a_file() {
    let (_dir, root) = workspace(b"min_words = \xff\xfe 3\n");
    assert_unusable(&root, "verbatim.toml is not UTF-8");
    // A folder named verbatim.toml.
    let (_dir, root) = workspace(b"");
    fs::remove_file(root.join("verbatim.toml")).unwrap();
    fs::create_dir(root.join("verbatim.toml")).unwrap();
    assert_unusable(&root, "cannot read verbatim.toml");
    // A byte-order mark (as some Windows editors write) is not an error.
    let (_dir, root) = workspace(b"\xef\xbb\xbfmin_words = 5\n");
    assert_eq!(Workspace::open(&root).config.engine.min_words, 5);
    // An empty file and a byte-order mark alone.
    for text in [&b""[..], b"\xef\xbb\xbf", b"\n\n\n", b"# only a comment\n"] {
        let (_dir, root) = workspace(text);
        let (warnings, verdicts) = run(&root);
        assert!(warnings.is_empty(), "{text:?}: {warnings:?}");
        assert_eq!(verdicts, [Verdict::Verified]);
    }
}

#[test]
fn deeply_nested_and_huge_settings() {
    // Deep tables and arrays: the TOML parser and the flattening must not overflow the stack.
    let deep_tables = format!("{} = 1\n", vec!["a"; 5000].join("."));
    let deep_arrays = format!("x = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
    let inline = format!("y = {}1{}\n", "{a = ".repeat(2000), "}".repeat(2000));
    for text in [deep_tables, deep_arrays, inline] {
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let (raw, _) = RawSettings::from_toml_str(&text);
                let (_config, warnings) = Config::from_raw(&raw);
                warnings.len()
            })
            .unwrap();
        handle.join().expect("no stack overflow");
    }
    // A thousand globs and a 1 MB template.
    let globs: Vec<String> = (0..1000)
        .map(|i| format!("\"sources/{i}/**/*.md\""))
        .collect();
    let text = format!(
        "sources = [{}]\n[attribution]\ntemplate = \"{}\"\n",
        globs.join(","),
        "x".repeat(1 << 20)
    );
    let (raw, warnings) = RawSettings::from_toml_str(&text);
    assert!(warnings.is_empty());
    let (config, warnings) = Config::from_raw(&raw);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(config.sources.len(), 1000);
}

#[test]
fn editor_settings_of_the_wrong_shape() {
    for value in [
        json!(null),
        json!(3),
        json!("verbatim"),
        json!([1, 2, 3]),
        json!({ "verbatim": 3 }),
        json!({ "verbatim": { "min_words": "four", "severity": "loud", "sources": { "a": 1 } } }),
        json!({ "min_words": 4.5, "drift_threshold": "0.5", "code_lens": "yes" }),
        json!({ "min_words": 1e300, "bracket_max_words": -5, "drift_min_matched_words": 18446744073709551615u64 }),
    ] {
        let (raw, mut warnings) = RawSettings::from_json(&value);
        let (config, more) = Config::from_raw(&raw);
        warnings.extend(more);
        assert!(config.engine.min_words >= 1, "{value}");
        if !value.is_null() {
            assert!(!warnings.is_empty(), "{value}: no warning");
        }
    }
}
