// Keeps a client's snapshot fresh: hands every input (a response, a failure, a stream event, a
// stored envelope, the passing of time) to the wasm core's sans-IO state machine, then does
// what its outcome says: emit events, persist, arm one timer, poll. The core decides; this
// file only does the I/O.

import { EdgeflagError } from "./error.js";
import { backgroundTimer, request } from "./transport.js";

export class Sync {
  #ev;
  #o;
  #emit;
  #changed;
  #timer;
  #flight;
  #abort = new AbortController();
  #closeStream;
  #streamRetryMs = 1000;
  #started = false;
  #fatal = false;
  #closed = false;
  #upgrade;
  // Inputs that arrived while the companion module loads, run on its evaluator once loaded.
  #pending;
  /** A stored envelope is still being read (asynchronous storage). */
  restoring = false;
  /** The companion module (`matches`) is loading: the snapshot that needs it waits. */
  upgrading = false;

  /**
   * @param ev the wasm Evaluator
   * @param o checked client options
   * @param emit `(type, extra)` tells the client's listeners
   * @param changed called after every input, so the client can settle `ready()` calls
   * @param [upgrade] `() => Promise<Evaluator>`: the companion module's evaluator, holding what
   *   `ev` had loaded; called (once) when an input needs it
   */
  constructor(ev, o, emit, changed, upgrade) {
    this.#ev = ev;
    this.#o = o;
    this.#emit = emit;
    this.#changed = changed;
    this.#upgrade = upgrade;
  }

  /** The last-known-good from storage, then the page's envelope, then the network. */
  start(now) {
    const o = this.#o;
    this.#restore();
    // An envelope delivered with the page takes the stream's path: verified, and a confirmation.
    if (o.bootstrap !== undefined) this.#input((ev) => ev.onStreamEvent(o.bootstrap, now));
    if (o.url) {
      this.#started = true;
      this.#input((ev) => ev.start(now));
    }
    if (o.stream) this.#connect();
  }

  /** Whether a fatal status stopped the polling (and no stream may still deliver). */
  get stopped() {
    return this.#fatal && !this.#o.stream;
  }

  /** Polls now unless a request is in flight; resolves once the answer has been handled. */
  refresh() {
    if (!this.#flight) this.#poll();
    return this.#flight ?? Promise.resolve();
  }

  /** What the timer would do now: poll if one is due, notice expiry. */
  tick() {
    this.#input((ev) => ev.tick(Date.now()));
    return this.#flight ?? Promise.resolve();
  }

  close() {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    this.#closeStream?.();
  }

  #handle(out) {
    if (!out || this.#closed) return;
    if (out.persist) this.#persist();
    else if (out.discardPersisted) this.#store((s, k) => s.removeItem(k));
    for (const type of out.events) {
      const extra = type === "change" ? { changed: out.changed } : {};
      if (out.error && (type === "error" || type === "stale")) extra.error = new EdgeflagError(out.error.code, out.error.message);
      this.#emit(type, extra);
    }
    if (this.#started && out.nextPollAt === null) this.#fatal = true;
    else if (out.nextPollAt != null) this.#fatal = false;
    this.#changed();
    if (out.pollDue && this.#poll()) return; // its answer arms the timer
    clearTimeout(this.#timer);
    if (out.wakeAt != null) this.#timer = backgroundTimer(() => this.#input((ev) => ev.tick(Date.now())), out.wakeAt - Date.now());
  }

  /**
   * Runs one input (`fn(evaluator)`); a failure of the core (a trap) must not escape into a
   * timer or a stream. The first input that needs the companion module waits for it, and so do
   * the inputs after it; if it cannot load, the refusal stands.
   */
  #input(fn, first) {
    if (this.#pending) return void this.#pending.push(fn);
    try {
      const out = first ?? fn(this.#ev);
      if (!first && this.#upgrade && needsRegex(out, this.#ev)) return this.#switch(fn, out);
      this.#handle(out);
    } catch (e) {
      report(e);
    }
  }

  #switch(fn, out) {
    const upgrade = this.#upgrade;
    this.#upgrade = undefined;
    this.#pending = [fn];
    this.upgrading = true;
    upgrade().then(
      (ev) => {
        if (this.#started) ev.start(Date.now());
        this.#ev = ev;
        out = undefined;
      },
      report,
    ).then(() => {
      const pending = this.#pending;
      this.#pending = undefined;
      this.upgrading = false;
      // Run again on the new evaluator, or (it failed to load) the refused one's outcome.
      this.#input(pending[0], out);
      for (const f of pending.slice(1)) this.#input(f);
    });
  }

  #poll() {
    if (this.#closed || !this.#o.url || this.#flight) return false;
    const req = this.#pending ? undefined : this.#ev.beginRequest(Date.now());
    if (!req) return false;
    const o = this.#o;
    const done = (fn) => () => {
      this.#flight = undefined;
      this.#input(fn);
    };
    this.#flight = request(o.fetch, o.url, { ...req, maxBytes: o.maxBytes, signal: this.#abort.signal }).then(
      (r) => done((ev) => ev.onResponse(r.status, r.etag, r.body, Date.now(), Math.random()))(),
      (kind) => done((ev) => ev.onFailure(kind, Date.now(), Math.random()))(),
    );
    return true;
  }

  #connect() {
    if (this.#closed) return;
    const o = this.#o;
    // The stream reader is loaded on first use; failing to load it is a failed stream (retried).
    const retry = (reason) => {
      if (reason === "unsupported" || this.#closed) return;
      const delay = this.#streamRetryMs * (0.5 + Math.random() / 2);
      this.#streamRetryMs = Math.min(this.#streamRetryMs * 2, 300_000);
      backgroundTimer(() => this.#connect(), delay);
    };
    import("./stream.js").then(({ openStream }) => {
      if (this.#closed) return;
      this.#closeStream = openStream(o.fetch, o.stream, {
        maxBytes: o.maxBytes,
        onOpen: () => (this.#streamRetryMs = 1000),
        onEnvelope: (text) => this.#input((ev) => ev.onStreamEvent(text, Date.now())),
        // Polling goes on meanwhile; a stream the server does not offer is not retried.
        onEnd: retry,
      });
    }, () => retry("failed"));
  }

  #restore() {
    this.restoring = true;
    this.#store((s, k) => s.getItem(k), (raw) => {
      this.restoring = false;
      if (raw == null || this.#closed) return this.#changed();
      this.#input((ev) => {
        try {
          const saved = JSON.parse(raw);
          return ev.restore(saved.envelope, saved.highWater ?? undefined, saved.etag ?? undefined, Date.now());
        } catch {
          this.#store((s, k) => s.removeItem(k)); // not even the shape of what is stored: discarded like a forgery
        }
      });
      this.#changed();
    });
  }

  #persist() {
    const p = this.#ev.persisted();
    if (!p) return;
    const value = JSON.stringify({ envelope: p.envelope, highWater: p.highWater, etag: p.etag });
    this.#store((s, k) => s.setItem(k, value));
  }

  // Storage may be synchronous (localStorage) or return promises (an async key-value store);
  // its failures (quota, private mode, a broken backend) never reach the application: a cache
  // that fails is a cache that misses.
  #store(op, then = () => {}) {
    const { storage, storageKey } = this.#o;
    let r;
    try {
      r = storage ? op(storage, storageKey) : undefined;
    } catch {
      r = undefined;
    }
    if (r && typeof r.then === "function") r.then(then, () => then(undefined)).catch(report);
    else then(r);
  }
}

/**
 * Whether an outcome of `ev` (the core build, without `matches`) shows that the snapshot needs
 * the companion module: the one place that recognises it. The client creates the core's
 * evaluator with `refuseRegex`, so it refuses such a snapshot (INVALID_SNAPSHOT, "... operator
 * "matches" needs edgeflag built with the "regex" feature") instead of degrading its flags, and
 * keeps the snapshot it had. (`ev`, the evaluator that produced `out`, is unused.)
 */
export function needsRegex(out, ev) {
  return out?.error?.code === "INVALID_SNAPSHOT" && out.error.message.includes('"regex" feature');
}

/**
 * Reports an exception from application code (a listener, the exposure hook) or a failure of
 * the core like an uncaught one would be, without breaking the client.
 */
export function report(e) {
  if (typeof globalThis.reportError === "function") globalThis.reportError(e);
  else console.error(e);
}
