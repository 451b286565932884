// A real local snapshot endpoint (node:http on a free port) whose behaviour tests change at
// will: serve an envelope with an ETag (and 304s), fail in chosen ways, or stream with SSE.
import { createServer } from "node:http";
import { createHash } from "node:crypto";

/**
 * Starts a server. `srv.envelope` is what it serves; `srv.fault` switches to a failure:
 * `"500"`, `"401"`, `"404"`, `"slow"` (answers after `srv.slowMs`), `"truncated"` (promises
 * more bytes than it sends, then hangs up), `"cut"` (a clean response with half the body),
 * `"oversized"` (`srv.oversizedBytes` of padding), `"json-only"` (ignores SSE requests).
 * `srv.requests` records every request; `srv.push(envelope)` sends an SSE `snapshot` event to
 * every open stream.
 */
export async function startServer() {
  const streams = new Set();
  const srv = {
    envelope: undefined,
    fault: undefined,
    slowMs: 2000,
    oversizedBytes: 2 * 1024 * 1024,
    requests: [],
    streams,
    push(envelope) {
      for (const res of streams) res.write(`event: snapshot\ndata: ${envelope}\n\n`);
    },
    endStreams() {
      for (const res of streams) res.end();
      streams.clear();
    },
  };
  const server = createServer((req, res) => {
    srv.requests.push({ url: req.url, headers: req.headers });
    const body = srv.envelope ?? "";
    const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
    const sse = (req.headers.accept ?? "").includes("text/event-stream");
    if (sse && srv.fault !== "json-only") {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
      res.write(": hello\n\n");
      if (srv.envelope) res.write(`event: snapshot\ndata: ${srv.envelope}\n\n`);
      streams.add(res);
      req.on("close", () => streams.delete(res));
      return;
    }
    switch (srv.fault) {
      case "500":
      case "401":
      case "403":
      case "404":
        res.writeHead(Number(srv.fault), { "content-type": "text/plain" });
        return res.end("nope");
      case "slow":
        return setTimeout(() => res.headersSent || res.destroyed || res.end(body), srv.slowMs).unref();
      case "truncated":
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.write(body.slice(0, body.length >> 1));
        return setTimeout(() => res.socket?.destroy(), 20).unref();
      case "cut":
        res.writeHead(200, { "content-type": "application/json", etag: '"cut"' });
        return res.end(body.slice(0, body.length >> 1));
      case "oversized":
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(`{"payloadType":"${" ".repeat(srv.oversizedBytes)}"}`);
    }
    if (!srv.envelope) {
      res.writeHead(503);
      return res.end();
    }
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, { etag });
      return res.end();
    }
    res.writeHead(200, { "content-type": "application/json", etag });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  srv.url = `http://127.0.0.1:${server.address().port}/snapshot`;
  srv.close = () =>
    new Promise((resolve) => {
      srv.endStreams();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return srv;
}

/** A URL on which nothing listens (the port was just freed). */
export async function closedPortUrl() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/snapshot`;
  await new Promise((resolve) => server.close(resolve));
  return url;
}

/** Resolves with the next event of `type` from `client` (rejects after `ms`). */
export function nextEvent(client, type, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`no "${type}" event within ${ms} ms`))), ms);
    const off = client.on(type, (e) => {
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

/** Waits until `predicate()` holds (polling every 10 ms), failing after `ms`. */
export async function until(predicate, ms = 5000, what = "condition") {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A Map-backed storage with the localStorage interface, recording calls. */
export function memoryStorage(initial = {}) {
  const map = new Map(Object.entries(initial));
  return {
    map,
    calls: [],
    getItem(k) {
      this.calls.push(["getItem", k]);
      return map.has(k) ? map.get(k) : null;
    },
    setItem(k, v) {
      this.calls.push(["setItem", k]);
      map.set(k, String(v));
    },
    removeItem(k) {
      this.calls.push(["removeItem", k]);
      map.delete(k);
    },
  };
}
