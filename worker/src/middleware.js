// Middleware mode (ORIGIN_URL set): every other request goes to the origin (or the canary
// origin) with this user's evaluated flags in a request header; HTML pages coming back get the
// bootstrap. Bodies stream both ways. Flags can only add to a request: when they fail, the
// request is proxied without them, so flags never turn a page into a 5xx.

import { bootstrapScript, injectBootstrap, isHtml } from "./bootstrap.js";
import { pickOrigin } from "./canary.js";
import { requestContext, uidCookie, userId } from "./context.js";
import { catalogFor } from "./catalog.js";
import { asciiJson } from "./http.js";
import { recordRequest, routedVariants } from "./metrics.js";
import { applyOverrides, requestOverrides } from "./overrides.js";

/** Request header with the evaluated flags, compact JSON `{ key: value }` in ASCII. */
export const FLAGS_HEADER = "x-edgeflag-flags";
/** Largest FLAGS_HEADER value; flags that do not fit are left out (FLAGS_HEADER-truncated: 1). */
export const MAX_FLAGS_HEADER_BYTES = 8192;

/**
 * Proxies a request to the origin chosen for this user. With events configured, the request
 * is also counted under the variants it was served (metrics.js), after the origin answered.
 */
export async function handleMiddleware(request, url, cfg, flags) {
  const { uid, fresh } = userId(request);
  const evaluated = await evaluate(request, url, uid, flags, requestOverrides(request, url, cfg));
  const { url: base, route } = pickOrigin(cfg, evaluated?.all);
  const headers = { "x-edgeflag-user": uid, "x-edgeflag-route": route, "x-edgeflag-status": evaluated?.status ?? "NOT_READY" };
  if (evaluated) {
    const { value, truncated } = flagsHeader(evaluated.values);
    headers[FLAGS_HEADER] = value;
    headers["x-edgeflag-version"] = String(evaluated.version);
    if (truncated) headers[`${FLAGS_HEADER}-truncated`] = "1";
  }
  const served = routedVariants(cfg, evaluated);
  const started = Date.now();
  let res;
  try {
    res = await fetch(upstream(request, url, base, headers));
  } catch (e) {
    console.error("edgeflag: the origin did not answer", e);
    recordRequest(cfg, served, evaluated, uid, 502, Date.now() - started);
    return new Response("Bad gateway: the origin did not answer.\n", { status: 502, headers: { "content-type": "text/plain" } });
  }
  recordRequest(cfg, served, evaluated, uid, res.status, Date.now() - started);
  return personalize(res, evaluated, fresh ? uid : undefined, url);
}

/**
 * Evaluates every flag for this request (with its `overrides`, if allowed and any): `{ all,
 * values, version, status, envelope, context, catalog }`, or undefined when no verified
 * snapshot is loaded (or anything about flags failed).
 */
export async function evaluate(request, url, uid, flags, overrides) {
  try {
    const { store } = await flags();
    if (!store?.current) return undefined;
    const context = requestContext(request, url, uid);
    const compiled = store.evaluator.context(context);
    try {
      // One synchronous block: values, version and envelope belong to the same snapshot.
      const all = applyOverrides(store.evaluator.all(compiled), overrides);
      const { version, envelope } = store.current;
      const values = {};
      for (const [key, d] of Object.entries(all)) if (!d.errorCode) values[key] = d.value;
      return { all, values, version, envelope, context, status: store.status, catalog: catalogFor(store) };
    } finally {
      compiled.free();
    }
  } catch (e) {
    console.error("edgeflag: evaluating flags for a page failed; proxying without them", e);
    return undefined;
  }
}

/** Adds the bootstrap to HTML and the id cookie for a new user; other bodies pass untouched. */
export function personalize(res, evaluated, newUid, url) {
  // A switched protocol (WebSocket) goes back exactly as it came.
  if (res.status === 101 || res.webSocket) return res;
  let out = res;
  if (evaluated && isHtml(res)) {
    out = injectBootstrap(res, bootstrapScript(evaluated.envelope, evaluated.values, evaluated.context));
  }
  if (newUid) {
    if (out === res) out = new Response(res.body, res);
    out.headers.append("set-cookie", uidCookie(newUid, url));
  }
  return out;
}

/** `{ value, truncated }`: as many flags as fit in MAX_FLAGS_HEADER_BYTES, in snapshot order. */
export function flagsHeader(values) {
  const parts = [];
  let size = 2;
  let truncated = false;
  for (const [key, value] of Object.entries(values)) {
    const part = `${asciiJson(key)}:${asciiJson(value)}`;
    if (size + part.length + (parts.length ? 1 : 0) > MAX_FLAGS_HEADER_BYTES) {
      truncated = true;
      continue;
    }
    size += part.length + (parts.length ? 1 : 0);
    parts.push(part);
  }
  return { value: `{${parts.join(",")}}`, truncated };
}

/**
 * The request to the origin: same method, path, query, headers and (streamed) body, minus
 * any `x-edgeflag-*` header the client sent (only the worker may set those), plus ours.
 * Redirects are passed to the browser, not followed.
 */
function upstream(request, url, base, extra) {
  const target = new URL(base.href);
  target.pathname = base.pathname.replace(/\/$/, "") + url.pathname;
  target.search = url.search;
  const headers = new Headers(request.headers);
  for (const name of [...headers.keys()]) if (name.startsWith("x-edgeflag-")) headers.delete(name);
  headers.set("x-forwarded-host", url.host);
  headers.set("x-forwarded-proto", url.protocol.replace(":", ""));
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Request(target, { method: request.method, headers, body: request.body, redirect: "manual" });
}
