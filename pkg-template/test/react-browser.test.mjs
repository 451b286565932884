// edgeflag/react in a real browser (Debian's Chromium through playwright-core, skipped when
// absent): the server renders with a verified snapshot and writes its envelope into the page;
// the browser's client verifies it before hydrateRoot, which then sees exactly the server's
// values (no hydration warning, no request before hydration). A snapshot change re-renders
// only the component whose flag changed; a context change re-evaluates with no request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { build } from "esbuild";
import { launch, NO_CHROMIUM } from "./helpers/chromium.mjs";
import { createClient } from "edgeflag";
import { bootstrapScript } from "edgeflag/react";
import { App } from "./helpers/react-app.mjs";
import { PKG } from "./helpers/pkg.mjs";
import { makeSigner, payload } from "./helpers/signer.mjs";


/** The browser bundle: React in development mode (it reports hydration mismatches), the app, edgeflag. */
async function bundle() {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./helpers/react-entry.mjs", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    define: { "process.env.NODE_ENV": '"development"' },
    write: false,
    logLevel: "error",
  });
  return Buffer.from(result.outputFiles[0].contents);
}

/**
 * Serves the page (`html`), the app bundle, the wasm and `/snapshot` (`snapshot()`, counted in
 * `requests`) on a free port; opens it in Chromium and collects console errors and warnings.
 */
async function open(t, html, snapshot = () => "{}") {
  const app = await bundle();
  const wasm = readFileSync(`${PKG}/web/edgeflag_bg.wasm`);
  const requests = [];
  const server = createServer((req, res) => {
    if (req.url === "/") return res.writeHead(200, { "content-type": "text/html" }), res.end(typeof html === "function" ? html() : html);
    if (req.url === "/favicon.ico") return res.writeHead(204), res.end();
    if (req.url === "/app.js") return res.writeHead(200, { "content-type": "text/javascript" }), res.end(app);
    if (req.url === "/web/edgeflag_bg.wasm") return res.writeHead(200, { "content-type": "application/wasm" }), res.end(wasm);
    if (req.url === "/snapshot") {
      requests.push(req.url);
      return res.writeHead(200, { "content-type": "application/json" }), res.end(snapshot());
    }
    res.writeHead(404), res.end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const browser = await launch();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const messages = [];
  page.on("console", (m) => ["error", "warning"].includes(m.type()) && messages.push(m.text()));
  page.on("pageerror", (e) => messages.push(String(e)));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForFunction(() => window.__edgeflag?.setContext !== undefined);
  return { page, requests, messages, server };
}

/** The page a server renders: the app's HTML, the bootstrap (as `bootstrap` makes it) and the config. */
function render(client, config, bootstrap = (c) => bootstrapScript(c, { context: config.context })) {
  const rendered = renderToString(h(App, { client, context: config.context }));
  return {
    rendered,
    html: `<!doctype html><html><body><div id="root">${rendered}</div>${bootstrap(client)}
<script type="application/json" id="config">${JSON.stringify(config)}</script>
<script type="module" src="/app.js"></script></body></html>`,
  };
}

const shown = () => ({
  banner: document.getElementById("banner").textContent,
  checkout: document.getElementById("checkout").textContent,
  status: document.getElementById("status").textContent,
});

test("hydration sees the server's values; only changed flags re-render; contexts need no request", { skip: NO_CHROMIUM }, async (t) => {
  const signer = makeSigner();
  const config = { publicKeys: [signer.publicKey], owner: "shop", environment: "production", context: { targetingKey: "u1", plan: "pro" } };
  let envelope = signer.envelope(payload({ version: 1 }));
  const server_client = createClient({ ...config, storage: null, bootstrap: envelope });
  const { rendered, html } = render(server_client, config);
  const { page, requests, messages: console_messages } = await open(t, html, () => envelope);
  const first = await page.evaluate((shown) => ({
    ...eval(`(${shown})`)(),
    before: window.__edgeflag.statusBeforeHydration,
    renders: { ...window.__edgeflag.renders },
  }), shown.toString());
  assert.deepEqual(first, { banner: "banner-v1", checkout: "new checkout", status: "READY", before: "READY", renders: { banner: 1, checkout: 1 } });
  assert.ok(rendered.includes("banner-v1") && rendered.includes("new checkout"), rendered);
  assert.deepEqual(console_messages, [], "no hydration warning, no error");
  assert.equal(requests.length, 0, "no request before (or during) hydration");

  // A newer snapshot changes the banner only: Banner renders again, Checkout does not.
  envelope = signer.envelope(payload({ version: 2 }));
  await page.evaluate(() => window.__edgeflag.client.refresh());
  await page.waitForFunction(() => document.getElementById("banner").textContent === "banner-v2");
  const after = await page.evaluate(() => ({ ...window.__edgeflag.renders }));
  assert.deepEqual(after, { banner: 2, checkout: 1 });

  // A new context re-evaluates locally: the checkout changes, no request is made.
  const before = requests.length;
  await page.evaluate(() => window.__edgeflag.setContext({ targetingKey: "u2", plan: "free" }));
  await page.waitForFunction(() => document.getElementById("checkout").textContent === "old checkout");
  assert.equal(requests.length, before, "a context change makes no request");
  assert.deepEqual(console_messages, []);
});

test("a bootstrap that fails verification: hydration without a mismatch, then defaults with ERROR, and the client keeps fetching", { skip: NO_CHROMIUM }, async (t) => {
  const signer = makeSigner();
  const config = { publicKeys: [signer.publicKey], owner: "shop", environment: "production", context: { targetingKey: "u1", plan: "pro" } };
  const good = signer.envelope(payload({ version: 1 }));
  const server_client = createClient({ ...config, storage: null, bootstrap: good });
  // On the way to the browser the envelope's signature was changed: it no longer verifies.
  const parsed = JSON.parse(good);
  const sig = parsed.signatures[0].sig;
  parsed.signatures[0].sig = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
  const forged = { envelope: JSON.stringify(parsed), values: (ctx) => server_client.values(ctx), status: server_client.status };
  const { html } = render(server_client, config, () => bootstrapScript(forged, { context: config.context }));
  let serve = () => "{}"; // the endpoint first answers with nothing valid either
  const { page, requests, messages } = await open(t, html, () => serve());
  await page.waitForFunction(() => document.getElementById("status").textContent === "ERROR");
  const after = await page.evaluate(`(${shown})()`);
  assert.deepEqual(after, { banner: "none", checkout: "old checkout", status: "ERROR" }, "the defaults, after hydrating the server's values");
  const hydrated = await page.evaluate(() => window.__edgeflag.statusBeforeHydration);
  assert.equal(hydrated, "ERROR", "the client refused the bootstrap before hydrating");
  const reason = await page.evaluate(() => window.__edgeflag.client.details("new-checkout", { plan: "pro" }, false).reason);
  assert.equal(reason, "ERROR");
  assert.deepEqual(messages.filter((m) => !/Failed to load resource/.test(m)), [], "no hydration warning");
  // It keeps fetching: once the endpoint serves a verified snapshot, the real values return.
  serve = () => good;
  await page.evaluate(() => window.__edgeflag.client.refresh());
  await page.waitForFunction(() => document.getElementById("checkout").textContent === "new checkout");
  assert.ok(requests.length >= 2, `requests: ${requests.length}`);
});

test("a server without a snapshot: a returning visitor with a stored one hydrates the server's defaults, then shows its own", { skip: NO_CHROMIUM }, async (t) => {
  const signer = makeSigner();
  const config = { publicKeys: [signer.publicKey], owner: "shop", environment: "production", context: { targetingKey: "u1", plan: "pro" }, storage: true };
  const good = signer.envelope(payload({ version: 1 }));
  // First visit: the server has the snapshot; the browser keeps it in localStorage.
  let page_html = render(createClient({ ...config, storage: null, bootstrap: good }), config).html;
  const { page, messages } = await open(t, () => page_html);
  await page.waitForFunction(() => localStorage.length > 0);
  // Next visit: the server could not get a snapshot (defaults, a bootstrap without an envelope).
  const empty = createClient({ ...config, storage: null });
  page_html = render(empty, config).html;
  assert.match(page_html, /"envelope":null/);
  assert.match(page_html, /<p id="checkout">old checkout<\/p>/);
  await page.reload();
  await page.waitForFunction(() => window.__edgeflag?.setContext !== undefined);
  await page.waitForFunction(() => document.getElementById("checkout").textContent === "new checkout");
  assert.equal(await page.evaluate(() => window.__edgeflag.statusBeforeHydration), "READY", "the stored snapshot, verified before hydrating");
  assert.deepEqual(messages, [], "no hydration warning");
  empty.close();
});
