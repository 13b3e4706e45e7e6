#!/usr/bin/env bash
# Headless Neovim end-to-end test of editors/nvim against the verbatim server.
#   VERBATIM_BIN   server binary (default: target/debug/verbatim, relative to the repo root)
#   NVIM           Neovim binary (default: nvim; installed from Debian's packages if missing)
#   VERBATIM_DEMO_SRC  demo workspace to copy (default: fixtures/demo)
# Copies the demo workspace and the plugin to a temp dir (code actions edit buffers there, never the repo).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

fail() { echo "nvim test: FAILED: $*" >&2; exit 1; }

nvim="${NVIM:-nvim}"
if ! command -v "$nvim" >/dev/null; then
  echo "nvim test: installing neovim (apt)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends neovim; } >/dev/null 2>&1 \
    || fail "could not install neovim with apt-get"
fi

bin="${VERBATIM_BIN:-target/debug/verbatim}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
[ -x "$bin" ] || fail "no server binary at $bin (run cargo build, or set VERBATIM_BIN)"
demo_src="${VERBATIM_DEMO_SRC:-$root/fixtures/demo}"
[ -d "$demo_src/drafts" ] || fail "no demo workspace at $demo_src (drafts/ missing)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -R "$demo_src" "$tmp/demo"
cp -R "$root/editors/nvim" "$tmp/nvim"
rm -f "$tmp/nvim/doc/tags"

echo "nvim test: $("$nvim" --version | head -1), server $bin"
status=0
VERBATIM_BIN="$bin" VERBATIM_DEMO="$tmp/demo" VERBATIM_PLUGIN="$tmp/nvim" HOME="$tmp" XDG_STATE_HOME="$tmp/state" \
  timeout 300 "$nvim" --headless --clean --cmd "set rtp^=$tmp/nvim" \
    -c "luafile $here/e2e.lua" -c 'cquit 2' </dev/null || status=$?
if [ "$status" -ne 0 ]; then
  log="$(ls "$tmp"/state/nvim/lsp.log "$tmp"/.cache/nvim/lsp.log 2>/dev/null | head -1 || true)"
  if [ -n "$log" ]; then echo "--- last lines of the Neovim LSP log:" >&2; tail -20 "$log" >&2; fi
  fail "the headless Neovim test exited with status $status"
fi
echo "nvim test: ok"
