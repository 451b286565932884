// The isolate's snapshot: the wasm Evaluator (verification, evaluation and the sans-IO sync
// machine) plus the I/O the machine asks for. Each request calls `ready()`: it restores the
// last-known-good from the Cache API once per isolate, lets the machine notice time passing,
// and starts a refresh in the background (ctx.waitUntil) when one is due, so requests are
// answered from memory while the snapshot revalidates. Only a request that finds nothing
// verified at all waits for the origin, and at most FIRST_WAIT_MS.

// The build with `matches` (the regex feature): the worker loads whatever its backend signs,
// and workerd has no download to keep small (bundle sizes in README.md).
import { Evaluator } from "edgeflag/regex";
import { request } from "edgeflag/transport";

/** A snapshot request is aborted after this long (body included). */
export const FETCH_TIMEOUT_MS = 5000;
/** The longest a request waits when the isolate has no verified snapshot yet. */
export const FIRST_WAIT_MS = 2000;
/** Envelopes above this size are refused unread (src/core/SECURITY.md's default cap). */
export const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;
/** After a fatal status (401/403/404/410) stopped polling, try again this rarely. */
export const FATAL_RETRY_MS = 300_000;
const CACHE_NAME = "edgeflag";
const WAIT_STEP_MS = 10;

export class SnapshotStore {
  #ev;
  #cfg;
  #key;
  #started = false;
  #restoring;
  #flight;
  #wakeAt = -Infinity;
  #lastAttemptAt = -Infinity;

  /**
   * What handlers read, replaced in one assignment whenever the machine swaps snapshots:
   * `{ version, owner, environment, keyid, issuedAt, expiresAt, sha256, envelope, etag }`
   * (`envelope` is the signed text as received, `etag` the worker's own validator for it).
   */
  current;
  /** When the origin last confirmed the snapshot (200 or 304), ms since the epoch. */
  confirmedAt;

  /** Throws an EdgeflagError (INVALID_ARGUMENT, INVALID_POLICY) for unusable keys. */
  constructor(cfg) {
    this.#cfg = cfg;
    const refreshMs = Math.max(50, Math.round(cfg.refreshSeconds * 1000));
    const minBackoffMs = Math.min(1000, refreshMs);
    this.#ev = new Evaluator({
      publicKeys: cfg.publicKeys,
      environment: cfg.environment,
      owner: cfg.owner,
      minVersion: cfg.minVersion,
      maxAge: cfg.maxAgeSeconds === undefined ? undefined : cfg.maxAgeSeconds * 1000,
      maxValidityMs: cfg.maxValiditySeconds === undefined ? undefined : cfg.maxValiditySeconds * 1000,
      maxBytes: MAX_ENVELOPE_BYTES,
      pollIntervalMs: refreshMs,
      timeoutMs: FETCH_TIMEOUT_MS,
      minBackoffMs,
      maxBackoffMs: Math.max(minBackoffMs, Math.min(120_000, refreshMs * 4)),
    });
  }

  /** The evaluator: `context`, `details`, `all` (never throw). */
  get evaluator() {
    return this.#ev;
  }

  /** `NOT_READY`, `READY`, `STALE` or `ERROR`, as the sync machine says. */
  get status() {
    return this.#ev.status;
  }

  /** `{ code, message }` of the last failed refresh, or undefined. */
  get lastError() {
    return this.#ev.lastError;
  }

  /** When the next refresh is due (ms); after a fatal status, the worker's own retry. */
  get nextRefreshAt() {
    return this.#stopped() ? this.#lastAttemptAt + FATAL_RETRY_MS : this.#ev.nextPollAt();
  }

  /**
   * Brings the store up to date for a request: restores the last-known-good (first request
   * of the isolate), starts a refresh when due, and waits (bounded) only when no verified
   * snapshot is loaded. Never throws.
   */
  async ready(ctx) {
    const now = Date.now();
    if (!this.#started) {
      this.#started = true;
      this.#restoring = this.#restore(ctx).finally(() => {
        this.#restoring = undefined;
        this.#input(() => this.#ev.start(Date.now()), ctx, { mayPoll: true });
      });
    } else if (now >= this.#wakeAt && !this.#restoring) {
      this.#input(() => this.#ev.tick(now), ctx, { mayPoll: true, swaps: false });
      if (!this.#flight && this.#stopped() && now - this.#lastAttemptAt >= FATAL_RETRY_MS) this.#poll(ctx);
    }
    // Cold: wait for the restore or the refresh in flight, never past the deadline.
    const deadline = now + FIRST_WAIT_MS;
    while (!this.current && (this.#restoring || this.#flight) && Date.now() < deadline) {
      await sleep(Math.min(WAIT_STEP_MS, deadline - Date.now()));
    }
  }

  /** Runs one input through the machine and does what its outcome says. */
  #input(fn, ctx, { mayPoll = false, swaps = true } = {}) {
    let out;
    try {
      out = fn();
    } catch (e) {
      console.error("edgeflag: the sync machine refused an input", e);
      return undefined;
    }
    if (swaps || out.events.length) this.#refresh(out.persist);
    if (out.persist) ctx.waitUntil(this.#save());
    else if (out.discardPersisted) ctx.waitUntil(this.#discard());
    let wake = out.wakeAt ?? Infinity;
    if (this.#stopped()) wake = Math.min(wake, this.#lastAttemptAt + FATAL_RETRY_MS);
    this.#wakeAt = wake;
    if (mayPoll && out.pollDue) this.#poll(ctx);
    return out;
  }

  /** Polling was started and a fatal status stopped it. */
  #stopped() {
    return this.#started && !this.#restoring && this.#ev.nextPollAt() === undefined;
  }

  /** Starts one conditional request (the machine de-duplicates) inside ctx.waitUntil. */
  #poll(ctx) {
    const now = Date.now();
    let req;
    try {
      req = this.#ev.beginRequest(now);
    } catch (e) {
      console.error("edgeflag: beginRequest failed", e);
    }
    if (!req) return;
    this.#lastAttemptAt = now;
    const fetchOnce = (url, init) => fetch(url, init);
    const { ifNoneMatch, timeoutMs } = req;
    const flight = request(fetchOnce, this.#cfg.snapshotUrl, { ifNoneMatch, timeoutMs, maxBytes: MAX_ENVELOPE_BYTES })
      .then(
        (r) => {
          const out = this.#input(() => this.#ev.onResponse(r.status, r.etag, r.body, Date.now(), Math.random()), ctx);
          if (out && !out.error && (r.status === 200 || r.status === 304)) this.confirmedAt = Date.now();
        },
        (kind) => this.#input(() => this.#ev.onFailure(kind, Date.now(), Math.random()), ctx),
      )
      .finally(() => {
        if (this.#flight === flight) this.#flight = undefined;
      });
    this.#flight = flight;
    ctx.waitUntil(flight);
  }

  /** Re-reads what the machine serves after an input that may have swapped it. */
  #refresh(persist) {
    const info = this.#ev.info;
    if (!info) {
      this.current = undefined;
      return;
    }
    const c = this.current;
    const same = c && c.version === info.version && c.sha256 === info.sha256;
    if (same && !persist) return;
    const p = this.#ev.persisted();
    if (same) {
      c.originEtag = p?.etag;
      return;
    }
    this.current = {
      version: info.version,
      owner: info.owner,
      environment: info.environment,
      keyid: info.keyid,
      issuedAt: info.issuedAt,
      expiresAt: info.expiresAt,
      sha256: info.sha256,
      envelope: p?.envelope,
      highWater: p?.highWater,
      originEtag: p?.etag,
      etag: `"${info.version}-${info.sha256.slice(0, 32)}"`,
    };
  }

  // The Cache API copy is shared by the isolates of a data centre, so a cold isolate starts
  // with the last-known-good even while the origin is down. It is never trusted: restore()
  // verifies it in full (signature, owner, environment, expiry) and discards what fails.

  async #restore(ctx) {
    try {
      const cache = await openCache();
      if (!cache) return;
      const hit = await cache.match(await this.#cacheKey());
      if (!hit) return;
      let saved;
      try {
        saved = await hit.json();
      } catch {
        saved = undefined;
      }
      const out =
        typeof saved?.envelope === "string"
          ? this.#input(() => this.#ev.restore(saved.envelope, saved.highWater ?? undefined, saved.etag ?? undefined, Date.now()), ctx)
          : undefined;
      if (!out) ctx.waitUntil(this.#discard());
      else if (this.current && Number.isFinite(saved.confirmedAt)) this.confirmedAt = saved.confirmedAt;
    } catch (e) {
      console.error("edgeflag: reading the last-known-good from the Cache API failed", e);
    }
  }

  async #save() {
    const c = this.current;
    try {
      const cache = c && (await openCache());
      if (!cache) return;
      const ttl = Math.min(30 * 86_400, Math.max(60, Math.floor((c.expiresAt - Date.now()) / 1000)));
      const body = JSON.stringify({ envelope: c.envelope, highWater: c.highWater, etag: c.originEtag, confirmedAt: this.confirmedAt });
      await cache.put(await this.#cacheKey(), new Response(body, { headers: { "content-type": "application/json", "cache-control": `max-age=${ttl}` } }));
    } catch (e) {
      console.error("edgeflag: writing the last-known-good to the Cache API failed", e);
    }
  }

  async #discard() {
    try {
      const cache = await openCache();
      if (cache) await cache.delete(await this.#cacheKey());
    } catch (e) {
      console.error("edgeflag: deleting the last-known-good from the Cache API failed", e);
    }
  }

  /** One entry per snapshot source and trust settings, under a name no site uses. */
  async #cacheKey() {
    if (!this.#key) {
      const c = this.#cfg;
      const text = JSON.stringify([c.snapshotUrl, c.publicKeys, c.owner, c.environment]);
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
      const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
      this.#key = `https://edgeflag.cache.internal/last-known-good/${hex}`;
    }
    return this.#key;
  }
}

async function openCache() {
  try {
    return typeof caches === "object" ? await caches.open(CACHE_NAME) : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
