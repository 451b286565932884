// End to end, the admin UI's Environments and Audit views in Debian's Chromium against a real
// `edgeflag serve` (SQLite in a temporary state folder, environments staging and production,
// the embedded example in both): compare staging with production and promote a flag; a stale
// promotion (409) and comparing again; the audit log with each change's token and diff, and
// its filters; a scheduled change listed and cancelled; a reader sees no promote or cancel
// controls. Any console error or CSP violation fails the test.
//
// The binary: $EDGEFLAG, else target/release/edgeflag. It serves its embedded UI (rebuild with
// `cargo build -p edgeflag-cli` after editing src/server/ui), or the files in
// $EDGEFLAG_ADMIN_UI_DIR when set. Artifact: target/e2e/admin-audit.png.
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
const OPERATOR = "e2e-operator-token-0123456789abcdef";

let server;
let browser;
let state;
/** Named tokens made with `edgeflag serve token create`: { alice: editor, rita: reader }. */
const tokens = {};

/** Starts `edgeflag serve` on a free port; resolves { url, child, exited }. */
async function startServer(stateDir) {
  const args = ["serve", "--listen", "127.0.0.1:0", "--state", stateDir, "--admin-token", OPERATOR, "--environments", "staging,production"];
  if (process.env.EDGEFLAG_ADMIN_UI_DIR) args.push("--admin-ui-dir", process.env.EDGEFLAG_ADMIN_UI_DIR);
  const child = spawn(EDGEFLAG, args, { stdio: ["ignore", "pipe", "pipe"] });
  createInterface({ input: child.stderr }).on("line", (line) => process.env.E2E_VERBOSE && console.error(`[serve] ${line}`));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("edgeflag serve did not start within 15 s")), 15_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      const m = /^edgeflag serve: listening on (http:\/\/\S+)/.exec(line);
      if (m) clearTimeout(timer), resolve(m[1]);
    });
    exited.then((code) => (clearTimeout(timer), reject(new Error(`edgeflag serve exited (${code}) before listening`))));
  });
  return { url, child, exited };
}

before(async () => {
  state = mkdtempSync(join(tmpdir(), "edgeflag-admin-e2e-"));
  for (const [name, role] of [["alice", "editor"], ["rita", "reader"]]) {
    const out = execFileSync(EDGEFLAG, ["serve", "token", "create", "--name", name, "--role", role, "--state", state], { encoding: "utf8" });
    tokens[name] = /^token (\S+)/m.exec(out)[1];
  }
  server = await startServer(state);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await stopServer(server);
  if (state) rmSync(state, { recursive: true, force: true });
});

/** An admin API call as `token` (the operator by default); resolves { status, body }. */
const api = (method, path, body, token = OPERATOR) => adminApi(server.url, method, path, body, token);

/** The version production's public snapshot carries. */
async function snapshotVersion(env) {
  const envelope = await (await fetch(`${server.url}/environments/${env}/snapshot`)).json();
  return JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")).version;
}

const flagOf = async (env, key) => (await api("GET", `/admin/environments/${env}/flags/${key}`)).body;

/**
 * A page in a fresh context signed in with `token` at `hash` (never the flag list, which is
 * another view). Console errors, page errors and CSP violations fail the test, except
 * Chromium's own "Failed to load resource" line for an answer the test provokes (`allowed`:
 * e.g. [[409, "/admin/promote"]]; the page handles it, the browser logs every non-2xx fetch).
 */
async function signedIn(t, token, hash, { viewport = { width: 1280, height: 1000 }, allowed = [] } = {}) {
  const context = await browser.newContext({ viewport });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    // index.html names no icon, so Chromium asks for /favicon.ico (404): not the views' doing.
    if (m.location().url.endsWith("/favicon.ico")) return;
    const expected = allowed.some(([status, path]) => m.text().includes(`status of ${status}`) && new URL(m.location().url).pathname === path);
    if (expected) return;
    errors.push(`console: ${m.text()} (${m.location().url})`);
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

/** Compares `from` with `to` in the promote view; resolves the flag items' { key: status }. */
async function compare(page, from, to) {
  await page.getByLabel("From (source)").selectOption(from);
  await page.getByLabel("To (target)").selectOption(to);
  await page.getByRole("button", { name: "Compare", exact: true }).click();
  await page.locator(".promote-item[data-flag]").first().waitFor();
  return statuses(page);
}

const statuses = (page) =>
  page.$$eval(".promote-item[data-flag]", (items) => Object.fromEntries(items.map((i) => [i.dataset.flag, i.dataset.status])));
const checked = (page) => page.$$eval(".promote-item input[type=checkbox]:checked", (boxes) => boxes.map((b) => b.dataset.key));

test("a staging change, compared with production in the UI and promoted, is what production serves", async (t) => {
  assert.equal((await api("PATCH", "/admin/environments/staging/flags/new-checkout", { enabled: false })).status, 200);
  const before = await snapshotVersion("production");
  const page = await signedIn(t, tokens.alice, "#/promote");

  const shown = await compare(page, "staging", "production");
  assert.equal(shown["new-checkout"], "changed");
  assert.equal(shown.banner, "unchanged");
  assert.deepEqual(await checked(page), ["new-checkout"], "changed and added flags are selected by default, only those");
  // Its changes, expanded with the keyboard.
  const item = page.locator('.promote-item[data-flag="new-checkout"]');
  const expand = item.getByRole("button", { name: "1 change" });
  await expand.focus();
  await page.keyboard.press("Enter");
  assert.equal(await expand.getAttribute("aria-expanded"), "true");
  const row = item.locator("table.changes tbody tr");
  assert.deepEqual(await row.locator("th, td").allTextContents(), ["enabled", "true", "false"]);
  await expect(page.locator("#promote-count"), "1 flag selected.");

  await page.getByRole("button", { name: "Promote selected" }).click();
  const dialog = page.locator("dialog[open]");
  assert.match(await dialog.textContent(), /PRODUCTION/);
  await dialog.getByRole("button", { name: "Promote to production" }).click();
  await expect(page.locator("#toast"), /^Promoted 1 flag to production: version \d+\.$/);
  const version = Number(/version (\d+)/.exec(await page.locator("#toast").textContent())[1]);

  assert.ok((await snapshotVersion("production")) > before, "production serves a new version");
  assert.equal(await snapshotVersion("production"), version, "the one the toast names");
  assert.deepEqual(await flagOf("production", "new-checkout"), await flagOf("staging", "new-checkout"));
  // Compared again after promoting: nothing left to promote.
  await page.locator('.promote-item[data-flag="new-checkout"][data-status="unchanged"]').waitFor();
});

test("a promotion made stale by a change after comparing is refused (409), and comparing again works", async (t) => {
  assert.equal((await api("PATCH", "/admin/environments/staging/flags/banner", { enabled: false })).status, 200);
  const page = await signedIn(t, tokens.alice, "#/promote", { allowed: [[409, "/admin/promote"]] });
  const shown = await compare(page, "staging", "production");
  assert.equal(shown.banner, "changed");
  assert.deepEqual(await checked(page), ["banner"]);

  // Staging moves on after the diff.
  assert.equal((await api("PATCH", "/admin/environments/staging/flags/free-shipping-threshold", { enabled: false })).status, 200);
  const productionBefore = await snapshotVersion("production");
  await page.getByRole("button", { name: "Promote selected" }).click();
  await page.locator("dialog[open]").getByRole("button", { name: "Promote to production" }).click();
  const conflict = page.locator(".conflict[role=alert]");
  await conflict.waitFor();
  assert.match(await conflict.textContent(), /changed since the comparison/);
  assert.equal(await snapshotVersion("production"), productionBefore, "nothing was applied");

  const again = page.getByRole("button", { name: "Compare again" });
  assert.ok(await again.evaluate((b) => b === document.activeElement), "focus moves to Compare again");
  await page.keyboard.press("Enter");
  await page.locator('.promote-item[data-flag="free-shipping-threshold"][data-status="changed"]').waitFor();
  assert.equal(await page.locator('.promote-item[data-flag="free-shipping-threshold"] .badge.lint').count(), 1, "marked as different since the last comparison");
  assert.deepEqual(await checked(page), ["banner"], "the selection made before is kept");
  await page.getByRole("button", { name: "Promote selected" }).click();
  await page.locator("dialog[open]").getByRole("button", { name: "Promote to production" }).click();
  await expect(page.locator("#toast"), /^Promoted 1 flag to production/);
  assert.deepEqual(await flagOf("production", "banner"), await flagOf("staging", "banner"));
  assert.notDeepEqual(await flagOf("production", "free-shipping-threshold"), await flagOf("staging", "free-shipping-threshold"), "not selected, not promoted");
});

/** The audit rows shown: [{ seq, env, token, action, key }], top to bottom. */
const auditRows = (page) =>
  page.$$eval("#audit-entries > tr[data-seq]", (rows) => rows.map((r) => ({ seq: Number(r.dataset.seq), env: r.dataset.env, token: r.dataset.token, action: r.cells[3].textContent, key: r.dataset.key })));

test("the audit view lists each change with its token and diff, and filters through the API", async (t) => {
  const page = await signedIn(t, tokens.alice, "#/audit");
  await page.getByRole("search").getByLabel("Environment").selectOption("all");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.locator("#audit-status"), /^\d+ entries, newest first/);
  const rows = await auditRows(page);
  const all = (await api("GET", "/admin/audit")).body;
  assert.deepEqual(rows.map((r) => r.seq), all.map((e) => e.seq).reverse(), "every entry, newest first");
  const expected = [
    ["staging", "operator", "patch", "new-checkout"],
    ["production", "alice", "promote", "new-checkout"],
    ["staging", "operator", "patch", "banner"],
    ["staging", "operator", "patch", "free-shipping-threshold"],
    ["production", "alice", "promote", "banner"],
  ];
  assert.deepEqual(rows.slice().reverse().map((r) => [r.env, r.token, r.action, r.key]), expected);
  const promoteKeys = await page.locator("#audit-entries > tr[data-seq]").first().locator("td").nth(4).textContent();
  assert.equal(promoteKeys, "flag banner", "a promotion is an entry per promoted flag");

  // The first change's before/after diff, opened with the keyboard.
  const first = page.locator(`#audit-entries > tr[data-seq="${all[0].seq}"]`);
  const details = first.getByRole("button", { name: /^Details of entry/ });
  await details.focus();
  await page.keyboard.press("Enter");
  assert.equal(await details.getAttribute("aria-expanded"), "true");
  const detail = page.locator(`#${await details.getAttribute("aria-controls")}`);
  await detail.locator(".diff-view").waitFor();
  assert.deepEqual(await detail.locator(".diff-line.del").allTextContents(), ['−   "enabled": true,']);
  assert.deepEqual(await detail.locator(".diff-line.add").allTextContents(), ['+   "enabled": false,']);
  assert.ok((await detail.locator(".diff-more").count()) >= 1, "unchanged lines are collapsed");
  assert.deepEqual(await detail.locator("table.changes tbody tr").first().locator("th, td").allTextContents(), ["flags.new-checkout.enabled", "true", "false"]);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, "admin-audit.png"), fullPage: true });

  // Filtered by flag, then by token: what the API answers for the same query.
  await page.getByLabel("Flag key").fill("banner");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.locator("#audit-status"), /^2 entries/);
  // Its change in staging and its promotion to production.
  assert.deepEqual((await auditRows(page)).map((r) => [r.env, r.action, r.key]), [["production", "promote", "banner"], ["staging", "patch", "banner"]]);
  await page.getByLabel("Flag key").fill("");
  await page.getByLabel("Token name").fill("alice");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page.locator("#audit-status"), /^2 entries/);
  assert.deepEqual((await auditRows(page)).map((r) => [r.token, r.action]), [["alice", "promote"], ["alice", "promote"]]);

  // The filters survive a reload.
  await page.reload();
  await expect(page.locator("#audit-status"), /^2 entries/);
  assert.equal(await page.getByLabel("Token name").inputValue(), "alice");
  assert.equal(await page.getByRole("search").getByLabel("Environment").inputValue(), "all");

  // A limit that is no number is refused next to its field.
  const limit = page.getByLabel("Newest");
  await limit.fill("-1");
  await page.getByRole("button", { name: "Apply filters" }).click();
  assert.equal(await limit.getAttribute("aria-invalid"), "true");
  assert.match(await page.locator(`#${await limit.getAttribute("aria-describedby")}`).textContent(), /whole number/);
});

test("a scheduled change is listed and cancelled in the UI", async (t) => {
  const at = new Date(Date.now() + 3600_000).toISOString();
  const scheduled = await api("PATCH", "/admin/environments/staging/flags/banner", { enabled: true, at }, tokens.alice);
  assert.equal(scheduled.status, 202);
  const id = scheduled.body.scheduled.id;

  const page = await signedIn(t, tokens.alice, "#/audit");
  await page.locator("#env-switch").selectOption("staging");
  await page.getByRole("heading", { name: "Scheduled changes in staging" }).waitFor();
  const row = page.locator(`#scheduled-entries > tr[data-id="${id}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute("data-state"), "pending");
  const stored = (await api("GET", "/admin/environments/staging/scheduled")).body.scheduled.find((s) => s.id === id);
  assert.equal(await row.locator("time").first().getAttribute("title"), stored.at, "the due instant as RFC 3339 in the title");
  await row.getByRole("button", { name: `Cancel scheduled change ${id} (patch banner)` }).click();
  await page.locator("dialog[open]").getByRole("button", { name: "Cancel the change" }).click();
  await page.locator(`#scheduled-entries > tr[data-id="${id}"][data-state="cancelled"]`).waitFor();
  assert.equal(await page.locator(`#scheduled-entries > tr[data-id="${id}"] button`).count(), 0, "no Cancel once cancelled");
  const listed = (await api("GET", "/admin/environments/staging/scheduled?all=true")).body.scheduled.find((s) => s.id === id);
  assert.equal(listed.state, "cancelled");
  assert.equal(listed.result, "cancelled by alice");
});

test("a reader compares but cannot promote or cancel, and the views fit 320 px", async (t) => {
  const at = new Date(Date.now() + 3600_000).toISOString();
  assert.equal((await api("PATCH", "/admin/environments/production/flags/banner", { enabled: true, at })).status, 202);
  const page = await signedIn(t, tokens.rita, "#/promote", { viewport: { width: 320, height: 800 } });
  await compare(page, "staging", "production");
  const promote = page.getByRole("button", { name: "Promote selected" });
  assert.equal(await promote.isDisabled(), true);
  assert.match(await page.locator("#promote-why").textContent(), /needs an editor or admin token for production/);
  assert.equal(await page.locator(".promote-item input[type=checkbox]:not([disabled])").count(), 0);
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(await fits(), "the promote view fits 320 px");

  await page.goto(`${server.url}/admin/#/audit`);
  await page.locator("#scheduled-entries > tr[data-state=pending]").first().waitFor();
  assert.equal(await page.locator("#scheduled-entries button").count(), 0, "no Cancel for a reader");
  await page.locator("#audit-entries button[aria-expanded]").first().click();
  assert.ok(await fits(), "the audit view fits 320 px");
});

const expect = expectText;
