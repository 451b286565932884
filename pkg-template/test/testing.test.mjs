// The testing helpers applications use: forced values, both states of every flag, no backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestClient } from "edgeflag/testing";
import { makeSigner, payload } from "./helpers/signer.mjs";

test("a test client is ready at once and serves forced values", async () => {
  const client = createTestClient({ flags: { "new-checkout": true, banner: "hello", limit: 3, layout: { cols: 2 } } });
  assert.equal(client.status, "READY");
  assert.equal(await client.ready(0), true);
  assert.equal(client.bool("new-checkout", { targetingKey: "u" }, false), true);
  assert.equal(client.string("banner", undefined, ""), "hello");
  assert.equal(client.number("limit", {}, 0), 3);
  assert.deepEqual(client.object("layout", {}, {}), { cols: 2 });
  const d = client.details("new-checkout", {}, false);
  assert.equal(d.reason, "OVERRIDE");
  assert.equal(d.variant, "override");
  assert.equal(d.errorCode, undefined);
});

test("both states of a flag, switched with override(); every switch emits change", async () => {
  const client = createTestClient();
  const changes = [];
  client.on("change", (e) => changes.push(e.overrides));
  for (const state of [true, false]) {
    client.override("new-checkout", state);
    assert.equal(client.bool("new-checkout", {}, !state), state);
  }
  client.override({ a: 1, b: "x" });
  client.override("a", undefined);
  assert.equal(client.number("a", {}, 0), 0);
  client.clearOverrides();
  assert.equal(client.string("b", {}, "d"), "d");
  assert.deepEqual(changes, [["new-checkout"], ["new-checkout"], ["a", "b"], ["a"], ["new-checkout", "b"]]);
});

test("flags not forced answer the default without an error", () => {
  const client = createTestClient({ flags: { x: true } });
  const d = client.details("other", {}, "fallback");
  assert.deepEqual(d, { value: "fallback", reason: "DEFAULT", inExperiment: false, flagMetadata: {} });
  assert.equal(client.bool("other", {}, true), true);
});

test("a forced value of another type is a type mismatch", () => {
  const client = createTestClient({ flags: { x: "text" } });
  assert.equal(client.bool("x", {}, false), false);
  assert.equal(client.details("x", {}, false).errorCode, "TYPE_MISMATCH");
  assert.equal(client.details("x", {}, undefined).value, "text", "an untyped read takes any type");
});

test("with a signed bootstrap, real rules evaluate and overrides win", () => {
  const signer = makeSigner();
  const client = createTestClient({
    bootstrap: signer.envelope(payload()),
    publicKeys: [signer.publicKey],
    environment: "production",
    owner: "shop",
    flags: { banner: "forced" },
  });
  assert.equal(client.info.version, 1);
  assert.equal(client.bool("new-checkout", { plan: "pro" }, false), true);
  assert.equal(client.bool("new-checkout", { plan: "free" }, true), false);
  assert.equal(client.string("banner", {}, ""), "forced");
  assert.equal(client.all({}).banner.value, "forced");
  assert.equal(client.all({})["new-checkout"].value, false);
});

test("a test client never touches the network", async () => {
  let called = 0;
  const client = createTestClient({ fetch: async () => (called++, new Response("")) });
  await client.refresh();
  client.close();
  assert.equal(called, 0);
});
