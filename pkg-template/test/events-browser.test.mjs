// Analytics events in a real browser (Debian's Chromium through playwright-core, skipped when
// absent): a page's client sends its queued exposures and track() events with
// navigator.sendBeacon when the page is hidden (pagehide when navigating away,
// visibilitychange), to the default endpoint /edgeflag/events on the page's origin; with
// `beacon: false` it sends them with fetch(keepalive) instead. The local server stands in for
// the edge worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { launch, NO_CHROMIUM } from "./helpers/chromium.mjs";
import { contractProblems, startCollector } from "./helpers/collector.mjs";
import { PKG } from "./helpers/pkg.mjs";
import { until } from "./helpers/server.mjs";
import { makeSigner, payload } from "./helpers/signer.mjs";

const skip = NO_CHROMIUM;
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm" };
const signer = makeSigner();
const envelope = signer.envelope(payload());

// The client sends nothing on its own for ten minutes: only hiding the page does.
const page = (events) => `<!doctype html><html><head>
<script type="application/json" id="edgeflag-bootstrap">${envelope}</script>
<script type="module">
import { createClient } from "/pkg/index.js";
const flags = createClient({ publicKeys: ${JSON.stringify([signer.publicKey])}, environment: "production", owner: "shop",
  storage: null, bootstrap: document.getElementById("edgeflag-bootstrap").textContent, events: ${JSON.stringify(events)} });
window.__flags = flags;
window.__variant = flags.string("experiment", { targetingKey: "browser-1" }, "control");
flags.track("purchase", { unit: "browser-1", value: 5 });
window.__queued = flags.eventStats().queued;
</script></head><body>shop</body></html>`;

let browser;
test.before(async () => {
  if (!skip) browser = await launch();
});
test.after(() => browser?.close());

/** A collector that also serves the page (`/?beacon=0` for `beacon: false`), a blank page and the package. */
async function serve(t) {
  return startCollector(t, (req, res, path) => {
    if (path === "/") {
      const events = { flushIntervalMs: 600_000, ...(req.url.includes("beacon=0") ? { beacon: false } : {}) };
      return res.writeHead(200, { "content-type": "text/html" }).end(page(events));
    }
    if (path === "/next") return res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html>next");
    const file = normalize(join(PKG, path.replace(/^\/pkg\//, "")));
    if (!path.startsWith("/pkg/") || !file.startsWith(PKG) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
}

async function open(t, collector, query = "") {
  const context = await browser.newContext();
  t.after(() => context.close());
  const tab = await context.newPage();
  const errors = [];
  tab.on("pageerror", (e) => errors.push(String(e)));
  await tab.goto(`${collector.origin}/${query}`);
  await tab.waitForFunction(() => window.__queued !== undefined);
  assert.deepEqual(errors, []);
  assert.equal(await tab.evaluate(() => window.__queued), 2, "an exposure and a track event queued");
  assert.equal(collector.requests.length, 0, "nothing sent while the page is visible");
  return tab;
}

function checkBatch(body, variant) {
  assert.deepEqual(contractProblems(body), []);
  assert.deepEqual(body.events.map(({ at, ...e }) => e), [
    { kind: "exposure", flag: "experiment", variant, ruleId: null, version: 1, unit: "browser-1" },
    { kind: "track", event: "purchase", unit: "browser-1", value: 5 },
  ]);
}

test("navigating away (pagehide) sends the queue with sendBeacon to /edgeflag/events", { skip }, async (t) => {
  const collector = await serve(t);
  const tab = await open(t, collector);
  const variant = await tab.evaluate(() => window.__variant);
  await tab.goto(`${collector.origin}/next`);
  await until(() => collector.requests.length === 1, 10_000, "the beacon");
  const [beacon] = collector.requests;
  assert.equal(beacon.path, "/edgeflag/events", "the default endpoint, on the page's origin");
  assert.equal(beacon.contentType, "text/plain;charset=UTF-8", "what sendBeacon sends for text");
  checkBatch(beacon.body, variant);
});

test("a hidden page (visibilitychange) sends with sendBeacon and keeps working", { skip }, async (t) => {
  const collector = await serve(t);
  const tab = await open(t, collector);
  const variant = await tab.evaluate(() => window.__variant);
  // Headless Chromium keeps its pages visible: hide this one as the browser would.
  await tab.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  await until(() => collector.requests.length === 1, 10_000, "the beacon");
  assert.equal(collector.requests[0].contentType, "text/plain;charset=UTF-8");
  checkBatch(collector.requests[0].body, variant);
  assert.deepEqual(await tab.evaluate(() => window.__flags.eventStats()), { queued: 0, sent: 2, dropped: 0, invalid: 0, failedBatches: 0, retries: 0 });
  // Visible again: nothing more is sent until there is something new.
  await tab.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
    window.__flags.track("again", { unit: "browser-1" });
    return window.__flags.flush();
  });
  assert.equal(collector.requests.length, 2);
  assert.equal(collector.requests[1].contentType, "application/json", "flush() uses fetch");
  assert.deepEqual(collector.requests[1].body.events.map((e) => e.event), ["again"]);
});

test("with beacon: false, hiding the page sends with fetch(keepalive)", { skip }, async (t) => {
  const collector = await serve(t);
  const tab = await open(t, collector, "?beacon=0");
  const variant = await tab.evaluate(() => window.__variant);
  await tab.goto(`${collector.origin}/next`);
  await until(() => collector.requests.length === 1, 10_000, "the keepalive request");
  assert.equal(collector.requests[0].contentType, "application/json");
  checkBatch(collector.requests[0].body, variant);
});
