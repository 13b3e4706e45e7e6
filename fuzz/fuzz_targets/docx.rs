#![no_main]
//! cargo-fuzz target `docx`: see `fuzz/harness.rs` (shared with `tests/robustness_fuzz_corpus.rs`).
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::docx(data));
