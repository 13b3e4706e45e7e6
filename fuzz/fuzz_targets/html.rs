#![no_main]
//! cargo-fuzz target `html`: see `fuzz/harness.rs` (shared with `tests/robustness_fuzz_corpus.rs`).
#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::html(data));
