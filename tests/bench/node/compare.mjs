#!/usr/bin/env node
// edgeflag's wasm package against @growthbook/growthbook and @openfeature/flagd-core, in ONE
// process: first the agreement check (agree.mjs; any disagreement exits 1 before timing), then
// interleaved timing (timing.mjs) of single-flag evaluation with a fixed context, every flag for
// a new context, and snapshot load (1,000 and 10,000 flags). Writes the figures as JSON.
//
//   node compare.mjs [workloadDir] [out.json]     (defaults: target/bench/workload, target/bench/node.json)
//   EDGEFLAG_PKG=/path/to/pkg/node.js             which build of the package to measure
//   BENCH_ROUNDS=15                               rounds per measurement (load 10,000: a third)
//
// Every engine gets the same flags (translated by tests/bench/workload/) and the same contexts;
// where a peer offers several ways to do the job, each is measured and the fastest counts.
//
// An engine (engines/*.mjs) is { name, load, unload, single, all, explain }:
//   load: { variant: (text) => instance }   the first variant builds the instance below
//   unload(instance)
//   single(instance, key, attributes) => { variant: () => value }   one evaluation, fixed context
//   all(instance) => { variant: (attributes, keys) => result }      every flag, new context
//   explain(instance, attributes, keys) => per-flag results for agree.mjs
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as growthbookEsm from "@growthbook/growthbook";
import { agreement } from "./agree.mjs";
import { interleaved } from "./timing.mjs";
import { edgeflagEngine } from "./engines/edgeflag.mjs";
import { growthbookEngine } from "./engines/growthbook.mjs";
import { flagdEngine } from "./engines/flagd.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(process.argv[2] ?? join(here, "../../../target/bench/workload"));
const outFile = resolve(process.argv[3] ?? join(here, "../../../target/bench/node.json"));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const pkgPath = process.env.EDGEFLAG_PKG ?? join(here, "../../../pkg/node.js");

const read = (name) => readFileSync(join(dir, name), "utf8");
const meta = JSON.parse(read("meta.json"));
const payload = JSON.parse(read("payload-200.json"));
const contexts = JSON.parse(read("contexts.json"));
const require = createRequire(import.meta.url);
const version = (name) => require(`${name}/package.json`).version;
const gbDir = dirname(require.resolve("@growthbook/growthbook/package.json"));
const growthbookBundle = await import(pathToFileURL(join(gbDir, "dist/bundles/esm.min.js")).href);

const edgeflag = edgeflagEngine(await import(pathToFileURL(resolve(pkgPath)).href), meta);
const engines = {
  edgeflag,
  growthbook: growthbookEngine({ esm: growthbookEsm, bundle: growthbookBundle }),
  "flagd-core": flagdEngine(),
};
const sources = { edgeflag: "envelope", growthbook: "growthbook", "flagd-core": "flagd" };
const load = (name, n) => Object.values(engines[name].load)[0](read(`${sources[name]}-${n}.json`));
const instances = Object.fromEntries(Object.keys(engines).map((name) => [name, load(name, 200)]));
// The workload's flags: an engine that lost one fails the agreement check.
const keys = Object.keys(payload.flags);

console.log(`edgeflag ${pkgPath}`);
console.log(`agreement: ${keys.length} flags x ${contexts.length} contexts on 3 engines ...`);
const agreed = agreement({
  payload,
  contexts,
  keys,
  edgeflag: { engine: edgeflag, instance: instances.edgeflag },
  growthbook: { engine: engines.growthbook, instance: instances.growthbook },
  flagd: { engine: engines["flagd-core"], instance: instances["flagd-core"] },
});
console.log(
  `  ${agreed.ok ? "ok" : `FAILED (${agreed.failureCount} disagreements)`}: ${agreed.exact} exact results, ${agreed.splits} rollout results, ` +
    `${agreed.shareChecks} share checks (worst ${agreed.worstSigma} sigma), ${agreed.shareSkipped} too small to check`,
);
for (const f of agreed.failures) console.log(`  - ${f}`);
const result = {
  versions: { node: process.version, growthbook: version("@growthbook/growthbook"), "flagd-core": version("@openfeature/flagd-core") },
  agreement: agreed,
};
mkdirSync(dirname(outFile), { recursive: true });
if (!agreed.ok) {
  writeFileSync(outFile, JSON.stringify(result, null, 2));
  process.exit(1);
}

/** Runs the cases of every engine interleaved; `cases(engine, name)` gives { variant: op }. */
function measure(label, cases, options) {
  const flat = {};
  for (const name of Object.keys(engines)) {
    for (const [variant, op] of Object.entries(cases(engines[name], name))) flat[`${name}: ${variant}`] = op;
  }
  console.log(`${label}: ${Object.keys(flat).length} cases, ${options.rounds} rounds ...`);
  const timed = interleaved(flat, options);
  const byEngine = {};
  for (const [id, t] of Object.entries(timed)) {
    const [name, variant] = id.split(": ");
    (byEngine[name] ??= {})[variant] = t;
    console.log(`  ${id.padEnd(58)} ${fmt(t.median)} (min ${fmt(t.min)}, max ${fmt(t.max)})`);
  }
  return byEngine;
}

const fmt = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} us` : `${ns.toFixed(0)} ns`);
const fixed = meta.fixedContext;
result.single = measure(
  `single flag (${meta.benchFlag}, fixed context)`,
  (e, name) => e.single(instances[name], meta.benchFlag, fixed),
  { rounds: ROUNDS, batchMs: 30 },
);
result.all = measure(
  `all ${keys.length} flags, new context each time`,
  (e, name) => {
    const cases = e.all(instances[name]);
    return Object.fromEntries(Object.entries(cases).map(([v, fn]) => [v, (i) => fn(contexts[i % contexts.length], keys)]));
  },
  { rounds: ROUNDS, batchMs: 40 },
);
for (const n of [1000, 10_000]) {
  const texts = Object.fromEntries(Object.keys(engines).map((name) => [name, read(`${sources[name]}-${n}.json`)]));
  result[`load${n}`] = measure(
    `load ${n} flags`,
    (e, name) =>
      Object.fromEntries(
        Object.entries(e.load).map(([v, fn]) => [
          v,
          () => {
            const x = fn(texts[name]);
            e.unload(x);
            return x;
          },
        ]),
      ),
    { rounds: n > 1000 ? Math.max(3, Math.round(ROUNDS / 3)) : ROUNDS, batchMs: n > 1000 ? 1 : 100, warmupMs: n > 1000 ? 0 : 200 },
  );
}
for (const name of Object.keys(engines)) engines[name].unload(instances[name]);
writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${outFile}`);
