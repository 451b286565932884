// End to end in a real browser: `edgeflag serve` (the owning backend) signs, the edge worker on
// workerd verifies, caches and injects the bootstrap into the page it serves from www/, and
// the page (the npm package, in Debian's Chromium) verifies and evaluates locally.
//
// One stack for the file (www/stack.mjs, the demo's own start-up, on free ports), one browser;
// a fresh browser context (no cookies, no localStorage) per test. Everything started here is
// stopped here. Artifacts: target/e2e/inspector.png (and page.png).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "./chromium.mjs";
import { ROOT, startStack } from "../stack.mjs";

const ARTIFACTS = join(ROOT, "target", "e2e");
/** In the example flags, `user-demo` is an individual target of new-checkout (variant on). */
const USER = "user-demo";
const NEW_CHECKOUT_ON = "Buy now — 1-click checkout";
const NEW_CHECKOUT_OFF = "Checkout";

let stack;
let browser;

before(async () => {
  stack = await startStack({ log: (line) => process.env.E2E_VERBOSE && console.error(`[stack] ${line}`) });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const isSnapshot = (url) => url.pathname === "/edgeflag/snapshot";
const isStream = (url) => url.pathname === "/snapshot/stream";

/**
 * A page in a fresh browser context whose edgeflag-uid cookie is `user` (the worker takes the
 * targetingKey from it). `setup(page)` runs before navigation (routes, listeners). Page errors
 * fail the test.
 */
async function open(t, { user = USER, setup, navigate = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  t.after(() => context.close());
  await context.addCookies([{ name: "edgeflag-uid", value: user, url: stack.pageUrl }]);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  page.on("console", (m) => m.type() === "error" && errors.push(new Error(`console: ${m.text()} (${m.location().url})`)));
  t.after(() => assert.deepEqual(errors.map(String), [], "the page reported errors"));
  await setup?.(page);
  if (navigate) await page.goto(stack.pageUrl);
  return page;
}

/** Waits until the client exists and has painted the flag table. */
function painted(page) {
  return page.waitForFunction(() => window.edgeflag && document.querySelectorAll("#flags tr").length > 0);
}

/** Waits for the status badge to read `status`. */
function status(page, status, timeout = 10_000) {
  return page.waitForFunction((s) => document.getElementById("status").dataset.status === s, status, { timeout, polling: "raf" });
}

/** The inspector's table: `{ flag: { value, variant, reason, rule } }` as displayed. */
function table(page) {
  return page.$$eval("#flags tr", (rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.flag, Object.fromEntries(["value", "variant", "reason", "rule"].map((k, i) => [k, r.cells[i + 1].textContent]))])),
  );
}

/** What the storefront shows. */
function storefront(page) {
  return page.evaluate(() => ({
    button: document.getElementById("checkout").textContent,
    color: document.getElementById("checkout").dataset.variant,
    threshold: document.getElementById("threshold").textContent,
    banner: document.getElementById("banner").hidden ? null : document.getElementById("banner").textContent,
  }));
}

/** The bootstrap element of an HTML text, parsed. */
function bootstrapOf(html) {
  const m = /<script type="application\/json" id="edgeflag-bootstrap">([^<]*)<\/script>/.exec(html);
  assert.ok(m, `no bootstrap element in the served HTML: ${html.slice(0, 300)}`);
  return JSON.parse(m[1]);
}

test("the first paint shows the bootstrapped values before any snapshot request completes", async (t) => {
  // The HTML as the worker serves it carries the envelope, the values and the context.
  const res = await fetch(stack.pageUrl, { headers: { cookie: `edgeflag-uid=${USER}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type"), /^text\/html/);
  const boot = bootstrapOf(await res.text());
  const backendEnvelope = await (await fetch(`${stack.backend.url}/snapshot`)).text();
  assert.equal(boot.envelope, backendEnvelope, "the worker passes the backend's envelope on unchanged");
  assert.equal(boot.context.targetingKey, USER);
  assert.equal(boot.context.country, "US");
  assert.equal(boot.values["new-checkout"], true);
  assert.equal(boot.values["free-shipping-threshold"], 49);

  // Now the browser, with every snapshot and stream request held (never answered).
  const held = [];
  const page = await open(t, {
    setup: (page) => page.route((url) => isSnapshot(url) || isStream(url), (route) => held.push(route)),
  });
  t.after(() => Promise.all(held.map((r) => r.abort().catch(() => {}))));
  await painted(page);
  await status(page, "READY");
  const shown = await table(page);
  const shop = await storefront(page);
  assert.equal(shop.button, NEW_CHECKOUT_ON);
  assert.equal(shop.threshold, "49");
  assert.equal(shop.banner, "Black Friday week: 20% off everything");
  assert.ok(["blue", "green", "orange"].includes(shop.color), shop.color);
  assert.deepEqual(shown["new-checkout"], { value: "true", variant: "on", reason: "TARGETING_MATCH", rule: "" });
  // Every flag the worker evaluated for this user shows the same value in the page (the form
  // adds plan/appVersion/email, which change none of them for this user).
  for (const [key, value] of Object.entries(boot.values)) assert.equal(shown[key]?.value, JSON.stringify(value), key);
  const version = await page.evaluate(() => window.edgeflag.info.version);
  assert.equal(version, JSON.parse(Buffer.from(JSON.parse(boot.envelope).payload, "base64")).version);
  assert.ok(held.length >= 1, "the client did try the network (its requests were held)");
  for (const r of held) assert.ok(isSnapshot(new URL(r.request().url())) || isStream(new URL(r.request().url())));
});

test("a context change re-evaluates locally, without a network request", async (t) => {
  const page = await open(t);
  await painted(page);
  await status(page, "READY");
  const requests = [];
  // Evaluation requests only: the page's analytics events (exposures, batched to
  // /edgeflag/events) and its release panel's polling of /release/build are not evaluation.
  const other = (url) => url.pathname === "/edgeflag/events" || url.pathname.startsWith("/release/");
  page.on("request", (r) => other(new URL(r.url())) || requests.push(`${r.method()} ${r.url()}`));

  await page.selectOption('select[name="plan"]', "pro");
  assert.equal((await storefront(page)).threshold, "0");
  assert.deepEqual((await table(page))["free-shipping-threshold"], { value: "0", variant: "members", reason: "TARGETING_MATCH", rule: "paying-plans" });

  await page.selectOption('select[name="plan"]', "free");
  await page.selectOption('select[name="country"]', "DE");
  let shop = await storefront(page);
  assert.equal(shop.threshold, "29");
  assert.equal(shop.banner, "Winter-Sale: 20 % auf alles");
  assert.deepEqual((await table(page))["free-shipping-threshold"], { value: "29", variant: "eu-promo", reason: "TARGETING_MATCH", rule: "eu-promo" });

  await page.selectOption('select[name="country"]', "US");
  shop = await storefront(page);
  assert.equal(shop.threshold, "49");
  assert.equal(shop.banner, "Black Friday week: 20% off everything");
  assert.equal((await table(page))["free-shipping-threshold"].variant, "standard");

  // Another user, typed in: the targeting key's own individual target no longer applies.
  await page.fill('input[name="targetingKey"]', "user-beta-1");
  await page.selectOption('select[name="plan"]', "enterprise");
  assert.equal((await table(page))["free-shipping-threshold"].rule, "paying-plans");
  assert.equal((await table(page))["new-checkout"].rule, "beta");

  assert.deepEqual(requests, [], "evaluating for another context must not touch the network");
});

test("a kill switch through the admin API reaches the open page", async (t) => {
  const page = await open(t, { navigate: false });
  const streaming = page.waitForResponse((r) => isStream(new URL(r.url())) && r.status() === 200);
  await page.goto(stack.pageUrl);
  await painted(page);
  await status(page, "READY");
  await streaming;
  assert.equal((await storefront(page)).button, NEW_CHECKOUT_ON);
  t.after(() =>
    fetch(`${stack.backend.url}/admin/flags/new-checkout`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${stack.backend.adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ enabled: true }),
    }),
  );

  const start = Date.now();
  const killed = await stack.kill("new-checkout");
  assert.equal(killed.changed, true);
  const handle = await page.waitForFunction(
    (off) => document.getElementById("checkout").textContent === off && Date.now(),
    NEW_CHECKOUT_OFF,
    { timeout: 10_000, polling: "raf" },
  );
  const ms = (await handle.jsonValue()) - start;
  console.log(`kill switch: admin POST to the page showing new-checkout off in ${ms} ms (through the backend's stream)`);
  assert.ok(ms < 10_000, `${ms} ms`);
  assert.deepEqual((await table(page))["new-checkout"], { value: "false", variant: "off", reason: "DISABLED", rule: "" });
  assert.equal(await page.evaluate(() => window.edgeflag.info.version), killed.version);

  // The edge sees it too: a page served after the kill carries the new version and value.
  let boot;
  for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    boot = bootstrapOf(await (await fetch(stack.pageUrl, { headers: { cookie: `edgeflag-uid=${USER}` } })).text());
    if (boot.values["new-checkout"] === false) break;
  }
  console.log(`kill switch: the worker's bootstrap had it after ${Date.now() - start} ms (REFRESH_SECONDS=1)`);
  assert.equal(boot.values["new-checkout"], false);
});

test("the kill toggle in the admin UI reaches the storefront in another browser", async (t) => {
  const page = await open(t, { navigate: false });
  const streaming = page.waitForResponse((r) => isStream(new URL(r.url())) && r.status() === 200);
  await page.goto(stack.pageUrl);
  await painted(page);
  await status(page, "READY");
  await streaming;
  assert.equal((await storefront(page)).button, NEW_CHECKOUT_ON);

  // The operator's browser: the admin UI served by the backend, signed in with the token.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const admin = await context.newPage();
  const errors = [];
  admin.on("pageerror", (e) => errors.push(e));
  admin.on("console", (m) => m.type() === "error" && errors.push(new Error(`console: ${m.text()}`)));
  t.after(() => assert.deepEqual(errors.map(String), [], "the admin UI reported errors"));
  mkdirSync(ARTIFACTS, { recursive: true });
  await admin.goto(`${stack.backend.url}/admin/`);
  await admin.fill("#token", stack.backend.adminToken);
  await admin.press("#token", "Enter");
  const kill = admin.getByRole("button", { name: "Kill new-checkout" });
  await kill.waitFor();
  await admin.screenshot({ path: join(ARTIFACTS, "admin-demo-list.png") });
  const start = Date.now();
  await kill.click();
  // Production asks first.
  await admin.getByRole("dialog").getByRole("button", { name: "Kill" }).click();
  const handle = await page.waitForFunction(
    (off) => document.getElementById("checkout").textContent === off && Date.now(),
    NEW_CHECKOUT_OFF,
    { timeout: 10_000, polling: "raf" },
  );
  const ms = (await handle.jsonValue()) - start;
  console.log(`kill switch: admin UI click to the storefront showing new-checkout off in ${ms} ms`);
  await page.screenshot({ path: join(ARTIFACTS, "storefront-killed.png") });
  await admin.getByRole("button", { name: "Re-enable new-checkout" }).waitFor();
  await admin.screenshot({ path: join(ARTIFACTS, "admin-demo-killed.png") });

  // Re-enabled from the UI, the storefront comes back.
  await admin.getByRole("button", { name: "Re-enable new-checkout" }).click();
  await admin.getByRole("dialog").getByRole("button", { name: "Re-enable" }).click();
  await page.waitForFunction((on) => document.getElementById("checkout").textContent === on, NEW_CHECKOUT_ON, { timeout: 10_000, polling: "raf" });
});

test("a tampered snapshot is refused: the page keeps its last-known-good and shows STALE", async (t) => {
  const page = await open(t);
  await painted(page);
  await status(page, "READY");
  // The previous test's clean-up publishes a new version: the page must have it (through the
  // stream) before its values count as the last-known-good.
  const current = JSON.parse(Buffer.from(JSON.parse(await (await fetch(`${stack.backend.url}/snapshot`)).text()).payload, "base64"));
  await page.waitForFunction((v) => window.edgeflag.info?.version >= v, current.version, { timeout: 10_000 });
  const before = { table: await table(page), shop: await storefront(page) };
  const version = await page.evaluate(() => window.edgeflag.info.version);

  // The genuine envelope with its payload edited (a higher version, free shipping for all) and
  // the original signature kept.
  const envelope = JSON.parse(await (await fetch(`${stack.worker.url}/edgeflag/snapshot`)).text());
  const payload = JSON.parse(Buffer.from(envelope.payload, "base64"));
  payload.version += 1000;
  payload.flags["free-shipping-threshold"].variants.standard = 0;
  payload.flags["new-checkout"].enabled = !payload.flags["new-checkout"].enabled;
  envelope.payload = Buffer.from(JSON.stringify(payload)).toString("base64");
  const tampered = JSON.stringify(envelope);
  let served = 0;
  await page.route(
    (url) => isSnapshot(url),
    (route) => {
      served += 1;
      return route.fulfill({ status: 200, contentType: "application/json", headers: { etag: '"tampered"' }, body: tampered });
    },
  );

  await page.evaluate(() => window.edgeflag.refresh());
  await status(page, "STALE");
  assert.ok(served >= 1, "the page fetched the tampered envelope");
  assert.deepEqual({ table: await table(page), shop: await storefront(page) }, before, "the last-known-good values stay");
  assert.equal(await page.evaluate(() => window.edgeflag.info.version), version);
  const error = await page.textContent('#snapshot [data-field="error"]');
  assert.match(error, /SIGNATURE/i, error);
  assert.equal(await page.textContent("#status"), "STALE");
});

test("local overrides: ?edgeflag= on the first paint; the dev panel's flip applies now, after a reload and at the edge, until reset", async (t) => {
  // The worker (ALLOW_OVERRIDES in the demo) and the page (overrides.allow) agree on the URL's override.
  const url = `${stack.pageUrl}?edgeflag=new-checkout:false`;
  const boot = bootstrapOf(await (await fetch(url, { headers: { cookie: `edgeflag-uid=${USER}` } })).text());
  assert.equal(boot.values["new-checkout"], false);
  const first = await open(t, { navigate: false });
  await first.goto(url);
  await painted(first);
  assert.equal((await storefront(first)).button, NEW_CHECKOUT_OFF);
  assert.deepEqual((await table(first))["new-checkout"], { value: "false", variant: "override", reason: "OVERRIDE", rule: "" });

  const page = await open(t);
  await painted(page);
  await status(page, "READY");
  assert.equal((await storefront(page)).button, NEW_CHECKOUT_ON);
  const panelRequests = [];
  page.on("request", (r) => r.url().endsWith("/pkg/devtools.js") && panelRequests.push(r.url()));
  await page.click("#devtools");
  const panel = page.locator("edgeflag-devtools");
  await panel.locator('tr[data-flag="new-checkout"] button[data-action="flip"]').click();
  assert.equal(panelRequests.length, 1, "the panel is fetched on the first click");
  await page.waitForFunction((off) => document.getElementById("checkout").textContent === off, NEW_CHECKOUT_OFF);
  assert.equal((await table(page))["new-checkout"].reason, "OVERRIDE");

  await page.reload();
  await painted(page);
  assert.equal((await storefront(page)).button, NEW_CHECKOUT_OFF, "kept in localStorage");
  const edge = await page.evaluate(async () => (await fetch("/")).text());
  assert.equal(bootstrapOf(edge).values["new-checkout"], false, "the worker honours the panel's cookie");

  await page.click("#devtools");
  await panel.locator("button", { hasText: "reset all overrides" }).click();
  await page.waitForFunction((on) => document.getElementById("checkout").textContent === on, NEW_CHECKOUT_ON);
  assert.equal((await table(page))["new-checkout"].reason, "TARGETING_MATCH");
});

test("the inspector renders (screenshot: target/e2e/inspector.png)", async (t) => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const page = await open(t);
  await painted(page);
  await status(page, "READY");
  await page.waitForFunction(() => document.querySelectorAll("#distribution rect").length > 0 && document.querySelector("#ramp polyline"));
  const bars = await page.$$eval("#distribution rect", (rects) => rects.map((r) => [r.dataset.variant, Number(r.dataset.count)]));
  assert.equal(bars.reduce((n, [, c]) => n + c, 0), 10_000);
  // The layout holds: the inspector is wide enough for its table and charts.
  const box = await page.locator(".inspector").boundingBox();
  assert.ok(box.width > 500, JSON.stringify(box));
  await page.locator(".inspector").screenshot({ path: join(ARTIFACTS, "inspector.png") });
  await page.screenshot({ path: join(ARTIFACTS, "page.png"), fullPage: true });
});
