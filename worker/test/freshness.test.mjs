// The floors a cold isolate has without a high-water mark of its own: MIN_VERSION and
// MAX_AGE_SECONDS refuse what a cache could replay, and /edgeflag/health names the check.
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeSigner, payload } from "./helpers/signer.mjs";
import { startOrigin, until } from "./helpers/origin.mjs";
import { startWorker, varsFor } from "./helpers/worker.mjs";

const HOUR = 3600_000;

/** A worker with `vars` over a backend serving `envelope`; its health once it has an error. */
async function refusedBy(t, envelope, signer, vars) {
  const backend = await startOrigin(t, { name: "backend", envelope });
  const worker = await startWorker(t, { vars: varsFor(backend, signer, vars) });
  let h;
  await until(async () => {
    h = await worker.health();
    return h.body.lastError !== null;
  }, 15_000, "a refusal");
  return { h, backend, worker };
}

test("MIN_VERSION refuses an older snapshot and names the check on health", async (t) => {
  const signer = makeSigner();
  const { h, backend, worker } = await refusedBy(t, signer.envelope(payload({ version: 5 })), signer, { MIN_VERSION: "6", REFRESH_SECONDS: "0.1" });
  assert.equal(h.status, 503);
  assert.equal(h.body.status, "ERROR");
  assert.equal(h.body.lastError.code, "BELOW_MIN_VERSION");
  assert.match(h.body.lastError.message, /version: 5 is below the minimum version 6/);
  // Version 6 itself is accepted.
  backend.envelope = signer.envelope(payload({ version: 6 }));
  await until(async () => (await worker.health()).body.version === 6, 15_000, "v6 accepted");
});

test("MAX_AGE_SECONDS refuses a snapshot issued too long ago", async (t) => {
  const signer = makeSigner();
  const old = signer.envelope(payload({ version: 3, issuedAt: Date.now() - 2 * HOUR }));
  const { h, backend, worker } = await refusedBy(t, old, signer, { MAX_AGE_SECONDS: "3600", REFRESH_SECONDS: "0.1" });
  assert.equal(h.body.lastError.code, "TOO_OLD");
  assert.match(h.body.lastError.message, /max age: snapshot issued at .* is older than 1h/);
  backend.envelope = signer.envelope(payload({ version: 4, issuedAt: Date.now() - 60_000 }));
  await until(async () => (await worker.health()).body.version === 4, 15_000, "a fresh one accepted");
});

test("freshness settings that cannot work are reported, not thrown", async (t) => {
  const signer = makeSigner();
  const backend = await startOrigin(t, { name: "backend", envelope: signer.envelope(payload({ version: 1 })) });
  const worker = await startWorker(t, { vars: varsFor(backend, signer, { MIN_VERSION: "-1", MAX_AGE_SECONDS: "soon" }) });
  const h = await worker.health();
  assert.equal(h.status, 500);
  assert.equal(h.body.status, "MISCONFIGURED");
  assert.ok(h.body.errors.some((e) => e.startsWith("MIN_VERSION must be a whole number")), JSON.stringify(h.body.errors));
  assert.ok(h.body.errors.some((e) => e.startsWith("MAX_AGE_SECONDS must be a whole number")), JSON.stringify(h.body.errors));
});
