// Local overrides and edgeflag/devtools in a real browser (Debian's Chromium through
// playwright-core, skipped when absent): `?edgeflag=` and localStorage are honoured only when
// allowed, with reason OVERRIDE; a malformed part costs one console warning naming it; the dev
// panel is a separate download fetched only when shown, lists every flag with value, variant
// and reason, and its flips apply at once and survive a reload.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { launch, NO_CHROMIUM } from "./helpers/chromium.mjs";
import { PKG } from "./helpers/pkg.mjs";
import { makeSigner, payload } from "./helpers/signer.mjs";

const skip = NO_CHROMIUM;

/** The app split as a bundler splits it: the dev panel is its own chunk, fetched by import(). */
async function bundle() {
  const result = await build({
    entryPoints: { app: fileURLToPath(new URL("./helpers/devtools-entry.mjs", import.meta.url)) },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outdir: "/virtual",
    write: false,
    logLevel: "error",
  });
  return new Map(result.outputFiles.map((f) => [`/${basename(f.path)}`, Buffer.from(f.contents)]));
}

const signer = makeSigner();
const envelope = signer.envelope(payload());
const config = (allow) => ({ publicKeys: [signer.publicKey], owner: "shop", environment: "production", allow });
const page_html = (cfg) => `<!doctype html><html><head>
<script type="application/json" id="edgeflag-bootstrap">${envelope}</script>
<script type="application/json" id="config">${JSON.stringify(cfg)}</script>
<script type="module" src="/app.js"></script></head><body></body></html>`;

let files;
let server;
let browser;
const requested = [];
let cfg = config(true);
test.before(async () => {
  if (skip) return;
  files = await bundle();
  const wasm = readFileSync(`${PKG}/web/edgeflag_bg.wasm`);
  server = createServer((req, res) => {
    const path = req.url.split("?")[0];
    requested.push(path);
    if (path === "/") return res.writeHead(200, { "content-type": "text/html" }), res.end(page_html(cfg));
    if (path === "/favicon.ico") return res.writeHead(204), res.end();
    if (files.has(path)) return res.writeHead(200, { "content-type": "text/javascript" }), res.end(files.get(path));
    if (path === "/web/edgeflag_bg.wasm") return res.writeHead(200, { "content-type": "application/wasm" }), res.end(wasm);
    res.writeHead(404), res.end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  browser = await launch();
});
test.after(async () => {
  await browser?.close();
  server?.close();
});

/** A fresh browser context (own storage and cookies) at `/` + `query`, with `stored` in localStorage first. */
async function open(t, query = "", stored) {
  const context = await browser.newContext();
  t.after(() => context.close());
  if (stored !== undefined) await context.addInitScript((v) => localStorage.setItem("edgeflag:overrides", v), stored);
  const page = await context.newPage();
  const messages = [];
  page.on("console", (m) => ["error", "warning"].includes(m.type()) && messages.push(m.text()));
  page.on("pageerror", (e) => messages.push(String(e)));
  await page.goto(`http://127.0.0.1:${server.address().port}/${query}`);
  await page.waitForFunction(() => window.__edgeflag !== undefined);
  const read = (key, def) => page.evaluate(([k, d]) => window.__edgeflag.read(k, d), [key, def]);
  return { page, messages, read };
}

test("allowed: ?edgeflag= and localStorage override flags (the URL wins), reason OVERRIDE", { skip }, async (t) => {
  cfg = config(true);
  const { read, messages } = await open(t, "?edgeflag=new-checkout:true,banner:from%20the%20URL", "banner:stored,experiment:treatment");
  assert.deepEqual(await read("new-checkout", false), { value: true, reason: "OVERRIDE" });
  assert.deepEqual(await read("banner", ""), { value: "from the URL", reason: "OVERRIDE" });
  assert.deepEqual(await read("experiment", ""), { value: "treatment", reason: "OVERRIDE" });
  assert.deepEqual(messages, []);
});

test("not allowed: the same URL and storage change nothing, and warn about nothing", { skip }, async (t) => {
  for (const allow of [false, undefined]) {
    cfg = config(allow);
    const { read, messages } = await open(t, "?edgeflag=new-checkout:true,oops", "banner:stored");
    assert.deepEqual(await read("new-checkout", true), { value: false, reason: "STATIC" });
    assert.notEqual((await read("banner", "")).reason, "OVERRIDE");
    assert.deepEqual(messages, []);
  }
});

test("a malformed override string is ignored with one console warning naming the part", { skip }, async (t) => {
  cfg = config(true);
  const { read, messages } = await open(t, "?edgeflag=new-checkout:true,oops,:empty-key");
  assert.equal(messages.length, 1, messages.join("\n"));
  assert.match(messages[0], /ignored malformed override "oops", ":empty-key" in \?edgeflag=/);
  assert.deepEqual(await read("new-checkout", false), { value: true, reason: "OVERRIDE" });
});

test("the dev panel loads only when shown, lists every flag, and flips survive a reload until reset", { skip }, async (t) => {
  cfg = config(true);
  requested.length = 0;
  const { page, read, messages } = await open(t);
  // esbuild puts what the app and the panel share (the override format) in a shared chunk.
  const chunks = [...files].filter(([, code]) => code.includes("edgeflag-devtools")).map(([f]) => f);
  assert.equal(chunks.length, 1, "the panel is a chunk of its own");
  assert.notEqual(chunks[0], "/app.js");
  assert.deepEqual(requested.filter((r) => chunks.includes(r)), [], "not fetched before it is shown");

  await page.evaluate(() => window.__edgeflag.showDevtools());
  assert.ok(requested.some((r) => chunks.includes(r)), "fetched when shown");
  await page.evaluate(() => window.__edgeflag.showDevtools());
  assert.equal(await page.locator("edgeflag-devtools").count(), 1, "one panel per client");
  const rows = () => page.evaluate(() =>
    [...window.__edgeflag.panel.shadowRoot.querySelectorAll("tr[data-flag]")].map((tr) => [...tr.cells].slice(0, 4).map((c) => c.textContent)));
  assert.deepEqual(await rows(), [
    ["banner", '"banner-v1"', "a", "STATIC"],
    ["experiment", JSON.stringify(await read("experiment", "").then((d) => d.value)), (await page.evaluate(() => window.__edgeflag.client.details("experiment", { targetingKey: "u1" }, "").variant)), "SPLIT"],
    ["new-checkout", "false", "off", "STATIC"],
  ]);

  // Flip the boolean, set the string: both apply now, with reason OVERRIDE.
  const panel = (selector) => page.locator("edgeflag-devtools").locator(selector);
  await panel('tr[data-flag="new-checkout"] button[data-action="flip"]').click();
  await panel('tr[data-flag="banner"] input').fill("Hello, world: 100%");
  await panel('tr[data-flag="banner"] input').press("Enter");
  assert.deepEqual(await read("new-checkout", false), { value: true, reason: "OVERRIDE" });
  assert.deepEqual(await read("banner", ""), { value: "Hello, world: 100%", reason: "OVERRIDE" });
  await page.waitForFunction(() => window.__edgeflag.panel.shadowRoot.querySelector('tr[data-flag="new-checkout"] td.reason')?.textContent === "OVERRIDE");
  const kept = await page.evaluate(() => ({ stored: localStorage.getItem("edgeflag:overrides"), cookie: document.cookie }));
  assert.equal(kept.stored, "new-checkout:true,banner:Hello%2C%20world%3A%20100%25");
  assert.match(kept.cookie, /edgeflag-overrides=new-checkout%3Atrue%2Cbanner%3AHello%252C/, "the worker's cookie too");

  // A reload keeps them (the client reads localStorage); reset releases everything.
  await page.reload();
  await page.waitForFunction(() => window.__edgeflag !== undefined);
  assert.deepEqual(await read("new-checkout", false), { value: true, reason: "OVERRIDE" });
  assert.deepEqual(await read("banner", ""), { value: "Hello, world: 100%", reason: "OVERRIDE" });
  await page.evaluate(() => window.__edgeflag.showDevtools());
  await panel("button:text('reset all overrides')").click();
  assert.deepEqual(await read("new-checkout", false), { value: false, reason: "STATIC" });
  const cleared = await page.evaluate(() => ({ stored: localStorage.getItem("edgeflag:overrides"), cookie: document.cookie }));
  assert.deepEqual(cleared, { stored: null, cookie: "" });
  assert.deepEqual(messages, []);
});
