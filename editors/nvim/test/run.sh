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
cp -R "$root/editors/nvim" "$tmp/nvim"
rm -f "$tmp/nvim/doc/tags"

version="$("$nvim" --version | head -1)"
modes="setup"
# Neovim >= 0.11 also loads lsp/verbatim.lua through vim.lsp.config / vim.lsp.enable.
if "$nvim" --headless --clean -c 'lua io.stdout:write(vim.fn.has("nvim-0.11"))' -c 'qall!' </dev/null 2>/dev/null | grep -q 1; then
  modes="setup lspconfig"
fi

for mode in $modes; do
  echo "nvim test: $version ($mode), server $bin"
  rm -rf "$tmp/demo" "$tmp/state"
  cp -R "$demo_src" "$tmp/demo"
  status=0
  VERBATIM_BIN="$bin" VERBATIM_DEMO="$tmp/demo" VERBATIM_PLUGIN="$tmp/nvim" VERBATIM_NVIM_MODE="$mode" \
    HOME="$tmp" XDG_STATE_HOME="$tmp/state" \
    timeout 300 "$nvim" --headless --clean --cmd "set rtp^=$tmp/nvim" \
      -c "luafile $here/e2e.lua" -c 'cquit 2' </dev/null || status=$?
  if [ "$status" -ne 0 ]; then
    log="$(ls "$tmp"/state/nvim/lsp.log "$tmp"/.cache/nvim/lsp.log 2>/dev/null | head -1 || true)"
    if [ -n "$log" ]; then echo "--- last lines of the Neovim LSP log:" >&2; tail -20 "$log" >&2; fi
    fail "the headless Neovim test ($mode) exited with status $status"
  fi
done
# Root detection on the cases the server and the CLI share (fixtures/roots/cases.txt).
echo "nvim test: $version (workspace roots)"
status=0
VERBATIM_ROOT_CASES="$root/fixtures/roots/cases.txt" HOME="$tmp" XDG_STATE_HOME="$tmp/state" \
  timeout 60 "$nvim" --headless --clean --cmd "set rtp^=$tmp/nvim" \
    -c "luafile $here/roots.lua" -c 'cquit 2' </dev/null || status=$?
[ "$status" -eq 0 ] || fail "the root detection test (roots.lua) exited with status $status"
# Binary discovery (Mason's bin folder, $PATH, ~/.local/bin) and the "not found" message, with no
# $VERBATIM_BIN and a scratch HOME and data folder.
echo "nvim test: $version (finding the binary)"
rm -rf "${tmp:?}/demo" "${tmp:?}/state" "${tmp:?}/home" "${tmp:?}/data" "${tmp:?}/scratch"
cp -R "$demo_src" "$tmp/demo"
mkdir -p "$tmp/home" "$tmp/data" "$tmp/scratch"
status=0
env -u VERBATIM_BIN VERBATIM_TEST_BIN="$bin" VERBATIM_DEMO="$tmp/demo" VERBATIM_SCRATCH="$tmp/scratch" \
  HOME="$tmp/home" XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state" \
  timeout 120 "$nvim" --headless --clean --cmd "set rtp^=$tmp/nvim" \
    -c "luafile $here/find-binary.lua" -c 'cquit 2' </dev/null || status=$?
[ "$status" -eq 0 ] || fail "the binary discovery test (find-binary.lua) exited with status $status"
echo "nvim test: ok"
