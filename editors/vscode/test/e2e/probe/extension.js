// Test-only extension (see README.md): snapshots, from inside the extension host, what the
// verbatim extension produced, into the JSON file named by $VERBATIM_E2E_PROBE_OUT.
"use strict";
const vscode = require("vscode");
const fs = require("fs");

const SEVERITY = ["error", "warning", "information", "hint"];

function hoverText(hovers) {
  const parts = [];
  for (const hover of hovers || []) {
    for (const c of hover.contents || []) {
      parts.push(typeof c === "string" ? c : c && typeof c.value === "string" ? c.value : String(c));
    }
  }
  return parts.join("\n---\n");
}

function codeOf(d) {
  return typeof d.code === "object" && d.code !== null ? String(d.code.value) : d.code === undefined ? undefined : String(d.code);
}

exports.activate = function activate(context) {
  const out = process.env.VERBATIM_E2E_PROBE_OUT;
  if (!out) return;
  const hoverCache = new Map(); // uri@version@line:col -> hover text
  let busy = false;
  let last = "";

  async function snapshot() {
    const ext = vscode.extensions.getExtension("verbatim.verbatim");
    const commands = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith("verbatim."));
    const documents = [];
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.languageId !== "markdown" && doc.languageId !== "plaintext") continue;
      const diagnostics = [];
      for (const d of vscode.languages.getDiagnostics(doc.uri)) {
        if (d.source !== "verbatim") continue;
        const entry = {
          code: codeOf(d),
          severity: SEVERITY[d.severity],
          line: d.range.start.line,
          character: d.range.start.character,
          endLine: d.range.end.line,
          endCharacter: d.range.end.character,
          text: doc.getText(d.range),
          message: d.message,
        };
        if (entry.code !== "drift-word") {
          const at = d.range.start.translate(0, 1);
          const key = `${doc.uri}@${doc.version}@${at.line}:${at.character}`;
          if (!hoverCache.has(key)) {
            const hovers = await vscode.commands.executeCommand("vscode.executeHoverProvider", doc.uri, at);
            hoverCache.set(key, hoverText(hovers));
          }
          entry.hover = hoverCache.get(key);
        }
        diagnostics.push(entry);
      }
      documents.push({ path: doc.uri.fsPath, languageId: doc.languageId, version: doc.version, diagnostics });
    }
    const snap = JSON.stringify(
      {
        vscodeVersion: vscode.version,
        verbatim: ext ? { found: true, active: ext.isActive, version: ext.packageJSON.version, path: ext.extensionPath } : { found: false },
        commands,
        documents,
      },
      null,
      1,
    );
    if (snap !== last) {
      last = snap;
      fs.writeFileSync(out + ".tmp", snap);
      fs.renameSync(out + ".tmp", out);
    }
  }

  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    snapshot()
      .catch((e) => {
        try {
          fs.writeFileSync(out + ".error", String((e && e.stack) || e));
        } catch (_) {}
      })
      .finally(() => {
        busy = false;
      });
  }, 500);
  context.subscriptions.push({ dispose: () => clearInterval(timer) });
};

exports.deactivate = function deactivate() {};
