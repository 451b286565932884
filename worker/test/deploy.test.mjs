// `wrangler deploy --dry-run` bundles the worker with the package's workerd entry and the wasm
// as a module, without credentials; the gzipped size is reported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wranglerDryRun } from "./helpers/worker.mjs";

test("wrangler deploy --dry-run builds the bundle: one module and the wasm as a module", (t) => {
  const out = mkdtempSync(join(tmpdir(), "edgeflag-deploy-"));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const log = wranglerDryRun(out);
  const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(log);
  assert.ok(size, log);
  t.diagnostic(`bundle: ${size[1]} KiB, gzipped ${size[2]} KiB (wrangler's figures)`);
  assert.ok(Number(size[2]) < 1024, "well under the Workers free-plan limit of 3 MiB gzipped");
  assert.match(log, /--dry-run: exiting now/);
  const files = readdirSync(out);
  const wasm = files.filter((f) => f.endsWith(".wasm"));
  assert.equal(wasm.length, 1, files.join(", "));
  const entry = readFileSync(join(out, "index.js"), "utf8");
  // The package's workerd entry: the wasm is imported as a compiled module, never fetched.
  assert.ok(entry.includes(`from "./${wasm[0]}"`), "the wasm is imported as a module");
  // initSync({ module }) called with it (names may be minified).
  assert.match(entry, /\(\{\s*module:\s*\w+\s*\}\)/);
  assert.doesNotMatch(entry, /edgeflag_bg\.wasm", import\.meta\.url/, "the browser entry is not bundled");
});
