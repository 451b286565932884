// One bounded request for the snapshot envelope. It never hangs (a timer aborts it, body
// included) and never buffers more than the core accepts; what the answer means is decided
// by the wasm core's sync machine, not here.

const EMPTY = new Uint8Array(0);

/**
 * Fetches the envelope. Resolves `{ status, etag, body }` with at most `maxBytes + 1` body
 * bytes (one more than allowed is enough for the core to refuse it as TOO_LARGE); rejects
 * with `"timeout"` or `"network"` (the sync machine's failure kinds).
 */
export async function fetchEnvelope(url, { ifNoneMatch, timeoutMs }, maxBytes) {
  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctrl.abort();
  }, timeoutMs);
  try {
    const headers = { accept: "application/json" };
    if (ifNoneMatch) headers["if-none-match"] = ifNoneMatch;
    const res = await fetch(url, { headers, signal: ctrl.signal });
    let body = EMPTY;
    if (res.status === 200) body = await readCapped(res.body, maxBytes);
    else await res.body?.cancel().catch(() => {});
    return { status: res.status, etag: res.headers.get("etag") ?? undefined, body };
  } catch {
    throw timedOut ? "timeout" : "network";
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a body, stopping one byte past `maxBytes`. */
export async function readCapped(stream, maxBytes) {
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
