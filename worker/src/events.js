// POST /edgeflag/events: the browser's exposures and tracked events, validated, checked
// against the flags and variants of the current verified snapshot, and queued for the owning
// backend (pipeline.js). Accepts application/json and text/plain (navigator.sendBeacon).
//
//   {"batch": "<8..64 of [A-Za-z0-9_-]>", "events": [
//     {"kind":"exposure","flag":"checkout","variant":"b","ruleId":"beta"|null,"version":12,"unit":"u1","at":"..."},
//     {"kind":"track","event":"purchase","unit":"u1","value":42.5,"at":"..."}]}
//
// 202 {"batch", "accepted", "rejected": {"unknownFlag", "unknownVariant"}}; 400 naming the field
// path (the batch is dropped whole); 413 over 500 events or 256 KiB; 404 without INGEST_KEY
// (events are not set up); 503 before the first verified snapshot (nothing is stored then).

import { catalogFor } from "./catalog.js";
import { CORS, json, methodNotAllowed, preflight, readText } from "./http.js";
import { pipelineFor } from "./pipeline.js";

export const EVENTS_PATH = "/edgeflag/events";
export const MAX_EVENTS_PER_BATCH = 500;
export const MAX_EVENTS_BODY_BYTES = 256 * 1024;
/** Answers to recent batch ids, so a batch sent twice (fetch, then sendBeacon) is queued once per isolate. */
const RECENT_BATCHES = 1000;

const BATCH_ID = /^[A-Za-z0-9_-]{8,64}$/;
const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TYPES = new Set(["application/json", "text/plain", ""]);

const recent = new Map();

export async function handleEvents(request, cfg, flags) {
  if (request.method === "OPTIONS") return preflight("POST");
  if (request.method !== "POST") return methodNotAllowed("POST");
  const pipeline = pipelineFor(cfg);
  // 404, not 503: a page's client retries 5xx (six times per batch), and this is no outage
  // but a route that is not set up; clients drop the batch once and count it.
  if (!pipeline) return json({ error: cfg.eventsProblem }, 404, CORS);
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (!TYPES.has(type)) {
    return json({ error: "Content-Type must be application/json or text/plain (navigator.sendBeacon)" }, 415, CORS);
  }
  const text = await readText(request, MAX_EVENTS_BODY_BYTES);
  if (text === undefined) return json({ error: `body: larger than 256 KiB (${MAX_EVENTS_BODY_BYTES} bytes)` }, 413, CORS);
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    return json({ error: 'body: not JSON; expected {"batch": "...", "events": [...]}' }, 400, CORS);
  }
  const parsed = parseBatch(body);
  if (parsed.error) return json({ error: parsed.error }, parsed.status, CORS);
  const { batch, events } = parsed;

  const seen = recent.get(batch);
  if (seen) return json(seen, 202, CORS);

  const { store, error } = await flags();
  if (error) return json({ error: `edgeflag worker misconfigured (see /edgeflag/health): ${error}` }, 500, CORS);
  const catalog = catalogFor(store);
  if (!catalog) {
    const why = store.lastError ? ` (${store.lastError.code})` : "";
    return json(
      { error: `no verified flag snapshot yet${why}: exposures cannot be checked, nothing was stored; send the batch again later` },
      503,
      { ...CORS, "retry-after": "5" },
    );
  }
  // The same batch may have arrived while this one waited for the snapshot (fetch, then
  // sendBeacon): from here to recent.set nothing awaits, so only one of them is queued.
  const again = recent.get(batch);
  if (again) return json(again, 202, CORS);
  const rejected = { unknownFlag: 0, unknownVariant: 0 };
  const known = [];
  for (const e of events) {
    if (e.kind === "exposure") {
      const variants = catalog.variants(e.flag);
      if (!variants) {
        rejected.unknownFlag++;
        continue;
      }
      if (!variants.has(e.variant)) {
        rejected.unknownVariant++;
        continue;
      }
    }
    known.push(e);
  }
  const accepted = pipeline.add(known);
  pipeline.stats.accepted += accepted;
  pipeline.stats.rejected.unknownFlag += rejected.unknownFlag;
  pipeline.stats.rejected.unknownVariant += rejected.unknownVariant;
  const answer = { batch, accepted, rejected };
  if (recent.size >= RECENT_BATCHES) recent.delete(recent.keys().next().value);
  recent.set(batch, answer);
  return json(answer, 202, CORS);
}

/**
 * `{ batch, events }` (each event rebuilt with the contract's fields only) or `{ status,
 * error }`: 413 for too many events, 400 naming the first wrong field's path.
 */
export function parseBatch(body) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return bad('body: expected an object {"batch": "...", "events": [...]}');
  }
  if (typeof body.batch !== "string" || !BATCH_ID.test(body.batch)) {
    return bad("batch: expected a string of 8 to 64 characters [A-Za-z0-9_-]");
  }
  if (!Array.isArray(body.events)) return bad("events: expected an array");
  if (body.events.length > MAX_EVENTS_PER_BATCH) {
    return { status: 413, error: `events: at most ${MAX_EVENTS_PER_BATCH} events per batch (got ${body.events.length})` };
  }
  const events = [];
  for (let i = 0; i < body.events.length; i++) {
    const r = parseEvent(body.events[i], `events[${i}]`);
    if (typeof r === "string") return bad(r);
    events.push(r);
  }
  return { batch: body.batch, events };
}

function parseEvent(e, at) {
  if (typeof e !== "object" || e === null || Array.isArray(e)) return `${at}: expected an object`;
  const unit = text(e.unit, 256);
  const time = validTime(e.at);
  if (e.kind === "exposure") {
    const flag = text(e.flag, 256);
    if (flag === undefined) return `${at}.flag: expected a string of 1 to 256 characters`;
    const variant = text(e.variant, 256);
    if (variant === undefined) return `${at}.variant: expected a string of 1 to 256 characters`;
    const ruleId = e.ruleId ?? null;
    if (ruleId !== null && text(ruleId, 256) === undefined) return `${at}.ruleId: expected a string of 1 to 256 characters, or null`;
    if (!Number.isSafeInteger(e.version) || e.version < 0) return `${at}.version: expected a whole number >= 0`;
    if (unit === undefined) return `${at}.unit: expected a string of 1 to 256 characters`;
    if (time === undefined) return `${at}.at: ${TIME_EXPECTED}`;
    return { kind: "exposure", flag, variant, ruleId, version: e.version, unit, at: time };
  }
  if (e.kind === "track") {
    if (typeof e.event !== "string" || !EVENT_NAME.test(e.event)) {
      return `${at}.event: expected a name of 1 to 64 characters [A-Za-z0-9_.:-]`;
    }
    if (unit === undefined) return `${at}.unit: expected a string of 1 to 256 characters`;
    if (e.value !== undefined && (typeof e.value !== "number" || !Number.isFinite(e.value))) {
      return `${at}.value: expected a finite number`;
    }
    if (time === undefined) return `${at}.at: ${TIME_EXPECTED}`;
    const out = { kind: "track", event: e.event, unit };
    if (e.value !== undefined) out.value = e.value;
    out.at = time;
    return out;
  }
  return `${at}.kind: expected "exposure" or "track"`;
}

const TIME_EXPECTED = 'expected an RFC 3339 UTC time with milliseconds, e.g. "2026-12-07T20:41:03.512Z"';

// What the backend accepts, exactly: an event it would refuse would make it refuse the whole
// forwarded batch, everyone's events with it. Strings must be well-formed UTF-16 (a lone
// surrogate cannot be written as UTF-8); an instant must be a real one (Date.parse takes
// "2026-02-30T00:00:00.000Z" and hour 24), which the round trip through toISOString checks.
function text(v, max) {
  return typeof v === "string" && v.length >= 1 && v.length <= max && v.isWellFormed() ? v : undefined;
}

function validTime(v) {
  if (typeof v !== "string" || !TIME.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) && new Date(ms).toISOString() === v ? v : undefined;
}

function bad(error) {
  return { status: 400, error };
}
