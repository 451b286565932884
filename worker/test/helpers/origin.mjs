// A real local origin (node:http on a free loopback port): it serves signed snapshot
// envelopes on /snapshot (ETag, 304) with injectable faults, and a small site for middleware
// mode. Every origin a test starts is stopped by that test (t.after).
import { createServer } from "node:http";
import { createHash } from "node:crypto";

/**
 * `origin.envelope` is what /snapshot serves; `origin.fault` makes it fail: "500", "404",
 * "slow" (answers after `slowMs`), "truncated" (promises more bytes than it sends, then hangs
 * up), "cut" (a clean 200 with half the body), "oversized" (`oversizedBytes` of JSON),
 * "reset" (drops the connection). `down()` / `up()` stop and restart listening on the same
 * port. `snapshotRequests` and `pageRequests` record what arrived. `pageFault` (a status,
 * e.g. "500") makes every page answer that status.
 */
export async function startOrigin(t, { name = "origin", envelope } = {}) {
  const streams = new Set();
  const origin = {
    name,
    envelope,
    fault: undefined,
    pageFault: undefined,
    slowMs: 8000,
    oversizedBytes: 5 * 1024 * 1024,
    snapshotRequests: [],
    pageRequests: [],
    /** Lets a pending /stream response send its second half. */
    release() {
      for (const finish of streams) finish();
      streams.clear();
    },
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://origin");
    if (url.pathname === "/snapshot") return snapshot(origin, req, res);
    origin.pageRequests.push({ method: req.method, url: req.url, headers: req.headers });
    site(origin, url, req, res, streams);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  origin.url = `http://127.0.0.1:${port}`;
  origin.snapshotUrl = `${origin.url}/snapshot`;
  origin.down = () =>
    new Promise((resolve) => {
      origin.release();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  origin.up = () => new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  origin.close = async () => {
    if (server.listening) await origin.down();
  };
  t.after(() => origin.close());
  return origin;
}

function snapshot(origin, req, res) {
  origin.snapshotRequests.push({ headers: req.headers, at: Date.now() });
  const body = origin.envelope ?? "";
  const etag = `"${createHash("sha256").update(body).digest("hex").slice(0, 16)}"`;
  switch (origin.fault) {
    case "500":
    case "404":
      res.writeHead(Number(origin.fault), { "content-type": "text/plain" });
      return res.end("nope");
    case "reset":
      return req.socket.destroy();
    case "slow":
      return setTimeout(() => res.destroyed || res.end(body), origin.slowMs).unref();
    case "truncated":
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.write(body.slice(0, body.length >> 1));
      return setTimeout(() => res.socket?.destroy(), 20).unref();
    case "cut":
      res.writeHead(200, { "content-type": "application/json", etag: '"cut"' });
      return res.end(body.slice(0, body.length >> 1));
    case "oversized":
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(`{"payloadType":"${" ".repeat(origin.oversizedBytes)}"}`);
  }
  if (!origin.envelope) {
    res.writeHead(503);
    return res.end();
  }
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, { etag });
    return res.end();
  }
  res.writeHead(200, { "content-type": "application/json", etag, "cache-control": "no-cache" });
  res.end(body);
}

function site(origin, url, req, res, streams) {
  const html = { "content-type": "text/html; charset=utf-8", "x-origin-name": origin.name };
  if (origin.pageFault) {
    res.writeHead(Number(origin.pageFault), { "content-type": "text/plain", "x-origin-name": origin.name });
    return res.end(`${origin.name} told to fail`);
  }
  switch (url.pathname) {
    case "/page":
      res.writeHead(200, { ...html, etag: '"page"', "cache-control": "public, max-age=60" });
      return res.end(`<!doctype html><html><head><title>${origin.name}</title></head><body><h1>${origin.name}</h1></body></html>`);
    case "/nohead":
      res.writeHead(200, html);
      return res.end(`<html><body><p>${origin.name} without head</p></body></html>`);
    case "/fragment":
      res.writeHead(200, html);
      return res.end(`<p>${origin.name} fragment</p>`);
    case "/stream": {
      // The first half now, the second only when the test releases it: a proxy that buffers
      // would deliver nothing until then.
      const type = url.searchParams.get("type") ?? "text/html";
      res.writeHead(200, { "content-type": type, "x-origin-name": origin.name });
      res.write(type === "text/html" ? "<html><head></head><body><p>part 1</p>" : "part 1\n");
      const finish = () => res.end(type === "text/html" ? "<p>part 2</p></body></html>" : "part 2\n");
      streams.add(finish);
      return;
    }
    case "/data.json":
      res.writeHead(200, { "content-type": "application/json", "x-origin-name": origin.name, etag: '"data"' });
      return res.end(JSON.stringify({ origin: origin.name }));
    case "/echo": {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "x-origin-name": origin.name });
        res.end(JSON.stringify({ origin: origin.name, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() }));
      });
      return;
    }
    case "/redirect":
      res.writeHead(302, { location: "/page", "x-origin-name": origin.name });
      return res.end();
    case "/broken":
      res.writeHead(500, { "content-type": "text/plain", "x-origin-name": origin.name });
      return res.end("the origin itself failed");
  }
  res.writeHead(404, { "content-type": "text/plain", "x-origin-name": origin.name });
  res.end("not found");
}

/** Waits until `predicate()` (may be async) holds, polling every 20 ms; fails after `ms`. */
export async function until(predicate, ms = 10_000, what = "condition") {
  const end = Date.now() + ms;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
