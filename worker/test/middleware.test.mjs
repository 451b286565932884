// Middleware mode (ORIGIN_URL): proxying with the flags in a request header, the context from
// the request, the bootstrap injected into HTML with HTMLRewriter, streaming kept, and the
// static-assets hook.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "edgeflag";
import { ENVIRONMENT, OWNER, makeSigner, payload } from "./helpers/signer.mjs";
import { startOrigin } from "./helpers/origin.mjs";
import { startWorker, varsFor } from "./helpers/worker.mjs";
import { setup } from "./helpers/setup.mjs";


/** A worker in middleware mode in front of a separate site origin. */
async function proxied(t, { flags, cf } = {}) {
  const site = await startOrigin(t, { name: "site" });
  const env = await setup(t, { flags, cf, vars: { ORIGIN_URL: site.url } });
  return { ...env, site };
}

/** The bootstrap element of a page, parsed. */
function bootstrapOf(html) {
  const m = /<script type="application\/json" id="edgeflag-bootstrap">([^<]*)<\/script>/.exec(html);
  assert.ok(m, `no bootstrap in ${html.slice(0, 200)}`);
  return JSON.parse(m[1]);
}

test("requests are proxied with path, query, method and body; flags travel in x-edgeflag-flags", async (t) => {
  const { worker, site } = await proxied(t);
  const res = await worker.fetch("/echo?a=1&b=two", {
    method: "POST",
    headers: { "x-user-id": "user-42", "content-type": "text/plain", "x-edgeflag-flags": '{"new-checkout":true}', "x-edgeflag-version": "999" },
    body: "hello origin",
  });
  assert.equal(res.status, 200);
  const echo = await res.json();
  assert.deepEqual([echo.origin, echo.method, echo.url, echo.body], ["site", "POST", "/echo?a=1&b=two", "hello origin"]);
  const h = echo.headers;
  // What the client sent under x-edgeflag-* is gone; only the worker's values arrive.
  assert.equal(h["x-edgeflag-version"], "1");
  assert.equal(h["x-edgeflag-user"], "user-42");
  assert.equal(h["x-edgeflag-status"], "READY");
  assert.equal(h["x-edgeflag-route"], "stable");
  assert.equal(h["x-forwarded-proto"], "http");
  const flags = JSON.parse(h["x-edgeflag-flags"]);
  assert.equal(flags["new-checkout"], false);
  assert.deepEqual(flags.banner, { text: "Hello </script><b>ü", color: "red" });
  assert.match(h["x-edgeflag-flags"], /^[\x20-\x7e]+$/, "ASCII only");
  // The same values OFREP gives for the same context.
  const bulk = await worker.ofrep("", { context: { targetingKey: "user-42", country: "US" } });
  assert.deepEqual(flags, Object.fromEntries(bulk.body.flags.map((f) => [f.key, f.value])));
  assert.equal(site.pageRequests.at(-1).headers["x-edgeflag-flags"], h["x-edgeflag-flags"]);
});

test("the context comes from the user id, request.cf and request headers", async (t) => {
  const { worker } = await proxied(t, { cf: { country: "DE", region: "Berlin", city: "Berlin", asn: 3320, colo: "TXL" } });
  const res = await worker.fetch("/page", { headers: { cookie: "a=b; edgeflag-uid=cookie-user-7", "accept-language": "de-DE,de;q=0.9", "user-agent": "test-agent" } });
  const boot = bootstrapOf(await res.text());
  assert.deepEqual(boot.context, {
    targetingKey: "cookie-user-7",
    country: "DE",
    region: "Berlin",
    city: "Berlin",
    colo: "TXL",
    asn: 3320,
    ip: "127.0.0.1",
    userAgent: "test-agent",
    language: "de-DE",
    host: "127.0.0.1",
    path: "/page",
  });
  assert.equal(boot.values["new-checkout"], true, "rule on country DE");
  assert.equal(res.headers.get("set-cookie"), null, "a known user gets no new cookie");
  // The header names the user even when a cookie is present; per-request cf too.
  const viaHeader = await worker.dispatch("/page", { headers: { "x-user-id": "hdr-1", cookie: "edgeflag-uid=c" }, cf: { country: "FR" } });
  const boot2 = bootstrapOf(await viaHeader.text());
  assert.deepEqual([boot2.context.targetingKey, boot2.context.country, boot2.values["new-checkout"]], ["hdr-1", "FR", false]);
});

test("an anonymous user gets a random id in a cookie, and keeps it", async (t) => {
  const { worker } = await proxied(t);
  const res = await worker.fetch("/data.json");
  const cookie = res.headers.get("set-cookie");
  assert.match(cookie, /^edgeflag-uid=[0-9a-f-]{36}; Path=\/; Max-Age=\d+; SameSite=Lax; HttpOnly$/);
  const uid = /edgeflag-uid=([^;]+)/.exec(cookie)[1];
  const echo = await (await worker.fetch("/echo", { headers: { cookie: `edgeflag-uid=${uid}` } })).json();
  assert.equal(echo.headers["x-edgeflag-user"], uid);
  // A malformed id is replaced.
  const bad = await worker.fetch("/data.json", { headers: { cookie: "edgeflag-uid=" + "x".repeat(300) } });
  assert.match(bad.headers.get("set-cookie"), /^edgeflag-uid=[0-9a-f-]{36};/);
});

test("HTML gets the bootstrap at the start of <head>: envelope as received, values, context", async (t) => {
  const { worker, site, origin, signer } = await proxied(t);
  const res = await worker.fetch("/page", { headers: { "x-user-id": "u-1" } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-origin-name"), "site");
  assert.equal(res.headers.get("cache-control"), "private, no-cache", "personal: not for shared caches");
  assert.equal(res.headers.get("etag"), null);
  const html = await res.text();
  assert.ok(html.startsWith('<!doctype html><html><head><script type="application/json" id="edgeflag-bootstrap">'), html.slice(0, 120));
  assert.ok(html.endsWith("<title>site</title></head><body><h1>site</h1></body></html>"));
  const boot = bootstrapOf(html);
  assert.equal(boot.envelope, origin.envelope);
  assert.equal(boot.context.targetingKey, "u-1");
  // No value can close the script element: "</script>" in a flag value is escaped.
  assert.equal((html.match(/<\/script>/g) ?? []).length, 1);
  assert.match(html, /Hello \\u003c\/script\\u003e\\u003cb\\u003eü/);
  assert.deepEqual(boot.values.banner, { text: "Hello </script><b>ü", color: "red" });
  assert.equal(site.pageRequests.length, 1);

  // The npm client takes the envelope as its bootstrap and evaluates to the same values.
  const client = createClient({ bootstrap: boot.envelope, publicKeys: [signer.publicKey], owner: OWNER, environment: ENVIRONMENT, storage: null });
  t.after(() => client.close());
  assert.equal(await client.ready(1000), true);
  const all = client.all(boot.context);
  assert.deepEqual(Object.fromEntries(Object.entries(all).map(([k, d]) => [k, d.value])), boot.values);
});

test("without <head> the bootstrap goes before </body>, without either at the end", async (t) => {
  const { worker } = await proxied(t);
  const nohead = await (await worker.fetch("/nohead")).text();
  assert.match(nohead, /^<html><body><p>site without head<\/p><script type="application\/json" id="edgeflag-bootstrap">.*<\/script><\/body><\/html>$/);
  const fragment = await (await worker.fetch("/fragment")).text();
  assert.match(fragment, /^<p>site fragment<\/p><script type="application\/json" id="edgeflag-bootstrap">.*<\/script>$/);
});

test("other responses pass through untouched: JSON, redirects, the origin's own errors", async (t) => {
  const { worker } = await proxied(t);
  const json = await worker.fetch("/data.json", { headers: { "x-user-id": "u" } });
  assert.equal(json.headers.get("etag"), '"data"');
  assert.deepEqual(await json.json(), { origin: "site" });
  const redirect = await worker.fetch("/redirect", { redirect: "manual", headers: { "x-user-id": "u" } });
  assert.deepEqual([redirect.status, redirect.headers.get("location")], [302, "/page"]);
  const broken = await worker.fetch("/broken", { headers: { "x-user-id": "u" } });
  assert.deepEqual([broken.status, await broken.text()], [500, "the origin itself failed"]);
  const missing = await worker.fetch("/nothing-here", { headers: { "x-user-id": "u" } });
  assert.equal(missing.status, 404);
});

for (const type of ["text/html", "text/plain"]) {
  test(`streaming ${type} responses stay streaming`, async (t) => {
    const { worker, site } = await proxied(t);
    // identity: workerd's own gzip for the local client holds small chunks back; what is
    // tested here is that the worker (proxy and HTMLRewriter) does not.
    const headers = { "x-user-id": "u", "accept-encoding": "identity" };
    const res = await worker.fetch(`/stream?type=${encodeURIComponent(type)}`, { headers });
    assert.equal(res.status, 200);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let text = "";
    // The origin holds back its second half until released: the first must arrive before.
    while (!text.includes("part 1")) {
      const { value, done } = await reader.read();
      assert.ok(!done, "ended before part 1");
      text += decoder.decode(value, { stream: true });
    }
    assert.ok(!text.includes("part 2"));
    if (type === "text/html") assert.match(text, /id="edgeflag-bootstrap"/, "injected while streaming");
    site.release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    assert.match(text, /part 2/);
  });
}

test("without a verified snapshot pages are proxied without flags, within the bounded wait", async (t) => {
  const signer = makeSigner();
  const backend = await startOrigin(t, { name: "backend", envelope: signer.envelope(payload()) });
  backend.fault = "slow";
  const site = await startOrigin(t, { name: "site" });
  const worker = await startWorker(t, { vars: varsFor(backend, signer, { ORIGIN_URL: site.url }) });
  const began = Date.now();
  const res = await worker.fetch("/page", { headers: { "x-user-id": "u" } });
  assert.ok(Date.now() - began < 4000);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.doesNotMatch(html, /edgeflag-bootstrap/);
  const echo = await (await worker.fetch("/echo", { headers: { "x-user-id": "u" } })).json();
  assert.equal(echo.headers["x-edgeflag-flags"], undefined);
  assert.equal(echo.headers["x-edgeflag-status"], "NOT_READY");
});

test("an unreachable origin is a 502 from the worker", async (t) => {
  const { worker, site } = await proxied(t);
  await site.down();
  const res = await worker.fetch("/page", { headers: { "x-user-id": "u" } });
  assert.equal(res.status, 502);
});

test("flags beyond 8 KiB are left out of the header, and marked", async (t) => {
  const flags = {};
  for (let i = 0; i < 12; i++) {
    flags[`big-${i}`] = { type: "string", variants: { v: `${i}`.padEnd(1000, "x") }, offVariant: "v", defaultServe: { variant: "v" } };
  }
  const { worker } = await proxied(t, { flags });
  const echo = await (await worker.fetch("/echo", { headers: { "x-user-id": "u" } })).json();
  const header = echo.headers["x-edgeflag-flags"];
  assert.ok(header.length <= 8192, `${header.length} bytes`);
  assert.equal(Object.keys(JSON.parse(header)).length, 8);
  assert.equal(echo.headers["x-edgeflag-flags-truncated"], "1");
});

test("with an ASSETS binding and no ORIGIN_URL, HTML assets get the bootstrap", async (t) => {
  const assets = async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/") return new Response("<html><head></head><body>www</body></html>", { headers: { "content-type": "text/html" } });
    return new Response("body{}", { headers: { "content-type": "text/css" } });
  };
  const { worker, origin } = await setup(t, { assets });
  assert.equal((await worker.health()).body.mode, "assets");
  const page = await worker.fetch("/", { headers: { "x-user-id": "u-5" } });
  const boot = bootstrapOf(await page.text());
  assert.deepEqual([boot.envelope, boot.context.targetingKey], [origin.envelope, "u-5"]);
  const css = await worker.fetch("/style.css");
  assert.equal(await css.text(), "body{}");
});
