// Reading edgeflag's evaluation details the way the vendors' SDKs answer, for the translated
// conformance suites (tests/conformance/translated/*.json). These are ports of the readings in
// tests/conformance_unleash.rs (`variant`) and tests/conformance_growthbook.rs (`reading`,
// `truthy`, `same`, the `feature` comparison): keep the two in step.
import { isDeepStrictEqual } from "node:util";

/** Equality as natively: numbers by value (so 0 equals -0), the rest structurally. */
const same = (a, b) => (typeof a === "number" && typeof b === "number" ? a === b : isDeepStrictEqual(a, b));

/** A string member of the flag's metadata (other types read as absent, as natively). */
const meta = (d, key) => (typeof d.flagMetadata?.[key] === "string" ? d.flagMetadata[key] : undefined);

/** Unleash `isEnabled`: the boolean flag's value (default false). */
export function unleashIsEnabled(d) {
  return d.value;
}

/** Unleash `getVariant`, per the doc comment of tests/conformance_unleash.rs. */
export function unleashGetVariant(d) {
  if (!d.value) return { name: "disabled", enabled: false, feature_enabled: false };
  const name = d.variant ?? "";
  if (name === (meta(d, "unleash.enabledVariant") ?? "enabled")) {
    return { name: "disabled", enabled: false, feature_enabled: true };
  }
  const v = { name, enabled: true, feature_enabled: true };
  const type = meta(d, `payloadType.${name}`);
  const value = meta(d, `payload.${name}`);
  if (type !== undefined && value !== undefined) v.payload = { type, value };
  return v;
}

/** GrowthBook's truthiness of a feature value (`on`). */
function truthy(v) {
  if (v === null || v === undefined) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v !== "";
  return true;
}

/** GrowthBook's `evalFeature` result `{value, on, off, source, ruleId}` from untyped details. */
export function growthbookResult(d) {
  if (d.errorCode === "FLAG_NOT_FOUND") {
    return { value: null, on: false, off: true, source: "unknownFeature", ruleId: "" };
  }
  const nullVariant = meta(d, "growthbook.nullVariant");
  const value = d.variant !== undefined && d.variant === nullVariant ? null : (d.value ?? null);
  let source;
  if (d.reason === "DISABLED") source = meta(d, "growthbook.disabledSource") ?? "prerequisite";
  else if (d.reason === "PREREQUISITE_FAILED") source = "prerequisite";
  else if (d.reason === "ERROR") source = `error ${d.errorCode}: ${d.errorMessage}`;
  else if (d.ruleId !== undefined) source = meta(d, `growthbook.experiment.${d.ruleId}`) !== undefined ? "experiment" : "force";
  else source = "defaultValue";
  const ruleId = (d.ruleId !== undefined && meta(d, `growthbook.rule.${d.ruleId}`)) || "";
  const on = truthy(value);
  return { value, on, off: !on, source, ruleId };
}

/**
 * What a case of a translated suite reads from the details, and whether that is the vendor's
 * expected answer: `{ got, pass }`.
 */
export function judge(c, d) {
  switch (c.read) {
    case "isEnabled": {
      const got = unleashIsEnabled(d);
      return { got, pass: isDeepStrictEqual(got, c.expected) };
    }
    case "getVariant": {
      const got = unleashGetVariant(d);
      return { got, pass: isDeepStrictEqual(got, c.expected) };
    }
    case "evalCondition": {
      const got = growthbookResult(d);
      return { got, pass: same(got.value, c.expected) };
    }
    case "feature": {
      const got = growthbookResult(d);
      const keys = ["value", "on", "off", "source"].concat("ruleId" in c.expected ? ["ruleId"] : []);
      return { got, pass: keys.every((k) => same(got[k], c.expected[k] ?? null)) };
    }
    default:
      throw new Error(`${c.id}: unknown reading ${c.read}`);
  }
}

/** The default value each reading evaluates with: Unleash's flags are boolean; GrowthBook's are untyped. */
export function defaultFor(c) {
  return c.read === "isEnabled" || c.read === "getVariant" ? false : null;
}
