// GET /edgeflag/snapshot: the signed envelope exactly as the owning backend sent it, for
// browsers that verify and evaluate on their own. The worker can cache it, never forge it:
// it serves the verified bytes and nothing else.

import { CORS, etagMatches, json, methodNotAllowed, preflight } from "./http.js";

/** Serves the envelope with an ETag (304 on a match) and a short public Cache-Control. */
export async function handleSnapshot(request, cfg, flags) {
  if (request.method === "OPTIONS") return preflight("GET, HEAD");
  if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed("GET, HEAD");
  const { store, error } = await flags();
  if (error) return json({ error: `edgeflag worker misconfigured (see /edgeflag/health): ${error}` }, 500, CORS);
  const c = store.current;
  if (!c) {
    return json({ error: "no verified snapshot yet", lastError: store.lastError ?? null }, 503, { ...CORS, "retry-after": "5" });
  }
  const headers = {
    ...CORS,
    etag: c.etag,
    // A browser's HTTP cache may answer for one refresh interval; the worker itself is at
    // most that much behind the origin.
    "cache-control": `public, max-age=${Math.floor(cfg.refreshSeconds)}`,
    "x-edgeflag-version": String(c.version),
  };
  if (etagMatches(request.headers.get("if-none-match"), c.etag)) return new Response(null, { status: 304, headers });
  return new Response(request.method === "HEAD" ? null : c.envelope, {
    headers: { "content-type": "application/json", ...headers },
  });
}
