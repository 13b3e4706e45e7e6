#!/usr/bin/env bash
# Builds the VS Code extension: npm ci, type check (tsc --noEmit), esbuild bundle, and a .vsix
# packaged with @vscode/vsce. Output: editors/vscode/verbatim.vsix (or $VSIX_OUT).
#   BUNDLE_SERVER=1  also copies the server ($VERBATIM_BIN, default target/debug/verbatim) into the .vsix,
#                    as server/verbatim (server/verbatim.exe when the binary's name ends in .exe).
#   VSCE_TARGET=linux-x64 (or linux-arm64, alpine-x64, alpine-arm64, darwin-x64, darwin-arm64, win32-x64,
#                    win32-arm64): a platform .vsix (`vsce package --target`), which VS Code and the
#                    marketplaces offer only on that platform; needs BUNDLE_SERVER=1 with a binary built
#                    for that platform (the release workflow builds one per target).
#   VSIX_OUT=path    where to write the .vsix (default editors/vscode/verbatim.vsix).
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

out="${VSIX_OUT:-$here/verbatim.vsix}"
case "$out" in /*) ;; *) out="$root/$out" ;; esac
target_args=()
if [ -n "${VSCE_TARGET:-}" ]; then
  [ "${BUNDLE_SERVER:-0}" = 1 ] || fail "VSCE_TARGET=$VSCE_TARGET needs BUNDLE_SERVER=1: a platform .vsix carries the server"
  target_args=(--target "$VSCE_TARGET")
fi

rm -rf server
server_name=""
if [ "${BUNDLE_SERVER:-0}" = 1 ]; then
  bin="${VERBATIM_BIN:-target/debug/verbatim}"
  case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
  [ -f "$bin" ] || fail "BUNDLE_SERVER=1 but no server binary at $bin (build it with cargo build, or set VERBATIM_BIN)"
  case "$bin" in *.exe) server_name=verbatim.exe ;; *) server_name=verbatim ;; esac
  mkdir -p server && cp "$bin" "server/$server_name" && chmod 755 "server/$server_name"
  echo "vscode build: bundling server $bin as server/$server_name${VSCE_TARGET:+ (target $VSCE_TARGET)}"
fi

echo "vscode build: vsce package${VSCE_TARGET:+ --target $VSCE_TARGET}"
rm -f "$out"
npx --no-install vsce package --no-dependencies --allow-missing-repository --skip-license \
  --no-update-package-json "${target_args[@]}" -o "$out" >/dev/null || fail "vsce package"
rm -rf server

# The package must hold the bundle and the manifest (and the server when bundled), and not the sources
# or node_modules.
py="$(command -v python3 || command -v python || true)"
listing="$(unzip -l "$out" 2>/dev/null || "$py" -m zipfile -l "$out")"
must_have=(extension/package.json extension/dist/extension.js extension/readme.md)
[ -z "$server_name" ] || must_have+=("extension/server/$server_name")
for must in "${must_have[@]}"; do
  grep -qi "$must" <<<"$listing" || fail "$must missing from $out"
done
if grep -qE 'extension/(node_modules|src)/' <<<"$listing"; then fail "$out contains node_modules/ or src/"; fi
if [ -n "${VSCE_TARGET:-}" ]; then
  manifest="$(unzip -p "$out" extension.vsixmanifest 2>/dev/null || "$py" -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("extension.vsixmanifest").decode())' "$out")"
  grep -q "TargetPlatform=\"$VSCE_TARGET\"" <<<"$manifest" || fail "$out's manifest does not name TargetPlatform=\"$VSCE_TARGET\""
fi

echo "vscode build: ok: $out ($(wc -c <"$out") bytes)"
