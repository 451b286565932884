// The worker's configuration, read from its vars and secrets. Every problem is collected
// with a message naming the variable (never its value: URLs may carry tokens), so a
// misconfigured deployment explains itself on /edgeflag/health instead of crashing.

/** Refresh interval when `REFRESH_SECONDS` is unset. */
export const DEFAULT_REFRESH_SECONDS = 30;
/** How often events are forwarded when `EVENTS_FLUSH_SECONDS` is unset. */
export const DEFAULT_EVENTS_FLUSH_SECONDS = 10;

let memo = { env: undefined, config: undefined };

/**
 * The configuration for `env`, computed once per isolate (Workers hand every request the
 * same `env` object; a different one, e.g. in tests, is simply read again).
 * @returns {{ snapshotUrl?: string, publicKeys: string[], owner?: string, environment?: string,
 *   refreshSeconds: number, minVersion?: number, maxAgeSeconds?: number, maxValiditySeconds?: number,
 *   originUrl?: URL, canary?: { flag: string, originUrl: URL }, allowOverrides: boolean,
 *   events?: { url: string, key: string, flushMs: number, id: string }, eventsProblem?: string,
 *   originConfigured: boolean, hasAssets: boolean, errors: string[], flagErrors: string[], key: string }}
 */
export function readConfig(env) {
  if (memo.env !== env) memo = { env, config: parse(env ?? {}) };
  return memo.config;
}

function parse(env) {
  // Errors that stop flags (snapshot settings) and errors that stop routing are kept apart:
  // with a working ORIGIN_URL, bad flag settings must not take the site down.
  const flagErrors = [];
  const errors = [];
  const text = (name) => {
    const v = env[name];
    if (v === undefined || v === null) return undefined;
    const s = String(v).trim();
    return s === "" ? undefined : s;
  };

  const snapshotUrl = httpUrl(text("SNAPSHOT_URL"), "SNAPSHOT_URL", flagErrors, true);
  const keysText = text("PUBLIC_KEYS");
  const publicKeys = (keysText ?? "").split(",").map((k) => k.trim()).filter(Boolean);
  if (publicKeys.length === 0) {
    flagErrors.push('PUBLIC_KEYS is required: comma-separated "ed25519:<base64 of 32 bytes>" keys');
  }
  publicKeys.forEach((k, i) => {
    if (!k.startsWith("ed25519:")) flagErrors.push(`PUBLIC_KEYS entry ${i + 1} must look like "ed25519:<base64>"`);
  });
  const owner = text("OWNER");
  if (!owner) flagErrors.push("OWNER is required: the owning backend that signs the snapshots");
  const environment = text("ENVIRONMENT");
  if (!environment) flagErrors.push('ENVIRONMENT is required, e.g. "production"');

  let refreshSeconds = DEFAULT_REFRESH_SECONDS;
  const refresh = text("REFRESH_SECONDS");
  if (refresh !== undefined) {
    const n = Number(refresh);
    if (Number.isFinite(n) && n >= 0.05 && n <= 86_400) refreshSeconds = n;
    else flagErrors.push(`REFRESH_SECONDS must be a number of seconds between 0.05 and 86400 (default ${DEFAULT_REFRESH_SECONDS})`);
  }

  // Freshness floors for a cold isolate, which has no high-water mark of its own.
  const minVersion = whole(text("MIN_VERSION"), "MIN_VERSION", 0, Number.MAX_SAFE_INTEGER, flagErrors);
  const maxAgeSeconds = whole(text("MAX_AGE_SECONDS"), "MAX_AGE_SECONDS", 1, 366 * 86_400, flagErrors);
  const maxValiditySeconds = whole(text("MAX_VALIDITY_SECONDS"), "MAX_VALIDITY_SECONDS", 1, 3660 * 86_400, flagErrors);

  const origin = httpUrl(text("ORIGIN_URL"), "ORIGIN_URL", errors, false);
  const originUrl = origin && new URL(origin);
  const canaryFlag = text("CANARY_FLAG");
  const canaryText = text("CANARY_ORIGIN_URL");
  const canaryOrigin = httpUrl(canaryText, "CANARY_ORIGIN_URL", errors, false);
  if (canaryFlag && !canaryText) errors.push("CANARY_FLAG is set but CANARY_ORIGIN_URL is not: set both for canary routing");
  if (canaryText && !canaryFlag) errors.push("CANARY_ORIGIN_URL is set but CANARY_FLAG is not: set both for canary routing");
  if ((canaryFlag || canaryText) && !text("ORIGIN_URL")) errors.push("canary routing needs ORIGIN_URL, the stable origin");
  const canary = canaryFlag && canaryOrigin && originUrl ? { flag: canaryFlag, originUrl: new URL(canaryOrigin) } : undefined;

  // Events (POST /edgeflag/events and middleware metrics), forwarded to the owning backend.
  // Without INGEST_KEY they are off; the backend's ingest URL defaults to SNAPSHOT_URL's origin.
  const ingestKey = text("INGEST_KEY");
  if (ingestKey !== undefined && !/^[\x21-\x7e]+$/.test(ingestKey)) errors.push("INGEST_KEY must be printable ASCII without spaces");
  const ingestText = text("INGEST_URL");
  let ingestUrl = httpUrl(ingestText, "INGEST_URL", errors, false);
  if (ingestText === undefined && snapshotUrl && environment) {
    ingestUrl = `${new URL(snapshotUrl).origin}/ingest/${encodeURIComponent(environment)}/events`;
  }
  let flushSeconds = DEFAULT_EVENTS_FLUSH_SECONDS;
  const flushText = text("EVENTS_FLUSH_SECONDS");
  if (flushText !== undefined) {
    const n = Number(flushText);
    if (Number.isFinite(n) && n >= 0.05 && n <= 3600) flushSeconds = n;
    else errors.push(`EVENTS_FLUSH_SECONDS must be a number of seconds between 0.05 and 3600 (default ${DEFAULT_EVENTS_FLUSH_SECONDS})`);
  }
  const eventsReady = ingestKey !== undefined && ingestUrl !== undefined && !errors.some((e) => /^INGEST_KEY /.test(e));
  const events = eventsReady
    ? { url: ingestUrl, key: ingestKey, flushMs: Math.round(flushSeconds * 1000), id: JSON.stringify([ingestUrl, ingestKey, flushSeconds]) }
    : undefined;
  let eventsProblem;
  if (ingestKey === undefined) eventsProblem = "events are not configured: set the INGEST_KEY secret";
  else if (!events && ingestUrl === undefined && ingestText === undefined) {
    eventsProblem = "events are not configured: no ingest URL (set INGEST_URL, or a usable SNAPSHOT_URL and ENVIRONMENT)";
  } else if (!events) eventsProblem = "events are not configured: INGEST_KEY or INGEST_URL is unusable (see errors)";

  const allowText = text("ALLOW_OVERRIDES");
  const allowOverrides = allowText === undefined ? false : BOOLEANS[allowText.toLowerCase()];
  if (allowOverrides === undefined) errors.push('ALLOW_OVERRIDES must be "true" or "false" (or 1/0, yes/no)');

  return {
    snapshotUrl,
    publicKeys,
    owner,
    environment,
    refreshSeconds,
    minVersion,
    maxAgeSeconds,
    maxValiditySeconds,
    originUrl,
    /** ORIGIN_URL is set (possibly to something unusable, then `errors` says so). */
    originConfigured: text("ORIGIN_URL") !== undefined,
    canary,
    hasAssets: typeof env.ASSETS?.fetch === "function",
    /** Honour the `edgeflag-overrides` cookie and `?edgeflag=` (development and QA only). */
    allowOverrides: allowOverrides === true,
    /** `{ url, key, flushMs, id }` when events are collected and forwarded, else undefined. */
    events,
    /** Why events are off (health and the events route say it). */
    eventsProblem,
    errors: [...flagErrors, ...errors],
    flagErrors,
    // Identifies the snapshot settings: a change (only possible in tests) builds a new store.
    key: JSON.stringify([snapshotUrl, publicKeys, owner, environment, refreshSeconds, minVersion, maxAgeSeconds,
      maxValiditySeconds]),
  };
}

const BOOLEANS = { true: true, 1: true, yes: true, false: false, 0: false, no: false };

function httpUrl(value, name, errors, required) {
  if (value === undefined) {
    if (required) errors.push(`${name} is required: the owning backend's snapshot endpoint (https://...)`);
    return undefined;
  }
  try {
    const url = new URL(value);
    if (url.protocol === "https:" || url.protocol === "http:") return url.href;
  } catch {
    // reported below
  }
  errors.push(`${name} must be an absolute http(s) URL`);
  return undefined;
}

/** An optional whole number from `min` to `max`; anything else is an error naming `name`. */
function whole(text, name, min, max, errors) {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  errors.push(`${name} must be a whole number from ${min} to ${max}`);
  return undefined;
}
