// OpenFeature providers over an edgeflag client: a web provider for @openfeature/web-sdk
// (synchronous resolvers, static context) and a server provider for @openfeature/server-sdk
// (Node.js, workers). Neither SDK is imported: providers are plain objects the SDKs call.

import { createClient } from "#edgeflag";

// Client events -> OpenFeature provider events. The first `ready` is announced by the SDK
// itself when initialize() resolves, so it is forwarded only when it comes later.
const EVENTS = {
  ready: "PROVIDER_READY",
  recovered: "PROVIDER_READY",
  change: "PROVIDER_CONFIGURATION_CHANGED",
  stale: "PROVIDER_STALE",
  error: "PROVIDER_ERROR",
};

/** The provider event emitter the SDKs subscribe to (their ProviderEventEmitter interface). */
class ProviderEvents {
  #handlers = new Map();
  emit(type, details) {
    for (const fn of this.getHandlers(type)) {
      try {
        Promise.resolve(fn(details)).catch(() => {});
      } catch {
        // a failing handler must not stop the others
      }
    }
  }
  addHandler(type, fn) {
    if (!this.#handlers.has(type)) this.#handlers.set(type, new Set());
    this.#handlers.get(type).add(fn);
  }
  removeHandler(type, fn) {
    this.#handlers.get(type)?.delete(fn);
  }
  removeAllHandlers(type) {
    if (type === undefined) this.#handlers.clear();
    else this.#handlers.delete(type);
  }
  getHandlers(type) {
    return [...(this.#handlers.get(type) ?? [])];
  }
  setLogger() {
    return this;
  }
}

class EdgeflagProvider {
  metadata = { name: "edgeflag" };
  events = new ProviderEvents();
  #owned;
  #timeout;
  #settled = false;
  #unsubscribe;
  #last = { source: undefined, context: undefined };

  constructor(clientOrOptions, { readyTimeoutMs = 5000 } = {}) {
    this.#owned = typeof clientOrOptions?.details !== "function";
    /** The edgeflag client this provider evaluates with. */
    this.client = this.#owned ? createClient(clientOrOptions) : clientOrOptions;
    this.#timeout = readyTimeoutMs;
    const offs = Object.entries(EVENTS).map(([type, event]) =>
      this.client.on(type, (e) => {
        if (type === "ready" && !this.#settled) return;
        const details = { message: e.error?.message ?? `edgeflag: ${type}` };
        if (e.changed) details.metadata = { version: e.changed.to };
        if (type === "error" && e.error?.code === "FATAL_HTTP_STATUS") details.errorCode = "PROVIDER_FATAL";
        this.events.emit(event, details);
      }),
    );
    this.#unsubscribe = () => offs.forEach((off) => off());
  }

  /** Waits (up to `readyTimeoutMs`) for a verified snapshot; rejects when there is none. */
  async initialize(context) {
    if (context) this.#compiled(context);
    try {
      if (await this.client.ready(this.#timeout)) {
        // The SDK marks the provider READY once this resolves; a STALE client says so after.
        if (this.client.status === "STALE") setTimeout(() => this.events.emit("PROVIDER_STALE", {}), 0);
        return;
      }
      const error = this.client.lastError;
      const e = new Error(`edgeflag: no verified snapshot${error ? `: ${error.message}` : ""}`);
      const fatal = error?.code === "FATAL_HTTP_STATUS" || error?.code === "WASM_UNAVAILABLE";
      e.code = fatal ? "PROVIDER_FATAL" : "GENERAL";
      throw e;
    } finally {
      this.#settled = true;
    }
  }

  /** Stops listening; closes the client if the provider created it from options. */
  async onClose() {
    this.#unsubscribe();
    if (this.#owned) this.client.close();
  }

  // The web SDK passes a fresh copy of the same context to every evaluation: a shallow
  // comparison finds the compiled one, so a context is compiled once per change, not per flag.
  #compiled(context) {
    const last = this.#last;
    if (last.source && shallowEqual(last.source, context ?? {})) return last.context;
    this.#last = { source: { ...context }, context: this.client.context(context ?? {}) };
    return this.#last.context;
  }

  /** Compiles a new static context once (web SDK); evaluation stays local and synchronous. */
  onContextChange(_oldContext, newContext) {
    this.#compiled(newContext);
  }

  /**
   * The OpenFeature Tracking API (`client.track(name, details)`): an event for the context's
   * `targetingKey` (the unit), with `details.value` as its value, sent with the client's events.
   */
  track(trackingEventName, context, details) {
    this.client.track(trackingEventName, { unit: context?.targetingKey, value: details?.value });
  }

  /** OpenFeature resolution details of one flag. */
  evaluate(key, defaultValue, context) {
    const d = this.client.details(key, this.#compiled(context), defaultValue);
    const out = { value: d.value, reason: d.reason, flagMetadata: d.flagMetadata ?? {} };
    if (d.variant !== undefined) out.variant = d.variant;
    if (d.errorCode) out.errorCode = d.errorCode;
    if (d.errorMessage) out.errorMessage = d.errorMessage;
    return out;
  }
}

/** Provider for `@openfeature/web-sdk`: synchronous resolvers, static context. */
export class EdgeflagWebProvider extends EdgeflagProvider {
  runsOn = "client";
  resolveBooleanEvaluation(key, defaultValue, context) {
    return this.evaluate(key, defaultValue, context);
  }
  resolveStringEvaluation(key, defaultValue, context) {
    return this.evaluate(key, defaultValue, context);
  }
  resolveNumberEvaluation(key, defaultValue, context) {
    return this.evaluate(key, defaultValue, context);
  }
  resolveObjectEvaluation(key, defaultValue, context) {
    return this.evaluate(key, defaultValue, context);
  }
}

/** Provider for `@openfeature/server-sdk` (Node.js, workers): dynamic context. */
export class EdgeflagServerProvider extends EdgeflagProvider {
  runsOn = "server";
  async resolveBooleanEvaluation(key, defaultValue, context) {
    return this.evaluate(key, defaultValue, context);
  }
  async resolveStringEvaluation(key, defaultValue, context) {
    return this.evaluate(key, defaultValue, context);
  }
  async resolveNumberEvaluation(key, defaultValue, context) {
    return this.evaluate(key, defaultValue, context);
  }
  async resolveObjectEvaluation(key, defaultValue, context) {
    return this.evaluate(key, defaultValue, context);
  }
}

function shallowEqual(a, b) {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.is(a[k], b[k]) || !Object.hasOwn(b, k)) return false;
  return true;
}
