// What a flag or segment document means, in words and checks, shared by the list and the
// editor: the serving summary ("25% on via rule beta"), the status (on / off / killed), the
// lint badges, the operator catalogue of FORMAT.md §2 with each operator's operand type and
// the client-side check of operands, what the server would refuse in a whole document (found
// before asking; the server checks again), and edits that touch every reference (a variant
// renamed, a type changed). No DOM here.

export const TOTAL = 100000;

/** A weight in thousandths of a percent as a short percentage: 33334 -> "33.3%". */
export function pct(weight) {
  if (weight > 0 && weight < 50) return "<0.1%";
  return `${+(weight / 1000).toFixed(1)}%`;
}

/** The date part of an RFC 3339 instant (or the text itself). */
export const day = (instant) => (typeof instant === "string" ? instant.slice(0, 10) : String(instant ?? ""));

/** An RFC 3339 instant as "2026-12-02 01:36 UTC" (the API answers in UTC). */
export const when = (instant) => (instant ? `${instant.slice(0, 10)} ${instant.slice(11, 16)} UTC` : "");

/** The share of a schedule at `now` (ms): FORMAT.md §4, a weight 0..100000. */
export function scheduleShare(s, now = Date.now()) {
  const start = Date.parse(s.start), end = Date.parse(s.end);
  const from = s.from ?? 0, to = s.to ?? TOTAL;
  if (!(end > start)) return from;
  const x = Math.min(1, Math.max(0, (now - start) / (end - start)));
  const f = s.curve === "s-curve" ? x * x * (3 - 2 * x) : x;
  return Math.floor(from + (to - from) * f);
}

/** A serve (`{variant}`, `{rollout}` or `{schedule}`) in words. */
export function describeServe(serve, flag, now = Date.now()) {
  if (!serve) return flag.offVariant ?? "?";
  if ("variant" in serve) return String(serve.variant);
  if (serve.rollout) {
    const live = (serve.rollout.weights ?? []).filter((w) => w.weight > 0);
    if (live.length === 1) return String(live[0].variant);
    const others = live.filter((w) => w.variant !== flag.offVariant);
    if (live.length === 2 && others.length === 1) return `${pct(others[0].weight)} ${others[0].variant}`;
    return live.map((w) => `${pct(w.weight)} ${w.variant}`).join(" / ");
  }
  if (serve.schedule) {
    const s = serve.schedule;
    const range = `${+((s.from ?? 0) / 1000).toFixed(1)}→${pct(s.to ?? TOTAL)} (${s.curve ?? "linear"})`;
    if (now < Date.parse(s.start)) return `ramp ${s.variant} ${range} from ${day(s.start)}`;
    if (now >= Date.parse(s.end)) return `${pct(s.to ?? TOTAL)} ${s.variant} (ramp ended ${day(s.end)})`;
    return `ramping ${s.variant} ${range} until ${day(s.end)}`;
  }
  return "?";
}

/** The serving summary of a flag: "on for 3 targets, else off", "25% on via rule beta". */
export function summary(flag, now = Date.now()) {
  if (flag.enabled === false) return `killed: ${flag.offVariant} for everyone`;
  const parts = [];
  const byVariant = new Map();
  for (const t of flag.targets ?? []) byVariant.set(t.variant, (byVariant.get(t.variant) ?? 0) + (t.values?.length ?? 0));
  for (const [variant, n] of byVariant) parts.push(`${variant} for ${n} target${n === 1 ? "" : "s"}`);
  const base = flag.defaultServe ?? { variant: flag.offVariant };
  let fallback = describeServe(base, flag, now);
  let everyone = "variant" in base;
  const rules = flag.rules ?? [];
  let shown = 0;
  for (const [i, rule] of rules.entries()) {
    const text = `${describeServe(rule.serve, flag, now)} via rule ${rule.id ?? i}`;
    if (!rule.conditions?.length) {
      fallback = text; // a rule without conditions always matches: what follows is unreachable
      everyone = false;
      break;
    }
    if (shown === 2) {
      const left = rules.slice(i).filter((r) => r.conditions?.length).length;
      parts.push(`+${left} more rule${left === 1 ? "" : "s"}`);
      break;
    }
    parts.push(text);
    shown += 1;
  }
  const needs = (flag.prerequisites ?? []).map((p) => p.flag);
  const tail = needs.length ? ` (needs ${needs.join(", ")})` : "";
  if (!parts.length) return `${fallback}${everyone ? " for everyone" : ""}${tail}`;
  return `${parts.join(", ")}, else ${fallback}${tail}`;
}

/** The variants a serve can produce. */
function served(serve, flag) {
  if (!serve) return [flag.offVariant];
  if ("variant" in serve) return [serve.variant];
  if (serve.rollout) return (serve.rollout.weights ?? []).filter((w) => w.weight > 0).map((w) => w.variant);
  const s = serve.schedule ?? {};
  return [s.variant, s.otherwise];
}

/** "killed" (enabled: false), "off" (everything it can serve is the off variant) or "on". */
export function status(flag) {
  if (flag.enabled === false) return "killed";
  const all = [
    ...(flag.targets ?? []).map((t) => t.variant),
    ...(flag.rules ?? []).flatMap((r) => served(r.serve, flag)),
    ...served(flag.defaultServe, flag),
  ];
  return all.every((v) => v === flag.offVariant) ? "off" : "on";
}

/** A lint warning of GET .../lint as a short badge label. */
export function lintLabel(warning) {
  if (warning.kind === "segment") return "unused segment";
  if (/\.metadata\.expiresAt$/.test(warning.path)) return "expired";
  if (/\.rules\[\d+\]$/.test(warning.path)) return "unreachable rule";
  if (/candidate for removal/.test(warning.message)) return "ready to remove";
  return "lint";
}

/** The warnings per `kind:key`: Map -> [{label, message}]. */
export function lintByKey(warnings) {
  const map = new Map();
  for (const w of warnings ?? []) {
    const id = `${w.kind}:${w.key}`;
    if (!map.has(id)) map.set(id, []);
    map.get(id).push({ label: lintLabel(w), message: w.message });
  }
  return map;
}

// ---------------------------------------------------------------------------------------------
// Operators and their operands

/** Every operator: a label and the operand type of its `values`. */
export const OPERATORS = {
  in: { label: "is one of", operand: "scalar" },
  startsWith: { label: "starts with", operand: "string" },
  endsWith: { label: "ends with", operand: "string" },
  contains: { label: "contains", operand: "string" },
  lt: { label: "< (number)", operand: "number" },
  lte: { label: "≤ (number)", operand: "number" },
  gt: { label: "> (number)", operand: "number" },
  gte: { label: "≥ (number)", operand: "number" },
  before: { label: "before (date)", operand: "instant" },
  after: { label: "after (date)", operand: "instant" },
  semverEq: { label: "= (semver)", operand: "semver" },
  semverLt: { label: "< (semver)", operand: "semver" },
  semverLte: { label: "≤ (semver)", operand: "semver" },
  semverGt: { label: "> (semver)", operand: "semver" },
  semverGte: { label: "≥ (semver)", operand: "semver" },
  exists: { label: "exists", operand: "none" },
  inSegment: { label: "in segment", operand: "segment" },
  inCidr: { label: "in IP range (CIDR)", operand: "cidr" },
  matches: { label: "matches (regex)", operand: "regex" },
};

/** What each operand type expects, as a hint next to its input. */
export const OPERAND_HINTS = {
  string: "text, one per line",
  number: "numbers, one per line",
  boolean: "true or false",
  instant: "RFC 3339 instants (2026-12-01T00:00:00Z) or epoch milliseconds, one per line",
  semver: "semantic versions (1.4.0, 2.0.0-beta.1), one per line",
  cidr: "IPv4 or IPv6 ranges (10.0.0.0/8, 2001:db8::/32) or addresses, one per line",
  regex: "regular expressions, one per line (needs a server built with the regex feature)",
  segment: "segments",
  none: "no values: holds when the attribute is present",
};

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(y, m, d) {
  const days = new Date(Date.UTC(+y, +m, 0)).getUTCDate();
  return +m >= 1 && +m <= 12 && +d >= 1 && +d <= days;
}

/** Whether `s` is an RFC 3339 instant as the core reads them. */
export function isInstant(s) {
  const m = INSTANT.exec(s);
  return !!m && validDate(m[1], m[2], m[3]) && +m[4] <= 23 && +m[5] <= 59 && +m[6] <= 60 && (!m[9] || (+m[10] <= 23 && +m[11] <= 59));
}

/** Whether `s` is a date (YYYY-MM-DD) or an instant (metadata.expiresAt). */
export const isDateOrInstant = (s) => {
  const m = DATE.exec(s);
  return m ? validDate(m[1], m[2], m[3]) : isInstant(s);
};

function isIpv4(s) {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && +p <= 255);
}

function isIpv6(s) {
  if (!s.includes(":") || /[^0-9a-fA-F:.]/.test(s)) return false;
  try {
    new URL(`http://[${s}]/`);
    return true;
  } catch {
    return false;
  }
}

/** Whether `s` is an IPv4/IPv6 range (`a/n`) or a single address. */
export function isCidr(s) {
  const [addr, len, extra] = s.split("/");
  if (extra !== undefined) return false;
  const v4 = isIpv4(addr);
  if (!v4 && !isIpv6(addr)) return false;
  return len === undefined || (/^(0|[1-9]\d*)$/.test(len) && +len <= (v4 ? 32 : 128));
}

/**
 * One operand typed in (text) as the JSON value it stands for, or an error:
 * `{ value }` or `{ error }`. `type` is an operand type (for `in`: string, number or boolean).
 */
export function parseOperand(type, text) {
  const bad = (what) => ({ error: `"${text}" is not ${what}` });
  switch (type) {
    case "number": {
      const n = Number(text);
      return text.trim() !== "" && Number.isFinite(n) ? { value: n } : bad("a number");
    }
    case "boolean":
      return text === "true" || text === "false" ? { value: text === "true" } : bad("true or false");
    case "instant":
      if (/^-?\d+$/.test(text)) return { value: Number(text) };
      return isInstant(text) ? { value: text } : bad("an RFC 3339 instant (2026-12-01T00:00:00Z) or epoch milliseconds");
    case "semver":
      return SEMVER.test(text) ? { value: text } : bad("a semantic version (MAJOR.MINOR.PATCH, e.g. 1.4.0)");
    case "cidr":
      return isCidr(text) ? { value: text } : bad("an IPv4 or IPv6 range (10.0.0.0/8) or address");
    case "regex":
      try {
        new RegExp(text, "u");
        return { value: text };
      } catch (e) {
        return { error: `invalid regular expression: ${e.message}` };
      }
    default:
      return { value: text };
  }
}

/** The operand type of a condition (for `in`, from its values: the first one's type). */
export function operandType(condition) {
  const type = OPERATORS[condition.op]?.operand ?? "string";
  if (type !== "scalar") return type;
  const first = condition.values?.[0];
  return typeof first === "number" ? "number" : typeof first === "boolean" ? "boolean" : "string";
}

/** What is wrong with a condition: [[path tail, message]] (empty when fine). */
export function checkCondition(condition, segments) {
  const out = [];
  const op = OPERATORS[condition.op];
  if (!op) return [["op", `unknown operator "${condition.op}"`]];
  if (condition.op !== "inSegment" && !String(condition.attribute ?? "").trim()) out.push(["attribute", "an attribute is required"]);
  if (op.operand === "none") return out;
  const values = condition.values ?? [];
  if (!values.length) out.push(["values", op.operand === "segment" ? "choose at least one segment" : "at least one value is required"]);
  const type = operandType(condition);
  values.forEach((v, i) => {
    const at = `values[${i}]`;
    if (op.operand === "segment") {
      if (typeof v !== "string" || (segments && !segments.includes(v))) out.push([at, `no segment "${v}" in this environment`]);
    } else if (op.operand === "scalar") {
      if (!["string", "number", "boolean"].includes(typeof v)) out.push([at, `${JSON.stringify(v)} is not a string, a number or a boolean`]);
    } else if (type === "number") {
      if (typeof v !== "number") out.push([at, `${JSON.stringify(v)} is not a number`]);
    } else if (!(type === "instant" && Number.isInteger(v))) {
      const parsed = typeof v === "string" ? parseOperand(type, v) : { error: `${JSON.stringify(v)} is not text` };
      if (parsed.error) out.push([at, parsed.error]);
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// The whole document

export const TYPES = ["boolean", "string", "number", "object"];
const isObject = (v) => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * What the server would refuse in a flag or segment document (`kind`: "flags" or
 * "segments"), found before asking: [[path, message]] with paths as the API reports them.
 */
export function problems(d, kind, segments) {
  const out = [];
  const conds = (list, path) => (Array.isArray(list) ? list : []).forEach((c, j) => checkCondition(c, segments).forEach(([t, m]) => out.push([`${path}[${j}].${t}`, m])));
  if (kind === "segments") {
    (d.rules ?? []).forEach((r, i) => conds(r, `rules[${i}]`));
    return out;
  }
  const names = Object.keys(isObject(d.variants) ? d.variants : {});
  const known = (v, path) => names.includes(v) || out.push([path, `no variant "${v}"`]);
  if (!TYPES.includes(d.type)) out.push(["type", `the type is one of ${TYPES.join(", ")}`]);
  if (!names.length) out.push(["variants", "at least one variant is required"]);
  known(d.offVariant, "offVariant");
  const typed = { boolean: (v) => typeof v === "boolean", number: (v) => typeof v === "number", string: (v) => typeof v === "string", object: isObject }[d.type];
  for (const n of names) if (typed && !typed(d.variants[n])) out.push([`variants${step(n)}`, `${d.type === "object" ? "an" : "a"} ${d.type} flag's values are ${d.type === "object" ? "JSON objects" : `${d.type}s`}`]);
  const seen = new Set();
  (d.targets ?? []).forEach((t, i) => {
    known(t.variant, `targets[${i}].variant`);
    if (!t.values?.length) out.push([`targets[${i}].values`, "at least one key"]);
    for (const k of t.values ?? []) seen.has(k) ? out.push([`targets[${i}].values`, `"${k}" is targeted twice`]) : seen.add(k);
  });
  const serve = (s, path) => {
    if (!s) return;
    if ("variant" in s) return known(s.variant, `${path}.variant`);
    if (s.rollout) {
      const sum = (s.rollout.weights ?? []).reduce((a, w) => a + w.weight, 0);
      if (sum !== TOTAL) out.push([`${path}.rollout.weights`, `the weights sum to ${sum / 1000}%, not 100%`]);
      return (s.rollout.weights ?? []).forEach((w, k) => known(w.variant, `${path}.rollout.weights[${k}].variant`));
    }
    const sc = s.schedule ?? {};
    known(sc.variant, `${path}.schedule.variant`);
    known(sc.otherwise, `${path}.schedule.otherwise`);
    for (const k of ["start", "end"]) if (!isInstant(sc[k] ?? "")) out.push([`${path}.schedule.${k}`, "an RFC 3339 instant, e.g. 2026-12-01T00:00:00Z"]);
    if (isInstant(sc.start ?? "") && isInstant(sc.end ?? "") && !(Date.parse(sc.end) > Date.parse(sc.start))) out.push([`${path}.schedule.end`, "the end must be after the start"]);
  };
  const ids = new Set();
  (d.rules ?? []).forEach((r, i) => {
    if (!r.id) out.push([`rules[${i}].id`, "an id is required"]);
    else if (ids.has(r.id)) out.push([`rules[${i}].id`, "another rule has this id"]);
    ids.add(r.id);
    conds(r.conditions, `rules[${i}].conditions`);
    serve(r.serve, `rules[${i}].serve`);
  });
  serve(d.defaultServe, "defaultServe");
  (d.prerequisites ?? []).forEach((p, i) => {
    if (!p.flag) out.push([`prerequisites[${i}].flag`, "choose a flag"]);
    if (!p.variants?.length) out.push([`prerequisites[${i}].variants`, "choose at least one variant"]);
  });
  if (d.metadata?.expiresAt && !isDateOrInstant(d.metadata.expiresAt)) out.push(["metadata.expiresAt", "a date (2027-01-31) or an RFC 3339 instant"]);
  return out;
}

/** A key as the core renders it in a path: `.plain` or `["quoted"]`. */
export const step = (k) => (/^[A-Za-z0-9_:/@$-]+$/.test(k) ? `.${k}` : `["${k.replace(/["\\]/g, "\\$&")}"]`);

/** Changes a flag's type, converting its variants' values. */
export function convert(d, type) {
  const to = {
    boolean: (v) => v === true || v === "true",
    string: (v) => (typeof v === "string" ? v : JSON.stringify(v)),
    number: (v) => (typeof v !== "object" && Number.isFinite(Number(v)) ? Number(v) : 0),
    object: (v) => (isObject(v) ? v : {}),
  }[type];
  d.type = type;
  if (to && isObject(d.variants)) for (const k of Object.keys(d.variants)) d.variants[k] = to(d.variants[k]);
}

/** Renames variant `from` to `to` wherever the flag names it (not in `variants` itself). */
export function renameRefs(d, from, to) {
  if (d.offVariant === from) d.offVariant = to;
  for (const t of d.targets ?? []) if (t.variant === from) t.variant = to;
  for (const s of [...(d.rules ?? []).map((r) => r.serve), d.defaultServe]) {
    if (!s) continue;
    if (s.variant === from) s.variant = to;
    for (const w of s.rollout?.weights ?? []) if (w.variant === from) w.variant = to;
    if (s.schedule?.variant === from) s.schedule.variant = to;
    if (s.schedule?.otherwise === from) s.schedule.otherwise = to;
  }
}
