// The evaluation context of a page request in middleware mode: the user's id (header, then
// cookie, else a fresh random id the response stores in a cookie), where the request comes
// from (request.cf) and a few request headers. Everything here comes from the client, so
// flags are targeting, never authorisation.

/** Cookie that keeps an anonymous user's id (and so rollouts and canary assignment) stable. */
export const UID_COOKIE = "edgeflag-uid";
/** Header an upstream or API client may use to name the user instead of the cookie. */
export const UID_HEADER = "x-user-id";
const UID_MAX_AGE_SECONDS = 400 * 86_400; // the longest browsers keep a cookie
// Visible ASCII except what a cookie value cannot hold.
const UID_PATTERN = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]{1,200}$/;

/** `{ uid, fresh }`: the user's id, and whether it was just made up (set the cookie). */
export function userId(request) {
  const header = request.headers.get(UID_HEADER)?.trim();
  if (header && UID_PATTERN.test(header)) return { uid: header, fresh: false };
  const cookie = readCookie(request.headers.get("cookie"), UID_COOKIE);
  if (cookie && UID_PATTERN.test(cookie)) return { uid: cookie, fresh: false };
  return { uid: crypto.randomUUID(), fresh: true };
}

/** The Set-Cookie value that stores a fresh id. */
export function uidCookie(uid, url) {
  const secure = url.protocol === "https:" ? "; Secure" : "";
  return `${UID_COOKIE}=${uid}; Path=/; Max-Age=${UID_MAX_AGE_SECONDS}; SameSite=Lax; HttpOnly${secure}`;
}

/**
 * `{ targetingKey, country, region, city, asn, colo, ip, userAgent, language, host, path }`,
 * each attribute only when the request has it.
 */
export function requestContext(request, url, uid) {
  const ctx = { targetingKey: uid };
  const cf = request.cf ?? {};
  for (const k of ["country", "region", "city", "colo"]) {
    if (typeof cf[k] === "string" && cf[k] !== "") ctx[k] = cf[k];
  }
  if (Number.isInteger(cf.asn)) ctx.asn = cf.asn;
  const h = request.headers;
  const ip = h.get("cf-connecting-ip");
  if (ip) ctx.ip = ip;
  const ua = h.get("user-agent");
  if (ua) ctx.userAgent = ua.slice(0, 512);
  const language = h.get("accept-language")?.split(",")[0]?.split(";")[0]?.trim();
  if (language && language !== "*") ctx.language = language;
  ctx.host = url.hostname;
  ctx.path = url.pathname;
  return ctx;
}

function readCookie(header, name) {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
