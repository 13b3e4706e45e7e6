#!/usr/bin/env bash
# The Emacs package as MELPA would take it: verbatim.el byte-compiles with `byte-compile-error-on-warn',
# passes checkdoc and package-lint, the MELPA recipe (packaging/melpa/verbatim) is well formed and names
# this file, and `verbatim-find-program' finds the server where pip, pipx and uv put it
# (test/find-program.el).
#
# package-lint comes from Debian's elpa-package-lint (MELPA itself is outside the package registries this
# machine reaches): `apt-get download` of the .deb, unpacked under target/packaging/elpa (no install,
# so Debian's Emacs 28 is not pulled in next to Emacs 30). Debian's package-lint is 0.16, from before
# Emacs 29 was released: it reports any dependency on (emacs "28") or later as "uninstallable in all
# released Emacs versions". That one stale warning, on the Package-Requires line, is shown and not
# counted; any other package-lint message fails the test.
#   VERBATIM_BIN  server binary (default target/debug/verbatim)
#   EMACS         Emacs >= 29 (default: emacs; editors/emacs/test/run.sh installs Emacs 30)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
emacs="${EMACS:-emacs}"
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
tmp="$(mktemp -d)"
finish() {
  local status=$?
  rm -rf "$tmp"
  [ "$status" -eq 0 ] && [ "$failed" -gt 0 ] && status=1
  echo "emacs-lint: $passed passed, $failed failed"
  exit "$status"
}
trap finish EXIT

emacs_major() { "$1" --batch --eval '(princ emacs-major-version)' 2>/dev/null || echo 0; }
if ! command -v "$emacs" >/dev/null || [ "$(emacs_major "$emacs")" -lt 29 ]; then
  not_ok "Emacs >= 29 is installed (editors/emacs/test/run.sh installs Emacs 30; .ci/run runs it first)"
  exit 1
fi
bin="${VERBATIM_BIN:-target/debug/verbatim}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac

cp "$root/editors/emacs/verbatim.el" "$tmp/"
el="$tmp/verbatim.el"

# Byte-compilation, warnings as errors.
if out="$(HOME="$tmp" "$emacs" --batch -Q -L "$tmp" --eval '(setq byte-compile-error-on-warn t)' \
  -f batch-byte-compile "$el" 2>&1)"; then
  ok "verbatim.el byte-compiles with byte-compile-error-on-warn"
else
  not_ok "verbatim.el byte-compiles with byte-compile-error-on-warn: $out"
fi

# checkdoc: every message it prints is a finding.
out="$(HOME="$tmp" "$emacs" --batch -Q --eval "(progn (require 'checkdoc) (let ((checkdoc-autofix-flag 'never)) (checkdoc-file \"$el\")))" 2>&1 || true)"
findings="$(grep -E '^verbatim\.el:[0-9]+' <<<"$out" || true)"
if [ -z "$findings" ]; then
  ok "checkdoc finds nothing"
else
  not_ok "checkdoc finds nothing: $findings"
fi

# package-lint from Debian's elpa-package-lint.
elpa="$root/target/packaging/elpa"
pl_el="$(find "$elpa" -name package-lint.el 2>/dev/null | head -1 || true)"
if [ -z "$pl_el" ]; then
  mkdir -p "$elpa"
  (cd "$elpa" && rm -f ./*.deb && timeout 300 apt-get download -q elpa-package-lint >/dev/null 2>&1) ||
    { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq >/dev/null 2>&1 || true;
      (cd "$elpa" && timeout 300 apt-get download -q elpa-package-lint >/dev/null 2>&1) || true; }
  deb="$(find "$elpa" -maxdepth 1 -name 'elpa-package-lint_*.deb' | head -1)"
  [ -n "$deb" ] && dpkg -x "$deb" "$elpa/unpacked"
  pl_el="$(find "$elpa" -name package-lint.el 2>/dev/null | head -1 || true)"
fi
if [ -z "$pl_el" ]; then
  not_ok "package-lint is available (apt-get download elpa-package-lint)"
else
  pl_version="$(sed -n 's/^;; Version: *//p' "$pl_el" | head -1)"
  out="$(cd "$tmp" && HOME="$tmp" "$emacs" --batch -Q -L "$(dirname "$pl_el")" -l package-lint \
    -f package-lint-batch-and-exit verbatim.el 2>&1 || true)"
  messages="$(grep -E '^verbatim\.el:[0-9]+:[0-9]+: (error|warning|info):' <<<"$out" || true)"
  requires_line="$(grep -n '^;; Package-Requires:' "$el" | cut -d: -f1)"
  stale="verbatim.el:$requires_line:[0-9]+: warning: This makes the package uninstallable in all released Emacs versions\\."
  counted="$(grep -vE "^$stale\$" <<<"$messages" || true)"
  if grep -qE "^$stale\$" <<<"$messages"; then
    echo "# package-lint $pl_version (Debian) predates Emacs 29's release; not counted: $(grep -E "^$stale\$" <<<"$messages")"
  fi
  if [ -z "$counted" ]; then
    ok "package-lint $pl_version finds nothing else"
  else
    not_ok "package-lint $pl_version finds nothing: $counted"
  fi
fi

# The MELPA recipe: one form, (verbatim :fetcher github :repo "OWNER/REPO" :files (...)), whose files
# exist and whose package name is the file's.
recipe="$root/packaging/melpa/verbatim"
out="$(HOME="$tmp" "$emacs" --batch -Q --eval "
(let* ((recipe (with-temp-buffer (insert-file-contents \"$recipe\") (goto-char (point-min))
                 (prog1 (read (current-buffer))
                   (skip-chars-forward \" \t\n\")
                   (unless (eobp) (error \"more than one form\")))))
       (props (cdr recipe)))
  (unless (eq (car recipe) 'verbatim) (error \"the recipe names %s, not verbatim\" (car recipe)))
  (unless (memq (plist-get props :fetcher) '(github git gitlab codeberg)) (error \"unknown :fetcher\"))
  (unless (string-match-p \"\\\\\`[^/ ]+/[^/ ]+\\\\'\" (or (plist-get props :repo) \"\")) (error \":repo is not OWNER/REPO\"))
  (dolist (file (plist-get props :files))
    (unless (file-exists-p (expand-file-name file \"$root\")) (error \"%s does not exist\" file)))
  (princ (format \"recipe %S\" recipe)))" 2>&1)" && ok "the MELPA recipe is well formed and its files exist: $out" ||
  not_ok "the MELPA recipe is well formed: $out"
first_line="$(head -1 "$root/editors/emacs/verbatim.el")"
[[ "$first_line" == ";;; verbatim.el --- "* ]] && ok "verbatim.el's first line names the package as MELPA wants" ||
  not_ok "verbatim.el's first line is ';;; verbatim.el --- ...': $first_line"

# Finding the server binary.
if [ -x "$bin" ]; then
  if out="$(VERBATIM_BIN="$bin" HOME="$tmp" timeout 60 "$emacs" --batch -Q -L "$root/editors/emacs" -l verbatim \
    -l "$here/find-program.el" 2>&1)"; then
    ok "verbatim-find-program (test/find-program.el): $(tail -1 <<<"$out")"
  else
    echo "$out" | grep -E '^(not )?ok' | sed 's/^/#   /'
    not_ok "verbatim-find-program (test/find-program.el): $(tail -1 <<<"$out")"
  fi
else
  not_ok "the server binary is at $bin for test/find-program.el"
fi
