// A real OpenFeature client from npm evaluating against the worker:
// @openfeature/server-sdk with @openfeature/ofrep-provider.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OpenFeature } from "@openfeature/server-sdk";
import { OFREPProvider } from "@openfeature/ofrep-provider";
import { makeSigner, payload } from "./helpers/signer.mjs";
import { startOrigin } from "./helpers/origin.mjs";
import { startWorker, varsFor } from "./helpers/worker.mjs";
import { publish, setup } from "./helpers/setup.mjs";

test("the OFREP provider evaluates every type through the worker", async (t) => {
  const env = await setup(t, { version: 1 });
  await OpenFeature.setProviderAndWait("worker", new OFREPProvider({ baseUrl: env.worker.url }));
  t.after(() => OpenFeature.close());
  const client = OpenFeature.getClient("worker");
  const ctx = { targetingKey: "user-1", country: "DE" };

  assert.equal(await client.getBooleanValue("new-checkout", false, ctx), true);
  assert.equal(await client.getBooleanValue("new-checkout", true, { targetingKey: "user-1", country: "FR" }), false);
  assert.ok(["light", "dark"].includes(await client.getStringValue("theme", "none", ctx)));
  assert.equal(await client.getNumberValue("max-items", 0, ctx), 50.5);
  assert.deepEqual(await client.getObjectValue("banner", {}, ctx), { text: "Hello </script><b>ü", color: "red" });

  const details = await client.getBooleanDetails("new-checkout", false, ctx);
  assert.deepEqual(
    { value: details.value, variant: details.variant, reason: details.reason, flagMetadata: details.flagMetadata, errorCode: details.errorCode },
    { value: true, variant: "on", reason: "TARGETING_MATCH", flagMetadata: { team: "payments", owner: "checkout" }, errorCode: undefined },
  );

  const missing = await client.getBooleanDetails("no-such-flag", true, ctx);
  assert.deepEqual([missing.value, missing.reason, missing.errorCode], [true, "ERROR", "FLAG_NOT_FOUND"]);
  const mismatch = await client.getStringDetails("new-checkout", "fallback", ctx);
  assert.deepEqual([mismatch.value, mismatch.errorCode], ["fallback", "TYPE_MISMATCH"]);
  const noKey = await client.getStringDetails("theme", "fallback", {});
  assert.deepEqual([noKey.value, noKey.errorCode], ["fallback", "TARGETING_KEY_MISSING"]);

  // A new version at the origin reaches the client through the worker.
  await publish(t, env, 2, { flags: { "new-checkout": { type: "boolean", variants: { on: true, off: false }, offVariant: "off", defaultServe: { variant: "on" } } } });
  assert.equal(await client.getBooleanValue("new-checkout", false, { targetingKey: "user-1", country: "FR" }), true);
});

test("the OFREP provider gets the caller's default while the worker has no snapshot", async (t) => {
  const signer = makeSigner();
  const origin = await startOrigin(t, { envelope: signer.envelope(payload()) });
  origin.fault = "500";
  const worker = await startWorker(t, { vars: varsFor(origin, signer) });
  await OpenFeature.setProviderAndWait("cold", new OFREPProvider({ baseUrl: worker.url }));
  t.after(() => OpenFeature.close());
  const d = await OpenFeature.getClient("cold").getBooleanDetails("new-checkout", true, { targetingKey: "u" });
  assert.deepEqual([d.value, d.reason, d.errorCode], [true, "ERROR", "GENERAL"]);
  assert.match(d.errorMessage, /no verified flag snapshot yet/);
});
