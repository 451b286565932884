// #/experiments/KEY: a flag's experiment results (per variant units, conversions, the rate
// and its interval, the comparison with the control, an SVG chart of the intervals, the
// sample-ratio check, the rejected events). #/rollout/KEY: its guarded rollout plan (the steps
// as a bar, the status, every decision with the figures it was taken on; followed while it
// runs) and its automatic kill switch, with the forms that set them for editors.
// #/sample-size: the sample-size calculator. One module (they share their formatting, and
// the audit view shows the decisions' figures too). The chart is built with DOM calls:
// nothing from the API is parsed as HTML.

import { call, definitionPath, envPath } from "./api.js";
import { apiError, confirmDialog, fieldError, h, render, toast } from "./dom.js";
import { pct } from "./summary.js";

let generation = 0;
const enc = encodeURIComponent;

/** A rate as a percentage (null: "—"). */
export const pc = (x, d = 2) => (x == null ? "—" : `${(x * 100).toFixed(d)}%`);
/** A signed difference of rates in percentage points. */
const pp = (x) => (x == null ? "—" : `${x < 0 ? "−" : "+"}${Math.abs(x * 100).toFixed(2)} pp`);
const fix = (x, sign = "") => (x == null ? "—" : `${x < 0 ? "−" : sign}${Math.abs(x).toFixed(2)}`);
const sg = (x) => fix(x, "+");
const pv = (p) => (p == null ? "—" : p < 0.0001 ? "< 0.0001" : p.toFixed(4));
/** A count with thousands separators. */
export const num = (x) => (x == null ? "—" : Number(x).toLocaleString("en"));
const range = (i, f) => (i ? ` [${f(i[0])}, ${f(i[1])}]` : "");

/** The links between a flag's pages: its editor, its results, its rollout plan. */
export const flagNav = (key, here) => h("nav", { class: "crumbs subnav", "aria-label": `Pages of flag ${key}` },
  h("a", { href: "#/flags" }, "← Flags"),
  [["flags", "Edit"], ["experiments", "Results"], ["rollout", "Rollout plan and guard"]].map(([p, t]) =>
    h("a", { href: `#/${p}/${enc(key)}`, "aria-current": p === here ? "page" : null }, t)));

/** A guard of a plan in words. */
export function guardText(g) {
  if (g.metric === "latency_p99_ms") return `p99 latency at most ${g.max} ms`;
  return g.maxIncrease != null ? `${g.metric}: at most ${pp(g.maxIncrease)} over the control` : `${g.metric}: rate at most ${pc(g.maxRate)}`;
}

/** What an automatic decision (or a kill) was taken on, readably; anything else as JSON. */
export function figuresView(f) {
  if (!f || typeof f !== "object") return null;
  const items = [];
  if (f.variant != null && f.maxRate != null) {
    items.push(`Variant ${f.variant}: ${num(f.events)} of ${num(f.units)} units had ${f.metric} (${pc(f.rate)}; kill above ${pc(f.maxRate)} over at least ${num(f.minUnits)} units)`);
  } else if (f.step != null) {
    items.push(`Step ${f.step + 1}: weight ${pct(f.weight)}${f.units != null ? ` (${num(f.units)} units exposed to the variant before)` : ""}`);
    const j = f.judged;
    if (j) {
      items.push(`${num(j.newUnits)} new units (at least ${num(j.minUnits)}), ${num(j.seconds)} s into the step (at least ${num(j.minSeconds)})`);
      for (const g of j.guards ?? []) {
        const verdict = g.held === true ? "held" : g.held === false ? "failed" : "no figures";
        const what = g.metric === "latency_p99_ms"
          ? `p99 latency ${g.p99 ?? "—"} ms over ${num(g.requests)} requests (max ${g.max} ms)`
          : `${g.metric}: ${pc(g.rate)} of ${num(g.units)} units, control ${pc(g.controlRate)} of ${num(g.controlUnits)}${g.maxIncrease != null ? `; increase ${pp(g.increase)} (max ${pp(g.maxIncrease)})` : ` (max ${pc(g.maxRate)})`}`;
        items.push([h("span", { class: `badge held-${g.held}` }, verdict), " ", what]);
      }
    }
  } else {
    return h("code", { class: "json" }, JSON.stringify(f));
  }
  return h("ul", { class: "figures" }, items.map((i) => h("li", {}, i)));
}

/** The view: a flag's results, its rollout plan and guard (`rollout`), or the calculator (`calc`). */
export async function show(main, ctx, { key, calc, rollout: plan }) {
  const mine = ++generation;
  if (calc) return calculator(main);
  if (plan) return rollout(main, ctx, key, mine);
  const env = ctx.env;
  const title = h("h2", { tabindex: -1 }, `Experiment: ${key}`, h("span", { class: "muted" }, ` · ${env}`));
  const out = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  render(main, flagNav(key, "experiments"), title, out);
  const path = envPath(env, `/experiments/${enc(key)}`);
  const [flag, first] = await Promise.all([call("GET", definitionPath(env, "flags", key)), call("GET", path)]);
  if (mine !== generation) return;
  if (!flag.ok || !first.ok) return render(out, h("p", { class: "error", role: "alert" }, apiError(flag.ok ? first : flag)));
  const doc = flag.body;
  const q = { metric: first.body.metrics[0] ?? "", control: doc.offVariant, value: false };
  const metric = h("select", { id: "x-metric", onchange: (e) => ((q.metric = e.target.value), load()) },
    first.body.metrics.map((m) => h("option", { value: m }, m)), h("option", { value: "" }, "none (exposures only)"));
  const control = h("select", { id: "x-control", onchange: (e) => ((q.control = e.target.value), load()) },
    Object.keys(doc.variants ?? {}).map((v) => h("option", { value: v, selected: v === q.control }, v)));
  const welch = h("input", { id: "x-value", type: "checkbox", onchange: (e) => ((q.value = e.target.checked), load()) });
  const results = h("div");
  const note = h("p", { class: "muted", "aria-live": "polite" });
  render(out,
    doc.trackEvents ? null : h("p", { class: "readonly" }, `${key} does not have trackEvents: clients send no exposures for it.`),
    h("form", { class: "toolbar", "aria-label": "What to compare", onsubmit: (e) => (e.preventDefault(), load()) },
      h("div", {}, h("label", { for: "x-metric" }, "Metric"), metric),
      h("div", {}, h("label", { for: "x-control" }, "Control"), control),
      h("div", { class: "check" }, welch, h("label", { for: "x-value" }, "Compare values (Welch)")),
      h("div", {}, h("button", { type: "submit" }, "Refresh"))),
    note, results);
  async function load() {
    welch.disabled = !q.metric;
    note.textContent = "Loading…";
    const r = await call("GET", path, { query: { metric: q.metric, control: q.control, value: q.metric && q.value ? "true" : "" } });
    if (mine !== generation) return;
    if (!r.ok) return (note.textContent = ""), render(results, h("p", { class: "error", role: "alert" }, apiError(r)));
    const b = r.body, level = `${+(b.confidence * 100).toFixed(1)}%`;
    note.textContent = b.metric
      ? `${b.metric}: ${b.value ? "the mean value per unit, compared with Welch's t-test" : "the share of units with the event, compared with a two-proportion z-test"}; ${level} intervals.`
      : "No metric: the units exposed per variant only.";
    render(results, report(b, env, level));
  }
  await load();
}

/** The results: the sample ratio, the table, the chart, the rejected events. */
function report(r, env, level) {
  const m = !!r.metric;
  const sr = r.sampleRatio;
  const heads = m
    ? ["Variant", "Units", "Conversions", `Rate [${level} interval]`, "Value mean", `Difference vs ${r.control} [interval]`, "p-value", "Relative lift"]
    : ["Variant", "Units"];
  const rows = r.variants.map((v) => {
    const vs = v.vsControl;
    const cells = m ? [num(v.units), num(v.conversions), pc(v.rate) + range(v.interval, (x) => pc(x, 1)), fix(v.valueMean),
      v.control ? "control" : vs ? (r.value ? sg(vs.difference) + range(vs.interval, sg) : pp(vs.difference) + range(vs.interval, (x) => pp(x).replace(" pp", ""))) : "—",
      vs ? pv(vs.pValue) : "—", vs?.relativeLift != null ? `${vs.relativeLift < 0 ? "−" : "+"}${Math.abs(vs.relativeLift * 100).toFixed(1)}%` : "—"] : [num(v.units)];
    return h("tr", { dataset: { variant: v.variant } }, h("th", { scope: "row" }, v.variant, v.control ? h("span", { class: "muted" }, " (control)") : null),
      cells.map((c, i) => h("td", { "data-label": heads[i + 1] }, c)));
  });
  const rejected = Object.entries(r.rejected ?? {}).filter(([, n]) => n > 0);
  return [
    !sr ? h("p", { class: "muted" }, "No rollout to check the sample ratio against.")
      : h("p", { class: sr.mismatch ? "srm bad" : "srm", role: sr.mismatch ? "alert" : null, id: "x-srm" },
        sr.mismatch ? h("strong", {}, "Sample ratio mismatch: ") : "Sample ratio: ",
        `p ${pv(sr.pValue).replace(/^[^<]/, "= $&")} against the weights of ${sr.rollout === "default" ? "the default serve" : `rule ${sr.rollout}`} (${Object.entries(sr.weights).map(([k, w]) => `${k} ${pct(w)}`).join(", ")}). `,
        sr.mismatch ? "The units do not split as the weights say: assignment or logging is broken, so these results cannot be trusted." : sr.pValue == null ? "Not enough units yet." : "Consistent with the weights."),
    h("div", { class: "table-wrap" }, h("table", { class: "stack results", id: "x-table" },
      h("caption", { class: "visually-hidden" }, `Results per variant in ${env}`),
      h("thead", {}, h("tr", {}, heads.map((t) => h("th", { scope: "col" }, t)))), h("tbody", {}, rows))),
    m ? chart(r, level) : null,
    h("p", { class: "muted", id: "x-rejected" }, `Rejected events in ${env}: `, rejected.length ? rejected.map(([k, n]) => `${k} ${num(n)}`).join(", ") : "none", "."),
  ];
}

const NS = "http://www.w3.org/2000/svg";
const s = (tag, attrs, ...kids) => {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...kids);
  return e;
};

/** Each variant's rate and its interval (error bars) on one axis. */
function chart(r, level) {
  const W = 360, L = 72, R = 52, row = 28, top = 8;
  const max = Math.max(0.001, ...r.variants.map((v) => v.interval?.[1] ?? v.rate ?? 0)) * 1.05;
  const x = (v) => L + (v / max) * (W - L - R);
  const H = top + row * r.variants.length + 22;
  const label = `Rate of ${r.metric} per variant with its ${level} interval`;
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "x-chart-title" },
    s("title", { id: "x-chart-title" }, label));
  const base = top + row * r.variants.length;
  svg.append(s("line", { class: "axis", x1: L, x2: W - R, y1: base, y2: base }));
  for (const t of [0, max / 2, max]) svg.append(s("text", { x: x(t), y: base + 16, "text-anchor": "middle" }, pc(t, 1)));
  r.variants.forEach((v, i) => {
    const y = top + row * i + row / 2;
    svg.append(s("text", { x: L - 6, y: y + 4, "text-anchor": "end" }, v.variant));
    if (!v.interval) return svg.append(s("text", { x: L, y: y + 4 }, "no units"));
    const [lo, hi] = v.interval.map(x);
    svg.append(s("g", { class: `ci${v.control ? " control" : ""}`, "data-variant": v.variant },
      s("line", { x1: lo, x2: hi, y1: y, y2: y }), s("line", { x1: lo, x2: lo, y1: y - 6, y2: y + 6 }), s("line", { x1: hi, x2: hi, y1: y - 6, y2: y + 6 }),
      s("circle", { cx: x(v.rate), cy: y, r: 4 }), s("text", { x: W - R + 4, y: y + 4 }, pc(v.rate, 1))));
  });
  return h("figure", { class: "chart" }, svg, h("figcaption", { class: "muted" }, `${label}; ${r.control} is the control.`));
}

const CALC = [
  ["baseline", "Baseline conversion rate", "0.05", "A rate from 0 to 1 (0.05 is 5%)."],
  ["mde", "Relative minimum detectable effect", "0.1", "0.1 detects a rate 10% above the baseline."],
  ["alpha", "Significance level (alpha)", "0.05"],
  ["power", "Power", "0.8"],
  ["variants", "Variants (control included)", "2"],
  ["dailyUnits", "Daily units (optional)", "", "Units entering the experiment per day: gives the days."],
];

/** The sample-size calculator: the API computes, errors show next to the field it names. */
function calculator(main) {
  const inputs = {};
  const out = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card", novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    for (const i of Object.values(inputs)) fieldError(i, null);
    const query = Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, i.value.trim()]));
    const r = await call("GET", "/admin/sample-size", { query });
    if (!r.ok) {
      render(out);
      const field = inputs[r.body?.field];
      if (field) return fieldError(field, r.body.message), field.focus();
      return render(out, h("p", { class: "error", role: "alert" }, apiError(r)));
    }
    const b = r.body;
    render(out, h("dl", { class: "figures-dl" },
      [["ss-units", "Units per variant", num(b.unitsPerVariant)], ["ss-total", "Total units", num(b.totalUnits)],
        ["ss-days", "Days", b.days == null ? "— (give the daily units)" : num(b.days)]].map(([id, t, v]) => [h("dt", {}, t), h("dd", { id }, v)])));
  } },
  h("div", { class: "fields" }, CALC.map(([k, t, v, hint]) => {
    inputs[k] = h("input", { id: `ss-${k}`, name: k, type: "number", step: "any", value: v, inputmode: "decimal" });
    return h("div", { class: "field" }, h("label", { for: `ss-${k}` }, t), inputs[k], hint ? h("p", { class: "muted" }, hint) : null);
  })),
  h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Calculate")));
  render(main, h("h2", {}, "Sample size"),
    h("p", { class: "muted" }, "The units an experiment on a conversion rate needs to detect the effect with this power (a two-sided two-proportion test)."),
    form, out);
}

/** A labelled input in a grid cell. */
const input = (id, label, attrs, hint) => {
  const el = h("input", { id, autocomplete: "off", ...attrs });
  return [el, h("div", { class: "field" }, h("label", { for: id }, label), el, hint ? h("p", { class: "muted" }, hint) : null)];
};
/** A number typed, or undefined when empty (NaN when not a number). */
const value = (el) => (el.value.trim() === "" ? undefined : Number(el.value));
const at = (t) => h("time", { datetime: t }, t ? new Date(t).toLocaleString() : "—");

async function rollout(main, ctx, key, mine) {
  const env = ctx.env;
  const base = definitionPath(env, "flags", key);
  const editable = ctx.canEdit(env);
  render(main, flagNav(key, "rollout"), h("p", { class: "muted" }, "Loading…"));
  const [flag, plan, guard] = await Promise.all([call("GET", base), call("GET", `${base}/rollout-plan`), call("GET", `${base}/guard`)]);
  if (mine !== generation) return;
  if (!flag.ok) return render(main, flagNav(key, "rollout"), h("p", { class: "error", role: "alert" }, apiError(flag)));
  const doc = flag.body;
  const progress = h("div", { id: "p-progress" });
  const again = () => show(main, ctx, { key, rollout: true });
  let shown = null, live = false;
  const showPlan = (p) => {
    const text = JSON.stringify(p);
    live = p?.status === "running";
    if (text === shown) return;
    shown = text;
    render(progress, p ? planView(p, key, editable, base, again) : h("p", { class: "muted" }, `No rollout plan for ${key} in ${env}.`));
  };
  showPlan(plan.ok ? plan.body : null);
  const title = h("h2", { tabindex: -1 }, `Rollout: ${key}`, h("span", { class: "muted" }, ` · ${env}`));
  render(main, flagNav(key, "rollout"), title,
    editable ? null : h("p", { class: "muted readonly" }, `Read-only: your token (${ctx.me?.role}) cannot change ${env}.`),
    h("section", { class: "card part", "aria-labelledby": "p-title" }, h("h3", { id: "p-title" }, "Guarded rollout plan"),
      h("p", { class: "muted" }, "Steps a variant's weight up while its guards hold over enough new units, and rolls it back to 0 when one fails."),
      progress,
      editable ? planForm(doc, key, env, base, plan.ok, again) : null),
    h("section", { class: "card part", "aria-labelledby": "g-title" }, h("h3", { id: "g-title" }, "Automatic kill switch"),
      guardView(guard.ok ? guard.body : null, key, doc.offVariant, editable, base, again)));
  title.focus();
  // Follow a running plan.
  const poll = async () => {
    if (mine !== generation || !progress.isConnected || !live) return;
    const p = await call("GET", `${base}/rollout-plan`);
    if (mine !== generation || !progress.isConnected) return;
    if (p.ok) showPlan(p.body);
    setTimeout(poll, 3000);
  };
  setTimeout(poll, 3000);
}

/** The plan's progress, its guards and its decisions. */
function planView(p, key, editable, base, again) {
  const plan = p.plan ?? {};
  const steps = plan.steps ?? [];
  const bar = h("ol", { class: "steps", "aria-label": "Steps" }, steps.map((w, i) => {
    const state = i < p.step || p.status === "completed" ? "done" : i > p.step ? "todo" : p.status === "running" ? "current" : p.status;
    return h("li", { class: `step ${state}`, "aria-current": i === p.step && p.status === "running" ? "step" : null },
      pct(w), h("span", { class: "visually-hidden" }, ` (${state})`));
  }));
  const cancel = editable && p.status === "running" ? h("button", { type: "button", class: "danger", onclick: async () => {
    if (!(await confirmDialog(`Cancel the rollout plan of ${key}?`, `The weights stay as they are now (${plan.variant} at ${pct(p.weight)}); nothing steps further.`, "Cancel the plan", "Keep it"))) return;
    const r = await call("DELETE", `${base}/rollout-plan`);
    if (!r.ok) return toast(apiError(r));
    toast(`Rollout plan of ${key} cancelled.`);
    again();
  } }, "Cancel the plan") : null;
  return [
    h("p", { class: "plan-status" }, h("span", { class: `badge state-${p.status}`, id: "p-status" }, p.status), " ",
      `${plan.variant} at ${pct(p.weight)} in ${plan.rule === "default" ? "the default serve" : `rule ${plan.rule}`}: step ${Math.min(p.step + 1, steps.length)} of ${steps.length}, since `, at(p.stepStartedAt), `; set by ${p.createdBy}.`),
    bar,
    h("p", { class: "muted" }, `Each step needs ${num(plan.minUnits)} new units of ${plan.variant} and ${num(plan.minSeconds)} s. Guards: `,
      (plan.guards ?? []).map(guardText).join("; ") || "none", "."),
    cancel,
    h("h4", {}, "Decisions"),
    h("ol", { class: "decisions", id: "p-decisions" }, (p.decisions ?? []).map((d) => h("li", { dataset: { action: d.action } },
      h("strong", {}, d.action), " ", at(d.at), d.version ? h("span", { class: "muted" }, ` (version ${d.version})`) : null, figuresView(d.figures)))),
  ];
}

/** The form that sets a plan (PUT); API errors next to the field they name. */
function planForm(doc, key, env, base, exists, again) {
  const variants = Object.keys(doc.variants ?? {});
  const rule = h("select", { id: "p-rule" }, h("option", { value: "default" }, "Default serve"),
    (doc.rules ?? []).filter((r) => r.id).map((r) => h("option", { value: r.id }, `Rule ${r.id}`)));
  const variant = h("select", { id: "p-variant" }, variants.map((v) => h("option", { value: v, selected: v === variants.find((x) => x !== doc.offVariant) }, v)));
  const [steps, stepsF] = input("p-steps", "Steps, % of units", { value: "1, 5, 25, 50, 100", spellcheck: "false" }, "Increasing; 1% is weight 1000.");
  const [minUnits, minUnitsF] = input("p-min-units", "New units per step, at least", { type: "number", min: 0, value: 100 });
  const [minSeconds, minSecondsF] = input("p-min-seconds", "Seconds per step, at least", { type: "number", min: 0, value: 600 });
  const [error, errorF] = input("p-g-error", "Errors: most increase over the control, percentage points", { type: "number", min: 0, step: "any", value: 1 }, "Empty: no error guard.");
  const [latency, latencyF] = input("p-g-latency", "p99 latency: most ms", { type: "number", min: 0, step: "any" }, "Empty: no latency guard.");
  const others = h("div");
  let n = 0;
  const addGuard = () => {
    const i = ++n;
    const metric = h("input", { id: `p-g${i}-metric`, spellcheck: "false", autocomplete: "off" });
    const kind = h("select", { id: `p-g${i}-kind` }, h("option", { value: "maxIncrease" }, "most increase over the control (pp)"), h("option", { value: "maxRate" }, "highest rate (%)"));
    const limit = h("input", { id: `p-g${i}-limit`, type: "number", min: 0, step: "any" });
    const row = h("div", { class: "row guard", dataset: { guard: i } },
      h("div", { class: "field" }, h("label", { for: metric.id }, `Guard ${i}: event`), metric),
      h("div", { class: "field" }, h("label", { for: kind.id }, `Guard ${i}: limit kind`), kind),
      h("div", { class: "field" }, h("label", { for: limit.id }, `Guard ${i}: limit`), limit),
      h("button", { type: "button", onclick: () => row.remove() }, `Remove guard ${i}`));
    row.guard = { metric, kind, limit };
    others.append(row);
    metric.focus();
  };
  const submit = h("button", { type: "submit", class: "primary" }, "Start the plan");
  const top = h("div");
  const fields = { rule, variant, steps, minUnits, minSeconds };
  const form = h("form", { class: "plan-form", novalidate: true, "aria-labelledby": "p-form-title", onsubmit: async (e) => {
    e.preventDefault();
    render(top);
    for (const el of form.querySelectorAll("input, select")) fieldError(el, null);
    const parts = steps.value.split(/[\s,;%]+/).filter(Boolean).map(Number);
    if (!parts.length || parts.some((x) => !(x > 0 && x <= 100))) return fieldError(steps, "Percentages above 0 and at most 100, e.g. 1, 5, 25, 100."), steps.focus();
    // The guards in the order of the body, with the control an error about each names.
    const guards = [], targets = [];
    const add = (g, el) => (guards.push(g), targets.push(el));
    if (value(error) !== undefined) add({ metric: "error", maxIncrease: value(error) / 100 }, error);
    if (value(latency) !== undefined) add({ metric: "latency_p99_ms", max: value(latency) }, latency);
    for (const row of others.children) {
      const g = row.guard;
      add({ metric: g.metric.value.trim(), [g.kind.value]: value(g.limit) === undefined ? undefined : value(g.limit) / 100 }, g);
    }
    const body = { rule: rule.value, variant: variant.value, steps: parts.map((x) => Math.round(x * 1000)), minUnits: value(minUnits), minSeconds: value(minSeconds), guards };
    if (/^prod(uction)?$/i.test(env) && !(await confirmDialog(`Start rolling out ${body.variant} of ${key} in ${env}?`,
      `${body.variant} gets ${pct(body.steps[0])} of ${rule.value === "default" ? "the default serve" : `rule ${rule.value}`} at once; the guard loop takes the next steps.`, "Start"))) return;
    submit.disabled = true;
    const r = await call("PUT", `${base}/rollout-plan`, { body });
    submit.disabled = false;
    if (r.ok) return toast(`Rollout plan of ${key}: ${body.variant} at ${pct(body.steps[0])}.`), again();
    const f = r.body?.field ?? "";
    const m = /^guards\[(\d+)\]\.?(\w*)/.exec(f);
    let target = m ? targets[m[1]] : fields[f.replace(/\[.*/, "")];
    if (target && !(target instanceof Element)) target = m[2] === "metric" ? target.metric : target.limit;
    if (target) fieldError(target, apiError(r)), target.focus();
    else render(top, h("p", { class: "error", role: "alert" }, apiError(r)));
  } },
  h("h4", { id: "p-form-title" }, "Set a plan"), exists ? h("p", { class: "muted" }, "It replaces the plan above.") : null,
  h("div", { class: "fields" }, h("div", { class: "field" }, h("label", { for: "p-rule" }, "Rollout of"), rule),
    h("div", { class: "field" }, h("label", { for: "p-variant" }, "Variant to roll out"), variant), stepsF, minUnitsF, minSecondsF),
  h("fieldset", { class: "weights" }, h("legend", {}, "Guards: one that fails rolls back"), h("div", { class: "fields" }, errorF, latencyF), others,
    h("button", { type: "button", onclick: addGuard }, "Add a guard on another event")),
  top, h("div", { class: "actions" }, submit));
  return form;
}

/** The kill guard: its status and figures, and (editors) its form and removal. */
function guardView(g, key, off, editable, base, again) {
  const spec = g?.guard;
  const out = [g && g.status !== "removed"
    ? h("div", { id: "g-status" }, h("span", { class: `badge state-${g.status}` }, g.status), " ",
      g.status === "triggered" ? `${key} was killed: ` : `Kills ${key} when a served variant (not ${off}) has ${num(spec.minUnits)} units and more than ${pc(spec.maxRate)} of them had ${spec.metric}.`,
      g.status === "triggered" ? figuresView(g.result) : null)
    : h("p", { class: "muted", id: "g-status" }, `No kill guard on ${key}.`)];
  if (!editable) return out;
  const [metric, metricF] = input("g-metric", "Event", { value: spec?.metric ?? "error", spellcheck: "false" });
  const [maxRate, maxRateF] = input("g-max-rate", "Kill above this rate, %", { type: "number", min: 0, max: 100, step: "any", value: spec ? +(spec.maxRate * 100).toFixed(4) : 5 });
  const [minUnits, minUnitsF] = input("g-min-units", "Units a variant needs first", { type: "number", min: 0, value: spec?.minUnits ?? 100 });
  const fields = { metric, maxRate, minUnits };
  const top = h("div");
  out.push(h("form", { novalidate: true, "aria-label": "Set the kill guard", onsubmit: async (e) => {
    e.preventDefault();
    render(top);
    for (const el of Object.values(fields)) fieldError(el, null);
    const rate = value(maxRate);
    const r = await call("PUT", `${base}/guard`, { body: { metric: metric.value.trim(), maxRate: rate === undefined ? undefined : rate / 100, minUnits: value(minUnits) } });
    if (r.ok) return toast(`Kill guard of ${key} set.`), again();
    const target = fields[r.body?.field];
    if (target) fieldError(target, apiError(r)), target.focus();
    else render(top, h("p", { class: "error", role: "alert" }, apiError(r)));
  } }, h("div", { class: "fields" }, metricF, maxRateF, minUnitsF), top,
  h("div", { class: "actions" },
    g && g.status !== "removed" ? h("button", { type: "button", onclick: async () => {
      const r = await call("DELETE", `${base}/guard`);
      if (!r.ok) return render(top, h("p", { class: "error", role: "alert" }, apiError(r)));
      toast(`Kill guard of ${key} removed.`);
      again();
    } }, "Remove the guard") : null,
    h("button", { type: "submit", class: "primary" }, g?.status === "watching" ? "Update the guard" : "Watch"))));
  return out;
}
