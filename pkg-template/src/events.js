// Sending a client's analytics events (the events contract, browser -> worker): the queue of
// event-queue.js POSTed as `{ batch, events }` to the edge worker: on an interval, when a batch
// is full, on flush() and close(), and with navigator.sendBeacon when the page is hidden. Loaded
// with import() when the first event is queued: the core download does not carry it.

import { report } from "./sync.js";
import { backgroundTimer } from "./transport.js";

const ok = (status) => status > 199 && status < 300;

/**
 * The sender of a client's event queue.
 * @param o checked client options (`o.events`: url, flushIntervalMs, maxBatch, maxQueue, beacon)
 * @param q the queue's shared state (event-queue.js): stats, queue, full, closed
 * @param notify called (never during an evaluation) when events were dropped
 */
export function sender(o, q, notify) {
  const { url, flushIntervalMs, maxBatch, beacon } = o.events;
  const { minBackoffMs = 1000, maxBackoffMs = 300_000, timeoutMs = 10_000 } = o;
  const { stats, queue } = q;
  let timer, running, off;

  // `n` events are queued: the first starts the interval, a full batch is sent at once.
  const pushed = (n) => {
    if (n === 1 || n === maxBatch) {
      clearTimeout(timer);
      timer = backgroundTimer(flush, n > 1 ? 0 : flushIntervalMs);
    }
  };

  // The next batch off the queue, `[count, body]` with a fresh batch id and RFC 3339 times.
  const take = () => {
    q.full = false;
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
        if (attempt > 5 || q.closed) break;
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

  const close = () => {
    clearTimeout(timer);
    off?.();
    flush();
  };

  if (q.closed) {
    // close() came while this module loaded: what is queued gets its one attempt.
    flush();
  } else {
    if (typeof addEventListener === "function" && globalThis.document?.addEventListener) {
      addEventListener("pagehide", hide);
      document.addEventListener("visibilitychange", hide);
      off = () => (removeEventListener("pagehide", hide), document.removeEventListener("visibilitychange", hide));
      // Hidden while this module loaded: what is queued goes by beacon now.
      hide({});
    }
    // What was queued while this module loaded: a full batch at once, else on the interval.
    if (queue.length) pushed(queue.length < maxBatch ? 1 : maxBatch);
  }

  return {
    pushed,
    /** Sends what is queued; the returned promise settles even in Node.js with nothing else to do. */
    flush: () => {
      waiting++;
      return flush().finally(() => waiting--);
    },
    close,
  };
}
