// The fault matrix against a real local origin: whatever the owning backend does wrong, the
// worker keeps serving its last-known-good, says so on /edgeflag/health, never answers an end
// user with a 5xx because of flags, and recovers by itself once the backend is fine again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeSigner, payload } from "./helpers/signer.mjs";
import { startOrigin, until } from "./helpers/origin.mjs";
import { startWorker, varsFor } from "./helpers/worker.mjs";

const HOUR = 3600_000;

/** The envelope with one bit of its signature flipped. */
function badSignature(envelope) {
  const e = JSON.parse(envelope);
  const sig = Buffer.from(e.signatures[0].sig, "base64");
  sig[10] ^= 1;
  e.signatures[0].sig = sig.toString("base64");
  return JSON.stringify(e);
}

// [name, how to break the backend (v5 is loaded), the error code health must report]
const FAULTS = [
  ["origin down", async ({ backend }) => backend.down(), "NETWORK"],
  ["connection reset", ({ backend }) => (backend.fault = "reset"), "NETWORK"],
  ["HTTP 500", ({ backend }) => (backend.fault = "500"), "HTTP_STATUS"],
  ["slow origin (past the 5 s timeout)", ({ backend }) => (backend.fault = "slow"), "TIMEOUT"],
  ["truncated body (connection dropped)", ({ backend }) => (backend.fault = "truncated"), "NETWORK"],
  ["cut body (half the JSON, cleanly)", ({ backend }) => (backend.fault = "cut"), "INVALID_ENVELOPE"],
  ["bad signature", ({ backend, signer }) => (backend.envelope = badSignature(signer.envelope(payload({ version: 6 })))), "BAD_SIGNATURE"],
  ["rollback to an older signed version", ({ backend, signer }) => (backend.envelope = signer.envelope(payload({ version: 4 }))), "ROLLBACK"],
  [
    "expired snapshot",
    ({ backend, signer }) => (backend.envelope = signer.envelope(payload({ version: 6, issuedAt: Date.now() - 48 * HOUR, expiresAt: Date.now() - 24 * HOUR }))),
    "EXPIRED",
  ],
  ["oversized envelope", ({ backend }) => (backend.fault = "oversized"), "TOO_LARGE"],
  ["snapshot for another environment", ({ backend, signer }) => (backend.envelope = signer.envelope(payload({ version: 6, environment: "staging" }))), "WRONG_ENVIRONMENT"],
  ["snapshot of another owner signed by the same key", ({ backend, signer }) => (backend.envelope = signer.envelope(payload({ version: 6, owner: "billing" }))), "WRONG_OWNER"],
  [
    "issuedAt in the future",
    ({ backend, signer }) => (backend.envelope = signer.envelope(payload({ version: 6, issuedAt: Date.now() + 2 * HOUR, expiresAt: Date.now() + 3 * HOUR }))),
    "ISSUED_IN_FUTURE",
  ],
  [
    "validity far beyond 30 days",
    ({ backend, signer }) => (backend.envelope = signer.envelope(payload({ version: 6, expiresAt: Date.UTC(9999, 11, 31) }))),
    "VALIDITY_TOO_LONG",
  ],
];

for (const [name, breakIt, code] of FAULTS) {
  test(`fault: ${name} -> last-known-good served, health says ${code}, then recovery`, async (t) => {
    const signer = makeSigner();
    const backend = await startOrigin(t, { name: "backend", envelope: signer.envelope(payload({ version: 5 })) });
    const site = await startOrigin(t, { name: "site" });
    const worker = await startWorker(t, { vars: varsFor(backend, signer, { ORIGIN_URL: site.url }) });
    assert.equal((await worker.health()).body.version, 5);

    await breakIt({ backend, signer });
    let h;
    await until(async () => {
      h = await worker.health();
      return h.body.lastError?.code === code;
    }, 15_000, `lastError ${code}`);
    assert.equal(h.status, 200, "a verified snapshot is still served");
    assert.deepEqual([h.body.status, h.body.version], ["STALE", 5]);
    assert.ok(h.body.lastError.message);

    // Users see nothing of it: flags from the last-known-good, pages as usual.
    const page = await worker.fetch("/page");
    assert.equal(page.status, 200);
    assert.match(await page.text(), /id="edgeflag-bootstrap"/);
    const echo = await (await worker.fetch("/echo")).json();
    assert.equal(echo.headers["x-edgeflag-version"], "5");
    assert.equal(echo.headers["x-edgeflag-status"], "STALE");
    const bulk = await worker.ofrep("", { context: { targetingKey: "u" } });
    assert.deepEqual([bulk.status, bulk.body.metadata.version], [200, 5]);
    assert.equal((await worker.fetch("/edgeflag/snapshot")).headers.get("x-edgeflag-version"), "5");

    // The backend heals and publishes v7: the worker picks it up on its own.
    backend.fault = undefined;
    backend.envelope = signer.envelope(payload({ version: 7 }));
    if (name === "origin down") await backend.up();
    await until(async () => {
      h = await worker.health();
      return h.body.version === 7 && h.body.status === "READY";
    }, 15_000, "recovery to v7");
    assert.equal(h.body.lastError, null);
  });
}

test("a fatal status (404) keeps the last-known-good and is reported", async (t) => {
  const signer = makeSigner();
  const backend = await startOrigin(t, { envelope: signer.envelope(payload({ version: 5 })) });
  const worker = await startWorker(t, { vars: varsFor(backend, signer) });
  assert.equal((await worker.health()).body.version, 5);
  backend.fault = "404";
  let h;
  await until(async () => (h = await worker.health()).body.lastError?.code === "FATAL_HTTP_STATUS");
  assert.deepEqual([h.status, h.body.status, h.body.version, h.body.nextRefreshInSeconds], [200, "STALE", 5, 300]);
});

test("after a fatal status the worker retries by itself every 5 minutes and recovers", async (t) => {
  const signer = makeSigner();
  const backend = await startOrigin(t, { envelope: signer.envelope(payload({ version: 5 })) });
  const worker = await startWorker(t, { vars: varsFor(backend, signer), entry: "clock-entry.js" });
  assert.equal((await worker.health()).body.version, 5);
  backend.fault = "404";
  await until(async () => (await worker.health()).body.lastError?.code === "FATAL_HTTP_STATUS");
  const stoppedAt = backend.snapshotRequests.length;
  backend.fault = undefined;
  backend.envelope = signer.envelope(payload({ version: 6 }));
  for (let i = 0; i < 5; i++) await worker.health();
  assert.equal(backend.snapshotRequests.length, stoppedAt, "no polling while stopped");
  const later = { headers: { "x-test-offset-ms": String(301_000) } };
  await until(async () => (await (await worker.fetch("/edgeflag/health", later)).json()).version === 6, 10_000, "manual retry");
});

test("a loaded snapshot that expires is still served, STALE with EXPIRED, until a fresh one arrives", async (t) => {
  const signer = makeSigner();
  const expiresAt = Date.now() + 60_000;
  const backend = await startOrigin(t, { envelope: signer.envelope(payload({ version: 5, expiresAt })) });
  const worker = await startWorker(t, { vars: varsFor(backend, signer), entry: "clock-entry.js" });
  assert.equal((await worker.health()).body.status, "READY");
  // Ten minutes later (past the 5-minute clock-skew allowance), with the backend still serving it.
  const later = { "x-test-offset-ms": String(11 * 60_000) };
  let h;
  await until(async () => (h = await (await worker.fetch("/edgeflag/health", { headers: later })).json()).status === "STALE");
  assert.deepEqual([h.version, h.lastError?.code], [5, "EXPIRED"]);
  const r = await worker.ofrep("", { context: { targetingKey: "u" } }, later);
  assert.deepEqual([r.status, r.body.metadata.version], [200, 5]);
  backend.envelope = signer.envelope(payload({ version: 6, expiresAt: Date.now() + 86_400_000 }));
  await until(async () => (h = await (await worker.fetch("/edgeflag/health", { headers: later })).json()).version === 6);
  assert.equal(h.status, "READY");
});
