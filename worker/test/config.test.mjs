// Configuration from vars: every mistake answers 500 on /edgeflag/health with a message
// naming the variable, the isolate keeps answering, and flags problems never stop a site.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertOfrep } from "./helpers/ofrep-schema.mjs";
import { makeSigner, payload } from "./helpers/signer.mjs";
import { startOrigin } from "./helpers/origin.mjs";
import { startWorker, varsFor } from "./helpers/worker.mjs";

const zeroKey = `ed25519:${Buffer.alloc(32).toString("base64")}`;
const identityKey = `ed25519:${Buffer.from([1, ...new Array(31).fill(0)]).toString("base64")}`;

const CASES = [
  ["SNAPSHOT_URL missing", { SNAPSHOT_URL: undefined }, /SNAPSHOT_URL is required/],
  ["SNAPSHOT_URL not http(s)", { SNAPSHOT_URL: "ftp://flags.example.com/x?token=s3cret" }, /SNAPSHOT_URL must be an absolute http\(s\) URL/],
  ["PUBLIC_KEYS missing", { PUBLIC_KEYS: " , " }, /PUBLIC_KEYS is required/],
  ["PUBLIC_KEYS without the ed25519: prefix", { PUBLIC_KEYS: "abc" }, /PUBLIC_KEYS entry 1 must look like "ed25519:<base64>"/],
  ["PUBLIC_KEYS not 32 bytes", { PUBLIC_KEYS: "ed25519:AAAA" }, /PUBLIC_KEYS/],
  ["a weak (small-order) public key", { PUBLIC_KEYS: zeroKey }, /PUBLIC_KEYS/],
  ["the identity point as a key", { PUBLIC_KEYS: identityKey }, /PUBLIC_KEYS/],
  ["OWNER missing", { OWNER: "" }, /OWNER is required/],
  ["ENVIRONMENT missing", { ENVIRONMENT: undefined }, /ENVIRONMENT is required/],
  ["REFRESH_SECONDS not a number", { REFRESH_SECONDS: "soon" }, /REFRESH_SECONDS must be a number/],
  ["REFRESH_SECONDS zero", { REFRESH_SECONDS: "0" }, /REFRESH_SECONDS must be a number/],
  ["ORIGIN_URL not a URL", { ORIGIN_URL: "origin.example.com" }, /ORIGIN_URL must be an absolute http\(s\) URL/],
  ["CANARY_FLAG without CANARY_ORIGIN_URL", { ORIGIN_URL: "http://127.0.0.1:9", CANARY_FLAG: "canary" }, /CANARY_FLAG is set but CANARY_ORIGIN_URL is not/],
  ["CANARY_ORIGIN_URL without CANARY_FLAG", { ORIGIN_URL: "http://127.0.0.1:9", CANARY_ORIGIN_URL: "http://127.0.0.1:9" }, /CANARY_ORIGIN_URL is set but CANARY_FLAG is not/],
  ["canary without ORIGIN_URL", { CANARY_FLAG: "c", CANARY_ORIGIN_URL: "http://127.0.0.1:9" }, /canary routing needs ORIGIN_URL/],
];

test("every configuration mistake is a 500 on /edgeflag/health naming the variable", async (t) => {
  const signer = makeSigner();
  const origin = await startOrigin(t, { envelope: signer.envelope(payload()) });
  for (const [name, change, message] of CASES) {
    const vars = Object.fromEntries(Object.entries(varsFor(origin, signer, change)).filter(([, v]) => v !== undefined));
    const worker = await startWorker(t, { vars });
    const h = await worker.health();
    assert.equal(h.status, 500, name);
    assert.match(h.body.message, /^edgeflag worker misconfigured: /, name);
    assert.match(h.body.message, message, `${name}: ${h.body.message}`);
    assert.ok(Array.isArray(h.body.errors) && h.body.errors.length > 0, name);
    assert.doesNotMatch(JSON.stringify(h.body), /s3cret/, "values of variables are never echoed");
    // The isolate keeps answering: again, and on other routes.
    assert.equal((await worker.health()).status, 500, name);
    const ofrep = await worker.ofrep("/theme", { context: { targetingKey: "u" } });
    assert.equal(ofrep.status, /ORIGIN|CANARY/.test(name) ? 200 : 500, `${name}: OFREP ${JSON.stringify(ofrep.body)}`);
    assertOfrep("evaluateFlag", ofrep.status, ofrep.body);
    await worker.dispose();
  }
});

test("the defaults: REFRESH_SECONDS 30, API mode, unknown paths 404", async (t) => {
  const signer = makeSigner();
  const origin = await startOrigin(t, { envelope: signer.envelope(payload()) });
  const vars = varsFor(origin, signer);
  delete vars.REFRESH_SECONDS;
  const worker = await startWorker(t, { vars });
  const h = await worker.health();
  assert.deepEqual([h.status, h.body.refreshSeconds, h.body.mode], [200, 30, "api"]);
  const missing = await worker.fetch("/somewhere");
  assert.equal(missing.status, 404);
  assert.ok((await missing.json()).routes.includes("/edgeflag/health"));
});

test("with bad flag settings but a working ORIGIN_URL, the site is still proxied", async (t) => {
  const signer = makeSigner();
  const origin = await startOrigin(t, { envelope: signer.envelope(payload()) });
  const worker = await startWorker(t, { vars: varsFor(origin, signer, { PUBLIC_KEYS: "nonsense", ORIGIN_URL: origin.url }) });
  assert.equal((await worker.health()).status, 500);
  const page = await worker.fetch("/page");
  assert.equal(page.status, 200);
  assert.doesNotMatch(await page.text(), /edgeflag-bootstrap/);
  const bulk = await worker.ofrep("", { context: { targetingKey: "u" } });
  assertOfrep("evaluateFlagsBulk", 500, bulk.body);
  assert.match(bulk.body.errorDetails, /misconfigured/);
});

test("an unusable ORIGIN_URL answers 500 on pages, and the flags endpoints still work", async (t) => {
  const signer = makeSigner();
  const origin = await startOrigin(t, { envelope: signer.envelope(payload()) });
  const worker = await startWorker(t, { vars: varsFor(origin, signer, { ORIGIN_URL: "not a url" }) });
  assert.equal((await worker.fetch("/page")).status, 500);
  assert.equal((await worker.ofrep("/theme", { context: { targetingKey: "u" } })).status, 200);
  assert.equal((await worker.fetch("/edgeflag/snapshot")).status, 200);
});
