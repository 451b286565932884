// Local overrides at the edge, for development and QA only: with ALLOW_OVERRIDES set, a
// request's `edgeflag-overrides` cookie (what edgeflag/devtools writes) and its `?edgeflag=`
// parameter (which wins) override flags in what this worker evaluates: the flags header, the
// bootstrap's values and OFREP (not canary routing, which follows the evaluated variant). The
// format is the npm package's (edgeflag/overrides); without ALLOW_OVERRIDES neither is read.

import { cookieValue, OVERRIDES_COOKIE, OVERRIDES_NAME, overrideAs, parseOverrides, urlOverrides } from "edgeflag/overrides";

/**
 * The overrides a request asks for (`Map(key -> entry)`), or `undefined` when overrides are
 * not allowed or it asks for none. Malformed parts are logged once per request, by name.
 */
export function requestOverrides(request, url, cfg) {
  if (!cfg.allowOverrides) return undefined;
  const out = new Map();
  const sources = [
    [`cookie ${OVERRIDES_COOKIE}`, decoded(cookieValue(request.headers.get("cookie"), OVERRIDES_COOKIE))],
    [`?${OVERRIDES_NAME}=`, urlOverrides(url.href)],
  ];
  for (const [where, text] of sources) {
    if (text === undefined) continue;
    const { values, malformed } = parseOverrides(text);
    if (malformed.length) {
      console.warn(`edgeflag: ignored malformed override ${malformed.map((p) => JSON.stringify(p)).join(", ")} in ${where} (expected key:value, comma-separated)`);
    }
    for (const [k, v] of values) out.set(k, v);
  }
  return out.size ? out : undefined;
}

/**
 * `all` (evaluation details by key) with `overrides` applied: each overridden flag is served
 * as its override, typed like the flag's evaluated value (reason OVERRIDE, variant
 * "override"), or a TYPE_MISMATCH when it cannot be one.
 */
export function applyOverrides(all, overrides) {
  if (!overrides) return all;
  for (const [key, entry] of overrides) all[key] = overridden(key, entry, all[key]);
  return all;
}

/** One flag's result under override `entry`, given what it evaluated to (`d`, maybe none). */
export function overridden(key, entry, d) {
  const want = d?.value === null || d?.value === undefined ? undefined : typeof d.value;
  const value = overrideAs(entry, want);
  if (value === undefined) {
    return { value: null, reason: "ERROR", errorCode: "TYPE_MISMATCH", errorMessage: `the override of "${key}" is not a ${want}`, flagMetadata: {} };
  }
  return { value, reason: "OVERRIDE", variant: "override", inExperiment: false, flagMetadata: d?.flagMetadata ?? {} };
}

// The cookie holds the format percent-encoded once more (cookie values cannot hold `,`).
function decoded(text) {
  if (text === undefined) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
