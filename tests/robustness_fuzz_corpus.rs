//! The always-on half of fuzzing: every file of `fuzz/corpus/<target>/` (the minimized corpus committed after the
//! long runs) and of `fuzz/regressions/<target>/` (inputs that once crashed or hung) goes through the same harness
//! as the cargo-fuzz target, on stable Rust, in `cargo test`. Run the fuzzers themselves with `fuzz/smoke.sh`.
#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

// The time bound per input is in CPU time: it holds on a busy machine.
#[path = "support/cpu.rs"]
mod cpu;

/// The corpus and regression files of a target, sorted; the corpus sampled evenly down to `limit` files unless
/// `VERBATIM_FUZZ_REPLAY_ALL` is set (regressions always all run).
fn inputs(target: &str, limit: usize) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut all = Vec::new();
    for folder in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        files.sort();
        if folder == "corpus"
            && files.len() > limit
            && std::env::var_os("VERBATIM_FUZZ_REPLAY_ALL").is_none()
        {
            let step = files.len() as f64 / limit as f64;
            files = (0..limit)
                .map(|i| files[(i as f64 * step) as usize].clone())
                .collect();
        }
        all.extend(files);
    }
    all
}

/// Feeds the target's inputs to `run` on `threads` threads; returns how many ran.
fn replay(target: &str, run: fn(&[u8]), limit: usize, threads: usize) -> usize {
    let files = inputs(target, limit);
    let chunks: Vec<Vec<PathBuf>> = (0..threads)
        .map(|t| files.iter().skip(t).step_by(threads).cloned().collect())
        .collect();
    std::thread::scope(|scope| {
        for chunk in &chunks {
            scope.spawn(move || {
                for file in chunk {
                    let data = std::fs::read(file).unwrap();
                    let (outcome, spent) =
                        cpu::on_this_thread(|| std::panic::catch_unwind(|| run(&data)));
                    assert!(outcome.is_ok(), "fuzz input {} fails", file.display());
                    assert!(
                        spent.as_secs() < 45,
                        "fuzz input {} took {spent:?} of CPU time",
                        file.display(),
                    );
                }
            });
        }
    });
    files.len()
}

#[test]
fn quotes_corpus() {
    assert!(replay("quotes", harness::quotes, usize::MAX, 2) > 0);
}

#[test]
fn align_corpus() {
    assert!(replay("align", harness::align, usize::MAX, 2) > 0);
}

#[test]
fn edits_corpus() {
    assert!(replay("edits", harness::edits, usize::MAX, 2) > 0);
}

#[test]
fn config_corpus() {
    assert!(replay("config", harness::config, usize::MAX, 2) > 0);
}

/// The LSP message loop is slower per input (a server per input, mostly waiting): an even sample of the
/// corpus plus every regression, eight sessions at a time.
#[test]
fn lsp_corpus() {
    assert!(replay("lsp", harness::lsp, 80, 8) > 0);
}

#[test]
fn html_corpus() {
    assert!(replay("html", harness::html, usize::MAX, 2) > 0);
}

#[test]
fn pdf_corpus() {
    assert!(replay("pdf", harness::pdf, usize::MAX, 2) > 0);
}

#[test]
fn transcript_corpus() {
    assert!(replay("transcript", harness::transcript, usize::MAX, 2) > 0);
}

#[test]
fn docx_corpus() {
    assert!(replay("docx", harness::docx, usize::MAX, 2) > 0);
}
