#!/usr/bin/env bash
# Reproduces the numbers in BENCHMARKS.md with one command:
#
#   benches/run.sh           # full: criterion engine benches (1k, 10k) + e2e at 1k, 10k, 100k articles (~15 min)
#   benches/run.sh --quick   # quick: engine benches at 1k + e2e at 1k (~2 min)
#
# Writes target/bench-engine.txt (criterion) and target/bench-report.md (e2e). Generated workspaces are kept
# under target/bench-data/ and reused while the generator version and seed are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=""
[[ "${1:-}" == "--quick" ]] && quick="--quick"

# The peers. Missing peers are skipped (their columns show "—"), never faked.
if ! command -v rg >/dev/null 2>&1; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null || true
  fi
fi
if ! python3 -c 'import rapidfuzz, numpy' >/dev/null 2>&1; then
  python3 -m pip install -q rapidfuzz numpy >/dev/null 2>&1 || echo "run.sh: rapidfuzz unavailable; its column is skipped" >&2
fi

echo "== load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores" >&2
mkdir -p target
if [[ -n "$quick" ]]; then
  VERBATIM_BENCH_SIZES=1000 cargo bench --bench engine 2>&1 | tee target/bench-engine.txt
else
  cargo bench --bench engine 2>&1 | tee target/bench-engine.txt
fi
cargo bench --bench e2e -- run $quick --report target/bench-report.md
echo "== reports: target/bench-engine.txt, target/bench-report.md" >&2
