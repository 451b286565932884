// The queue of a client's analytics events (the events contract, browser -> worker): exposures
// and `track()` calls, checked and pushed onto a bounded array. Evaluation only pushes: JSON,
// timers and I/O are events.js's, a module of its own loaded with import() when the first event
// is queued (so a page whose flags track nothing never downloads it, and the core download
// does not carry it). What is queued meanwhile waits here and is handed over with the array.

import { EdgeflagError } from "./error.js";
import { report } from "./sync.js";

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

/**
 * The event queue of a client.
 * @param o checked client options (`o.events`: url, flushIntervalMs, maxBatch, maxQueue, beacon)
 * @param notify called (never during an evaluation) when events were dropped
 */
export function events(o, notify) {
  const { maxQueue } = o.events;
  // Shared with events.js: the counters, the array, whether a drop was announced since the
  // queue last had room (`full`), `closed`, and the sender once loaded.
  const q = { stats: zeroStats(), queue: [], full: false, closed: false, sender: undefined };
  const { stats } = q;
  let loading;

  const push = (e) => {
    if (q.closed || stats.queued >= maxQueue) {
      stats.dropped++;
      if (!q.full) queueMicrotask(notify); // once until the queue has room again
      q.full = true;
      return;
    }
    stats.queued++;
    const n = q.queue.push(e);
    if (q.sender) q.sender.pushed(n);
    // A failed load leaves the events queued (and the queue bounded): reported, not retried.
    else loading ??= import("./events.js").then((m) => (q.sender = m.sender(o, q, notify)), report);
  };

  return {
    stats,
    /** Sends what is queued (once events.js is loaded); the returned promise settles even in Node.js with nothing else to do. */
    flush: () => (loading ? loading.then(() => q.sender?.flush()) : Promise.resolve()),
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
      q.closed = true;
      q.sender?.close();
    },
  };
}
