// The companion module (the build with `matches`, edgeflag/regex) in Node.js: a client imports
// it only when a snapshot uses `matches`, switches to it without the application noticing
// (bootstrap, polling, a restored last-known-good), and never imports it otherwise. Each
// scenario runs in a child process with a loader hook that logs every module loaded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "edgeflag-companion-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a scenario of helpers/regex-scenarios.mjs: `{ result, companion }` (modules of the companion loaded). */
function scenario(name) {
  const log = join(dir, `${name}.log`);
  const out = execFileSync(process.execPath, ["--import", "./helpers/count-imports.mjs", "./helpers/regex-scenarios.mjs", name], {
    cwd: import.meta.dirname,
    encoding: "utf8",
    env: { ...process.env, EDGEFLAG_IMPORT_LOG: log },
  });
  const loaded = readFileSync(log, "utf8").split("\n").filter(Boolean);
  assert.ok(loaded.some((u) => u.endsWith("/node.js")), "the hook saw the package's entry");
  return { result: JSON.parse(out), companion: loaded.filter((u) => /\/(regex-node\.js|node-regex\/)/.test(u)) };
}

const MATCHED = { value: true, reason: "TARGETING_MATCH", errorCode: null };
const NOT_MATCHED = { value: false, reason: "STATIC", errorCode: null };

test("a snapshot without `matches` never loads the companion module", () => {
  const { result, companion } = scenario("plain");
  assert.deepEqual(companion, []);
  assert.equal(result.ready, true);
  assert.equal(result.banner, "banner-v1");
  assert.deepEqual(result.staff, { value: false, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
});

test("a bootstrap using `matches`: ready() awaits the companion, which evaluates the flag", () => {
  const { result, companion } = scenario("bootstrap");
  assert.equal(companion.length, 2, `the entry and its glue, once: ${companion}`);
  assert.deepEqual(result, { ready: true, status: "READY", version: 1, ana: MATCHED, bob: NOT_MATCHED, banner: "banner-v1",
    events: ["ready"], errors: [] });
});

test("polling into a snapshot using `matches`: the client switches, keeps its contexts, and restores it from storage", () => {
  const { result, companion } = scenario("poll");
  assert.equal(companion.length, 2, `loaded once: ${companion}`);
  assert.equal(result.ready, true);
  assert.deepEqual(result.before, { value: false, reason: "ERROR", errorCode: "FLAG_NOT_FOUND" });
  assert.deepEqual(result.change, { from: 1, to: 2 });
  assert.deepEqual(result.after, { version: 2, status: "READY", ana: MATCHED, bob: NOT_MATCHED });
  assert.deepEqual(result.restored, { ready: true, version: 2, ana: MATCHED, stored: 1 });
  assert.deepEqual(result.errors, [], "no refusal reached the application");
  assert.deepEqual(result.events, ["ready", "change"]);
});
