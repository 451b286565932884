// Translates the workload's edgeflag flags into a flagd flag configuration (what
// @openfeature/flagd-core's `setConfigurations` reads): JSON Logic targeting, `fractional` for
// percentage splits.
//
//   edgeflag                                  flagd
//   rules in order, first match serves        { "if": [cond1, serve1, cond2, serve2, ..., else] }
//   rule serving a variant                    the variant's name
//   rollout (any number of variants)          { "fractional": [{ "cat": [salt, ".", targetingKey] },
//                                             [variant, weight], ...] } (weights in 1/100000)
//   defaultServe variant                      defaultVariant (targeting returns null -> DEFAULT)
//   `in` on a string                          { "in": [{ "var": attr }, values] }
//   `in` on a list attribute (contains any)   { "some": [{ "var": attr }, { "in": [{ "var": "" }, values] }] }
//   `endsWith`                                { "ends_with": [{ "var": attr }, suffix] }
//   `gt` / `gte` / `lt` / `lte`               { ">": [{ "var": attr }, n] } ...
//   conditions of one rule (AND)              { "and": [...] }
//
// Where the semantics differ: flagd buckets with MurmurHash3 (32 bits) of the bucketing string
// where edgeflag uses xxh3 of `salt.value` (100,000 buckets), so only rollout shares are
// comparable. A missing attribute is `null` in JSON Logic (`<` then holds) where edgeflag never
// matches a missing attribute; the workload's contexts always carry all six attributes.

const COMPARE = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

const any = (terms) => (terms.length === 1 ? terms[0] : { or: terms });

/** One edgeflag condition as JSON Logic. */
function logic({ attribute, op, values, negate }, listAttributes) {
  if (negate) throw new Error("negated conditions are not part of the workload");
  const v = { var: attribute };
  switch (op) {
    case "in":
      return listAttributes.has(attribute) ? { some: [v, { in: [{ var: "" }, values] }] } : { in: [v, values] };
    case "endsWith":
      return any(values.map((s) => ({ ends_with: [v, s] })));
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      return any(values.map((n) => ({ [COMPARE[op]]: [v, n] })));
    default:
      throw new Error(`no flagd translation for op ${op}`);
  }
}

/** The AND of a rule's conditions. */
function condition(conditions, listAttributes) {
  const terms = conditions.map((c) => logic(c, listAttributes));
  return terms.length === 1 ? terms[0] : { and: terms };
}

/** A serve as a JSON Logic expression that yields a variant name. */
function serve(s) {
  if (s.variant !== undefined) return s.variant;
  const { by = "targetingKey", salt, weights } = s.rollout;
  return { fractional: [{ cat: [salt, ".", { var: by }] }, ...weights.map((w) => [w.variant, w.weight])] };
}

/** One flagd flag for an edgeflag flag. */
export function flag(f, listAttributes) {
  if (f.enabled === false || f.targets || f.prerequisites || f.defaultServe?.schedule) {
    throw new Error("the workload uses no kill switch, targets, prerequisites or schedules");
  }
  const dflt = f.defaultServe ?? { variant: f.offVariant };
  const out = {
    state: "ENABLED",
    variants: f.variants,
    defaultVariant: dflt.variant ?? f.offVariant,
  };
  const branches = f.rules.flatMap((rule) => [condition(rule.conditions, listAttributes), serve(rule.serve)]);
  if (dflt.rollout) branches.push(serve(dflt));
  if (branches.length === 1) out.targeting = branches[0];
  else if (branches.length > 1) out.targeting = { if: branches };
  return out;
}

/** A flagd flag configuration (as an object; flagd-core reads it as JSON text). */
export function configuration(payload, listAttributes) {
  const lists = new Set(listAttributes);
  return { flags: Object.fromEntries(Object.entries(payload.flags).map(([key, f]) => [key, flag(f, lists)])) };
}
