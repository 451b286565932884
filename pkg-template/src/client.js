// The client applications use: evaluation (delegated to the wasm core, contexts compiled once
// per object), forced values, exposures, events and ready(). Keeping the snapshot fresh is
// sync.js's job, queueing analytics events event-queue.js's (sending them is events.js's, a
// module loaded on demand). No flag is evaluated in JavaScript.

import { EdgeflagError } from "./error.js";
import { events, zeroStats } from "./event-queue.js";
import { checkOptions, evaluatorOptions } from "./options.js";
import { overrideAs, readOverrides } from "./overrides.js";
import { report, Sync } from "./sync.js";

const EVENTS = ["ready", "change", "stale", "error", "recovered", "dropped"];
const MAX_EXPOSURES = 50_000;
const NO_CONTEXT = Object.freeze({});
const TYPES = { bool: "boolean", string: "string", number: "number", object: "object" };

// The wasm-bindgen classes of this runtime's build (wasm-pack's `web` build in browsers and
// workerd, its `nodejs` build in Node.js), handed over by the entry module before any client
// exists: so this module imports no glue itself and loads unbundled in every runtime. `regex`
// imports the runtime's companion module (the build with `matches`, see regex.js): a client
// switches to it when a snapshot needs it, so only such snapshots cost its download.
let Evaluator;
let Context;
let regex;
/** Used by the entry modules: the wasm-bindgen classes clients evaluate with. */
export function useWasm(glue) {
  ({ Evaluator, Context, regex } = glue);
}

let wasmFailure;
/** Used by the browser entry when WebAssembly cannot be loaded: clients then serve defaults. */
export function wasmUnavailable(error) {
  wasmFailure = new EdgeflagError("WASM_UNAVAILABLE", `edgeflag: WebAssembly could not be loaded (${error})`);
}

/**
 * Creates a client: verified snapshots from `options.url` (polling with ETags, or an SSE
 * stream), a last-known-good in storage, local evaluation. Throws an `EdgeflagError` with code
 * `INVALID_ARGUMENT` or `INVALID_POLICY` when the options cannot work (bad key, no
 * environment); never throws afterwards.
 * @param {import("./index.js").ClientOptions} options
 * @returns {EdgeflagClient}
 */
export function createClient(options) {
  return new EdgeflagClient(options);
}

/** A feature-flag client. Create it with {@link createClient}. */
export class EdgeflagClient {
  #ev;
  #o;
  #listeners = new Map(EVENTS.map((e) => [e, new Set()]));
  #contexts = new WeakMap();
  #overrides = new Map();
  #exposed = new Set();
  #waiters = new Set();
  #queue = [];
  #constructing = true;
  // Properties of a compiled context: its unit (the targetingKey), and its Map of flag -> variant
  // already exposed, a fast path in front of #exposed (whose key is a string built per
  // evaluation) for a context object evaluated again. On the context itself, which evaluation
  // has just read: a WeakMap lookup costs a cache miss. Nothing kept per context is made by a
  // literal (see Exposure in event-queue.js).
  #unit = Symbol("edgeflag.unit");
  #seen = Symbol("edgeflag.exposed");
  #sync;
  #closed = false;
  #events;
  #tracking;
  // Per snapshot: the keys of flags with trackEvents, and the version (reading `info` is costly).
  #snap;
  // The class of this client's compiled contexts: the companion's once the client switched.
  #Context = Context;
  // On a compiled context: the attributes it was compiled from (compiled again after a switch).
  #source = Symbol("edgeflag.source");

  constructor(options) {
    this.#o = checkOptions(options);
    const o = this.#o;
    // Overrides from the page only when the application allows them (development, QA).
    if (o.overrides.allow) this.#overrides = readOverrides(o.overrides);
    this.#tracking = Boolean(o.onExposure || o.events);
    for (const [k, v] of Object.entries(o.overrides.values ?? {})) if (v != null) this.#overrides.set(k, { value: v });
    if (wasmFailure) {
      this.#queue.push(["error", { error: wasmFailure }]);
    } else {
      // With a companion module to load, a snapshot using `matches` is refused (not degraded)
      // so that the switch starts from the snapshot this evaluator still has (sync.js).
      this.#ev = new Evaluator({ ...evaluatorOptions(o), refuseRegex: Boolean(regex) });
      const emit = (type, extra) => {
        // Every new snapshot comes with an event.
        this.#forget();
        this.#emit(type, extra);
      };
      this.#sync = new Sync(this.#ev, o, emit, () => this.#settleWaiters(), regex && (() => this.#upgrade()));
      this.#sync.start(Date.now());
      if (o.testing && !this.#ev.info) this.#queue.push(["ready", {}]);
    }
    // After the evaluator: a constructor that throws leaves no page listeners behind.
    if (o.events) this.#events = events(o, () => this.#emit("dropped", { events: this.eventStats() }));
    // Listeners attached right after createClient() still hear what happened during it.
    this.#constructing = false;
    queueMicrotask(() => this.#flush());
  }

  /** `NOT_READY`, `READY`, `STALE` (last-known-good served) or `ERROR` (defaults served). */
  get status() {
    if (!this.#ev) return "ERROR";
    const s = this.#ev.status;
    return s === "NOT_READY" && this.#o.testing ? "READY" : s;
  }

  /** The loaded snapshot: version, owner, environment, keyid, issuedAt, expiresAt, sha256, flags. */
  get info() {
    return this.#ev?.info;
  }

  /**
   * The verified envelope in use, exactly as the owning backend signed it (JSON text), or
   * `undefined`: what a server renders into the page for the browser's client to verify.
   */
  get envelope() {
    return this.#ev?.persisted()?.envelope;
  }

  /**
   * `{ values, status }` the server rendered the page with, when the bootstrap was `{
   * envelope, values, status }`. Not verified: only for hydrating exactly what the HTML
   * already shows (edgeflag/react does), never for decisions.
   */
  get rendered() {
    return this.#o.rendered;
  }

  /** Why the client is `STALE` or `ERROR`: `{ code, message }`, or `undefined`. */
  get lastError() {
    return this.#ev ? this.#ev.lastError : wasmFailure && { code: wasmFailure.code, message: wasmFailure.message };
  }

  /**
   * Resolves `true` once a verified snapshot is served, `false` when `timeoutMs` passes first,
   * the endpoint answered with a fatal status, or the client was closed. Never rejects.
   * @param {number} [timeoutMs] no timeout when omitted
   * @returns {Promise<boolean>}
   */
  ready(timeoutMs) {
    if (this.#serving()) return Promise.resolve(true);
    if (this.#closed || this.#stopped()) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = { resolve };
      if (Number.isFinite(timeoutMs)) {
        // Not unref'd: the caller is awaiting it, and it is bounded by the caller's timeout.
        waiter.timer = setTimeout(() => this.#settle(waiter, false), Math.max(0, timeoutMs));
      }
      this.#waiters.add(waiter);
    });
  }

  /**
   * Listens to `ready`, `change`, `stale`, `error` or `recovered`. Returns a function that
   * removes the listener.
   */
  on(type, listener) {
    const set = this.#listeners.get(type);
    if (!set) throw new EdgeflagError("INVALID_ARGUMENT", `unknown event "${type}" (one of ${EVENTS.join(", ")})`);
    if (typeof listener !== "function") throw new EdgeflagError("INVALID_ARGUMENT", "listener must be a function");
    set.add(listener);
    return () => this.off(type, listener);
  }

  /** Removes a listener added with {@link on}. */
  off(type, listener) {
    this.#listeners.get(type)?.delete(listener);
  }

  /** Fetches now (de-duplicated with a request in flight); resolves when it has been handled. */
  refresh() {
    return this.#sync?.refresh() ?? Promise.resolve();
  }

  /**
   * Does now what the client's timer would: polls if a poll is due, notices expiry. For
   * runtimes whose timers do not outlive a request (Cloudflare Workers): call it per request,
   * e.g. `ctx.waitUntil(client.refreshIfDue())`. Resolves when a poll it started is handled.
   */
  refreshIfDue() {
    return this.#closed ? Promise.resolve() : (this.#sync?.tick() ?? Promise.resolve());
  }

  /**
   * Stops timers, the stream and any request in flight, and sends the queued analytics events
   * (one attempt; `await flush()` first to wait for them). Evaluation keeps serving what is loaded.
   */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.#sync?.close();
    this.#events?.close();
    for (const w of this.#waiters) this.#settle(w, false);
  }

  /**
   * Records an event for experiments (a purchase, a sign-up): `{ unit, value }`, where `unit`
   * defaults to the `targetingKey` of the context the page was rendered with (the bootstrap's)
   * and `value` is a finite number. Sent with the exposures; does nothing without `events`.
   * Invalid input is reported (`reportError`/`console.error`) and counted, never thrown.
   */
  track(event, details) {
    try {
      this.#events?.track(event, details, this.#o.rendered?.context?.targetingKey);
    } catch (e) {
      report(e);
    }
  }

  /** Sends the queued analytics events now; resolves when each batch was accepted or given up. Never rejects. */
  flush() {
    return this.#events?.flush() ?? Promise.resolve();
  }

  /**
   * Counters of the analytics events: `queued` (waiting or being sent), `sent` (accepted by the
   * endpoint, or handed to `sendBeacon`), `dropped` (queue full, batch refused or retries
   * exhausted), `invalid` (refused `track()` input, exposures without a unit), `failedBatches`,
   * `retries`.
   */
  eventStats() {
    return { ...(this.#events?.stats ?? zeroStats()) };
  }

  /** Compiles a context once for many evaluations (plain objects are also cached per object). */
  context(attributes) {
    return this.#ev ? this.#context(attributes) : attributes;
  }

  /** A boolean flag's value, or `defaultValue`. */
  bool(key, context, defaultValue) {
    return this.#value("bool", key, context, defaultValue);
  }

  /** A string flag's value, or `defaultValue`. */
  string(key, context, defaultValue) {
    return this.#value("string", key, context, defaultValue);
  }

  /** A number flag's value, or `defaultValue`. */
  number(key, context, defaultValue) {
    return this.#value("number", key, context, defaultValue);
  }

  /** An object flag's value, or `defaultValue`. */
  object(key, context, defaultValue) {
    return this.#value("object", key, context, defaultValue);
  }

  /** OpenFeature-shaped details: value, variant, reason, errorCode, errorMessage, ruleId, ... */
  details(key, context, defaultValue) {
    try {
      const forced = this.#forced(key, defaultValue, defaultValue);
      if (forced) return forced;
      if (!this.#ev) return failed(defaultValue, wasmFailure.message);
      if (this.#o.testing && !this.#ev.info) return plain(defaultValue, "DEFAULT");
      const ctx = this.#context(context);
      const tracked = this.#tracked(key);
      return tracked ? this.#exposing(tracked, key, ctx, defaultValue) : this.#ev.details(String(key), ctx, defaultValue);
    } catch (e) {
      return failed(defaultValue, String(e));
    }
  }

  /** Details of every flag, `{ [key]: details }` (no exposure events). */
  all(context) {
    try {
      return this.#overriddenAll(this.#ev ? this.#ev.all(this.#context(context)) : {});
    } catch {
      return {};
    }
  }

  /** Every flag's value, `{ [key]: value }` (`null` where evaluation failed; no exposures). */
  values(context) {
    try {
      const out = this.#ev ? this.#ev.values(this.#context(context)) : {};
      for (const key of this.#overrides.keys()) out[key] = this.#forced(key, out[key], null).value;
      return out;
    } catch {
      return {};
    }
  }

  /**
   * Every flag as it will evaluate at instant `at` (ms since the epoch): previews of scheduled
   * ramps. No exposures; forced values apply as in `all()`.
   */
  allAt(context, at) {
    try {
      return this.#overriddenAll(this.#ev ? this.#ev.all(this.#context(context), Number(at)) : {});
    } catch {
      return {};
    }
  }

  /**
   * Forces flag values (for tests, demos and QA): `override("new-checkout", true)` or
   * `override({ "new-checkout": true })`; `undefined` or `null` removes one. Results carry reason
   * `OVERRIDE`. Emits `change`.
   */
  override(keyOrFlags, value) {
    const entries = typeof keyOrFlags === "string" ? [[keyOrFlags, value]] : Object.entries(keyOrFlags ?? {});
    for (const [k, v] of entries) v == null ? this.#overrides.delete(k) : this.#overrides.set(k, { value: v });
    this.#emit("change", { overrides: entries.map(([k]) => k) });
  }

  /** Removes every forced value (also those read from the page). Emits `change`. */
  clearOverrides() {
    const keys = [...this.#overrides.keys()];
    this.#overrides.clear();
    this.#emit("change", { overrides: keys });
  }

  #value(kind, key, context, defaultValue) {
    try {
      const typed = TYPES[kind] === typeof defaultValue && defaultValue !== null;
      if (this.#overrides.size || !typed || !this.#ev) {
        const d = this.details(key, context, defaultValue);
        return typed || typeof d.value === TYPES[kind] ? d.value : defaultValue;
      }
      const ctx = this.#context(context);
      const tracked = this.#tracked(key);
      // A typed default: the details' value is of its type (the default on a mismatch).
      return tracked ? this.#exposing(tracked, key, ctx, defaultValue).value : this.#ev[kind](String(key), ctx, defaultValue);
    } catch {
      return defaultValue;
    }
  }

  // Switches to the companion module's evaluator (a snapshot needs `matches`): it takes over
  // the verified snapshot loaded so far; contexts and flag handles are made again.
  async #upgrade() {
    const glue = await regex();
    const ev = new glue.Evaluator(evaluatorOptions(this.#o));
    const p = this.#ev.persisted();
    if (p) ev.restore(p.envelope, p.highWater, p.etag, Date.now());
    this.#forget();
    this.#ev.free();
    this.#ev = ev;
    this.#Context = glue.Context;
    this.#contexts = new WeakMap();
    return ev;
  }

  #context(c) {
    if (c instanceof this.#Context) return c;
    c = c?.[this.#source] ?? c;
    if (c === undefined) c = NO_CONTEXT;
    if (typeof c !== "object" || c === null) return this.#ev.context(c);
    let ctx = this.#contexts.get(c);
    if (!ctx) {
      ctx = this.#ev.context(c);
      ctx[this.#source] = c;
      this.#contexts.set(c, ctx);
      if (this.#tracking) ctx[this.#unit] = c.targetingKey;
    }
    return ctx;
  }

  // The overridden result of `key` as a value like `like` (a default, or what the flag
  // evaluated to: its type decides), `fallback` when the override is not of that type.
  #forced(key, like, fallback) {
    const entry = this.#overrides.get(key);
    if (!entry) return undefined;
    const want = like == null ? undefined : typeof like;
    const value = overrideAs(entry, want);
    if (value === undefined) {
      return { ...failed(fallback, `the override of "${key}" is not a ${want}`), errorCode: "TYPE_MISMATCH" };
    }
    return plain(value, "OVERRIDE", "override");
  }

  #overriddenAll(out) {
    for (const key of this.#overrides.keys()) out[key] = this.#forced(key, out[key]?.value, null);
    return out;
  }

  // Details through the handle of a tracked flag, reporting the exposure: every served variant
  // of a flag with trackEvents, once per (flag, variant, unit).
  #exposing(tracked, key, ctx, defaultValue) {
    const d = tracked.details(ctx, defaultValue);
    if (d.variant !== undefined) this.#expose(String(key), d, ctx);
    return d;
  }

  #expose(key, d, ctx) {
    let seen = ctx[this.#seen];
    if (seen?.get(key) === d.variant) return;
    const unit = ctx[this.#unit];
    const id = `${key}\u0000${d.variant}\u0000${unit}`;
    if (this.#exposed.has(id)) {
      if (!seen) ctx[this.#seen] = seen = new Map();
      seen.set(key, d.variant);
      return;
    }
    if (this.#exposed.size >= MAX_EXPOSURES) this.#exposed.clear();
    this.#exposed.add(id);
    const { version } = this.#snapshot();
    if (this.#o.onExposure) {
      // Not an object literal: applications keep exposures (see Exposure in event-queue.js).
      const e = new Object();
      e.flag = key;
      e.variant = d.variant;
      e.value = d.value;
      e.unit = unit;
      e.reason = d.reason;
      e.ruleId = d.ruleId;
      e.version = version;
      call(this.#o.onExposure, e);
    }
    this.#events?.exposure(key, d.variant, d.ruleId, version, unit);
  }

  // A handle on `key` when exposures are reported and the flag has trackEvents (evaluating
  // through it skips passing the key into wasm: what keeps exposure tracking cheap).
  #tracked(key) {
    return this.#tracking ? this.#snapshot().tracked.get(String(key)) : undefined;
  }

  // Frees the flag handles kept for the loaded snapshot (a new one, or a new evaluator).
  #forget() {
    for (const handle of this.#snap?.tracked.values() ?? []) handle.free();
    this.#snap = undefined;
  }

  #snapshot() {
    if (!this.#snap) {
      const ev = this.#ev;
      const keys = ev.flagKeys().filter((k) => ev.tracksEvents(k));
      this.#snap = { tracked: new Map(keys.map((k) => [k, ev.flag(k)])), version: ev.info?.version };
    }
    return this.#snap;
  }

  #flush() {
    const queued = this.#queue ?? [];
    this.#queue = undefined;
    for (const [type, extra] of queued) this.#emit(type, extra);
  }

  #emit(type, extra) {
    if (this.#constructing) return void this.#queue.push([type, extra]);
    if (this.#queue) this.#flush();
    const event = { type, status: this.status, info: this.info, ...extra };
    for (const fn of [...this.#listeners.get(type)]) call(fn, event);
  }

  #serving() {
    return Boolean(this.#ev && (this.#ev.info || this.#o.testing));
  }

  // No snapshot is coming: WebAssembly is missing, a fatal status stopped the polling, or there
  // is nothing to fetch from and storage had nothing.
  #stopped() {
    const { url, stream } = this.#o;
    return !this.#sync || this.#sync.stopped || (!url && !stream && !this.#sync.restoring && !this.#sync.upgrading);
  }

  #settleWaiters() {
    if (this.#serving()) for (const w of this.#waiters) this.#settle(w, true);
    else if (this.#stopped()) for (const w of this.#waiters) this.#settle(w, false);
  }

  #settle(waiter, value) {
    clearTimeout(waiter.timer);
    this.#waiters.delete(waiter);
    waiter.resolve(value);
  }
}

function plain(value, reason, variant) {
  const d = { value, reason, inExperiment: false, flagMetadata: {} };
  if (variant) d.variant = variant;
  return d;
}

function failed(value, message) {
  return { ...plain(value, "ERROR"), errorCode: "GENERAL", errorMessage: message };
}

function call(fn, arg) {
  try {
    fn(arg);
  } catch (e) {
    report(e);
  }
}
