#!/usr/bin/env node
// Bounded loopback load test under workerd (Miniflare): OFREP bulk evaluation against a
// route of the same worker that answers a fixed JSON body of the same size, while the origin
// publishes a new signed version every second. Not part of the pass/fail suite.
//
//   worker/load/run.sh [--duration 10] [--connections 32] [--max-requests 400000] [--flags 40]
//   worker/load/run.sh --mode events [--duration 10] [--connections 32] [--batch 50]
//   (or node load/run.mjs ... once test/prepare.sh has run)
//
// Prints requests/s and p99 latency of both routes, their ratio, errors, and the number of
// bulk responses that mixed flag values of two versions (each flag's value names the version
// it came from, so a response mixing snapshots is detected). Everything listens on 127.0.0.1.
//
// `--mode events`: POST /edgeflag/events with batches of `--batch` events (exposures checked
// against the snapshot, and tracks), each with a fresh batch id, while the worker forwards to a
// local ingest server; prints events/s, errors, and whether every accepted event arrived.
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { makeSigner, payload } from "../test/helpers/signer.mjs";
import { startIngest } from "../test/helpers/ingest.mjs";
import { startOrigin, until } from "../test/helpers/origin.mjs";
import { buildBundle, startWorker, varsFor } from "../test/helpers/worker.mjs";

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "32" },
    "max-requests": { type: "string", default: "400000" },
    flags: { type: "string", default: "40" },
    mode: { type: "string", default: "ofrep" },
    batch: { type: "string", default: "50" },
  },
});
const BATCH = Math.max(1, Math.min(500, Number(args.batch)));
const DURATION = Math.min(60, Number(args.duration));
const CONNECTIONS = Math.min(256, Number(args.connections));
const MAX_REQUESTS = Math.min(2_000_000, Number(args["max-requests"]));
const FLAG_COUNT = Math.min(500, Number(args.flags));
const USERS = 1000;

// Cleanups, as node:test's t.after would run them.
const cleanups = [];
const t = { after: (fn) => cleanups.push(fn) };

/** A flag set whose every value names its version: rollouts, rules and statics. */
function flags(version) {
  const out = {};
  for (let i = 0; i < FLAG_COUNT; i++) {
    const variants = { a: `v${version}-a`, b: `v${version}-b` };
    const serve =
      i % 3 === 0
        ? { rollout: { weights: [{ variant: "a", weight: 30_000 }, { variant: "b", weight: 70_000 }] } }
        : { variant: i % 2 ? "a" : "b" };
    out[`flag-${i}`] = {
      type: "string",
      variants,
      offVariant: "a",
      rules: i % 3 === 1 ? [{ id: "pro", conditions: [{ attribute: "plan", op: "in", values: ["pro"] }], serve: { variant: "b" } }] : [],
      defaultServe: serve,
    };
  }
  return out;
}

/** Checks one bulk response: 200, every flag from the version in metadata. */
function check(stats, status, body) {
  if (status !== 200) return void stats.bad++;
  let doc;
  try {
    doc = JSON.parse(body);
  } catch {
    return void stats.bad++;
  }
  const version = doc.metadata?.version;
  const prefix = `v${version}-`;
  if (!Array.isArray(doc.flags) || doc.flags.length !== FLAG_COUNT) return void stats.bad++;
  if (!doc.flags.every((f) => typeof f.value === "string" && f.value.startsWith(prefix))) stats.mixed++;
  stats.versions.add(version);
}

function run(name, opts, stats) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { connections: CONNECTIONS, duration: DURATION, maxOverallRequests: MAX_REQUESTS, ...opts },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    instance.on("error", reject);
    process.once("SIGINT", () => instance.stop());
    stats.name = name;
  });
}

async function main() {
  buildBundle();
  const signer = makeSigner();
  let version = 1;
  const origin = await startOrigin(t, { envelope: signer.envelope(payload({ version, flags: flags(version) })) });
  const publisher = setInterval(() => {
    version++;
    origin.envelope = signer.envelope(payload({ version, flags: flags(version) }));
  }, 1000);
  cleanups.push(() => clearInterval(publisher));
  const worker = await startWorker(t, { vars: varsFor(origin, signer, { REFRESH_SECONDS: "0.25" }), entry: "bench-entry.js" });

  // The fixed route answers a real bulk response (same bytes, same size), computed once.
  const sample = await worker.ofrep("", { context: { targetingKey: "user-1", plan: "pro" } });
  const fixedBody = JSON.stringify(sample.body);
  await worker.fetch("/__fixed/set", { method: "POST", body: fixedBody });

  const contexts = Array.from({ length: USERS }, (_, i) => JSON.stringify({ context: { targetingKey: `user-${i}`, plan: i % 4 ? "free" : "pro" } }));
  let next = 0;
  const fixedStats = { bad: 0, mixed: 0, versions: new Set() };
  const bulkStats = { bad: 0, mixed: 0, versions: new Set() };
  const post = { method: "POST", headers: { "content-type": "application/json" } };

  const fixed = await run(
    "fixed",
    {
      url: `${worker.url}/__fixed`,
      requests: [{ ...post, body: contexts[0], onResponse: (status, body) => check(fixedStats, status, body) }],
    },
    fixedStats,
  );
  const versionsBefore = version;
  // Watches the worker while the bulk phase runs: statuses and refresh errors, if any.
  const watch = { statuses: {}, errors: {} };
  const requestsBefore = origin.snapshotRequests.length;
  const monitor = setInterval(async () => {
    try {
      const { body } = await worker.health();
      watch.statuses[body.status] = (watch.statuses[body.status] ?? 0) + 1;
      if (body.lastError) watch.errors[body.lastError.code] = (watch.errors[body.lastError.code] ?? 0) + 1;
    } catch {
      watch.statuses.unreachable = (watch.statuses.unreachable ?? 0) + 1;
    }
  }, 500);
  const bulk = await run(
    "bulk",
    {
      url: `${worker.url}/ofrep/v1/evaluate/flags`,
      requests: [
        {
          ...post,
          setupRequest: (req) => ({ ...req, body: contexts[next++ % USERS] }),
          onResponse: (status, body) => check(bulkStats, status, body),
        },
      ],
    },
    bulkStats,
  );
  clearInterval(monitor);
  const health = await worker.health();

  const row = (label, r, s) => ({
    route: label,
    "requests/s": Math.round(r.requests.average),
    "p99 ms": r.latency.p99,
    requests: r.requests.total,
    errors: r.errors + r.timeouts + r.non2xx + s.bad,
    "(errors, timeouts, non-2xx, bad bodies)": `${r.errors}, ${r.timeouts}, ${r.non2xx}, ${s.bad}`,
    "mixed versions": s.mixed,
    "versions seen": s.versions.size,
  });
  console.log(`\nedgeflag worker load test: ${CONNECTIONS} connections, ${DURATION} s per route (at most ${MAX_REQUESTS} requests), ${FLAG_COUNT} flags, ${USERS} users, loopback, workerd via Miniflare`);
  console.log(`origin published versions 1..${version} (one per second); the worker ended on v${health.body.version} (${health.body.status}${health.body.lastError ? `, last error ${health.body.lastError.code}: ${health.body.lastError.message}` : ""})`);
  console.table([row("POST /__fixed (fixed JSON body)", fixed, fixedStats), row("POST /ofrep/v1/evaluate/flags (bulk)", bulk, bulkStats)]);
  console.log(`bulk / fixed requests per second: ${(bulk.requests.average / fixed.requests.average).toFixed(2)}`);
  console.log(`health every 0.5 s during the bulk run: ${JSON.stringify(watch.statuses)}, refresh errors seen ${JSON.stringify(watch.errors)}; the origin answered ${origin.snapshotRequests.length - requestsBefore} snapshot requests`);
  console.log(`bulk responses covered versions ${Math.min(...bulkStats.versions)}..${Math.max(...bulkStats.versions)} while the origin went from v${versionsBefore} to v${version}`);
  const failed = row("", bulk, bulkStats).errors + row("", fixed, fixedStats).errors + bulkStats.mixed;
  return failed === 0 ? 0 : 1;
}

/** Events mode: the events route's throughput, and every accepted event forwarded. */
async function eventsMain() {
  buildBundle();
  const signer = makeSigner();
  const origin = await startOrigin(t, { envelope: signer.envelope(payload({ version: 1, flags: flags(1) })) });
  const key = "load-ingest-key";
  const ingest = await startIngest(t, { key });
  const vars = varsFor(origin, signer, { INGEST_KEY: key, INGEST_URL: `${ingest.url}/ingest/production/events`, EVENTS_FLUSH_SECONDS: "1" });
  const worker = await startWorker(t, { vars });
  const at = new Date().toISOString();
  const events = Array.from({ length: BATCH }, (_, i) =>
    i % 2
      ? { kind: "track", event: "purchase", unit: `user-${i}`, value: i, at }
      : { kind: "exposure", flag: `flag-${i % FLAG_COUNT}`, variant: i % 4 ? "a" : "b", ruleId: null, version: 1, unit: `user-${i}`, at },
  );
  const tail = `","events":${JSON.stringify(events)}}`;
  let n = 0;
  const stats = { bad: 0, accepted: 0 };
  const result = await run(
    "events",
    {
      url: `${worker.url}/edgeflag/events`,
      requests: [
        {
          method: "POST",
          headers: { "content-type": "text/plain;charset=UTF-8" },
          setupRequest: (req) => ({ ...req, body: `{"batch":"load-${process.pid}-${++n}${tail}` }),
          onResponse: (status, body) => {
            if (status !== 202) return void stats.bad++;
            const r = JSON.parse(body);
            if (r.accepted !== BATCH) stats.bad++;
            stats.accepted += r.accepted;
          },
        },
      ],
    },
    stats,
  );
  // Let the last window flush: every request checks whether one is due.
  let health;
  await until(async () => {
    health = (await worker.health()).body.events;
    return health.pending === 0;
  }, 30_000, "the buffer to drain").catch(() => {});
  const arrived = ingest.events().length;
  const errors = result.errors + result.timeouts + result.non2xx + stats.bad;
  console.log(`\nedgeflag worker load test, events: ${CONNECTIONS} connections, ${DURATION} s, ${BATCH} events per batch (half exposures checked against ${FLAG_COUNT} flags, half tracks), loopback, workerd via Miniflare`);
  console.table([{
    route: "POST /edgeflag/events",
    "requests/s": Math.round(result.requests.average),
    "events/s": Math.round(result.requests.average * BATCH),
    "p99 ms": result.latency.p99,
    requests: result.requests.total,
    errors,
    "(errors, timeouts, non-2xx, bad bodies)": `${result.errors}, ${result.timeouts}, ${result.non2xx}, ${stats.bad}`,
  }]);
  // The worker may accept a last request per connection after autocannon stopped counting.
  console.log(`autocannon counted ${stats.accepted} accepted events, the worker ${health?.accepted}; the ingest server received ${arrived} in ${ingest.batches.size} batches (${ingest.requests.length} requests); health: forwarded ${health?.forwarded}, dropped ${health?.dropped}, pending ${health?.pending}, last forward error ${JSON.stringify(health?.lastForwardError)}`);
  const complete = arrived === health?.accepted && arrived >= stats.accepted && health?.dropped === 0;
  if (!complete) console.log("NOT every accepted event arrived at the ingest server");
  return errors === 0 && complete ? 0 : 1;
}

let code = 1;
try {
  code = args.mode === "events" ? await eventsMain() : await main();
} catch (e) {
  console.error(e);
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
process.exit(code);
