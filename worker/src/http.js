// Small HTTP helpers shared by the handlers: JSON responses, entity tags, bounded bodies,
// CORS for the public endpoints.

/** CORS for /ofrep and /edgeflag/snapshot: both only expose what the signed snapshot says. */
export const CORS = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "ETag",
};

/** A JSON response (`body` undefined: no body, e.g. 304). */
export function json(body, status = 200, headers = {}) {
  const h = { "cache-control": "no-store", ...headers };
  if (body === undefined) return new Response(null, { status, headers: h });
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...h } });
}

/** The answer to a CORS preflight. */
export function preflight(methods) {
  return new Response(null, {
    status: 204,
    headers: {
      ...CORS,
      "access-control-allow-methods": `${methods}, OPTIONS`,
      "access-control-allow-headers": "Content-Type, If-None-Match, Authorization, X-API-Key",
      "access-control-max-age": "86400",
    },
  });
}

/** 405 with the allowed methods. */
export function methodNotAllowed(methods) {
  return json({ errorDetails: `method not allowed; use ${methods}` }, 405, { allow: `${methods}, OPTIONS`, ...CORS });
}

/** Whether an `If-None-Match` header matches `etag` (weak comparison, lists and `*`). */
export function etagMatches(header, etag) {
  if (!header || !etag) return false;
  const strip = (t) => t.trim().replace(/^W\//, "");
  const want = strip(etag);
  return header.split(",").some((t) => t.trim() === "*" || strip(t) === want);
}

/** A short, stable digest of a string for entity tags (base64url of 96 bits of SHA-256). */
export async function digest(text) {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let bin = "";
  for (const b of bytes.subarray(0, 12)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_");
}

/**
 * Reads a request body as text, refusing more than `maxBytes`. Resolves `undefined` when
 * the body is larger.
 */
export async function readText(request, maxBytes) {
  const declared = Number(request.headers.get("content-length"));
  if (declared > maxBytes) return undefined;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** JSON text with everything outside printable ASCII escaped, so it fits in a header. */
export function asciiJson(value) {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
