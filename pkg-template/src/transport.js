// The network side of the client: one bounded request, and a Server-Sent Events stream read
// over fetch. Both cap what they buffer, so a hostile or broken server cannot exhaust memory;
// neither decides anything (the wasm core verifies and decides).

const EMPTY = new Uint8Array(0);

/** Calls `setTimeout` and lets the timer not keep a Node.js process alive. */
export function backgroundTimer(fn, ms) {
  const t = setTimeout(fn, Math.min(Math.max(0, ms), 2 ** 31 - 1));
  if (typeof t === "object" && typeof t.unref === "function") t.unref();
  return t;
}

/**
 * One snapshot request. Resolves `{ status, etag, body }` with at most `maxBytes + 1` body
 * bytes (one more than allowed is enough for the core to refuse it as too large); rejects with
 * `"timeout"`, `"aborted"` or `"network"` (the sync machine's failure kinds). Exported as
 * `edgeflag/transport` for hosts that drive an `Evaluator` themselves, such as edge workers.
 */
export async function request(fetch, url, { ifNoneMatch, timeoutMs, maxBytes, signal }) {
  const ctrl = new AbortController();
  let timedOut = false;
  const timer = backgroundTimer(() => ((timedOut = true), ctrl.abort()), timeoutMs);
  const stop = () => ctrl.abort();
  signal?.addEventListener("abort", stop);
  try {
    const headers = { accept: "application/json" };
    if (ifNoneMatch) headers["if-none-match"] = ifNoneMatch;
    const res = await fetch(url, { headers, signal: ctrl.signal });
    let body = EMPTY;
    if (res.status === 200) body = await readCapped(res.body, maxBytes);
    else await res.body?.cancel().catch(() => {});
    return { status: res.status, etag: res.headers.get("etag") ?? undefined, body };
  } catch {
    throw timedOut ? "timeout" : signal?.aborted ? "aborted" : "network";
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", stop);
  }
}

async function readCapped(stream, maxBytes) {
  if (!stream) return EMPTY;
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > maxBytes) {
      reader.cancel().catch(() => {});
      break;
    }
  }
  const out = new Uint8Array(Math.min(size, maxBytes + 1));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, out.length - at);
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Reads a text/event-stream and calls `onEnvelope(data)` for each `snapshot` event (or an
 * unnamed one). `onOpen()` when the stream is established; `onEnd(reason)` once when it ends:
 * `"unsupported"` (the server answered without an event stream), `"ended"` or `"failed"`.
 * Returns a function that closes the stream.
 */
export function openStream(fetch, url, { maxBytes, onOpen, onEnvelope, onEnd }) {
  const ctrl = new AbortController();
  (async () => {
    let reason = "failed";
    try {
      const res = await fetch(url, { headers: { accept: "text/event-stream" }, signal: ctrl.signal });
      const type = res.headers.get("content-type") || "";
      if (!res.ok || !type.toLowerCase().startsWith("text/event-stream") || !res.body) {
        await res.body?.cancel().catch(() => {});
        reason = "unsupported";
        return;
      }
      onOpen();
      await readEvents(res.body, maxBytes, onEnvelope);
      reason = "ended";
    } catch {
      reason = "failed";
    } finally {
      if (!ctrl.signal.aborted) onEnd(reason);
    }
  })();
  return () => ctrl.abort();
}

// The event-stream grammar (HTML Living Standard, "Server-sent events"): lines end in CRLF, LF
// or CR; a blank line dispatches; `data` lines accumulate; lines starting with ":" are comments.
async function readEvents(body, maxBytes, onEnvelope) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let name = "";
  let data = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buf += value;
    let start = 0;
    for (;;) {
      const lf = buf.indexOf("\n", start);
      const cr = buf.indexOf("\r", start);
      const end = cr >= 0 && (lf < 0 || cr < lf) ? cr : lf;
      // A CR at the end of the buffer may be the first half of a CRLF: wait for more.
      if (end < 0 || (end === cr && end === buf.length - 1)) break;
      const line = buf.slice(start, end);
      start = end + (buf[end] === "\r" && buf[end + 1] === "\n" ? 2 : 1);
      if (line === "") {
        if (data.length && (name === "" || name === "snapshot")) onEnvelope(data.join("\n"));
        name = "";
        data = [];
        size = 0;
      } else if (line[0] !== ":") {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let v = colon < 0 ? "" : line.slice(colon + 1);
        if (v[0] === " ") v = v.slice(1);
        if (field === "event") name = v;
        else if (field === "data") {
          data.push(v);
          size += v.length;
        }
      }
    }
    buf = buf.slice(start);
    if (size + buf.length > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new Error("event larger than maxBytes");
    }
  }
}
