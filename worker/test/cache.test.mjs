// The Cache API copy of the last-known-good: a cold isolate starts from it while the origin
// is down, and a copy that fails re-verification is discarded, never served.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Response } from "miniflare";
import { ENVIRONMENT, OWNER, makeSigner, payload } from "./helpers/signer.mjs";
import { startOrigin, until } from "./helpers/origin.mjs";
import { startWorker, varsFor } from "./helpers/worker.mjs";

/** The worker's cache entry for these settings (store.js: #cacheKey). */
function cacheKey(origin, signer) {
  const hex = createHash("sha256").update(JSON.stringify([origin.snapshotUrl, [signer.publicKey], OWNER, ENVIRONMENT])).digest("hex");
  return `https://edgeflag.cache.internal/last-known-good/${hex}`;
}

async function cached(worker, key) {
  const cache = await (await worker.mf.getCaches()).open("edgeflag");
  const hit = await cache.match(key);
  return hit ? hit.json() : undefined;
}

/**
 * `cached` for polls: Miniflare's synchronous proxy to the cache has been seen to fail an
 * internal assertion under load (2 shared cores, four workerd processes); a poll that fails
 * reads as "not yet" and polls again, and `until` still times out if the copy never comes.
 */
async function polled(worker, key) {
  try {
    return await cached(worker, key);
  } catch {
    return undefined;
  }
}

function persistDir(t) {
  const dir = mkdtempSync(join(tmpdir(), "edgeflag-cache-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A worker that loaded `version` and wrote it to the Cache API, then was shut down. */
async function warmCache(t, dir, signer, backend, version) {
  const first = await startWorker(t, { vars: varsFor(backend, signer), cachePersist: dir });
  assert.equal((await first.health()).body.version, version);
  const key = cacheKey(backend, signer);
  await until(async () => (await polled(first, key))?.highWater?.version === version, 5000, "the Cache API copy");
  const copy = await cached(first, key);
  await first.dispose();
  return { key, copy };
}

test("a cold isolate serves the Cache API copy at once while the origin is down", async (t) => {
  const dir = persistDir(t);
  const signer = makeSigner();
  const backend = await startOrigin(t, { envelope: signer.envelope(payload({ version: 3 })) });
  const { key, copy } = await warmCache(t, dir, signer, backend, 3);
  assert.equal(copy.envelope, backend.envelope, "the envelope as received");
  await backend.down();

  const worker = await startWorker(t, { vars: varsFor(backend, signer), cachePersist: dir });
  const began = Date.now();
  const r = await worker.ofrep("", { context: { targetingKey: "u", country: "DE" } });
  assert.ok(Date.now() - began < 1000, `took ${Date.now() - began} ms`);
  assert.deepEqual([r.status, r.body.metadata.version, r.body.flags[0].value], [200, 3, true]);
  let h;
  await until(async () => (h = await worker.health()).body.lastError?.code === "NETWORK");
  assert.deepEqual([h.status, h.body.status, h.body.version], [200, "STALE", 3]);

  backend.envelope = signer.envelope(payload({ version: 4 }));
  await backend.up();
  await until(async () => (await worker.health()).body.version === 4);
  await until(async () => (await polled(worker, key))?.highWater?.version === 4, 5000, "the copy updated to v4");
});

for (const [name, corrupt] of [
  ["a flipped payload byte", (copy) => ({ ...copy, envelope: copy.envelope.replace(/"payload":"(.)/, (m, c) => `"payload":"${c === "A" ? "B" : "A"}`) })],
  ["a high-water mark newer than the copy", (copy) => ({ ...copy, highWater: { ...copy.highWater, version: 99 } })],
  ["not JSON at all", () => "garbage"],
  ["an expired snapshot", (copy, signer) => ({ envelope: signer.envelope(payload({ version: 3, issuedAt: Date.now() - 2 * 86_400_000, expiresAt: Date.now() - 86_400_000 })) })],
]) {
  test(`a Cache API copy with ${name} is discarded, never served`, async (t) => {
    const dir = persistDir(t);
    const signer = makeSigner();
    const backend = await startOrigin(t, { envelope: signer.envelope(payload({ version: 3 })) });
    const { key, copy } = await warmCache(t, dir, signer, backend, 3);
    await backend.down();

    const worker = await startWorker(t, { vars: varsFor(backend, signer), cachePersist: dir });
    const cache = await (await worker.mf.getCaches()).open("edgeflag");
    const bad = corrupt(copy, signer);
    await cache.put(key, new Response(typeof bad === "string" ? bad : JSON.stringify(bad), { headers: { "cache-control": "max-age=3600" } }));

    const r = await worker.ofrep("/theme", { context: { targetingKey: "u" } });
    assert.deepEqual([r.status, r.body.errorCode], [500, "PROVIDER_NOT_READY"]);
    assert.equal((await worker.health()).status, 503);
    await until(async () => (await cache.match(key)) === undefined, 5000, "the copy deleted");

    await backend.up();
    await until(async () => (await worker.health()).body.status === "READY");
  });
}
