// Drives a real VS Code (code-server, started by ../e2e.sh) with headless Chromium through
// playwright-core, and checks what the verbatim extension shows for the demo draft:
//   - from inside the extension host, through the probe extension (probe/): the extension is
//     active, its commands exist, the draft's diagnostics match `verbatim check --format json`
//     with the default severities, and the hover on a drift quote shows the source sentence and
//     the word diff;
//   - in the page, as a person sees it: the draft opens through Quick Open, drift squiggles are
//     drawn, the status bar item counts the verdicts, the Problems view lists the findings, and
//     hovering the drifted words shows the source sentence and the diff.
// Then it takes a screenshot of the editor with the drift warning and the hover.
// Prints TAP-like "ok - ..." / "not ok - ..." lines; ../e2e.sh counts them.
//
// Environment (all set by ../e2e.sh):
//   PLAYWRIGHT_CORE        path of the playwright-core package
//   CHROMIUM               Chromium executable (default /usr/bin/chromium)
//   VERBATIM_E2E_URL       code-server URL (http://127.0.0.1:PORT/)
//   VERBATIM_E2E_WS        the workspace folder (a copy of fixtures/demo)
//   VERBATIM_E2E_DRAFT     the draft to open, relative to the workspace (drafts/nato-explainer.md)
//   VERBATIM_E2E_CLI       JSON Lines from `verbatim check --format json` on that draft
//   VERBATIM_E2E_PROBE_OUT the probe extension's snapshot file
//   VERBATIM_E2E_PROFILE   a fresh Chromium profile folder
//   VERBATIM_E2E_SHOT      where to write the screenshot
//   VERBATIM_E2E_FAILSHOT  where to write a screenshot when a step fails
"use strict";

const fs = require("fs");
const path = require("path");

const env = (name, fallback) => {
  const v = process.env[name];
  if (v === undefined || v === "") {
    if (fallback !== undefined) return fallback;
    console.log(`not ok - ${name} is set`);
    process.exit(1);
  }
  return v;
};
const { chromium } = require(env("PLAYWRIGHT_CORE"));
const CHROMIUM = env("CHROMIUM", "/usr/bin/chromium");
const URL_BASE = env("VERBATIM_E2E_URL");
const WS = env("VERBATIM_E2E_WS");
const DRAFT = env("VERBATIM_E2E_DRAFT", "drafts/nato-explainer.md");
const CLI = env("VERBATIM_E2E_CLI");
const PROBE_OUT = env("VERBATIM_E2E_PROBE_OUT");
const PROFILE = env("VERBATIM_E2E_PROFILE");
const SHOT = env("VERBATIM_E2E_SHOT");
const FAILSHOT = env("VERBATIM_E2E_FAILSHOT", "");
const verbose = process.env.VERBATIM_TEST_VERBOSE === "1";

// The drift quote the hover is checked on: the draft has 150,000 where the source has 100,000.
const HOVER_WORD = "150,000";
const HOVER_SOURCE_SENTENCE = "Approximately 100,000 Russian troops remain on the border with Ukraine";

const { Abort, tally, waitFor: poll } = require("../tap");
const { counts: tallies, check, requireThat } = tally();
const log = (...a) => verbose && console.log("#", ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function waitFor(fn, ms, every = 250) {
  return poll(fn, ms, every);
}

function readProbe() {
  try {
    return JSON.parse(fs.readFileSync(PROBE_OUT, "utf8"));
  } catch (_) {
    return undefined;
  }
}

const draftPath = path.join(WS, DRAFT);
const base = path.basename(DRAFT);
const cli = fs
  .readFileSync(CLI, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));
const quoteCodes = new Set(["verified", "drift", "unsourced"]);
const expectedCounts = { verified: 0, drift: 0, unsourced: 0 };
for (const f of cli) if (quoteCodes.has(f.code)) expectedCounts[f.code] += 1;

function probeDraft(snap) {
  return snap && (snap.documents || []).find((d) => path.resolve(d.path) === path.resolve(draftPath));
}
function quoteDiagnostics(doc) {
  return doc ? doc.diagnostics.filter((d) => quoteCodes.has(d.code)) : [];
}

// ---- checks from inside the extension host (probe extension) -------------------------------------
async function extensionHostChecks() {
  console.log("# inside the extension host (probe extension)");
  const total = expectedCounts.verified + expectedCounts.drift + expectedCounts.unsourced;
  // Wait until the diagnostics settle at the CLI's count and every quote has its hover.
  const snap = await waitFor(() => {
    const s = readProbe();
    const doc = probeDraft(s);
    const q = quoteDiagnostics(doc);
    return q.length === total && q.every((d) => typeof d.hover === "string") ? s : undefined;
  }, 60000);
  const last = snap || readProbe();
  const errFile = PROBE_OUT + ".error";
  if (fs.existsSync(errFile)) log("probe error:", fs.readFileSync(errFile, "utf8"));
  requireThat(last, "the probe extension reports from the extension host", "no snapshot in " + PROBE_OUT);
  log("VS Code", last.vscodeVersion);
  check(last.verbatim && last.verbatim.found && last.verbatim.active, "the verbatim extension is installed and active", last.verbatim);
  for (const c of ["verbatim.openSource", "verbatim.restartServer", "verbatim.showOutput"]) {
    check((last.commands || []).includes(c), `command ${c} is registered`, last.commands);
  }
  const doc = probeDraft(last);
  requireThat(doc, `${DRAFT} is open in the extension host`, (last.documents || []).map((d) => d.path));
  check(doc.languageId === "markdown", "the draft's language is markdown", doc.languageId);
  const quotes = quoteDiagnostics(doc);
  const counts = { verified: 0, drift: 0, unsourced: 0 };
  for (const d of quotes) counts[d.code] += 1;
  check(
    counts.drift > 0 && counts.unsourced > 0 && JSON.stringify(counts) === JSON.stringify(expectedCounts),
    `diagnostics: ${counts.verified} verified, ${counts.drift} drift, ${counts.unsourced} unsourced, as \`verbatim check\` finds`,
    { editor: counts, cli: expectedCounts },
  );
  const key = (code, line, character) => `${code}@${line}:${character}`;
  const editorKeys = new Set(quotes.map((d) => key(d.code, d.line, d.character)));
  const missing = cli.filter((f) => quoteCodes.has(f.code) && !editorKeys.has(key(f.code, f.range.start.line, f.range.start.character)));
  check(missing.length === 0, "each finding of `verbatim check` is a diagnostic at the same place", missing.map((f) => key(f.code, f.range.start.line, f.range.start.character)));
  const cliMessages = new Map(cli.map((f) => [key(f.code, f.range.start.line, f.range.start.character), f.message]));
  const differ = quotes.filter((d) => cliMessages.has(key(d.code, d.line, d.character)) && cliMessages.get(key(d.code, d.line, d.character)) !== d.message);
  check(differ.length === 0, "diagnostic messages are the CLI's", differ.map((d) => d.message));
  const severity = { verified: "hint", drift: "warning", unsourced: "information" };
  const wrong = quotes.filter((d) => d.severity !== severity[d.code]);
  check(wrong.length === 0, "default severities: verified hint, drift warning, unsourced information", wrong.map((d) => [d.code, d.severity]));
  const word = doc.diagnostics.find((d) => d.code === "drift-word" && d.text === HOVER_WORD);
  check(word && word.severity === "hint" && /100,000/.test(word.message), `a drift-word hint on “${HOVER_WORD}” names the source's word`, word);

  const drift = quotes.find((d) => d.code === "drift" && d.text.includes(HOVER_WORD));
  requireThat(drift, `a drift diagnostic on the quote with “${HOVER_WORD}”`, quotes.map((d) => d.text));
  const h = drift.hover || "";
  check(/verbatim: drift/.test(h), "hover (executeHoverProvider) on the drift quote names the verdict", h.slice(0, 300));
  check(h.includes(HOVER_SOURCE_SENTENCE), "the hover quotes the source sentence", h.slice(0, 600));
  check(/~~100,000~~\s*\*\*150,000\*\*/.test(h), "the hover shows the word diff (~~100,000~~ **150,000**)", h);
  check(h.includes("sources/aggregator-nato-expansion.md"), "the hover names the source file", h.slice(-300));
  const unsourced = quotes.find((d) => d.code === "unsourced");
  check(unsourced && /unsourced/.test(unsourced.hover || ""), "hover on the unsourced quote names the verdict", unsourced && unsourced.hover);
}

// ---- checks in the page --------------------------------------------------------------------------
async function openDraft(page) {
  console.log("# code-server in headless Chromium");
  const folderUrl = `${URL_BASE.replace(/\/$/, "")}/?folder=${encodeURIComponent(WS)}`;
  await page.goto(folderUrl, { timeout: 60000 });
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  requireThat(await page.waitForSelector(".explorer-folders-view", { timeout: 60000 }).catch(() => null), "the workbench loads with the demo folder open");

  // Open the draft through Quick Open (Ctrl+P), retrying while the file index warms up.
  const tabSel = `.tabs-container .tab[aria-label*="${base}"]`;
  const opened = await waitFor(
    async () => {
      await page.keyboard.press("Escape");
      await page.keyboard.press("Control+P");
      await page.waitForSelector(".quick-input-widget input", { state: "visible", timeout: 5000 });
      await page.keyboard.type(DRAFT);
      await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${base}"]`, { timeout: 5000 });
      await page.keyboard.press("Enter");
      return page.waitForSelector(tabSel, { timeout: 5000 });
    },
    40000,
    500,
  );
  requireThat(opened, `${DRAFT} opens in an editor (Quick Open)`);
}

async function pageChecks(page) {
  console.log("# in the browser (what a person sees)");

  const squiggle = await page.waitForSelector(".monaco-editor .squiggly-warning", { timeout: 60000 }).catch(() => null);
  check(squiggle, "drift quotes are underlined with warning squiggles");

  // The extension's status bar item: "$(quote) $(pass) N $(warning) N $(question) N".
  const want = `${expectedCounts.verified} ${expectedCounts.drift} ${expectedCounts.unsourced}`;
  const status = await waitFor(async () => {
    const items = await page.$$eval(".statusbar-item", (els) =>
      els.map((e) => ({ text: e.textContent.replace(/\s+/g, " ").trim(), label: e.getAttribute("aria-label") || "" })),
    );
    return items.find((i) => i.text === want && /verbatim/.test(i.label));
  }, 30000);
  check(status, `the status bar item counts the verdicts (${want})`, status);
  check(
    status && status.label.includes(`verified: ${expectedCounts.verified}`) && status.label.includes(`drift: ${expectedCounts.drift}`) && status.label.includes(`unsourced: ${expectedCounts.unsourced}`),
    "its tooltip lists verified, drift and unsourced counts",
    status && status.label,
  );

  // The Problems view (opened from the status bar's problems item).
  await page.click("#status\\.problems, .statusbar-item[id='status.problems']").catch(() => page.keyboard.press("Control+Shift+M"));
  const rows = await waitFor(async () => {
    const r = await page.$$eval(".markers-panel .monaco-list-row", (els) => els.map((e) => e.getAttribute("aria-label") || e.textContent));
    return r.filter((l) => /drift from/.test(l)).length >= expectedCounts.drift ? r : undefined;
  }, 20000);
  const rowsNow = rows || (await page.$$eval(".markers-panel .monaco-list-row", (els) => els.map((e) => e.getAttribute("aria-label") || e.textContent)).catch(() => []));
  log("problems:", rowsNow);
  check(rows, `the Problems view lists the ${expectedCounts.drift} drift warnings`, rowsNow);
  const problems = expectedCounts.drift + expectedCounts.unsourced; // hints (verified) are not problems
  check(rowsNow.some((l) => l.startsWith(`${problems} problems in file ${base}`)), `the Problems view counts ${problems} problems in the draft (drift and unsourced)`, rowsNow[0]);
  const problemsItem = await page.$eval("[id='status.problems']", (e) => e.getAttribute("aria-label") || e.textContent).catch(() => "");
  check(
    problemsItem.includes(`Warnings: ${expectedCounts.drift}`) && problemsItem.includes(`Infos: ${expectedCounts.unsourced}`),
    `the status bar's problems item shows ${expectedCounts.drift} warnings and ${expectedCounts.unsourced} info`,
    problemsItem,
  );
  // Close the panel again so that the editor (and the hover) get the room for the screenshot.
  await page.keyboard.press("Control+J");
  await waitFor(async () => !(await page.isVisible(".markers-panel")), 5000);

  // Hover the drifted words with the mouse. Go to the quote first so that its line is drawn.
  const snap = readProbe();
  const drift = quoteDiagnostics(probeDraft(snap)).find((d) => d.code === "drift" && d.text.includes(HOVER_WORD));
  const line = drift ? drift.line + 1 : 1;
  await page.click(".monaco-editor .view-lines");
  await page.keyboard.press("Control+G");
  await page.waitForSelector(".quick-input-widget input", { state: "visible", timeout: 5000 }).catch(() => null);
  await page.keyboard.type(`${line}:${drift ? drift.character + 2 : 1}`);
  await page.keyboard.press("Enter");
  await sleep(500);

  const hoverSel = ".monaco-editor .monaco-hover:not(.hidden)";
  // Points at the drifted words and waits for the verbatim hover (its text, or undefined).
  const openHover = async () => {
    const box = await page.evaluate((word) => {
      const lines = document.querySelectorAll(".monaco-editor .view-lines .view-line");
      for (const l of lines) {
        const walker = document.createTreeWalker(l, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const text = n.nodeValue.replace(/\u00a0/g, " ");
          const i = text.indexOf(word);
          if (i >= 0) {
            const r = document.createRange();
            r.setStart(n, i);
            r.setEnd(n, i + word.length);
            const b = r.getBoundingClientRect();
            return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
          }
        }
      }
      return null;
    }, HOVER_WORD);
    if (!box) return undefined;
    await page.mouse.move(box.x - 30, box.y);
    await page.mouse.move(box.x, box.y, { steps: 5 });
    const el = await page.waitForSelector(hoverSel, { timeout: 4000 }).catch(() => null);
    if (!el) return undefined;
    // The text and the diff's marked words are read together, from one element in one evaluation: a
    // hover can be closed or drawn again between two reads (a busy machine), and then the second read
    // would see no hover at all. Wait until the verbatim hover is drawn with its diff.
    const read = () =>
      el
        .evaluate((h) => ({
          text: h.textContent,
          diff: Array.from(h.querySelectorAll("del, s, strong, b")).map((e) => `${e.tagName.toLowerCase()}:${e.textContent}`),
        }))
        .catch(() => undefined);
    const drawn = await waitFor(async () => {
      const r = await read();
      return r && /verbatim: drift/.test(r.text) && r.diff.length > 0 ? r : undefined;
    }, 4000);
    if (drawn) return drawn;
    // The verbatim hover without marked words (reported by the checks below), or no verbatim hover.
    const r = await read();
    return r && /verbatim: drift/.test(r.text) ? r : undefined;
  };
  const hover = await waitFor(openHover, 30000, 500);
  const hoverText = ((hover && hover.text) || "").replace(/\s+/g, " ");
  check(hover, "hovering the drifted words shows the verbatim hover", hoverText.slice(0, 300));
  check(hoverText.includes(HOVER_SOURCE_SENTENCE), "the hover shows the source sentence", hoverText.slice(0, 600));
  const diff = (hover && hover.diff) || [];
  check(diff.some((d) => /^(del|s):100,000$/.test(d)) && diff.some((d) => /^(strong|b):150,000$/.test(d)), "the hover's diff strikes 100,000 and bolds 150,000", diff);
  check(/China, like Russia, opposes NATO expansion\./.test(hoverText), "the hover shows the source's title", hoverText.slice(-300));

  // For the screenshot, make the hover tall enough to show the diff and the source line: drag its
  // free edge (VS Code's hover is resizable, 250 px high at first) towards the top of the editor.
  await enlargeHover(page, hoverSel).catch((e) => log("could not enlarge the hover:", String(e)));
  if (!(await page.isVisible(hoverSel))) {
    // The drag on the hover's edge can close it (a slow machine, a notification taking focus): point at the
    // words again, for a screenshot at the hover's first size.
    log("the hover closed while it was being enlarged; opening it again");
    await page.mouse.move(0, 0);
    await waitFor(openHover, 15000, 500);
  }
  check(await page.isVisible(hoverSel), "the hover stays open for the screenshot");

  // Screenshot of the editor with the drift warning, the hover and the status bar.
  await sleep(300);
  fs.mkdirSync(path.dirname(SHOT), { recursive: true });
  await page.screenshot({ path: SHOT });
  check(fs.existsSync(SHOT) && fs.statSync(SHOT).size > 10000, `screenshot written: ${SHOT}`);
}

async function enlargeHover(page, hoverSel) {
  const geometry = await page.evaluate((sel) => {
    const hover = document.querySelector(sel);
    const resizable = hover && hover.closest(".monaco-resizable-hover");
    const editor = hover && hover.closest(".monaco-editor");
    if (!resizable || !editor) return null;
    const rect = (e) => {
      const b = e.getBoundingClientRect();
      return { x: b.left, y: b.top, w: b.width, h: b.height };
    };
    const sashes = [...resizable.querySelectorAll(".monaco-sash.horizontal:not(.disabled)")].map((s) => ({
      north: s.classList.contains("orthogonal-edge-north"),
      ...rect(s),
    }));
    return { hover: rect(resizable), editor: rect(editor), sashes };
  }, hoverSel);
  if (!geometry || !geometry.sashes.length) return;
  const sash = geometry.sashes[0];
  const x = sash.x + sash.w / 2;
  const y = sash.y + sash.h / 2;
  const target = sash.north
    ? Math.max(geometry.editor.y + 8, y - 260)
    : Math.min(geometry.editor.y + geometry.editor.h - 8, y + 260);
  // Reach the edge through the hover itself so that it stays open.
  await page.mouse.move(x, sash.north ? y + 40 : y - 40, { steps: 4 });
  await page.mouse.move(x, y, { steps: 4 });
  await page.mouse.down();
  await page.mouse.move(x, target, { steps: 10 });
  await page.mouse.up();
  // Rest the pointer inside the hover.
  const after = await page.$eval(sel(hoverSel), (e) => {
    const b = e.getBoundingClientRect();
    return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
  });
  await page.mouse.move(after.x, after.y, { steps: 4 });
  await sleep(300);
}
const sel = (s) => s;

async function main() {
  const t0 = Date.now();
  let context;
  let page;
  try {
    context = await chromium.launchPersistentContext(PROFILE, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 960 },
      timeout: 60000,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    check(true, `headless Chromium ${context.browser() ? context.browser().version() : ""} started`.replace(/ +started/, " started"));
    page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(30000);
    if (verbose) page.on("console", (m) => m.type() === "error" && console.log("# console:", m.text().slice(0, 200)));
    // Opening the draft in the editor is what starts the server on it.
    await openDraft(page);
    await extensionHostChecks();
    await pageChecks(page);
  } catch (e) {
    if (!(e instanceof Abort)) check(false, "the test ran to the end", String((e && e.stack) || e));
  } finally {
    if (tallies.failed && page && FAILSHOT) {
      await page.screenshot({ path: FAILSHOT }).then(() => console.log(`# screenshot of the failure: ${FAILSHOT}`)).catch(() => {});
    }
    if (context) await context.close().catch(() => {});
  }
  console.log(`# driver: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exitCode = tallies.failed ? 1 : 0;
}

const hardStop = setTimeout(() => {
  console.log("not ok - the browser driver finished within 240 s");
  process.exit(1);
}, 240000);
hardStop.unref();
main();
