#!/usr/bin/env bash
# Validates `verbatim check --format sarif` output on the demo workspace with Microsoft's SARIF Multitool
# (the reference SARIF 2.1.0 validator, from the npm registry). Fails on any error-level validation result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="${VERBATIM_BIN:-$root/target/debug/verbatim}"
tools="$root/target/tools/sarif"
mkdir -p "$tools"
if [ ! -x "$tools/node_modules/.bin/sarif-multitool" ]; then
  (cd "$tools" && npm install --silent --no-audit --no-fund @microsoft/sarif-multitool@5.7.0 >/dev/null)
fi
status=0
"$bin" check --root "$root/fixtures/demo" --format sarif > "$tools/demo.sarif" || status=$?
if [ "$status" -gt 1 ]; then
  echo "verbatim check failed with exit code $status" >&2
  exit 1
fi
rm -f "$tools/validation.sarif"
"$tools/node_modules/.bin/sarif-multitool" validate "$tools/demo.sarif" -o "$tools/validation.sarif" >"$tools/validation.log" 2>&1 || true
python3 - "$tools/validation.sarif" "$tools/validation.log" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
results = [r for run in log.get("runs", []) for r in run.get("results", [])]
errors = [r for r in results if r.get("level") == "error"]
if not log.get("runs"):
    print(open(sys.argv[2]).read()); sys.exit("SARIF validation produced no log")
for r in results:
    print(f"{r.get('level', 'warning')}: {r.get('ruleId')}")
if errors:
    sys.exit(f"SARIF validation: {len(errors)} error(s)")
print(f"SARIF validation: 0 errors, {len(results)} other result(s)")
PY
