// The Server-Sent Events stream of snapshots (`stream` option): a module of its own, loaded with
// import() when a client connects, so that the core download carries it only for clients that
// stream (most poll).

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
