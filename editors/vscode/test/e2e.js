// End-to-end test of the bundled extension (dist/extension.js) and the real server, with
// test/fake-vscode.js standing in for the VS Code API (this is not a real VS Code: it checks the
// extension's own code and the protocol round trips through vscode-languageclient).
//   VERBATIM_BIN=... VERBATIM_DEMO=<copy of fixtures/demo> node test/e2e.js
// Checks: the server is found through verbatim.server.path, diagnostics arrive for a draft, the
// status item shows the draft's verdict counts, hover and code actions work through the registered
// providers, "Replace with source wording" makes the quote verify, "Open Source of Quote Under
// Cursor" opens a file under sources/, and a settings change reaches the server.
"use strict";

const Module = require("module");
const path = require("path");
const fake = require("./fake-vscode");

const here = path.resolve(__dirname, "..");
const bin = process.env.VERBATIM_BIN;
const demo = process.env.VERBATIM_DEMO;
if (!bin || !demo) {
  console.error("not ok - VERBATIM_BIN and VERBATIM_DEMO must be set (run editors/vscode/test/run.sh)");
  process.exit(1);
}
const verbose = process.env.VERBATIM_TEST_VERBOSE === "1";

const { Abort, tally, waitFor } = require("./tap");
const { counts: tallies, check, requireThat: require_that } = tally();

const { vscode, recorded } = fake.create({
  packageJson: require(path.join(here, "package.json")),
  workspaceRoot: demo,
  settings: { "verbatim.server.path": bin },
  log: verbose ? (line) => console.error(line) : () => {},
});
const originalLoad = Module._load;
Module._load = function (request, ...rest) {
  return request === "vscode" ? vscode : originalLoad.call(this, request, ...rest);
};

function codeOf(d) {
  return typeof d.code === "object" && d.code !== null ? d.code.value : d.code;
}
function verbatimDiagnostics(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === "verbatim");
}

async function main() {
  const extension = require(path.join(here, "dist/extension.js"));
  const context = { subscriptions: [], extensionPath: here, extensionUri: vscode.Uri.file(here), globalState: { get() {}, update: async () => {} }, workspaceState: { get() {}, update: async () => {} } };
  const watchdog = setTimeout(() => {
    console.log("not ok - watchdog: the test took longer than 120 s");
    process.exit(1);
  }, 120000);

  await extension.activate(context);
  const status = recorded.statusItems.find((item) => item.id === "verbatim.status");
  require_that(status, "the extension creates its status item");
  require_that(!recorded.messages.some((m) => m[0] === "error"), "the server was found through verbatim.server.path", recorded.messages);

  const draft = await vscode.workspace.openTextDocument(path.join(demo, "drafts", "nato-explainer.md"));
  await vscode.window.showTextDocument(draft);
  const diagnostics = await waitFor(() => {
    const ds = verbatimDiagnostics(draft.uri);
    return ds.length > 0 ? ds : undefined;
  }, 60000);
  require_that(diagnostics, "diagnostics arrive for drafts/nato-explainer.md");

  const counts = { verified: 0, drift: 0, unsourced: 0 };
  for (const d of diagnostics) if (codeOf(d) in counts) counts[codeOf(d)] += 1;
  console.log(`# verdicts: ${JSON.stringify(counts)}`);
  check(counts.verified > 0 && counts.drift > 0 && counts.unsourced > 0, "the draft has verified, drift and unsourced quotes", counts);
  const severities = { verified: vscode.DiagnosticSeverity.Hint, drift: vscode.DiagnosticSeverity.Warning, unsourced: vscode.DiagnosticSeverity.Information };
  const wrong = diagnostics.filter((d) => codeOf(d) in severities && d.severity !== severities[codeOf(d)]);
  check(wrong.length === 0, "default severities: verified hint, drift warning, unsourced information", wrong.map(codeOf));

  const expected = `$(quote) $(pass) ${counts.verified} $(warning) ${counts.drift} $(question) ${counts.unsourced}`;
  const shown = await waitFor(() => status.visible && status.text === expected, 5000);
  check(shown, "the status item shows the draft's verdict counts", { text: status.text, expected });
  check(status.history.some((t) => t.includes("$(sync~spin)")), "the status item showed indexing progress", status.history.slice(0, 5));

  const drift = diagnostics.find((d) => codeOf(d) === "drift");
  require_that(drift, "a drift quote to work on");
  const inside = drift.range.start.translate(0, 1);

  // Hover through the provider vscode-languageclient registered.
  const hoverProvider = (recorded.providers.registerHoverProvider || [])[0];
  require_that(hoverProvider, "a hover provider is registered");
  const token = new vscode.CancellationTokenSource().token;
  const hover = await hoverProvider.provideHover(draft, inside, token);
  const hoverText = hover ? hover.contents.map((c) => (typeof c === "string" ? c : c.value)).join("\n") : "";
  check(/drift/i.test(hoverText), "the hover on a drift quote names the verdict", hoverText.slice(0, 200));

  // Open Source of Quote Under Cursor.
  const editor = vscode.window.activeTextEditor;
  editor.selection = new fake.Selection(inside, inside);
  const before = recorded.shown.length;
  await vscode.commands.executeCommand("verbatim.openSource");
  const opened = recorded.shown.slice(before).map((s) => s.uri);
  check(opened.some((u) => u.includes("/sources/")), "verbatim.openSource opens the quote's source under sources/", opened);
  await vscode.window.showTextDocument(draft);

  // The source's side: references from the drift's passage through the provider include the drift quote
  // (once the server's background scan has the drafts); the source's "quoted N×" lens resolves, and its
  // command (verbatim.showReferences) runs editor.action.showReferences with a Uri, a Position and Locations.
  const related = drift.relatedInformation && drift.relatedInformation[0];
  require_that(related, "the drift diagnostic points at its passage");
  const source = await vscode.workspace.openTextDocument(related.location.uri);
  const refProvider = (recorded.providers.registerReferenceProvider || [])[0];
  require_that(refProvider, "a reference provider is registered");
  const refs = await waitFor(async () => {
    const found = await refProvider.provideReferences(source, related.location.range.start, { includeDeclaration: false }, token);
    return (found || []).some((l) => l.uri.toString() === draft.uri.toString() && l.range.start.line === drift.range.start.line)
      ? found
      : undefined;
  }, 30000);
  check(refs, "references from the source passage include the drift quote");
  const lensProvider = (recorded.providers.registerCodeLensProvider || [])[0];
  require_that(lensProvider, "a code lens provider is registered");
  const quoted = [];
  for (const lens of (await lensProvider.provideCodeLenses(source, token)) || []) {
    const resolved = lens.command ? lens : await lensProvider.resolveCodeLens(lens, token);
    if (resolved && resolved.command && /^quoted \d+×/.test(resolved.command.title)) quoted.push(resolved);
  }
  check(quoted.length > 0, "the source shows \"quoted N×\" code lenses", quoted.map((l) => l.command.title));
  if (quoted.length > 0) {
    let shownRefs;
    vscode.commands.registerCommand("editor.action.showReferences", (...args) => {
      shownRefs = args;
    });
    await vscode.commands.executeCommand(quoted[0].command.command, ...(quoted[0].command.arguments || []));
    check(
      shownRefs && shownRefs[0] instanceof vscode.Uri && shownRefs[1] instanceof vscode.Position
        && Array.isArray(shownRefs[2]) && shownRefs[2].length > 0 && shownRefs[2][0] instanceof vscode.Location,
      "the lens command (verbatim.showReferences) opens the references view with its locations",
      quoted[0].command,
    );
  }
  await vscode.window.showTextDocument(draft);

  // Code actions through the provider, then apply "Replace with source wording".
  const actionProvider = (recorded.providers.registerCodeActionsProvider || [])[0];
  require_that(actionProvider, "a code action provider is registered");
  const actions = (await actionProvider.provideCodeActions(draft, drift.range, { diagnostics: [drift], triggerKind: 1, only: undefined }, token)) || [];
  const titles = actions.map((a) => a.title);
  const replace = actions.find((a) => /replace with source wording/i.test(a.title));
  check(replace && replace.edit, "the drift quote offers \"Replace with source wording\" with an edit", titles);
  check(titles.some((t) => /insert attribution/i.test(t)), "the quote offers \"Insert attribution\"", titles);
  check(titles.some((t) => /ignore this quote/i.test(t)), "the quote offers \"Ignore this quote\"", titles);
  if (replace && replace.edit) {
    const oldText = draft.getText(drift.range);
    await vscode.workspace.applyEdit(replace.edit);
    const verified = await waitFor(
      () => verbatimDiagnostics(draft.uri).some((d) => codeOf(d) === "verified" && d.range.start.isEqual(drift.range.start)),
      15000,
    );
    check(verified, "after \"Replace with source wording\" the quote verifies",
      verbatimDiagnostics(draft.uri).filter((d) => d.range.start.isEqual(drift.range.start)).map(codeOf));
    check(draft.getText(drift.range) !== oldText, "the quote's wording changed");
    const recounted = await waitFor(() => status.text.includes(`$(pass) ${counts.verified + 1} `), 5000);
    check(recounted, "the status item counts the newly verified quote", status.text);
  }

  // Settings: severity.verified = "error" reaches the server; verified quotes come back as errors.
  await vscode.workspace.getConfiguration("verbatim").update("severity.verified", "error");
  const asErrors = await waitFor(
    () => verbatimDiagnostics(draft.uri).some((d) => codeOf(d) === "verified" && d.severity === vscode.DiagnosticSeverity.Error),
    15000,
  );
  check(asErrors, "a settings change (severity.verified = \"error\") reaches the server");

  await extension.deactivate();
  clearTimeout(watchdog);
}

main()
  .catch((error) => {
    if (!(error instanceof Abort)) check(false, "exception", String(error && error.stack ? error.stack : error));
  })
  .finally(() => {
    console.log("# vscode e2e: extension bundle, stand-in VS Code API");
    console.log(`vscode: ${tallies.passed} passed, ${tallies.failed} failed`);
    process.exit(tallies.failed === 0 && tallies.passed > 0 ? 0 : 1);
  });
