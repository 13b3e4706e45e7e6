#!/usr/bin/env bash
# Renders the registry files for a release: the Mason package definition and the MELPA recipe with the
# repository's real name (the committed files say OWNER/verbatim: the repository does not record where
# it is published) and the Mason package with the released version.
#   packaging/render-registry-files.sh OWNER/REPO VERSION OUT_DIR
# e.g. packaging/render-registry-files.sh "$GITHUB_REPOSITORY" 0.2.0 release/registry
# Writes OUT_DIR/mason/packages/verbatim/package.yaml and OUT_DIR/melpa/verbatim.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 OWNER/REPO VERSION OUT_DIR" >&2; exit 2; }
repo="$1"
version="${2#v}"
out="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || { echo "render: '$repo' is not OWNER/REPO" >&2; exit 2; }
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([.+-][0-9A-Za-z.+-]*)?$ ]] || { echo "render: '$version' is not a version" >&2; exit 2; }
mkdir -p "$out/mason/packages/verbatim" "$out/melpa"
sed -e "s#OWNER/verbatim#$repo#g" -e "s#pkg:pypi/verbatim-lsp@[^[:space:]]*#pkg:pypi/verbatim-lsp@$version#" \
  "$here/mason/packages/verbatim/package.yaml" >"$out/mason/packages/verbatim/package.yaml"
sed -e "s#OWNER/verbatim#$repo#g" "$here/melpa/verbatim" >"$out/melpa/verbatim"
echo "render: $out/mason/packages/verbatim/package.yaml, $out/melpa/verbatim ($repo, $version)"
