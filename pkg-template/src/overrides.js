// Local overrides for development: `key:value` pairs, comma-separated, from a `?edgeflag=`
// URL parameter or localStorage in the browser, a cookie at the edge worker. One format
// everywhere (the client, the dev panel, the worker): parts split on `,`, key and value on the first `:`, then each
// percent-decoded, so `banner:Hello%2C%20world` carries a comma. A value reads as JSON
// (`true`, `3`, `{"cols":2}`, `"quoted"`) when it parses as JSON, else as a string; where a
// string flag gets a value that parsed as something else, the text is served as typed.

/** The URL parameter overrides are read from. */
export const OVERRIDES_NAME = "edgeflag";
/** The localStorage key overrides are read from. */
export const OVERRIDES_STORAGE_KEY = "edgeflag:overrides";
/** The cookie the edge worker reads overrides from (the format, percent-encoded once more). */
export const OVERRIDES_COOKIE = "edgeflag-overrides";

/**
 * Parses `key:value,...`: `{ values: Map(key -> { value, text }), malformed: [part, ...] }`.
 * Malformed parts (no `:`, an empty key, bad percent-encoding) are left out, never thrown.
 */
export function parseOverrides(text) {
  const values = new Map();
  const malformed = [];
  for (const part of String(text ?? "").split(",")) {
    if (part.trim() === "") continue;
    const colon = part.indexOf(":");
    const key = colon > 0 ? decode(part.slice(0, colon)) : undefined;
    const raw = colon > 0 ? decode(part.slice(colon + 1)) : undefined;
    if (!key || raw === undefined) malformed.push(part);
    else values.set(key, { value: valueOf(raw), text: raw });
  }
  return { values, malformed };
}

/** `{ key: value }` (or entries) as `key:value,...`, each part percent-encoded: what parses back. */
export function formatOverrides(flags) {
  const entries = flags instanceof Map ? [...flags] : Object.entries(flags);
  return entries
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encode(k)}:${encode(typeof v === "string" && valueOf(v) === v ? v : JSON.stringify(v))}`)
    .join(",");
}

/** The raw value of parameter `name` in a URL's query (`undefined` when absent). */
export function queryParameter(url, name) {
  const query = String(url ?? "").split("#")[0].split("?")[1];
  for (const pair of query ? query.split("&") : []) {
    const eq = pair.indexOf("=");
    if (decode(eq < 0 ? pair : pair.slice(0, eq)) === name) return eq < 0 ? "" : pair.slice(eq + 1);
  }
  return undefined;
}

/**
 * The `?edgeflag=` text of a URL. Written by hand it is `a:true,b:Hi%2C%20there`; written by
 * `URLSearchParams` it arrives encoded once more (`a%3Atrue%2Cb...`): a value with no literal
 * `:` is decoded once first, so both read the same.
 */
export function urlOverrides(url) {
  const raw = queryParameter(url, OVERRIDES_NAME);
  return raw !== undefined && !raw.includes(":") ? (decode(raw) ?? raw) : raw;
}

/** The raw value of cookie `name` in a `Cookie` header or `document.cookie`. */
export function cookieValue(header, name) {
  for (const part of String(header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The overrides a page asks for: `localStorage["edgeflag:overrides"]`, then the URL's
 * `?edgeflag=` (which wins). `source` is `{ url, storage }`. A source with malformed parts
 * gets one `console.warn` naming them; nothing throws (a sandboxed frame's storage may).
 */
export function readOverrides(source) {
  const out = new Map();
  const read = [
    [`localStorage["${OVERRIDES_STORAGE_KEY}"]`, () => source.storage?.getItem(OVERRIDES_STORAGE_KEY)],
    [`?${OVERRIDES_NAME}=`, () => urlOverrides(source.url)],
  ];
  for (const [where, text] of read) {
    try {
      const t = text();
      if (typeof t !== "string") continue;
      const { values, malformed } = parseOverrides(t);
      if (malformed.length) {
        console.warn(`edgeflag: ignored malformed override ${malformed.map((p) => JSON.stringify(p)).join(", ")} in ${where} (expected key:value, comma-separated)`);
      }
      for (const [k, v] of values) out.set(k, v);
    } catch {
      // An unreadable source is no overrides.
    }
  }
  return out;
}

/**
 * An override's value as type `want` (`typeof` a default, or of the flag's value), or
 * `undefined` when it is not one: a string flag takes the typed text as it is.
 */
export function overrideAs(entry, want) {
  if (!want || typeof entry.value === want) return entry.value;
  return want === "string" && entry.text !== undefined ? entry.text : undefined;
}

function valueOf(raw) {
  try {
    const v = JSON.parse(raw);
    return v === null || Array.isArray(v) ? raw : v;
  } catch {
    return raw;
  }
}

function decode(s) {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

// Encodes what the format reserves (`,`, `:`, `%`, `+`, `&`, `;`, `#`) and what a URL or a
// cookie cannot hold; the rest stays readable.
function encode(s) {
  return String(s).replace(/[,:%+&;#=\s"\\\u{80}-\u{10ffff}]/gu, (c) => encodeURIComponent(c));
}
