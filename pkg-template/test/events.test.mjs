// Analytics events from the client (issue #19): exposures and track() calls sent in batches to a
// real local HTTP endpoint that records them (standing in for the edge worker's POST
// /edgeflag/events), in the contract's shape; a bounded queue whose drops are counted; retries
// with the same batch id; flush(), close(), the interval and a full batch. Deterministic: short
// intervals with generous waits, never an assertion on speed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient, EdgeflagError } from "edgeflag";
import { createTestClient } from "edgeflag/testing";
import { contractProblems, startCollector } from "./helpers/collector.mjs";
import { closedPortUrl, nextEvent, sleep, startServer, until } from "./helpers/server.mjs";
import { client, signer } from "./helpers/client.mjs";
import { payload } from "./helpers/signer.mjs";

const bootstrap = signer.envelope(payload());
/** A client serving the bootstrap (no snapshot URL), sending events to `url`. */
const eventsClient = (t, url, events = {}, extra = {}) => client(t, undefined, { bootstrap, events: { url, flushIntervalMs: 60_000, ...events }, ...extra });
const unit = (i) => ({ targetingKey: `u${i}` });

/** Runs `fn` with console.error captured (Node.js has no reportError); returns what was reported. */
function reported(fn) {
  const seen = [];
  const original = console.error;
  console.error = (e) => seen.push(e);
  try {
    fn();
  } finally {
    console.error = original;
  }
  return seen;
}

test("exposures and track() reach the endpoint in the contract's shape, exposures de-duplicated", async (t) => {
  const collector = await startCollector(t);
  const exposures = [];
  const c = eventsClient(t, collector.url, {}, { onExposure: (e) => exposures.push(e) });
  const u1 = { targetingKey: "u1", plan: "pro" };
  for (let i = 0; i < 3; i++) {
    c.string("experiment", u1, "control");
    c.string("experiment", { targetingKey: "u1", plan: "free" }, "control"); // another object, the same unit
    c.details("experiment", { targetingKey: "u2" }, "control");
    c.string("experiment", { targetingKey: 7 }, "control"); // an integer unit
    c.bool("new-checkout", u1, false); // no trackEvents: never an exposure
  }
  c.all({ targetingKey: "u3" }); // all() exposes nothing
  c.track("purchase", { unit: "u1", value: 42.5 });
  c.track("signup", { unit: "u2" });
  assert.equal(collector.requests.length, 0, "nothing is sent during evaluation");
  assert.deepEqual(c.eventStats(), { queued: 5, sent: 0, dropped: 0, invalid: 0, failedBatches: 0, retries: 0 });
  await c.flush();

  assert.equal(collector.requests.length, 1);
  const [req] = collector.requests;
  assert.equal(req.contentType, "application/json");
  assert.deepEqual(contractProblems(req.body), []);
  const events = req.body.events;
  const exposed = events.filter((e) => e.kind === "exposure");
  assert.deepEqual(exposed.map((e) => e.unit), ["u1", "u2", "7"]);
  for (const e of exposed) {
    assert.equal(e.flag, "experiment");
    assert.equal(e.ruleId, null, "a rollout, not a rule");
    assert.equal(e.version, 1);
    assert.ok(Math.abs(Date.parse(e.at) - Date.now()) < 60_000);
  }
  // The same exposures as onExposure (which keeps working), variant for variant.
  assert.deepEqual(exposures.map((e) => [String(e.unit), e.variant]), exposed.map((e) => [e.unit, e.variant]));
  assert.deepEqual(exposed.map((e) => e.variant), ["u1", "u2", 7].map((u) => c.string("experiment", { targetingKey: u }, "?")));
  const tracked = events.filter((e) => e.kind === "track").map(({ at, ...e }) => e);
  assert.deepEqual(tracked, [
    { kind: "track", event: "purchase", unit: "u1", value: 42.5 },
    { kind: "track", event: "signup", unit: "u2" },
  ]);
  assert.deepEqual(c.eventStats(), { queued: 0, sent: 5, dropped: 0, invalid: 0, failedBatches: 0, retries: 0 });

  // The next batch has a fresh id; units already exposed stay quiet.
  c.string("experiment", u1, "control");
  c.track("purchase", { unit: "u9", value: 1 });
  await c.flush();
  assert.equal(collector.requests.length, 2);
  assert.notEqual(collector.requests[1].body.batch, req.body.batch);
  assert.deepEqual(collector.requests[1].body.events.map((e) => e.kind), ["track"]);
  await c.flush(); // nothing queued: no request
  assert.equal(collector.requests.length, 2);
});

test("exposures follow a new snapshot (version, variants) and rule ids are sent", async (t) => {
  const collector = await startCollector(t);
  const flags = { experiment: { type: "string", variants: { control: "control", treatment: "treatment" }, offVariant: "control", trackEvents: true,
    rules: [{ id: "beta", conditions: [{ attribute: "beta", op: "in", values: [true] }], serve: { variant: "treatment" } }], defaultServe: { variant: "control" } } };
  const c = client(t, undefined, { bootstrap: signer.envelope(payload({ flags })), events: { url: collector.url, flushIntervalMs: 60_000 } });
  assert.equal(c.string("experiment", { targetingKey: "b1", beta: true }, "?"), "treatment");
  assert.equal(c.string("experiment", { targetingKey: "b2" }, "?"), "control");
  await c.flush();
  const [beta, plain] = collector.requests[0].body.events;
  assert.deepEqual([beta.ruleId, beta.variant, plain.ruleId, plain.variant], ["beta", "treatment", null, "control"]);
});

test("track(): the bootstrap's context gives the default unit; invalid input is reported and counted, never thrown", async (t) => {
  const collector = await startCollector(t);
  const c = client(t, undefined, {
    bootstrap: { envelope: JSON.parse(bootstrap), values: {}, context: { targetingKey: "page-user" } },
    events: { url: collector.url, flushIntervalMs: 60_000 },
  });
  const bad = [
    ["", {}],
    ["has space", {}],
    ["x".repeat(65), {}],
    [42, {}],
    [undefined, undefined],
    ["purchase", { value: Number.NaN }],
    ["purchase", { value: Infinity }],
    ["purchase", { value: "3" }],
    ["purchase", { unit: "" }],
    ["purchase", { unit: "u".repeat(257) }],
    ["purchase", { unit: 1.5 }],
  ];
  const errors = reported(() => {
    for (const [name, details] of bad) assert.doesNotThrow(() => c.track(name, details));
    assert.doesNotThrow(() => c.track("purchase", new Proxy({}, { get: () => { throw new Error("hostile"); } })));
  });
  assert.equal(errors.length, bad.length + 1, "each reported once");
  for (const e of errors.slice(0, bad.length)) {
    assert.ok(e instanceof EdgeflagError && e.code === "INVALID_ARGUMENT", String(e));
    assert.match(e.message, /^track\(/);
  }
  assert.match(errors[0].message, /the name must be 1 to 64 characters/);
  assert.match(errors[5].message, /value must be a finite number/);
  assert.match(errors[8].message, /unit/);
  assert.equal(c.eventStats().invalid, bad.length);

  c.track("purchase", { value: 10 }); // the page's unit
  c.track("a.b:c-d_E", { unit: "x".repeat(256), value: -0.5 });
  await c.flush();
  assert.deepEqual(contractProblems(collector.requests[0].body), []);
  assert.deepEqual(collector.requests[0].body.events.map(({ event, unit, value }) => [event, unit.length > 20 ? unit.length : unit, value]), [
    ["purchase", "page-user", 10],
    ["a.b:c-d_E", 256, -0.5],
  ]);
  // Without a unit of its own, a server-side client has none to give: reported, not sent.
  const server = eventsClient(t, collector.url);
  assert.equal(reported(() => server.track("purchase")).length, 1);
  assert.equal(server.eventStats().invalid, 1);
});

test("a down endpoint: the queue stays bounded, drops are counted and announced, evaluation is unaffected", async (t) => {
  const down = (await closedPortUrl()).replace("/snapshot", "/edgeflag/events");
  const c = eventsClient(t, down, { maxQueue: 50, maxBatch: 10, flushIntervalMs: 20 });
  const reference = client(t, undefined, { bootstrap, events: false });
  const drops = [];
  c.on("dropped", (e) => drops.push(e.events));
  let max = 0;
  for (let i = 0; i < 2000; i++) {
    assert.equal(c.string("experiment", unit(i), "control"), reference.string("experiment", unit(i), "control"));
    max = Math.max(max, c.eventStats().queued);
    if (i % 100 === 0) await sleep(5); // let the timers run: sends fail, retries wait
  }
  assert.ok(max <= 50, `at most maxQueue queued (${max})`);
  const s = c.eventStats();
  assert.equal(s.sent, 0);
  assert.equal(s.queued + s.dropped, 2000, "every exposure is queued or counted as dropped");
  assert.ok(s.dropped >= 1950, `dropped ${s.dropped}`);
  await until(() => drops.length > 0, 5000, "a dropped event");
  assert.ok(drops[0].dropped > 0);
  // Retries are bounded: a batch is given up after its attempts, and counted.
  await until(() => c.eventStats().failedBatches > 0, 10_000, "a batch given up");
  const after = c.eventStats();
  assert.ok(after.retries >= 5, `retries ${after.retries}`);
  assert.equal(after.queued + after.dropped, 2000);
});

test("a 503 (and a 429) is retried with the same batch id; a 400 drops the batch without a retry", async (t) => {
  const collector = await startCollector(t);
  collector.statuses.push(503, 429);
  const c = eventsClient(t, collector.url);
  const dropped = [];
  c.on("dropped", (e) => dropped.push(e.events));
  for (let i = 0; i < 3; i++) c.string("experiment", unit(i), "control");
  await c.flush(); // resolves once the batch is accepted
  assert.deepEqual(collector.requests.map((r) => r.status), [503, 429, 202]);
  assert.equal(new Set(collector.requests.map((r) => r.body.batch)).size, 1, "the same batch id");
  assert.equal(new Set(collector.requests.map((r) => r.text)).size, 1, "the same body");
  assert.deepEqual(c.eventStats(), { queued: 0, sent: 3, dropped: 0, invalid: 0, failedBatches: 0, retries: 2 });

  collector.statuses.push(400);
  for (let i = 3; i < 7; i++) c.string("experiment", unit(i), "control");
  await c.flush();
  assert.deepEqual(collector.requests.slice(3).map((r) => r.status), [400], "not retried");
  assert.deepEqual(c.eventStats(), { queued: 0, sent: 3, dropped: 4, invalid: 0, failedBatches: 1, retries: 2 });
  await until(() => dropped.length === 1, 2000, "a dropped event");
  assert.equal(dropped[0].failedBatches, 1);

  // A 413 also settles the batch; the next one has its own id and goes through.
  collector.statuses.push(413);
  c.track("a", { unit: "u" });
  await c.flush();
  c.track("b", { unit: "u" });
  await c.flush();
  const [refused, next] = collector.requests.slice(4);
  assert.equal(refused.status, 413);
  assert.equal(next.status, 202);
  assert.notEqual(refused.body.batch, next.body.batch);
  assert.equal(c.eventStats().failedBatches, 2);
});

test("sent on the interval, when a batch is full, and on close(); flush() resolves even when the endpoint fails", async (t) => {
  const collector = await startCollector(t);
  const timed = eventsClient(t, collector.url, { flushIntervalMs: 50 });
  timed.string("experiment", unit(1), "control");
  await until(() => collector.requests.length === 1, 5000, "the interval's batch");
  assert.equal(collector.requests[0].body.events.length, 1);

  const full = eventsClient(t, collector.url, { maxBatch: 5 });
  for (let i = 0; i < 5; i++) full.string("experiment", unit(100 + i), "control");
  // Until the client has the answer: a send still in flight goes on with what is queued by then.
  await until(() => full.eventStats().sent === 5, 5000, "a full batch");
  assert.equal(collector.requests.length, 2);
  assert.equal(collector.requests[1].body.events.length, 5);
  for (let i = 5; i < 8; i++) full.string("experiment", unit(100 + i), "control");
  await sleep(200);
  assert.equal(collector.requests.length, 2, "a batch that is not full waits for the interval");
  assert.equal(full.eventStats().queued, 3);
  for (let i = 8; i < 20; i++) full.string("experiment", unit(100 + i), "control");
  await until(() => full.eventStats().queued === 0, 5000, "the queue sent once a batch was full");
  assert.deepEqual(collector.requests.slice(2).map((r) => r.body.events.length), [5, 5, 5], "in batches of at most maxBatch");
  await full.flush();
  assert.equal(collector.requests.length, 5);

  const closing = eventsClient(t, collector.url);
  closing.track("bye", { unit: "u" });
  closing.close();
  await until(() => collector.requests.length === 6, 5000, "the batch sent by close()");
  assert.equal(collector.requests[5].body.events[0].event, "bye");
  closing.track("late", { unit: "u" });
  closing.string("experiment", unit(999), "control");
  assert.equal(closing.eventStats().dropped, 2, "events after close() are dropped, and counted");

  const failing = eventsClient(t, collector.url);
  collector.status = 500;
  failing.track("x", { unit: "u" });
  await failing.flush(); // 6 attempts with short backoffs (minBackoffMs 20, maxBackoffMs 80)
  assert.deepEqual(failing.eventStats(), { queued: 0, sent: 0, dropped: 1, invalid: 0, failedBatches: 1, retries: 5 });
  assert.equal(collector.requests.filter((r) => r.status === 500).length, 6);
});

test("events option: off without a URL outside a page, false, test clients; bad values name the option", async (t) => {
  const base = { publicKeys: [signer.publicKey], environment: "production", owner: "shop", storage: null, bootstrap };
  const calls = [];
  const fetch = async (url, init) => (calls.push([url, init?.method]), new Response(null, { status: 202 }));
  // Node.js has no page: no default endpoint, so no events (and nothing is counted).
  for (const events of [undefined, {}, true, false]) {
    const c = createClient({ ...base, url: "https://flags.example/snapshot/", fetch, events, pollIntervalMs: 3_600_000 });
    t.after(() => c.close());
    c.string("experiment", unit(1), "control");
    c.track("x", { unit: "u" });
    assert.deepEqual(c.eventStats(), { queued: 0, sent: 0, dropped: 0, invalid: 0, failedBatches: 0, retries: 0 });
    await c.flush();
  }
  assert.ok(calls.every(([, method]) => method !== "POST"));
  const tc = createTestClient({ flags: { a: true } });
  tc.track("x", { unit: "u" });
  assert.equal(tc.eventStats().queued, 0, "test clients touch no network unless asked");

  // A relative events URL is resolved against the snapshot URL.
  const rel = createClient({ ...base, url: "https://flags.example/edge/snapshot", fetch, events: { url: "../edgeflag/events" }, pollIntervalMs: 3_600_000 });
  t.after(() => rel.close());
  rel.track("x", { unit: "u" });
  await rel.flush();
  assert.deepEqual(calls.filter(([, m]) => m === "POST"), [["https://flags.example/edgeflag/events", "POST"]]);

  const wrong = [
    [{ events: 5 }, "options.events"],
    [{ events: "on" }, "options.events"],
    [{ events: null }, "options.events"],
    [{ events: { url: 42 } }, "options.events.url"],
    [{ events: { url: "/edgeflag/events" } }, "options.events.url"], // nothing to resolve it against
    [{ events: { maxBatch: 501, url: "http://x/e" } }, "options.events.maxBatch"],
    [{ events: { maxBatch: 0, url: "http://x/e" } }, "options.events.maxBatch"],
    [{ events: { maxQueue: -1, url: "http://x/e" } }, "options.events.maxQueue"],
    [{ events: { flushIntervalMs: 1.5, url: "http://x/e" } }, "options.events.flushIntervalMs"],
    [{ events: { beacon: "yes", url: "http://x/e" } }, "options.events.beacon"],
  ];
  for (const [extra, name] of wrong) {
    assert.throws(
      () => createClient({ ...base, ...extra }),
      (e) => e instanceof EdgeflagError && e.code === "INVALID_ARGUMENT" && e.message.includes(name),
      JSON.stringify(extra),
    );
  }
});

test("exposures without a unit are counted as invalid and not sent", async (t) => {
  const collector = await startCollector(t);
  const c = eventsClient(t, collector.url);
  c.string("experiment", {}, "control");
  c.string("experiment", { targetingKey: "" }, "control");
  c.string("experiment", { targetingKey: "ok" }, "control");
  await c.flush();
  assert.deepEqual(collector.requests[0].body.events.map((e) => e.unit), ["ok"]);
  assert.ok(c.eventStats().invalid >= 1);
});

test("exposures carry the version of the snapshot that served them", async (t) => {
  const collector = await startCollector(t);
  const srv = await startServer();
  t.after(() => srv.close());
  srv.envelope = signer.envelope(payload({ version: 2 }));
  const live = client(t, srv.url, { events: { url: collector.url, flushIntervalMs: 60_000 } });
  assert.equal(await live.ready(5000), true);
  live.string("experiment", unit(1), "control");
  const changed = nextEvent(live, "change");
  srv.envelope = signer.envelope(payload({ version: 3 }));
  await changed;
  live.string("experiment", unit(2), "control");
  live.string("experiment", unit(1), "control"); // exposed already (same variant under v3)
  await live.flush();
  assert.deepEqual(collector.requests[0].body.events.map((e) => [e.unit, e.version]), [["u1", 2], ["u2", 3]]);
});
