// A small stand-in for the `vscode` module, enough for the extension and vscode-languageclient to
// run under plain Node against the real server: documents, edits, diagnostics, tabs, configuration
// (defaults read from package.json), commands, the status bar. It is not VS Code; it lets
// test/e2e.js exercise the extension's own code (server discovery, settings, progress, verdict
// counts, the open-source command) and the protocol round trips through vscode-languageclient.
// Anything not modelled here is a do-nothing stub (see `stub` at the end).
"use strict";

const fs = require("fs");
const path = require("path");

class Disposable {
  constructor(fn) {
    this._fn = fn;
  }
  dispose() {
    if (this._fn) {
      const fn = this._fn;
      this._fn = undefined;
      fn();
    }
  }
  static from(...items) {
    return new Disposable(() => items.forEach((d) => d && typeof d.dispose === "function" && d.dispose()));
  }
}

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArg, disposables) => {
      const fn = thisArg ? listener.bind(thisArg) : listener;
      this._listeners.add(fn);
      const d = new Disposable(() => this._listeners.delete(fn));
      if (Array.isArray(disposables)) disposables.push(d);
      return d;
    };
  }
  fire(value) {
    for (const fn of [...this._listeners]) {
      try {
        fn(value);
      } catch (error) {
        console.error("fake-vscode: listener threw", error);
      }
    }
  }
  dispose() {
    this._listeners.clear();
  }
}

class Uri {
  constructor(scheme, authority, p, query, fragment) {
    this.scheme = scheme;
    this.authority = authority || "";
    this.path = p || "";
    this.query = query || "";
    this.fragment = fragment || "";
  }
  static file(p) {
    return new Uri("file", "", path.resolve(p));
  }
  static parse(value) {
    const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(value);
    if (!m) throw new Error(`fake-vscode: cannot parse URI ${value}`);
    return new Uri(m[1], m[2], decodeURIComponent(m[3]), m[4], m[5]);
  }
  static joinPath(base, ...parts) {
    return base.with({ path: path.posix.join(base.path, ...parts) });
  }
  get fsPath() {
    return this.path;
  }
  with(change) {
    return new Uri(
      change.scheme ?? this.scheme,
      change.authority ?? this.authority,
      change.path ?? this.path,
      change.query ?? this.query,
      change.fragment ?? this.fragment,
    );
  }
  toString() {
    const encoded = this.path
      .split("/")
      .map((s) => encodeURIComponent(s))
      .join("/");
    return `${this.scheme}://${this.authority}${encoded}${this.query ? "?" + this.query : ""}${this.fragment ? "#" + this.fragment : ""}`;
  }
  toJSON() {
    return { scheme: this.scheme, path: this.path, external: this.toString() };
  }
}

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
  isBefore(o) {
    return this.line < o.line || (this.line === o.line && this.character < o.character);
  }
  isBeforeOrEqual(o) {
    return this.isBefore(o) || this.isEqual(o);
  }
  isAfter(o) {
    return !this.isBeforeOrEqual(o);
  }
  isAfterOrEqual(o) {
    return !this.isBefore(o);
  }
  isEqual(o) {
    return this.line === o.line && this.character === o.character;
  }
  compareTo(o) {
    return this.isBefore(o) ? -1 : this.isEqual(o) ? 0 : 1;
  }
  translate(lineDelta = 0, characterDelta = 0) {
    return new Position(this.line + lineDelta, this.character + characterDelta);
  }
  with(line = this.line, character = this.character) {
    return new Position(line, character);
  }
}

class Range {
  constructor(a, b, c, d) {
    if (typeof a === "number") {
      this.start = new Position(a, b);
      this.end = new Position(c, d);
    } else {
      this.start = a;
      this.end = b;
    }
  }
  get isEmpty() {
    return this.start.isEqual(this.end);
  }
  get isSingleLine() {
    return this.start.line === this.end.line;
  }
  contains(x) {
    if (x instanceof Range) return this.contains(x.start) && this.contains(x.end);
    return this.start.isBeforeOrEqual(x) && x.isBeforeOrEqual(this.end);
  }
  isEqual(o) {
    return this.start.isEqual(o.start) && this.end.isEqual(o.end);
  }
  with(start = this.start, end = this.end) {
    return new Range(start, end);
  }
}

class Selection extends Range {
  constructor(anchor, active) {
    super(anchor, active);
    this.anchor = anchor;
    this.active = active;
  }
}

class Location {
  constructor(uri, rangeOrPosition) {
    this.uri = uri;
    this.range = rangeOrPosition instanceof Position ? new Range(rangeOrPosition, rangeOrPosition) : rangeOrPosition;
  }
}

const DiagnosticSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3, 0: "Error", 1: "Warning", 2: "Information", 3: "Hint" };
const DiagnosticTag = { Unnecessary: 1, Deprecated: 2 };

class Diagnostic {
  constructor(range, message, severity = DiagnosticSeverity.Error) {
    this.range = range;
    this.message = message;
    this.severity = severity;
  }
}

class DiagnosticRelatedInformation {
  constructor(location, message) {
    this.location = location;
    this.message = message;
  }
}

class MarkdownString {
  constructor(value = "", supportThemeIcons = false) {
    this.value = value;
    this.supportThemeIcons = supportThemeIcons;
  }
  appendMarkdown(v) {
    this.value += v;
    return this;
  }
  appendText(v) {
    this.value += v.replace(/[\\`*_{}[\]()#+\-.!]/g, "\\$&");
    return this;
  }
  appendCodeblock(v, lang = "") {
    this.value += "\n```" + lang + "\n" + v + "\n```\n";
    return this;
  }
}

class Hover {
  constructor(contents, range) {
    this.contents = Array.isArray(contents) ? contents : [contents];
    this.range = range;
  }
}

class CodeActionKind {
  constructor(value) {
    this.value = value;
  }
  append(part) {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
  contains(other) {
    return this.value === other.value || other.value.startsWith(this.value + ".") || this.value === "";
  }
  intersects(other) {
    return this.contains(other) || other.contains(this);
  }
}
for (const [name, value] of Object.entries({
  Empty: "",
  QuickFix: "quickfix",
  Refactor: "refactor",
  RefactorExtract: "refactor.extract",
  RefactorInline: "refactor.inline",
  RefactorMove: "refactor.move",
  RefactorRewrite: "refactor.rewrite",
  Source: "source",
  SourceOrganizeImports: "source.organizeImports",
  SourceFixAll: "source.fixAll",
  Notebook: "notebook",
})) {
  CodeActionKind[name] = new CodeActionKind(value);
}

class CodeAction {
  constructor(title, kind) {
    this.title = title;
    this.kind = kind;
  }
}

class CodeLens {
  constructor(range, command) {
    this.range = range;
    this.command = command;
  }
  get isResolved() {
    return !!this.command;
  }
}

class TextEdit {
  constructor(range, newText) {
    this.range = range;
    this.newText = newText;
  }
  static replace(range, newText) {
    return new TextEdit(range, newText);
  }
  static insert(position, newText) {
    return new TextEdit(new Range(position, position), newText);
  }
  static delete(range) {
    return new TextEdit(range, "");
  }
}

class WorkspaceEdit {
  constructor() {
    this._edits = new Map();
  }
  _list(uri) {
    const key = uri.toString();
    if (!this._edits.has(key)) this._edits.set(key, [uri, []]);
    return this._edits.get(key)[1];
  }
  replace(uri, range, newText) {
    this._list(uri).push(new TextEdit(range, newText));
  }
  insert(uri, position, newText) {
    this._list(uri).push(TextEdit.insert(position, newText));
  }
  delete(uri, range) {
    this._list(uri).push(TextEdit.delete(range));
  }
  set(uri, edits) {
    const list = this._list(uri);
    list.length = 0;
    for (const e of edits || []) list.push(Array.isArray(e) ? e[0] : e);
  }
  has(uri) {
    return this._edits.has(uri.toString());
  }
  get(uri) {
    return this._edits.has(uri.toString()) ? this._edits.get(uri.toString())[1] : [];
  }
  entries() {
    return [...this._edits.values()];
  }
  get size() {
    return this._edits.size;
  }
}

class CancellationTokenSource {
  constructor() {
    const emitter = new EventEmitter();
    this._emitter = emitter;
    this.token = { isCancellationRequested: false, onCancellationRequested: emitter.event };
  }
  cancel() {
    if (!this.token.isCancellationRequested) {
      this.token.isCancellationRequested = true;
      this._emitter.fire(undefined);
    }
  }
  dispose() {
    this._emitter.dispose();
  }
}

class CancellationError extends Error {
  constructor() {
    super("Canceled");
    this.name = "Canceled";
  }
}

class TabInputText {
  constructor(uri) {
    this.uri = uri;
  }
}
class TabInputTextDiff {
  constructor(original, modified) {
    this.original = original;
    this.modified = modified;
  }
}
class TabInputCustom {
  constructor(uri, viewType) {
    this.uri = uri;
    this.viewType = viewType;
  }
}

class TextDocument {
  constructor(uri, languageId, text) {
    this.uri = uri;
    this.fileName = uri.fsPath;
    this.languageId = languageId;
    this.version = 1;
    this.isDirty = false;
    this.isClosed = false;
    this.isUntitled = uri.scheme === "untitled";
    this.eol = 1;
    this._text = text;
  }
  get lineCount() {
    return this._text.split("\n").length;
  }
  getText(range) {
    if (!range) return this._text;
    return this._text.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }
  lineAt(lineOrPosition) {
    const line = typeof lineOrPosition === "number" ? lineOrPosition : lineOrPosition.line;
    const text = this._text.split("\n")[line] ?? "";
    return { lineNumber: line, text, range: new Range(line, 0, line, text.length), isEmptyOrWhitespace: !text.trim() };
  }
  offsetAt(position) {
    const lines = this._text.split("\n");
    let offset = 0;
    for (let i = 0; i < Math.min(position.line, lines.length); i++) offset += lines[i].length + 1;
    const line = lines[position.line] ?? "";
    return offset + Math.min(position.character, line.length);
  }
  positionAt(offset) {
    const before = this._text.slice(0, Math.max(0, Math.min(offset, this._text.length)));
    const line = before.split("\n").length - 1;
    return new Position(line, before.length - (before.lastIndexOf("\n") + 1));
  }
  validateRange(range) {
    return range;
  }
  validatePosition(position) {
    return position;
  }
  getWordRangeAtPosition(position) {
    return new Range(position, position);
  }
  save() {
    return Promise.resolve(true);
  }
}

function languageOf(file) {
  return /\.(md|markdown)$/i.test(file) ? "markdown" : /\.txt$/i.test(file) ? "plaintext" : "plaintext";
}

/** Builds the module. `settings` are dotted `verbatim.*` keys over the package.json defaults. */
function create({ packageJson, workspaceRoot, settings = {}, log = () => {} }) {
  const events = {
    open: new EventEmitter(),
    close: new EventEmitter(),
    change: new EventEmitter(),
    save: new EventEmitter(),
    willSave: new EventEmitter(),
    configuration: new EventEmitter(),
    folders: new EventEmitter(),
    activeEditor: new EventEmitter(),
    diagnostics: new EventEmitter(),
    tabs: new EventEmitter(),
    visibleEditors: new EventEmitter(),
  };
  const recorded = { messages: [], shown: [], statusItems: [], commandsRun: [], providers: {} };
  const documents = [];
  const commands = new Map();
  const collections = new Set();
  const userSettings = { ...settings };
  const defaults = {};
  for (const [key, schema] of Object.entries(packageJson.contributes.configuration.properties)) {
    defaults[key] = schema.default;
  }

  function configurationTree(section) {
    const prefix = section ? section + "." : "";
    const tree = {};
    for (const [key, value] of Object.entries({ ...defaults, ...userSettings })) {
      if (section && !key.startsWith(prefix)) continue;
      const parts = key.slice(prefix.length).split(".");
      let node = tree;
      for (const part of parts.slice(0, -1)) node = node[part] = node[part] ?? {};
      node[parts[parts.length - 1]] = JSON.parse(JSON.stringify(value ?? null));
    }
    return tree;
  }

  function getConfiguration(section) {
    const tree = configurationTree(section);
    const lookup = (key) => key.split(".").reduce((node, part) => (node == null ? undefined : node[part]), tree);
    return Object.assign(tree, {
      get: (key, fallback) => {
        const v = lookup(key);
        return v === undefined ? fallback : v;
      },
      has: (key) => lookup(key) !== undefined,
      inspect: (key) => ({ key, defaultValue: defaults[`${section}.${key}`], globalValue: userSettings[`${section}.${key}`] }),
      update: async (key, value) => {
        const full = section ? `${section}.${key}` : key;
        userSettings[full] = value;
        events.configuration.fire({ affectsConfiguration: (s) => full === s || full.startsWith(s + ".") });
      },
    });
  }

  const tabGroup = { tabs: [], isActive: true, viewColumn: 1 };
  const window = {
    activeTextEditor: undefined,
    visibleTextEditors: [],
    tabGroups: { all: [tabGroup], activeTabGroup: tabGroup, onDidChangeTabs: events.tabs.event, onDidChangeTabGroups: new EventEmitter().event },
    onDidChangeActiveTextEditor: events.activeEditor.event,
    onDidChangeVisibleTextEditors: events.visibleEditors.event,
    createOutputChannel(name) {
      const write = (...a) => log(`[${name}] ${a.join(" ")}`);
      return {
        name,
        append: write,
        appendLine: write,
        replace: write,
        clear() {},
        show() {},
        hide() {},
        dispose() {},
        trace: write,
        debug: write,
        info: write,
        warn: write,
        error: write,
        logLevel: 2,
        onDidChangeLogLevel: new EventEmitter().event,
      };
    },
    createStatusBarItem(id, alignment, priority) {
      const history = [];
      const item = {
        id,
        alignment,
        priority,
        history,
        visible: false,
        _text: "",
        get text() {
          return this._text;
        },
        set text(v) {
          this._text = v;
          history.push(v);
        },
        tooltip: undefined,
        command: undefined,
        name: undefined,
        show() {
          this.visible = true;
        },
        hide() {
          this.visible = false;
        },
        dispose() {},
      };
      recorded.statusItems.push(item);
      return item;
    },
    showInformationMessage: (...a) => (recorded.messages.push(["info", ...a]), Promise.resolve(undefined)),
    showWarningMessage: (...a) => (recorded.messages.push(["warning", ...a]), Promise.resolve(undefined)),
    showErrorMessage: (...a) => (recorded.messages.push(["error", ...a]), Promise.resolve(undefined)),
    async showTextDocument(documentOrUri, options) {
      const document = documentOrUri instanceof Uri ? await workspace.openTextDocument(documentOrUri) : documentOrUri;
      recorded.shown.push({ uri: document.uri.toString(), options });
      const selection = options && options.selection ? new Selection(options.selection.start, options.selection.end) : new Selection(new Position(0, 0), new Position(0, 0));
      const editor = { document, selection, selections: [selection], options: {}, viewColumn: 1, visibleRanges: [] };
      if (!tabGroup.tabs.some((t) => t.input.uri.toString() === document.uri.toString())) {
        tabGroup.tabs.push({ input: new TabInputText(document.uri), label: path.basename(document.uri.fsPath), isActive: true, group: tabGroup });
        events.tabs.fire({ opened: [tabGroup.tabs[tabGroup.tabs.length - 1]], closed: [], changed: [] });
      }
      window.activeTextEditor = editor;
      window.visibleTextEditors = [editor];
      events.visibleEditors.fire(window.visibleTextEditors);
      events.activeEditor.fire(editor);
      return editor;
    },
    withProgress: (_options, task) => task({ report() {} }, new CancellationTokenSource().token),
    createTextEditorDecorationType: () => ({ key: "d", dispose() {} }),
    registerUriHandler: () => new Disposable(() => {}),
  };

  function applyEdits(document, edits) {
    // Apply from the end so earlier ranges stay valid; report them in the same order.
    const sorted = [...edits].sort((a, b) => b.range.start.compareTo(a.range.start));
    const contentChanges = [];
    for (const edit of sorted) {
      const start = document.offsetAt(edit.range.start);
      const end = document.offsetAt(edit.range.end);
      contentChanges.push({ range: edit.range, rangeOffset: start, rangeLength: end - start, text: edit.newText });
      document._text = document._text.slice(0, start) + edit.newText + document._text.slice(end);
    }
    document.version += 1;
    document.isDirty = true;
    events.change.fire({ document, contentChanges, reason: undefined });
  }

  const workspace = {
    get workspaceFolders() {
      return [{ uri: Uri.file(workspaceRoot), name: path.basename(workspaceRoot), index: 0 }];
    },
    name: path.basename(workspaceRoot),
    get textDocuments() {
      return documents.filter((d) => !d.isClosed);
    },
    getConfiguration,
    getWorkspaceFolder: (uri) => (uri.fsPath.startsWith(workspaceRoot) ? workspace.workspaceFolders[0] : undefined),
    asRelativePath: (p) => path.relative(workspaceRoot, typeof p === "string" ? p : p.fsPath),
    onDidOpenTextDocument: events.open.event,
    onDidCloseTextDocument: events.close.event,
    onDidChangeTextDocument: events.change.event,
    onDidSaveTextDocument: events.save.event,
    onWillSaveTextDocument: events.willSave.event,
    onDidChangeConfiguration: events.configuration.event,
    onDidChangeWorkspaceFolders: events.folders.event,
    onDidCreateFiles: new EventEmitter().event,
    onDidDeleteFiles: new EventEmitter().event,
    onDidRenameFiles: new EventEmitter().event,
    onWillCreateFiles: new EventEmitter().event,
    onWillDeleteFiles: new EventEmitter().event,
    onWillRenameFiles: new EventEmitter().event,
    createFileSystemWatcher: () => ({
      onDidCreate: new EventEmitter().event,
      onDidChange: new EventEmitter().event,
      onDidDelete: new EventEmitter().event,
      ignoreCreateEvents: false,
      ignoreChangeEvents: false,
      ignoreDeleteEvents: false,
      dispose() {},
    }),
    async openTextDocument(uriOrPath) {
      const uri = typeof uriOrPath === "string" ? Uri.file(uriOrPath) : uriOrPath;
      const existing = documents.find((d) => !d.isClosed && d.uri.toString() === uri.toString());
      if (existing) return existing;
      const document = new TextDocument(uri, languageOf(uri.fsPath), fs.readFileSync(uri.fsPath, "utf8"));
      documents.push(document);
      events.open.fire(document);
      return document;
    },
    async applyEdit(edit) {
      for (const [uri, edits] of edit.entries()) {
        const document = await workspace.openTextDocument(uri);
        applyEdits(document, edits);
      }
      return true;
    },
    registerTextDocumentContentProvider: () => new Disposable(() => {}),
    fs: { stat: async (uri) => fs.statSync(uri.fsPath), readFile: async (uri) => fs.readFileSync(uri.fsPath) },
    isTrusted: true,
  };

  const languages = {
    match(selector, document) {
      const filters = Array.isArray(selector) ? selector : [selector];
      for (const f of filters) {
        if (typeof f === "string" ? f === document.languageId : (!f.language || f.language === document.languageId) && (!f.scheme || f.scheme === document.uri.scheme)) {
          return 10;
        }
      }
      return 0;
    },
    createDiagnosticCollection(name) {
      const map = new Map();
      const fire = (uris) => events.diagnostics.fire({ uris });
      const collection = {
        name,
        _map: map,
        set(uriOrEntries, diagnostics) {
          if (Array.isArray(uriOrEntries)) {
            for (const [uri, ds] of uriOrEntries) {
              if (ds) map.set(uri.toString(), [uri, ds]);
              else map.delete(uri.toString());
            }
            fire(uriOrEntries.map(([uri]) => uri));
          } else {
            if (diagnostics) map.set(uriOrEntries.toString(), [uriOrEntries, diagnostics]);
            else map.delete(uriOrEntries.toString());
            fire([uriOrEntries]);
          }
        },
        delete(uri) {
          map.delete(uri.toString());
          fire([uri]);
        },
        clear() {
          const uris = [...map.values()].map(([u]) => u);
          map.clear();
          fire(uris);
        },
        get: (uri) => (map.get(uri.toString()) || [])[1],
        has: (uri) => map.has(uri.toString()),
        forEach(cb) {
          for (const [uri, ds] of map.values()) cb(uri, ds, collection);
        },
        dispose() {
          collections.delete(collection);
        },
      };
      collections.add(collection);
      return collection;
    },
    getDiagnostics(uri) {
      const all = [];
      for (const c of collections) {
        const ds = c.get(uri);
        if (ds) all.push(...ds);
      }
      return all;
    },
    onDidChangeDiagnostics: events.diagnostics.event,
    setLanguageConfiguration: () => new Disposable(() => {}),
  };
  // register*Provider: keep the provider so the test can call it as VS Code would.
  const languagesProxy = new Proxy(languages, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (typeof prop === "string" && prop.startsWith("register")) {
        return (_selector, provider) => {
          (recorded.providers[prop] = recorded.providers[prop] || []).push(provider);
          return new Disposable(() => {});
        };
      }
      return stub();
    },
  });

  const commandsApi = {
    registerCommand(id, fn) {
      commands.set(id, fn);
      return new Disposable(() => commands.delete(id));
    },
    registerTextEditorCommand(id, fn) {
      return commandsApi.registerCommand(id, (...a) => fn(window.activeTextEditor, undefined, ...a));
    },
    async executeCommand(id, ...args) {
      recorded.commandsRun.push(id);
      const fn = commands.get(id);
      return fn ? fn(...args) : undefined;
    },
    getCommands: async () => [...commands.keys()],
  };

  const real = {
    version: "1.82.0",
    Disposable,
    EventEmitter,
    Uri,
    Position,
    Range,
    Selection,
    Location,
    Diagnostic,
    DiagnosticSeverity,
    DiagnosticTag,
    DiagnosticRelatedInformation,
    MarkdownString,
    Hover,
    CodeAction,
    CodeActionKind,
    CodeActionTriggerKind: { Invoke: 1, Automatic: 2 },
    CodeLens,
    TextEdit,
    WorkspaceEdit,
    CancellationTokenSource,
    CancellationError,
    TabInputText,
    TabInputTextDiff,
    TabInputCustom,
    StatusBarAlignment: { Left: 1, Right: 2 },
    ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    TextDocumentSaveReason: { Manual: 1, AfterDelay: 2, FocusOut: 3 },
    EndOfLine: { LF: 1, CRLF: 2 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    UIKind: { Desktop: 1, Web: 2 },
    window,
    workspace,
    languages: languagesProxy,
    commands: commandsApi,
    env: { appName: "fake-vscode", appRoot: "/", language: "en", machineId: "test", sessionId: "test", uiKind: 1, openExternal: async () => true, clipboard: { readText: async () => "", writeText: async () => {} } },
    extensions: { getExtension: () => undefined, all: [], onDidChange: new EventEmitter().event },
  };
  const vscode = new Proxy(real, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (prop === "__esModule" || prop === "then") return undefined;
      return stub();
    },
  });
  return { vscode, recorded, documents, commands, userSettings };
}

// A do-nothing value for whatever the stand-in does not model: callable, constructible, and every
// property is another stub (except `then`, so awaiting one does not hang).
function stub() {
  const handler = {
    get(target, prop) {
      if (prop === "then") return undefined;
      if (prop === Symbol.toPrimitive) return () => "";
      if (prop === Symbol.iterator) return function* () {};
      if (!(prop in target)) target[prop] = stub();
      return target[prop];
    },
    apply() {
      return stub();
    },
    construct() {
      return stub();
    },
  };
  return new Proxy(function () {}, handler);
}

module.exports = { create, Uri, Position, Range, Selection };
