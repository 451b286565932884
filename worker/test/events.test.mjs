// Events at the edge: POST /edgeflag/events (validation, the current snapshot's flags and
// variants, 202 counts, sendBeacon bodies), forwarding to a real local ingest server with the
// bearer key (retries with the same batch id, 4xx dropped and counted), and the per-variant
// request metrics of middleware mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FLAGS, makeSigner, payload } from "./helpers/signer.mjs";
import { startIngest } from "./helpers/ingest.mjs";
import { startOrigin, until } from "./helpers/origin.mjs";
import { startWorker, varsFor } from "./helpers/worker.mjs";
import { setup } from "./helpers/setup.mjs";

const KEY = "ingest-key-0123456789";
const BOUNDS = [1, 2, 5, 10, 20, 50, 100, 200, 300, 400, 500, 750, 1000, 2000, 5000, 10000];
/** The usual flags, with `theme` (a 50/50 rollout) tracking events. */
const TRACKED = { ...FLAGS, theme: { ...FLAGS.theme, trackEvents: true } };

const at = () => new Date().toISOString();
let serial = 0;
const batchId = () => `batch-${process.pid}-${++serial}`.padEnd(8, "x");
const exposure = (flag, variant, unit = "u1", extra = {}) => ({ kind: "exposure", flag, variant, ruleId: null, version: 1, unit, at: at(), ...extra });
const track = (event, unit = "u1", extra = {}) => ({ kind: "track", event, unit, at: at(), ...extra });

/** A worker with events on, forwarding to a local ingest server. */
async function eventsSetup(t, { vars = {}, flags = TRACKED } = {}) {
  const ingest = await startIngest(t, { key: KEY });
  const env = await setup(t, {
    flags,
    vars: { INGEST_KEY: KEY, INGEST_URL: `${ingest.url}/ingest/production/events`, EVENTS_FLUSH_SECONDS: "0.2", ...vars },
  });
  return { ...env, ingest };
}

/** POSTs a body (object: JSON) to /edgeflag/events; resolves `{ status, headers, body }`. */
async function post(worker, body, { type = "application/json", method = "POST" } = {}) {
  const res = await worker.fetch("/edgeflag/events", {
    method,
    headers: type ? { "content-type": type } : {},
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** The events part of /edgeflag/health. */
const eventsHealth = async (worker) => (await worker.health()).body.events;

/** Requests the health route (every request checks for a due flush) until `predicate(events)` holds. */
async function untilEvents(worker, predicate, what) {
  let last;
  await until(async () => predicate((last = await eventsHealth(worker))), 15_000, `${what}; health events ${JSON.stringify(last)}`);
  return last;
}

test("bad batches are 400 naming the field path, big ones 413, and nothing is stored", async (t) => {
  const { worker } = await eventsSetup(t);
  const ok = [exposure("theme", "dark"), track("purchase", "u1", { value: 42.5 })];
  const cases = [
    ["not JSON", "{nope", 400, /^body: not JSON/],
    ["an array", [], 400, /^body: expected an object/],
    ["no batch", { events: ok }, 400, /^batch: expected a string of 8 to 64 characters/],
    ["a short batch id", { batch: "abc", events: ok }, 400, /^batch: /],
    ["a batch id with a space", { batch: "abc def ghi", events: ok }, 400, /^batch: /],
    ["events not an array", { batch: batchId(), events: {} }, 400, /^events: expected an array/],
    ["an event not an object", { batch: batchId(), events: [ok[0], 7] }, 400, /^events\[1\]: expected an object$/],
    ["an unknown kind", { batch: batchId(), events: [ok[0], { ...ok[1], kind: "click" }] }, 400, /^events\[1\]\.kind: expected "exposure" or "track"/],
    ["a flag not a string", { batch: batchId(), events: [ok[1], ok[1], ok[1], { ...ok[0], flag: 5 }] }, 400, /^events\[3\]\.flag: expected a string/],
    ["no variant", { batch: batchId(), events: [exposure("theme", undefined)] }, 400, /^events\[0\]\.variant: /],
    ["a ruleId not a string", { batch: batchId(), events: [exposure("theme", "dark", "u1", { ruleId: 3 })] }, 400, /^events\[0\]\.ruleId: expected a string of 1 to 256 characters, or null/],
    ["a ruleId too long", { batch: batchId(), events: [exposure("theme", "dark", "u1", { ruleId: "r".repeat(257) })] }, 400, /^events\[0\]\.ruleId: /],
    // What the backend refuses must be refused here: it would refuse everyone's forwarded batch.
    ["an instant that does not exist", { batch: batchId(), events: [exposure("theme", "dark", "u1", { at: "2026-02-30T00:00:00.000Z" })] }, 400, /^events\[0\]\.at: /],
    ["hour 24", { batch: batchId(), events: [exposure("theme", "dark", "u1", { at: "2026-02-01T24:00:00.000Z" })] }, 400, /^events\[0\]\.at: /],
    ["a lone surrogate in a unit", { batch: batchId(), events: [exposure("theme", "dark", "\ud800")] }, 400, /^events\[0\]\.unit: /],
    ["a negative version", { batch: batchId(), events: [exposure("theme", "dark", "u1", { version: -1 })] }, 400, /^events\[0\]\.version: /],
    ["a unit too long", { batch: batchId(), events: [exposure("theme", "dark", "u".repeat(257))] }, 400, /^events\[0\]\.unit: expected a string of 1 to 256/],
    ["an empty unit", { batch: batchId(), events: [track("purchase", "")] }, 400, /^events\[0\]\.unit: /],
    ["a time without milliseconds", { batch: batchId(), events: [track("purchase", "u1", { at: "2026-12-07T20:41:03Z" })] }, 400, /^events\[0\]\.at: expected an RFC 3339 UTC time with milliseconds/],
    ["a time not in UTC", { batch: batchId(), events: [track("purchase", "u1", { at: "2026-12-07T20:41:03.512+01:00" })] }, 400, /^events\[0\]\.at: /],
    ["a bad event name", { batch: batchId(), events: [track("add to cart")] }, 400, /^events\[0\]\.event: expected a name of 1 to 64 characters \[A-Za-z0-9_.:-\]/],
    ["an event name too long", { batch: batchId(), events: [track("e".repeat(65))] }, 400, /^events\[0\]\.event: /],
    ["a value not a number", { batch: batchId(), events: [track("purchase", "u1", { value: "42" })] }, 400, /^events\[0\]\.value: expected a finite number/],
    ["501 events", { batch: batchId(), events: Array.from({ length: 501 }, () => ok[1]) }, 413, /^events: at most 500 events per batch/],
    ["a body over 256 KiB", { batch: batchId(), events: [track("purchase", "u".repeat(256 * 1024))] }, 413, /256 KiB/],
  ];
  for (const [name, body, status, message] of cases) {
    const res = await post(worker, body);
    assert.equal(res.status, status, `${name}: ${JSON.stringify(res.body)}`);
    assert.match(res.body.error, message, name);
    assert.equal(res.headers.get("access-control-allow-origin"), "*", name);
  }
  assert.equal((await post(worker, { batch: batchId(), events: ok }, { type: "image/png" })).status, 415);
  assert.equal((await post(worker, undefined, { method: "GET", type: null })).status, 405);
  const pre = await worker.fetch("/edgeflag/events", { method: "OPTIONS" });
  assert.equal(pre.status, 204);
  assert.match(pre.headers.get("access-control-allow-methods"), /POST/);
  assert.match(pre.headers.get("access-control-allow-headers"), /Content-Type/);
  const h = await eventsHealth(worker);
  assert.deepEqual([h.accepted, h.pending, h.forwarded, h.rejected], [0, 0, 0, { unknownFlag: 0, unknownVariant: 0 }]);
  // 500 events exactly are fine.
  const full = await post(worker, { batch: batchId(), events: Array.from({ length: 500 }, () => ok[1]) });
  assert.deepEqual([full.status, full.body.accepted], [202, 500]);
});

test("202 with the counts; unknown flags and variants are rejected, the rest forwarded with the bearer key", async (t) => {
  const { worker, ingest } = await eventsSetup(t);
  const batch = batchId();
  const events = [
    exposure("theme", "dark", "u1", { ruleId: "r1" }),
    exposure("theme", "blue", "u1"),
    exposure("no-such-flag", "on", "u1"),
    exposure("new-checkout", "override", "u2"),
    track("purchase", "u1", { value: 42.5, extra: "dropped" }),
    track("signup", "u2"),
  ];
  // navigator.sendBeacon's body type.
  const res = await post(worker, JSON.stringify({ batch, events }), { type: "text/plain;charset=UTF-8" });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  assert.deepEqual(res.body, { batch, accepted: 3, rejected: { unknownFlag: 1, unknownVariant: 2 } });
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  // The same batch again (a beacon after a fetch): the same answer, queued once.
  assert.deepEqual((await post(worker, { batch, events })).body, res.body);

  const h = await untilEvents(worker, (e) => e.forwarded === 3 && e.pending === 0, "the batch forwarded");
  assert.deepEqual([h.enabled, h.accepted, h.rejected, h.dropped, h.lastForwardError], [true, 3, { unknownFlag: 1, unknownVariant: 2 }, 0, null]);
  assert.equal(ingest.requests.length, 1);
  const [req] = ingest.requests;
  assert.equal(req.path, "/ingest/production/events");
  assert.equal(req.headers.authorization, `Bearer ${KEY}`);
  assert.match(req.headers["content-type"], /^application\/json/);
  assert.equal(req.body.source, "worker");
  assert.match(req.body.batch, /^[A-Za-z0-9_-]{8,64}$/);
  // Exactly the contract's fields, unknown ones left out.
  assert.deepEqual(req.body.events, [
    { kind: "exposure", flag: "theme", variant: "dark", ruleId: "r1", version: 1, unit: "u1", at: events[0].at },
    { kind: "track", event: "purchase", unit: "u1", value: 42.5, at: events[4].at },
    { kind: "track", event: "signup", unit: "u2", at: events[5].at },
  ]);
});

test("a batch also goes out when the buffer reaches 1000 events, before the interval", async (t) => {
  const { worker, ingest } = await eventsSetup(t, { vars: { EVENTS_FLUSH_SECONDS: "3600" } });
  const many = Array.from({ length: 500 }, (_, i) => track("view", `u${i}`));
  assert.equal((await post(worker, { batch: batchId(), events: many })).body.accepted, 500);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await eventsHealth(worker)).forwarded, 0, "under the batch size: waits for the interval");
  assert.equal((await post(worker, { batch: batchId(), events: many })).body.accepted, 500);
  await untilEvents(worker, (e) => e.forwarded === 1000, "1000 events forwarded");
  assert.equal(ingest.events().length, 1000);
});

test("a failed forward is retried with the same batch id; 401 drops the batch and counts it", async (t) => {
  const { worker, ingest } = await eventsSetup(t);
  ingest.failures.push("503", "reset", "429");
  const first = await post(worker, { batch: batchId(), events: [track("purchase", "u1"), track("purchase", "u2")] });
  assert.equal(first.status, 202);
  let h = await untilEvents(worker, (e) => e.forwarded === 2, "the batch forwarded after three failures");
  const ids = ingest.requests.map((r) => r.body?.batch);
  assert.deepEqual(ingest.requests.map((r) => r.status), [503, "reset", 429, 200]);
  assert.equal(new Set(ids).size, 1, `one batch id for every attempt: ${ids}`);
  assert.equal(ingest.batches.size, 1);
  assert.equal(h.dropped, 0);
  assert.equal(h.lastForwardError.status, 429);
  assert.equal(h.lastForwardError.attempt, 3);

  ingest.failures.push("401");
  await post(worker, { batch: batchId(), events: [track("purchase", "u3"), track("purchase", "u4"), track("purchase", "u5")] });
  h = await untilEvents(worker, (e) => e.dropped === 3, "the batch dropped on 401");
  assert.deepEqual([h.forwarded, h.pending, h.lastForwardError.status], [2, 0, 401]);
  assert.match(h.lastForwardError.message, /HTTP 401/);
  const sent = ingest.requests.length;
  await new Promise((r) => setTimeout(r, 1500));
  await worker.health();
  assert.equal(ingest.requests.length, sent, "a dropped batch is not sent again");

  // Later batches go out as usual.
  await post(worker, { batch: batchId(), events: [track("purchase", "u6")] });
  await untilEvents(worker, (e) => e.forwarded === 3, "the next batch forwarded");
});

test("INGEST_URL defaults to SNAPSHOT_URL's origin + /ingest/{ENVIRONMENT}/events", async (t) => {
  const { worker, origin } = await setup(t, { vars: { INGEST_KEY: KEY, EVENTS_FLUSH_SECONDS: "0.1" } });
  assert.equal((await post(worker, { batch: batchId(), events: [track("purchase")] })).status, 202);
  // The snapshot origin has no ingest route: its 404 drops the batch.
  const h = await untilEvents(worker, (e) => e.dropped === 1, "the batch sent to the snapshot origin");
  assert.equal(h.lastForwardError.status, 404);
  const req = origin.pageRequests.find((r) => r.url === "/ingest/production/events");
  assert.ok(req, JSON.stringify(origin.pageRequests.map((r) => r.url)));
  assert.deepEqual([req.method, req.headers.authorization], ["POST", `Bearer ${KEY}`]);
});

test("without INGEST_KEY the route is 404 naming the secret (clients do not retry it), and health says events are off", async (t) => {
  const site = await startOrigin(t, { name: "site" });
  const { worker } = await setup(t, { flags: TRACKED, vars: { ORIGIN_URL: site.url } });
  const res = await post(worker, { batch: batchId(), events: [track("purchase")] });
  assert.equal(res.status, 404);
  assert.equal(res.body.error, "events are not configured: set the INGEST_KEY secret");
  assert.equal((await worker.fetch("/page", { headers: { "x-user-id": "u1" } })).status, 200);
  const h = await worker.health();
  assert.equal(h.status, 200);
  assert.deepEqual(h.body.events, { enabled: false, message: "events are not configured: set the INGEST_KEY secret" });
});

test("bad event settings are 500 on health naming the variable", async (t) => {
  const signer = makeSigner();
  const origin = await startOrigin(t, { envelope: signer.envelope(payload()) });
  for (const [vars, message] of [
    [{ INGEST_KEY: KEY, INGEST_URL: "ftp://ingest.example.com/?token=s3cret" }, /INGEST_URL must be an absolute http\(s\) URL/],
    [{ INGEST_KEY: "two words" }, /INGEST_KEY must be printable ASCII without spaces/],
    [{ INGEST_KEY: KEY, EVENTS_FLUSH_SECONDS: "often" }, /EVENTS_FLUSH_SECONDS must be a number of seconds between 0.05 and 3600/],
  ]) {
    const worker = await startWorker(t, { vars: varsFor(origin, signer, vars) });
    const h = await worker.health();
    assert.equal(h.status, 500);
    assert.match(h.body.message, message);
    assert.doesNotMatch(JSON.stringify(h.body), /s3cret|two words/);
    await worker.dispose();
  }
});

test("before the first verified snapshot the route is 503 and stores nothing", async (t) => {
  const signer = makeSigner();
  const backend = await startOrigin(t, { envelope: signer.envelope(payload()) });
  backend.fault = "500";
  const ingest = await startIngest(t, { key: KEY });
  const worker = await startWorker(t, { vars: varsFor(backend, signer, { INGEST_KEY: KEY, INGEST_URL: ingest.url, EVENTS_FLUSH_SECONDS: "0.1" }) });
  const res = await post(worker, { batch: batchId(), events: [track("purchase"), exposure("theme", "dark")] });
  assert.equal(res.status, 503);
  assert.match(res.body.error, /^no verified flag snapshot yet.*nothing was stored/);
  assert.equal(res.headers.get("retry-after"), "5");
  await new Promise((r) => setTimeout(r, 300));
  const h = await eventsHealth(worker);
  assert.deepEqual([h.accepted, h.pending], [0, 0]);
  assert.equal(ingest.requests.length, 0);
});

test("middleware: exposures once per user, 5xx as error tracks, requests per variant with the latency histogram", async (t) => {
  const site = await startOrigin(t, { name: "site" });
  const { worker, ingest } = await eventsSetup(t, { vars: { ORIGIN_URL: site.url } });
  const users = Array.from({ length: 40 }, (_, i) => `mw-user-${i}`);
  const variantOf = new Map();
  for (const u of users) variantOf.set(u, (await worker.ofrep("/theme", { context: { targetingKey: u } })).body.variant);
  const want = { dark: { count: 0, errors: 0 }, light: { count: 0, errors: 0 } };
  const failedUnits = [];
  for (const [i, u] of users.entries()) {
    const broken = i % 4 === 0;
    const paths = broken ? ["/data.json", "/broken"] : ["/data.json", "/page"];
    for (const path of paths) {
      const res = await worker.fetch(path, { headers: { "x-user-id": u } });
      await res.arrayBuffer();
      assert.equal(res.status, path === "/broken" ? 500 : 200);
      want[variantOf.get(u)].count++;
    }
    if (broken) {
      want[variantOf.get(u)].errors++;
      failedUnits.push(u);
    }
  }
  const total = users.length * 2;
  const h = await untilEvents(
    worker,
    (e) => e.pending === 0 && ingest.events().filter((x) => x.kind === "requests").reduce((n, x) => n + x.count, 0) === total,
    "every request counted",
  );
  assert.equal(h.generated, users.length + failedUnits.length);
  const events = ingest.events();
  // One exposure per user (the second request is de-duplicated), of the variant OFREP gives.
  const exposures = events.filter((e) => e.kind === "exposure");
  assert.deepEqual(exposures.map((e) => e.unit).sort(), [...users].sort());
  for (const e of exposures) {
    assert.deepEqual([e.flag, e.variant, e.version, e.ruleId], ["theme", variantOf.get(e.unit), 1, null]);
    assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  // Flags without trackEvents are not measured.
  assert.ok(events.every((e) => e.kind === "track" || e.flag === "theme"));
  const errors = events.filter((e) => e.kind === "track");
  assert.ok(errors.every((e) => e.event === "error"));
  assert.deepEqual(errors.map((e) => e.unit).sort(), failedUnits.sort());
  const got = { dark: { count: 0, errors: 0 }, light: { count: 0, errors: 0 } };
  for (const r of events.filter((e) => e.kind === "requests")) {
    assert.deepEqual([r.flag, r.version], ["theme", 1]);
    assert.deepEqual(r.latencyMs.bounds, BOUNDS);
    assert.equal(r.latencyMs.counts.length, 17);
    assert.equal(r.latencyMs.counts.reduce((a, b) => a + b, 0), r.count, "the histogram counts every request");
    assert.ok(Date.parse(r.from) <= Date.parse(r.to));
    got[r.variant].count += r.count;
    got[r.variant].errors += r.errors;
  }
  assert.deepEqual(got, want);
});

test("a backend that hangs slows no page: forwarding runs after the response, and times out", async (t) => {
  const site = await startOrigin(t, { name: "site" });
  const { worker, ingest } = await eventsSetup(t, { vars: { ORIGIN_URL: site.url } });
  ingest.failures.push("hang");
  for (let i = 0; i < 30; i++) {
    const began = Date.now();
    const res = await worker.fetch("/data.json", { headers: { "x-user-id": `slow-${i}` } });
    await res.arrayBuffer();
    assert.equal(res.status, 200);
    assert.ok(Date.now() - began < 1000, `request ${i} took ${Date.now() - began} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(ingest.requests[0]?.status, "hang", "a forward was waiting on the backend meanwhile");
  // The hung forward is abandoned after 5 s and the same batch sent again.
  const hung = ingest.requests[0].body.batch;
  const h = await untilEvents(worker, (e) => e.pending === 0 && ingest.batches.has(hung), "the hung batch forwarded after the timeout");
  assert.match(h.lastForwardError.message, /no answer within 5000 ms/);
  assert.equal(ingest.requests.filter((r) => r.body.batch === hung).length, 2);
});
