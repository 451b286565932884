// OFREP core endpoints under workerd, every response checked against the spec's schemas.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assertOfrep, strictSchemaErrors } from "./helpers/ofrep-schema.mjs";
import { makeSigner, payload } from "./helpers/signer.mjs";
import { startOrigin } from "./helpers/origin.mjs";
import { startWorker, varsFor } from "./helpers/worker.mjs";
import { publish, setup } from "./helpers/setup.mjs";

const one = (w, key, context, headers) => w.ofrep(`/${encodeURIComponent(key)}`, { context }, headers);
const ok = (r) => {
  assertOfrep("evaluateFlag", r.status, r.body);
  return r;
};

test("single-flag evaluation answers every flag type in the success shape", async (t) => {
  const { worker } = await setup(t);
  const staff = ok(await one(worker, "new-checkout", { targetingKey: "u1", email: "a@example.com" }));
  assert.equal(staff.status, 200);
  assert.deepEqual(staff.body, {
    key: "new-checkout",
    value: true,
    reason: "TARGETING_MATCH",
    variant: "on",
    metadata: { team: "payments", owner: "checkout" },
  });
  assert.match(staff.headers.get("content-type"), /^application\/json/);
  const theme = ok(await one(worker, "theme", { targetingKey: "u1" }));
  assert.equal(theme.body.reason, "SPLIT");
  assert.ok(["light", "dark"].includes(theme.body.value));
  assert.deepEqual(ok(await one(worker, "max-items", { targetingKey: "u1" })).body.value, 50.5);
  assert.deepEqual(ok(await one(worker, "banner", { targetingKey: "u1" })).body.value, { text: "Hello </script><b>ü", color: "red" });
  const killed = ok(await one(worker, "kill-switch", { targetingKey: "u1" }));
  assert.deepEqual([killed.body.value, killed.body.reason, killed.body.variant], [false, "DISABLED", "off"]);
});

test("a failed prerequisite serves the off variant with reason DISABLED (OFREP has no PREREQUISITE_FAILED)", async (t) => {
  const { worker } = await setup(t);
  const r = ok(await one(worker, "needs-checkout", { targetingKey: "u1" }));
  assert.deepEqual([r.status, r.body.value, r.body.reason, r.body.variant], [200, false, "DISABLED", "off"]);
  const met = ok(await one(worker, "needs-checkout", { targetingKey: "u1", country: "DE" }));
  assert.deepEqual([met.body.value, met.body.reason], [true, "STATIC"]);
});

test("an unknown flag is 404 FLAG_NOT_FOUND", async (t) => {
  const { worker } = await setup(t);
  const r = ok(await one(worker, "no-such-flag", { targetingKey: "u1" }));
  assert.equal(r.status, 404);
  assert.equal(r.body.key, "no-such-flag");
  assert.equal(r.body.errorCode, "FLAG_NOT_FOUND");
  assert.ok(r.body.errorDetails);
});

test("bad requests are 400 with PARSE_ERROR or INVALID_CONTEXT, single and bulk", async (t) => {
  const { worker } = await setup(t);
  for (const [body, code] of [
    ["{not json", "PARSE_ERROR"],
    ["[1, 2]", "PARSE_ERROR"],
    [{ context: "u1" }, "INVALID_CONTEXT"],
    [{ context: [1] }, "INVALID_CONTEXT"],
    [{ context: nested(200) }, "INVALID_CONTEXT"],
  ]) {
    const single = ok(await worker.ofrep("/theme", body));
    assert.deepEqual([single.status, single.body.errorCode, single.body.key], [400, code, "theme"], JSON.stringify(body).slice(0, 80));
    assert.ok(single.body.errorDetails);
    const bulk = await worker.ofrep("", body);
    assertOfrep("evaluateFlagsBulk", bulk.status, bulk.body);
    assert.deepEqual([bulk.status, bulk.body.errorCode], [400, code]);
  }
  const big = ok(await worker.ofrep("/theme", { context: { targetingKey: "u1", blob: "x".repeat(300_000) } }));
  assert.deepEqual([big.status, big.body.errorCode], [400, "PARSE_ERROR"]);
});

test("a rollout without targetingKey is TARGETING_KEY_MISSING; other flags still evaluate", async (t) => {
  const { worker } = await setup(t);
  const r = ok(await one(worker, "theme", {}));
  assert.deepEqual([r.status, r.body.errorCode], [400, "TARGETING_KEY_MISSING"]);
  // A missing context is an empty one.
  const plain = ok(await worker.ofrep("/max-items", {}));
  assert.deepEqual([plain.status, plain.body.value], [200, 50.5]);
  const bulk = await worker.ofrep("", { context: {} });
  assertOfrep("evaluateFlagsBulk", 200, bulk.body);
  const theme = bulk.body.flags.find((f) => f.key === "theme");
  assert.deepEqual([theme.errorCode, "value" in theme], ["TARGETING_KEY_MISSING", false]);
  assert.equal(bulk.body.flags.find((f) => f.key === "max-items").value, 50.5);
});

test("bulk evaluation: every flag, the version, an ETag, and 304 on If-None-Match", async (t) => {
  const env = await setup(t, { version: 4 });
  const { worker } = env;
  const ctx = { targetingKey: "user-1", country: "DE" };
  const first = await worker.ofrep("", { context: ctx });
  assertOfrep("evaluateFlagsBulk", 200, first.body);
  assert.deepEqual(first.body.flags.map((f) => f.key), ["new-checkout", "theme", "max-items", "banner", "kill-switch", "needs-checkout"]);
  assert.deepEqual(first.body.metadata, { version: 4 });
  assert.equal(first.body.flags[0].value, true);
  const etag = first.headers.get("etag");
  assert.match(etag, /^"4-[A-Za-z0-9_-]+"$/);
  assert.equal(first.headers.get("access-control-expose-headers"), "ETag");

  const again = await worker.ofrep("", { context: ctx }, { "if-none-match": etag });
  assert.equal(again.status, 304);
  assert.equal(again.body, undefined);
  assertOfrep("evaluateFlagsBulk", 304, again.body);
  assert.equal(again.headers.get("etag"), etag);
  assert.equal((await worker.ofrep("", { context: ctx }, { "if-none-match": `W/${etag}, "x"` })).status, 304);

  // Another context evaluates differently: another tag.
  const other = await worker.ofrep("", { context: { targetingKey: "user-1", country: "FR" } }, { "if-none-match": etag });
  assert.equal(other.status, 200);
  assert.notEqual(other.headers.get("etag"), etag);

  // A new version: the old tag no longer matches.
  await publish(t, env, 5);
  const newer = await worker.ofrep("", { context: ctx }, { "if-none-match": etag });
  assert.equal(newer.status, 200);
  assert.match(newer.headers.get("etag"), /^"5-/);
  assert.deepEqual(newer.body.metadata, { version: 5 });
});

test("the bulk ETag changes when a scheduled ramp moves on within one version", async (t) => {
  const start = Date.now() - 3600_000;
  const flags = {
    ramp: {
      type: "boolean",
      variants: { on: true, off: false },
      offVariant: "off",
      defaultServe: { schedule: { variant: "on", otherwise: "off", start: new Date(start).toISOString(), end: new Date(start + 86_400_000).toISOString() } },
    },
  };
  const { worker } = await setup(t, { flags, entry: "clock-entry.js" });
  const at = (offset) => ({ "x-test-offset-ms": String(offset) });
  // Find a unit that flips from off to on over the day, and compare its tags.
  const ctx = { targetingKey: "unit-17" };
  const early = await worker.ofrep("", { context: ctx }, at(-3599_000));
  const late = await worker.ofrep("", { context: ctx }, at(86_400_000));
  assert.equal(early.body.flags[0].value, false);
  assert.equal(late.body.flags[0].value, true);
  assert.notEqual(early.headers.get("etag"), late.headers.get("etag"));
  assert.equal((await worker.ofrep("", { context: ctx }, { ...at(86_400_000), "if-none-match": early.headers.get("etag") })).status, 200);
});

test("without a verified snapshot the worker answers PROVIDER_NOT_READY within the bounded wait", async (t) => {
  const signer = makeSigner();
  const origin = await startOrigin(t, { envelope: signer.envelope(payload()) });
  origin.fault = "slow";
  const worker = await startWorker(t, { vars: varsFor(origin, signer) });
  const began = Date.now();
  const single = await worker.ofrep("/theme", { context: { targetingKey: "u1" } });
  const waited = Date.now() - began;
  assert.ok(waited >= 1900 && waited < 4000, `waited ${waited} ms`);
  assertOfrep("evaluateFlag", 500, single.body);
  assert.deepEqual([single.status, single.body.key, single.body.errorCode], [500, "theme", "PROVIDER_NOT_READY"]);
  const bulk = await worker.ofrep("", { context: { targetingKey: "u1" } });
  assertOfrep("evaluateFlagsBulk", 500, bulk.body);
  assert.deepEqual([bulk.status, bulk.body.errorCode], [500, "PROVIDER_NOT_READY"]);
  assert.equal(bulk.headers.get("etag"), null);
  assert.equal((await worker.health()).status, 503);
});

test("methods: POST only, CORS preflight answered", async (t) => {
  const { worker } = await setup(t);
  const get = await worker.fetch("/ofrep/v1/evaluate/flags/theme");
  assert.equal(get.status, 405);
  assert.match(get.headers.get("allow"), /POST/);
  const pre = await worker.fetch("/ofrep/v1/evaluate/flags", { method: "OPTIONS" });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), "*");
  assert.match(pre.headers.get("access-control-allow-headers"), /If-None-Match/);
});

test("the spec's evaluationSuccess oneOf, read literally, rejects every response with a value", () => {
  const good = { key: "k", value: true, reason: "STATIC", variant: "on", metadata: {} };
  const errors = strictSchemaErrors("serverEvaluationSuccess", good);
  assert.ok(errors.some((e) => e.keyword === "oneOf"), JSON.stringify(errors));
  // With codeDefaultFlag read as "no value" and float as "not an integer" it validates, and a
  // wrongly shaped value still fails.
  assertOfrep("evaluateFlag", 200, good);
  assert.throws(() => assertOfrep("evaluateFlag", 200, { ...good, value: null }));
  assert.throws(() => assertOfrep("evaluateFlag", 200, { ...good, reason: "PREREQUISITE_FAILED" }));
});

function nested(depth) {
  let v = { leaf: true };
  for (let i = 0; i < depth; i++) v = { v };
  return { targetingKey: "u1", deep: v };
}
