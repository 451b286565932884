// Benchmarks of event ingestion and experiment results in the owning backend (not a test:
// goals are reported, never failed). Run by tests/bench/backend after backend.mjs; alone:
// EDGEFLAG=target/release/edgeflag [PG_URL=postgres://...] node tests/bench/events.mjs
//
// 1. ingest throughput: batches of 1,000 events (half exposures of new units, 40% purchases
//    with a value by units already exposed, 10% purchases by the same units again), 4 senders
//    at once, on SQLite and on PostgreSQL side by side (goal: >= 20,000 events/s into
//    PostgreSQL, 0 errors);
// 2. results of a flag with 1,000,000 exposed units (exposures ingested through the same
//    route, 5,000 per batch): GET .../experiments/{flag}?metric=purchase, median of 20
//    (goal < 100 ms), and with value=true (Welch).
import { mkdirSync, writeFileSync } from "node:fs";
import { servers } from "./serve.mjs";

const EDGEFLAG = process.env.EDGEFLAG ?? "target/release/edgeflag";
const TOKEN = "bench-token-0123456789abcdef0123";
const KEY = "bench-ingest-key-0123456789abcdef";
const THROUGHPUT_EVENTS = Number(process.env.BENCH_INGEST_EVENTS ?? 200_000);
const EXPOSED_UNITS = Number(process.env.BENCH_EXPOSED_UNITS ?? 1_000_000);
const { serve: start, request, stopAll } = servers(EDGEFLAG, ["--admin-token", TOKEN, "--ingest-key", KEY, "--environments", "production"]);
const serve = async (args) => (await start(args)).url;

async function createExperiment(url) {
  const flag = {
    type: "boolean", variants: { on: true, off: false }, offVariant: "off", trackEvents: true,
    defaultServe: { rollout: { by: "targetingKey", salt: "exp", weights: [{ variant: "on", weight: 50000 }, { variant: "off", weight: 50000 }] } },
  };
  const res = await request(`${url}/admin/environments/production/flags`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ key: "exp", flag }),
  });
  if (res.status >= 300) throw new Error(`create answered ${res.status}: ${res.body}`);
}

const at = () => new Date().toISOString();
const variantOf = (u) => (u % 2 === 0 ? "on" : "off");

/** The mixed batches of the throughput run, serialized before timing starts. */
function mixedBatches(total, prefix) {
  const batches = [];
  let unit = 0;
  for (let sent = 0; sent < total; sent += 1000) {
    const events = [];
    const first = unit;
    for (let i = 0; i < 500; i++, unit++) events.push({ kind: "exposure", flag: "exp", variant: variantOf(unit), unit: `${prefix}${unit}`, at: at() });
    for (let i = 0; i < 500; i++) {
      const u = first + (i % 400);
      events.push({ kind: "track", event: "purchase", unit: `${prefix}${u}`, value: 10 + (u % 7), at: at() });
    }
    batches.push(JSON.stringify({ batch: `${prefix}-batch-${sent}`, events }));
  }
  return batches;
}

/** Posts `batches` with `senders` at once; events/s and errors. */
async function send(url, batches, eventsPerBatch, senders = 4) {
  let next = 0;
  let errors = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < batches.length) {
        const body = batches[next++];
        const res = await request(`${url}/ingest/production/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
          body,
        });
        if (res.status !== 200) {
          errors++;
          if (errors < 3) console.error(`ingest answered ${res.status}: ${res.body.slice(0, 200)}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { eventsPerSecond: (batches.length * eventsPerBatch) / seconds, seconds, errors };
}

async function throughput(url, prefix) {
  await createExperiment(url);
  return send(url, mixedBatches(THROUGHPUT_EVENTS, prefix), 1000);
}

/** Fills `url`'s experiment to EXPOSED_UNITS units, then times its results. */
async function results(url) {
  const have = JSON.parse((await request(`${url}/admin/environments/production/experiments/exp`, { headers: { authorization: `Bearer ${TOKEN}` } })).body);
  let units = have.variants.reduce((s, v) => s + v.units, 0);
  const batches = [];
  for (let b = 0; units < EXPOSED_UNITS; b++) {
    const events = [];
    for (let i = 0; i < 5000 && units < EXPOSED_UNITS; i++, units++) events.push({ kind: "exposure", flag: "exp", variant: variantOf(units), unit: `m${units}`, at: at() });
    batches.push(JSON.stringify({ batch: `fill-batch-${b}`, events }));
  }
  const fill = await send(url, batches, 5000);
  const time = async (query) => {
    const times = [];
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      const res = await request(`${url}/admin/environments/production/experiments/exp${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      times.push(performance.now() - start);
      if (res.status !== 200) throw new Error(`results answered ${res.status}`);
      const total = JSON.parse(res.body).variants.reduce((s, v) => s + v.units, 0);
      if (total < EXPOSED_UNITS) throw new Error(`results: ${total} units, expected ${EXPOSED_UNITS}`);
    }
    times.sort((a, b) => a - b);
    return times[10];
  };
  return { fill, rateMs: await time("?metric=purchase"), welchMs: await time("?metric=purchase&value=true") };
}

const out = {};
try {
  const sqlite = await serve([]);
  out.sqlite = await throughput(sqlite, "s");
  if (process.env.PG_URL) {
    const pg = await serve(["--database", process.env.PG_URL]);
    out.postgres = await throughput(pg, "p");
    out.results = await results(pg);
  } else {
    out.results = await results(sqlite);
  }
} finally {
  stopAll();
}

const n = (x) => Math.round(x).toLocaleString("en-US");
const goal = (ok) => (ok ? "met" : "NOT met");
const lines = [`ingest, ${n(THROUGHPUT_EVENTS)} events in batches of 1,000, 4 senders: SQLite ${n(out.sqlite.eventsPerSecond)} events/s (${out.sqlite.errors} errors)`];
if (out.postgres) {
  const ratio = out.postgres.eventsPerSecond / out.sqlite.eventsPerSecond;
  lines.push(`ingest into PostgreSQL: ${n(out.postgres.eventsPerSecond)} events/s (${out.postgres.errors} errors; ${ratio.toFixed(2)}x SQLite; goal >= 20,000: ${goal(out.postgres.eventsPerSecond >= 20_000 && out.postgres.errors === 0)})`);
}
const r = out.results;
lines.push(`filling to ${n(EXPOSED_UNITS)} exposed units: ${n(r.fill.eventsPerSecond)} exposures/s in batches of 5,000 (${r.fill.errors} errors)`);
lines.push(`results of a flag with ${n(EXPOSED_UNITS)} exposed units: ${r.rateMs.toFixed(1)} ms (two-proportion z), ${r.welchMs.toFixed(1)} ms (Welch) (median of 20; goal < 100 ms: ${goal(Math.max(r.rateMs, r.welchMs) < 100)})`);
console.log(lines.join("\n"));
mkdirSync("target/bench", { recursive: true });
writeFileSync("target/bench/events.json", JSON.stringify(out, null, 2));
