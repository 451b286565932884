// End to end in a real browser, the demo's events: the storefront's checkout is an experiment
// whose exposure and purchase go page -> edge worker (/edgeflag/events) -> backend and show
// up in the experiment's results (the API and the admin UI); the canary's rollout plan
// advances while the canary origin is healthy, and the scripted fault (the canary origin
// answering 500) makes its error guard roll it back: the plan `failed`, the weight 0, the
// `rollout-rollback` audit entry with its figures, and the page routed back to the stable
// origin.
//
// Its own stack (www/stack.mjs, as the demo starts it, with a rollout plan whose steps last
// 4 s instead of 90), one browser; everything started here is stopped here. Waits poll with
// generous timeouts. Artifacts: target/e2e/admin-demo-experiment.png, storefront-canary.png,
// storefront-rollback.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "./chromium.mjs";
import { BUILDS, CANARY_FLAG, CANARY_PLAN, ENVIRONMENT, EXPERIMENT_FLAG, ROOT, startStack } from "../stack.mjs";

const ARTIFACTS = join(ROOT, "target", "e2e");
const ENV = `/admin/environments/${ENVIRONMENT}`;
/** The demo's plan, with steps that may advance after 4 s (the demo waits 90). */
const PLAN = { ...CANARY_PLAN, minSeconds: 4 };

let stack;
let browser;

before(async () => {
  stack = await startStack({ canaryPlan: PLAN, log: (line) => process.env.E2E_VERBOSE && console.error(`[stack] ${line}`) });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `fn` (every `every` ms) until it resolves truthy; resolves that value. */
async function eventually(what, fn, { timeout = 60_000, every = 250 } = {}) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await sleep(every);
  }
  assert.fail(`timed out after ${timeout} ms: ${what}`);
}

/** An admin API call that must succeed; resolves the body. */
async function api(method, path, body) {
  const res = await stack.api(method, path, body);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * A page in a fresh browser context as `user` (the edgeflag-uid cookie). Page errors and
 * console errors fail the test, except the browser's own line for a 500 of /release/build
 * when `canaryMayFail` (the page shows that answer: it is the scripted fault).
 */
async function open(t, user, { canaryMayFail = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  t.after(() => context.close());
  await context.addCookies([{ name: "edgeflag-uid", value: user, url: stack.pageUrl }]);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const expected = canaryMayFail && m.text().includes("status of 500") && new URL(m.location().url).pathname === "/release/build";
    if (!expected) errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  t.after(() => assert.deepEqual(errors, [], "the page reported errors"));
  await page.goto(stack.pageUrl);
  await page.waitForFunction(() => window.edgeflag?.status === "READY" && document.querySelectorAll("#flags tr").length > 0);
  return page;
}

/** The release panel as the page shows it. */
function releasePanel(page) {
  return page.evaluate(() => {
    const root = document.getElementById("release");
    return {
      variant: root.dataset.variant,
      origin: root.dataset.origin,
      status: root.dataset.status,
      flag: document.getElementById("release-flag").textContent,
      answer: document.getElementById("release-origin").textContent,
    };
  });
}

/**
 * Waits until the release panel matches `want`: a subset of its fields (RegExps test the
 * text), and `share`, `[low, high]`, the range the canary's estimated share (%) must be in.
 */
function panelShows(page, { share, ...want }, timeout = 30_000) {
  return eventually(
    `the release panel shows ${JSON.stringify({ share, ...want }, (k, v) => (v instanceof RegExp ? String(v) : v))}`,
    async () => {
      const shown = await releasePanel(page);
      const ok = Object.entries(want).every(([k, v]) => (v instanceof RegExp ? v.test(shown[k]) : shown[k] === v));
      const estimate = Number(/≈ ([\d.]+)% of shoppers/.exec(shown.flag)?.[1]);
      return ok && (!share || (estimate >= share[0] && estimate <= share[1])) && shown;
    },
    { timeout },
  );
}

/** The storefront worker forwards buffered events with its next request: give it one. */
async function nudge() {
  await (await fetch(`${stack.worker.url}/edgeflag/health`)).arrayBuffer();
}

let shoppers = 0;
/** `n` new shoppers each request /release/build through the release worker; resolves their statuses. */
async function drive(n) {
  const statuses = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(stack.releaseUrl, { headers: { "x-user-id": `e2e-shopper-${++shoppers}` } });
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

/** The variant of canary-release the storefront worker evaluates for `user` (OFREP). */
async function canaryVariant(user) {
  const res = await fetch(`${stack.pageUrl}ofrep/v1/evaluate/flags/${CANARY_FLAG}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ context: { targetingKey: user } }),
  });
  assert.equal(res.status, 200);
  return (await res.json()).variant;
}

const plan = () => api("GET", `${ENV}/flags/${CANARY_FLAG}/rollout-plan`);

test("a purchase on the page reaches the experiment's results through the worker, in the API and the admin UI", async (t) => {
  const buyer = "e2e-buyer-1";
  const page = await open(t, buyer);
  const variant = await page.getAttribute("#checkout-offer", "data-variant");
  assert.ok(["control", "returns"].includes(variant), variant);
  // The treatment shows its promise under the button; the control shows nothing.
  assert.equal(await page.isVisible("#checkout-offer"), variant === "returns");

  await page.click("#checkout");
  const note = await page.textContent("#purchase");
  assert.equal(note, `Order placed: purchase of €49.00 tracked for ${buyer} (${EXPERIMENT_FLAG}: ${variant})`);
  // The client sent its exposure and the purchase to the worker: nothing queued, dropped or refused.
  const stats = await page.waitForFunction(
    () => {
      const s = window.edgeflag.eventStats();
      return s.queued === 0 && s.sent >= 2 && s;
    },
    null,
    { timeout: 30_000 },
  );
  const sent = await stats.jsonValue();
  assert.deepEqual([sent.dropped, sent.invalid, sent.failedBatches], [0, 0, 0], JSON.stringify(sent));
  await page.waitForFunction((n) => Number(document.querySelector('#events [data-field="sent"]').textContent) >= n, sent.sent, { timeout: 5000 });

  // The worker forwards them to the backend, which counts the buyer's unit and conversion.
  const results = await eventually("the purchase in the experiment's results", async () => {
    await nudge();
    const r = await api("GET", `${ENV}/experiments/${EXPERIMENT_FLAG}?metric=purchase`);
    return r.variants.find((v) => v.variant === variant)?.conversions >= 1 && r;
  });
  assert.equal(results.metric, "purchase");
  assert.ok(results.metrics.includes("purchase"), JSON.stringify(results.metrics));
  assert.deepEqual(results.sampleRatio?.weights, { control: 50000, returns: 50000 });
  const mine = results.variants.find((v) => v.variant === variant);
  const other = results.variants.find((v) => v.variant !== variant);
  assert.ok(mine.units >= 1, JSON.stringify(mine));
  assert.equal(mine.conversions, 1, "one purchase, by the buyer");
  assert.equal(mine.valueSum, 49);
  assert.equal(other?.conversions ?? 0, 0);
  console.log(`experiment: ${buyer} (${variant}) bought; the backend counts ${mine.units} unit(s) and ${mine.conversions} conversion(s) for ${variant}`);

  // The admin UI's results view shows the same figures.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  t.after(() => context.close());
  const admin = await context.newPage();
  const errors = [];
  admin.on("pageerror", (e) => errors.push(String(e)));
  admin.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
  t.after(() => assert.deepEqual(errors, [], "the admin UI reported errors"));
  await admin.goto(`${stack.backend.url}/admin/#/experiments/${EXPERIMENT_FLAG}`);
  await admin.fill("#token", stack.backend.adminToken);
  await admin.press("#token", "Enter");
  await admin.locator("#x-metric").waitFor();
  await admin.selectOption("#x-metric", "purchase");
  const row = admin.locator(`#x-table tbody tr[data-variant="${variant}"]`);
  await eventually("the admin UI's results row", async () => (await row.locator("td").nth(1).textContent().catch(() => null)) === "1", { timeout: 15_000 });
  assert.equal(await row.locator("td").nth(0).textContent(), String(mine.units));
  mkdirSync(ARTIFACTS, { recursive: true });
  await admin.screenshot({ path: join(ARTIFACTS, "admin-demo-experiment.png") });
});

test("the canary: its plan advances while healthy; its origin's 500s make the guard roll it back, in the page and the audit log", async (t) => {
  t.after(() => stack.origins.fault(false));
  // A shopper the canary serves (10% at the plan's first step; a canary shopper stays one as it grows).
  let user;
  for (let i = 0; !user && i < 200; i++) if ((await canaryVariant(`e2e-canary-${i}`)) === "canary") user = `e2e-canary-${i}`;
  assert.ok(user, "one of 200 shoppers is in the canary");
  const page = await open(t, user, { canaryMayFail: true });
  await panelShows(page, { variant: "canary", origin: "canary", status: "200", answer: `served by the canary origin: ${BUILDS.canary}`, share: [6, 14] });
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, "storefront-canary.png") });

  // Healthy: new shoppers until the plan takes its second step (25%).
  const advanced = await eventually(
    "the plan advances while the canary is healthy",
    async () => {
      const statuses = await drive(15);
      assert.deepEqual([...new Set(statuses)], [200], "a healthy canary answers 200");
      const p = await plan();
      assert.equal(p.status, "running", JSON.stringify(p.decisions.at(-1)));
      return p.step >= 1 && p;
    },
    { timeout: 90_000, every: 500 },
  );
  const advance = advanced.decisions.find((d) => d.action === "rollout-advance");
  assert.ok(advance, JSON.stringify(advanced.decisions));
  assert.equal(advance.figures.weight, PLAN.steps[1]);
  assert.deepEqual(advance.figures.judged.guards.map((g) => g.held), [true, true], JSON.stringify(advance.figures));
  console.log(`canary: advanced to ${advanced.weight / 1000}% after ${shoppers} shoppers (${JSON.stringify(advance.figures.judged.guards[0])})`);
  // The page has the new version (its stream): the canary's share, re-estimated.
  await panelShows(page, { variant: "canary", share: [20, 30] });

  // The scripted fault, as the demo's printed curl does it: the canary origin answers 500.
  const control = await fetch(stack.origins.controlUrl, { method: "POST" });
  assert.equal(control.status, 200);
  assert.equal((await control.json()).fault, true);
  const faulted = Date.now();
  // The page's own request (every 2 s) now fails, and it says so.
  await panelShows(page, { variant: "canary", origin: "canary", status: "500", answer: /^500 from the canary origin: the canary build crashed/ });

  // New shoppers until the guard rolls the canary back.
  let failures = 0;
  const failed = await eventually(
    "the guard rolls the canary back",
    async () => {
      failures += (await drive(15)).filter((s) => s === 500).length;
      const p = await plan();
      return p.status === "failed" && p;
    },
    { timeout: 90_000, every: 500 },
  );
  console.log(`canary: rolled back ${Date.now() - faulted} ms after the fault (${failures} shoppers got a 500)`);
  assert.ok(failures > 0);
  assert.equal(failed.weight, 0);
  const rollback = failed.decisions.at(-1);
  assert.equal(rollback.action, "rollout-rollback");
  assert.equal(rollback.figures.weight, 0);
  const [errorGuard] = rollback.figures.judged.guards;
  assert.equal(errorGuard.metric, "error");
  assert.equal(errorGuard.held, false, JSON.stringify(errorGuard));
  assert.ok(errorGuard.rate - errorGuard.controlRate > PLAN.guards[0].maxIncrease, JSON.stringify(errorGuard));

  // The flag: the canary's weight is 0, every shopper is served stable.
  const flag = await api("GET", `${ENV}/flags/${CANARY_FLAG}`);
  assert.deepEqual(flag.defaultServe.rollout.weights, [
    { variant: "canary", weight: 0 },
    { variant: "stable", weight: 100000 },
  ]);

  // The audit log: the start, the advance and the rollback (by the guard, with its figures).
  const audit = await api("GET", `/admin/audit?env=${ENVIRONMENT}&flag=${CANARY_FLAG}`);
  const entries = audit.filter((e) => String(e.action).startsWith("rollout-"));
  assert.deepEqual(entries.map((e) => e.action), ["rollout-start", "rollout-advance", "rollout-rollback"]);
  const entry = entries.at(-1);
  assert.equal(entry.source, "guard");
  assert.deepEqual(entry.figures, rollback.figures);
  assert.ok(entry.changes.some((c) => c.path.endsWith("weights[0].weight") && c.new === 0), JSON.stringify(entry.changes));

  // The page: the shopper is routed to the stable origin again, and the canary serves nobody.
  await panelShows(page, { variant: "stable", origin: "stable", status: "200", answer: `served by the stable origin: ${BUILDS.stable}`, share: [0, 0] });
  await page.screenshot({ path: join(ARTIFACTS, "storefront-rollback.png") });
  // The canary origin is still broken, but no shopper reaches it.
  assert.deepEqual([...new Set(await drive(10))], [200]);
});
