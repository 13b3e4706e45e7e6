#!/usr/bin/env bash
# Install without a Rust toolchain (issue 18): every packaging path tested as a user would take it.
#   1. the verbatim-lsp wheel: built once with maturin (the one release build of the binary), checked
#      with auditwheel, installed with pip into a fresh venv and with `uv tool install`, and run on the
#      demo (packaging/python/test.sh); the binary is taken out of the wheel for the next steps;
#   2. the linux-x64 .vsix with that binary inside (editors/vscode/build.sh, VSCE_TARGET=linux-x64), then
#      installed into code-server with no verbatim.server.path, nothing on PATH and an empty HOME, and
#      driven in headless Chromium (editors/vscode/test/e2e.sh, VERBATIM_E2E_BUNDLED=1);
#   3. .github/workflows linted with actionlint (with shellcheck and pyflakes on the run: scripts);
#   4. the Mason package, MELPA recipe, Helix languages.toml and lsp/verbatim.lua against their schemas
#      (packaging/check-registry-files.py);
#   5. the Emacs package: byte-compile, checkdoc, package-lint, recipe (editors/emacs/test/lint.sh).
# Installs what it needs from PyPI, npm and Debian (cached under target/). Each step prints TAP lines
# and a summary; the script ends with "packaging: N steps passed, N failed".
#   VERBATIM_SKIP_VSCODE=1  skip step 2's code-server run (the .vsix is still built and checked)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
steps_passed=0
steps_failed=0
run_step() { # name, command...
  local name="$1" t status=0
  shift
  t=$(date +%s)
  echo "--- packaging: $name"
  "$@" || status=$?
  if [ "$status" -eq 0 ]; then
    steps_passed=$((steps_passed + 1))
    echo "--- packaging: $name: ok ($(($(date +%s) - t)) s)"
  else
    steps_failed=$((steps_failed + 1))
    echo "--- packaging: $name: FAILED (exit $status, $(($(date +%s) - t)) s)"
  fi
  return "$status"
}

out="$root/target/packaging"
mkdir -p "$out"
bin="$out/verbatim"
vsix="$out/verbatim-linux-x64.vsix"

if run_step "wheel (maturin, auditwheel, pip, uv tool)" env VERBATIM_PACKAGED_BIN="$bin" packaging/python/test.sh; then
  run_step "linux-x64 .vsix with the server inside" \
    env BUNDLE_SERVER=1 VERBATIM_BIN="$bin" VSCE_TARGET=linux-x64 VSIX_OUT="$vsix" editors/vscode/build.sh
  if [ -f "$vsix" ]; then
    if [ "${VERBATIM_SKIP_VSCODE:-0}" = 1 ]; then
      echo "--- packaging: the .vsix in code-server: skipped (VERBATIM_SKIP_VSCODE=1)"
    else
      run_step "the .vsix in code-server as a user installs it" \
        env VERBATIM_E2E_BUNDLED=1 VERBATIM_E2E_VSIX="$vsix" VERBATIM_BIN="$bin" editors/vscode/test/e2e.sh
    fi
  fi
else
  steps_failed=$((steps_failed + 1))
  echo "--- packaging: the .vsix steps need the wheel's binary: not run"
fi

tools_bin="$(packaging/tools.sh)" || tools_bin=""
lint_workflows() {
  [ -x "$tools_bin/actionlint" ] || { echo "not ok - actionlint is installed (packaging/tools.sh)"; return 1; }
  if ! command -v shellcheck >/dev/null; then
    { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq shellcheck || { apt-get update -qq && apt-get install -y -qq shellcheck; }; } >/dev/null 2>&1 || true
  fi
  command -v shellcheck >/dev/null || { echo "not ok - shellcheck is installed (apt), for actionlint's run: checks"; return 1; }
  echo "# $("$tools_bin/actionlint" -version | head -1), $(shellcheck --version | sed -n 's/^version: /shellcheck /p'), pyflakes $("$tools_bin/pyflakes" --version 2>/dev/null | head -1)"
  PATH="$tools_bin:$PATH" "$tools_bin/actionlint" -no-color -shellcheck shellcheck -pyflakes "$tools_bin/pyflakes" .github/workflows/*.yml &&
    echo "ok - actionlint finds nothing in $(ls .github/workflows/*.yml | tr '\n' ' ')"
}
run_step "actionlint .github/workflows" lint_workflows
if [ -x "$tools_bin/python" ]; then
  run_step "registry files and editor configs against their schemas" "$tools_bin/python" packaging/check-registry-files.py
else
  run_step "registry files and editor configs against their schemas" false
fi
run_step "Emacs package: byte-compile, checkdoc, package-lint, MELPA recipe" \
  env VERBATIM_BIN="${VERBATIM_BIN:-$bin}" editors/emacs/test/lint.sh

echo "packaging: $steps_passed steps passed, $steps_failed failed"
[ "$steps_failed" -eq 0 ]
