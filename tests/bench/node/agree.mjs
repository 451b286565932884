// The agreement check: before any timing, every engine evaluates every flag for every context
// of the workload, and they must agree wherever their semantics coincide:
//
// - Targeting: edgeflag's details say which rule (or the default) served. Where that serve is
//   a variant, all three engines must return exactly its value; GrowthBook must name the same
//   rule (its rule ids are edgeflag's), flagd must report TARGETING_MATCH for a rule and
//   DEFAULT for the default variant, edgeflag TARGETING_MATCH or STATIC.
// - Rollouts: the engines hash differently (xxh3, FNV-1a, MurmurHash3), so one unit's variant
//   legitimately differs. Each engine's value must be one of the rollout's variants (and for
//   GrowthBook come from the same rule), and over the units that reached a rollout, each
//   engine's share of each variant must be within 5 sigma of the rollout's weight (binomial;
//   checked where n*p*(1-p) >= 4, below that the normal bound says nothing).
// - edgeflag's values path (`ev.values`) must equal its details path (`ev.all`).
//
// Returns { ok, failureCount, evaluations, exact, splits, shareChecks, shareSkipped, worstSigma,
// failures: [the first 20] }.

const SIGMAS = 5;
const MAX_REPORTED = 20;

export function agreement({ payload, contexts, edgeflag, growthbook, flagd, keys }) {
  const failures = [];
  let failureCount = 0;
  const fail = (msg) => failureCount++ < MAX_REPORTED && failures.push(msg);
  let exact = 0;
  let splits = 0;
  // tallies[key][path][engine][value] -> count, for rollout paths
  const tallies = {};
  for (let c = 0; c < contexts.length; c++) {
    const attrs = contexts[c];
    const ef = edgeflag.engine.explain(edgeflag.instance, attrs);
    const gb = growthbook.engine.explain(growthbook.instance, attrs, keys);
    const fd = flagd.engine.explain(flagd.instance, attrs);
    for (const key of keys) {
      const flag = payload.flags[key];
      const d = ef.details[key];
      const where = `context ${c} (${attrs.targetingKey}), ${key}`;
      if (!d || d.errorCode) {
        fail(`${where}: edgeflag error ${d?.errorCode} ${d?.errorMessage ?? ""}`);
        continue;
      }
      if (!same(ef.values[key], d.value)) fail(`${where}: ev.values gives ${show(ef.values[key])}, ev.all ${show(d.value)}`);
      const rule = d.ruleIndex === undefined || d.ruleIndex === null ? undefined : flag.rules[d.ruleIndex];
      const serve = rule ? rule.serve : flag.defaultServe ?? { variant: flag.offVariant };
      const g = gb[key];
      const f = fd[key];
      if (!g || !f) {
        fail(`${where}: missing result (growthbook ${!!g}, flagd ${!!f})`);
        continue;
      }
      const gbRules = rule ? [rule.id, `${rule.id}-rest`] : ["default", ""];
      if (!gbRules.includes(g.ruleId)) fail(`${where}: GrowthBook served rule "${g.ruleId}", edgeflag ${rule ? `rule ${rule.id}` : "the default"}`);
      if (serve.variant !== undefined) {
        exact++;
        const want = flag.variants[serve.variant];
        // flagd: a default variant after rules that all failed is DEFAULT; without rules, STATIC.
        const reasons = rule ? ["TARGETING_MATCH", "TARGETING_MATCH"] : ["STATIC", flag.rules.length ? "DEFAULT" : "STATIC"];
        if (d.reason !== reasons[0]) fail(`${where}: edgeflag reason ${d.reason}, expected ${reasons[0]}`);
        if (f.reason !== reasons[1]) fail(`${where}: flagd reason ${f.reason}, expected ${reasons[1]}`);
        for (const [engine, value] of [["edgeflag", d.value], ["growthbook", g.value], ["flagd-core", f.value]]) {
          if (!same(value, want)) fail(`${where}: ${engine} gives ${show(value)}, expected ${show(want)}`);
        }
      } else {
        splits++;
        if (d.reason !== "SPLIT") fail(`${where}: edgeflag reason ${d.reason}, expected SPLIT`);
        const allowed = new Set(serve.rollout.weights.map((w) => JSON.stringify(flag.variants[w.variant])));
        const t = ((tallies[key] ??= {})[rule ? rule.id : "default"] ??= { serve, n: 0, edgeflag: {}, growthbook: {}, "flagd-core": {} });
        t.n++;
        for (const [engine, value] of [["edgeflag", d.value], ["growthbook", g.value], ["flagd-core", f.value]]) {
          const v = JSON.stringify(value);
          if (!allowed.has(v)) fail(`${where}: ${engine} gives ${v}, not a variant of the rollout`);
          t[engine][v] = (t[engine][v] ?? 0) + 1;
        }
      }
    }
  }
  const shares = checkShares(payload, tallies, fail);
  return {
    ok: failureCount === 0,
    failureCount,
    evaluations: contexts.length * keys.length,
    exact,
    splits,
    ...shares,
    failures,
  };
}

/** Each engine's share of each variant, over the units that reached each rollout, against its weight. */
function checkShares(payload, tallies, fail) {
  let shareChecks = 0;
  let shareSkipped = 0;
  let worstSigma = 0;
  for (const [key, paths] of Object.entries(tallies)) {
    for (const [path, t] of Object.entries(paths)) {
      for (const w of t.serve.rollout.weights) {
        const p = w.weight / 100_000;
        const sd = Math.sqrt(t.n * p * (1 - p));
        if (sd * sd < 4) {
          shareSkipped++;
          continue;
        }
        const v = JSON.stringify(payload.flags[key].variants[w.variant]);
        for (const engine of ["edgeflag", "growthbook", "flagd-core"]) {
          shareChecks++;
          const count = t[engine][v] ?? 0;
          const z = Math.abs(count - t.n * p) / sd;
          worstSigma = Math.max(worstSigma, z);
          if (z > SIGMAS) {
            fail(`${key} ${path}: ${engine} served ${v} to ${count} of ${t.n} units, expected ${(t.n * p).toFixed(1)} (${z.toFixed(1)} sigma)`);
          }
        }
      }
    }
  }
  return { shareChecks, shareSkipped, worstSigma: Number(worstSigma.toFixed(2)) };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const show = (v) => JSON.stringify(v);
