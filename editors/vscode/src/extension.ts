// VS Code client for the verbatim language server.
//
// Owns: finding the server binary, starting `verbatim lsp`, the status item (index progress and the
// active draft's verdict counts) and the "open source of quote under cursor" command. Everything
// about quotes lives in the server; this file only forwards settings and shows what comes back.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import {
  DefinitionRequest,
  DidChangeConfigurationNotification,
  FeatureState,
  LanguageClient,
  LanguageClientOptions,
  Location,
  LocationLink,
  ServerOptions,
  StaticFeature,
  TransportKind,
  WorkDoneProgress,
  WorkDoneProgressBegin,
  WorkDoneProgressCreateRequest,
  WorkDoneProgressReport,
} from "vscode-languageclient/node";

const SECTION = "verbatim";
/** Settings groups that only the client reads (`verbatim.server.*`, `verbatim.trace.*`); the rest goes to the server. */
const CLIENT_ONLY_GROUPS = ["server", "trace"];
const VERDICTS = ["verified", "drift", "unsourced"] as const;
type Verdict = (typeof VERDICTS)[number];

let client: LanguageClient | undefined;
let status: StatusItem | undefined;
let output: vscode.OutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("verbatim");
  status = new StatusItem();
  context.subscriptions.push(output, status);

  context.subscriptions.push(
    vscode.commands.registerCommand("verbatim.openSource", openSourceOfQuoteUnderCursor),
    vscode.commands.registerCommand("verbatim.restartServer", async () => {
      await stopClient();
      await startClient(context);
    }),
    vscode.commands.registerCommand("verbatim.showOutput", () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration(SECTION)) {
        return;
      }
      if (client?.isRunning()) {
        await client
          .sendNotification(DidChangeConfigurationNotification.type, { settings: { [SECTION]: serverSettings() } })
          .catch((error) => output?.appendLine(`verbatim: could not send the settings: ${String(error)}`));
      }
      if (event.affectsConfiguration(`${SECTION}.server`)) {
        if (!client?.isRunning()) {
          // Nothing is running (no binary was found, or it failed to start): there is no session to
          // lose, so try the new server settings at once instead of asking.
          await stopClient();
          await startClient(context).catch((error) =>
            output?.appendLine(`verbatim: the server did not start with the new settings: ${String(error)}`),
          );
          return;
        }
        const choice = await vscode.window.showInformationMessage(
          "verbatim: the server settings changed. Restart the server now?",
          "Restart",
        );
        if (choice === "Restart") {
          await vscode.commands.executeCommand("verbatim.restartServer");
        }
      }
    }),
  );

  await startClient(context);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const search = findServer(context);
  const command = search.found;
  if (!command) {
    output?.appendLine("verbatim: no server binary found. Looked for, in this order:");
    search.tried.forEach((line, i) => output?.appendLine(`  ${i + 1}. ${line}`));
    output?.appendLine(
      "Install the verbatim extension built for your platform (it carries the server), or install the server " +
        "with `pipx install verbatim-lsp` (or `uv tool install verbatim-lsp`, `pip install verbatim-lsp`), " +
        "or set `verbatim.server.path` to the `verbatim` binary.",
    );
    const message =
      "verbatim: no server binary found (looked at the `verbatim.server.path` setting, the extension's bundled " +
      "server and `verbatim` on PATH). Set `verbatim.server.path`, install the extension built for your platform, " +
      "or run `pipx install verbatim-lsp`.";
    void vscode.window.showErrorMessage(message, "Open Settings", "Show Details").then((choice) => {
      if (choice === "Open Settings") {
        void vscode.commands.executeCommand("workbench.action.openSettings", "verbatim.server.path");
      } else if (choice === "Show Details") {
        output?.show(true);
      }
    });
    status?.setError("server not found");
    return;
  }
  output?.appendLine(`verbatim: starting ${command} lsp`);

  const extraEnv = vscode.workspace.getConfiguration(SECTION).get<Record<string, string>>("server.extraEnv") ?? {};
  const serverOptions: ServerOptions = {
    command,
    args: ["lsp"],
    transport: TransportKind.stdio,
    options: { env: { ...process.env, ...extraEnv } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "markdown" },
      { scheme: "file", language: "plaintext" },
      { scheme: "untitled", language: "markdown" },
    ],
    initializationOptions: { [SECTION]: serverSettings() },
    outputChannel: output,
    // The server asks for the `verbatim` section through workspace/configuration; drop the
    // client-only keys so it sees exactly the keys it documents.
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return params.items.map((item, i) =>
            item.section === SECTION ? serverSettings() : (result as unknown[])[i],
          );
        },
      },
    },
    // Settings changes are sent by hand (see `activate`), without the client-only keys.
    synchronize: {
      fileEvents: [
        vscode.workspace.createFileSystemWatcher("**/verbatim.toml"),
        vscode.workspace.createFileSystemWatcher("**/*.{md,markdown,txt}"),
      ],
    },
  };

  client = new LanguageClient("verbatim", "verbatim", serverOptions, clientOptions);
  client.registerFeature(new IndexProgressFeature(client, status!));
  try {
    await client.start();
  } catch (error) {
    status?.setError("server failed to start");
    output?.appendLine(`verbatim: the server failed to start: ${String(error)}`);
    throw error;
  }
  status?.setError(undefined);
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop().catch(() => undefined);
  }
}

/** Where the server was found, or what was looked at (one line each, for the "not found" message). */
interface ServerSearch {
  found?: string;
  tried: string[];
}

/**
 * Finds the server, in this order:
 *   1. the `verbatim.server.path` setting: an explicit choice wins over everything (a newer build, a
 *      debug build, a wrapper script);
 *   2. the binary bundled under `server/` in a platform .vsix: what a user who installed the extension
 *      and nothing else gets;
 *   3. `verbatim` on PATH (pip/pipx/uv, Mason, cargo install, a package manager);
 *   4. the folders pipx, uv and cargo install into (`~/.local/bin`, `~/.cargo/bin`), which an editor
 *      started from a desktop launcher (not a shell) often lacks on PATH.
 */
function findServer(context: vscode.ExtensionContext): ServerSearch {
  const exe = process.platform === "win32" ? "verbatim.exe" : "verbatim";
  const tried: string[] = [];
  const configured = vscode.workspace.getConfiguration(SECTION).get<string | null>("server.path");
  if (configured) {
    const expanded = configured.replace(/^~(?=$|[\\/])/, os.homedir());
    const resolved =
      path.isAbsolute(expanded) || !vscode.workspace.workspaceFolders?.length
        ? expanded
        : path.join(vscode.workspace.workspaceFolders[0].uri.fsPath, expanded);
    if (isExecutable(resolved)) {
      return { found: resolved, tried };
    }
    const why = fs.existsSync(resolved) ? "is not an executable file" : "does not exist";
    tried.push(`the \`verbatim.server.path\` setting: ${resolved} ${why}`);
    output?.appendLine(`verbatim: verbatim.server.path = ${configured}: ${resolved} ${why}; trying others`);
  } else {
    tried.push("the `verbatim.server.path` setting: not set");
  }
  const bundled = path.join(context.extensionPath, "server", exe);
  if (fs.existsSync(bundled) && !isExecutable(bundled) && process.platform !== "win32") {
    // Unpacking a .vsix may drop the executable bit.
    try {
      fs.chmodSync(bundled, 0o755);
    } catch (error) {
      output?.appendLine(`verbatim: cannot make ${bundled} executable: ${String(error)}`);
    }
  }
  if (isExecutable(bundled)) {
    return { found: bundled, tried };
  }
  tried.push(
    fs.existsSync(bundled)
      ? `the server bundled with the extension: ${bundled} is not executable`
      : `the server bundled with the extension: ${bundled} is missing (this .vsix carries no server for ${process.platform}-${process.arch})`,
  );
  const pathDirs = (process.env.PATH ?? "").split(path.delimiter).filter((dir) => dir);
  for (const dir of pathDirs) {
    if (isExecutable(path.join(dir, exe))) {
      return { found: path.join(dir, exe), tried };
    }
  }
  tried.push(`\`${exe}\` on PATH: not in any of its ${pathDirs.length} folders (${pathDirs.join(path.delimiter) || "PATH is empty"})`);
  const home = os.homedir();
  const wellKnown = [path.join(home, ".local", "bin"), path.join(home, ".cargo", "bin")].filter(
    (dir) => !pathDirs.includes(dir),
  );
  for (const dir of wellKnown) {
    if (isExecutable(path.join(dir, exe))) {
      return { found: path.join(dir, exe), tried };
    }
  }
  if (wellKnown.length > 0) {
    tried.push(`the folders pipx, uv and cargo install into: not in ${wellKnown.join(", ")}`);
  }
  return { tried };
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, process.platform === "win32" ? fs.constants.F_OK : fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The `verbatim` section as a nested object, without the client-only keys. */
function serverSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === "function" || CLIENT_ONLY_GROUPS.includes(key)) {
      continue;
    }
    settings[key] = value;
  }
  return settings;
}

/**
 * Shows the server's indexing progress in the status item. The server creates the token with
 * window/workDoneProgress/create after `initialized`; registering our handler from a feature's
 * `initialize` (which runs before `initialized` is sent) means no token is missed.
 */
class IndexProgressFeature implements StaticFeature {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly languageClient: LanguageClient,
    private readonly item: StatusItem,
  ) {}

  fillClientCapabilities(capabilities: { window?: { workDoneProgress?: boolean } }): void {
    capabilities.window = capabilities.window ?? {};
    capabilities.window.workDoneProgress = true;
  }

  initialize(): void {
    this.disposables.push(
      this.languageClient.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
        this.disposables.push(
          this.languageClient.onProgress(WorkDoneProgress.type, token, (value) => {
            if (value.kind === "begin") {
              this.item.setProgress(value as WorkDoneProgressBegin);
            } else if (value.kind === "report") {
              this.item.setProgress(value as WorkDoneProgressReport);
            } else {
              this.item.endProgress();
            }
          }),
        );
        return null;
      }),
    );
  }

  getState(): FeatureState {
    return { kind: "static" };
  }

  clear(): void {
    this.dispose();
  }

  dispose(): void {
    this.disposables.splice(0).forEach((d) => d.dispose());
    this.item.endProgress();
  }
}

/** One status bar item: index progress while the server indexes, else the active draft's verdicts. */
class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("verbatim.status", vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[] = [];
  private progressTitle: string | undefined;
  private progressMessage = "";
  private progressPercent: number | undefined;
  private error: string | undefined;

  constructor() {
    this.item.name = "verbatim";
    this.item.command = "verbatim.showOutput";
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      vscode.languages.onDidChangeDiagnostics((event) => {
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        if (event.uris.some((uri) => uri.toString() === active)) {
          this.refresh();
        }
      }),
    );
    this.refresh();
  }

  setProgress(value: WorkDoneProgressBegin | WorkDoneProgressReport): void {
    this.error = undefined;
    if (value.kind === "begin") {
      this.progressTitle = value.title;
    }
    this.progressTitle = this.progressTitle ?? "indexing";
    this.progressMessage = value.message ?? this.progressMessage;
    this.progressPercent = value.percentage ?? this.progressPercent;
    this.refresh();
  }

  endProgress(): void {
    this.progressTitle = undefined;
    this.progressMessage = "";
    this.progressPercent = undefined;
    this.refresh();
  }

  /** Shows an error instead of the counts; `undefined` clears it. */
  setError(message: string | undefined): void {
    this.error = message;
    this.refresh();
  }

  refresh(): void {
    if (this.error) {
      this.item.text = "$(error) verbatim";
      this.item.tooltip = `verbatim: ${this.error}`;
      this.item.show();
      return;
    }
    if (this.progressTitle) {
      const percent = this.progressPercent === undefined ? "" : ` ${Math.round(this.progressPercent)}%`;
      this.item.text = `$(sync~spin) verbatim: ${this.progressTitle}${percent}`;
      this.item.tooltip = this.progressMessage || this.progressTitle;
      this.item.show();
      return;
    }
    const document = vscode.window.activeTextEditor?.document;
    if (!document || !["markdown", "plaintext"].includes(document.languageId)) {
      this.item.hide();
      return;
    }
    const counts = verdictCounts(document.uri);
    this.item.text = `$(quote) $(pass) ${counts.verified} $(warning) ${counts.drift} $(question) ${counts.unsourced}`;
    this.item.tooltip = new vscode.MarkdownString(
      `**verbatim** — quotes in this draft\n\n` +
        `- verified: ${counts.verified}\n- drift: ${counts.drift}\n- unsourced: ${counts.unsourced}\n\n` +
        `Verdicts whose severity is \`off\` are not counted.`,
    );
    this.item.show();
  }

  dispose(): void {
    this.subscriptions.splice(0).forEach((d) => d.dispose());
    this.item.dispose();
  }
}

function verdictCounts(uri: vscode.Uri): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { verified: 0, drift: 0, unsourced: 0 };
  for (const diagnostic of vscode.languages.getDiagnostics(uri)) {
    const code = verdictOf(diagnostic);
    if (code) {
      counts[code] += 1;
    }
  }
  return counts;
}

function verdictOf(diagnostic: vscode.Diagnostic): Verdict | undefined {
  if (diagnostic.source !== "verbatim") {
    return undefined;
  }
  const code = typeof diagnostic.code === "object" ? diagnostic.code.value : diagnostic.code;
  return VERDICTS.find((v) => v === code);
}

/** Opens the source passage of the quote under the cursor (textDocument/definition, else the diagnostic's related information). */
async function openSourceOfQuoteUnderCursor(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    return;
  }
  const position = editor.selection.active;
  let target: vscode.Location | undefined;

  if (client?.isRunning()) {
    const result = await client
      .sendRequest(DefinitionRequest.type, {
        textDocument: { uri: client.code2ProtocolConverter.asUri(editor.document.uri) },
        position: client.code2ProtocolConverter.asPosition(position),
      })
      .catch((error) => {
        output?.appendLine(`verbatim: definition request failed: ${String(error)}`);
        return null;
      });
    const first = Array.isArray(result) ? result[0] : result;
    if (first && LocationLink.is(first)) {
      target = new vscode.Location(
        client.protocol2CodeConverter.asUri(first.targetUri),
        client.protocol2CodeConverter.asRange(first.targetSelectionRange),
      );
    } else if (first && Location.is(first)) {
      target = client.protocol2CodeConverter.asLocation(first);
    }
  }

  if (!target) {
    const diagnostic = vscode.languages
      .getDiagnostics(editor.document.uri)
      .find((d) => verdictOf(d) && d.range.contains(position) && d.relatedInformation?.length);
    target = diagnostic?.relatedInformation?.[0].location;
  }

  if (!target) {
    void vscode.window.showInformationMessage("verbatim: no sourced quote under the cursor.");
    return;
  }
  const document = await vscode.workspace.openTextDocument(target.uri);
  await vscode.window.showTextDocument(document, {
    selection: target.range,
    viewColumn: vscode.ViewColumn.Beside,
    preserveFocus: false,
  });
}
