// Regression test: `verbatim.server.path` set *after* activation, when no server was found at
// activation, starts the server at once (no restart prompt), and diagnostics then arrive.
// Runs under plain Node with test/fake-vscode.js standing in for the VS Code API.
"use strict";
const path = require("path");
const Module = require("module");
const fake = require("./fake-vscode.js");

const here = path.resolve(__dirname, "..");
const bin = process.env.VERBATIM_BIN;
const demo = process.env.VERBATIM_DEMO;
const { tally, waitFor } = require("./tap");
const { counts, check } = tally();

// No verbatim on PATH and a server.path that does not exist: activation finds no server.
process.env.PATH = "/nonexistent-bin";
const { vscode, recorded } = fake.create({
  packageJson: require(path.join(here, "package.json")),
  workspaceRoot: demo,
  settings: { "verbatim.server.path": path.join(demo, "no-such-verbatim") },
  log: () => {},
});
const originalLoad = Module._load;
Module._load = function (request, ...rest) {
  return request === "vscode" ? vscode : originalLoad.call(this, request, ...rest);
};

async function main() {
  const extension = require(path.join(here, "dist/extension.js"));
  const context = { subscriptions: [], extensionPath: path.join(demo, "no-extension-dir"), extensionUri: vscode.Uri.file(here), globalState: { get() {}, update: async () => {} }, workspaceState: { get() {}, update: async () => {} } };
  await extension.activate(context);
  check(recorded.messages.some((m) => m[0] === "error" && /no server binary/.test(String(m[1]))), "without a binary, activation says no server was found");

  const draft = await vscode.workspace.openTextDocument(path.join(demo, "drafts", "nato-explainer.md"));
  await vscode.window.showTextDocument(draft);
  await vscode.workspace.getConfiguration("verbatim").update("server.path", bin);
  const diagnostics = await waitFor(() => vscode.languages.getDiagnostics(draft.uri).filter((d) => d.source === "verbatim").length > 0, 60000);
  check(diagnostics, "setting verbatim.server.path later starts the server, and diagnostics arrive");
  check(!recorded.messages.some((m) => m[0] === "info" && /Restart the server/.test(String(m[1]))), "no restart prompt when no server was running");
  await extension.deactivate();
}

const watchdog = setTimeout(() => {
  console.log("not ok - watchdog: the test took longer than 90 s");
  process.exit(1);
}, 90000);
main()
  .catch((error) => check(false, "exception", String(error && error.stack ? error.stack : error)))
  .finally(() => {
    clearTimeout(watchdog);
    console.log(`vscode late server.path: ${counts.passed} passed, ${counts.failed} failed`);
    process.exit(counts.failed === 0 && counts.passed > 0 ? 0 : 1);
  });
