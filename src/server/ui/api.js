// The admin API, as the UI calls it: the token lives in sessionStorage (this tab only, gone
// when it closes) and goes out as a bearer header; no cookies, so no CSRF surface. Every
// call resolves { status, ok, etag, body } and never throws for an HTTP error: the views
// show the API's own error next to the field it names.

const KEY = "edgeflag-admin-token";

/** The token of this tab, if signed in. */
export const token = () => sessionStorage.getItem(KEY);

/** Keeps `value` as this tab's token. */
export const signIn = (value) => sessionStorage.setItem(KEY, value);

/** Forgets the token. */
export const signOut = () => sessionStorage.removeItem(KEY);

/**
 * One admin request. `body` (an object) is sent as JSON; `ifMatch` as If-Match.
 * Resolves { status, ok, etag, body } (body: parsed JSON, or null); a network failure is
 * status 0 with { error: "network", message }.
 */
export async function call(method, path, { body, ifMatch, query, quiet = false } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== "") url.searchParams.set(k, v);
  const headers = { authorization: `Bearer ${token() ?? ""}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (ifMatch) headers["if-match"] = ifMatch;
  let res;
  try {
    res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    return { status: 0, ok: false, etag: null, body: { error: "network", message: String(error.message ?? error) } };
  }
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = { error: "not_json", message: text.slice(0, 200) };
  }
  // (`quiet`: the sign-in form's own check, which shows its own message.)
  if (res.status === 401 && !quiet) window.dispatchEvent(new CustomEvent("edgeflag:unauthorized"));
  return { status: res.status, ok: res.ok, etag: res.headers.get("etag"), body: parsed };
}

/** `/admin/environments/{env}` + `rest`, the environment escaped. */
export const envPath = (env, rest = "") => `/admin/environments/${encodeURIComponent(env)}${rest}`;

/** The path of one definition (`flags` or `segments`). */
export const definitionPath = (env, kind, key) => envPath(env, `/${kind}/${encodeURIComponent(key)}`);
