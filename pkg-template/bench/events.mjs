#!/usr/bin/env node
// What exposure tracking costs an evaluation: the same flag evaluated by a client without events
// and by one with `events` on (sending to a local endpoint), printed side by side.
//
//   node pkg-template/bench/events.mjs     (assembles pkg/ first when it is stale)
//
// Each client runs in a worker thread of its own (its own V8 isolate, so neither client's
// optimisation feedback shapes the other's code, as in an application with one client). The
// cases run in rounds; a round times a batch in one worker then in the other (the order
// alternates), and the figures are medians over the rounds: of each client's time per call and
// of the per-round ratio (batches that ran back to back share the machine's state, so the ratio
// stays meaningful on a busy machine). After each batch, outside the timing, the client with
// events flushes its queue. The flag `experiment` has trackEvents, `new-checkout` not.
//
// Cases: "seen units" — units already exposed (the steady state: a de-duplication lookup, no
// event); "new units" — a new context object with a new unit per call, compiled by the call (a
// server's request, a page's first render), one event queued; "new units, precompiled" — the
// same with contexts compiled beforehand (the event's share at its largest); "untracked flag".
// The goal (issue #19): with / without <= 1.2.
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { makeSigner, payload } from "../test/helpers/signer.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const UNITS = 10_000;
const CASES = {
  "seen units (de-duplicated)": { n: 20_000, op: (c, i, { contexts }) => c.string("experiment", contexts[i % UNITS], "control") },
  "new units (an event queued)": { n: 5_000, op: (c, i) => c.string("experiment", { targetingKey: `new-${i}`, plan: "free" }, "control") },
  "new units, precompiled": {
    n: 5_000,
    prepare: (c, n, round) => Array.from({ length: n }, (_, k) => c.context({ targetingKey: `pre-${round}-${k}` })),
    op: (c, i, _, ctx) => c.string("experiment", ctx, "control"),
  },
  "untracked flag": { n: 20_000, op: (c, i, { contexts }) => c.bool("new-checkout", contexts[i % UNITS], false) },
};

if (isMainThread) {
  spawnSync(process.execPath, [`${root}/pkg-template/assemble.mjs`, "--if-stale"], { stdio: "inherit" });
  // A local endpoint that accepts every batch, as the edge worker does.
  const server = createServer((req, res) => req.resume().on("end", () => res.writeHead(202).end('{"accepted":0}')));
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/edgeflag/events`;
  const { envelope, publicKey } = (() => {
    const signer = makeSigner();
    return { envelope: signer.envelope(payload()), publicKey: signer.publicKey };
  })();

  const start = (events) => {
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { events, envelope, publicKey } });
    const replies = [];
    const waiting = [];
    worker.on("message", (m) => (waiting.length ? waiting.shift()(m) : replies.push(m)));
    worker.on("error", (e) => {
      console.error(e);
      process.exit(1);
    });
    const next = () => (replies.length ? Promise.resolve(replies.shift()) : new Promise((r) => waiting.push(r)));
    return { worker, next, run: (msg) => (worker.postMessage(msg), next()) };
  };
  const without = start(false);
  const withEvents = start({ url, flushIntervalMs: 3_600_000, maxBatch: 500, maxQueue: 1_000_000 });
  await Promise.all([without.next(), withEvents.next()]); // ready

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const rows = [];
  for (const name of Object.keys(CASES)) {
    const times = { without: [], with: [] };
    const ratios = [];
    for (let round = 0; round <= 21; round++) {
      const order = round % 2 ? [["without", without], ["with", withEvents]] : [["with", withEvents], ["without", without]];
      const ns = {};
      for (const [who, w] of order) ns[who] = await w.run({ name, round });
      if (round === 0) continue; // warm-up
      times.without.push(ns.without);
      times.with.push(ns.with);
      ratios.push(ns.with / ns.without);
    }
    rows.push([name, median(times.without), median(times.with), median(ratios)]);
  }
  const stats = await withEvents.run({ stats: true });
  await Promise.all([without.worker.terminate(), withEvents.worker.terminate()]);
  server.close();

  console.log(`\nOne evaluation, ns per call (medians over rounds; Node ${process.version}):\n`);
  console.log("| case | without events | with events | ratio |");
  console.log("|---|--:|--:|--:|");
  for (const [name, a, b, r] of rows) console.log(`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${r.toFixed(2)}x |`);
  console.log(`\nevents accepted by the local endpoint: ${stats.sent}, dropped: ${stats.dropped}; goal: ratio <= 1.2`);
} else {
  const { createClient } = await import(`${root}/pkg/node.js`);
  const { events, envelope, publicKey } = workerData;
  const client = createClient({ publicKeys: [publicKey], environment: "production", owner: "shop", storage: null, bootstrap: envelope, events });
  const state = { contexts: Array.from({ length: UNITS }, (_, i) => ({ targetingKey: `user-${i}`, plan: i % 3 ? "free" : "pro" })) };
  for (const c of state.contexts) client.string("experiment", c, "control"); // every unit exposed once
  await client.flush();
  let next = 0;
  parentPort.on("message", async ({ name, round, stats }) => {
    if (stats) return parentPort.postMessage(client.eventStats());
    const { n, op, prepare } = CASES[name];
    const prepared = prepare?.(client, n, round);
    const start = next;
    const t0 = process.hrtime.bigint();
    for (let i = start; i < start + n; i++) op(client, i, state, prepared?.[i - start]);
    const ns = Number(process.hrtime.bigint() - t0) / n;
    next += n;
    for (const ctx of prepared ?? []) ctx.free();
    await client.flush();
    parentPort.postMessage(ns);
  });
  parentPort.postMessage("ready");
}
