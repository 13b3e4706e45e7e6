#!/usr/bin/env bash
# The HTML report at scale (issue 20): `verbatim check --format html` over the benches' generated newsroom
# (benches/common/corpus.rs: 1,000 articles, N drafts of 60 quotes each), timed against `--format json` on the
# same check (the difference is the page's cost), then the page opened in headless Chromium: the time to load,
# lay out and paint it (a screenshot), unfiltered and filtered to one verdict (`#show-unsourced`).
#
#   benches/html-report.sh [DRAFTS]     # default 1000 (~60,000 findings); ~2 min warm
#
# The workspace is generated once into target/bench-data/html-ws/ and reused. Prints one line per run.
set -euo pipefail
cd "$(dirname "$0")/.."
drafts="${1:-1000}"
ws="$PWD/target/bench-data/html-ws-$drafts"
out="$PWD/target/bench-data/html-out"
mkdir -p "$out"
cargo build --release --locked -q
cargo bench --bench e2e -q -- generate --articles 1000 --drafts "$drafts" --out "$ws" >/dev/null
bin="${VERBATIM_BIN:-$PWD/target/release/verbatim}"
export VERBATIM_CACHE_DIR="$PWD/target/bench-data/cache"
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; $drafts drafts"
"$bin" check --root "$ws" --format json --fail-on never -o "$out/warm.jsonl" # a warm index snapshot for all runs
for format in json html; do
  for run in 1 2 3; do
    /usr/bin/time -f "$format run $run: %e s wall, %U s user, %M KB peak RSS" \
      "$bin" check --root "$ws" --format "$format" --fail-on never -o "$out/report.$format"
  done
done
echo "findings: $(wc -l < "$out/report.json"); page: $(du -m "$out/report.html" | cut -f1) MB, \
$(grep -c '<details class="finding"' "$out/report.html") finding elements"
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$chromium" ]; then
  for view in "" "#show-unsourced"; do
    profile=$(mktemp -d)
    start=$(date +%s.%N)
    timeout 600 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync --disable-dev-shm-usage \
      --hide-scrollbars --user-data-dir="$profile" --window-size=1280,1800 \
      --screenshot="$out/page${view:+-filtered}.png" "file://$out/report.html$view" >/dev/null 2>&1
    end=$(date +%s.%N)
    rm -rf "$profile"
    printf 'chromium load + paint%s: %.1f s\n' "${view:+ ($view)}" "$(echo "$end - $start" | bc)"
  done
else
  echo "chromium: not installed; page timing skipped"
fi
