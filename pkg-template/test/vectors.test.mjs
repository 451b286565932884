// The shared vector files, through the assembled package: every runtime gives the same
// buckets and the same evaluation details as the Rust core. Snapshots are signed here with
// Node's crypto, so this also proves that a non-Rust signer interoperates. Both builds run them:
// the core (which refuses `matches`) and the companion module, edgeflag/regex (every case).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Evaluator, bucket, createClient } from "edgeflag";
import * as companion from "edgeflag/regex";
import { makeSigner } from "./helpers/signer.mjs";
import { VECTORS } from "./helpers/pkg.mjs";

const read = (name) => JSON.parse(readFileSync(VECTORS + name, "utf8"));

test("every bucketing vector gives its bucket", () => {
  const vectors = read("bucketing.json");
  assert.ok(vectors.length > 100);
  const wrong = vectors.filter((v) => bucket(v.salt, v.value) !== v.bucket);
  assert.deepEqual(wrong.slice(0, 5), []);
});

/** Equality where errorMessage is free text (but must be present with an errorCode). */
function same(actual, expected, name) {
  if (actual?.errorCode) assert.ok(actual.errorMessage, `${name}: an error needs a message`);
  const strip = (d) => {
    const { errorMessage: _, ...rest } = d;
    return rest;
  };
  assert.deepEqual(strip(actual), strip(expected), name);
}

test("every evaluation vector gives the expected details (the core build)", (t) => {
  const { ran, skipped } = runVectors(Evaluator);
  t.diagnostic(`${ran} cases ran, ${skipped} skipped (regex feature not in this build)`);
  assert.ok(ran >= 340);
});

test("every evaluation vector, `matches` included, gives the expected details (edgeflag/regex)", (t) => {
  const { ran, skipped } = runVectors(companion.Evaluator);
  const doc = read("evaluation.json");
  t.diagnostic(`${ran} cases ran`);
  assert.equal(skipped, 0);
  assert.equal(ran, doc.cases.length);
  assert.ok(doc.cases.filter((c) => c.snapshot === "regex").length >= 10, "the vectors have `matches` cases");
});

test("the `matches` vectors through a client, which switches to the companion module by itself", async (t) => {
  const doc = read("evaluation.json");
  const signer = makeSigner();
  const payload = doc.snapshots.regex;
  const cases = doc.cases.filter((c) => c.snapshot === "regex");
  const realNow = Date.now;
  Date.now = () => cases[0].now;
  let client;
  try {
    client = createClient({ publicKeys: [signer.publicKey], environment: payload.environment, owner: payload.owner,
      maxValidityMs: 366 * 86_400_000, storage: null, bootstrap: signer.envelope(payload) });
    const errors = [];
    client.on("error", (e) => errors.push(e.error));
    assert.equal(await client.ready(5000), true, JSON.stringify(client.lastError));
    assert.deepEqual(errors, []);
    for (const c of cases) {
      Date.now = () => c.now;
      same(client.details(c.flag, c.context, c.default), c.expected, c.name);
    }
  } finally {
    Date.now = realNow;
    client?.close();
  }
  t.diagnostic(`${cases.length} cases ran through createClient()`);
});

/** Runs every case of evaluation.json through evaluators of class `Evaluator`. */
function runVectors(Evaluator) {
  const doc = read("evaluation.json");
  const signer = makeSigner();
  const evaluators = {};
  for (const [name, payload] of Object.entries(doc.snapshots)) {
    // The shared vectors' snapshots are valid for a year (their cases span a month of instants).
    const ev = new Evaluator({ publicKeys: [signer.publicKey], environment: payload.environment, owner: payload.owner,
      maxValidityMs: 366 * 86_400_000 });
    ev.load(signer.envelope(payload), Date.now());
    // A build without the `regex` feature degrades the flags that use `matches`, and says so.
    if (ev.degradedFlags().some((f) => f.needsRegex)) assert.equal(name, "regex", `snapshot ${name} needs regex`);
    else evaluators[name] = ev;
    assert.deepEqual(ev.degradedFlags().filter((f) => !f.needsRegex), [], `snapshot ${name} has degraded flags`);
  }
  const realNow = Date.now;
  let ran = 0;
  let skipped = 0;
  try {
    for (const c of doc.cases) {
      if (c.snapshot === "regex" && !evaluators.regex) {
        skipped++;
        continue;
      }
      // The core never reads a clock: the binding passes Date.now(), which the case fixes.
      Date.now = () => c.now;
      const ev = c.snapshot === null ? new Evaluator({ publicKeys: [signer.publicKey], environment: "test", owner: "vectors" }) : evaluators[c.snapshot];
      const ctx = ev.context(c.context);
      if (c.all) {
        const all = ev.all(ctx);
        for (const [key, d] of Object.entries(c.expected)) same(all[key], d, `${c.name} (${key})`);
        assert.deepEqual(Object.keys(all).sort(), Object.keys(c.expected).sort(), c.name);
        // values() is all() without the details; a failed evaluation is null.
        const values = ev.values(ctx);
        assert.deepEqual(Object.keys(values), Object.keys(all), `${c.name} (values keys)`);
        for (const [key, d] of Object.entries(c.expected)) {
          assert.deepEqual(values[key], d.errorCode ? null : d.value, `${c.name} (values.${key})`);
        }
      } else {
        same(ev.details(c.flag, ctx, c.default), c.expected, c.name);
        // The typed getters agree with the details.
        const getter = { boolean: "bool", string: "string", number: "number" }[c.type];
        if (getter) assert.equal(ev[getter](c.flag, ctx, c.default), c.expected.value, `${c.name} (${getter})`);
        if (c.type === "object") assert.deepEqual(ev.object(c.flag, ctx, c.default), c.expected.value, `${c.name} (object)`);
        // A flag handle gives the same answers as the key.
        const flag = ev.flag(c.flag);
        same(flag.details(ctx, c.default), c.expected, `${c.name} (handle details)`);
        if (getter) assert.equal(flag[getter](ctx, c.default), c.expected.value, `${c.name} (handle ${getter})`);
        if (c.type === "object") assert.deepEqual(flag.object(ctx, c.default), c.expected.value, `${c.name} (handle object)`);
        flag.free();
      }
      ran++;
    }
  } finally {
    Date.now = realNow;
  }
  return { ran, skipped };
}
