//! The always-on half of fuzzing: every file of `fuzz/corpus/<target>/` (the minimized corpus committed after the
//! long runs) and of `fuzz/regressions/<target>/` (inputs that once crashed or hung) goes through the same harness
//! as the cargo-fuzz target, on stable Rust, in `cargo test`. Run the fuzzers themselves with `fuzz/smoke.sh`.
#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::Path;
use std::time::Instant;

/// Feeds every file of the target's corpus and regressions to `run`; returns how many ran.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for folder in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else {
            continue;
        };
        let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        files.sort();
        for file in files {
            if file.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')) {
                continue;
            }
            let data = std::fs::read(&file).unwrap();
            let started = Instant::now();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "fuzz input {} fails", file.display());
            assert!(
                started.elapsed().as_secs() < 30,
                "fuzz input {} took {:?}",
                file.display(),
                started.elapsed()
            );
            count += 1;
        }
    }
    count
}

#[test]
fn quotes_corpus() {
    assert!(replay("quotes", harness::quotes) > 0);
}

#[test]
fn align_corpus() {
    assert!(replay("align", harness::align) > 0);
}

#[test]
fn edits_corpus() {
    assert!(replay("edits", harness::edits) > 0);
}

#[test]
fn config_corpus() {
    assert!(replay("config", harness::config) > 0);
}

/// The LSP message loop is slower per input (a server per input): a sample of the corpus plus every regression.
#[test]
fn lsp_corpus() {
    assert!(replay("lsp", harness::lsp) > 0);
}
