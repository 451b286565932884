// The synthetic workload in edgeflag's own format (FORMAT.md §2): flags that look like a real
// product's (boolean and 3-way multivariate, 1 to 5 rules on string, numeric and list
// attributes, percentage rollouts) and contexts with 6 attributes that match some rules and
// miss others. The peers' definitions are translated from these (growthbook.mjs, flagd.mjs),
// so every engine evaluates the same flags.
import { random } from "./random.mjs";

export const SEED = 0xed6ef1a6;
export const COUNTRIES = ["US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "SE", "JP", "BR", "IN"];
export const PLANS = ["free", "starter", "pro", "enterprise"];
export const DOMAINS = ["gmail.com", "example.com", "corp.example.org", "yahoo.com", "customer.net"];
export const TAGS = ["beta", "internal", "mobile", "desktop", "eu", "us", "vip", "dogfood"];
/** Attributes whose values are lists (a condition holds when any element does). */
export const LIST_ATTRIBUTES = ["tags"];
const MULTI = { a: "control", b: "treatment-a", c: "treatment-b" };

/**
 * The context of the single-flag benchmark: it fails all five rules of the benchmark flag
 * (flag 0), so evaluation tries every rule and then buckets the unit, the slow path.
 */
export const FIXED_CONTEXT = {
  targetingKey: "user-bench",
  country: "JP",
  plan: "free",
  email: "someone@customer.net",
  age: 42,
  tags: ["mobile", "eu"],
};

/** A flag key: `flag-0042`. */
export const flagKey = (i) => `flag-${String(i).padStart(4, "0")}`;

// One condition on an attribute the rule does not test yet.
const CONDITIONS = {
  country: (r) => ({ attribute: "country", op: "in", values: r.sample(COUNTRIES, r.int(1, 4)) }),
  plan: (r) => ({ attribute: "plan", op: "in", values: r.sample(PLANS, r.int(1, 2)) }),
  email: (r) => ({ attribute: "email", op: "endsWith", values: [`@${r.pick(DOMAINS)}`] }),
  age: (r) => ({ attribute: "age", op: r.pick(["gt", "gte", "lt", "lte"]), values: [r.int(18, 70)] }),
  tags: (r) => ({ attribute: "tags", op: "in", values: r.sample(TAGS, r.int(1, 3)) }),
};

function conditions(r) {
  const attributes = r.sample(Object.keys(CONDITIONS), r.chance(0.7) ? 1 : 2);
  return attributes.map((a) => CONDITIONS[a](r));
}

function rollout(r, names, salt) {
  let weights;
  if (names.length === 2) {
    const on = r.int(1, 99) * 1000;
    weights = [on, 100_000 - on];
  } else {
    const w1 = r.int(5, 90) * 1000;
    const w2 = r.int(5, 95 - w1 / 1000) * 1000;
    weights = [w1, w2, 100_000 - w1 - w2];
  }
  return { rollout: { salt, weights: names.map((variant, i) => ({ variant, weight: weights[i] })) } };
}

/** Flag `i`: boolean (60 %) or 3-way string, 1 to 5 rules, a rollout in some rules and often as default. */
export function flag(r, i) {
  const boolean = i === 0 || r.chance(0.6);
  const variants = boolean ? { on: true, off: false } : MULTI;
  const names = Object.keys(variants);
  const key = flagKey(i);
  const serve = (salt) => (r.chance(0.3) ? rollout(r, names, salt) : { variant: r.pick(names) });
  const rules =
    i === 0
      ? benchRules()
      : Array.from({ length: r.int(1, 5) }, (_, j) => ({ id: `r${j}`, conditions: conditions(r), serve: serve(`${key}.r${j}`) }));
  const defaultServe = i === 0 || r.chance(0.6) ? rollout(r, names, key) : { variant: r.pick(names) };
  return { type: boolean ? "boolean" : "string", variants, offVariant: names[names.length - 1], rules, defaultServe };
}

/** Five single-condition rules (string, string suffix, numeric, list, string) FIXED_CONTEXT fails. */
function benchRules() {
  const rule = (id, attribute, op, values) => ({ id, conditions: [{ attribute, op, values }], serve: { variant: "on" } });
  return [
    rule("countries", "country", "in", ["US", "DE", "FR", "IT", "ES"]),
    rule("staff", "email", "endsWith", ["@example.com"]),
    rule("seniors", "age", "gte", [65]),
    rule("beta-tags", "tags", "in", ["beta", "internal", "dogfood"]),
    rule("paid", "plan", "in", ["pro", "enterprise"]),
  ];
}

/** A signed-snapshot payload with `n` flags, deterministic in `n` (and the seed). */
export function payload(n) {
  const r = random(SEED);
  const flags = {};
  for (let i = 0; i < n; i++) flags[flagKey(i)] = flag(r, i);
  return {
    schema: "edgeflag/v1",
    owner: "bench",
    environment: "production",
    version: 1,
    issuedAt: "2025-01-01T00:00:00Z",
    expiresAt: "2099-01-01T00:00:00Z",
    flags,
  };
}

/** `n` contexts with 6 attributes each: a unique targeting key, country, plan, email, age, tags. */
export function contexts(n) {
  const r = random(SEED ^ 0x5eed);
  return Array.from({ length: n }, (_, i) => ({
    targetingKey: `user-${String(i).padStart(6, "0")}`,
    country: r.pick(COUNTRIES),
    plan: r.pick(PLANS),
    email: `user${i}@${r.pick(DOMAINS)}`,
    age: r.int(13, 90),
    tags: r.sample(TAGS, r.int(0, 4)),
  }));
}
