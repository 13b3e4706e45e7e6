#!/usr/bin/env bash
# The verbatim-lsp wheel, as a user without Rust gets it: builds the wheel with maturin (pyproject.toml,
# `bindings = "bin"`; one release build of the binary), checks its platform tag with auditwheel (the
# binary must need nothing but the manylinux libraries), installs it into a fresh virtual environment
# (pip, offline: the wheel is the only package) and with `uv tool install`, and runs `verbatim --version`
# and `verbatim check` on fixtures/demo from each (exit 1: the demo holds drift by design).
#
# Also extracts the wheel's binary to $VERBATIM_PACKAGED_BIN (default target/packaging/verbatim), so
# that the .vsix and the other packaging tests reuse this one build instead of compiling again.
#
# Installs maturin, auditwheel and uv from PyPI with packaging/tools.sh (cached, pinned versions).
# Environment:
#   VERBATIM_WHEEL=path   test this wheel instead of building one
# Ends with "python-wheel: N passed, N failed"; exits non-zero when anything failed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
out="$root/target/packaging"
mkdir -p "$out"

passed=0
failed=0
tmp="$(mktemp -d)"
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
say() { echo "# $*"; }
finish() {
  local status=$?
  rm -rf "$tmp"
  [ "$status" -eq 0 ] && [ "$failed" -gt 0 ] && status=1
  echo "python-wheel: $passed passed, $failed failed"
  exit "$status"
}
trap finish EXIT
need() {
  local what="$1"
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; exit 1; fi
}

# ---- tools ----------------------------------------------------------------------------------------
tools_bin="$("$root/packaging/tools.sh")" || true
need "the packaging tools are installed (packaging/tools.sh: maturin, auditwheel, uv)" test -x "$tools_bin/maturin"
python="$(command -v python3)"

# ---- build.rs: the commit for --version, with and without git ---------------------------------------
# The sdist and source tarballs build without a repository: build.rs must fall back, never fail. Built
# alone with rustc (a few seconds) and run as cargo would, in each situation.
buildrs="$tmp/buildrs"
if rustc --edition 2021 "$root/build.rs" -o "$buildrs" >"$tmp/buildrs.log" 2>&1; then
  mkdir -p "$tmp/unpacked" "$tmp/repo/inner"
  commit_of() { sed -n 's/^cargo:rustc-env=VERBATIM_BUILD_COMMIT=//p'; }
  got="$(cd "$tmp/unpacked" && env -u VERBATIM_COMMIT CARGO_MANIFEST_DIR="$tmp/unpacked" "$buildrs" | commit_of)"
  [ "$got" = "commit unknown" ] && ok "build.rs without git (an sdist, a tarball): 'commit unknown'" ||
    not_ok "build.rs without git says 'commit unknown': $got"
  got="$(cd "$tmp/unpacked" && VERBATIM_COMMIT=0123456789abcdef0123 CARGO_MANIFEST_DIR="$tmp/unpacked" "$buildrs" | commit_of)"
  [ "$got" = "commit 0123456789ab" ] && ok "build.rs takes VERBATIM_COMMIT (the release workflow sets it): $got" ||
    not_ok "build.rs takes VERBATIM_COMMIT: $got"
  git -C "$tmp/repo" init -q && git -C "$tmp/repo" -c user.email=ci@localhost -c user.name=ci commit -q --allow-empty -m x
  got="$(env -u VERBATIM_COMMIT CARGO_MANIFEST_DIR="$tmp/repo/inner" "$buildrs" | commit_of)"
  [ "$got" = "commit unknown" ] && ok "build.rs unpacked inside another repository: 'commit unknown', not that repository's commit" ||
    not_ok "build.rs inside another repository says 'commit unknown': $got"
  got="$(env -u VERBATIM_COMMIT CARGO_MANIFEST_DIR="$root" "$buildrs" | commit_of)"
  want="commit $(git -C "$root" rev-parse HEAD 2>/dev/null | cut -c1-12)"
  [ "$got" = "$want" ] && ok "build.rs in this repository: $got" || not_ok "build.rs in this repository says '$want': $got"
else
  not_ok "build.rs compiles alone with rustc: $(tail -3 "$tmp/buildrs.log")"
fi

# ---- the wheel ------------------------------------------------------------------------------------
if [ -n "${VERBATIM_WHEEL:-}" ]; then
  wheel="$VERBATIM_WHEEL"
else
  rm -rf "$out/wheels"
  say "building the wheel: maturin build --release --locked (the one release build of the binary)"
  t=$(date +%s)
  if timeout 2400 "$tools_bin/maturin" build --release --locked --out "$out/wheels" \
    >"$out/maturin.log" 2>&1; then
    say "maturin build: $(($(date +%s) - t)) s"
  else
    tail -30 "$out/maturin.log"
  fi
  wheel="$(ls "$out"/wheels/verbatim_lsp-*.whl 2>/dev/null | head -1 || true)"
fi
need "the wheel is built: ${wheel:-none}" test -f "${wheel:-/nonexistent}"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)"
wheel_name="$(basename "$wheel")"
case "$wheel_name" in
  "verbatim_lsp-$version-py3-none-manylinux_"*_x86_64*.whl | "verbatim_lsp-$version-py3-none-manylinux"*.whl)
    ok "the wheel is named for any Python 3 on manylinux: $wheel_name" ;;
  *) not_ok "the wheel is named verbatim_lsp-$version-py3-none-manylinux_*: $wheel_name" ;;
esac
say "wheel size: $(wc -c <"$wheel") bytes"

# auditwheel: the binary links only libraries the manylinux policy allows, and the tag is right.
show="$("$tools_bin/auditwheel" show "$wheel" 2>&1 || true)"
echo "$show" | sed 's/^/#   /'
flat="$(tr -s ' \n' '  ' <<<"$show")"
tag="$(grep -oE 'is consistent with the following platform tag: "manylinux_2_[0-9]+_x86_64"' <<<"$flat" | grep -oE 'manylinux_2_[0-9]+_x86_64' || true)"
if [ -n "$tag" ] && [[ "$wheel_name" == *"$tag"* ]]; then
  ok "auditwheel: the wheel is manylinux-compatible, tagged $tag as its libraries allow"
else
  not_ok "auditwheel: the wheel is manylinux-compatible"
fi

# The binary inside, for the .vsix and the editor tests: one build, reused.
packaged_bin="${VERBATIM_PACKAGED_BIN:-$out/verbatim}"
"$python" - "$wheel" "$packaged_bin" <<'PY'
import os, sys, zipfile
wheel, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.endswith(".data/scripts/verbatim")]
    if len(names) != 1:
        sys.exit(f"the wheel holds {names} instead of one *.data/scripts/verbatim")
    with z.open(names[0]) as src, open(dest + ".tmp", "wb") as out:
        out.write(src.read())
os.chmod(dest + ".tmp", 0o755)
os.replace(dest + ".tmp", dest)
PY
need "the wheel carries the binary as a script (*.data/scripts/verbatim), extracted to $packaged_bin" test -x "$packaged_bin"

# ---- pip install into a fresh virtual environment ---------------------------------------------------
venv="$tmp/venv"
"$python" -m venv "$venv"
need "pip install the wheel into a fresh virtual environment (offline: --no-index)" \
  "$venv/bin/pip" install -q --disable-pip-version-check --no-index "$wheel"
need "the venv's bin/ holds verbatim" test -x "$venv/bin/verbatim"
demo="$tmp/demo"
cp -R "$root/fixtures/demo" "$demo"

check_from() { # label, binary
  local label="$1" exe="$2" v status=0
  v="$(env -i PATH="$(dirname "$exe"):/usr/bin:/bin" HOME="$tmp" "$exe" --version 2>&1 || true)"
  if [[ "$v" =~ ^verbatim\ $version\ \(commit\ [0-9a-f]{7,}\)$ ]] || [[ "$v" == "verbatim $version (commit unknown)" ]]; then
    ok "$label: verbatim --version prints the version and commit: $v"
  else
    not_ok "$label: verbatim --version prints 'verbatim $version (commit …)': $v"
  fi
  (cd "$demo" && env -i PATH="$(dirname "$exe"):/usr/bin:/bin" HOME="$tmp" verbatim check --root . >"$tmp/check.out" 2>"$tmp/check.err") ||
    status=$?
  if [ "$status" -eq 1 ] && grep -qE '^[0-9]+ quotes in [0-9]+ drafts: [0-9]+ verified, [1-9][0-9]* drift' "$tmp/check.out"; then
    ok "$label: verbatim check on fixtures/demo exits 1 with drift found: $(tail -1 "$tmp/check.out")"
  else
    not_ok "$label: verbatim check on fixtures/demo exits 1 with drift found (exit $status): $(tail -3 "$tmp/check.out") $(head -3 "$tmp/check.err")"
  fi
  status=0
  (cd "$demo" && env -i PATH="$(dirname "$exe"):/usr/bin:/bin" HOME="$tmp" verbatim check --root . --format json >"$tmp/check.jsonl" 2>/dev/null) ||
    status=$?
  if [ "$status" -eq 1 ] && "$python" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert rows and any(r.get("code") == "drift" or r.get("verdict") == "drift" for r in rows), rows[:2]
' "$tmp/check.jsonl"; then
    ok "$label: verbatim check --format json reports drift findings"
  else
    not_ok "$label: verbatim check --format json reports drift findings (exit $status)"
  fi
}
check_from "pip" "$venv/bin/verbatim"

# The same binary as the cargo build would give: the demo's report matches the extracted binary's.
if cmp -s "$venv/bin/verbatim" "$packaged_bin"; then
  ok "pip installed the wheel's binary unchanged"
else
  not_ok "pip installed the wheel's binary unchanged"
fi

# ---- uv tool install (what `pipx install` / `uv tool install verbatim-lsp` do) -----------------------
uv_home="$tmp/uv"
mkdir -p "$uv_home/bin"
if UV_TOOL_DIR="$uv_home/tools" UV_TOOL_BIN_DIR="$uv_home/bin" UV_CACHE_DIR="$uv_home/cache" UV_OFFLINE=1 \
  UV_PYTHON="$python" UV_PYTHON_DOWNLOADS=never \
  timeout 300 "$tools_bin/uv" tool install --no-index "$wheel" >"$tmp/uv.log" 2>&1; then
  ok "uv tool install the wheel (offline)"
  need "uv put verbatim in its bin folder" test -x "$uv_home/bin/verbatim"
  check_from "uv tool" "$uv_home/bin/verbatim"
else
  not_ok "uv tool install the wheel (offline): $(tail -5 "$tmp/uv.log")"
fi
