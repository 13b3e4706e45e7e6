//! Checks the architecture's invariants on the source tree: every module says what it owns, the engine is
//! pure, protocol types stay in `src/lsp/`, and only `src/workspace/` touches the filesystem.

use std::path::{Path, PathBuf};

fn rust_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder)
        .expect("src/ is readable")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn source_files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    rust_files(&root.join("src"))
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("source files are UTF-8");
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (relative, text)
        })
        .collect()
}

/// The code of a file without its `#[cfg(test)]` module (tests may use anything).
fn non_test_code(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

#[test]
fn every_module_starts_with_a_doc_line() {
    for (path, text) in source_files() {
        assert!(
            text.starts_with("//!"),
            "{path} must start with a `//!` line saying what it owns"
        );
    }
}

/// Asserts that no file selected by `scope` uses any of `forbidden` outside its tests.
fn assert_none_use(scope: impl Fn(&str) -> bool, forbidden: &[&str], rule: &str) {
    for (path, text) in source_files().into_iter().filter(|(p, _)| scope(p)) {
        let code = non_test_code(&text);
        for word in forbidden {
            assert!(!code.contains(word), "{path} uses {word}: {rule}");
        }
    }
}

#[test]
fn the_engine_is_pure() {
    assert_none_use(
        |p| p.starts_with("src/engine/"),
        &[
            "tower_lsp",
            "tokio",
            "dashmap",
            "serde_json",
            "std::fs",
            "std::net",
            "std::process",
            "File::",
        ],
        "the engine must stay pure",
    );
}

#[test]
fn protocol_types_live_in_lsp() {
    assert_none_use(
        |p| !p.starts_with("src/lsp/"),
        &["tower_lsp_server", "ls_types"],
        "protocol types belong in src/lsp/",
    );
}

#[test]
fn only_the_workspace_reads_files() {
    assert_none_use(
        |p| !p.starts_with("src/workspace/"),
        &["std::fs", "fs::read", "File::open", "read_dir", "walkdir"],
        "only src/workspace/ touches the filesystem",
    );
}

#[test]
fn only_the_archive_talks_to_a_database() {
    assert_none_use(
        |p| !p.starts_with("src/archive/"),
        &["tokio_postgres", "postgres_types"],
        "only src/archive/ talks to the database",
    );
}
