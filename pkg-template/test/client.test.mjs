// The client against a real local HTTP server with injected faults: the application keeps
// getting last-known-good values, statuses and events are right, nothing throws. Intervals are
// made small through options and tests wait for events, never for wall-clock speed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EdgeflagError } from "edgeflag";
import { makeSigner, payload } from "./helpers/signer.mjs";
import { closedPortUrl, nextEvent, sleep, until } from "./helpers/server.mjs";
import { client, FREE, PRO, readyClient, server, signer } from "./helpers/client.mjs";

test("loads, verifies and evaluates; ready once; status READY", async (t) => {
  const srv = await server(t);
  const c = client(t, srv.url);
  assert.equal(c.status, "NOT_READY");
  assert.equal(c.bool("new-checkout", PRO, false), false, "defaults before the snapshot");
  assert.equal(c.details("new-checkout", PRO, false).errorCode, "PROVIDER_NOT_READY");
  const ready = nextEvent(c, "ready");
  assert.equal(await c.ready(5000), true);
  const e = await ready;
  assert.equal(e.type, "ready");
  assert.equal(e.status, "READY");
  assert.equal(e.info.version, 1);
  assert.equal(c.status, "READY");
  assert.equal(c.bool("new-checkout", PRO, false), true);
  assert.equal(c.bool("new-checkout", FREE, true), false);
  assert.equal(c.string("banner", {}, ""), "banner-v1");
  const d = c.details("new-checkout", PRO, false);
  assert.equal(d.reason, "TARGETING_MATCH");
  assert.equal(d.ruleId, "pro");
  assert.equal(c.info.version, 1);
  assert.equal(await c.ready(10), true, "ready() after readiness resolves at once");
});

test("polls with If-None-Match; 304 keeps the snapshot and emits nothing", async (t) => {
  const srv = await server(t);
  const c = await readyClient(t, srv);
  const events = [];
  for (const type of ["change", "stale", "error", "recovered"]) c.on(type, (e) => events.push(e.type));
  await until(() => srv.requests.length >= 4, 5000, "polls");
  const conditional = srv.requests.slice(1).filter((r) => r.headers["if-none-match"]);
  assert.ok(conditional.length >= 2, "later polls are conditional");
  assert.equal(c.status, "READY");
  assert.deepEqual(events, []);
});

test("a newer snapshot is swapped in with a change event", async (t) => {
  const srv = await server(t);
  const c = await readyClient(t, srv);
  const change = nextEvent(c, "change");
  srv.envelope = signer.envelope(payload({ version: 2 }));
  const e = await change;
  assert.deepEqual(e.changed, { from: 1, to: 2 });
  assert.equal(c.string("banner", {}, ""), "banner-v2");
  assert.equal(c.info.version, 2);
});

for (const [fault, code] of [
  ["500", "HTTP_STATUS"],
  ["slow", "TIMEOUT"],
  ["truncated", "NETWORK"],
  ["cut", undefined],
  ["oversized", "TOO_LARGE"],
]) {
  test(`fault "${fault}" after a load: STALE, last-known-good served, then recovered`, async (t) => {
    const srv = await server(t);
    const c = await readyClient(t, srv, { maxBytes: 64 * 1024 });
    const stale = nextEvent(c, "stale");
    srv.fault = fault;
    const e = await stale;
    assert.equal(e.status, "STALE");
    assert.ok(e.error instanceof EdgeflagError);
    if (code) assert.equal(e.error.code, code);
    assert.equal(c.status, "STALE");
    assert.equal(c.bool("new-checkout", PRO, false), true, "last-known-good");
    assert.equal(c.string("banner", {}, ""), "banner-v1");
    const recovered = nextEvent(c, "recovered");
    srv.fault = undefined;
    await recovered;
    assert.equal(c.status, "READY");
  });
}

test("server down: STALE with last-known-good, recovers when it is back", async (t) => {
  const srv = await server(t);
  const c = await readyClient(t, srv);
  const stale = nextEvent(c, "stale");
  await srv.close();
  assert.equal((await stale).error.code, "NETWORK");
  assert.equal(c.string("banner", {}, "x"), "banner-v1");
});

for (const [name, make, code] of [
  ["bad signature", () => makeSigner().envelope(payload({ version: 2 })), "BAD_SIGNATURE"],
  ["rollback", () => signer.envelope(payload({ version: 1 })), "ROLLBACK"],
  ["expired", () => signer.envelope(payload({ version: 3, expiresInMs: -3_600_000 })), "EXPIRED"],
  ["wrong environment", () => signer.envelope(payload({ version: 3, environment: "staging" })), "WRONG_ENVIRONMENT"],
  ["another owner", () => signer.envelope(payload({ version: 3, owner: "billing" })), "WRONG_OWNER"],
  ["issued in the future", () => signer.envelope(payload({ version: 3, issuedAgoMs: -3_600_000, expiresInMs: 7_200_000 })), "ISSUED_IN_FUTURE"],
  ["valid for a year", () => signer.envelope(payload({ version: 3, expiresInMs: 365 * 86_400_000 })), "VALIDITY_TOO_LONG"],
]) {
  test(`${name}: refused, last-known-good kept, STALE`, async (t) => {
    const srv = await server(t, 2);
    const c = await readyClient(t, srv);
    const stale = nextEvent(c, "stale");
    srv.envelope = make();
    const e = await stale;
    assert.equal(e.error.code, code);
    assert.equal(c.info.version, 2);
    assert.equal(c.string("banner", {}, "x"), "banner-v2");
  });
}

test("no snapshot at all: ERROR, ready(timeout) resolves false, defaults served", async (t) => {
  const url = await closedPortUrl();
  const c = client(t, url);
  const error = nextEvent(c, "error");
  const started = Date.now();
  assert.equal(await c.ready(300), false);
  assert.ok(Date.now() - started < 3000);
  assert.equal((await error).status, "ERROR");
  assert.equal(c.status, "ERROR");
  assert.equal(c.bool("new-checkout", PRO, true), true);
  assert.equal(c.details("new-checkout", PRO, true).reason, "ERROR");
});

test("a client with nothing to fetch from and nothing stored is not ready, at once", async (t) => {
  const c = client(t, undefined);
  assert.equal(await c.ready(), false);
  assert.equal(c.status, "NOT_READY");
  assert.equal(c.bool("new-checkout", PRO, true), true);
});

test("an expired snapshot as the first answer: ERROR", async (t) => {
  const srv = await server(t, 0);
  srv.envelope = signer.envelope(payload({ expiresInMs: -3_600_000 }));
  const c = client(t, srv.url);
  const e = await nextEvent(c, "error");
  assert.equal(e.error.code, "EXPIRED");
  assert.equal(await c.ready(50), false);
});

for (const status of ["401", "403", "404"]) {
  test(`fatal ${status}: polling stops, ready() resolves false at once`, async (t) => {
    const srv = await server(t);
    srv.fault = status;
    const c = client(t, srv.url);
    assert.equal(await c.ready(10_000), false);
    assert.equal(c.status, "ERROR");
    assert.equal(c.lastError.code, "FATAL_HTTP_STATUS");
    const seen = srv.requests.length;
    await sleep(300); // several poll intervals and backoff ceilings
    assert.equal(srv.requests.length, seen, "no request after a fatal status");
  });
}

test("a fatal status after a load keeps the last-known-good (STALE); refresh() resumes", async (t) => {
  const srv = await server(t);
  const c = await readyClient(t, srv);
  const stale = nextEvent(c, "stale");
  srv.fault = "404";
  await stale;
  const seen = srv.requests.length;
  await sleep(200);
  assert.equal(srv.requests.length, seen);
  assert.equal(c.bool("new-checkout", PRO, false), true);
  srv.fault = undefined;
  const recovered = nextEvent(c, "recovered");
  await c.refresh();
  await recovered;
  assert.equal(c.status, "READY");
});

test("concurrent refresh() calls share one request", async (t) => {
  const srv = await server(t);
  const c = await readyClient(t, srv, { pollIntervalMs: 60_000 });
  const before = srv.requests.length;
  srv.fault = "slow";
  srv.slowMs = 100;
  const all = [c.refresh(), c.refresh(), c.refresh(), c.refresh()];
  assert.equal(new Set(all).size, 1, "the same promise");
  await Promise.all(all);
  assert.equal(srv.requests.length, before + 1);
});

test("refreshIfDue() polls only when a poll is due", async (t) => {
  const srv = await server(t);
  const c = await readyClient(t, srv, { pollIntervalMs: 60_000 });
  const seen = srv.requests.length;
  await c.refreshIfDue();
  assert.equal(srv.requests.length, seen, "not due: no request");
  const c3 = await readyClient(t, srv, { pollIntervalMs: 30 });
  await sleep(60);
  const before = srv.requests.length;
  await Promise.all([c3.refreshIfDue(), c3.refreshIfDue()]);
  assert.ok(srv.requests.length <= before + 1, "due polls are de-duplicated");
});

test("close() stops polling and settles waiting ready() calls", async (t) => {
  const url = await closedPortUrl();
  const c = client(t, url);
  const waiting = c.ready();
  c.close();
  assert.equal(await waiting, false);
  assert.equal(await c.ready(), false);
  const srv = await server(t);
  const c2 = await readyClient(t, srv);
  c2.close();
  const seen = srv.requests.length;
  await sleep(200);
  assert.equal(srv.requests.length, seen);
  assert.equal(c2.bool("new-checkout", PRO, false), true, "still serves what it had");
});
