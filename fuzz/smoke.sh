#!/usr/bin/env bash
# CI fuzz smoke: every cargo-fuzz target for ~20 s from its committed corpus (nightly + cargo-fuzz needed).
# The always-on part runs without nightly: `cargo test --test robustness_fuzz_corpus` replays every corpus file
# and crash regression through the same harness.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-20}
cargo +nightly fuzz build -O
for t in quotes align edits lsp config; do
  mkdir -p "artifacts/$t" "corpus/$t" "regressions/$t"
  # Fresh inputs go to a scratch folder: the committed corpus stays as it is.
  scratch=$(mktemp -d)
  target/x86_64-unknown-linux-gnu/release/$t "$scratch" "corpus/$t" "regressions/$t" -max_total_time="$seconds" \
      -timeout=60 -rss_limit_mb=4096 -artifact_prefix="artifacts/$t/" -print_final_stats=1 2>&1 | grep -E "stat::number_of_executed_units|ERROR|panicked|SUMMARY" || true
  rm -rf "$scratch"
  if ls "artifacts/$t"/crash-* "artifacts/$t"/timeout-* "artifacts/$t"/oom-* >/dev/null 2>&1; then
    echo "fuzz target $t failed: see fuzz/artifacts/$t" >&2
    exit 1
  fi
done
