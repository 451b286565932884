// The results as a markdown page (target/bench/results.md): the comparison table, the goals
// with met / not met, edgeflag's native figures, and what the figures depend on.

const n = (v, digits = 2) => (v === undefined || v === null || Number.isNaN(v) ? "–" : Number(v).toLocaleString("en-US", { maximumFractionDigits: digits }));
const x = (v) => (v === undefined ? "–" : `${v.toFixed(v >= 10 ? 0 : v >= 1 ? 1 : 2)}x`);
const kib = (b) => `${n(b / 1024, 1)} KiB`;

/** @param r the results object (see report.mjs) */
export function markdown(r) {
  const rows = [
    ["Single flag, fixed context (fast path: `ev.flag(key).bool`)", "ns", r.eval_ns, r.eval_ns_growthbook, r.eval_ns_flagd_core, r.ratios.eval_vs_faster_peer],
    ["Single flag, fixed context (convenience: `ev.bool(key, ..)`)", "ns", r.eval_ns_convenience, r.eval_ns_growthbook, r.eval_ns_flagd_core, r.ratios.eval_convenience_vs_faster_peer],
    [`All ${r.flags} flags, new context (\`ev.values\`)`, "µs", r.all_us, r.all_us_growthbook, r.all_us_flagd_core, r.ratios.all_vs_faster_peer],
    [`All ${r.flags} flags, new context, details (\`ev.all\`)`, "µs", r.all_details_us, r.all_us_growthbook, r.all_us_flagd_core, r.ratios.all_details_vs_faster_peer],
    ["Load 1,000 flags (edgeflag: verify + parse + compile)", "ms", r.load_ms_1000, r.load_ms_1000_growthbook, r.load_ms_1000_flagd_core, r.ratios.load_1000_vs_faster_peer],
    ["Load 10,000 flags", "ms", r.load_ms_10000, r.load_ms_10000_growthbook, r.load_ms_10000_flagd_core, r.ratios.load_10000_vs_faster_peer],
  ];
  const out = [];
  out.push("# edgeflag benchmark results", "");
  out.push(
    `Node ${r.environment.node} on ${r.environment.cpu} (${r.environment.cpus} cores), ${r.environment.date}; edgeflag ${r.environment.edgeflag}, ` +
      `@growthbook/growthbook ${r.environment.growthbook}, @openfeature/flagd-core ${r.environment.flagd_core}. ` +
      `Medians of ${r.environment.rounds} interleaved rounds in one process (load 10,000: ${r.environment.rounds_load_10000}); lower is better. ` +
      `Workload: ${r.flags} flags, ${n(r.workload.contexts, 0)} contexts with 6 attributes (tests/bench/workload.mjs, seeded).`,
    "",
  );
  out.push("| Measurement (wasm in Node) | edgeflag | GrowthBook | flagd-core | faster peer / edgeflag |");
  out.push("|---|--:|--:|--:|--:|");
  for (const [label, unit, e, g, f, ratio] of rows) {
    out.push(`| ${label} | ${n(e)} ${unit} | ${n(g)} ${unit} | ${n(f)} ${unit} | ${x(ratio)} |`);
  }
  out.push(
    `| Start-up: compile + instantiate the wasm (fresh process) | ${n(r.instantiate_ms)} ms | – | – | |`,
    `| Download, gzipped (${r.sizes_note}) | ${kib(r.wasm_js_gzip_bytes)} (wasm ${kib(r.wasm_gzip_bytes)} + JS ${kib(r.js_gzip_bytes)}) | ${kib(r.growthbook_gzip_bytes)} | ${kib(r.flagd_core_gzip_bytes)} | |`,
    `| Memory of the loaded 10,000-flag snapshot (native) | ${n(r.mem_bytes_10000 / 1e6)} MB (${n(r.mem_ratio_10000)}x its ${n(r.json_bytes_10000 / 1e6)} MB of JSON) | – | – | |`,
    "",
  );
  out.push("Each peer's figure is its fastest way of doing the job (every variant is in results.json); the ratio is the faster peer's time over edgeflag's.", "");
  out.push("## Goals", "", "| Goal | Target | Actual | |", "|---|---|---|---|");
  for (const g of r.goals) out.push(`| ${g.goal} | ${g.target} | ${g.actual} | ${g.met ? "met" : "**not met**"} |`);
  out.push("", "## Native (criterion, Rust on the same workload)", "", "| Measurement | Median |", "|---|--:|");
  const native = [
    ["Single flag, fixed context, by key (`snapshot.bool`)", r.native_eval_ns, "ns"],
    ["Single flag, fixed context, by `FlagId`", r.native_eval_id_ns, "ns"],
    [`All ${r.flags} flags, new context (\`snapshot.context\` + \`snapshot.all\`)`, r.native_all_us, "µs"],
    ["Load 1,000 flags: verify + parse + compile the envelope", r.native_load_ms_1000, "ms"],
    ["Load 1,000 flags: parse + compile the payload", r.native_load_payload_ms_1000, "ms"],
  ];
  for (const [label, v, unit] of native) out.push(`| ${label} | ${n(v)} ${unit} |`);
  out.push("", "## Agreement", "");
  const a = r.agreement;
  out.push(
    `Before timing, the three engines evaluated ${n(a.evaluations, 0)} (flag, context) pairs: ${n(a.exact, 0)} deterministic results agreed exactly ` +
      `(value, and the rule that served it), ${n(a.splits, 0)} rollout results were each a variant of the same rollout, and ${n(a.shareChecks, 0)} ` +
      `variant shares were within 5 sigma of their weights (worst ${a.worstSigma} sigma; ${a.shareSkipped} too small to test). ` +
      "The engines hash differently, so a given unit's rollout variant differs between them by design.",
    "",
  );
  out.push("## What limits these figures", "");
  for (const note of r.notes) out.push(`- ${note}`);
  return `${out.join("\n")}\n`;
}
