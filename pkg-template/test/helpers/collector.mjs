// A real local events endpoint (node:http on a free port) standing in for the edge worker's
// POST /edgeflag/events (the worker's own suite tests the real one): it records every request
// and answers 202 `{ batch, accepted }`, or the statuses queued in `collector.statuses`.
import { createServer } from "node:http";

/**
 * Starts the endpoint. `collector.url` is its events URL; `collector.requests` records every
 * POST as `{ path, contentType, text, body, status }` (`body` parsed, `undefined` if it is not
 * JSON); `collector.statuses` are answered first, one per request, then `collector.status`
 * (202). `fallback(req, res)` serves any other request (a page, the package's files).
 */
export async function startCollector(t, fallback) {
  const collector = { requests: [], statuses: [], status: 202 };
  const server = createServer((req, res) => {
    const path = req.url.split("?")[0];
    if (req.method !== "POST" || path !== "/edgeflag/events") {
      if (fallback) return fallback(req, res, path);
      return res.writeHead(404).end();
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const status = collector.statuses.length ? collector.statuses.shift() : collector.status;
      collector.requests.push({ path, contentType: req.headers["content-type"], text, body, status });
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(status === 202 ? { batch: body?.batch, accepted: body?.events?.length ?? 0, rejected: { unknownFlag: 0, unknownVariant: 0 } } : { error: `status ${status}` }));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  collector.origin = `http://127.0.0.1:${server.address().port}`;
  collector.url = `${collector.origin}/edgeflag/events`;
  /** The events of every batch answered 202, in order. */
  collector.accepted = () => collector.requests.filter((r) => r.status === 202).flatMap((r) => r.body.events);
  t.after(() => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return collector;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Checks a request body against the contract (browser -> worker): `{ batch, events }`, at
 * most 500 events, each an exposure or a track event with exactly the contract's fields.
 * Returns the list of problems (empty when it conforms).
 */
export function contractProblems(body) {
  const problems = [];
  const bad = (path, what) => problems.push(`${path}: ${what}`);
  if (typeof body !== "object" || body === null) return ["body: expected an object"];
  const keys = Object.keys(body).sort().join(",");
  if (keys !== "batch,events") bad("body", `keys ${keys}`);
  if (typeof body.batch !== "string" || !/^[A-Za-z0-9_-]{8,64}$/.test(body.batch)) bad("batch", `expected 8..64 chars [A-Za-z0-9_-], got ${body.batch}`);
  if (!Array.isArray(body.events) || body.events.length === 0 || body.events.length > 500) return [...problems, "events: expected 1..500 events"];
  body.events.forEach((e, i) => {
    const at = `events[${i}]`;
    const unitOk = typeof e.unit === "string" && e.unit.length >= 1 && e.unit.length <= 256;
    if (!unitOk) bad(`${at}.unit`, "expected a string of 1..256 chars");
    if (typeof e.at !== "string" || !ISO.test(e.at)) bad(`${at}.at`, `expected RFC 3339 UTC with milliseconds, got ${e.at}`);
    if (e.kind === "exposure") {
      const k = Object.keys(e).sort().join(",");
      if (k !== "at,flag,kind,ruleId,unit,variant,version") bad(at, `exposure keys ${k}`);
      if (typeof e.flag !== "string" || typeof e.variant !== "string") bad(at, "flag and variant must be strings");
      if (e.ruleId !== null && typeof e.ruleId !== "string") bad(`${at}.ruleId`, "expected a string or null");
      if (!Number.isInteger(e.version)) bad(`${at}.version`, "expected an integer");
    } else if (e.kind === "track") {
      const k = Object.keys(e).filter((x) => x !== "value").sort().join(",");
      if (k !== "at,event,kind,unit") bad(at, `track keys ${k}`);
      if (typeof e.event !== "string" || !NAME.test(e.event)) bad(`${at}.event`, "expected 1..64 chars [A-Za-z0-9_.:-]");
      if ("value" in e && !Number.isFinite(e.value)) bad(`${at}.value`, "expected a finite number");
    } else bad(`${at}.kind`, `unknown kind ${e.kind}`);
  });
  return problems;
}
