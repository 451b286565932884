// The editor's building blocks: labelled controls (typed variant values, key lists), conditions
// with an operator picker that knows each operand type, what a rule or the default serves (a
// variant, a rollout, a schedule), rollout weights as sliders that always sum to 100% (moving
// one rebalances the others in proportion; 0.1% steps on the slider, the 100000 integer
// weights of FORMAT.md §4 in the document), and the ramp curve of a schedule as inline SVG
// (attributes only: the page's CSP allows no inline styles).

import { h, fieldError } from "./dom.js";
import { TOTAL, OPERATORS, OPERAND_HINTS, pct, day, scheduleShare, isInstant, operandType, parseOperand, checkCondition } from "./summary.js";

/** A label and its control (and a hint), in a grid cell. */
export const field = (id, text, control, hint) => h("div", { class: "field" }, h("label", { for: id }, text), control, hint && h("p", { class: "muted" }, hint));

/** A labelled checkbox. */
export const check = (id, text, checked, onChange, path) => h("div", { class: "check" },
  h("input", { id, type: "checkbox", checked, "data-path": path, onchange: (e) => onChange(e.target.checked) }), h("label", { for: id }, text));

export const button = (text, onclick, attrs = {}) => h("button", { type: "button", onclick, ...attrs }, text);

/** A select of `options` (a value not among them stays, marked unknown). */
export const select = (id, options, value, path, onChange) => h("select", { id, "data-path": path, onchange: (e) => onChange(e.target.value) },
  options.map((o) => h("option", { value: o, selected: o === value }, o)),
  value !== undefined && !options.includes(value) ? h("option", { value, selected: true }, `${value} (unknown)`) : null);

/** Keys, one per line (targets, segment members). */
export function keysInput(id, values, path, onChange) {
  const area = h("textarea", { id, class: "small", rows: 2, spellcheck: "false", "data-path": path }, (values ?? []).join("\n"));
  area.addEventListener("input", () => onChange(lines(area.value)));
  return area;
}

/** A variant's value as its flag `type` has it: true/false, a number, text, a JSON object. */
export function valueInput({ type, value, id, path, onChange }) {
  if (type === "boolean") return h("select", { id, "data-path": path, onchange: (e) => onChange(e.target.value === "true") }, ["true", "false"].map((b) => h("option", { value: b, selected: String(value) === b }, b)));
  if (type === "number") {
    const input = h("input", { id, type: "number", step: "any", value, "data-path": path, oninput: () => {
      const ok = input.value.trim() !== "" && Number.isFinite(Number(input.value));
      fieldError(input, ok ? null : "a number");
      if (ok) onChange(Number(input.value));
    } });
    return input;
  }
  if (type === "object") {
    const area = h("textarea", { id, class: "small", rows: 3, spellcheck: "false", "data-path": path }, JSON.stringify(value, null, 2));
    area.addEventListener("input", () => {
      try {
        const o = JSON.parse(area.value);
        if (!o || typeof o !== "object" || Array.isArray(o)) throw new Error("an object flag's values are JSON objects");
        fieldError(area, null);
        onChange(o);
      } catch (e) {
        fieldError(area, `Not valid: ${e.message}`);
      }
    });
    return area;
  }
  return h("input", { id, value: typeof value === "string" ? value : JSON.stringify(value), "data-path": path, oninput: (e) => onChange(e.target.value) });
}

/** Non-empty trimmed lines. */
export const lines = (text) => text.split("\n").map((s) => s.trim()).filter(Boolean);

/**
 * `weights` (integers) with `index` set to `value` and the others scaled in proportion so the
 * sum stays TOTAL (largest remainder; equal shares when the others are all zero).
 */
export function rebalance(weights, index, value) {
  const out = weights.slice();
  const others = weights.map((_, i) => i).filter((i) => i !== index);
  out[index] = others.length ? Math.min(TOTAL, Math.max(0, Math.round(value))) : TOTAL;
  const rest = TOTAL - out[index];
  const total = others.reduce((sum, i) => sum + weights[i], 0);
  const raw = others.map((i) => (total > 0 ? (weights[i] * rest) / total : rest / others.length));
  const floors = raw.map(Math.floor);
  let left = rest - floors.reduce((a, b) => a + b, 0);
  const order = raw.map((r, k) => [r - floors[k], k]).sort((a, b) => b[0] - a[0]);
  for (const [, k] of order) {
    if (left-- <= 0) break;
    floors[k] += 1;
  }
  others.forEach((i, k) => (out[i] = floors[k]));
  return out;
}

/**
 * Sliders for a rollout's `weights` over the flag's `variants` (names). The existing order of
 * `weights` is kept (bucketing walks it in order), variants not in it follow. `onChange`
 * gets the new weights array (variants that were not in it and stay at 0 are left out).
 */
export function weightsEditor({ weights, variants, id, path, onChange }) {
  const names = [...weights.map((w) => w.variant), ...variants.filter((v) => !weights.some((w) => w.variant === v))];
  const listed = new Set(weights.map((w) => w.variant));
  let current = names.map((n) => weights.find((w) => w.variant === n)?.weight ?? 0);
  let base = null; // the weights when the current drag started: proportions survive a drag to 100%
  const total = h("output", { class: "total", "aria-live": "polite" });
  const bar = svg("svg", { class: "weights-bar", viewBox: `0 0 ${TOTAL} 10`, preserveAspectRatio: "none", "aria-hidden": "true" });
  const rows = names.map((name, i) => {
    const rid = `${id}-w${i}`;
    const at = weights.findIndex((w) => w.variant === name);
    const range = h("input", { id: rid, type: "range", min: 0, max: 100, step: 0.1, "data-variant": name, "data-path": at < 0 ? `${path}.weights` : `${path}.weights[${at}].weight` });
    const number = h("input", { id: `${rid}-n`, type: "number", min: 0, max: 100, step: "any", inputmode: "decimal", class: "percent", "data-variant": name });
    range.addEventListener("input", () => set(i, Number(range.value) * 1000, range));
    range.addEventListener("change", () => (base = null));
    number.addEventListener("change", () => {
      const v = Number(number.value);
      if (number.value.trim() === "" || !Number.isFinite(v) || v < 0 || v > 100) return fieldError(number, "a percentage from 0 to 100");
      fieldError(number, null);
      base = null;
      set(i, Math.round(v * 1000), number);
    });
    return { name, range, number, el: h("div", { class: "weight" },
      h("label", { for: rid }, name), range,
      h("label", { for: `${rid}-n`, class: "visually-hidden" }, `${name}, percent`), number, h("span", { "aria-hidden": "true" }, "%")) };
  });
  if (names.length < 2) rows.forEach((r) => (r.range.disabled = r.number.disabled = true));

  function paint(except) {
    let x = 0;
    bar.replaceChildren();
    rows.forEach((r, i) => {
      if (r.range !== except) r.range.value = String(current[i] / 1000);
      r.range.setAttribute("aria-valuetext", pct(current[i]));
      if (r.number !== except) r.number.value = String(current[i] / 1000);
      bar.append(svg("rect", { x, y: 0, width: current[i], height: 10, class: `w${i % 6}` }));
      x += current[i];
    });
    const sum = current.reduce((a, b) => a + b, 0);
    total.textContent = `Total: ${+(sum / 1000).toFixed(3)}%`;
  }
  function set(i, value, except) {
    base ??= current.slice();
    current = rebalance(base, i, value);
    paint(except);
    onChange(names.flatMap((variant, k) => (listed.has(variant) || current[k] > 0 ? [{ variant, weight: current[k] }] : [])));
  }
  paint();
  return h("fieldset", { class: "weights" }, h("legend", {}, "Rollout weights"), rows.map((r) => r.el), bar, total);
}

const SVG = "http://www.w3.org/2000/svg";

/** An SVG element with attributes and children. */
function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined && v !== null) element.setAttribute(k, String(v));
  element.append(...children);
  return element;
}

/** The ramp of a schedule as an SVG chart: share (from -> to) over start..end, and now. */
export function scheduleCurve(schedule, now = Date.now()) {
  const W = 320, H = 150, L = 40, R = 10, T = 12, B = 28;
  const start = Date.parse(schedule.start), end = Date.parse(schedule.end);
  const ok = end > start;
  const x = (t) => L + ((t - start) / (end - start)) * (W - L - R);
  const y = (share) => T + (1 - share / TOTAL) * (H - T - B);
  const points = [];
  for (let i = 0; ok && i <= 60; i++) {
    const t = start + ((end - start) * i) / 60;
    points.push(`${i ? "L" : "M"}${x(t).toFixed(1)},${y(scheduleShare(schedule, t)).toFixed(1)}`);
  }
  const label = ok
    ? `Ramp of ${schedule.variant}: ${pct(schedule.from ?? 0)} to ${pct(schedule.to ?? TOTAL)}, ${schedule.curve ?? "linear"}, ${day(schedule.start)} to ${day(schedule.end)}; now ${pct(scheduleShare(schedule, now))}`
    : "No curve: the end must be after the start";
  const chart = svg("svg", { class: "curve", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label },
    svg("title", {}, label),
    svg("line", { x1: L, y1: T, x2: L, y2: H - B, stroke: "currentColor", "stroke-width": 1 }),
    svg("line", { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "currentColor", "stroke-width": 1 }),
    svg("text", { x: L - 4, y: T + 4, "text-anchor": "end", "font-size": 10, fill: "currentColor" }, "100%"),
    svg("text", { x: L - 4, y: H - B, "text-anchor": "end", "font-size": 10, fill: "currentColor" }, "0%"),
    svg("text", { x: L, y: H - 8, "font-size": 10, fill: "currentColor" }, ok ? day(schedule.start) : ""),
    svg("text", { x: W - R, y: H - 8, "text-anchor": "end", "font-size": 10, fill: "currentColor" }, ok ? day(schedule.end) : ""));
  if (ok) chart.append(svg("path", { d: points.join(" "), fill: "none", stroke: "#0b5cad", "stroke-width": 2.5 }));
  if (ok && now > start && now < end) {
    const share = scheduleShare(schedule, now);
    chart.append(
      svg("line", { x1: x(now), y1: T, x2: x(now), y2: H - B, stroke: "#9a6700", "stroke-dasharray": "3 3" }),
      svg("circle", { cx: x(now), cy: y(share), r: 4, fill: "#9a6700" }),
      svg("text", { x: Math.min(x(now) + 5, W - 60), y: T + 10, "font-size": 10, fill: "#9a6700" }, `now ${pct(share)}`),
    );
  }
  return chart;
}

/** A serve of this kind, made from scratch for `flag`. */
function fresh(kind, flag) {
  const names = Object.keys(flag.variants ?? {});
  const off = flag.offVariant ?? names[0];
  const on = names.find((n) => n !== off) ?? off;
  if (kind === "variant") return { variant: on };
  if (kind === "rollout") return { rollout: { weights: names.map((variant) => ({ variant, weight: variant === off ? TOTAL : 0 })) } };
  const start = new Date(Math.ceil(Date.now() / 3600000) * 3600000);
  const end = new Date(start.getTime() + 7 * 86400000);
  const iso = (d) => d.toISOString().replace(/\.000Z$/, "Z");
  return { schedule: { variant: on, otherwise: off, start: iso(start), end: iso(end), from: 0, to: TOTAL, curve: "linear" } };
}

const kindOf = (serve) => (serve?.rollout ? "rollout" : serve?.schedule ? "schedule" : "variant");

const variantSelect = (id, flag, value, path, onChange) => select(id, Object.keys(flag.variants ?? {}), value, path, onChange);

/**
 * What a rule or the default serves: a kind picker and that kind's controls. `get()` reads
 * the serve from the document, `onChange(serve)` writes it back; the controls re-render in
 * place (the rest of the form keeps its focus).
 */
export function serveEditor({ flag, get, id, path, onChange, legend = "Serve" }) {
  const body = h("div", { class: "serve-body" });
  const kind = h("select", { id: `${id}-kind`, onchange: () => {
    onChange(fresh(kind.value, flag));
    paint();
  } }, [["variant", "a variant"], ["rollout", "a rollout (percentages)"], ["schedule", "a schedule (ramp over time)"]].map(([v, t]) => h("option", { value: v, selected: kindOf(get()) === v }, t)));
  function paint() {
    const serve = get() ?? { variant: flag.offVariant };
    const k = kindOf(serve);
    if (k === "variant") {
      body.replaceChildren(field(`${id}-variant`, "Variant", variantSelect(`${id}-variant`, flag, serve.variant, `${path}.variant`, (v) => onChange({ variant: v }))));
    } else if (k === "rollout") {
      const rollout = serve.rollout;
      const update = (changes) => onChange({ rollout: { ...get().rollout, ...changes } });
      const by = h("input", { id: `${id}-by`, value: rollout.by ?? "", placeholder: "targetingKey", "data-path": `${path}.rollout.by`, oninput: () => update({ by: by.value.trim() || undefined }) });
      body.replaceChildren(
        weightsEditor({ weights: rollout.weights ?? [], variants: Object.keys(flag.variants ?? {}), id, path: `${path}.rollout`, onChange: (weights) => update({ weights }) }),
        field(`${id}-by`, "Bucket by attribute", by));
    } else {
      body.replaceChildren(...scheduleControls(serve.schedule));
    }
  }
  function scheduleControls(s) {
    const chart = h("div", { class: "curve-box" }, scheduleCurve(s));
    const update = (changes) => {
      const next = { ...get().schedule, ...changes };
      onChange({ schedule: next });
      chart.replaceChildren(scheduleCurve(next));
      const bad = !(Date.parse(next.end) > Date.parse(next.start));
      fieldError(endInput, isInstant(next.end) && isInstant(next.start) && bad ? "the end must be after the start" : endInput.dataset.error || null);
    };
    const instant = (key, text) => {
      const input = h("input", { id: `${id}-${key}`, value: s[key] ?? "", placeholder: "2026-12-01T00:00:00Z", "data-path": `${path}.schedule.${key}`, oninput: () => {
        const v = input.value.trim();
        input.dataset.error = isInstant(v) ? "" : "an RFC 3339 instant, e.g. 2026-12-01T00:00:00Z";
        fieldError(input, input.dataset.error || null);
        update({ [key]: v });
      } });
      return [input, field(input.id, text, input)];
    };
    const percent = (key, text, fallback) => {
      const input = h("input", { id: `${id}-${key}`, type: "number", min: 0, max: 100, step: 0.1, value: (s[key] ?? fallback) / 1000, "data-path": `${path}.schedule.${key}`, oninput: () => {
        const v = Number(input.value);
        const ok = input.value !== "" && v >= 0 && v <= 100;
        fieldError(input, ok ? null : "a percentage from 0 to 100");
        if (ok) update({ [key]: Math.round(v * 1000) });
      } });
      return field(input.id, text, input);
    };
    const [, startField] = instant("start", "Start (RFC 3339)");
    const [endInput, endField] = instant("end", "End (RFC 3339)");
    const curve = h("select", { id: `${id}-curve`, "data-path": `${path}.schedule.curve`, onchange: () => update({ curve: curve.value }) },
      ["linear", "s-curve"].map((c) => h("option", { value: c, selected: (s.curve ?? "linear") === c }, c)));
    const by = h("input", { id: `${id}-sby`, value: s.by ?? "", placeholder: "targetingKey", "data-path": `${path}.schedule.by`, oninput: () => update({ by: by.value.trim() || undefined }) });
    return [
      h("div", { class: "fields" },
        field(`${id}-sv`, "Ramp up variant", variantSelect(`${id}-sv`, flag, s.variant, `${path}.schedule.variant`, (v) => update({ variant: v }))),
        field(`${id}-so`, "Otherwise", variantSelect(`${id}-so`, flag, s.otherwise, `${path}.schedule.otherwise`, (v) => update({ otherwise: v }))),
        startField, endField,
        percent("from", "From (%)", 0), percent("to", "To (%)", TOTAL),
        field(curve.id, "Curve", curve), field(by.id, "Bucket by attribute", by)),
      chart,
    ];
  }
  paint();
  return h("fieldset", { class: "serve", "data-path": path }, h("legend", {}, legend), field(kind.id, "Serves", kind), body);
}

// ---------------------------------------------------------------------------------------------
// Conditions (a flag rule's, a segment rule's)

/** The operand type chosen for an `in` condition whose values do not show it (none yet). */
const chosen = new WeakMap();

/**
 * The conditions `owner[prop]` (an array, created on the first add), all of which must hold.
 * `segments`: the environment's segment names (inSegment); `onChange(structural)` after an edit.
 */
export function conditionsEditor({ owner, prop, path, id, title, segments, onChange }) {
  const list = owner[prop] ?? [];
  const ctx = { segments, onChange };
  return h("fieldset", { class: "conditions", "data-path": path }, h("legend", {}, title),
    list.length ? list.map((c, j) => condition(ctx, list, j, `${path}[${j}]`, `${id}c${j}`)) : h("p", { class: "muted" }, "No conditions: always holds."),
    button("Add condition", () => {
      (owner[prop] ??= []).push({ attribute: "", op: "in", values: [] });
      onChange(true);
      document.getElementById(`${id}c${owner[prop].length - 1}-attr`)?.focus();
    }, { id: `${id}-addc` }));
}

/** Changes a condition's operator, keeping the operands the new one can read. */
function switchOp(c, op) {
  const before = OPERATORS[c.op]?.operand;
  c.op = op;
  if (op === "inSegment") delete c.attribute;
  else c.attribute ??= "";
  const kind = OPERATORS[op]?.operand;
  if (kind === "none") return delete c.values;
  if (kind === "segment" || before === "segment" || before === "none") c.values = kind === before ? c.values ?? [] : [];
  else {
    const type = kind === "scalar" ? chosen.get(c) ?? operandType(c) : kind;
    c.values = (c.values ?? []).map((v) => parseOperand(type, typeof v === "string" ? v : JSON.stringify(v)).value ?? String(v));
  }
}

function condition(ctx, list, j, path, id) {
  const c = list[j];
  const opSelect = h("select", { id: `${id}-op`, "data-path": `${path}.op`, onchange: () => (switchOp(c, opSelect.value), ctx.onChange(true)) },
    Object.entries(OPERATORS).map(([k, o]) => h("option", { value: k, selected: k === c.op }, `${o.label} · ${k}`)),
    c.op in OPERATORS ? null : h("option", { value: c.op, selected: true }, `${c.op} (unknown)`));
  const attr = c.op === "inSegment" ? null : h("input", { id: `${id}-attr`, value: c.attribute ?? "", list: "e-attributes", spellcheck: "false", "data-path": `${path}.attribute`, oninput: () => {
    c.attribute = attr.value.trim();
    fieldError(attr, c.attribute ? null : "an attribute is required");
    ctx.onChange(false);
  } });
  return h("div", { class: "condition", role: "group", "aria-label": `Condition ${j + 1}` },
    attr && field(attr.id, "Attribute", attr), field(opSelect.id, "Operator", opSelect),
    operands(ctx, c, path, id),
    check(`${id}-neg`, "Negate (not)", c.negate === true, (on) => (on ? (c.negate = true) : delete c.negate, ctx.onChange(false)), `${path}.negate`),
    button("Remove", () => (list.splice(j, 1), ctx.onChange(true)), { class: "remove", "aria-label": `Remove condition ${j + 1}` }));
}

/** The operand control of a condition, by its operator's operand type. */
function operands(ctx, c, path, id) {
  const kind = OPERATORS[c.op]?.operand ?? "string";
  if (kind === "none") return h("p", { class: "muted" }, OPERAND_HINTS.none);
  if (kind === "segment") {
    const names = [...new Set([...(ctx.segments ?? []), ...(c.values ?? [])])];
    return h("fieldset", { class: "choices", "data-path": `${path}.values` }, h("legend", {}, "Segments (any of)"),
      names.length ? names.map((s, k) => check(`${id}-seg${k}`, ctx.segments?.includes(s) ? s : `${s} (unknown)`, (c.values ?? []).includes(s), (on) => {
        c.values = on ? [...(c.values ?? []), s] : (c.values ?? []).filter((x) => x !== s);
        ctx.onChange(false);
      })) : h("p", { class: "muted" }, "No segments in this environment yet. ", h("a", { href: "#/new/segments" }, "New segment")));
  }
  const type = kind === "scalar" ? chosen.get(c) ?? operandType(c) : operandType(c);
  const area = h("textarea", { id: `${id}-values`, class: "small", rows: 2, spellcheck: "false", "data-path": `${path}.values`, "data-operand": type },
    (c.values ?? []).map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join("\n"));
  const parse = (as) => {
    const parsed = lines(area.value).map((text) => ({ text, ...parseOperand(as, text) }));
    const bad = parsed.findIndex((p) => p.error);
    c.values = parsed.map((p) => (p.error ? p.text : p.value));
    return bad >= 0 ? `line ${bad + 1}: ${parsed[bad].error}` : null;
  };
  area.addEventListener("input", () => {
    fieldError(area, parse(type));
    ctx.onChange(false);
  });
  const scalar = kind === "scalar" && field(`${id}-as`, "Values are", select(`${id}-as`, ["string", "number", "boolean"], type, undefined, (as) => {
    chosen.set(c, as);
    const error = parse(as);
    ctx.onChange(true);
    if (error) fieldError(document.getElementById(area.id) ?? area, error);
  }));
  const box = field(area.id, `Values (${OPERAND_HINTS[type]})`, area);
  // Operands kept from another operator are checked at once (an empty list only on saving).
  const wrong = c.values?.length ? checkCondition(c, ctx.segments).find(([tail]) => tail.startsWith("values")) : null;
  if (wrong) fieldError(area, wrong[1]);
  return [scalar || null, box];
}
