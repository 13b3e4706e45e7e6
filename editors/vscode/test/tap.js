// TAP-style checks shared by the extension's Node tests (e2e.js, late-path.js, e2e/drive.js).
"use strict";

class Abort extends Error {}

/** A fresh tally: `check` prints ok / not ok, `requireThat` also aborts the test on failure. */
function tally() {
  const counts = { passed: 0, failed: 0 };
  function check(ok, what, detail) {
    if (ok) {
      counts.passed += 1;
      console.log(`ok - ${what}`);
    } else {
      counts.failed += 1;
      const d = detail === undefined ? "" : ": " + (typeof detail === "string" ? detail : JSON.stringify(detail));
      console.log(`not ok - ${what}${d.length > 1500 ? d.slice(0, 1500) + "…" : d}`);
    }
    return ok;
  }
  function requireThat(ok, what, detail) {
    if (!check(ok, what, detail)) throw new Abort(what);
  }
  return { counts, check, requireThat };
}

/** Polls `predicate` every `every` ms until it returns a truthy value (returned) or `ms` pass (undefined). */
async function waitFor(predicate, ms, every = 25) {
  const deadline = Date.now() + ms;
  for (;;) {
    let value;
    try {
      value = await predicate();
    } catch (_) {
      value = undefined;
    }
    if (value) return value;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, every));
  }
}

module.exports = { Abort, tally, waitFor };
