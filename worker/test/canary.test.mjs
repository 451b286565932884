// Canary routing: the variant of CANARY_FLAG for the user picks ORIGIN_URL or
// CANARY_ORIGIN_URL; assignment is sticky, and raising the rollout never moves a user back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FLAGS, makeSigner, payload } from "./helpers/signer.mjs";
import { startIngest } from "./helpers/ingest.mjs";
import { startOrigin, until } from "./helpers/origin.mjs";
import { startWorker, varsFor } from "./helpers/worker.mjs";

/** The flag set with `canary-release` sending `weight` thousandths of a percent to the canary. */
function flags(weight) {
  const weights = weight >= 100_000 ? [{ variant: "canary", weight: 100_000 }] : [
    { variant: "canary", weight },
    { variant: "stable", weight: 100_000 - weight },
  ];
  return {
    ...FLAGS,
    "canary-release": { type: "string", variants: { canary: "canary", stable: "stable" }, offVariant: "stable", defaultServe: { rollout: { weights } } },
  };
}

async function canarySetup(t, weight, extraVars = {}) {
  const signer = makeSigner();
  const stable = await startOrigin(t, { name: "stable", envelope: signer.envelope(payload({ version: 1, flags: flags(weight) })) });
  const canary = await startOrigin(t, { name: "canary" });
  const vars = varsFor(stable, signer, { ORIGIN_URL: stable.url, CANARY_FLAG: "canary-release", CANARY_ORIGIN_URL: canary.url, ...extraVars });
  const worker = await startWorker(t, { vars });
  assert.equal((await worker.health()).body.mode, "middleware+canary");
  const publish = async (version, w) => {
    stable.envelope = signer.envelope(payload({ version, flags: flags(w) }));
    await until(async () => (await worker.health()).body.version === version, 10_000, `version ${version}`);
  };
  return { worker, stable, canary, publish };
}

const originFor = async (worker, headers) => {
  const res = await worker.fetch("/data.json", { headers });
  return { origin: (await res.json()).origin, cookie: res.headers.get("set-cookie") };
};

test("raising the canary's share never moves a user from canary back to stable", async (t) => {
  const steps = [10_000, 30_000, 60_000, 100_000];
  const { worker, publish, canary } = await canarySetup(t, steps[0]);
  const users = Array.from({ length: 300 }, (_, i) => `user-${i}`);
  const seen = new Map(users.map((u) => [u, []]));
  for (const [i, weight] of steps.entries()) {
    if (i > 0) await publish(i + 1, weight);
    for (const u of users) seen.get(u).push((await originFor(worker, { "x-user-id": u })).origin);
    const share = users.filter((u) => seen.get(u)[i] === "canary").length / users.length;
    assert.ok(Math.abs(share - weight / 100_000) < 0.08, `share ${share} at weight ${weight}`);
  }
  for (const [u, path] of seen) {
    const first = path.indexOf("canary");
    if (first >= 0) assert.ok(path.slice(first).every((o) => o === "canary"), `${u} went back: ${path}`);
  }
  assert.ok([...seen.values()].every((p) => p.at(-1) === "canary"), "everyone on the canary at 100%");
  assert.equal(canary.pageRequests.at(-1).headers["x-edgeflag-route"], "canary");
});

test("anonymous users get an id cookie and stay on their origin", async (t) => {
  const { worker, publish } = await canarySetup(t, 50_000);
  const found = new Map();
  for (let i = 0; i < 60 && found.size < 2; i++) {
    const { origin, cookie } = await originFor(worker, {});
    assert.match(cookie, /^edgeflag-uid=/);
    if (!found.has(origin)) found.set(origin, cookie.split(";")[0]);
  }
  assert.deepEqual([...found.keys()].sort(), ["canary", "stable"]);
  for (const [origin, cookie] of found) {
    for (let i = 0; i < 10; i++) {
      const r = await originFor(worker, { cookie });
      assert.deepEqual([r.origin, r.cookie], [origin, null], `${cookie} moved`);
    }
  }
  // More canary: the canary user stays.
  await publish(2, 80_000);
  assert.equal((await originFor(worker, { cookie: found.get("canary") })).origin, "canary");
});

test("without a snapshot, or without the flag, everyone goes to the stable origin", async (t) => {
  const signer = makeSigner();
  const backend = await startOrigin(t, { name: "backend", envelope: signer.envelope(payload({ version: 1 })) });
  const stable = await startOrigin(t, { name: "stable" });
  const canary = await startOrigin(t, { name: "canary" });
  const vars = varsFor(backend, signer, { ORIGIN_URL: stable.url, CANARY_FLAG: "canary-release", CANARY_ORIGIN_URL: canary.url });
  const worker = await startWorker(t, { vars });
  for (let i = 0; i < 20; i++) assert.equal((await originFor(worker, { "x-user-id": `u${i}` })).origin, "stable");
  backend.fault = "slow";
  const cold = await startWorker(t, { vars });
  assert.equal((await originFor(cold, { "x-user-id": "u1" })).origin, "stable");
  assert.equal(canary.pageRequests.length, 0);
});

test("with events on, each variant's requests, errors and latency are reported, and the canary's 5xx become error tracks", async (t) => {
  const ingest = await startIngest(t, { key: "canary-key-1234" });
  const { worker, canary } = await canarySetup(t, 50_000, {
    INGEST_KEY: "canary-key-1234",
    INGEST_URL: `${ingest.url}/ingest/production/events`,
    EVENTS_FLUSH_SECONDS: "0.2",
  });
  canary.pageFault = "500";
  const routed = new Map();
  for (let i = 0; i < 40; i++) {
    const u = `cm-user-${i}`;
    for (let k = 0; k < 2; k++) {
      const res = await worker.fetch("/data.json", { headers: { "x-user-id": u } });
      routed.set(u, res.headers.get("x-origin-name"));
      assert.equal(res.status, routed.get(u) === "canary" ? 500 : 200);
      await res.arrayBuffer();
    }
  }
  const onCanary = [...routed].filter(([, o]) => o === "canary").map(([u]) => u);
  assert.ok(onCanary.length > 5 && onCanary.length < 35, `${onCanary.length} of 40 on the canary`);
  const requests = () => ingest.events().filter((e) => e.kind === "requests");
  await until(async () => {
    await worker.health(); // every request checks for a due flush
    return requests().reduce((n, r) => n + r.count, 0) === 80;
  }, 15_000, "80 requests reported");
  const by = { canary: { count: 0, errors: 0, histogram: 0 }, stable: { count: 0, errors: 0, histogram: 0 } };
  for (const r of requests()) {
    assert.deepEqual([r.flag, r.version], ["canary-release", 1]);
    by[r.variant].count += r.count;
    by[r.variant].errors += r.errors;
    by[r.variant].histogram += r.latencyMs.counts.reduce((a, b) => a + b, 0);
  }
  const c = onCanary.length * 2;
  assert.deepEqual(by, { canary: { count: c, errors: c, histogram: c }, stable: { count: 80 - c, errors: 0, histogram: 80 - c } });
  const events = ingest.events();
  const errors = events.filter((e) => e.kind === "track");
  assert.ok(errors.every((e) => e.event === "error"));
  assert.deepEqual(errors.map((e) => e.unit).sort(), [...onCanary, ...onCanary].sort(), "one error track per failed request");
  const exposures = events.filter((e) => e.kind === "exposure");
  assert.equal(exposures.length, 40, "one exposure per user");
  for (const e of exposures) assert.equal(e.variant === "canary", routed.get(e.unit) === "canary", e.unit);
});
