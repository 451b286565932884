// Benchmarks of the owning backend (`edgeflag serve`), printing figures (not a test: goals are
// reported, never failed). Run by tests/bench/backend, which builds the release binary and
// starts PostgreSQL; alone: EDGEFLAG=target/release/edgeflag [PG_URL=postgres://...] node tests/bench/backend.mjs
//
// 1. an admin change to a browser subscriber: PATCH, then the SSE event of its version, over
//    100 changes: on one server (SQLite), and from replica A to a subscriber of replica B
//    (PostgreSQL, LISTEN/NOTIFY); p50 and p99 (goal p99 < 1 s);
// 2. `/snapshot` answered with 304 on loopback, requests per second (wrk when installed, else
//    a Node keep-alive client; goal >= 5,000 req/s);
// 3. 1,000 flags x 3 environments listed by the admin API (goal < 100 ms for the three).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http from "node:http";
import { servers } from "./serve.mjs";

const EDGEFLAG = process.env.EDGEFLAG ?? "target/release/edgeflag";
const TOKEN = "bench-token-0123456789abcdef0123";
const CHANGES = Number(process.env.BENCH_CHANGES ?? 100);
const scratch = mkdtempSync(join(tmpdir(), "edgeflag-bench-"));

const { serve, request, stopAll } = servers(EDGEFLAG, ["--admin-token", TOKEN]);
const admin = (url, method, path, body) =>
  request(url + path, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body });

/** Subscribes to `/snapshot/stream`; `waitFor(version)` resolves when that version's event arrives. */
function subscribe(url) {
  const seen = new Set();
  const waiters = new Map();
  let ready;
  const first = new Promise((r) => (ready = r));
  http.get(url + "/snapshot/stream", (res) => {
    let buffer = "";
    res.on("data", (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: (\d+)$/m.exec(event);
        if (!id) continue;
        const version = id[1];
        seen.add(version);
        ready();
        waiters.get(version)?.(performance.now());
      }
    });
  });
  return {
    first,
    waitFor: (version) => new Promise((resolve) => (seen.has(version) ? resolve(performance.now()) : waiters.set(version, resolve))),
  };
}

/** p50 and p99 of `ms` (sorted copy). */
function percentiles(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
  return { p50: at(50), p99: at(99), max: s[s.length - 1] };
}

/** PATCH `CHANGES` times through `writer`, timing until `subscriber`'s stream has each version. */
async function changeToSubscriber(writer, subscriber) {
  const stream = subscribe(subscriber);
  await stream.first;
  const times = [];
  for (let i = 0; i < CHANGES; i++) {
    const start = performance.now();
    const res = await admin(writer, "PATCH", "/admin/flags/new-checkout", JSON.stringify({ enabled: i % 2 === 0 }));
    if (res.status !== 200) throw new Error(`PATCH answered ${res.status}: ${res.body}`);
    const at = await stream.waitFor(String(JSON.parse(res.body).version));
    times.push(at - start);
  }
  return percentiles(times);
}

/** Requests per second of `/snapshot` answered 304, with wrk (or Node when wrk is missing). */
async function notModified(url) {
  const etag = (await request(url + "/snapshot")).headers.etag;
  try {
    const out = execFileSync("wrk", ["-t2", "-c32", "-d5s", "-H", `If-None-Match: ${etag}`, url + "/snapshot"], { encoding: "utf8" });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
    const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
    return { tool: "wrk -t2 -c32 -d5s", rps, errors: non2xx ? Number(non2xx[1]) : 0 };
  } catch (error) {
    if (error.code !== "ENOENT") throw error;
  }
  const until = performance.now() + 5_000;
  let count = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (performance.now() < until) {
        const res = await request(url + "/snapshot", { headers: { "if-none-match": etag } });
        if (res.status === 304) count++;
        else errors++;
      }
    }),
  );
  return { tool: "node keep-alive x32, 5 s", rps: count / 5, errors };
}

/** Lists 1,000 flags in each of 3 environments: median ms of the three requests over 20 rounds. */
async function listing() {
  const flags = {};
  for (let i = 0; i < 1000; i++) {
    flags[`flag-${i}`] = {
      type: "boolean", enabled: true, variants: { on: true, off: false }, offVariant: "off",
      rules: [{ id: "beta", conditions: [{ attribute: "plan", op: "in", values: ["pro", "enterprise"] }], serve: { variant: "on" } }],
      defaultServe: { rollout: { by: "targetingKey", salt: `flag-${i}`, weights: [{ variant: "on", weight: 25000 }, { variant: "off", weight: 75000 }] } },
    };
  }
  const file = join(scratch, "flags-1000.json");
  writeFileSync(file, JSON.stringify({ schema: "edgeflag/v1", owner: "bench", environment: "production", flags }));
  const { url } = await serve(["--flags", file, "--environments", "development,staging,production"]);
  for (const to of ["development", "staging"]) {
    const res = await admin(url, "POST", "/admin/promote", JSON.stringify({ from: "production", to, apply: true }));
    if (res.status !== 200) throw new Error(`promote answered ${res.status}: ${res.body}`);
  }
  const rounds = [];
  for (let round = 0; round < 20; round++) {
    const start = performance.now();
    for (const env of ["development", "staging", "production"]) {
      const res = await admin(url, "GET", `/admin/environments/${env}/flags`);
      if (JSON.parse(res.body).flags.length !== 1000) throw new Error(`${env}: not 1,000 flags`);
    }
    rounds.push(performance.now() - start);
  }
  return percentiles(rounds).p50;
}

const results = {};
try {
  const single = await serve([]);
  results.changeToSubscriberSqlite = await changeToSubscriber(single.url, single.url);
  results.notModified = await notModified(single.url);
  if (process.env.PG_URL) {
    const keys = join(scratch, "keys");
    mkdirSync(keys);
    execFileSync(EDGEFLAG, ["keygen", "--out", keys]);
    const args = ["--database", process.env.PG_URL, "--key", join(keys, "edgeflag.key")];
    const a = await serve(args);
    const b = await serve(args);
    results.changeToSubscriberReplicas = await changeToSubscriber(a.url, b.url);
    results.notModifiedReplica = await notModified(b.url);
  }
  results.list1000x3ms = await listing();
} finally {
  stopAll();
  rmSync(scratch, { recursive: true, force: true });
}

const ms = (n) => `${n.toFixed(1)} ms`;
const goal = (ok) => (ok ? "met" : "NOT met");
const lines = [
  `admin change -> subscriber, one server (SQLite), ${CHANGES} changes: p50 ${ms(results.changeToSubscriberSqlite.p50)}, p99 ${ms(results.changeToSubscriberSqlite.p99)} (goal p99 < 1 s: ${goal(results.changeToSubscriberSqlite.p99 < 1000)})`,
];
if (results.changeToSubscriberReplicas) {
  const r = results.changeToSubscriberReplicas;
  lines.push(`admin change on replica A -> subscriber of replica B (PostgreSQL), ${CHANGES} changes: p50 ${ms(r.p50)}, p99 ${ms(r.p99)} (goal p99 < 1 s: ${goal(r.p99 < 1000)})`);
}
lines.push(`/snapshot 304s, one server: ${Math.round(results.notModified.rps)} req/s (${results.notModified.tool}, ${results.notModified.errors} errors; goal >= 5,000: ${goal(results.notModified.rps >= 5000)})`);
if (results.notModifiedReplica) {
  lines.push(`/snapshot 304s, PostgreSQL replica: ${Math.round(results.notModifiedReplica.rps)} req/s (${results.notModifiedReplica.tool}; goal >= 5,000: ${goal(results.notModifiedReplica.rps >= 5000)})`);
}
lines.push(`1,000 flags x 3 environments listed: ${ms(results.list1000x3ms)} (median of 20; goal < 100 ms: ${goal(results.list1000x3ms < 100)})`);
console.log(lines.join("\n"));
mkdirSync("target/bench", { recursive: true });
writeFileSync("target/bench/backend.json", JSON.stringify(results, null, 2));
