// The network side of the client: one bounded request (the Server-Sent Events stream is
// stream.js's, loaded only by clients that stream). Both cap what they buffer, so a hostile or
// broken server cannot exhaust memory; neither decides anything (the wasm core verifies and
// decides).

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
