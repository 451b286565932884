// Flag handles (`ev.flag(key)`) and `ev.values(ctx)`, the fast paths: a handle taken before
// any snapshot, or kept across updates that reorder, retype or drop its flag, always answers
// from the snapshot loaded now; values() matches all().
import { test } from "node:test";
import assert from "node:assert/strict";
import { Evaluator } from "edgeflag";
import { makeSigner, payload } from "./helpers/signer.mjs";

const signer = makeSigner();
const PRO = { targetingKey: "user-9", plan: "pro" };
const evaluator = () => new Evaluator({ publicKeys: [signer.publicKey], owner: "shop", environment: "production" });

test("a handle answers defaults until its flag loads, then follows every new snapshot", () => {
  const ev = evaluator();
  const checkout = ev.flag("new-checkout");
  const extra = ev.flag("extra");
  const ctx = ev.context(PRO);
  assert.equal(checkout.key, "new-checkout");
  assert.equal(checkout.bool(ctx, false), false, "no snapshot yet");
  assert.equal(checkout.details(ctx, false).errorCode, "PROVIDER_NOT_READY");

  ev.load(signer.envelope(payload({ version: 1 })));
  assert.equal(checkout.bool(ctx, false), true);
  assert.equal(extra.string(ctx, "d"), "d");
  const missing = extra.details(ctx, "d");
  assert.equal(missing.errorCode, "FLAG_NOT_FOUND");
  assert.match(missing.errorMessage, /"extra"/, "the message names the key");

  // Version 2 lists a new flag first (every id moves) and kills new-checkout.
  const flags = {
    extra: { type: "string", variants: { a: "A" }, offVariant: "a" },
    "new-checkout": { type: "boolean", variants: { on: true, off: false }, offVariant: "off", enabled: false },
  };
  ev.load(signer.envelope({ ...payload({ version: 2 }), flags }));
  assert.equal(checkout.bool(ctx, true), false, "the kill switch reaches an existing handle");
  assert.equal(checkout.details(ctx, true).reason, "DISABLED");
  assert.equal(extra.string(ctx, "d"), "A");

  // Version 3 retypes extra and drops new-checkout.
  const v3 = { extra: { type: "number", variants: { a: 7 }, offVariant: "a" } };
  ev.load(signer.envelope({ ...payload({ version: 3 }), flags: v3 }));
  assert.equal(checkout.bool(ctx, true), true, "gone: the default");
  assert.equal(extra.string(ctx, "d"), "d", "wrong type: the default");
  assert.equal(extra.number(ctx, 0), 7);
  assert.equal(extra.details(ctx, "d").errorCode, "TYPE_MISMATCH");
});

test("handles and values never throw on bad contexts", () => {
  const ev = evaluator();
  ev.load(signer.envelope(payload({ version: 1 })));
  const cyclic = {};
  cyclic.self = cyclic;
  const bad = ev.context(cyclic);
  const checkout = ev.flag("new-checkout");
  assert.equal(checkout.bool(bad, true), true);
  assert.equal(checkout.details(bad, true).errorCode, "INVALID_CONTEXT");
  const values = ev.values(bad);
  assert.ok(Object.values(values).every((v) => v === null));
});

test("values() is all() without the details", () => {
  const ev = evaluator();
  ev.load(signer.envelope(payload({ version: 4 })));
  const ctx = ev.context(PRO);
  const all = ev.all(ctx);
  const values = ev.values(ctx);
  assert.deepEqual(Object.keys(values), Object.keys(all));
  for (const [key, d] of Object.entries(all)) assert.deepEqual(values[key], d.errorCode ? null : d.value, key);
  assert.deepEqual(ev.values(ev.context({})).banner, "banner-v4");
});

test("float values cross exactly", () => {
  const ev = evaluator();
  const floats = [0.1, -2.5e-8, 1 / 3, 1e21, 5e-324, Number.MAX_VALUE, 123.456];
  const flags = Object.fromEntries(floats.map((f, i) => [`n${i}`, { type: "number", variants: { v: f }, offVariant: "v" }]));
  flags.o = { type: "object", variants: { v: { f: floats } }, offVariant: "v" };
  ev.load(signer.envelope({ ...payload({ version: 5 }), flags }));
  const ctx = ev.context({});
  const values = ev.values(ctx);
  floats.forEach((f, i) => {
    assert.equal(values[`n${i}`], f);
    assert.equal(ev.details(`n${i}`, ctx, 0).value, f);
    assert.equal(ev.flag(`n${i}`).number(ctx, 0), f);
  });
  assert.deepEqual(values.o, { f: floats });
  assert.deepEqual(ev.all(ctx).o.value, { f: floats });
});

test("details() and all() with an instant evaluate a scheduled ramp then", () => {
  const ev = evaluator();
  const start = Date.now() + 86_400_000;
  const ramp = {
    type: "boolean", variants: { on: true, off: false }, offVariant: "off",
    defaultServe: { schedule: { by: "targetingKey", salt: "ramp", variant: "on", otherwise: "off",
      start: new Date(start).toISOString(), end: new Date(start + 3_600_000).toISOString(),
      from: 0, to: 100000, curve: "linear" } },
  };
  ev.load(signer.envelope({ ...payload({ version: 6 }), flags: { ramp } }));
  const ctx = ev.context(PRO);
  // Before the ramp starts nobody gets "on"; once it has ended everybody does.
  assert.equal(ev.details("ramp", ctx, false).value, false);
  assert.equal(ev.details("ramp", ctx, false, undefined).value, false);
  assert.equal(ev.details("ramp", ctx, false, start + 7_200_000).value, true);
  assert.equal(ev.details("ramp", ctx, false, start + 7_200_000).reason, "SPLIT");
  assert.equal(ev.all(ctx).ramp.value, false);
  assert.equal(ev.all(ctx, start - 1).ramp.value, false);
  assert.equal(ev.all(ctx, start + 7_200_000).ramp.value, true);
});

test("results are fresh objects, and a member named __proto__ is an own property", () => {
  const ev = evaluator();
  const value = { list: [1, { deep: true }], ["__proto__"]: 1 };
  const flags = {
    ["__proto__"]: { type: "string", variants: { v: "proto" }, offVariant: "v" },
    obj: { type: "object", variants: { v: value }, offVariant: "v", metadata: { team: "web", ["__proto__"]: "m" } },
  };
  ev.load(signer.envelope({ ...payload({ version: 7 }), flags }));
  const ctx = ev.context({});
  const values = ev.values(ctx);
  const all = ev.all(ctx);
  for (const out of [values, all, all.obj.value, all.obj.flagMetadata, ev.object("obj", ctx, null)]) {
    assert.ok(Object.hasOwn(out, "__proto__"));
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  }
  assert.equal(values["__proto__"], "proto");
  assert.equal(all["__proto__"].value, "proto");

  // Changing a result changes no later one.
  values.obj.list[1].deep = false;
  all.obj.value.list.push(2);
  all.obj.flagMetadata.team = "x";
  ev.flag("obj").object(ctx, null).list.pop();
  ev.details("obj", ctx, null).value.list = [];
  assert.deepEqual(ev.values(ctx).obj, value);
  assert.deepEqual(ev.all(ctx).obj.value, value);
  assert.deepEqual(ev.details("obj", ctx, {}).value, value);
  assert.deepEqual(ev.flag("obj").object(ctx, null), value);
  assert.equal(ev.all(ctx).obj.flagMetadata.team, "web");

  // A newer snapshot with other flags in another order: the results follow it.
  const v8 = { b: { type: "number", variants: { v: 8 }, offVariant: "v" }, obj: { type: "boolean", variants: { v: true }, offVariant: "v" } };
  ev.load(signer.envelope({ ...payload({ version: 8 }), flags: v8 }));
  assert.deepEqual(ev.values(ctx), { b: 8, obj: true });
  assert.deepEqual(Object.keys(ev.all(ctx)), ["b", "obj"]);
  assert.equal(ev.all(ctx).obj.variant, "v");
  assert.equal(ev.details("obj", ctx, {}).errorCode, "TYPE_MISMATCH");
});
