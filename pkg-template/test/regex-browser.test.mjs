// The companion module (`matches`) in a real browser (Debian's Chromium through playwright-core,
// skipped when absent), the package served unbundled: a page whose snapshot uses `matches`
// fetches the companion (its entry, glue and wasm) and evaluates the flag; a page whose snapshot
// does not fetches nothing of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { launch, NO_CHROMIUM } from "./helpers/chromium.mjs";
import { PKG } from "./helpers/pkg.mjs";
import { makeSigner, payload } from "./helpers/signer.mjs";

const skip = NO_CHROMIUM;
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm" };
const signer = makeSigner();
const staff = { type: "boolean", variants: { on: true, off: false }, offVariant: "off", defaultServe: { variant: "off" },
  rules: [{ id: "corp", conditions: [{ attribute: "email", op: "matches", values: ["@corp\\.example$"] }], serve: { variant: "on" } }] };
const SNAPSHOTS = { plain: signer.envelope(payload()), regex: signer.envelope(payload({ flags: { staff } })) };

const html = (kind) => `<!doctype html><body><script type="module">
import { createClient } from "/pkg/index.js";
const flags = createClient({ url: "/snapshot/${kind}", publicKeys: ["${signer.publicKey}"], environment: "production",
  owner: "shop", storage: null });
const errors = [];
flags.on("error", (e) => errors.push(e.error.code));
const ready = await flags.ready(5000);
const d = flags.details("staff", { email: "ana@corp.example" }, false);
window.__result = { ready, status: flags.status, staff: d.value, reason: d.reason, banner: flags.string("banner", {}, "none"), errors };
flags.close();
</script>`;

let server;
let browser;
const requested = [];
test.before(async () => {
  if (skip) return;
  server = createServer((req, res) => {
    const path = req.url.split("?")[0];
    requested.push(path);
    const page = /^\/page\/(plain|regex)$/.exec(path);
    if (page) return res.writeHead(200, { "content-type": "text/html" }), res.end(html(page[1]));
    const snap = /^\/snapshot\/(plain|regex)$/.exec(path);
    if (snap) return res.writeHead(200, { "content-type": "application/json" }), res.end(SNAPSHOTS[snap[1]]);
    const file = normalize(join(PKG, path.replace(/^\/pkg\//, "")));
    if (!path.startsWith("/pkg/") || !file.startsWith(PKG) || !existsSync(file)) return res.writeHead(404), res.end();
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  browser = await launch();
});
test.after(async () => {
  await browser?.close();
  server?.close();
});

/** Opens /page/<kind> in a fresh context; returns the page's result and the paths it requested. */
async function visit(t, kind) {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  requested.length = 0;
  await page.goto(`http://127.0.0.1:${server.address().port}/page/${kind}`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 20_000 });
  const result = await page.evaluate(() => window.__result);
  assert.deepEqual(problems, []);
  return { result, companion: requested.filter((p) => /regex/.test(p) && !p.startsWith("/page/") && !p.startsWith("/snapshot/")) };
}

test("a page whose snapshot uses `matches` fetches the companion module and evaluates the flag", { skip }, async (t) => {
  const { result, companion } = await visit(t, "regex");
  assert.deepEqual(result, { ready: true, status: "READY", staff: true, reason: "TARGETING_MATCH", banner: "banner-v1", errors: [] });
  assert.deepEqual(companion.sort(), ["/pkg/regex.js", "/pkg/web-regex/edgeflag.js", "/pkg/web-regex/edgeflag_bg.wasm"]);
});

test("a page whose snapshot does not use `matches` fetches nothing of the companion", { skip }, async (t) => {
  const { result, companion } = await visit(t, "plain");
  assert.deepEqual(result, { ready: true, status: "READY", staff: false, reason: "ERROR", banner: "banner-v1", errors: [] });
  assert.deepEqual(companion, []);
  assert.ok(requested.includes("/pkg/web/edgeflag_bg.wasm"), "the core wasm was fetched");
});
