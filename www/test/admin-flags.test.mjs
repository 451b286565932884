// End to end, the admin UI's flag list and editor in Debian's Chromium against a real
// `edgeflag serve` (SQLite in a temporary state folder, environments staging and production,
// the embedded example in both): sign in; create a flag; edit its rollout with the sliders
// (always 100%) and publish after the dry run's preview; kill it (confirmed in production,
// not in staging) and see the snapshot's version move; a stale edit from a second tab shows
// the conflict (412) with a diff, then "reload theirs" and "overwrite with mine"; a reader
// sees no edit controls and a forced PUT gets 403; the list of 1,000 flags (its render time
// is logged, not asserted); "Try it" evaluates new-checkout in the page with the npm package
// (served with --admin-sdk from the repository's pkg/) before and after a rollout edit, and
// without --admin-sdk says how to get it. Any console error or CSP violation fails the test.
//
// The binary: $EDGEFLAG, else target/release/edgeflag. It serves its embedded UI (rebuild with
// `cargo build -p edgeflag-cli` after editing src/server/ui), or the files in
// $EDGEFLAG_ADMIN_UI_DIR when set. Artifacts: target/e2e/admin-list.png, admin-editor.png.
import { after, before, test } from "node:test";
import { startPostgres } from "./postgres.mjs";
import assert from "node:assert/strict";
import { adminApi, expectText, stopServer } from "./admin-helpers.mjs";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "./chromium.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const EDGEFLAG = process.env.EDGEFLAG ?? join(ROOT, "target", "release", "edgeflag");
const ARTIFACTS = join(ROOT, "target", "e2e");
const OPERATOR = "e2e-operator-flags-0123456789abcdef";
const KEY = "e2e-checkout-v3";
const FLAG_PATH = `/admin/environments/production/flags/${KEY}`;
/** The npm package "Try it" imports (`node pkg-template/assemble.mjs` builds it). */
const SDK = join(ROOT, "pkg");

let server;
let browser;
let state;
let viewer;
const servers = [];
/** The PostgreSQL these tests started (EDGEFLAG_ADMIN_STORE=postgres). */
let postgres;

/** Starts `edgeflag serve` with `args` on a free port; resolves { url, child, exited }. */
async function startServer(args) {
  const all = ["serve", "--listen", "127.0.0.1:0", "--admin-token", OPERATOR, "--environments", "staging,production", ...args];
  if (process.env.EDGEFLAG_ADMIN_UI_DIR) all.push("--admin-ui-dir", process.env.EDGEFLAG_ADMIN_UI_DIR);
  const child = spawn(EDGEFLAG, all, { stdio: ["ignore", "pipe", "pipe"] });
  createInterface({ input: child.stderr }).on("line", (line) => process.env.E2E_VERBOSE && console.error(`[serve] ${line}`));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const started = { child, exited, banner: "" };
  servers.push(started);
  started.url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("edgeflag serve did not start within 15 s")), 15_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      started.banner += `${line}\n`;
      const m = /^edgeflag serve: listening on (http:\/\/\S+)/.exec(line);
      if (m) clearTimeout(timer), resolve(m[1]);
    });
    exited.then((code) => (clearTimeout(timer), reject(new Error(`edgeflag serve exited (${code}) before listening`))));
  });
  return started;
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  state = mkdtempSync(join(tmpdir(), "edgeflag-admin-flags-"));
  // The same tests on either store: SQLite (the state directory) or, with
  // EDGEFLAG_ADMIN_STORE=postgres (tests/run does both), a PostgreSQL of their own.
  let store = ["--state", state];
  if (process.env.EDGEFLAG_ADMIN_STORE === "postgres") {
    postgres = await startPostgres();
    store = ["--database", postgres.url];
  }
  const out = execFileSync(EDGEFLAG, ["serve", "token", "create", "--name", "viewer", "--role", "reader", ...store], { encoding: "utf8" });
  viewer = /^token (\S+)/m.exec(out)[1];
  server = await startServer([...store, "--admin-sdk", SDK]);
  assert.match(server.banner ?? "", process.env.EDGEFLAG_ADMIN_STORE === "postgres" ? /database postgres:/ : /database sqlite:/);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  for (const s of servers) await stopServer(s);
  if (state) rmSync(state, { recursive: true, force: true });
  postgres?.stop();
});

/** An admin API call as `token` (the operator by default); resolves { status, body }. */
const api = (method, path, body, token = OPERATOR, base = server.url) => adminApi(base, method, path, body, token);

/** The payload of an environment's public snapshot (the default environment: production). */
async function snapshot(env) {
  const envelope = await (await fetch(`${server.url}${env ? `/environments/${env}` : ""}/snapshot`)).json();
  return JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8"));
}

/**
 * A tab signed in with `token` at `hash`, in `context` (a fresh one when not given: the token
 * is kept per tab). Console errors, page errors and CSP violations fail the test, except
 * Chromium's own "Failed to load resource" line for an answer the test provokes (`allowed`:
 * [[status, path]]; the page handles it, the browser logs every non-2xx fetch).
 */
async function signedIn(t, token, hash, { context, viewport = { width: 1280, height: 1000 }, allowed = [], base = server.url } = {}) {
  if (!context) {
    context = await browser.newContext({ viewport });
    t.after(() => context.close());
  }
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // index.html names no icon, so Chromium asks for /favicon.ico (404): not the views' doing.
    if (m.location().url.endsWith("/favicon.ico")) return;
    const expected = allowed.some(([status, path]) => m.text().includes(`status of ${status}`) && new URL(m.location().url).pathname === path);
    if (!expected) errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  await page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)),
  );
  t.after(() => assert.deepEqual(errors, [], "the page reported errors"));
  await page.goto(`${base}/admin/${hash}`);
  await page.fill("#token", token);
  await page.press("#token", "Enter");
  await page.locator("#nav").waitFor({ state: "visible" });
  return page;
}

const expect = expectText;

/** The editor of `key`, loaded. */
async function editor(page, key) {
  await page.evaluate((k) => (location.hash = `#/flags/${encodeURIComponent(k)}`), key);
  await page.locator("h2", { hasText: `flag ${key}` }).waitFor();
  await page.locator("#e-json").waitFor();
}

/** Review (dry run) then publish; resolves the toast's text. */
async function reviewAndPublish(page, publish = "Publish") {
  await page.getByRole("button", { name: "Review changes…" }).click();
  await page.locator("#review-title").waitFor();
  await page.getByRole("button", { name: publish, exact: true }).click();
  return expect(page.locator("#toast"), /^Published /);
}

/** The default serve's weights as the sliders and the numbers show them, in %. */
const shownWeights = (page) =>
  page.$$eval('fieldset.serve[data-path="defaultServe"] .weight', (rows) =>
    rows.map((r) => ({ variant: r.querySelector("label").textContent, slider: Number(r.querySelector("input[type=range]").value), number: Number(r.querySelector("input[type=number]").value) })));

test("sign in, create a flag, edit its rollout with the sliders, preview the dry run, publish", async (t) => {
  const page = await signedIn(t, OPERATOR, "#/flags");
  await page.locator('table.list-flags tr[data-key="new-checkout"]').waitFor();
  assert.equal(await page.locator('tr[data-key="new-checkout"]').getAttribute("data-status"), "on");
  assert.match(await page.locator('tr[data-key="checkout-button-color"] .serving').textContent(), /33\.3% blue \/ 33\.3% green \/ 33\.3% orange/);

  // Create: keyboard to the button, a key, a team; the dry run first, nothing published by it.
  await page.getByRole("link", { name: "New flag" }).focus();
  await page.keyboard.press("Enter");
  await page.locator("#e-key").waitFor();
  await page.fill("#e-key", KEY);
  await page.getByLabel("Owner team").fill("checkout");
  const before = (await snapshot()).version;
  await page.getByRole("button", { name: "Review changes…" }).click();
  await page.locator("#review-title").waitFor();
  await expect(page.locator(".review .share"), /^The value changes for \d+ of \d+ sample contexts/);
  assert.equal((await api("GET", FLAG_PATH)).status, 404, "a dry run creates nothing");
  assert.equal((await snapshot()).version, before);
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.locator("#toast"), new RegExp(`^Published flag ${KEY} in production: version \\d+`));
  await page.waitForFunction((k) => location.hash === `#/flags/${k}`, KEY);
  await page.locator("h2", { hasText: `flag ${KEY}` }).waitFor();
  const created = (await api("GET", FLAG_PATH)).body;
  assert.deepEqual(created.defaultServe, { variant: "off" });
  assert.equal(created.metadata.team, "checkout");

  // The default becomes a rollout: all on the off variant first, then the sliders.
  const serve = page.locator('fieldset.serve[data-path="defaultServe"]');
  await serve.getByLabel("Serves").selectOption("rollout");
  assert.deepEqual(await shownWeights(page), [{ variant: "on", slider: 0, number: 0 }, { variant: "off", slider: 100, number: 100 }]);
  const on = serve.getByRole("slider", { name: "on" });
  await on.focus();
  await page.keyboard.press("PageUp");
  await page.keyboard.press("PageUp");
  for (let i = 0; i < 50; i++) await page.keyboard.press("ArrowRight");
  assert.deepEqual(await shownWeights(page), [{ variant: "on", slider: 25, number: 25 }, { variant: "off", slider: 75, number: 75 }]);
  await expect(serve.locator(".total"), "Total: 100%");
  // The number is editable too.
  await serve.getByLabel("on, percent").fill("30");
  await serve.getByLabel("on, percent").press("Tab");
  assert.deepEqual(await shownWeights(page), [{ variant: "on", slider: 30, number: 30 }, { variant: "off", slider: 70, number: 70 }]);
  // A third variant: moving it rebalances the other two in proportion (30:70).
  await page.getByRole("button", { name: "Add variant" }).click();
  const third = serve.getByLabel("variant-3, percent");
  await third.fill("50");
  await third.press("Tab");
  assert.deepEqual((await shownWeights(page)).map((w) => w.number), [15, 35, 50]);
  await expect(serve.locator(".total"), "Total: 100%");
  await third.fill("0");
  await third.press("Tab");
  assert.deepEqual((await shownWeights(page)).map((w) => w.number), [30, 70, 0]);
  const json = JSON.parse(await page.inputValue("#e-json"));
  // (A variant the rollout did not list, back at 0%, is left out of it again.)
  assert.deepEqual(json.defaultServe.rollout.weights, [{ variant: "on", weight: 30000 }, { variant: "off", weight: 70000 }], "the JSON follows the sliders");

  // Dry run: the preview, and still nothing published; then publish.
  const version = (await snapshot()).version;
  await page.getByRole("button", { name: "Review changes…" }).click();
  await page.locator("#review-title").waitFor();
  const share = Number(await page.locator(".review .share").getAttribute("data-share"));
  assert.ok(share > 0.15 && share < 0.45, `about 30% of the sample changes (off -> on): ${share}`);
  assert.ok(Number(await page.locator(".review table.preview tr", { hasText: "on" }).locator("td").nth(1).textContent()) > 0, "some contexts get on after");
  assert.equal((await snapshot()).version, version, "a dry run publishes nothing");
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page.locator("#toast"), /^Published flag e2e-checkout-v3 in production: version \d+/);
  await page.locator('fieldset.serve[data-path="defaultServe"] .weight').first().waitFor();
  const published = (await api("GET", FLAG_PATH)).body;
  assert.deepEqual(published.defaultServe.rollout.weights.map((w) => w.weight), [30000, 70000]);
  const after = await snapshot();
  assert.ok(after.version > version, "a new version is served");
  assert.deepEqual(after.flags[KEY].defaultServe.rollout.weights.map((w) => w.weight), [30000, 70000]);
  await page.screenshot({ path: join(ARTIFACTS, "admin-editor.png"), fullPage: true });
});

test("kill asks for confirmation in production (not in staging), and the snapshot changes", async (t) => {
  const page = await signedIn(t, OPERATOR, "#/flags");
  const row = page.locator(`tr[data-key="${KEY}"]`);
  await row.waitFor();
  const before = (await snapshot()).version;

  // Cancelled: nothing happens.
  await row.getByRole("button", { name: `Kill ${KEY}` }).click();
  const dialog = page.locator("dialog[open]");
  await expect(dialog.locator("h2"), `Kill ${KEY} in production?`);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "detached" });
  assert.equal((await snapshot()).version, before);
  assert.notEqual((await api("GET", FLAG_PATH)).body.enabled, false);

  // Confirmed, with the keyboard (the focus starts on Cancel, the harmless choice: a held
  // Enter cannot kill; Tab reaches Kill).
  await row.getByRole("button", { name: `Kill ${KEY}` }).focus();
  await page.keyboard.press("Enter");
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Cancel");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.locator(`tr[data-key="${KEY}"][data-status="killed"]`).waitFor();
  await expect(page.locator("#toast"), new RegExp(`^${KEY} killed in production`));
  const killed = await snapshot();
  assert.ok(killed.version > before, `the snapshot moved on: ${before} -> ${killed.version}`);
  assert.equal(killed.flags[KEY].enabled, false);
  await expect(page.locator(`tr[data-key="${KEY}"] .serving`), "killed: off for everyone");
  await expect(page.locator(`tr[data-key="${KEY}"] td.lint`), /ready to remove/);
  // The filters find it.
  await page.getByLabel("Status").selectOption("killed");
  await expect(page.locator("#l-count"), /^Showing 1 of \d+ flags$/);
  await page.getByLabel("Status").selectOption("");
  await page.screenshot({ path: join(ARTIFACTS, "admin-list.png"), fullPage: true });

  // Re-enabled (confirmed too), then staging: no confirmation there.
  await page.locator(`tr[data-key="${KEY}"]`).getByRole("button", { name: `Re-enable ${KEY}` }).click();
  await page.locator("dialog[open]").getByRole("button", { name: "Re-enable" }).click();
  await page.locator(`tr[data-key="${KEY}"][data-status="on"]`).waitFor();
  assert.equal((await snapshot()).flags[KEY].enabled, true);
  const staging = (await snapshot("staging")).version;
  await page.selectOption("#env-switch", "staging");
  await page.locator("h2", { hasText: "Flags in staging" }).waitFor();
  await page.locator('tr[data-key="banner"]').getByRole("button", { name: "Kill banner" }).click();
  await page.locator('tr[data-key="banner"][data-status="killed"]').waitFor();
  assert.equal(await page.locator("dialog").count(), 0, "no confirmation outside production");
  const after = await snapshot("staging");
  assert.ok(after.version > staging);
  assert.equal(after.flags.banner.enabled, false);
  await page.selectOption("#env-switch", "production");
  await page.locator("h2", { hasText: "Flags in production" }).waitFor();
});

test("a stale edit from a second tab shows the conflict (412) with a diff", async (t) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  t.after(() => context.close());
  const allowed = [[412, FLAG_PATH]];
  const a = await signedIn(t, OPERATOR, `#/flags/${KEY}`, { context, allowed });
  const b = await signedIn(t, OPERATOR, `#/flags/${KEY}`, { context, allowed });
  for (const p of [a, b]) await p.locator("#e-m-description").waitFor();

  // B publishes first; A, loaded before, is stale.
  await b.getByLabel("Description").fill("changed in tab B");
  await reviewAndPublish(b);
  await a.getByLabel("Owner team").fill("team-a");
  await a.getByRole("button", { name: "Review changes…" }).click();
  await a.getByRole("button", { name: "Publish", exact: true }).click();
  await a.locator("#conflict-title").waitFor();
  await expect(a.locator("#conflict-title"), /changed since you loaded it/);
  assert.match(await a.locator(".conflict .diff-line.del").allTextContents().then((l) => l.join("\n")), /changed in tab B/, "theirs, removed by mine");
  assert.match(await a.locator(".conflict .diff-line.add").allTextContents().then((l) => l.join("\n")), /team-a/, "mine, added");
  let stored = (await api("GET", FLAG_PATH)).body;
  assert.equal(stored.metadata.description, "changed in tab B", "nothing was overwritten");
  assert.equal(stored.metadata.team, "checkout");

  // Reload theirs: their version in the form and the JSON; editing on top of it publishes.
  await a.getByRole("button", { name: "Reload theirs" }).click();
  assert.equal(await a.inputValue("#e-m-description"), "changed in tab B");
  assert.match(await a.inputValue("#e-json"), /changed in tab B/);
  await a.getByLabel("Owner team").fill("team-a");
  await reviewAndPublish(a);
  stored = (await api("GET", FLAG_PATH)).body;
  assert.deepEqual([stored.metadata.team, stored.metadata.description], ["team-a", "changed in tab B"]);

  // Now B is stale: it overwrites with its own edit after seeing the conflict.
  await b.getByLabel("Description").fill("B again");
  await b.getByRole("button", { name: "Review changes…" }).click();
  await b.getByRole("button", { name: "Publish", exact: true }).click();
  await b.locator("#conflict-title").waitFor();
  await b.getByRole("button", { name: "Overwrite with mine" }).click();
  await expect(b.locator("#toast"), /^Published flag/);
  stored = (await api("GET", FLAG_PATH)).body;
  assert.deepEqual([stored.metadata.team, stored.metadata.description], ["checkout", "B again"], "B's whole document won");
});

test("a reader sees no edit controls, and a forced PUT is refused (403)", async (t) => {
  const page = await signedIn(t, viewer, "#/flags", { allowed: [[403, "/admin/environments/production/flags/new-checkout"], [403, "/admin/environments/production/flags/new-checkout/kill"]] });
  await page.locator('tr[data-key="new-checkout"]').waitFor();
  assert.match(await page.locator("#who").textContent(), /viewer \(reader\)/);
  assert.equal(await page.locator("table.list-flags button").count(), 0, "no kill switches");
  assert.equal(await page.getByRole("link", { name: "New flag" }).count(), 0);
  await expect(page.locator(".readonly"), /Read-only/);

  await editor(page, "new-checkout");
  assert.equal(await page.getByRole("button", { name: "Review changes…" }).count(), 0, "no save");
  const enabled = await page.$$eval("main input, main select, main button, main textarea:not([readonly])", (els) => els.filter((e) => !e.matches(":disabled")).map((e) => e.id || e.outerHTML.slice(0, 80)));
  assert.deepEqual(enabled, [], "every control is disabled");
  assert.equal(await page.locator("#e-json").getAttribute("readonly"), "");

  const statuses = await page.evaluate(async () => {
    const headers = { authorization: `Bearer ${sessionStorage.getItem("edgeflag-admin-token")}`, "content-type": "application/json" };
    const path = "/admin/environments/production/flags/new-checkout";
    const put = await fetch(path, { method: "PUT", headers, body: JSON.stringify({ type: "boolean", variants: { on: true, off: false }, offVariant: "off" }) });
    const kill = await fetch(`${path}/kill`, { method: "POST", headers });
    return [put.status, kill.status];
  });
  assert.deepEqual(statuses, [403, 403]);
  assert.notEqual((await api("GET", "/admin/environments/production/flags/new-checkout")).body.enabled, false);
});

/** Controls without an accessible name (a <label>, aria-label, or a button's text) under `root`. */
const unlabelled = (page, root = "main") =>
  page.$$eval(`${root} input, ${root} select, ${root} textarea, ${root} button`, (els) =>
    els.filter((e) => (e.tagName === "BUTTON" ? !e.textContent.trim() && !e.getAttribute("aria-label") : !e.labels?.length && !e.getAttribute("aria-label"))).map((e) => e.id || e.outerHTML.slice(0, 80)));

test("errors from the API show next to the field they name; every control is labelled; readable at 320 px", async (t) => {
  const path = "/admin/environments/staging/flags/new-checkout";
  const page = await signedIn(t, OPERATOR, "#/flags", { allowed: [[422, path]] });
  await page.selectOption("#env-switch", "staging");
  await page.locator("h2", { hasText: "Flags in staging" }).waitFor();
  assert.deepEqual(await unlabelled(page), [], "list controls without a label");
  await editor(page, "new-checkout");
  assert.deepEqual(await unlabelled(page), [], "editor controls without a label");

  // An operand the operator cannot read, typed in: the error is shown as you type.
  const values = page.locator("#e-r0c0-values");
  await values.fill("3.0");
  await expect(page.locator("#e-r0c0-values-error"), /"3\.0" is not a semantic version/);
  await values.fill("3.0.0");
  assert.equal(await page.locator("#e-r0c0-values-error").count(), 0);
  // JSON checked as you type.
  const json = await page.inputValue("#e-json");
  await page.fill("#e-json", json.slice(0, -2));
  await expect(page.locator("#e-json-error"), /^Not valid: /);
  // A prerequisite variant the other flag does not have, through the JSON: the server's 422
  // (a load error naming its path) lands next to that prerequisite's variants.
  const doc = JSON.parse(json);
  doc.prerequisites = [{ flag: "banner", variants: ["maybe"] }];
  await page.fill("#e-json", JSON.stringify(doc, null, 2));
  assert.equal(await page.locator("#e-json-error").count(), 0);
  await page.getByRole("button", { name: "Review changes…" }).click();
  const box = page.locator('fieldset[data-path="prerequisites[0].variants"]');
  await page.waitForFunction(() => document.querySelector('fieldset[data-path="prerequisites[0].variants"]')?.getAttribute("aria-invalid") === "true");
  const errorId = await box.getAttribute("aria-describedby");
  assert.match(await page.locator(`#${errorId}`).textContent(), /^unknown variant "maybe"$/);
  assert.equal(await box.evaluate((el) => el.nextElementSibling?.id), errorId, "right after the field");
  assert.equal(await page.locator("#review-title").count(), 0, "no review for a refused document");

  // 320 px: nothing wider than the window.
  await page.setViewportSize({ width: 320, height: 800 });
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 320, "the editor fits 320 px");
  await page.evaluate(() => (location.hash = "#/flags"));
  await page.locator('tr[data-key="new-checkout"]').waitFor();
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 320, "the list fits 320 px");
});

test("the list of 1,000 flags (render time logged)", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "edgeflag-admin-1000-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const flags = {};
  for (let i = 0; i < 1000; i++) {
    const f = { type: "boolean", variants: { on: true, off: false }, offVariant: "off", defaultServe: { variant: i % 2 ? "on" : "off" }, metadata: { team: `team-${i % 7}`, expiresAt: i % 10 ? "2030-01-01" : "2025-01-01" } };
    if (i % 4 === 1) f.rules = [{ id: "beta", conditions: [{ op: "inSegment", values: ["beta"] }], serve: { rollout: { weights: [{ variant: "on", weight: 25000 }, { variant: "off", weight: 75000 }] } } }];
    if (i % 4 === 2) f.targets = [{ variant: "on", values: [`u${i}a`, `u${i}b`, `u${i}c`] }];
    if (i % 4 === 3) f.defaultServe = { schedule: { variant: "on", otherwise: "off", start: "2026-01-01T00:00:00Z", end: "2036-01-01T00:00:00Z", curve: "s-curve" } };
    if (i % 11 === 0) f.enabled = false;
    flags[`flag-${String(i).padStart(4, "0")}`] = f;
  }
  const file = join(dir, "flags.json");
  writeFileSync(file, JSON.stringify({ schema: "edgeflag/v1", owner: "bench", environment: "production", segments: { beta: { included: ["u1"] } }, flags }));
  const big = await startServer(["--flags", file]);
  t.after(() => stopServer(big));

  const page = await signedIn(t, OPERATOR, "#/segments", { base: big.url });
  await page.locator("table.list-segments").waitFor();
  const times = [];
  for (let i = 0; i < 3; i++) {
    const started = Date.now();
    await page.evaluate(() => (location.hash = "#/flags"));
    await page.waitForFunction(() => document.querySelectorAll("table.list-flags tbody tr").length === 1000 && document.body.dataset.listRenderMs);
    times.push({ render: Number(await page.evaluate(() => document.body.dataset.listRenderMs)), total: Date.now() - started });
    await page.evaluate(() => (location.hash = "#/segments"));
    await page.locator("table.list-segments").waitFor();
  }
  console.log(`1,000-flag list: render ${times.map((x) => x.render.toFixed(1)).join(", ")} ms (data in to laid out); ${times.map((x) => x.total).join(", ")} ms with the requests`);
  await page.evaluate(() => (location.hash = "#/flags"));
  await page.waitForFunction(() => document.querySelectorAll("table.list-flags tbody tr").length === 1000);
  await expect(page.locator("#l-count"), "1000 flags");
  await page.getByLabel("Search keys").fill("flag-09");
  await expect(page.locator("#l-count"), "Showing 100 of 1000 flags");
  await page.getByLabel("Search keys").fill("");
  await page.getByLabel("Lint").selectOption("expired");
  await expect(page.locator("#l-count"), "Showing 100 of 1000 flags");
  await page.getByLabel("Lint").selectOption("");
  await page.getByLabel("Status").selectOption("killed");
  await expect(page.locator("#l-count"), "Showing 91 of 1000 flags");
});

/** "Try it"'s table as { row: [published, your edit] } (the "changed" badge left out). */
const tryItTable = (page) =>
  page.$$eval(".tryit-table tbody tr", (rows) => Object.fromEntries(rows.map((r) => [r.dataset.row,
    [...r.querySelectorAll("td")].map((td) => [...td.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(""))])));

test("Try it: new-checkout evaluated in the page before and after a rollout edit, live", async (t) => {
  const page = await signedIn(t, OPERATOR, "#/flags/new-checkout");
  const context = page.getByLabel("Context (JSON)");
  await context.waitFor();
  // The default: a targetingKey and the attributes the flag's conditions use, empty.
  assert.deepEqual(JSON.parse(await context.inputValue()), { targetingKey: "user-1", appVersion: "", email: "" });
  assert.deepEqual(await unlabelled(page, ".tryit"), [], "Try it controls without a label");
  // Validated as you type.
  await context.fill('{"targetingKey": ');
  await expect(page.locator("#t-context-error"), /^Not valid: /);
  // A unit of the beta-testers segment on a current app: the beta rule's 50/50 rollout decides.
  await context.fill(JSON.stringify({ targetingKey: "user-beta-1", appVersion: "3.1.0", email: "" }));
  assert.equal(await page.locator("#t-context-error").count(), 0);
  await page.getByRole("button", { name: "Evaluate" }).click();
  await expect(page.locator("#t-status"), /^Same result as published: (true|false)\./);
  const published = await tryItTable(page);
  assert.deepEqual(published.reason, ["SPLIT", "SPLIT"]);
  assert.deepEqual(published.rule, ["beta (rule 3)", "beta (rule 3)"]);
  assert.equal(published.variant[0], published.variant[1]);
  assert.equal(await page.locator(".tryit-table tr.differs").count(), 0);

  // The beta rollout moved all the way to the other variant with the slider (keyboard): this
  // unit moves, live (no click), and only "your edit" changes.
  const was = published.variant[0];
  const slider = page.locator('fieldset.serve[data-path="rules[2].serve"]').getByRole("slider", { name: "on" });
  await slider.focus();
  await page.keyboard.press(was === "on" ? "Home" : "End");
  const now = was === "on" ? "off" : "on";
  const value = (v) => String(v === "on");
  await expect(page.locator("#t-status"), new RegExp(`^Your edit changes the value for this context: ${value(was)} → ${value(now)}\\.`));
  const edited = await tryItTable(page);
  assert.deepEqual(edited.variant, [was, now]);
  assert.deepEqual(edited.value, [value(was), value(now)]);
  assert.deepEqual(edited.rule, ["beta (rule 3)", "beta (rule 3)"]);
  assert.deepEqual(await page.$$eval(".tryit-table tr.differs", (rows) => rows.map((r) => r.dataset.row)), ["value", "variant"]);
  assert.match(await page.locator('.tryit-table tr[data-row="variant"] td.t-after').textContent(), /changed/);

  // Another context, live too: a target, not moved by the edit.
  await context.fill(JSON.stringify({ targetingKey: "user-demo" }));
  await expect(page.locator("#t-status"), /^Same result as published: true\./);
  assert.deepEqual((await tryItTable(page)).rule, ["a target", "a target"]);
  assert.deepEqual((await tryItTable(page)).reason, ["TARGETING_MATCH", "TARGETING_MATCH"]);

  // Evaluating published nothing; readable at 320 px.
  const stored = (await api("GET", "/admin/environments/production/flags/new-checkout")).body;
  assert.deepEqual(stored.rules[2].serve.rollout.weights.map((w) => w.weight), [50000, 50000], "a dry run publishes nothing");
  await page.setViewportSize({ width: 320, height: 800 });
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 320, "Try it fits 320 px");
  await page.locator(".tryit").screenshot({ path: join(ARTIFACTS, "admin-tryit.png") });
});

test("Try it without --admin-sdk says how to get it, and nothing else", async (t) => {
  const bare = await startServer([]);
  t.after(() => stopServer(bare));
  assert.equal((await api("GET", "/admin/whoami", undefined, OPERATOR, bare.url)).body.sdk, false);
  assert.equal((await fetch(`${bare.url}/admin/sdk/index.js`)).status, 404);
  const page = await signedIn(t, OPERATOR, "#/flags/new-checkout", { base: bare.url });
  await page.locator("#e-json").waitFor();
  await expect(page.locator(".tryit .t-explain"), "Start edgeflag serve with --admin-sdk DIR (the npm package, e.g. pkg/) to evaluate here.");
  assert.equal(await page.locator(".tryit textarea, .tryit button, .tryit table").count(), 0);
});
