// The OpenFeature providers with the real SDKs from npm: @openfeature/web-sdk (synchronous
// resolvers, static context, provider events) and @openfeature/server-sdk (dynamic context),
// and both SDKs' Tracking API (track()) sending to a local events endpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OpenFeature as WebOpenFeature, ProviderEvents, ProviderStatus } from "@openfeature/web-sdk";
import { OpenFeature as ServerOpenFeature } from "@openfeature/server-sdk";
import { createClient } from "edgeflag";
import { EdgeflagServerProvider, EdgeflagWebProvider } from "edgeflag/openfeature";
import { createTestClient } from "edgeflag/testing";
import { makeSigner, payload } from "./helpers/signer.mjs";
import { closedPortUrl, startServer } from "./helpers/server.mjs";
import { contractProblems, startCollector } from "./helpers/collector.mjs";

const signer = makeSigner();
const options = (extra) => ({
  publicKeys: [signer.publicKey],
  environment: "production",
  owner: "shop",
  storage: null,
  pollIntervalMs: 40,
  timeoutMs: 300,
  minBackoffMs: 20,
  maxBackoffMs: 80,
  ...extra,
});

const event = (api, type) => new Promise((resolve) => {
  const handler = (details) => {
    api.removeHandler(type, handler);
    resolve(details);
  };
  api.addHandler(type, handler);
});

test("web SDK: synchronous evaluation, context changes, events", async (t) => {
  const srv = await startServer();
  srv.envelope = signer.envelope(payload());
  t.after(() => srv.close());
  t.after(() => WebOpenFeature.close());
  const provider = new EdgeflagWebProvider(options({ url: srv.url }));
  await WebOpenFeature.setContext({ targetingKey: "user-9", plan: "free" });
  await WebOpenFeature.setProviderAndWait(provider);
  const of = WebOpenFeature.getClient();
  assert.equal(of.providerStatus, ProviderStatus.READY);
  assert.equal(of.getBooleanValue("new-checkout", true), false);
  assert.equal(of.getStringValue("banner", ""), "banner-v1");

  await WebOpenFeature.setContext({ targetingKey: "user-9", plan: "pro" });
  const d = of.getBooleanDetails("new-checkout", false);
  assert.equal(d.value, true);
  assert.equal(d.reason, "TARGETING_MATCH");
  assert.equal(d.variant, "on");

  const missing = of.getNumberDetails("missing", 7);
  assert.equal(missing.value, 7);
  assert.equal(missing.errorCode, "FLAG_NOT_FOUND");
  assert.equal(of.getStringDetails("new-checkout", "x").errorCode, "TYPE_MISMATCH");

  const changed = event(of, ProviderEvents.ConfigurationChanged);
  srv.envelope = signer.envelope(payload({ version: 2 }));
  await changed;
  assert.equal(of.getStringValue("banner", ""), "banner-v2");

  const stale = event(of, ProviderEvents.Stale);
  srv.fault = "500";
  await stale;
  assert.equal(of.providerStatus, ProviderStatus.STALE);
  assert.equal(of.getStringValue("banner", ""), "banner-v2", "last-known-good");
  const ready = event(of, ProviderEvents.Ready);
  srv.fault = undefined;
  await ready;
  assert.equal(of.providerStatus, ProviderStatus.READY);
});

test("web SDK: no snapshot in time means ERROR, then READY when one arrives", async (t) => {
  const srv = await startServer();
  t.after(() => srv.close());
  t.after(() => WebOpenFeature.close());
  const client = createClient(options({ url: srv.url }));
  t.after(() => client.close());
  const provider = new EdgeflagWebProvider(client, { readyTimeoutMs: 100 });
  await assert.rejects(WebOpenFeature.setProviderAndWait(provider));
  const of = WebOpenFeature.getClient();
  assert.equal(of.providerStatus, ProviderStatus.ERROR);
  assert.equal(of.getBooleanValue("new-checkout", true), true);
  const ready = event(of, ProviderEvents.Ready);
  srv.envelope = signer.envelope(payload());
  await ready;
  assert.equal(of.providerStatus, ProviderStatus.READY);
  assert.equal(of.getStringValue("banner", ""), "banner-v1");
});

test("web SDK: a fatal status makes the provider FATAL", async (t) => {
  const srv = await startServer();
  srv.fault = "401";
  t.after(() => srv.close());
  t.after(() => WebOpenFeature.close());
  await assert.rejects(WebOpenFeature.setProviderAndWait(new EdgeflagWebProvider(options({ url: srv.url }))));
  assert.equal(WebOpenFeature.getClient().providerStatus, ProviderStatus.FATAL);
});

test("web SDK with the test client: both states of a flag without a backend", async (t) => {
  t.after(() => WebOpenFeature.close());
  const client = createTestClient({ flags: { "new-checkout": true } });
  await WebOpenFeature.setProviderAndWait(new EdgeflagWebProvider(client));
  const of = WebOpenFeature.getClient();
  assert.equal(of.getBooleanValue("new-checkout", false), true);
  const changed = event(of, ProviderEvents.ConfigurationChanged);
  client.override("new-checkout", false);
  await changed;
  assert.equal(of.getBooleanValue("new-checkout", true), false);
  const other = of.getStringDetails("not-forced", "fallback");
  assert.equal(other.value, "fallback");
  assert.equal(other.errorCode, undefined);
});

test("server SDK: per-request contexts, details, events", async (t) => {
  const srv = await startServer();
  srv.envelope = signer.envelope(payload());
  t.after(() => srv.close());
  t.after(() => ServerOpenFeature.close());
  await ServerOpenFeature.setProviderAndWait(new EdgeflagServerProvider(options({ url: srv.url })));
  const of = ServerOpenFeature.getClient();
  assert.equal(await of.getBooleanValue("new-checkout", false, { targetingKey: "u", plan: "pro" }), true);
  assert.equal(await of.getBooleanValue("new-checkout", true, { targetingKey: "u", plan: "free" }), false);
  assert.equal(await of.getBooleanValue("new-checkout", false, { targetingKey: "user-1" }), true);
  const d = await of.getStringDetails("experiment", "control", { targetingKey: "u-42" });
  assert.equal(d.reason, "SPLIT");
  assert.ok(["control", "treatment"].includes(d.value));
  const obj = await of.getObjectValue("missing", { a: 1 }, {});
  assert.deepEqual(obj, { a: 1 });
  const changed = event(of, "PROVIDER_CONFIGURATION_CHANGED");
  srv.envelope = signer.envelope(payload({ version: 2 }));
  await changed;
  assert.equal(await of.getStringValue("banner", "", {}), "banner-v2");
});

test("server SDK: evaluation before readiness and with bad contexts gives defaults", async (t) => {
  t.after(() => ServerOpenFeature.close());
  const provider = new EdgeflagServerProvider(options({ url: await closedPortUrl() }), { readyTimeoutMs: 50 });
  ServerOpenFeature.setProvider(provider);
  const of = ServerOpenFeature.getClient();
  assert.equal(await of.getBooleanValue("new-checkout", true, { targetingKey: "u" }), true);
  const client = createTestClient({ bootstrap: signer.envelope(payload()), publicKeys: [signer.publicKey], environment: "production", owner: "shop" });
  await ServerOpenFeature.setProviderAndWait(new EdgeflagServerProvider(client));
  const cyclic = {};
  cyclic.self = cyclic;
  const d = await ServerOpenFeature.getClient().getBooleanDetails("new-checkout", true, { targetingKey: "u", nested: cyclic });
  assert.equal(d.value, true);
  assert.equal(d.errorCode, "INVALID_CONTEXT");
});

test("track() of both SDKs reaches the events endpoint, the context's targetingKey as the unit", async (t) => {
  const collector = await startCollector(t);
  const events = { url: collector.url, flushIntervalMs: 60_000 };
  t.after(() => WebOpenFeature.close());
  const web = createClient(options({ bootstrap: signer.envelope(payload()), events }));
  t.after(() => web.close());
  await WebOpenFeature.setContext({ targetingKey: "user-9", plan: "pro" });
  await WebOpenFeature.setProviderAndWait(new EdgeflagWebProvider(web));
  const of = WebOpenFeature.getClient();
  const variant = of.getStringDetails("experiment", "control").variant;
  of.track("purchase", { value: 9.99, currency: "EUR" });
  of.track("signup");
  await web.flush();
  assert.deepEqual(contractProblems(collector.requests[0].body), []);
  assert.deepEqual(collector.requests[0].body.events.map(({ at, ...e }) => e), [
    { kind: "exposure", flag: "experiment", variant, ruleId: null, version: 1, unit: "user-9" },
    { kind: "track", event: "purchase", unit: "user-9", value: 9.99 },
    { kind: "track", event: "signup", unit: "user-9" },
  ]);

  t.after(() => ServerOpenFeature.close());
  const server = createClient(options({ bootstrap: signer.envelope(payload()), events }));
  t.after(() => server.close());
  await ServerOpenFeature.setProviderAndWait(new EdgeflagServerProvider(server));
  const sof = ServerOpenFeature.getClient();
  sof.track("checkout", { targetingKey: "u-1" }, { value: 3 });
  const original = console.error;
  const errors = [];
  console.error = (e) => errors.push(e);
  try {
    sof.track("checkout", {}, { value: 3 }); // no targetingKey: no unit, reported and counted
    sof.track("bad name", { targetingKey: "u-1" });
  } finally {
    console.error = original;
  }
  assert.equal(errors.length, 2);
  await server.flush();
  assert.deepEqual(collector.requests[1].body.events.map(({ kind, event, unit, value }) => [kind, event, unit, value]), [["track", "checkout", "u-1", 3]]);
  assert.equal(server.eventStats().invalid, 2);
});
