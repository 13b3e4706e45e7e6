// Where the extension looks for the server, and what it says when it finds none. Runs under plain Node
// with test/fake-vscode.js standing in for the VS Code API:
//   VERBATIM_BIN=... VERBATIM_DEMO=<copy of fixtures/demo> node test/find-server.js
// The order (documented in README.md and package.json): the `verbatim.server.path` setting, the
// server bundled in a platform .vsix (`server/verbatim`), `verbatim` on PATH, then ~/.local/bin and
// ~/.cargo/bin. Each case activates the extension afresh with its own fake VS Code, PATH and HOME.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const Module = require("module");
const fake = require("./fake-vscode.js");
const { tally, waitFor } = require("./tap");

const here = path.resolve(__dirname, "..");
const bin = process.env.VERBATIM_BIN;
const demo = process.env.VERBATIM_DEMO;
if (!bin || !demo) {
  console.error("not ok - VERBATIM_BIN and VERBATIM_DEMO must be set (run editors/vscode/test/run.sh)");
  process.exit(1);
}
const { counts, check } = tally();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "verbatim-find-server-"));
const originalLoad = Module._load;
const extensionFile = path.join(here, "dist/extension.js");

/** A folder holding `verbatim` (a copy of the server, with `mode`). */
function folderWithServer(name, mode = 0o755) {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(bin, path.join(dir, "verbatim"));
  fs.chmodSync(path.join(dir, "verbatim"), mode);
  return dir;
}

/** Activates a fresh copy of the extension; returns what it logged and showed, and a stop function. */
async function activateWith({ settings = {}, extensionPath, PATH, HOME }) {
  process.env.PATH = PATH;
  process.env.HOME = HOME;
  const lines = [];
  const { vscode, recorded } = fake.create({
    packageJson: require(path.join(here, "package.json")),
    workspaceRoot: demo,
    settings,
    log: (line) => lines.push(line),
  });
  Module._load = function (request, ...rest) {
    return request === "vscode" ? vscode : originalLoad.call(this, request, ...rest);
  };
  delete require.cache[require.resolve(extensionFile)];
  const extension = require(extensionFile);
  const context = {
    subscriptions: [],
    extensionPath,
    extensionUri: vscode.Uri.file(extensionPath),
    globalState: { get() {}, update: async () => {} },
    workspaceState: { get() {}, update: async () => {} },
  };
  await extension.activate(context);
  const started = () => {
    const line = lines.find((l) => /verbatim: starting .* lsp/.test(l));
    return line && line.replace(/^.*verbatim: starting (.*) lsp.*$/, "$1");
  };
  return { vscode, recorded, lines, started, stop: () => extension.deactivate() };
}

async function main() {
  const home = path.join(scratch, "home");
  fs.mkdirSync(home, { recursive: true });
  const noServerExtension = path.join(scratch, "extension-without-server");
  fs.mkdirSync(noServerExtension, { recursive: true });

  // 1. Nothing anywhere: an error that says what was looked at.
  {
    const run = await activateWith({ extensionPath: noServerExtension, PATH: path.join(scratch, "empty-bin"), HOME: home });
    const error = run.recorded.messages.find((m) => m[0] === "error");
    check(error && /no server binary found/.test(String(error[1])), "nothing found: an error message says no server binary was found", run.recorded.messages);
    check(error && /verbatim\.server\.path/.test(error[1]) && /bundled/.test(error[1]) && /PATH/.test(error[1]), "the message names the setting, the bundled server and PATH", error && error[1]);
    check(error && /pipx install verbatim-lsp/.test(error[1]), "the message says how to install a server", error && error[1]);
    const log = run.lines.join("\n");
    check(/1\. the `verbatim\.server\.path` setting: not set/.test(log), "the output lists the setting first: not set", log);
    check(log.includes(path.join(noServerExtension, "server", "verbatim")) && /is missing/.test(log), "the output names the bundled server's path and says it is missing", log);
    check(/3\. `verbatim` on PATH: not in any of its 1 folders/.test(log) && log.includes(path.join(scratch, "empty-bin")), "the output names the PATH folders searched", log);
    check(log.includes(path.join(home, ".local", "bin")) && log.includes(path.join(home, ".cargo", "bin")), "the output names ~/.local/bin and ~/.cargo/bin", log);
    check(run.started() === undefined, "nothing is started");
    await run.stop();
  }

  // 2. Only the bundled server (as a platform .vsix installs it, here without its executable bit):
  //    it is made executable, started, and diagnostics arrive.
  const extensionDir = path.join(scratch, "extension");
  folderWithServer(path.join("extension", "server"), 0o644);
  {
    const run = await activateWith({ extensionPath: extensionDir, PATH: path.join(scratch, "empty-bin"), HOME: home });
    const bundled = path.join(extensionDir, "server", "verbatim");
    check(run.started() === bundled, "bundled only: the bundled server is started", run.lines);
    check((fs.statSync(bundled).mode & 0o111) !== 0, "the bundled server was made executable");
    check(!run.recorded.messages.some((m) => m[0] === "error"), "no error message", run.recorded.messages);
    const draft = await run.vscode.workspace.openTextDocument(path.join(demo, "drafts", "nato-explainer.md"));
    await run.vscode.window.showTextDocument(draft);
    const diagnostics = await waitFor(() => run.vscode.languages.getDiagnostics(draft.uri).filter((d) => d.source === "verbatim").length > 0, 60000);
    check(diagnostics, "the bundled server sends diagnostics for the draft");
    await run.stop();
  }

  // 3. The setting wins over the bundled server and PATH.
  const pathDir = folderWithServer("path-bin");
  {
    const run = await activateWith({ settings: { "verbatim.server.path": bin }, extensionPath: extensionDir, PATH: pathDir, HOME: home });
    check(run.started() === bin, "setting + bundled + PATH: the setting wins", run.lines);
    await run.stop();
  }

  // 4. A setting that points nowhere: said in the output, and the bundled server is used.
  {
    const missing = path.join(scratch, "no-such-verbatim");
    const run = await activateWith({ settings: { "verbatim.server.path": missing }, extensionPath: extensionDir, PATH: pathDir, HOME: home });
    check(run.started() === path.join(extensionDir, "server", "verbatim"), "a setting that points nowhere: the bundled server is used", run.lines);
    check(run.lines.some((l) => l.includes(missing) && /does not exist/.test(l)), "the output says the setting's file does not exist", run.lines);
    await run.stop();
  }

  // 5. The bundled server wins over PATH; without it, PATH is used.
  {
    const run = await activateWith({ extensionPath: extensionDir, PATH: pathDir, HOME: home });
    check(run.started() === path.join(extensionDir, "server", "verbatim"), "bundled + PATH: the bundled server wins", run.lines);
    await run.stop();
  }
  {
    const run = await activateWith({ extensionPath: noServerExtension, PATH: [path.join(scratch, "empty-bin"), pathDir].join(path.delimiter), HOME: home });
    check(run.started() === path.join(pathDir, "verbatim"), "no bundled server: `verbatim` on PATH is started", run.lines);
    await run.stop();
  }

  // 6. Not on PATH but in ~/.local/bin (pipx, uv tool): found there.
  {
    const localBin = folderWithServer(path.join("home", ".local", "bin"));
    const run = await activateWith({ extensionPath: noServerExtension, PATH: path.join(scratch, "empty-bin"), HOME: home });
    check(run.started() === path.join(localBin, "verbatim"), "nothing on PATH, `verbatim` in ~/.local/bin: it is started", run.lines);
    await run.stop();
  }
}

const watchdog = setTimeout(() => {
  console.log("not ok - watchdog: the test took longer than 150 s");
  process.exit(1);
}, 150000);
main()
  .catch((error) => check(false, "exception", String(error && error.stack ? error.stack : error)))
  .finally(() => {
    clearTimeout(watchdog);
    fs.rmSync(scratch, { recursive: true, force: true });
    console.log(`vscode find-server: ${counts.passed} passed, ${counts.failed} failed`);
    process.exit(counts.failed === 0 && counts.passed > 0 ? 0 : 1);
  });
