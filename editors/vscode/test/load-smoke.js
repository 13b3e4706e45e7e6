// Loads the esbuild bundle under plain Node with a stub `vscode` module: catches bundling mistakes
// (a dependency left out, a top-level crash) without a VS Code. Usage: node test/load-smoke.js dist/extension.js
const Module = require("module");
const handler = {
  get(target, prop) {
    if (prop === "__esModule") return false;
    if (prop === Symbol.toPrimitive) return () => "stub";
    if (!(prop in target)) target[prop] = stub();
    return target[prop];
  },
  apply() { return stub(); },
  construct() { return stub(); },
};
function stub() { return new Proxy(function () {}, handler); }
const vscode = stub();
const origLoad = Module._load;
Module._load = function (request, ...rest) {
  if (request === "vscode") return vscode;
  return origLoad.call(this, request, ...rest);
};
const ext = require(require("path").resolve(process.argv[2]));
if (typeof ext.activate !== "function" || typeof ext.deactivate !== "function") {
  console.error("the bundle does not export activate/deactivate"); process.exit(1);
}
console.log("bundle loads; exports activate and deactivate");
