#!/usr/bin/env bash
# Runs the whole test suite again and again under CPU load, to find the tests (and the server races) that fail
# only when the machine is busy. Not run in CI: it takes a long time. Usage:
#
#   tests/stress.sh [RUNS] [THREADS...]     # default: 20 runs, alternating --test-threads=1 and 16
#
# It builds the test binaries once (`cargo test --no-run`), copies them aside (a rebuild meanwhile does not
# change what runs), then for each run starts `stress-ng --cpu N` (N = STRESS_CPUS, default 2 × cores; busy
# shell loops when stress-ng is missing: `apt-get install -y stress-ng`) and runs every test binary with one
# of the THREADS values as `--test-threads`. Each run's output goes to `target/stress/run-K.log`; a summary
# line per run, the failed tests and the final N/N count go to stdout and `target/stress/summary.txt`.
#
# Environment: STRESS_CPUS (load workers, 0 = none), STRESS_FILTER (a test name filter passed to every
# binary), STRESS_ONLY (a regex of test binary names to run, e.g. 'lsp_|robustness_').
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${1:-20}
shift || true
threads=("$@")
[ ${#threads[@]} -eq 0 ] && threads=(1 16)
cores=$(nproc)
load=${STRESS_CPUS:-$((2 * cores))}
only=${STRESS_ONLY:-.}
out=target/stress
bin="$out/bin"
mkdir -p "$bin"

echo "building the test binaries…"
cargo test --no-run --message-format=json 2>"$out/build.err" >"$out/build.json" || {
  tail -20 "$out/build.err"
  exit 2
}
rm -f "$bin"/*
# The test binaries (not the library's unit tests' duplicate name clash: named after their target).
python3 - "$out/build.json" "$bin" <<'EOF'
import json, shutil, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["profile"]["test"]:
        kind = m["target"]["kind"][0]
        shutil.copy2(m["executable"], f"{sys.argv[2]}/{kind}-{m['target']['name']}")
EOF
ls "$bin" | grep -E "$only" >"$out/binaries.txt"
# Without their debug info the copies take a tenth of the room (panic messages keep their file and line).
if command -v strip >/dev/null 2>&1; then
  for file in "$bin"/*; do strip --strip-debug "$file"; done
fi
echo "$(wc -l <"$out/binaries.txt") test binaries, $runs runs, --test-threads ${threads[*]}, load: $load CPU workers"

loaders=()
start_load() {
  loaders=()
  [ "$load" -eq 0 ] && return
  if command -v stress-ng >/dev/null 2>&1; then
    stress-ng --cpu "$load" --quiet &
    loaders+=($!)
  else
    for _ in $(seq "$load"); do
      (while :; do :; done) &
      loaders+=($!)
    done
  fi
}
stop_load() {
  for pid in "${loaders[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  loaders=()
}
trap 'stop_load; exit 130' INT TERM

green=0
: >"$out/summary.txt"
for run in $(seq "$runs"); do
  t=${threads[$(((run - 1) % ${#threads[@]}))]}
  log="$out/run-$run.log"
  : >"$log"
  start_load
  began=$(date +%s)
  failed=()
  while read -r name; do
    echo "=== $name (--test-threads=$t)" >>"$log"
    # Binaries run from the crate root, as `cargo test` runs them.
    if ! "$bin/$name" --test-threads="$t" ${STRESS_FILTER:+"$STRESS_FILTER"} </dev/null >>"$log" 2>&1; then
      failed+=("$name")
    fi
  done <"$out/binaries.txt"
  stop_load
  took=$(($(date +%s) - began))
  loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
  if [ ${#failed[@]} -eq 0 ]; then
    green=$((green + 1))
    line="run $run: green (--test-threads=$t, ${took}s, load $loadavg)"
  else
    tests=$(grep -E '^    [a-z_:0-9]+$|^test .* FAILED$' "$log" | sed 's/^ *//' | sort -u | tr '\n' ' ')
    line="run $run: FAILED in ${failed[*]} (--test-threads=$t, ${took}s, load $loadavg): $tests"
  fi
  echo "$line" | tee -a "$out/summary.txt"
done
echo "$green/$runs runs green" | tee -a "$out/summary.txt"
[ "$green" -eq "$runs" ]
