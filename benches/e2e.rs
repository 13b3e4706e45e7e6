//! End-to-end harness: corpus generator, `verbatim lsp` over stdio, `verbatim check`, and the peers.
fn main() {}
