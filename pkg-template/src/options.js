// The options of createClient: checked once, with messages that name the option, so that a
// client that cannot work fails at construction and nothing fails later.

import { EdgeflagError } from "./error.js";

/** Marks a client made by `edgeflag/testing`. */
export const TESTING = Symbol("edgeflag.testing");

/** Checks and normalises createClient's options (the core checks keys and the rest). */
export function checkOptions(options) {
  const bad = (message) => new EdgeflagError("INVALID_ARGUMENT", `createClient: ${message}`);
  if (typeof options !== "object" || options === null) {
    throw bad('options must be an object: { url, publicKeys: ["ed25519:..."], environment }');
  }
  const o = { ...options, testing: options[TESTING] === true };
  if (o.url !== undefined && (o.url = href(o.url)) === undefined) throw bad("options.url must be a string or a URL");
  if (o.stream === true) o.stream = o.url;
  else if (o.stream === false || o.stream === undefined) o.stream = undefined;
  else if ((o.stream = href(o.stream)) === undefined) throw bad("options.stream must be a boolean or a URL");
  if (o.stream === undefined && options.stream === true) throw bad("options.stream: true needs options.url");
  const ints = (obj, prefix, names) => {
    for (const name of names) {
      const v = obj[name];
      if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw bad(`options.${prefix}${name} must be a positive integer`);
    }
  };
  ints(o, "", ["pollIntervalMs", "timeoutMs", "minBackoffMs", "maxBackoffMs", "staleAfterMs", "maxBytes"]);
  o.maxBytes ??= 4 * 1024 * 1024;
  for (const name of ["onExposure", "fetch"]) {
    if (o[name] !== undefined && typeof o[name] !== "function") throw bad(`options.${name} must be a function`);
  }
  o.events = checkEvents(o, bad, ints);
  if (o.url || o.stream || o.events) {
    const f = o.fetch ?? globalThis.fetch;
    if (typeof f !== "function") throw bad("no fetch() in this runtime: pass options.fetch");
    o.fetch = o.fetch ?? ((...args) => globalThis.fetch(...args));
  }
  if (o.storage === undefined) o.storage = defaultStorage();
  const s = o.storage;
  if (s !== null && ["getItem", "setItem", "removeItem"].some((m) => typeof s?.[m] !== "function")) {
    throw bad("options.storage must have getItem, setItem and removeItem (or be null)");
  }
  o.overrides = checkOverrides(o.overrides ?? {}, bad);
  if (o.storageKey !== undefined && typeof o.storageKey !== "string") throw bad("options.storageKey must be a string");
  o.storageKey ??= `edgeflag:${o.owner ?? ""}:${o.environment}`;
  if (o.bootstrap !== undefined) unwrapBootstrap(o, bad);
  return o;
}

// A bootstrap is an envelope (text, bytes, object) or, as the edge worker and edgeflag/react
// write it, `{ envelope, values, status?, context? }`: the envelope (`null`: the server had
// none) plus what the server rendered with (kept unverified in `o.rendered`, for hydrating
// exactly what the HTML shows).
function unwrapBootstrap(o, bad) {
  let b = o.bootstrap;
  const wrapper = (v) => typeof v === "object" && v !== null && "envelope" in v && !("payload" in v);
  if (typeof b === "string" && b.includes('"envelope"')) {
    try {
      const parsed = JSON.parse(b);
      if (wrapper(parsed)) b = parsed;
    } catch {
      // Not JSON: the core names what is wrong when it reads the text.
    }
  }
  if (!(b instanceof Uint8Array) && wrapper(b)) {
    const { values, status, context } = b;
    if (typeof values === "object" && values !== null) o.rendered = { values, status, context };
    b = b.envelope;
  }
  if (b === null || b === undefined) o.bootstrap = undefined;
  else if (typeof b === "string" || b instanceof Uint8Array) o.bootstrap = b;
  else if (typeof b === "object" && b !== null) o.bootstrap = JSON.stringify(b);
  else throw bad("options.bootstrap must be an envelope, or { envelope, values }");
}

// Analytics events (exposures, track()): `true`, `false`, or `{ url, flushIntervalMs, maxBatch,
// maxQueue, beacon }` with defaults. The endpoint defaults to the edge worker's `/edgeflag/events`
// on the origin of the snapshot URL (resolved against the page); without a page there is no
// default, so events are off unless a URL is given. Left unset, events are on only where that
// endpoint surely exists: a page whose snapshot comes from the worker's `/edgeflag/snapshot`
// (a client of the backend itself would only collect 404s).
function checkEvents(o, bad, ints) {
  if (o.events === undefined && !fromWorker(o.url)) return undefined;
  const v = o.events === true || o.events === undefined ? {} : o.events;
  if (v === false) return undefined;
  if (typeof v !== "object" || v === null) throw bad("options.events must be false or an object");
  ints(v, "events.", ["flushIntervalMs", "maxBatch", "maxQueue"]);
  if (v.maxBatch > 500) throw bad("options.events.maxBatch must be at most 500");
  if (v.beacon !== undefined && typeof v.beacon !== "boolean") throw bad("options.events.beacon must be a boolean");
  const url = v.url === undefined ? "/edgeflag/events" : href(v.url);
  if (url === undefined) throw bad("options.events.url must be a string or a URL");
  const page = browser(() => globalThis.location.href);
  if (v.url === undefined && !page) return undefined;
  let base = page;
  try {
    base = new URL(o.url ?? page, page).href;
  } catch {
    // no page, and no absolute snapshot URL: only an absolute events URL works
  }
  try {
    return {
      url: new URL(url, base).href,
      flushIntervalMs: v.flushIntervalMs ?? 5000,
      maxBatch: v.maxBatch ?? 100,
      maxQueue: v.maxQueue ?? 1000,
      beacon: v.beacon ?? true,
    };
  } catch {
    throw bad("options.events.url must be absolute outside a page");
  }
}

/** Whether the snapshot URL is the edge worker's route (resolved against the page, if any). */
function fromWorker(url) {
  try {
    const page = browser(() => globalThis.location.href);
    return url !== undefined && new URL(url, page).pathname.endsWith("/edgeflag/snapshot");
  } catch {
    return false;
  }
}

const OVERRIDE_OPTIONS = ["allow", "values", "url", "storage"];

// `{ allow, values, url, storage }`, where the page's sources default to the browser's.
function checkOverrides(v, bad) {
  if (typeof v !== "object" || v === null) throw bad("options.overrides must be an object: { allow, values }");
  const unknown = Object.keys(v).find((k) => !OVERRIDE_OPTIONS.includes(k));
  if (unknown !== undefined) {
    throw bad(`options.overrides.${unknown} is not an option (${OVERRIDE_OPTIONS.join(", ")}); forced values go in options.overrides.values`);
  }
  if (v.allow !== undefined && typeof v.allow !== "boolean") throw bad("options.overrides.allow must be a boolean");
  if (v.values !== undefined && (typeof v.values !== "object" || v.values === null)) {
    throw bad("options.overrides.values must be an object of flag values");
  }
  const o = { ...v };
  if (o.allow) {
    if (o.url !== undefined && (o.url = href(o.url)) === undefined) throw bad("options.overrides.url must be a string or a URL");
    o.url ??= browser(() => globalThis.location.href);
    o.storage ??= browser(() => globalThis.localStorage);
  }
  return o;
}

function href(url) {
  if (typeof url === "string") return url;
  return typeof url?.href === "string" ? url.href : undefined;
}

/** The options the wasm Evaluator takes. */
export function evaluatorOptions(o) {
  const out = { publicKeys: o.publicKeys, environment: o.environment, maxBytes: o.maxBytes };
  for (const k of ["owner", "anyOwner", "minVersion", "maxAge", "maxValidityMs", "threshold", "clockSkewMs", "pollIntervalMs", "timeoutMs", "staleAfterMs", "minBackoffMs", "maxBackoffMs"]) {
    if (o[k] !== undefined) out[k] = o[k];
  }
  return out;
}

// localStorage in browsers only: Node.js 22+ has one too, but it is shared by every program
// run from the same file and warns when unconfigured. Reading it can throw (sandboxed frames).
function defaultStorage() {
  return browser(() => globalThis.localStorage) ?? null;
}

// `read()` in a browser (window and document exist), else undefined; undefined if it throws.
function browser(read) {
  try {
    return typeof window === "object" && typeof document === "object" ? (read() ?? undefined) : undefined;
  } catch {
    return undefined;
  }
}
