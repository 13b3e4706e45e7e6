#!/usr/bin/env bash
# Batch-mode Emacs end-to-end test of editors/emacs/verbatim.el (Eglot) against the verbatim server.
#   VERBATIM_BIN       server binary (default: target/debug/verbatim, relative to the repo root)
#   VERBATIM_DEMO_SRC  demo workspace to copy (default: fixtures/demo)
#   EMACS              Emacs binary (default: emacs; Emacs 30 from bookworm-backports is installed if
#                      no Emacs >= 29 is found)
# Copies the demo workspace to a temp dir (code actions edit files there, never the repo).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

fail() { echo "emacs test: FAILED: $*" >&2; exit 1; }

emacs_major() { "$1" --batch --eval '(princ emacs-major-version)' 2>/dev/null || echo 0; }

emacs="${EMACS:-emacs}"
if ! command -v "$emacs" >/dev/null || [ "$(emacs_major "$emacs")" -lt 29 ]; then
  echo "emacs test: installing emacs-nox from bookworm-backports (apt)"
  export DEBIAN_FRONTEND=noninteractive
  if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' >/etc/apt/sources.list.d/bookworm-backports.list
  fi
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends -t bookworm-backports emacs-nox; } >/dev/null 2>&1 \
    || fail "could not install emacs-nox from bookworm-backports"
  emacs=emacs
  [ "$(emacs_major "$emacs")" -ge 29 ] || fail "Emacs >= 29 (with eglot) is needed; found $("$emacs" --version | head -1)"
fi

bin="${VERBATIM_BIN:-target/debug/verbatim}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
[ -x "$bin" ] || fail "no server binary at $bin (run cargo build, or set VERBATIM_BIN)"
demo_src="${VERBATIM_DEMO_SRC:-$root/fixtures/demo}"
[ -d "$demo_src/drafts" ] || fail "no demo workspace at $demo_src (drafts/ missing)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -R "$demo_src" "$tmp/demo"

echo "emacs test: $("$emacs" --version | head -1), server $bin"
# verbatim.el byte-compiles without warnings (in a copy: no .elc lands in the repo).
mkdir "$tmp/elc" && cp "$root/editors/emacs/verbatim.el" "$tmp/elc/"
HOME="$tmp" "$emacs" --batch -Q -L "$tmp/elc" --eval '(setq byte-compile-error-on-warn t)' \
  -f batch-byte-compile "$tmp/elc/verbatim.el" || fail "verbatim.el does not byte-compile cleanly"
echo "ok - verbatim.el byte-compiles without warnings"
# Root detection on the cases the server and the CLI share (fixtures/roots/cases.txt).
VERBATIM_ROOT_CASES="$root/fixtures/roots/cases.txt" HOME="$tmp" \
  timeout 60 "$emacs" --batch -Q -L "$root/editors/emacs" -l verbatim -l "$here/roots.el" </dev/null \
  || fail "the root detection test (roots.el) failed"
status=0
VERBATIM_BIN="$bin" VERBATIM_DEMO="$tmp/demo" HOME="$tmp" \
  timeout 360 "$emacs" --batch -Q -L "$root/editors/emacs" -l verbatim -l "$here/e2e.el" </dev/null || status=$?
[ "$status" -eq 0 ] || fail "the batch-mode Emacs test exited with status $status"
echo "emacs test: ok"
