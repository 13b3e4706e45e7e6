#!/usr/bin/env bash
# CI fuzz smoke: every cargo-fuzz target for ~20 s from its committed corpus (nightly + cargo-fuzz needed).
# The always-on part runs without nightly: `cargo test --test robustness_fuzz_corpus` replays every corpus file
# and crash regression through the same harness.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-20}
cargo +nightly fuzz build -O
for t in quotes align edits lsp config html pdf transcript docx; do
  mkdir -p "artifacts/$t" "corpus/$t" "regressions/$t"
  # Fresh inputs and findings go to scratch folders: the committed corpus stays as it is.
  scratch=$(mktemp -d)
  found=$(mktemp -d)
  seeds="corpus/$t"
  leaks=1
  if [ "$t" = lsp ]; then
    # A session per input (≈ 15 per second): start from every 20th corpus file, not all of them.
    seeds=""
    ls "corpus/$t" | awk 'NR % 20 == 1' | while read -r f; do cp "corpus/$t/$f" "$scratch/"; done
    # LeakSanitizer off: a detached inotify thread still running at the end of a session reads as a leak.
    leaks=0
  fi
  # The fuzzer's own exit status decides (a run that ends early fails even when it leaves no artifact); its
  # log is summarised, and shown in full on failure.
  log="$found/fuzz.log"
  status=0
  target/x86_64-unknown-linux-gnu/release/$t "$scratch" $seeds "regressions/$t" -max_total_time="$seconds" -detect_leaks=$leaks \
      -timeout=60 -rss_limit_mb=4096 -artifact_prefix="$found/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  # A parser's panic that verbatim catches on purpose is logged by the harness as "panic (caught …": not news.
  grep -E "stat::number_of_executed_units|ERROR|panicked|SUMMARY" "$log" | grep -v "^panic (caught" | tail -20 || true
  rm -rf "$scratch"
  # Any one kind of artifact is a failure (`ls a b` fails unless every pattern matches, so test each).
  artifacts=$(find "$found" -maxdepth 1 \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | head -1)
  if [ -n "$artifacts" ]; then
    tail -60 "$log" >&2
    cp "$found"/* "artifacts/$t/"
    echo "fuzz target $t failed: see fuzz/artifacts/$t (replay: fuzz/target/x86_64-unknown-linux-gnu/release/$t <file>)" >&2
    exit 1
  fi
  if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz target $t exited with status $status and left no artifact (log above)" >&2
    exit 1
  fi
  if ! grep -q "stat::number_of_executed_units" "$log"; then
    tail -40 "$log" >&2
    echo "fuzz target $t ran no input (log above)" >&2
    exit 1
  fi
  rm -rf "$found"
done
