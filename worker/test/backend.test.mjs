// End to end with the real owning backend: `edgeflag serve` (target/debug/edgeflag, built by
// test/run.sh, or EDGEFLAG_BIN) signs the snapshot the worker verifies and receives the
// events the worker forwards to its default INGEST_URL (SNAPSHOT_URL's origin +
// /ingest/production/events); its experiment results then count the units the worker exposed
// in middleware mode and the purchases pages sent to POST /edgeflag/events.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { startOrigin, until } from "./helpers/origin.mjs";
import { startWorker, WORKER } from "./helpers/worker.mjs";

const BIN = process.env.EDGEFLAG_BIN ?? join(WORKER, "..", "target", "debug", "edgeflag");
const INGEST_KEY = "e2e-ingest-key-0123456789";
const ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef";

/** `edgeflag serve` on a free loopback port: `{ url, publicKey, admin(method, path, body) }`. */
async function startServe(t, args) {
  assert.ok(existsSync(BIN), `${BIN} is missing: cargo build -p edgeflag-cli (test/run.sh does)`);
  const child = spawn(BIN, ["serve", "--listen", "127.0.0.1:0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  t.after(() => {
    if (child.exitCode === null) child.kill("SIGTERM");
  });
  const banner = [];
  const lines = createInterface({ input: child.stdout });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`edgeflag serve did not start: ${stderr}`)), 30_000);
    child.once("exit", (code) => reject(new Error(`edgeflag serve exited ${code}: ${stderr}`)));
    lines.on("line", (line) => {
      banner.push(line);
      if (line.includes("listening on http://")) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const value = (prefix) => banner.map((l) => l.replace(/^edgeflag serve: /, "")).find((l) => l.startsWith(prefix))?.slice(prefix.length).split(" ")[0];
  const url = `http://${value("listening on http://")}`;
  const admin = async (method, path, body) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return { url, publicKey: value("public key "), admin, stderr: () => stderr };
}

const CHECKOUT = {
  type: "boolean",
  variants: { on: true, off: false },
  offVariant: "off",
  trackEvents: true,
  defaultServe: { rollout: { by: "targetingKey", salt: "checkout", weights: [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }] } },
};

test("the worker's events reach edgeflag serve and count in its experiment results", async (t) => {
  const serve = await startServe(t, ["--environments", "production", "--owner", "shop", "--ingest-key", INGEST_KEY, "--admin-token", ADMIN_TOKEN]);
  const created = await serve.admin("POST", "/admin/environments/production/flags", { key: "checkout", flag: CHECKOUT });
  assert.ok(created.status < 300, JSON.stringify(created.body));
  const site = await startOrigin(t, { name: "site" });
  const worker = await startWorker(t, {
    vars: {
      SNAPSHOT_URL: `${serve.url}/environments/production/snapshot`,
      PUBLIC_KEYS: serve.publicKey,
      OWNER: "shop",
      ENVIRONMENT: "production",
      REFRESH_SECONDS: "0.2",
      ORIGIN_URL: site.url,
      INGEST_KEY,
      EVENTS_FLUSH_SECONDS: "0.2",
    },
  });
  await until(async () => (await worker.ofrep("/checkout", { context: { targetingKey: "x" } })).status === 200, 15_000, "the flag at the worker");

  // Middleware: 20 users browse (the worker exposes each once); 6 of them buy (the page reports it).
  const users = Array.from({ length: 20 }, (_, i) => `e2e-user-${i}`);
  const variantOf = new Map();
  for (const u of users) {
    const res = await worker.fetch("/data.json", { headers: { "x-user-id": u } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    variantOf.set(u, (await worker.ofrep("/checkout", { context: { targetingKey: u } })).body.variant);
  }
  const buyers = users.slice(0, 6);
  const at = new Date().toISOString();
  const sent = await fetch(`${worker.url}/edgeflag/events`, {
    method: "POST",
    headers: { "content-type": "text/plain;charset=UTF-8" },
    body: JSON.stringify({ batch: "e2e-batch-0001", events: buyers.map((unit) => ({ kind: "track", event: "purchase", unit, value: 10, at })) }),
  });
  assert.equal(sent.status, 202);
  assert.equal((await sent.json()).accepted, 6);

  const want = { on: { units: 0, conversions: 0 }, off: { units: 0, conversions: 0 } };
  for (const u of users) want[variantOf.get(u)].units++;
  for (const u of buyers) want[variantOf.get(u)].conversions++;
  let results;
  await until(async () => {
    await worker.health(); // every request checks whether a flush is due
    results = await serve.admin("GET", "/admin/environments/production/experiments/checkout?metric=purchase");
    if (results.status !== 200) return false;
    const got = Object.fromEntries(results.body.variants.map((v) => [v.variant, { units: v.units, conversions: v.conversions }]));
    return JSON.stringify(got.on) === JSON.stringify(want.on) && JSON.stringify(got.off) === JSON.stringify(want.off);
  }, 20_000, `experiment results ${JSON.stringify(want)}; last ${JSON.stringify(results?.body)}`);
  // The backend may show a batch before the worker has read its answer: wait for the worker too.
  let h;
  await until(async () => {
    h = (await worker.health()).body.events;
    return h.pending === 0 && h.forwarded >= 20 + 6 + 2;
  }, 20_000, `everything forwarded: 20 exposures, 6 purchases, requests records of both variants; ${JSON.stringify(h)}`);
  assert.deepEqual([h.dropped, h.backendRejected, h.lastForwardError], [0, 0, null]);
});
