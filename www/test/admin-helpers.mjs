// Helpers the admin UI's test files share: stopping a server they started, admin API calls
// and waiting for a locator's text.
import assert from "node:assert/strict";

/** An admin API call on `base` as `token`; resolves { status, body } (body parsed, or null). */
export async function adminApi(base, method, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Waits until `locator`'s text matches `pattern` (a string: equal); resolves the text. */
export async function expectText(locator, pattern, timeout = 10_000) {
  const ok = (text) => (pattern instanceof RegExp ? pattern.test(text) : text === pattern);
  const start = Date.now();
  let text;
  while (Date.now() - start < timeout) {
    text = await locator.textContent().catch(() => null);
    if (text !== null && ok(text)) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${locator}: "${text}" does not match ${pattern}`);
}

/** Stops a server started by a test (`{ child, exited }`): SIGTERM, SIGKILL after 5 s. */
export async function stopServer(s) {
  if (!s?.child || s.child.exitCode !== null || s.child.signalCode !== null) return;
  s.child.kill("SIGTERM");
  const late = setTimeout(() => s.child.kill("SIGKILL"), 5000);
  await s.exited;
  clearTimeout(late);
}
