#!/usr/bin/env node
// Gathers what the parts of `tests/bench/run` measured (Node harness, start-up, sizes, memory,
// criterion) into target/bench/results.json, results.md and ratios.svg, judges the goals, and
// prints the table. It measures nothing itself.
//
//   node tests/bench/report.mjs [benchDir] [criterionDir]   (defaults: target/bench, target/criterion)
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { markdown } from "./report/markdown.mjs";
import { ratiosSvg } from "./report/svg.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const dir = resolve(process.argv[2] ?? join(root, "target/bench"));
const criterion = resolve(process.argv[3] ?? join(root, "target/criterion"));
const json = (file) => JSON.parse(readFileSync(join(dir, file), "utf8"));
const node = json("node.json");
const meta = json("workload/meta.json");

/** The median of a criterion benchmark, in ns (undefined when it did not run). */
function criterionNs(id) {
  const file = join(criterion, id, "new", "estimates.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).median.point_estimate : undefined;
}

/** The fastest variant of an engine's measurement: { ns, variant }. */
function best(variants) {
  const [variant, t] = Object.entries(variants).sort((a, b) => a[1].median - b[1].median)[0];
  return { ns: t.median, variant };
}

const round = (v, d = 3) => (v === undefined ? undefined : Number(v.toFixed(d)));
const git = (...args) => {
  try {
    return execFileSync("git", ["-C", root, ...args], { encoding: "utf8" }).trim();
  } catch {
    return "";
  }
};

const efSingle = node.single.edgeflag;
const fast = efSingle["flag(key).bool"] ?? efSingle.bool;
const peers = { growthbook: "growthbook", flagd_core: "flagd-core" };
const r = { flags: meta.sizes[0] };
r.eval_ns = round(fast.median, 1);
r.eval_ns_convenience = round(efSingle.bool.median, 1);
r.all_us = round(node.all.edgeflag["context + values"].median / 1e3);
r.all_details_us = round(node.all.edgeflag["context + all"].median / 1e3);
r.load_ms_1000 = round(node.load1000.edgeflag["Evaluator.load"].median / 1e6);
r.load_ms_10000 = round(node.load10000.edgeflag["Evaluator.load"].median / 1e6);
const fastest = {};
for (const [suffix, name] of Object.entries(peers)) {
  const single = best(node.single[name]);
  const all = best(node.all[name]);
  const l1 = best(node.load1000[name]);
  const l10 = best(node.load10000[name]);
  r[`eval_ns_${suffix}`] = round(single.ns, 1);
  r[`all_us_${suffix}`] = round(all.ns / 1e3);
  r[`load_ms_1000_${suffix}`] = round(l1.ns / 1e6);
  r[`load_ms_10000_${suffix}`] = round(l10.ns / 1e6);
  fastest[name] = { single: single.variant, all: all.variant, load1000: l1.variant, load10000: l10.variant };
}
Object.assign(r, json("instantiate.json"), json("sizes.json"), json("memory.json"));
r.native_eval_ns = round(criterionNs("workload/bool-fixed-context"), 1);
r.native_eval_id_ns = round(criterionNs("workload/bool-fixed-context-flag-id"), 1);
r.native_all_us = round(criterionNs("workload/all-200-new-context") / 1e3);
r.native_load_ms_1000 = round(criterionNs("workload/load-1000-envelope") / 1e6);
r.native_load_payload_ms_1000 = round(criterionNs("workload/load-1000-payload") / 1e6);

const ratio = (peer, ours) => round(peer / ours, 2);
const fasterPeer = (key) => Math.min(r[`${key}_growthbook`], r[`${key}_flagd_core`]);
r.ratios = {
  eval_vs_growthbook: ratio(r.eval_ns_growthbook, r.eval_ns),
  eval_vs_flagd_core: ratio(r.eval_ns_flagd_core, r.eval_ns),
  eval_vs_faster_peer: ratio(fasterPeer("eval_ns"), r.eval_ns),
  eval_convenience_vs_faster_peer: ratio(fasterPeer("eval_ns"), r.eval_ns_convenience),
  all_vs_growthbook: ratio(r.all_us_growthbook, r.all_us),
  all_vs_flagd_core: ratio(r.all_us_flagd_core, r.all_us),
  all_vs_faster_peer: ratio(fasterPeer("all_us"), r.all_us),
  all_details_vs_faster_peer: ratio(fasterPeer("all_us"), r.all_details_us),
  load_1000_vs_growthbook: ratio(r.load_ms_1000_growthbook, r.load_ms_1000),
  load_1000_vs_faster_peer: ratio(fasterPeer("load_ms_1000"), r.load_ms_1000),
  load_1000_vs_flagd_core: ratio(r.load_ms_1000_flagd_core, r.load_ms_1000),
  load_10000_vs_growthbook: ratio(r.load_ms_10000_growthbook, r.load_ms_10000),
  load_10000_vs_flagd_core: ratio(r.load_ms_10000_flagd_core, r.load_ms_10000),
  load_10000_vs_faster_peer: ratio(fasterPeer("load_ms_10000"), r.load_ms_10000),
};
const SIZE_GOAL = 60 * 1024;
const goal = (text, target, actual, met) => ({ goal: text, target, actual, met });
r.goals = [
  goal("Single-flag evaluation (fast path) vs the faster peer", "≥ 10x faster", `${r.ratios.eval_vs_faster_peer}x`, r.ratios.eval_vs_faster_peer >= 10),
  goal(`New context + all ${r.flags} flags vs the faster peer`, "≥ 10x faster", `${r.ratios.all_vs_faster_peer}x`, r.ratios.all_vs_faster_peer >= 10),
  goal("1,000-flag snapshot verified + loaded vs GrowthBook's init", "no slower (≥ 1x)", `${r.ratios.load_1000_vs_growthbook}x (${r.load_ms_1000} ms vs ${r.load_ms_1000_growthbook} ms)`, r.load_ms_1000 <= r.load_ms_1000_growthbook),
  goal("Compile + instantiate the wasm", "< 5 ms", `${r.instantiate_ms} ms`, r.instantiate_ms < 5),
  goal("wasm + JS, gzipped", `≤ 60 KB (${SIZE_GOAL} B)`, `${r.wasm_js_gzip_bytes} B`, r.wasm_js_gzip_bytes <= SIZE_GOAL),
  goal("Memory of the loaded 10,000-flag snapshot", "≤ 1.5x its JSON", `${r.mem_ratio_10000}x (${r.mem_bytes_10000} B for ${r.json_bytes_10000} B)`, r.mem_bytes_10000 <= 1.5 * r.json_bytes_10000),
];
r.goals_met = r.goals.filter((g) => g.met).length;
r.agreement = node.agreement;
r.workload = { flags: meta.sizes, contexts: meta.contexts, bytes: meta.bytes, bench_flag: meta.benchFlag, fixed_context: meta.fixedContext };
r.fastest_peer_variants = fastest;
r.variants = { single: node.single, all: node.all, load1000: node.load1000, load10000: node.load10000 };
r.sizes_note = "esbuild --bundle --minify of each full browser entry, gzip -9";
const dirty = git("status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock", "pkg-template") ? "+changes" : "";
r.environment = {
  node: node.versions.node,
  growthbook: node.versions.growthbook,
  flagd_core: node.versions["flagd-core"],
  edgeflag: `${git("rev-parse", "--short", "HEAD") || "?"}${dirty}`,
  cpu: cpus()[0]?.model ?? "?",
  cpus: cpus().length,
  load_average: loadavg().map((v) => round(v, 2)),
  rounds: Object.values(node.single.edgeflag)[0].rounds,
  rounds_load_10000: Object.values(node.load10000.edgeflag)[0].rounds,
  date: new Date().toISOString().slice(0, 10),
};
r.notes = [
  `The machine has ${r.environment.cpus} cores, shared with other work during the run (load average ${r.environment.load_average.join(", ")} at the end). Interleaving spreads that noise over all engines alike, but absolute figures move by 10-30 % between runs; the ratios move less.`,
  "edgeflag's fast path is the flag handle (`ev.flag(key)`, resolved once); the convenience path passes the key string on every call.",
  "Each wasm call pays a JS-to-wasm crossing and result conversion: the native figures below show what the same Rust code costs without it.",
  `GrowthBook is measured from its Node entry and from its own minified browser bundle (the Node entry reads process.env.NODE_ENV on every rule, a slow property in Node); its fastest variants count (single: ${fastest.growthbook.single}; all: ${fastest.growthbook.all}; load: ${fastest.growthbook.load1000}).`,
  "Peers' load is their own initialisation from JSON text (GrowthBook: JSON.parse + initSync, which compiles nothing; flagd-core: setConfigurations, which validates against its schema, hashes every flag and compiles JSON Logic to JavaScript). edgeflag's load also checks an Ed25519 signature and the payload's SHA-256 and builds indexes, and a fresh Evaluator is created each time (a loaded one refuses the same version).",
  "Memory is measured natively with a counting allocator (bytes requested, not malloc overhead); the wasm build runs the same code with 32-bit pointers. Peak memory while loading is in results.json (mem_peak_bytes_*).",
  "Rollout shares are compared statistically only: the engines hash units differently (xxh3, FNV-1a, MurmurHash3).",
];

writeFileSync(join(dir, "results.json"), `${JSON.stringify(r, null, 2)}\n`);
writeFileSync(join(dir, "results.md"), markdown(r));
const groups = [
  { label: "Single flag (fast path)", goal: 10, ratios: { growthbook: r.ratios.eval_vs_growthbook, flagd_core: r.ratios.eval_vs_flagd_core } },
  { label: `New context + all ${r.flags} flags`, goal: 10, ratios: { growthbook: r.ratios.all_vs_growthbook, flagd_core: r.ratios.all_vs_flagd_core } },
  { label: "Load 1,000 flags", goal: 1, goalLabel: "goal 1x (vs GrowthBook)", ratios: { growthbook: r.ratios.load_1000_vs_growthbook, flagd_core: r.ratios.load_1000_vs_flagd_core } },
];
writeFileSync(join(dir, "ratios.svg"), ratiosSvg(groups, "edgeflag (wasm in Node) against GrowthBook and flagd-core"));
console.log(`\n${readFileSync(join(dir, "results.md"), "utf8")}`);
console.log(`wrote ${join(dir, "results.json")}, results.md, ratios.svg: ${r.goals_met} of ${r.goals.length} goals met`);
