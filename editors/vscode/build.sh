#!/usr/bin/env bash
# Builds the VS Code extension: npm ci, type check (tsc --noEmit), esbuild bundle, and a .vsix
# packaged with @vscode/vsce. Output: editors/vscode/verbatim.vsix.
#   BUNDLE_SERVER=1  also copies the server ($VERBATIM_BIN, default target/debug/verbatim) into the .vsix.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

fail() { echo "vscode build: FAILED: $*" >&2; exit 1; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "vscode build: installing nodejs and npm (apt)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq nodejs npm; } >/dev/null || fail "could not install nodejs/npm"
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || echo "vscode build: warning: Node $node_major found; @vscode/vsce 3.x wants Node >= 20" >&2

# npm ci is idempotent but slow: skip it when node_modules was installed from this lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "vscode build: npm ci"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || fail "npm ci"
fi

echo "vscode build: tsc --noEmit"
npx --no-install tsc --noEmit -p . || fail "type check (tsc --noEmit)"

echo "vscode build: esbuild bundle"
npm run -s bundle >/dev/null || fail "esbuild bundle"
[ -s dist/extension.js ] || fail "dist/extension.js missing after bundling"
node test/load-smoke.js dist/extension.js >/dev/null || fail "dist/extension.js does not load (test/load-smoke.js)"

rm -rf server
if [ "${BUNDLE_SERVER:-0}" = 1 ]; then
  bin="${VERBATIM_BIN:-target/debug/verbatim}"
  case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
  [ -x "$bin" ] || fail "BUNDLE_SERVER=1 but no server binary at $bin (build it with cargo build, or set VERBATIM_BIN)"
  mkdir -p server && cp "$bin" server/verbatim
  echo "vscode build: bundling server $bin"
fi

echo "vscode build: vsce package"
rm -f verbatim.vsix
npx --no-install vsce package --no-dependencies --allow-missing-repository --skip-license \
  --no-update-package-json -o verbatim.vsix >/dev/null || fail "vsce package"

# The package must hold the bundle and the manifest, and not the sources or node_modules.
listing="$(unzip -l verbatim.vsix 2>/dev/null || python3 -m zipfile -l verbatim.vsix)"
for must in extension/package.json extension/dist/extension.js extension/readme.md; do
  grep -qi "$must" <<<"$listing" || fail "$must missing from verbatim.vsix"
done
if grep -qE 'extension/(node_modules|src)/' <<<"$listing"; then fail "verbatim.vsix contains node_modules/ or src/"; fi

echo "vscode build: ok: $here/verbatim.vsix ($(wc -c <verbatim.vsix) bytes)"
