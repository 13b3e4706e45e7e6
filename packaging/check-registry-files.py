#!/usr/bin/env python3
"""Checks the editor packaging files against the schemas their registries and editors document.

- packaging/mason/packages/verbatim/package.yaml: the mason-registry package schema (required keys, no
  unknown ones, its enums for licenses/languages/categories, a `pkg:pypi/...@version` source whose package
  and version are pyproject.toml's and Cargo.toml's, `bin` linking `verbatim` from that package, and the
  `neovim.lspconfig` name of editors/nvim/lsp/verbatim.lua); and the copy packaging/render-registry-files.sh
  renders for a release.
- editors/helix/languages.toml: parsed with tomllib, every key checked against the keys Helix's book
  documents for `[[language]]`, `[language-server.<name>]` and `language-servers` entries; the verbatim
  server runs `verbatim lsp`, is attached to Markdown and to a `text` language for .txt drafts, roots at
  verbatim.toml / sources; and the commented settings example, uncommented, holds only server settings.
- editors/nvim/lsp/verbatim.lua: the shape nvim-lspconfig's `lsp/` configs have (`---@brief` doc block,
  `---@type vim.lsp.Config`, a returned table with cmd, filetypes, root_markers, settings).

Run by packaging/test.sh with the packaging tools' Python (PyYAML); prints TAP-style lines and a summary.
"""

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
passed = 0
failed = 0


def check(ok, what, detail=None):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"not ok - {what}" + (f": {detail}" if detail is not None else ""))
    return ok


def cargo_version():
    text = (ROOT / "Cargo.toml").read_text()
    return tomllib.loads(text)["package"]["version"]


# ---- Mason -----------------------------------------------------------------------------------------

# The mason-registry schema's top-level keys and the enum values this package uses (schemas/package and
# schemas/enums/{category,language,spdx-license}).
MASON_KEYS = {"name", "description", "homepage", "licenses", "languages", "categories", "source", "bin",
              "share", "opt", "ci_skip", "schemas", "deprecation", "neovim"}
MASON_REQUIRED = {"name", "description", "homepage", "licenses", "languages", "source"}
MASON_CATEGORIES = {"Compiler", "DAP", "Formatter", "LSP", "Linter", "Runtime"}
MASON_LICENSES_USED = {"MIT", "Apache-2.0"}
MASON_LANGUAGES_USED = {"Markdown", "Text"}


def check_mason(path, version, expect_homepage=None):
    label = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    try:
        package = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        check(False, f"{label} is YAML", error)
        return
    check(isinstance(package, dict), f"{label} is a YAML mapping")
    keys = set(package)
    check(MASON_REQUIRED <= keys, f"{label} has the required keys {sorted(MASON_REQUIRED)}", sorted(MASON_REQUIRED - keys))
    check(keys <= MASON_KEYS, f"{label} has no key the schema does not define", sorted(keys - MASON_KEYS))
    check(package.get("name") == "verbatim", f"{label}: name is verbatim", package.get("name"))
    check(isinstance(package.get("description"), str) and package["description"].strip(), f"{label}: a description")
    homepage = package.get("homepage", "")
    check(re.match(r"^https?://", homepage or "") is not None, f"{label}: homepage is an http(s) URL", homepage)
    if expect_homepage:
        check(homepage == expect_homepage, f"{label}: homepage is the rendered repository", homepage)
    check(set(package.get("licenses", [])) <= MASON_LICENSES_USED and package.get("licenses"),
          f"{label}: licenses are SPDX ids (MIT, Apache-2.0)", package.get("licenses"))
    check(set(package.get("languages", [])) == MASON_LANGUAGES_USED, f"{label}: languages Markdown and Text",
          package.get("languages"))
    check(set(package.get("categories", [])) <= MASON_CATEGORIES and "LSP" in package.get("categories", []),
          f"{label}: categories from the schema's enum, LSP among them", package.get("categories"))
    source = package.get("source") or {}
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dist = pyproject["project"]["name"]
    check(source.get("id") == f"pkg:pypi/{dist}@{version}",
          f"{label}: source.id is pkg:pypi/{dist}@{version} (pyproject.toml's name, the version)", source.get("id"))
    check(set(source) <= {"id", "extra_packages", "supported_platforms"}, f"{label}: source has only pypi source keys",
          sorted(source))
    check(package.get("bin") == {"verbatim": "pypi:verbatim"}, f"{label}: bin links verbatim from the pypi package",
          package.get("bin"))
    # The wheel's script is the cargo binary `verbatim` (maturin bindings = "bin").
    check(pyproject.get("tool", {}).get("maturin", {}).get("bindings") == "bin",
          "pyproject.toml: maturin bindings = \"bin\" (the wheel's script is the `verbatim` binary)")
    lspconfig = (package.get("neovim") or {}).get("lspconfig")
    check(lspconfig == "verbatim" and (ROOT / "editors/nvim/lsp" / f"{lspconfig}.lua").is_file(),
          f"{label}: neovim.lspconfig names editors/nvim/lsp/verbatim.lua", lspconfig)


# ---- Helix -----------------------------------------------------------------------------------------

# Keys Helix's book (languages.md, "Language configuration" and "Language Server configuration")
# documents.
HELIX_LANGUAGE_KEYS = {
    "name", "language-id", "scope", "injection-regex", "file-types", "shebangs", "roots", "auto-format",
    "diagnostic-severity", "comment-token", "comment-tokens", "block-comment-tokens", "indent", "grammar",
    "formatter", "soft-wrap", "text-width", "rulers", "workspace-lsp-roots", "persistent-diffs",
    "path-completion", "word-completion", "language-servers", "auto-pairs", "debugger", "rainbow-brackets",
}
HELIX_SERVER_KEYS = {"command", "args", "config", "timeout", "environment", "required-root-patterns"}
HELIX_SERVER_REF_KEYS = {"name", "only-features", "except-features"}
HELIX_FEATURES = {
    "format", "goto-definition", "goto-declaration", "goto-type-definition", "goto-reference",
    "goto-implementation", "signature-help", "hover", "document-highlight", "completion", "code-action",
    "workspace-command", "document-symbols", "workspace-symbols", "diagnostics", "rename-symbol", "inlay-hints",
    "document-colors",
}
# Languages Helix defines itself (merged by name); any other needs scope and file-types.
HELIX_BUILTIN = {"markdown"}


def server_setting_keys():
    """The server's settings keys, dotted, from the VS Code extension's manifest (kept in sync with the
    server's by tests/vscode_settings_sync.rs)."""
    manifest = json.loads((ROOT / "editors/vscode/package.json").read_text())
    keys = set()
    for key in manifest["contributes"]["configuration"]["properties"]:
        parts = key.split(".")[1:]
        if parts[0] not in ("server", "trace"):
            keys.add(".".join(parts))
    return keys


def flatten(table, prefix=""):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}"


def check_helix():
    path = ROOT / "editors/helix/languages.toml"
    text = path.read_text()
    try:
        config = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        check(False, "editors/helix/languages.toml parses as TOML", error)
        return
    check(True, "editors/helix/languages.toml parses as TOML")
    check(set(config) <= {"language", "language-server", "grammar", "use-grammars"},
          "only the top-level tables Helix documents", sorted(set(config)))
    servers = config.get("language-server", {})
    for name, server in servers.items():
        check(set(server) <= HELIX_SERVER_KEYS, f"[language-server.{name}] uses documented keys only",
              sorted(set(server) - HELIX_SERVER_KEYS))
    verbatim = servers.get("verbatim", {})
    check(verbatim.get("command") == "verbatim" and verbatim.get("args") == ["lsp"],
          "[language-server.verbatim] runs `verbatim lsp`", verbatim)
    check(isinstance(verbatim.get("config", {}).get("verbatim"), dict),
          "its config (sent as initializationOptions) has the `verbatim` section the server reads")
    languages = {lang.get("name"): lang for lang in config.get("language", [])}
    for name, lang in languages.items():
        check(set(lang) <= HELIX_LANGUAGE_KEYS, f"[[language]] {name} uses documented keys only",
              sorted(set(lang) - HELIX_LANGUAGE_KEYS))
        for ref in lang.get("language-servers", []):
            if isinstance(ref, dict):
                ok = (set(ref) <= HELIX_SERVER_REF_KEYS and "name" in ref
                      and not ("only-features" in ref and "except-features" in ref)
                      and set(ref.get("only-features", []) + ref.get("except-features", [])) <= HELIX_FEATURES)
                check(ok, f"[[language]] {name}: language-servers entry {ref} is well formed")
            else:
                check(isinstance(ref, str), f"[[language]] {name}: language-servers entry {ref!r} is a name")
        if name not in HELIX_BUILTIN:
            check("scope" in lang and "file-types" in lang, f"[[language]] {name} (not built in) has scope and file-types")
        for file_type in lang.get("file-types", []):
            check(isinstance(file_type, str) or (isinstance(file_type, dict) and set(file_type) == {"glob"}),
                  f"[[language]] {name}: file-type {file_type!r} is an extension or {{ glob = ... }}")
        names = [r if isinstance(r, str) else r.get("name") for r in lang.get("language-servers", [])]
        check("verbatim" in names, f"[[language]] {name} runs the verbatim server", names)
        check({"verbatim.toml", "sources"} <= set(lang.get("roots", [])), f"[[language]] {name} roots at verbatim.toml / sources",
              lang.get("roots"))
    check("markdown" in languages, "Markdown drafts are covered")
    check("txt" in languages.get("text", {}).get("file-types", []), "a `text` language covers .txt drafts")

    # The commented settings example under [language-server.verbatim.config.verbatim], uncommented.
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "[language-server.verbatim.config.verbatim]")
    example = []
    for line in lines[start + 1:]:
        if not line.startswith("#") or line.strip() == "#":
            break
        example.append(line[1:].strip())
    try:
        settings = tomllib.loads("\n".join(example))
    except tomllib.TOMLDecodeError as error:
        check(False, "the commented settings example parses once uncommented", error)
        return
    keys = set(flatten(settings))
    known = server_setting_keys()
    check(keys and keys <= known, f"the settings example's keys ({len(keys)}) are all server settings",
          sorted(keys - known))


# ---- nvim-lspconfig shape ------------------------------------------------------------------------------

def check_lspconfig_shape():
    path = ROOT / "editors/nvim/lsp/verbatim.lua"
    text = path.read_text()
    check(text.startswith("---@brief\n"), "lsp/verbatim.lua starts with the ---@brief doc block nvim-lspconfig's docgen reads")
    check("\n---@type vim.lsp.Config\nreturn {" in text, "lsp/verbatim.lua returns a ---@type vim.lsp.Config table")
    body = text[text.index("return {"):]
    for key in ("cmd", "filetypes", "root_markers", "settings"):
        check(re.search(rf"^  {key} = ", body, re.M) is not None, f"lsp/verbatim.lua sets {key}")
    check(re.search(r'^  cmd = \{ "verbatim", "lsp" \},', body, re.M) is not None,
          "lsp/verbatim.lua's cmd is { 'verbatim', 'lsp' } (the binary on $PATH, as Mason and pipx put it)")
    check("require(" not in body.split("before_init")[0],
          "lsp/verbatim.lua requires no plugin module (it stands alone, as upstream configs do)")


def main():
    version = cargo_version()
    check_mason(ROOT / "packaging/mason/packages/verbatim/package.yaml", version)
    with tempfile.TemporaryDirectory() as out:
        rendered = subprocess.run(
            [str(ROOT / "packaging/render-registry-files.sh"), "example-owner/verbatim", "v9.8.7", out],
            capture_output=True, text=True)
        check(rendered.returncode == 0, "packaging/render-registry-files.sh renders the registry files", rendered.stderr)
        if rendered.returncode == 0:
            check_mason(Path(out) / "mason/packages/verbatim/package.yaml", "9.8.7",
                        expect_homepage="https://github.com/example-owner/verbatim")
            recipe = (Path(out) / "melpa/verbatim").read_text()
            check(':repo "example-owner/verbatim"' in recipe, "the rendered MELPA recipe names the repository", recipe)
    check_helix()
    check_lspconfig_shape()
    print(f"registry-files: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
