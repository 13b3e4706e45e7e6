//! Criterion benchmarks of the engine (index build, full draft check, one-quote re-check). Filled in below.
fn main() {}
