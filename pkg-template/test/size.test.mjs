// The download budget, as a plain test: what a browser fetches from the package (the bundled
// browser entry and the wasm, each gzipped) stays within DOWNLOAD_BUDGET_BYTES.
import { test } from "node:test";
import assert from "node:assert/strict";
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { DOWNLOAD_BUDGET_BYTES, REACT_BUDGET_BYTES, bundle, companion, download, eventsSender, gz, reactAddition } from "../download.mjs";
import { breakdown } from "../breakdown.mjs";

const pkgDir = fileURLToPath(new URL("../../pkg", import.meta.url));

test(`a browser downloads at most ${DOWNLOAD_BUDGET_BYTES} bytes, gzipped`, async (t) => {
  const { jsGzip, wasmGzip, total } = await download(build, pkgDir);
  t.diagnostic(`download: ${total} bytes gzipped (wasm ${wasmGzip} + JavaScript ${jsGzip}), budget ${DOWNLOAD_BUDGET_BYTES}`);
  assert.ok(total <= DOWNLOAD_BUDGET_BYTES, `${total} bytes is over the budget of ${DOWNLOAD_BUDGET_BYTES}`);
  // The measurement itself: both parts are there and plausible.
  assert.ok(wasmGzip > 40_000 && jsGzip > 4_000, `wasm ${wasmGzip}, js ${jsGzip}`);
  // What each part costs (wasm by section and crate, JavaScript by chunk and module).
  for (const line of await breakdown(build, pkgDir)) t.diagnostic(line);
});

test(`edgeflag/react adds at most ${REACT_BUDGET_BYTES} bytes, gzipped, and nothing to the core entry`, async (t) => {
  const added = await reactAddition(build, pkgDir);
  t.diagnostic(`edgeflag/react: ${added} bytes gzipped`);
  assert.ok(added <= REACT_BUDGET_BYTES, `${added} bytes`);
  const { js } = await download(build, pkgDir);
  assert.ok(!js.includes("useSyncExternalStore"), "nothing of React in the core entry");
});

test("the dev panel is in neither the core entry nor edgeflag/react; it is a download of its own", async (t) => {
  const { js } = await download(build, pkgDir);
  assert.ok(!js.includes("edgeflag-devtools"), "the core entry");
  const react = await bundle(build, `export * from ${JSON.stringify(`${pkgDir}/react.js`)};`, pkgDir, ["react", "edgeflag"]);
  assert.ok(!react.includes("edgeflag-devtools"), "edgeflag/react");
  const panel = await bundle(build, `export * from ${JSON.stringify(`${pkgDir}/devtools.js`)};`, pkgDir, ["edgeflag"]);
  t.diagnostic(`edgeflag/devtools: ${gz(panel)} bytes gzipped, loaded only when imported`);
  assert.ok(panel.includes("edgeflag-devtools"), "the measurement bundled the panel");
});

test("the companion module (`matches`) is a download of its own, only for snapshots using it", async (t) => {
  const { js } = await download(build, pkgDir);
  const lazy = await companion(build, pkgDir);
  t.diagnostic(`companion: ${lazy.total} bytes gzipped (wasm ${lazy.wasmGzip} + JavaScript ${lazy.jsGzip}), on top of the download`);
  assert.ok(lazy.js.includes("web-regex/edgeflag_bg.wasm"), "the lazy chunk fetches the companion's wasm");
  assert.ok(!js.includes("web-regex"), "nothing of the companion in the core entry");
  // The measurement itself: the regular-expression engine is in the companion's wasm.
  assert.ok(lazy.wasmGzip > 80_000 && lazy.jsGzip > 2_000, `wasm ${lazy.wasmGzip}, js ${lazy.jsGzip}`);
});

test("the events sender is a download of its own, loaded when a client queues its first event", async (t) => {
  const { js } = await download(build, pkgDir);
  const sender = await eventsSender(build, pkgDir);
  t.diagnostic(`events sender: ${sender.jsGzip} bytes gzipped, on top of the download`);
  assert.ok(sender.js.includes("sendBeacon") && sender.js.includes("visibilitychange"), "the lazy chunk sends the events");
  assert.ok(!js.includes("sendBeacon"), "nothing of the sender in the core entry");
});
