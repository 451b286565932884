// The browser entry in a real browser (Debian's headless Chromium, skipped when absent): the
// wasm is fetched next to index.js, the client polls its origin, persists the last-known-good
// in localStorage and restores it on the next page load while the backend is down.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { PKG } from "./helpers/pkg.mjs";
import { makeSigner, payload } from "./helpers/signer.mjs";

const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find(existsSync);
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm" };

const page = (publicKey) => `<!doctype html><body>loading<script type="module">
import { createClient } from "/pkg/index.js";
const result = {};
try {
  const flags = createClient({ url: "/snapshot", publicKeys: ["${publicKey}"], environment: "production", owner: "shop",
    timeoutMs: 2000, minBackoffMs: 50, maxBackoffMs: 100 });
  result.restored = flags.status;
  result.ready = await flags.ready(3000);
  // Then the first refresh: confirmed (READY) or failed (a stale event).
  result.status = await new Promise((resolve) => {
    flags.on("stale", () => resolve(flags.status));
    setTimeout(() => resolve(flags.status), 1500);
  });
  result.banner = flags.string("banner", {}, "default");
  result.stored = Object.keys(localStorage);
  flags.close();
} catch (e) {
  result.error = String(e);
}
document.body.textContent = JSON.stringify(result);
</script>`;

test("the browser entry works in Chromium, with localStorage as last-known-good", { skip: !chromium && process.env.EDGEFLAG_REQUIRE_BROWSER !== "1" && "no chromium" }, async (t) => {
  const signer = makeSigner();
  let snapshot = signer.envelope(payload({ version: 4 }));
  const server = createServer((req, res) => {
    if (req.url === "/") return res.writeHead(200, { "content-type": "text/html" }), res.end(page(signer.publicKey));
    if (req.url === "/snapshot") {
      if (!snapshot) return res.writeHead(500), res.end();
      return res.writeHead(200, { "content-type": "application/json", etag: '"v4"' }), res.end(snapshot);
    }
    const file = normalize(join(PKG, req.url.replace(/^\/pkg\//, "")));
    if (!req.url.startsWith("/pkg/") || !file.startsWith(PKG) || !existsSync(file)) return res.writeHead(404), res.end();
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const profile = mkdtempSync(join(tmpdir(), "edgeflag-chromium-"));
  t.after(() => rmSync(profile, { recursive: true, force: true }));
  // Asynchronous: this process also serves the page.
  const load = async () => {
    const { stdout: html } = await promisify(execFile)(chromium, ["--headless", "--no-sandbox", "--disable-gpu", `--user-data-dir=${profile}`,
      "--virtual-time-budget=10000", "--dump-dom", `http://127.0.0.1:${server.address().port}/`],
      { encoding: "utf8", timeout: 60_000 });
    const text = html.replace(/^[\s\S]*<body>/, "").replace(/<\/body>[\s\S]*$/, "");
    return JSON.parse(text);
  };
  const first = await load();
  assert.deepEqual(first, { restored: "NOT_READY", ready: true, status: "READY", banner: "banner-v4", stored: ["edgeflag:shop:production"] });
  snapshot = undefined; // the backend fails from now on
  const second = await load();
  assert.equal(second.restored, "READY", "restored from localStorage before any request");
  assert.equal(second.ready, true);
  assert.equal(second.banner, "banner-v4");
  assert.equal(second.status, "STALE", "the refresh failed");
});
