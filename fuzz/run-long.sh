#!/usr/bin/env bash
# Long fuzzing: each target in turn (one core each), then corpus minimization. Usage: fuzz/run-long.sh [seconds] [targets…]
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`); builds with AddressSanitizer.
set -u
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=${*:-quotes align edits lsp config html pdf transcript docx}
[ -n "${SKIP_BUILD:-}" ] || cargo +nightly fuzz build -O >/dev/null 2>&1 || { echo "cargo fuzz build failed" >&2; exit 2; }
bin=target/x86_64-unknown-linux-gnu/release
mkdir -p logs
for t in $targets; do
  mkdir -p "artifacts/$t" "corpus/$t"
  start=$(date +%s)
  # LeakSanitizer off for lsp: a detached inotify thread still running at the end of a session reads as a leak.
  leaks=1; [ "$t" = lsp ] && leaks=0
  (cd logs && "../$bin/$t" "../corpus/$t" -detect_leaks=$leaks -jobs=1 -workers=1 -max_total_time="$seconds" -timeout=60 \
      -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="../artifacts/$t/" >/dev/null 2>&1)
  mv -f logs/fuzz-0.log "logs/$t-$(date -u +%Y%m%dT%H%M%S).log" 2>/dev/null
  # Minimize the corpus: keep only inputs that add coverage.
  rm -rf "corpus/$t.min" && mkdir -p "corpus/$t.min"
  "$bin/$t" -merge=1 "corpus/$t.min" "corpus/$t" >/dev/null 2>&1 && rm -rf "corpus/$t" && mv "corpus/$t.min" "corpus/$t"
  echo "$t: $(( $(date +%s) - start )) s, corpus $(ls "corpus/$t" | wc -l) files, artifacts: $(ls "artifacts/$t" | wc -l)"
done
