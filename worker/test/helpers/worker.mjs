// Builds the worker bundle exactly as `wrangler deploy` would (`--dry-run --outdir`) and runs
// it under real workerd through Miniflare, on a free loopback port. Every instance a test
// starts is disposed by that test (t.after).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { ENVIRONMENT, OWNER } from "./signer.mjs";

export const WORKER = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const BUNDLE = join(WORKER, "test", ".build", "bundle");
const FIXTURES = join(WORKER, "test", "fixtures");
const WRANGLER = join(WORKER, "node_modules", "wrangler", "bin", "wrangler.js");
export const COMPATIBILITY_DATE = /compatibility_date\s*=\s*"([^"]+)"/.exec(readFileSync(join(WORKER, "wrangler.toml"), "utf8"))[1];

/** Where request.cf says a request comes from, unless a test says otherwise. */
export const DEFAULT_CF = { country: "US", region: "Texas", city: "Austin", asn: 395747, colo: "DFW" };

/**
 * Runs `wrangler deploy --dry-run --outdir <dir>` and returns wrangler's output (it reports
 * the upload size, gzipped included).
 */
export function wranglerDryRun(outdir) {
  return execFileSync(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", outdir], {
    cwd: WORKER,
    encoding: "utf8",
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * The bundle under test/.build/bundle, rebuilt when missing, older than its sources (src/,
 * wrangler.toml, the fixtures, ../pkg) or `force`, plus the test-only entry modules that wrap
 * it (fixtures/*.js: a settable clock, a fixed-body route).
 */
export function buildBundle({ force = false } = {}) {
  const marker = join(BUNDLE, "index.js");
  if (!force && existsSync(marker) && newest(SOURCES) <= statSync(marker).mtimeMs) return BUNDLE;
  const tmp = `${BUNDLE}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const output = wranglerDryRun(tmp);
  writeFileSync(join(tmp, "wrangler-output.txt"), output);
  for (const f of ["clock-entry.js", "bench-entry.js"]) copyFileSync(join(FIXTURES, f), join(tmp, f));
  rmSync(BUNDLE, { recursive: true, force: true });
  try {
    renameSync(tmp, BUNDLE);
  } catch (e) {
    // Another test process built it at the same moment: use theirs.
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(marker)) throw e;
  }
  return BUNDLE;
}

const SOURCES = [join(WORKER, "src"), join(WORKER, "wrangler.toml"), FIXTURES, join(WORKER, "..", "pkg")];

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

/** The vars of a worker that pins `signer` and reads `origin`'s snapshot. */
export function varsFor(origin, signer, extra = {}) {
  return {
    SNAPSHOT_URL: origin.snapshotUrl,
    PUBLIC_KEYS: signer.publicKey,
    OWNER,
    ENVIRONMENT,
    REFRESH_SECONDS: "0.2",
    ...extra,
  };
}

/**
 * Starts the bundle under workerd. `entry`: "index.js" (the deployed module), "clock-entry.js"
 * (adds the x-test-now / x-test-offset-ms clock) or "bench-entry.js".
 */
export async function startWorker(t, { vars = {}, cf = DEFAULT_CF, cachePersist = false, entry = "index.js", assets } = {}) {
  const bundle = buildBundle();
  const mf = new Miniflare({
    scriptPath: join(bundle, entry),
    modules: true,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: vars,
    serviceBindings: assets ? { ASSETS: assets } : undefined,
    cf,
    cachePersist,
    host: "127.0.0.1",
    port: 0,
  });
  let disposed;
  const dispose = () => (disposed ??= mf.dispose());
  t.after(dispose);
  const ready = await mf.ready;
  const url = ready.href.replace(/\/$/, "");
  const worker = {
    mf,
    url,
    fetch: (path, init) => fetch(url + path, init),
    /** Through Miniflare's dispatchFetch, which can set request.cf per request. */
    dispatch: (path, init) => mf.dispatchFetch(url + path, init),
    async health() {
      const res = await fetch(`${url}/edgeflag/health`);
      return { status: res.status, body: await res.json() };
    },
    /** POST an OFREP request; resolves `{ status, headers, body }`. */
    async ofrep(path, body, headers = {}) {
      const res = await fetch(`${url}/ofrep/v1/evaluate/flags${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
    dispose,
  };
  return worker;
}
