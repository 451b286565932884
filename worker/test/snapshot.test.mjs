// GET /edgeflag/snapshot and GET /edgeflag/health, and how the worker keeps its snapshot
// fresh: conditional requests, refresh only when older than REFRESH_SECONDS, in the background.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient } from "edgeflag";
import { ENVIRONMENT, OWNER, makeSigner, payload } from "./helpers/signer.mjs";
import { sleep, startOrigin, until } from "./helpers/origin.mjs";
import { startWorker, varsFor } from "./helpers/worker.mjs";
import { publish, setup } from "./helpers/setup.mjs";

test("the snapshot endpoint serves the signed envelope byte for byte, with ETag and Cache-Control", async (t) => {
  const signer = makeSigner();
  // Pretty-printed on purpose: the worker must pass the bytes on, not re-serialise them.
  const envelope = JSON.stringify(JSON.parse(signer.envelope(payload({ version: 9 }))), null, 2);
  const origin = await startOrigin(t, { envelope });
  const worker = await startWorker(t, { vars: varsFor(origin, signer, { REFRESH_SECONDS: "30" }) });
  const res = await worker.fetch("/edgeflag/snapshot");
  assert.equal(res.status, 200);
  assert.equal(await res.text(), envelope);
  assert.match(res.headers.get("content-type"), /^application\/json/);
  assert.equal(res.headers.get("cache-control"), "public, max-age=30");
  assert.equal(res.headers.get("x-edgeflag-version"), "9");
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  const etag = res.headers.get("etag");
  assert.match(etag, /^"9-[0-9a-f]{32}"$/);
  const again = await worker.fetch("/edgeflag/snapshot", { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), "");
  const head = await worker.fetch("/edgeflag/snapshot", { method: "HEAD" });
  assert.deepEqual([head.status, head.headers.get("etag"), await head.text()], [200, etag, ""]);
  assert.equal((await worker.fetch("/edgeflag/snapshot", { method: "POST" })).status, 405);
});

test("the npm client verifies and evaluates what the snapshot endpoint serves", async (t) => {
  const { signer, worker } = await setup(t, { version: 2 });
  const client = createClient({
    url: `${worker.url}/edgeflag/snapshot`,
    publicKeys: [signer.publicKey],
    owner: OWNER,
    environment: ENVIRONMENT,
    storage: null,
  });
  t.after(() => client.close());
  assert.equal(await client.ready(5000), true);
  assert.equal(client.info.version, 2);
  assert.equal(client.bool("new-checkout", { targetingKey: "u", country: "DE" }, false), true);
  // A key the worker does not pin, e.g. a forged snapshot, would be refused by the browser.
  const stranger = createClient({ url: `${worker.url}/edgeflag/snapshot`, publicKeys: [makeSigner().publicKey], owner: OWNER,
    environment: ENVIRONMENT, storage: null });
  t.after(() => stranger.close());
  assert.equal(await stranger.ready(1000), false);
  assert.equal(stranger.lastError?.code, "BAD_SIGNATURE");
});

test("health reports status, version, age, keyid, last error, owner and environment", async (t) => {
  const { signer, worker } = await setup(t, { version: 7, vars: { REFRESH_SECONDS: "30" } });
  const { status, body } = await worker.health();
  assert.equal(status, 200);
  assert.equal(body.status, "READY");
  assert.equal(body.version, 7);
  assert.equal(body.keyid, signer.keyid);
  assert.equal(body.lastError, null);
  assert.equal(body.owner, OWNER);
  assert.equal(body.environment, ENVIRONMENT);
  assert.equal(typeof body.ageSeconds, "number");
  assert.ok(body.ageSeconds >= 0 && body.ageSeconds < 5);
  assert.equal(body.refreshSeconds, 30);
  assert.equal(body.mode, "api");
  assert.ok(Date.parse(body.expiresAt) > Date.now());
});

test("refreshes use If-None-Match, and a 304 keeps the snapshot READY", async (t) => {
  const { origin, worker } = await setup(t, { version: 3 });
  await until(async () => {
    await worker.health();
    return origin.snapshotRequests.length >= 4;
  });
  const [first, ...later] = origin.snapshotRequests;
  assert.equal(first.headers["if-none-match"], undefined);
  assert.ok(later.every((r) => /^"[0-9a-f]{16}"$/.test(r.headers["if-none-match"])), JSON.stringify(later.map((r) => r.headers)));
  const h = await worker.health();
  assert.deepEqual([h.body.status, h.body.version], ["READY", 3]);
});

test("the snapshot is refreshed only when older than REFRESH_SECONDS", async (t) => {
  const env = await setup(t, { version: 1, vars: { REFRESH_SECONDS: "30" }, entry: "clock-entry.js" });
  const { signer, origin, worker } = env;
  const before = origin.snapshotRequests.length;
  origin.envelope = signer.envelope(payload({ version: 2 }));
  for (let i = 0; i < 20; i++) await worker.ofrep("/theme", { context: { targetingKey: `u${i}` } });
  assert.equal(origin.snapshotRequests.length, before, "no refresh before 30 s");
  assert.equal((await worker.health()).body.version, 1);
  // 31 seconds later (the worker's clock): the next request triggers one refresh.
  const later = { "x-test-offset-ms": "31000" };
  await until(async () => {
    const res = await worker.fetch("/edgeflag/health", { headers: later });
    return (await res.json()).version === 2;
  });
  assert.equal(origin.snapshotRequests.length, before + 1);
});

test("stale-while-revalidate: a due refresh never delays the request that triggers it", async (t) => {
  const env = await setup(t, { version: 1, vars: { REFRESH_SECONDS: "0.2" } });
  const { signer, origin, worker } = env;
  origin.slowMs = 700;
  origin.fault = "slow";
  origin.envelope = signer.envelope(payload({ version: 2 }));
  await sleep(300);
  const began = Date.now();
  const r = await worker.ofrep("", { context: { targetingKey: "u" } });
  assert.ok(Date.now() - began < 400, `took ${Date.now() - began} ms`);
  assert.equal(r.body.metadata.version, 1);
  await until(async () => (await worker.ofrep("", { context: { targetingKey: "u" } })).body.metadata.version === 2, 5000, "version 2");
});

test("a new version published by the origin replaces the old one atomically", async (t) => {
  const env = await setup(t, { version: 1 });
  await publish(t, env, 2);
  const snap = await env.worker.fetch("/edgeflag/snapshot");
  assert.equal(await snap.text(), env.origin.envelope);
  assert.equal(snap.headers.get("x-edgeflag-version"), "2");
});

test("a flag of a newer format revision is degraded, named on health, and the rest is served", async (t) => {
  const signer = makeSigner();
  const flags = {
    ...payload().flags,
    "from-the-future": {
      type: "boolean",
      variants: { on: true, off: false },
      offVariant: "off",
      rules: [{ conditions: [{ attribute: "country", op: "inContinent", values: ["EU"] }], serve: { variant: "on" } }],
    },
  };
  const origin = await startOrigin(t, { envelope: signer.envelope(payload({ version: 3, flags, schema: "edgeflag/v1.7" })) });
  const worker = await startWorker(t, { vars: varsFor(origin, signer) });
  const { status, body } = await worker.health();
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.status, "READY");
  assert.deepEqual(body.degradedFlags, [
    { key: "from-the-future", message: 'flags.from-the-future.rules[0].conditions[0].op: unknown operator "inContinent"' },
  ]);
  const one = async (key) => {
    const res = await worker.fetch(`/ofrep/v1/evaluate/flags/${key}`, { method: "POST", body: JSON.stringify({ context: { targetingKey: "u", country: "DE" } }) });
    return { status: res.status, body: await res.json() };
  };
  const degraded = await one("from-the-future");
  assert.equal(degraded.body.errorCode, "PARSE_ERROR", JSON.stringify(degraded));
  assert.match(degraded.body.errorDetails, /inContinent/);
  const served = await one("new-checkout");
  assert.deepEqual([served.status, served.body.value, served.body.reason], [200, true, "TARGETING_MATCH"]);
});
