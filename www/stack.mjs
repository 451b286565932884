// The demo stack, started the same way by `www/demo.sh` and by the end-to-end tests:
//
//   edgeflag serve (the owning backend, embedded example, fresh dev key, a known ingest key,
//     rollout plans and guards judged every 2 s)                           on a free port
//   workerd (Miniflare) on PORT or a free port, running two instances of the edge worker's bundle:
//     storefront  www/ as its ASSETS (bootstrap injected), OFREP, /edgeflag/events
//     release     /release/* only, in canary mode: the flag canary-release picks the origin
//   two tiny origins (node:http) behind the release worker: stable and canary; the canary's
//     control route (POST/DELETE /control/fault) makes it answer 500
//   a rollout plan on canary-release (PUT .../rollout-plan) with an error guard
//
// Both worker instances forward events (the page's exposures and purchases, the release
// worker's per-variant request metrics and origin errors) to the backend every 2 s.
//
// The site is built into a scratch folder: a copy of www/, the npm package under /pkg/ and a
// js/config.js that pins the backend's real public key (the page never takes its keys from
// the worker that serves it). Run directly (`node www/stack.mjs`) it is the demo: it prints
// what to open, simulates shoppers (EDGEFLAG_DEMO_SHOPPERS=0: none) and stops everything on
// Ctrl-C or SIGTERM.
//
// Prerequisites (demo.sh and test/run.sh see to them): target/release/edgeflag built
// (`cargo build --release -p edgeflag-cli`), pkg/ assembled, worker/node_modules installed.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

export const WWW = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(WWW);
const WORKER = join(ROOT, "worker");
const PKG = join(ROOT, "pkg");
export const EDGEFLAG = join(ROOT, "target", "release", "edgeflag");
export const OWNER = "demo-shop";
export const ENVIRONMENT = "production";

/** The flag whose variant picks the release worker's origin (its CANARY_FLAG). */
export const CANARY_FLAG = "canary-release";
/** The storefront's experiment: the page tracks `purchase` against it. */
export const EXPERIMENT_FLAG = "checkout-experiment";
/** What the release worker serves (and the page asks for): `/release/*`. */
export const RELEASE_PATH = "/release/";
/** The builds the two origins say they are. */
export const BUILDS = { stable: "shop 2026.12.1", canary: "shop 2026.12.2-rc.1" };
/**
 * The demo's rollout plan of the canary (PUT .../flags/canary-release/rollout-plan; the
 * example serves the canary to 5% of shoppers before it starts): 10% of shoppers, then 25, 50
 * and 100%, a step at least every 90 s and 5 new canary shoppers; rolled back as soon as the
 * canary's share of shoppers who saw an origin error exceeds the stable origin's by 5 points,
 * or its p99 latency passes 2 s.
 */
export const CANARY_PLAN = Object.freeze({
  rule: "default",
  variant: "canary",
  steps: [10000, 25000, 50000, 100000],
  minUnits: 5,
  minSeconds: 90,
  guards: [
    { metric: "error", maxIncrease: 0.05 },
    { metric: "latency_p99_ms", max: 2000 },
  ],
});

/** Where request.cf says the demo's visitors are (Miniflare has no real edge to ask). */
export const DEFAULT_CF = { country: "US", region: "Texas", city: "Austin", asn: 395747, colo: "DFW" };

// ---------------------------------------------------------------------------------------------
// Building

/** The latest modification time under `paths` (files and folders, recursively). */
function newest(paths) {
  let latest = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const st = statSync(p);
    latest = Math.max(latest, st.mtimeMs);
    if (st.isDirectory()) latest = Math.max(latest, newest(readdirSync(p).map((f) => join(p, f))));
  }
  return latest;
}

/**
 * The worker bundle exactly as `wrangler deploy` would upload it (`--dry-run --outdir`), in
 * `outdir` (default target/demo/bundle), rebuilt only when missing or older than worker/src,
 * worker/wrangler.toml or pkg/. Built outside worker/ so it never races the worker's tests.
 */
export function buildBundle(outdir = join(ROOT, "target", "demo", "bundle"), { force = false } = {}) {
  const marker = join(outdir, "index.js");
  const sources = [join(WORKER, "src"), join(WORKER, "wrangler.toml"), PKG];
  if (!force && existsSync(marker) && newest(sources) <= statSync(marker).mtimeMs) return outdir;
  const tmp = `${outdir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(outdir), { recursive: true });
  execFileSync(process.execPath, [join(WORKER, "node_modules", "wrangler", "bin", "wrangler.js"), "deploy", "--dry-run", "--outdir", tmp], {
    cwd: WORKER,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  rmSync(outdir, { recursive: true, force: true });
  try {
    renameSync(tmp, outdir);
  } catch (e) {
    // Another process built it at the same moment: use theirs.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(marker)) throw e;
  }
  return outdir;
}

/**
 * The site in `siteDir`: www/ (without its tooling), pkg/ under /pkg/, and a js/config.js
 * with what the page pins and where it fetches.
 */
export function buildSite(
  siteDir,
  { publicKey, owner = OWNER, environment = ENVIRONMENT, snapshotUrl = "/edgeflag/snapshot", streamUrl, eventsUrl = "/edgeflag/events", releaseUrl = `${RELEASE_PATH}build` },
) {
  rmSync(siteDir, { recursive: true, force: true });
  mkdirSync(siteDir, { recursive: true });
  const tooling = new Set(["test", "node_modules", "stack.mjs", "demo.sh"]);
  for (const name of readdirSync(WWW)) {
    if (tooling.has(name) || name.startsWith(".")) continue;
    cpSync(join(WWW, name), join(siteDir, name), { recursive: true });
  }
  // The browser entry and what it imports: the ES modules and the wasm (no README, no Node entries).
  mkdirSync(join(siteDir, "pkg"));
  for (const name of readdirSync(PKG)) {
    if (name.endsWith(".js") || name === "web" || name === "package.json") cpSync(join(PKG, name), join(siteDir, "pkg", name), { recursive: true });
  }
  const config = { snapshotUrl, streamUrl, eventsUrl, releaseUrl, canaryFlag: CANARY_FLAG, experimentFlag: EXPERIMENT_FLAG, publicKeys: [publicKey], owner, environment };
  writeFileSync(
    join(siteDir, "js", "config.js"),
    "// Generated by www/stack.mjs for this run: the owning backend's public key, pinned by the page.\n" +
      `export default ${JSON.stringify(config, null, 2)};\n`,
  );
  return siteDir;
}

// ---------------------------------------------------------------------------------------------
// Running

/**
 * Starts `edgeflag serve` (embedded example, fresh in-memory key) on a free loopback port and
 * reads its start-up lines. `ingestKey`: what the workers send with their events (generated
 * when omitted); `guardInterval`: how often rollout plans and guards are judged. Resolves
 * `{ url, publicKey, keyid, adminToken, ingestKey, stop() }`.
 */
export async function startBackend({ stateDir, log = () => {}, listen = "127.0.0.1:0", ingestKey = newIngestKey(), guardInterval = "2s" } = {}) {
  if (!existsSync(EDGEFLAG)) throw new Error(`${EDGEFLAG} is missing: cargo build --release -p edgeflag-cli`);
  const args = ["serve", "--listen", listen, "--state", stateDir, "--admin-sdk", join(ROOT, "pkg"), "--ingest-key", ingestKey, "--guard-interval", guardInterval];
  const child = spawn(EDGEFLAG, args, { stdio: ["ignore", "pipe", "pipe"] });
  createInterface({ input: child.stderr }).on("line", (line) => log(line));
  const info = {};
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error("edgeflag serve did not start within 15 s")), 15_000);
    lines.on("line", (line) => {
      log(line);
      let m;
      if ((m = /^edgeflag serve: public key (ed25519:\S+)/.exec(line))) info.publicKey = m[1];
      else if ((m = /^edgeflag serve: keyid (\S+)/.exec(line))) info.keyid = m[1];
      else if ((m = /^edgeflag serve: admin token ([0-9a-f]+)/.exec(line))) info.adminToken = m[1];
      else if ((m = /^edgeflag serve: listening on (http:\/\/\S+)/.exec(line))) {
        info.url = m[1];
        clearTimeout(timer);
        if (!info.publicKey || !info.adminToken) reject(new Error("edgeflag serve did not print its public key and admin token"));
        else resolve();
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`edgeflag serve exited before listening (code ${code}, signal ${signal})`));
    });
  });
  let stopping;
  return {
    ...info,
    ingestKey,
    pid: child.pid,
    /** SIGTERM (a graceful shutdown), SIGKILL if it is still there after 5 s. */
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        const late = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(late);
      })();
      return stopping;
    },
    /** Synchronous last resort (process 'exit' handlers). */
    killNow() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

/** A fresh ingest key: what the workers send as `Authorization: Bearer KEY` (at least 22 characters). */
export function newIngestKey() {
  return `demo-ingest-${randomBytes(18).toString("base64url")}`;
}

/** Listens on a free loopback port; resolves `{ url, stop() }` (stop also ends open connections). */
async function serveOn(handler) {
  const server = createServer(handler);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  let closed;
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () =>
      (closed ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function answer(res, status, body) {
  // No keep-alive: a connection the origin closes as workerd reuses it would be a 502, and an
  // origin error the guard counts.
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", connection: "close" });
  res.end(`${JSON.stringify(body)}\n`);
}

/** The `x-edgeflag-flags` header the worker sent, parsed (`{}` without it). */
function flagsOf(req) {
  try {
    return JSON.parse(req.headers["x-edgeflag-flags"] ?? "{}");
  } catch {
    return {};
  }
}

/**
 * The two origins behind the release worker. Each answers every request with JSON saying who
 * it is and what the worker told it: `{ origin, build, path, user, route, version, flags }`.
 * The canary's `/control/fault` (not under /release/, so never proxied) is the scripted
 * fault: `POST` makes every other answer of the canary a 500, `DELETE` heals it, `GET` says
 * which. Resolves `{ stable, canary, controlUrl, fault(on), stop() }`.
 */
export async function startOrigins({ log = () => {} } = {}) {
  const state = { fault: false, served: { stable: 0, canary: 0 }, failed: 0 };
  const origin = (name) => (req, res) => {
    req.resume();
    const url = new URL(req.url, "http://origin");
    if (name === "canary" && url.pathname === "/control/fault") {
      if (req.method === "POST" || req.method === "DELETE") {
        const on = req.method === "POST";
        if (on !== state.fault) log(`canary origin: ${on ? "fault on: every answer is a 500 now" : "fault off: healthy again"}`);
        state.fault = on;
      } else if (req.method !== "GET") {
        return answer(res, 405, { error: "POST turns the fault on, DELETE off, GET says which" });
      }
      return answer(res, 200, { fault: state.fault, served: state.served, failed: state.failed });
    }
    const who = { origin: name, build: BUILDS[name], path: url.pathname, user: req.headers["x-edgeflag-user"] ?? null };
    if (name === "canary" && state.fault) {
      state.failed += 1;
      return answer(res, 500, { ...who, error: "the canary build crashed (scripted fault: DELETE /control/fault heals it)" });
    }
    state.served[name] += 1;
    const version = Number(req.headers["x-edgeflag-version"]);
    answer(res, 200, {
      ...who,
      route: req.headers["x-edgeflag-route"] ?? null,
      version: Number.isInteger(version) ? version : null,
      flags: flagsOf(req),
    });
  };
  const stable = await serveOn(origin("stable"));
  let canary;
  try {
    canary = await serveOn(origin("canary"));
  } catch (e) {
    await stable.stop();
    throw e;
  }
  const controlUrl = `${canary.url}/control/fault`;
  return {
    stable: stable.url,
    canary: canary.url,
    controlUrl,
    state,
    /** Turns the canary's fault on or off, the way the printed curl does. */
    async fault(on) {
      const res = await fetch(controlUrl, { method: on ? "POST" : "DELETE" });
      if (!res.ok) throw new Error(`${controlUrl}: ${res.status}`);
      return res.json();
    },
    stop: () => Promise.all([stable.stop(), canary.stop()]),
  };
}

async function loadMiniflare() {
  const require = createRequire(join(WORKER, "package.json"));
  let path;
  try {
    path = require.resolve("miniflare");
  } catch {
    throw new Error("worker/node_modules is missing: (cd worker && npm ci --ignore-scripts)");
  }
  return (await import(pathToFileURL(path).href)).Miniflare;
}

/**
 * The worker bundle under workerd, with `siteDir` as its static assets (the `ASSETS`
 * binding, the worker first so HTML gets the bootstrap), configured with `vars`. `routed`:
 * more instances of the same bundle in the same workerd, each `{ name, vars, routes }`, that
 * take the requests its `routes` match on the same port (Workers route patterns: the release
 * worker's is `*` + RELEASE_PATH + `*`). Resolves `{ url, mf, stop() }`.
 */
export async function startWorker({ bundle, siteDir, vars, port = 0, cf = DEFAULT_CF, routed = [] }) {
  const Miniflare = await loadMiniflare();
  const compatibilityDate = /compatibility_date\s*=\s*"([^"]+)"/.exec(readFileSync(join(WORKER, "wrangler.toml"), "utf8"))[1];
  const script = {
    scriptPath: join(bundle, "index.js"),
    // Module names are paths relative to this root (by default the working directory, which
    // workerd refuses to leave with "..").
    modulesRoot: bundle,
    modules: true,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate,
  };
  const mf = new Miniflare({
    workers: [
      {
        name: "storefront",
        ...script,
        bindings: vars,
        assets: {
          directory: siteDir,
          binding: "ASSETS",
          routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true },
        },
      },
      ...routed.map(({ name, vars: bindings, routes }) => ({ name, ...script, bindings, routes })),
    ],
    cf,
    host: "127.0.0.1",
    port,
  });
  let ready;
  try {
    ready = await mf.ready;
  } catch (e) {
    await mf.dispose().catch(() => {});
    throw e;
  }
  let disposed;
  return { mf, url: ready.href.replace(/\/$/, ""), stop: () => (disposed ??= mf.dispose()) };
}

/** An admin API call with `token`; resolves `{ status, body }` (the body parsed when JSON). */
export async function adminCall(backendUrl, token, method, path, body) {
  const res = await fetch(`${backendUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: the text as it is
  }
  return { status: res.status, body: parsed };
}

/**
 * Simulated shoppers (the demo's, not the tests'): every `everyMs` one (`x-user-id:
 * shopper-N`, mostly new ones) loads the storefront page and then /release/build through the
 * release worker, so the canary's rollout plan has units to judge and both workers see the
 * traffic they forward their events with (a worker has no timers between requests); a few
 * buy a few seconds later, more often when they were shown the returns promise of the
 * checkout experiment, with a `purchase` event posted to the storefront worker's
 * /edgeflag/events as a page would. Returns `stop()`.
 */
export function startShoppers({ pageUrl, everyMs = 400, rates = { control: 0.08, returns: 0.12 }, log = () => {} }) {
  let n = 0;
  let busy = false;
  let stopped = false;
  const later = new Set();
  const buy = async (unit) => {
    const at = new Date().toISOString();
    const body = { batch: `shoppers-${randomBytes(8).toString("hex")}`, events: [{ kind: "track", event: "purchase", unit, value: 49, at }] };
    const res = await fetch(`${pageUrl}edgeflag/events`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    if (res.status !== 202) log(`shoppers: /edgeflag/events answered ${res.status}`);
  };
  const visit = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const unit = n > 20 && Math.random() < 0.2 ? `shopper-${1 + Math.floor(Math.random() * n)}` : `shopper-${++n}`;
      const page = await fetch(pageUrl, { headers: { "x-user-id": unit } });
      await page.arrayBuffer();
      const res = await fetch(`${pageUrl}${RELEASE_PATH.slice(1)}build`, { headers: { "x-user-id": unit } });
      const seen = await res.json().catch(() => null);
      if (!res.ok) return;
      // The experiment's variant, from the value the worker sent the origin (control's is "").
      const variant = seen?.flags?.[EXPERIMENT_FLAG] ? "returns" : "control";
      if (Math.random() < (rates[variant] ?? 0)) {
        // After the worker has forwarded the shopper's exposure (a purchase before it counts for no flag).
        const timer = setTimeout(() => {
          later.delete(timer);
          buy(unit).catch((e) => log(`shoppers: ${e.message}`));
        }, 5000);
        later.add(timer);
      }
    } catch (e) {
      if (!stopped) log(`shoppers: ${e.message}`);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(visit, everyMs);
  return () => {
    stopped = true;
    clearInterval(timer);
    for (const t of later) clearTimeout(t);
  };
}

/**
 * Everything: backend, origins, site, workers, the canary's rollout plan. `siteDir` defaults
 * to a fresh temporary folder (removed by `stop()`); `port` is the page's port (0: a free
 * one); `canaryPlan` the rollout plan put on canary-release before the workers start (null:
 * none); `shoppers` starts the simulated shoppers. Resolves `{ pageUrl, releaseUrl, backend,
 * worker, origins, siteDir, ingestKey, api(method, path, body), kill(flag), stop() }`.
 */
export async function startStack({
  port = 0,
  siteDir,
  log = () => {},
  cf,
  refreshSeconds = "1",
  eventsFlushSeconds = "2",
  guardInterval = "2s",
  canaryPlan = CANARY_PLAN,
  shoppers = false,
} = {}) {
  const scratch = mkdtempSync(join(tmpdir(), "edgeflag-demo-"));
  const cleanup = [() => rmSync(scratch, { recursive: true, force: true })];
  const stop = async () => {
    for (const fn of cleanup.splice(0).reverse()) {
      try {
        await fn();
      } catch (e) {
        log(`stopping: ${e?.message ?? e}`);
      }
    }
  };
  try {
    const bundle = buildBundle();
    const backend = await startBackend({ stateDir: join(scratch, "state"), log, guardInterval });
    cleanup.push(() => backend.stop());
    // If the process exits without stop() (an uncaught error, process.exit elsewhere), the
    // backend must not outlive it; Miniflare's own exit hook takes workerd down.
    const onExit = () => {
      backend.killNow();
      rmSync(scratch, { recursive: true, force: true });
    };
    process.once("exit", onExit);
    cleanup.push(() => process.off("exit", onExit));
    const api = (method, path, body) => adminCall(backend.url, backend.adminToken, method, path, body);
    // The plan first: the workers' first snapshot is already the one it published.
    if (canaryPlan) {
      const put = await api("PUT", `/admin/environments/${ENVIRONMENT}/flags/${CANARY_FLAG}/rollout-plan`, canaryPlan);
      if (put.status !== 200) throw new Error(`the canary's rollout plan was refused: ${put.status} ${JSON.stringify(put.body)}`);
    }
    const origins = await startOrigins({ log });
    cleanup.push(() => origins.stop());
    siteDir ??= join(scratch, "site");
    buildSite(siteDir, { publicKey: backend.publicKey, streamUrl: `${backend.url}/snapshot/stream` });
    const vars = {
      SNAPSHOT_URL: `${backend.url}/snapshot`,
      PUBLIC_KEYS: backend.publicKey,
      OWNER,
      ENVIRONMENT,
      REFRESH_SECONDS: String(refreshSeconds),
      // A demo is development: the dev panel's override cookie counts at the edge too.
      ALLOW_OVERRIDES: "true",
      // Events: the page's exposures and purchases, the release worker's request metrics.
      INGEST_KEY: backend.ingestKey,
      INGEST_URL: `${backend.url}/ingest/${ENVIRONMENT}/events`,
      EVENTS_FLUSH_SECONDS: String(eventsFlushSeconds),
    };
    const worker = await startWorker({
      bundle,
      siteDir,
      port,
      cf,
      vars,
      routed: [
        {
          name: "release",
          vars: { ...vars, ORIGIN_URL: origins.stable, CANARY_FLAG, CANARY_ORIGIN_URL: origins.canary },
          routes: [`*${RELEASE_PATH}*`],
        },
      ],
    });
    cleanup.push(() => worker.stop());
    const pageUrl = `${worker.url}/`;
    if (shoppers) cleanup.push(startShoppers({ pageUrl, log }));
    return {
      pageUrl,
      releaseUrl: `${worker.url}${RELEASE_PATH}build`,
      backend,
      worker,
      origins,
      siteDir,
      ingestKey: backend.ingestKey,
      api,
      /** POST /admin/flags/{flag}/kill with the admin token; resolves the parsed answer. */
      async kill(flag) {
        const { status, body } = await api("POST", `/admin/flags/${encodeURIComponent(flag)}/kill`);
        if (status < 200 || status > 299) throw new Error(`kill ${flag}: ${status} ${JSON.stringify(body)}`);
        return body;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// The demo (`node www/stack.mjs`, via www/demo.sh)

async function main() {
  const port = Number(process.env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${process.env.PORT}`);
  const quiet = process.env.EDGEFLAG_DEMO_QUIET === "1";
  const shoppers = process.env.EDGEFLAG_DEMO_SHOPPERS !== "0";
  const stack = await startStack({
    port,
    siteDir: join(ROOT, "target", "demo", "site"),
    shoppers,
    log: (line) => quiet || console.error(`  [${/^(canary origin|shoppers):/.test(line) ? "demo" : "backend"}] ${line.replace(/^edgeflag serve: /, "")}`),
  });
  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nedgeflag demo: ${signal}, stopping`);
    await stack.stop();
    process.exit(0);
  };
  // Miniflare's exit hook would exit at once on SIGINT/SIGTERM (after killing workerd but not
  // the backend): replace it with an orderly stop of everything.
  for (const signal of ["SIGINT", "SIGTERM"]) process.removeAllListeners(signal);
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGHUP", () => shutdown("SIGHUP"));
  const { backend, origins } = stack;
  const auth = `-H "Authorization: Bearer ${backend.adminToken}"`;
  const env = `${backend.url}/admin/environments/${ENVIRONMENT}`;
  const steps = CANARY_PLAN.steps.map((w) => `${w / 1000}%`).join(" → ");
  console.log(
    [
      "",
      "edgeflag demo is running",
      `  open            ${stack.pageUrl}`,
      `  admin UI        ${backend.url}/admin/  (sign in with the admin token below)`,
      `  backend         ${backend.url}  (owner ${OWNER}, environment ${ENVIRONMENT}, keyid ${backend.keyid})`,
      `  public key      ${backend.publicKey}`,
      `  admin token     ${backend.adminToken}`,
      `  ingest key      ${backend.ingestKey}  (the workers' INGEST_KEY)`,
      `  worker health   ${stack.worker.url}/edgeflag/health`,
      `  canary route    ${stack.releaseUrl}  (a second worker in canary mode: ${CANARY_FLAG} picks the origin)`,
      `  origins         stable ${origins.stable}, canary ${origins.canary}`,
      `  shoppers        ${shoppers ? "simulated: a visit to the canary route every 0.4 s, some buy (EDGEFLAG_DEMO_SHOPPERS=0: none)" : "none (EDGEFLAG_DEMO_SHOPPERS=0)"}`,
      `  site            ${stack.siteDir}`,
      "",
      "  kill switch: the toggle in the admin UI's flag list, or",
      `    curl -X POST ${auth} ${backend.url}/admin/flags/new-checkout/kill`,
      "  bring it back:",
      `    curl -X PATCH ${auth} -d '{"enabled": true}' ${backend.url}/admin/flags/new-checkout`,
      "",
      `  the checkout experiment (${EXPERIMENT_FLAG}; press Checkout on the page to buy): ${backend.url}/admin/#/experiments/${EXPERIMENT_FLAG}`,
      `    curl ${auth} '${env}/experiments/${EXPERIMENT_FLAG}?metric=purchase'`,
      `  the canary's rollout plan (${steps}, a step every ${CANARY_PLAN.minSeconds} s while healthy): ${backend.url}/admin/#/rollout/${CANARY_FLAG}`,
      `    curl ${auth} ${env}/flags/${CANARY_FLAG}/rollout-plan`,
      "  break the canary (its origin answers 500 from now on; the guard rolls it back to 0% within seconds):",
      `    curl -X POST ${origins.controlUrl}`,
      `  heal it: curl -X DELETE ${origins.controlUrl}`,
      "  the rollback in the audit log:",
      `    curl ${auth} '${backend.url}/admin/audit?env=${ENVIRONMENT}&flag=${CANARY_FLAG}'`,
      "  start the plan again:",
      `    curl -X PUT ${auth} -d '${JSON.stringify(CANARY_PLAN)}' ${env}/flags/${CANARY_FLAG}/rollout-plan`,
      "",
      "Ctrl-C stops everything.",
    ].join("\n"),
  );
}

if (process.argv[1] && basename(process.argv[1]) === "stack.mjs" && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((e) => {
    console.error(`edgeflag demo: ${e?.stack ?? e}`);
    process.exit(1);
  });
}
