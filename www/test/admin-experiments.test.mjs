// End to end, the admin UI's experiment screens in Debian's Chromium against a real
// `edgeflag serve` (SQLite in a temporary state folder, environment production, the embedded
// example, `--ingest-key` and `--guard-interval 1s`): events posted to /ingest/production/events
// as a worker forwards them, then the results of a 50/50 experiment (units, conversions, the
// chart's intervals, Welch, the sample-ratio warning, the rejected events); the sample-size
// calculator against the API's own answer; a rollout plan set from the form (its first step
// in the flag's weights), rolled back by its error guard (status failed, the decision and its
// figures, in the plan and in the audit log), then cancelled; the kill guard set from the form
// and triggered; a reader sees all of it and no form. Any console error or CSP violation
// fails the test.
//
// The binary: $EDGEFLAG, else target/release/edgeflag. It serves its embedded UI (rebuild with
// `cargo build --release -p edgeflag-cli` after editing src/server/ui), or the files in
// $EDGEFLAG_ADMIN_UI_DIR when set. Artifacts: target/e2e/admin-experiments.png,
// admin-rollout.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { adminApi, expectText, stopServer } from "./admin-helpers.mjs";
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "./chromium.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const EDGEFLAG = process.env.EDGEFLAG ?? join(ROOT, "target", "release", "edgeflag");
const ARTIFACTS = join(ROOT, "target", "e2e");
const OPERATOR = "e2e-operator-experiments-0123456789";
const INGEST = "e2e-ingest-key-0123456789abcdef";
const ENV = "/admin/environments/production";

let server;
let browser;
let state;
let reader;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  state = mkdtempSync(join(tmpdir(), "edgeflag-admin-experiments-"));
  const out = execFileSync(EDGEFLAG, ["serve", "token", "create", "--name", "rita", "--role", "reader", "--state", state], { encoding: "utf8" });
  reader = /^token (\S+)/m.exec(out)[1];
  const args = ["serve", "--listen", "127.0.0.1:0", "--state", state, "--admin-token", OPERATOR, "--environments", "production",
    "--ingest-key", INGEST, "--guard-interval", "1s"];
  if (process.env.EDGEFLAG_ADMIN_UI_DIR) args.push("--admin-ui-dir", process.env.EDGEFLAG_ADMIN_UI_DIR);
  const child = spawn(EDGEFLAG, args, { stdio: ["ignore", "pipe", "pipe"] });
  createInterface({ input: child.stderr }).on("line", (line) => process.env.E2E_VERBOSE && console.error(`[serve] ${line}`));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  server = { child, exited };
  server.url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("edgeflag serve did not start within 15 s")), 15_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      const m = /^edgeflag serve: listening on (http:\/\/\S+)/.exec(line);
      if (m) clearTimeout(timer), resolve(m[1]);
    });
    exited.then((code) => (clearTimeout(timer), reject(new Error(`edgeflag serve exited (${code}) before listening`))));
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await stopServer(server);
  if (state) rmSync(state, { recursive: true, force: true });
});

/** An admin API call as `token` (the operator by default); resolves { status, body }. */
const api = (method, path, body, token = OPERATOR) => adminApi(server.url, method, path, body, token);

let batches = 0;
/** Posts `events` as one worker batch with the ingest key; resolves the answer. */
async function ingest(events) {
  const res = await fetch(`${server.url}/ingest/production/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${INGEST}`, "content-type": "application/json" },
    body: JSON.stringify({ batch: `e2e-batch-${++batches}`, source: "worker", events }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

/**
 * `n` units of `variant` exposed to `flag` (named `prefix`0..), the first `converted` of them
 * tracking `event` (with `value`, when given, as unit i's value + i).
 */
function units(flag, variant, prefix, n, converted = 0, event = "purchase", value) {
  const at = new Date().toISOString();
  const events = [];
  for (let i = 0; i < n; i++) {
    const unit = `${prefix}${i}`;
    events.push({ kind: "exposure", flag, variant, ruleId: null, version: 1, unit, at });
    if (i < converted) events.push({ kind: "track", event, unit, at, ...(value === undefined ? {} : { value: value + i }) });
  }
  return events;
}

/** A boolean flag with trackEvents, serving `defaultServe`. */
const experiment = (defaultServe) => ({ type: "boolean", variants: { on: true, off: false }, offVariant: "off", trackEvents: true, defaultServe });

/**
 * A tab signed in with `token` at `hash`. Console errors, page errors and CSP violations fail
 * the test, except Chromium's own "Failed to load resource" line for an answer the page
 * handles (`allowed`: [[status, path]]).
 */
async function signedIn(t, token, hash, { viewport = { width: 1280, height: 1000 }, allowed = [] } = {}) {
  const context = await browser.newContext({ viewport });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    if (m.location().url.endsWith("/favicon.ico")) return;
    const expected = allowed.some(([status, path]) => m.text().includes(`status of ${status}`) && new URL(m.location().url).pathname === path);
    if (!expected) errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  await page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)),
  );
  t.after(() => assert.deepEqual(errors, [], "the page reported errors"));
  await page.goto(`${server.url}/admin/${hash}`);
  await page.fill("#token", token);
  await page.press("#token", "Enter");
  await page.locator("#nav").waitFor({ state: "visible" });
  return page;
}

const expect = expectText;

/** Polls `fn` until it resolves truthy. */
async function eventually(what, fn, timeout = 20_000) {
  const start = Date.now();
  while (Date.now() - start < timeout) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out: ${what}`);
}

/** Controls without an accessible name under `root`. */
const unlabelled = (page, root = "main") =>
  page.$$eval(`${root} input, ${root} select, ${root} textarea, ${root} button`, (els) =>
    els.filter((e) => (e.tagName === "BUTTON" ? !e.textContent.trim() && !e.getAttribute("aria-label") : !e.labels?.length && !e.getAttribute("aria-label"))).map((e) => e.id || e.outerHTML.slice(0, 80)));

/** The results table as { variant: [cells] }. */
const table = (page) =>
  page.$$eval("#x-table tbody tr", (rows) => Object.fromEntries(rows.map((r) => [r.dataset.variant, [...r.cells].slice(1).map((c) => c.textContent)])));

const fits320 = async (page, what) => {
  await page.setViewportSize({ width: 320, height: 800 });
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 320, `${what} fits 320 px`);
  await page.setViewportSize({ width: 1280, height: 1000 });
};

/** The pages that read a plan or guard a flag does not have (404, which the page shows). */
const none = (key) => [[404, `${ENV}/flags/${key}/rollout-plan`], [404, `${ENV}/flags/${key}/guard`]];

test("experiment results: units and conversions per variant, one interval per variant, Welch, the sample ratio", async (t) => {
  const key = "exp-checkout";
  const weights = [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }];
  assert.equal((await api("POST", `${ENV}/flags`, { key, flag: experiment({ rollout: { by: "targetingKey", salt: key, weights } }) })).status, 200);
  // 80 units per variant; 20 of on's buy, 10 of off's; one event of a flag that does not exist.
  const sent = await ingest([...units(key, "on", "on-", 80, 20, "purchase", 30), ...units(key, "off", "off-", 80, 10, "purchase", 20),
    { kind: "exposure", flag: "no-such-flag", variant: "on", unit: "x", at: new Date().toISOString() }]);
  assert.equal(sent.rejected.unknownFlag, 1);

  // Reachable from the list: the row's results link.
  const page = await signedIn(t, OPERATOR, "#/flags");
  await page.locator(`tr[data-key="${key}"]`).getByRole("link", { name: `Experiment results of ${key}` }).click();
  await page.locator("#x-table tbody tr").first().waitFor();
  assert.equal(await page.getByLabel("Metric").inputValue(), "purchase", "the first metric the API lists");
  assert.equal(await page.getByLabel("Control").inputValue(), "off", "the flag's offVariant");
  const api1 = (await api("GET", `${ENV}/experiments/${key}?metric=purchase`)).body;
  const rows = await table(page);
  assert.deepEqual(Object.keys(rows), ["on", "off"]);
  assert.deepEqual([rows.on[0], rows.on[1], rows.off[0], rows.off[1]], ["80", "20", "80", "10"]);
  const on = api1.variants.find((v) => v.variant === "on");
  assert.equal(rows.on[2], `${(on.rate * 100).toFixed(2)}% [${(on.interval[0] * 100).toFixed(1)}%, ${(on.interval[1] * 100).toFixed(1)}%]`);
  assert.match(rows.on[4], /^\+12\.50 pp \[/, "the difference vs control in percentage points");
  assert.equal(rows.on[5], on.vsControl.pValue.toFixed(4));
  assert.equal(rows.on[6], "+100.0%");
  assert.equal(rows.off[4], "control");
  // The chart: one interval (error bar) per variant.
  assert.equal(await page.locator("svg.chart g.ci").count(), 2);
  assert.deepEqual(await page.$$eval("svg.chart g.ci", (gs) => gs.map((g) => g.dataset.variant)), ["on", "off"]);
  assert.match(await page.locator("svg.chart title").textContent(), /Rate of purchase per variant with its 95% interval/);
  await expect(page.locator("#x-srm"), /^Sample ratio: p = 1\.0000 .*Consistent with the weights\.$/);
  assert.equal(await page.locator("#x-srm.bad").count(), 0);
  await expect(page.locator("#x-rejected"), "Rejected events in production: unknownFlag 1.");
  assert.deepEqual(await unlabelled(page), [], "controls without a label");

  // Welch on the values: the API's figures for value=true.
  await page.getByLabel("Compare values (Welch)").check();
  await expect(page.locator("main"), /Welch's t-test/);
  const welch = (await api("GET", `${ENV}/experiments/${key}?metric=purchase&value=true`)).body.variants.find((v) => v.variant === "on").vsControl;
  await page.waitForFunction((p) => document.querySelector('#x-table tr[data-variant="on"]')?.cells[6].textContent === p, welch.pValue < 0.0001 ? "< 0.0001" : welch.pValue.toFixed(4));
  assert.match((await table(page)).on[4], new RegExp(`^\\+${welch.difference.toFixed(2)} \\[`));
  // The control picker: on as the control.
  await page.getByLabel("Control").selectOption("on");
  await page.waitForFunction(() => document.querySelector('#x-table tr[data-variant="on"]')?.cells[5].textContent === "control");
  await page.getByLabel("Control").selectOption("off");
  await page.getByLabel("Compare values (Welch)").uncheck();
  await page.waitForFunction(() => /pp/.test(document.querySelector('#x-table tr[data-variant="on"]')?.cells[5].textContent ?? ""));
  await fits320(page, "the results");
  await page.screenshot({ path: join(ARTIFACTS, "admin-experiments.png"), fullPage: true });

  // 300 more units of on: not the 50/50 the rollout says, a clear warning.
  await ingest(units(key, "on", "more-", 300));
  await page.getByRole("button", { name: "Refresh" }).click();
  await expect(page.locator("#x-srm.bad"), /^Sample ratio mismatch: p (< 0\.0001|= 0\.000\d) .*cannot be trusted\.$/);
  assert.equal(await page.locator("#x-srm").getAttribute("role"), "alert");
  assert.equal((await table(page)).on[0], "380");
});

test("the sample-size calculator shows the API's figures, and its errors next to the field", async (t) => {
  const page = await signedIn(t, OPERATOR, "#/flags", { allowed: [[400, "/admin/sample-size"]] });
  await page.getByRole("link", { name: "Sample size" }).click();
  await page.getByLabel("Baseline conversion rate").fill("0.04");
  await page.getByLabel("Relative minimum detectable effect").fill("0.15");
  await page.getByLabel("Variants (control included)").fill("3");
  await page.getByLabel("Daily units (optional)").fill("2500");
  await page.getByRole("button", { name: "Calculate" }).click();
  const expected = (await api("GET", "/admin/sample-size?baseline=0.04&mde=0.15&alpha=0.05&power=0.8&variants=3&dailyUnits=2500")).body;
  const n = (x) => x.toLocaleString("en");
  await expect(page.locator("#ss-units"), n(expected.unitsPerVariant));
  assert.equal(await page.locator("#ss-total").textContent(), n(expected.totalUnits));
  assert.equal(await page.locator("#ss-days").textContent(), n(expected.days));
  assert.equal(expected.totalUnits, expected.unitsPerVariant * 3);
  // Refused: next to the field the API names.
  await page.getByLabel("Significance level (alpha)").fill("1");
  await page.getByRole("button", { name: "Calculate" }).click();
  await expect(page.locator("#ss-alpha-error"), /alpha|0 and 1|between|above|below/i);
  assert.equal(await page.locator("#ss-alpha").getAttribute("aria-invalid"), "true");
  assert.equal(await page.locator("#ss-units").count(), 0, "no figures for a refused question");
  await page.getByLabel("Significance level (alpha)").fill("0.05");
  await page.getByLabel("Daily units (optional)").fill("");
  await page.getByRole("button", { name: "Calculate" }).click();
  await expect(page.locator("#ss-days"), /give the daily units/);
  assert.equal(await page.locator("#ss-alpha-error").count(), 0);
  assert.deepEqual(await unlabelled(page), []);
  await fits320(page, "the calculator");
});

/** The flag's default weights as the API answers them. */
const weightsOf = async (key) => (await api("GET", `${ENV}/flags/${key}`)).body.defaultServe.rollout?.weights;

test("a rollout plan set from the form: its first step applied, rolled back by its guard, then one cancelled", async (t) => {
  const key = "exp-plan";
  assert.equal((await api("POST", `${ENV}/flags`, { key, flag: experiment({ variant: "off" }) })).status, 200);
  const page = await signedIn(t, OPERATOR, `#/flags/${key}`, { allowed: [...none(key), [400, `${ENV}/flags/${key}/rollout-plan`]] });
  // Reachable from the editor.
  await page.getByRole("link", { name: "Rollout plan and guard" }).click();
  await expect(page.locator("#p-progress"), `No rollout plan for ${key} in production.`);
  assert.deepEqual(await unlabelled(page), [], "controls without a label");
  assert.equal(await page.getByLabel("Variant to roll out").inputValue(), "on");

  // A step the API refuses (not increasing): the error next to the steps.
  await page.getByLabel("Steps, % of units").fill("2, 2");
  await page.getByRole("button", { name: "Start the plan" }).click();
  await page.locator("dialog[open]").getByRole("button", { name: "Start" }).click();
  await expect(page.locator("#p-steps-error"), /steps must increase/);
  // Another guard, on an event, added and its kind chosen; then a valid plan, confirmed.
  await page.getByRole("button", { name: "Add a guard on another event" }).click();
  await page.getByLabel("Guard 1: event").fill("refund");
  await page.getByLabel("Guard 1: limit kind").selectOption("maxRate");
  await page.getByLabel("Guard 1: limit", { exact: true }).fill("50");
  await page.getByLabel("Steps, % of units").fill("2, 10, 100");
  await page.getByLabel("New units per step, at least").fill("10");
  await page.getByLabel("Seconds per step, at least").fill("0");
  await page.getByLabel("Errors: most increase over the control, percentage points").fill("10");
  await page.getByRole("button", { name: "Start the plan" }).click();
  const dialog = page.locator("dialog[open]");
  await expect(dialog.locator("h2"), `Start rolling out on of ${key} in production?`);
  await dialog.getByRole("button", { name: "Start" }).click();
  await expect(page.locator("#toast"), `Rollout plan of ${key}: on at 2%.`);
  await expect(page.locator("#p-status"), "running");
  // The first step, applied at once.
  assert.deepEqual(await weightsOf(key), [{ variant: "on", weight: 2000 }, { variant: "off", weight: 98000 }]);
  const plan = (await api("GET", `${ENV}/flags/${key}/rollout-plan`)).body;
  assert.deepEqual(plan.plan.steps, [2000, 10000, 100000]);
  assert.deepEqual(plan.plan.guards, [{ metric: "error", maxIncrease: 0.1 }, { metric: "refund", maxRate: 0.5 }]);
  assert.deepEqual(await page.locator("ol.steps li").allTextContents(), ["2% (current)", "10% (todo)", "100% (todo)"]);
  assert.equal(await page.locator('ol.steps li[aria-current="step"]').textContent(), "2% (current)");
  await expect(page.locator("#p-decisions"), /^rollout-start .*Step 1: weight 2%/);

  // The variant's errors: 8 of 10 units against the control's 1 of 20; the refund guard holds.
  await ingest([...units(key, "on", "p-on-", 10, 8, "error"), ...units(key, "off", "p-off-", 20, 1, "error"),
    ...units(key, "on", "p-on-", 10, 1, "refund"), ...units(key, "off", "p-off-", 20, 1, "refund")]);
  // The page follows the running plan by itself.
  await expect(page.locator("#p-status"), "failed", 20_000);
  assert.deepEqual(await weightsOf(key), [{ variant: "on", weight: 0 }, { variant: "off", weight: 100000 }]);
  const rollback = page.locator('#p-decisions li[data-action="rollout-rollback"]');
  const text = await rollback.textContent();
  assert.match(text, /Step 1: weight 0%/);
  assert.match(text, /10 new units \(at least 10\)/);
  assert.match(text, /failed error: 80\.00% of 10 units, control 5\.00% of 20; increase \+75\.00 pp \(max \+10\.00 pp\)/);
  assert.match(text, /held refund: 10\.00% of 10 units, control 5\.00% of 20 \(max 50\.00%\)/);
  assert.deepEqual(await page.locator("ol.steps li").allTextContents(), ["2% (failed)", "10% (todo)", "100% (todo)"]);
  assert.equal(await page.getByRole("button", { name: "Cancel the plan" }).count(), 0, "nothing to cancel");
  await page.locator("main").screenshot({ path: join(ARTIFACTS, "admin-rollout.png") });

  // In the audit log: the decisions with their figures.
  await page.evaluate((k) => (location.hash = `#/audit?env=production&flag=${k}&limit=100`), key);
  const entry = page.locator("#audit-entries > tr[data-seq]", { hasText: "rollout-rollback" });
  await expect(entry.locator("td").nth(3), "rollout-rollback weight 0%");
  await entry.getByRole("button", { name: /^Details of entry/ }).click();
  const detail = page.locator("tr.audit-detail:not([hidden])");
  await expect(detail.locator("ul.figures"), /failed error: 80\.00% of 10 units/);
  await expect(page.locator("#audit-entries > tr[data-seq]", { hasText: "rollout-start" }).locator("td").nth(3), "rollout-start weight 2%");

  // A new plan, cancelled: the weights stay.
  await page.evaluate((k) => (location.hash = `#/rollout/${k}`), key);
  await page.getByLabel("Steps, % of units").fill("5, 100");
  await page.getByRole("button", { name: "Start the plan" }).click();
  await page.locator("dialog[open]").getByRole("button", { name: "Start" }).click();
  await expect(page.locator("#p-status"), "running");
  await page.getByRole("button", { name: "Cancel the plan" }).click();
  await page.locator("dialog[open]").getByRole("button", { name: "Cancel the plan" }).click();
  await expect(page.locator("#p-status"), "cancelled");
  assert.equal((await api("GET", `${ENV}/flags/${key}/rollout-plan`)).body.status, "cancelled");
  assert.deepEqual(await weightsOf(key), [{ variant: "on", weight: 5000 }, { variant: "off", weight: 95000 }]);
  await fits320(page, "the rollout page");
});

test("the kill guard set from the form kills the flag, with the figures", async (t) => {
  const key = "exp-guarded";
  const weights = [{ variant: "on", weight: 50_000 }, { variant: "off", weight: 50_000 }];
  assert.equal((await api("POST", `${ENV}/flags`, { key, flag: experiment({ rollout: { by: "targetingKey", salt: key, weights } }) })).status, 200);
  const page = await signedIn(t, OPERATOR, `#/rollout/${key}`, { allowed: [...none(key), [400, `${ENV}/flags/${key}/guard`]] });
  await expect(page.locator("#g-status"), `No kill guard on ${key}.`);
  await page.getByLabel("Kill above this rate, %").fill("500");
  await page.getByRole("button", { name: "Watch" }).click();
  await expect(page.locator("#g-max-rate-error"), /rate from 0 to 1/);
  await page.getByLabel("Kill above this rate, %").fill("20");
  await page.getByLabel("Units a variant needs first").fill("10");
  await page.getByRole("button", { name: "Watch" }).click();
  await expect(page.locator("#g-status"), /^watching Kills exp-guarded when a served variant \(not off\) has 10 units and more than 20\.00% of them had error\.$/);
  assert.deepEqual((await api("GET", `${ENV}/flags/${key}/guard`)).body.guard, { metric: "error", maxRate: 0.2, minUnits: 10 });

  await ingest(units(key, "on", "g-", 12, 6, "error"));
  await eventually("the guard triggers", async () => (await api("GET", `${ENV}/flags/${key}/guard`)).body.status === "triggered");
  assert.equal((await api("GET", `${ENV}/flags/${key}`)).body.enabled, false);
  // (The token is kept for the tab: a reload shows the page again, signed in.)
  await page.reload();
  await expect(page.locator("#g-status"), /^triggered exp-guarded was killed: Variant on: 6 of 12 units had error \(50\.00%; kill above 20\.00% over at least 10 units\)$/);
});

test("a reader sees the results, the plan and the guard, and no form", async (t) => {
  const page = await signedIn(t, reader, "#/rollout/exp-plan", { allowed: none("exp-plan") });
  await expect(page.locator("#p-status"), "cancelled");
  // (The plan that replaced the failed one: its start, then cancelled.)
  assert.deepEqual(await page.$$eval("#p-decisions > li", (items) => items.map((i) => i.dataset.action)), ["rollout-start"]);
  assert.equal(await page.locator("main form, main button").count(), 0, "no forms, no cancel");
  await expect(page.locator(".readonly"), /Read-only/);
  await page.getByRole("link", { name: "Results" }).click();
  await page.locator("#x-table tbody tr").first().waitFor();
  assert.equal(await page.locator("main form").count(), 1, "the results' own picker");
});
