// The OpenFeature Remote Evaluation Protocol's core endpoints (OFREP 0.3.0):
//   POST /ofrep/v1/evaluate/flags/{key}   one flag
//   POST /ofrep/v1/evaluate/flags         every flag, with an ETag and 304
// Responses follow tests/specs/ofrep/openapi.yaml (OFREP 0.3.0); the core's evaluation details are only
// renamed into its shapes here (reasons and error codes outside the spec's enums are mapped,
// see README.md).

import { CORS, digest, etagMatches, json, methodNotAllowed, preflight, readText } from "./http.js";
import { applyOverrides, overridden } from "./overrides.js";

const PREFIX = "/ofrep/v1/evaluate/flags";
const MAX_BODY_BYTES = 256 * 1024;
/**
 * OFREP's success reasons; the core's PREREQUISITE_FAILED serves the off variant: DISABLED.
 * OFREP has no OVERRIDE: an overridden value is STATIC, with variant "override".
 */
const REASONS = {
  STATIC: "STATIC",
  OVERRIDE: "STATIC",
  TARGETING_MATCH: "TARGETING_MATCH",
  SPLIT: "SPLIT",
  DISABLED: "DISABLED",
  PREREQUISITE_FAILED: "DISABLED",
};
/** OFREP's per-flag failure codes; anything else is reported as GENERAL. */
const FAILURE_CODES = new Set(["PARSE_ERROR", "TARGETING_KEY_MISSING", "INVALID_CONTEXT", "GENERAL"]);
const FAILURE_STATUS = { FLAG_NOT_FOUND: 404, PARSE_ERROR: 400, TARGETING_KEY_MISSING: 400, INVALID_CONTEXT: 400 };

/** Whether a path belongs to OFREP. */
export function isOfrep(pathname) {
  return pathname === PREFIX || pathname.startsWith(`${PREFIX}/`);
}

/**
 * Answers an OFREP request. `flags()` resolves `{ store }` (ready, maybe without a snapshot)
 * or `{ error }` (a configuration problem).
 */
export async function handleOfrep(request, url, flags, overrides) {
  if (request.method === "OPTIONS") return preflight("POST");
  if (request.method !== "POST") return methodNotAllowed("POST");
  const bulk = url.pathname === PREFIX;
  let key = "";
  if (!bulk) {
    try {
      key = decodeURIComponent(url.pathname.slice(PREFIX.length + 1));
    } catch {
      return failure(key, 400, "PARSE_ERROR", "the flag key in the path is not valid percent-encoding", bulk);
    }
  }

  const text = await readText(request, MAX_BODY_BYTES);
  if (text === undefined) return failure(key, 400, "PARSE_ERROR", `request body larger than ${MAX_BODY_BYTES} bytes`, bulk);
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return failure(key, 400, "PARSE_ERROR", 'request body is not JSON; expected {"context": {...}}', bulk);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return failure(key, 400, "PARSE_ERROR", 'request body must be an object: {"context": {...}}', bulk);
  }
  // A missing context is an empty one: flags without targeting still evaluate.
  const attributes = body.context === undefined ? {} : body.context;
  if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) {
    return failure(key, 400, "INVALID_CONTEXT", "context must be an object of attributes", bulk);
  }

  const { store, error } = await flags();
  if (error) return failure(key, 500, "GENERAL", `edgeflag worker misconfigured (see /edgeflag/health): ${error}`, bulk);
  if (!store.current) {
    const why = store.lastError ? `: ${store.lastError.code}` : "";
    return failure(key, 500, "PROVIDER_NOT_READY", `no verified flag snapshot yet${why}`, bulk);
  }
  const ev = store.evaluator;
  const context = ev.context(attributes);
  try {
    const invalid = context.invalidReason;
    if (invalid !== undefined) return failure(key, 400, "INVALID_CONTEXT", invalid, bulk);
    return bulk ? await evaluateAll(request, store, context, overrides) : evaluateOne(key, ev, context, overrides);
  } finally {
    context.free();
  }
}

function evaluateOne(key, ev, context, overrides) {
  let d = ev.details(key, context, null);
  const entry = overrides?.get(key);
  if (entry) d = overridden(key, entry, d.errorCode === "FLAG_NOT_FOUND" ? undefined : d);
  if (!d.errorCode) return json(success(key, d), 200, CORS);
  const status = FAILURE_STATUS[d.errorCode] ?? 500;
  return failure(key, status, status === 500 ? "GENERAL" : d.errorCode, d.errorMessage ?? d.errorCode, false);
}

async function evaluateAll(request, store, context, overrides) {
  // One synchronous block: the evaluation and the version come from the same snapshot.
  const all = applyOverrides(store.evaluator.all(context), overrides);
  const version = store.current.version;
  const flags = Object.entries(all).map(([key, d]) =>
    d.errorCode
      ? { key, errorCode: FAILURE_CODES.has(d.errorCode) ? d.errorCode : "GENERAL", errorDetails: d.errorMessage ?? d.errorCode }
      : success(key, d),
  );
  const text = JSON.stringify({ flags, metadata: { version } });
  // The tag covers the version and what this context evaluated to, so it also changes when
  // a scheduled ramp moves on within one version.
  const etag = `"${version}-${await digest(text)}"`;
  const headers = { ...CORS, etag, "cache-control": "private, no-cache" };
  if (etagMatches(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
  return new Response(text, { headers: { "content-type": "application/json", ...headers } });
}

function success(key, d) {
  return { key, value: d.value, reason: REASONS[d.reason] ?? "UNKNOWN", variant: d.variant, metadata: d.flagMetadata ?? {} };
}

/** An OFREP error: `{ key, errorCode, errorDetails }` for one flag, without `key` in bulk. */
function failure(key, status, errorCode, errorDetails, bulk) {
  return json(bulk ? { errorCode, errorDetails } : { key, errorCode, errorDetails }, status, CORS);
}
