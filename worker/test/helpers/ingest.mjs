// A real local stand-in for the owning backend's `POST /ingest/{env}/events` (node:http on a
// free loopback port): it records every request (headers and parsed body) and answers as the
// events contract says, or fails as told. Stopped by the test that started it (t.after).
import { createServer } from "node:http";

/**
 * `ingest.failures` is a queue of what the next requests get instead of a 200: a status
 * ("503", "401", "429", ...), "reset" (the connection is dropped) or "hang" (no answer). `ingest.requests` holds
 * `{ path, headers, body, status }` of every request; `ingest.batches` the bodies of the
 * acknowledged ones, once per batch id (as the backend counts them); `events()` their events.
 */
export async function startIngest(t, { key } = {}) {
  const ingest = {
    failures: [],
    requests: [],
    batches: new Map(),
    events: () => [...ingest.batches.values()].flatMap((b) => b.events),
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        body = undefined;
      }
      const entry = { path: req.url, headers: req.headers, body, status: 200 };
      ingest.requests.push(entry);
      const fault = ingest.failures.shift();
      if (fault === "hang") {
        entry.status = "hang";
        return;
      }
      if (fault === "reset") {
        entry.status = "reset";
        return req.socket.destroy();
      }
      if (fault) {
        entry.status = Number(fault);
        res.writeHead(entry.status, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: `told to fail with ${fault}` }));
      }
      if (key !== undefined && req.headers.authorization !== `Bearer ${key}`) {
        entry.status = 401;
        res.writeHead(401, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: "missing or wrong key" }));
      }
      const duplicate = ingest.batches.has(body.batch);
      if (!duplicate) ingest.batches.set(body.batch, body);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({
        batch: body.batch,
        duplicate,
        accepted: body.events.length,
        rejected: { unknownFlag: 0, unknownVariant: 0, tooOld: 0, future: 0 },
      }));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  ingest.url = `http://127.0.0.1:${server.address().port}`;
  ingest.close = () =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  t.after(() => ingest.close());
  return ingest;
}
