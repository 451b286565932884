// Analytics events of a client (the events contract, browser -> worker): exposures and
// `track()` calls, queued in a bounded array and POSTed as `{ batch, events }` to the edge
// worker: on an interval, when a batch is full, on flush() and close(), and with
// navigator.sendBeacon when the page is hidden. Evaluation only pushes onto the array: JSON,
// timers and I/O happen later.

import { EdgeflagError } from "./error.js";
import { report } from "./sync.js";
import { backgroundTimer } from "./transport.js";

/** The counters of `client.eventStats()`, all zero. */
export const zeroStats = () => ({ queued: 0, sent: 0, dropped: 0, invalid: 0, failedBatches: 0, retries: 0 });

// An exposure on the wire. A class, not an object literal: V8 tracks what a literal allocates
// (its allocation site) and, when those objects live long (queued), deoptimises the code that
// holds the literal at a garbage collection; Node.js 20's V8 aborts the process ("unreachable
// code" in the deoptimiser) when that happens to an evaluation in the middle of its inlined call
// into wasm. Objects made by `new` are not tracked that way.
class Exposure {
  constructor(flag, variant, ruleId, version, unit) {
    this.kind = "exposure";
    this.flag = flag;
    this.variant = variant;
    this.ruleId = ruleId ?? null;
    this.version = version;
    this.unit = unit;
    this.at = Date.now();
  }
}

/** A string the wire takes: 1 to 256 characters of well-formed UTF-16 (the worker refuses the rest). */
const wire = (s) => typeof s === "string" && s.length >= 1 && s.length <= 256 && (s.isWellFormed?.() ?? true);

/** A unit as the wire has it, or undefined. */
const unitOf = (u) => (Number.isInteger(u) ? String(u) : wire(u) ? u : undefined);

const ok = (status) => status > 199 && status < 300;

/**
 * The event queue of a client.
 * @param o checked client options (`o.events`: url, flushIntervalMs, maxBatch, maxQueue, beacon)
 * @param notify called (never during an evaluation) when events were dropped
 */
export function events(o, notify) {
  const { url, flushIntervalMs, maxBatch, maxQueue, beacon } = o.events;
  const { minBackoffMs = 1000, maxBackoffMs = 300_000, timeoutMs = 10_000 } = o;
  const stats = zeroStats();
  const queue = [];
  let timer, running, full, closed, off;

  const push = (e) => {
    if (closed || stats.queued >= maxQueue) {
      stats.dropped++;
      if (!full) queueMicrotask(notify); // once until the queue has room again
      full = true;
      return;
    }
    stats.queued++;
    const n = queue.push(e);
    if (n === 1 || n === maxBatch) {
      clearTimeout(timer);
      timer = backgroundTimer(flush, n > 1 ? 0 : flushIntervalMs);
    }
  };

  // The next batch off the queue, `[count, body]` with a fresh batch id and RFC 3339 times.
  const take = () => {
    full = false;
    const events = queue.splice(0, maxBatch);
    const batch = "b" + crypto.getRandomValues(new Uint32Array(4)).join("-");
    return events.length && [events.length, JSON.stringify({ batch, events }, (k, v) => (k === "at" ? new Date(v).toISOString() : v))];
  };

  const settle = (n, status) => {
    stats.queued -= n;
    if (ok(status)) {
      stats.sent += n;
      return;
    }
    stats.dropped += n;
    stats.failedBatches++;
    notify();
  };

  // One POST; resolves with the status, 0 for a network failure or a timeout (also when a
  // custom fetch throws instead of rejecting).
  const post = (body) =>
    Promise.resolve()
      .then(() => o.fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        // Lets the request outlive the page; browsers refuse keepalive bodies above 64 KiB.
        keepalive: body.length < 20_000,
        signal: AbortSignal.timeout?.(timeoutMs),
      }))
      .then((res) => (res.body?.cancel().catch(() => {}), res.status), () => 0);

  // Batch after batch; network failures, 5xx, 408 and 429 are retried with the same batch id
  // (after a jittered, doubling wait; 6 attempts at most), other answers settle the batch.
  const drain = async () => {
    for (let b, status; (b = take()); settle(b[0], status)) {
      for (let attempt = 1; [0, 408, 429].includes((status = await post(b[1]))) || status > 499; attempt++) {
        if (attempt > 5 || closed) break;
        stats.retries++;
        const wait = Math.min(minBackoffMs * 2 ** (attempt - 1), maxBackoffMs) * (0.5 + Math.random() / 2);
        // While someone awaits flush(), the wait keeps Node.js alive: the promise settles.
        await new Promise((r) => (waiting ? setTimeout(r, wait) : backgroundTimer(r, wait)));
      }
    }
  };

  let waiting = 0;
  const flush = () => (running ??= drain().catch(report).finally(() => (running = undefined)));

  // The page is hidden (maybe for good): hand every queued batch to the browser now.
  const hide = (ev) => {
    if (ev.type === "pagehide" || document.visibilityState === "hidden") {
      for (let b; (b = take()); ) {
        const [n, body] = b;
        if (beacon && navigator.sendBeacon?.(url, body)) settle(n, 200);
        else post(body).then((status) => settle(n, status));
      }
    }
  };
  if (typeof addEventListener === "function" && globalThis.document?.addEventListener) {
    addEventListener("pagehide", hide);
    document.addEventListener("visibilitychange", hide);
    off = () => (removeEventListener("pagehide", hide), document.removeEventListener("visibilitychange", hide));
  }

  return {
    stats,
    /** Sends what is queued; the returned promise settles even in Node.js with nothing else to do. */
    flush: () => {
      waiting++;
      return flush().finally(() => waiting--);
    },
    /** Queues an exposure: the evaluation path, so an object onto an array and nothing else. */
    exposure(flag, variant, ruleId, version, unit) {
      unit = unitOf(unit);
      if (unit === undefined || !wire(flag) || !wire(variant) || (ruleId != null && !wire(ruleId))) stats.invalid++;
      else push(new Exposure(flag, variant, ruleId, version, unit));
    },
    /** Queues a tracked event; input that breaks the contract is reported and counted, never thrown. */
    track(event, details, defaultUnit) {
      const { unit = defaultUnit, value } = details ?? {};
      const e = { kind: "track", event, unit: unitOf(unit), value, at: Date.now() };
      const why = !/^[\w.:-]{1,64}$/.test(typeof event === "string" ? event : "")
        ? "the name must be 1 to 64 characters A-Z a-z 0-9 _ . : -"
        : value !== undefined && !Number.isFinite(value)
          ? "value must be a finite number"
          : e.unit === undefined && "no unit (1 to 256 characters, or an integer)";
      if (!why) {
        push(e);
        return;
      }
      stats.invalid++;
      report(new EdgeflagError("INVALID_ARGUMENT", `track(${typeof event === "string" ? JSON.stringify(event) : typeof event}): ${why}`));
    },
    /** Sends what is queued (one attempt per batch), stops the timer and the page listeners. */
    close() {
      closed = true;
      clearTimeout(timer);
      off?.();
      flush();
    },
  };
}
