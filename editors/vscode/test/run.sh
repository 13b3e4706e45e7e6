#!/usr/bin/env bash
# End-to-end test of the VS Code extension bundle against the verbatim server, with
# test/fake-vscode.js standing in for the VS Code API (no VS Code is run).
#   VERBATIM_BIN       server binary (default: target/debug/verbatim, relative to the repo root)
#   VERBATIM_DEMO_SRC  demo workspace to copy (default: fixtures/demo)
# Builds first with ../build.sh (npm ci, tsc, esbuild, vsce) unless dist/extension.js is newer than src/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"

fail() { echo "vscode test: FAILED: $*" >&2; exit 1; }

if [ ! -f "$here/dist/extension.js" ] || [ -n "$(find "$here/src" "$here/package.json" -newer "$here/dist/extension.js" 2>/dev/null)" ]; then
  "$here/build.sh" || fail "the extension does not build"
fi

bin="${VERBATIM_BIN:-target/debug/verbatim}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
[ -x "$bin" ] || fail "no server binary at $bin (run cargo build, or set VERBATIM_BIN)"
demo_src="${VERBATIM_DEMO_SRC:-$root/fixtures/demo}"
[ -d "$demo_src/drafts" ] || fail "no demo workspace at $demo_src (drafts/ missing)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -R "$demo_src" "$tmp/demo"

echo "vscode test: Node $(node --version), server $bin"
status=0
VERBATIM_BIN="$bin" VERBATIM_DEMO="$tmp/demo" timeout 180 node "$here/test/e2e.js" </dev/null || status=$?
[ "$status" -eq 0 ] || fail "the extension e2e test exited with status $status"
rm -rf "$tmp/demo" && cp -R "$demo_src" "$tmp/demo"
VERBATIM_BIN="$bin" VERBATIM_DEMO="$tmp/demo" timeout 120 node "$here/test/late-path.js" </dev/null || fail "the late verbatim.server.path test failed"
rm -rf "$tmp/demo" && cp -R "$demo_src" "$tmp/demo"
VERBATIM_BIN="$bin" VERBATIM_DEMO="$tmp/demo" timeout 180 node "$here/test/find-server.js" </dev/null || fail "the server discovery test (test/find-server.js) failed"
echo "vscode test: ok"
