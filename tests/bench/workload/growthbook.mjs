// Translates the workload's edgeflag flags into GrowthBook feature definitions (the `features`
// of a GrowthBook SDK payload), with the constructs a GrowthBook user would pick:
//
//   edgeflag                                  GrowthBook
//   rule serving a variant                    { condition, force: value }
//   2-way rollout (on/off)                    percentage rollout: { condition, force: first,
//                                             coverage: share, hashAttribute, seed } followed by
//                                             { condition, force: second } for the rest
//   3-way rollout                             experiment rule: { condition, variations, weights,
//                                             coverage: 1, hashAttribute, seed }
//   defaultServe variant                      defaultValue
//   `in` on a string                          { attr: { $in: values } }
//   `in` on a list attribute (contains any)   { attr: { $in: values } } (GrowthBook intersects arrays)
//   `endsWith`                                { attr: { $regex: "(?:suffix)$" } }
//   `gt` / `gte` / `lt` / `lte`               { attr: { $gt: n } } ...
//   conditions of one rule (AND)              one condition object, or $and when an attribute repeats
//
// Where the semantics differ: GrowthBook hashes with FNV-1a (hashVersion 2, 10,000 buckets) where
// edgeflag uses xxh3 (100,000 buckets), so a unit's rollout variant differs between the engines
// and only the shares are comparable. A missing attribute compares as `undefined` in GrowthBook
// (`$lt` fails, `$nin` holds) where edgeflag never matches a missing attribute; the workload's
// contexts always carry all six attributes, so this never decides a result here.

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const OPERATORS = { gt: "$gt", gte: "$gte", lt: "$lt", lte: "$lte" };

/** One edgeflag condition as a GrowthBook (mongo-style) condition on its attribute. */
function operator({ op, values, negate }) {
  if (negate) throw new Error("negated conditions are not part of the workload");
  switch (op) {
    case "in":
      return { $in: values };
    case "endsWith":
      return { $regex: `(?:${values.map(escapeRegex).join("|")})$` };
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      // Any of the values: for one threshold this is the plain comparison.
      return values.length === 1 ? { [OPERATORS[op]]: values[0] } : { $or: values.map((v) => ({ [OPERATORS[op]]: v })) };
    default:
      throw new Error(`no GrowthBook translation for op ${op}`);
  }
}

/** The AND of a rule's conditions. */
export function condition(conditions) {
  const attributes = conditions.map((c) => c.attribute);
  if (new Set(attributes).size === attributes.length) {
    return Object.fromEntries(conditions.map((c) => [c.attribute, operator(c)]));
  }
  return { $and: conditions.map((c) => ({ [c.attribute]: operator(c) })) };
}

/** GrowthBook rules for one edgeflag serve (a variant or a rollout), under an optional condition. */
function serveRules(flag, serve, id, cond) {
  const value = (name) => flag.variants[name];
  const when = cond ? { condition: cond } : {};
  if (serve.variant !== undefined) return [{ id, ...when, force: value(serve.variant) }];
  const { by = "targetingKey", salt, weights } = serve.rollout;
  const common = { hashAttribute: by, seed: salt, hashVersion: 2 };
  if (weights.length === 2) {
    const [first, rest] = weights;
    return [
      { id, ...when, force: value(first.variant), coverage: first.weight / 100_000, ...common },
      { id: `${id}-rest`, ...when, force: value(rest.variant) },
    ];
  }
  return [
    {
      id,
      ...when,
      key: salt,
      variations: weights.map((w) => value(w.variant)),
      weights: weights.map((w) => w.weight / 100_000),
      coverage: 1,
      ...common,
    },
  ];
}

/** One GrowthBook feature definition for an edgeflag flag. */
export function feature(flag) {
  if (flag.enabled === false || flag.targets || flag.prerequisites || flag.defaultServe?.schedule) {
    throw new Error("the workload uses no kill switch, targets, prerequisites or schedules");
  }
  const rules = [];
  flag.rules.forEach((rule, j) => rules.push(...serveRules(flag, rule.serve, rule.id ?? `r${j}`, condition(rule.conditions))));
  const dflt = flag.defaultServe ?? { variant: flag.offVariant };
  let defaultValue;
  if (dflt.variant !== undefined) {
    defaultValue = flag.variants[dflt.variant];
  } else {
    const split = serveRules(flag, dflt, "default", undefined);
    rules.push(split[0]);
    // 2-way: the units outside the coverage fall through to the second variant, the default
    // value. 3-way: the weights cover every bucket, so the default value is never served.
    defaultValue = split.length === 2 ? split[1].force : flag.variants[flag.offVariant];
  }
  return { defaultValue, rules };
}

/** The `features` map of a GrowthBook payload for an edgeflag payload. */
export function features(payload) {
  return Object.fromEntries(Object.entries(payload.flags).map(([key, flag]) => [key, feature(flag)]));
}
