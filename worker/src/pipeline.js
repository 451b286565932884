// The isolate's event pipeline: a bounded buffer of events (the browser's, from
// POST /edgeflag/events, and the worker's own request metrics), cut into batches and forwarded
// to the owning backend's `POST /ingest/{ENVIRONMENT}/events` with `Authorization: Bearer
// INGEST_KEY`. Workers have no timers between requests, so every request checks whether a
// flush is due (FLUSH_AT_EVENTS buffered, or EVENTS_FLUSH_SECONDS since the last flush) and
// forwards inside ctx.waitUntil. A failed forward (network, timeout, 408, 429, 5xx) is retried
// later with the same batch id, which the backend counts once; other 4xx drop the batch.
// Nothing here throws into the request path: a page never waits for, or fails because of, events.

/** Events the isolate holds at most (buffered and in batches not yet acknowledged); more are dropped. */
export const MAX_BUFFERED_EVENTS = 20_000;
/** A flush is due once this many events are buffered, whatever the interval. */
export const FLUSH_AT_EVENTS = 1000;
/** Events per forwarded batch at most (the backend's limit). */
export const MAX_FORWARD_EVENTS = 5000;
/** JSON characters per forwarded batch at most: three UTF-8 bytes each at worst, under the backend's 4 MiB. */
export const MAX_FORWARD_CHARS = 1_200_000;
/** Sends per batch before it is dropped. */
export const MAX_ATTEMPTS = 8;
/** A forward is aborted after this long. */
export const FORWARD_TIMEOUT_MS = 5000;
/** Batches sent one after another by one flush (waitUntil runs at most 30 s after a response). */
export const MAX_BATCHES_PER_FLUSH = 4;
/** Retries wait the flush interval, doubling per attempt, at most this long. */
export const MAX_RETRY_DELAY_MS = 300_000;
/** (flag, variant, unit) exposures remembered for de-duplication; the oldest are forgotten first. */
export const EXPOSURE_MEMORY = 50_000;
/** Distinct (flag, variant, version) request records per flush window at most. */
export const MAX_REQUEST_RECORDS = 1000;
/** Upper bounds (ms) of the request latency histogram; the last bucket is everything above. */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 300, 400, 500, 750, 1000, 2000, 5000, 10000];

/** The RFC 3339 form events carry: UTC with milliseconds. */
export const isoTime = (ms) => new Date(ms).toISOString();

export class EventPipeline {
  #url;
  #key;
  #flushMs;
  #pending = [];
  /** Batches cut and not yet acknowledged: `{ id, events, attempts, dueAt }`, oldest first. */
  #outbox = [];
  #queued = 0;
  #records = new Map();
  #exposed = new Set();
  #lastFlushAt = Date.now();
  #sendingSince;

  /** Counters for /edgeflag/health. */
  stats = {
    accepted: 0,
    generated: 0,
    rejected: { unknownFlag: 0, unknownVariant: 0 },
    forwarded: 0,
    dropped: 0,
    backendRejected: 0,
    lastForwardAt: null,
    lastForwardError: null,
  };

  constructor({ url, key, flushMs }) {
    this.#url = url;
    this.#key = key;
    this.#flushMs = flushMs;
  }

  /** Events buffered or in batches awaiting acknowledgement. */
  get pending() {
    return this.#queued;
  }

  /** Queues events; those beyond MAX_BUFFERED_EVENTS are dropped and counted. Returns how many fit. */
  add(events) {
    const room = Math.max(0, MAX_BUFFERED_EVENTS - this.#queued);
    const n = Math.min(room, events.length);
    for (let i = 0; i < n; i++) this.#pending.push(events[i]);
    this.#queued += n;
    this.stats.dropped += events.length - n;
    return n;
  }

  /** The worker's own events (exposures, `error` tracks), counted as generated; whether it fit. */
  #generate(event) {
    const n = this.add([event]);
    this.stats.generated += n;
    return n === 1;
  }

  /** An exposure of `unit` to `variant`, once per (flag, variant, unit) as far as this isolate remembers. */
  expose(flag, variant, ruleId, version, unit, at) {
    const id = `${flag}\u0000${variant}\u0000${unit}`;
    if (this.#exposed.has(id)) return;
    // Remembered only once queued: an exposure dropped on a full buffer is sent next time.
    if (!this.#generate({ kind: "exposure", flag, variant, ruleId: ruleId ?? null, version, unit, at })) return;
    if (this.#exposed.size >= EXPOSURE_MEMORY) this.#exposed.delete(this.#exposed.values().next().value);
    this.#exposed.add(id);
  }

  /** A `track` event named `error` for `unit` (an origin 5xx under a variant). */
  error(unit, at) {
    this.#generate({ kind: "track", event: "error", unit, at });
  }

  /** One proxied request served under `variant`: counted, its errors and its latency aggregated. */
  request(flag, variant, version, ms, failed, atMs) {
    const key = `${flag}\u0000${variant}\u0000${version}`;
    let r = this.#records.get(key);
    if (!r) {
      if (this.#records.size >= MAX_REQUEST_RECORDS) return void this.stats.dropped++;
      r = { flag, variant, version, count: 0, errors: 0, counts: new Array(LATENCY_BOUNDS_MS.length + 1).fill(0), from: atMs };
      this.#records.set(key, r);
    }
    r.count++;
    if (failed) r.errors++;
    let i = 0;
    while (i < LATENCY_BOUNDS_MS.length && ms > LATENCY_BOUNDS_MS[i]) i++;
    r.counts[i]++;
  }

  /**
   * Called on every request: cuts a batch when one is due and forwards due batches inside
   * ctx.waitUntil (one flush at a time per isolate). Never throws.
   */
  maybeFlush(ctx, now = Date.now()) {
    try {
      if (this.#sendingSince !== undefined && now - this.#sendingSince < MAX_BATCHES_PER_FLUSH * FORWARD_TIMEOUT_MS + 5000) return;
      const windowDue = now - this.#lastFlushAt >= this.#flushMs;
      if (this.#pending.length >= FLUSH_AT_EVENTS || (windowDue && (this.#pending.length || this.#records.size))) this.#cut(now);
      if (!this.#outbox.some((b) => b.dueAt <= now)) return;
      const since = now;
      this.#sendingSince = since;
      ctx.waitUntil(
        this.#send()
          .catch((e) => console.error("edgeflag: forwarding events failed", e))
          .finally(() => {
            if (this.#sendingSince === since) this.#sendingSince = undefined;
          }),
      );
    } catch (e) {
      console.error("edgeflag: flushing events failed", e);
    }
  }

  /** Moves the buffer and the window's request records into batches of at most MAX_FORWARD_EVENTS. */
  #cut(now) {
    const events = this.#pending;
    this.#pending = [];
    for (const r of this.#records.values()) {
      events.push({
        kind: "requests",
        flag: r.flag,
        variant: r.variant,
        version: r.version,
        count: r.count,
        errors: r.errors,
        latencyMs: { bounds: LATENCY_BOUNDS_MS, counts: r.counts },
        from: isoTime(r.from),
        to: isoTime(Math.max(now, r.from)),
      });
    }
    // Request records are not in #queued yet: they are only made here.
    this.#queued += this.#records.size;
    this.#records.clear();
    this.#lastFlushAt = now;
    // Cut by count and by size: the backend refuses a body over 4 MiB whole.
    let batch = [];
    let size = 0;
    const push = () => {
      if (batch.length) this.#outbox.push({ id: crypto.randomUUID(), events: batch, attempts: 0, dueAt: now });
      batch = [];
      size = 0;
    };
    for (const event of events) {
      const length = JSON.stringify(event).length;
      if (batch.length >= MAX_FORWARD_EVENTS || size + length > MAX_FORWARD_CHARS) push();
      batch.push(event);
      size += length + 1;
    }
    push();
  }

  /** Sends due batches, oldest first, until one fails or MAX_BATCHES_PER_FLUSH were sent. */
  async #send() {
    for (let sent = 0; sent < MAX_BATCHES_PER_FLUSH; sent++) {
      const now = Date.now();
      const batch = this.#outbox.find((b) => b.dueAt <= now);
      if (!batch) return;
      batch.attempts++;
      const outcome = await this.#forward(batch);
      if (outcome.ok) {
        if (!this.#remove(batch)) continue;
        this.stats.forwarded += batch.events.length;
        this.stats.backendRejected += outcome.rejected;
        this.stats.lastForwardAt = isoTime(Date.now());
        continue;
      }
      this.stats.lastForwardError = { ...outcome.error, batch: batch.id, attempt: batch.attempts, at: isoTime(Date.now()) };
      if (!outcome.retry || batch.attempts >= MAX_ATTEMPTS) {
        if (this.#remove(batch)) this.stats.dropped += batch.events.length;
        console.error(`edgeflag: dropped a batch of ${batch.events.length} events after ${batch.attempts} attempt(s): ${outcome.error.message}`);
      } else {
        const backoff = Math.min(MAX_RETRY_DELAY_MS, Math.max(500, this.#flushMs) * 2 ** (batch.attempts - 1));
        batch.dueAt = Date.now() + Math.max(backoff, Math.min(MAX_RETRY_DELAY_MS, outcome.retryAfterMs ?? 0));
      }
      return;
    }
  }

  /** Takes a batch off the outbox: whether it was there (two overlapping sends may both finish it). */
  #remove(batch) {
    const i = this.#outbox.indexOf(batch);
    if (i < 0) return false;
    this.#outbox.splice(i, 1);
    this.#queued -= batch.events.length;
    return true;
  }

  /** One POST: `{ ok, rejected }` or `{ ok: false, retry, retryAfterMs, error: { status?, message } }`. */
  async #forward(batch) {
    let res;
    try {
      res = await fetch(this.#url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.#key}` },
        body: JSON.stringify({ batch: batch.id, source: "worker", events: batch.events }),
        signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
      });
    } catch (e) {
      const timeout = e?.name === "TimeoutError" || e?.name === "AbortError";
      return { ok: false, retry: true, error: { message: timeout ? `no answer within ${FORWARD_TIMEOUT_MS} ms` : `network: ${e?.message ?? e}` } };
    }
    const text = await res.text().catch(() => "");
    if (res.ok) {
      let rejected = 0;
      try {
        const r = JSON.parse(text).rejected ?? {};
        for (const v of Object.values(r)) if (Number.isFinite(v)) rejected += v;
      } catch {
        // the counts are informative only
      }
      return { ok: true, rejected };
    }
    const retry = res.status === 408 || res.status === 429 || res.status >= 500;
    const after = Number(res.headers.get("retry-after"));
    return {
      ok: false,
      retry,
      retryAfterMs: Number.isFinite(after) && after > 0 ? after * 1000 : undefined,
      error: { status: res.status, message: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}` },
    };
  }

  /** What /edgeflag/health shows. */
  health() {
    return {
      enabled: true,
      flushSeconds: this.#flushMs / 1000,
      ...this.stats,
      rejected: { ...this.stats.rejected },
      pending: this.#queued + this.#records.size,
      retrying: this.#outbox.filter((b) => b.attempts > 0).length,
    };
  }
}

let held = { key: undefined, pipeline: undefined };

/** The isolate's pipeline for these settings, or undefined when events are not configured. */
export function pipelineFor(cfg) {
  const e = cfg.events;
  if (!e) return undefined;
  if (held.key !== e.id) held = { key: e.id, pipeline: new EventPipeline(e) };
  return held.pipeline;
}

/** The `events` member of /edgeflag/health. */
export function eventsHealth(cfg) {
  const p = pipelineFor(cfg);
  return p ? p.health() : { enabled: false, message: cfg.eventsProblem };
}
