// Local overrides at the edge: with ALLOW_OVERRIDES the `edgeflag-overrides` cookie (as
// edgeflag/devtools writes it) and `?edgeflag=` (which wins) override what the worker
// evaluates, in the flags header, the bootstrap and OFREP; without it neither is read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatOverrides } from "edgeflag/overrides";
import { assertOfrep } from "./helpers/ofrep-schema.mjs";
import { startOrigin, until } from "./helpers/origin.mjs";
import { setup } from "./helpers/setup.mjs";
import { makeSigner, payload } from "./helpers/signer.mjs";
import { startWorker, varsFor } from "./helpers/worker.mjs";

/** The cookie header edgeflag/devtools would send for `flags`. */
const cookie = (flags) => `edgeflag-uid=user-1; edgeflag-overrides=${encodeURIComponent(formatOverrides(flags))}`;

async function proxied(t, vars = {}) {
  const site = await startOrigin(t, { name: "site" });
  return (await setup(t, { vars: { ORIGIN_URL: site.url, ...vars } })).worker;
}

/** The flags the origin received in x-edgeflag-flags for a request to `path`. */
async function page(worker, path, headers) {
  const res = await worker.fetch(path, { headers });
  const echo = await res.json();
  return JSON.parse(echo.headers["x-edgeflag-flags"]);
}

test("without ALLOW_OVERRIDES the cookie and ?edgeflag= are never honoured", async (t) => {
  const worker = await proxied(t);
  const flags = await page(worker, "/echo?edgeflag=max-items:1", { cookie: cookie({ "new-checkout": true }) });
  assert.equal(flags["new-checkout"], false);
  assert.equal(flags["max-items"], 50.5);
  const bulk = await worker.ofrep("", { context: { targetingKey: "u1" } }, { cookie: cookie({ "new-checkout": true }) });
  assert.equal(bulk.body.flags.find((f) => f.key === "new-checkout").value, false);
  assert.equal((await worker.health()).body.overridesAllowed, false);
});

test("with ALLOW_OVERRIDES the cookie overrides flags, ?edgeflag= wins over it, everywhere the worker evaluates", async (t) => {
  const worker = await proxied(t, { ALLOW_OVERRIDES: "true" });
  assert.equal((await worker.health()).body.overridesAllowed, true);
  const headers = { cookie: cookie({ "new-checkout": true, "max-items": 7, theme: "dark, really" }) };
  const flags = await page(worker, "/echo?edgeflag=max-items:9", headers);
  assert.deepEqual([flags["new-checkout"], flags["max-items"], flags.theme], [true, 9, "dark, really"]);
  // A flag that needs new-checkout as a prerequisite is evaluated by the snapshot, not the override.
  assert.equal(flags["needs-checkout"], false);

  const html = await (await worker.fetch("/page", { headers })).text();
  const boot = JSON.parse(/<script type="application\/json" id="edgeflag-bootstrap">([^<]*)<\/script>/.exec(html)[1]);
  assert.deepEqual([boot.values["new-checkout"], boot.values["max-items"]], [true, 7]);

  const bulk = await worker.ofrep("", { context: { targetingKey: "u1" } }, headers);
  assert.equal(bulk.status, 200);
  assertOfrep("evaluateFlagsBulk", bulk.status, bulk.body);
  const one = bulk.body.flags.find((f) => f.key === "new-checkout");
  assert.deepEqual([one.value, one.reason, one.variant], [true, "STATIC", "override"], "OFREP has no OVERRIDE reason");
  const single = await worker.ofrep("/max-items", { context: { targetingKey: "u1" } }, headers);
  assert.equal(single.status, 200);
  assertOfrep("evaluateFlag", single.status, single.body);
  assert.deepEqual([single.body.value, single.body.variant], [7, "override"]);
});

test("an override of the wrong type is a per-flag error, and malformed parts are skipped", async (t) => {
  const worker = await proxied(t, { ALLOW_OVERRIDES: "1" });
  const headers = { cookie: "edgeflag-overrides=max-items%3Alots%2Cnonsense%2Cnew-checkout%3Atrue" };
  const bulk = await worker.ofrep("", { context: { targetingKey: "u1" } }, headers);
  const items = bulk.body.flags.find((f) => f.key === "max-items");
  assert.equal(items.errorCode, "GENERAL");
  assert.match(items.errorDetails, /the override of "max-items" is not a number/);
  assert.equal(bulk.body.flags.find((f) => f.key === "new-checkout").value, true);
  assert.equal(bulk.body.flags.find((f) => f.key === "nonsense"), undefined);
  const flags = await page(worker, "/echo", headers);
  assert.equal("max-items" in flags, false, "a failed flag is left out of the header");
  assert.equal(flags["new-checkout"], true);
});

test("an unreadable ALLOW_OVERRIDES is a configuration error named on health, and allows nothing", async (t) => {
  const signer = makeSigner();
  const site = await startOrigin(t, { name: "site" });
  const backend = await startOrigin(t, { name: "backend", envelope: signer.envelope(payload()) });
  const worker = await startWorker(t, { vars: varsFor(backend, signer, { ORIGIN_URL: site.url, ALLOW_OVERRIDES: "maybe" }) });
  const h = await worker.health();
  assert.equal(h.status, 500);
  assert.ok(h.body.errors.some((e) => /^ALLOW_OVERRIDES must be "true" or "false"/.test(e)), JSON.stringify(h.body.errors));
  assert.equal(h.body.overridesAllowed, false);
  await until(async () => (await worker.health()).body.version === 1, 10_000, "the snapshot");
  const flags = await page(worker, "/echo?edgeflag=new-checkout:true");
  assert.equal(flags["new-checkout"], false, "the site still works, without overrides");
});
