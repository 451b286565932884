// The edgeflag edge worker (module syntax, Cloudflare Workers / workerd). Routes:
//   GET  /edgeflag/health            status, version, age, keyid, last error
//   GET  /edgeflag/snapshot          the signed envelope as received (ETag, Cache-Control)
//   POST /ofrep/v1/evaluate/flags    OFREP bulk evaluation (ETag, 304)
//   POST /ofrep/v1/evaluate/flags/K  OFREP single-flag evaluation
//   POST /edgeflag/events            exposures and tracked events, forwarded to the backend
//   anything else                    middleware mode (ORIGIN_URL), static assets (ASSETS), or 404
// Evaluation and every sync decision happen in the wasm core; this file only routes.

import { handleAssets } from "./assets.js";
import { readConfig } from "./config.js";
import { EVENTS_PATH, handleEvents } from "./events.js";
import { handleHealth } from "./health.js";
import { json } from "./http.js";
import { handleMiddleware } from "./middleware.js";
import { handleOfrep, isOfrep } from "./ofrep.js";
import { requestOverrides } from "./overrides.js";
import { pipelineFor } from "./pipeline.js";
import { handleSnapshot } from "./snapshot.js";
import { SnapshotStore } from "./store.js";

/** The isolate's store, rebuilt only if the snapshot settings change. */
let held = { key: undefined, store: undefined, error: undefined };

/** `{ store }` for these settings, or `{ error }` naming what is wrong with them. */
function storeFor(cfg) {
  if (cfg.flagErrors.length) return { error: cfg.flagErrors.join("; ") };
  if (held.key !== cfg.key) {
    try {
      held = { key: cfg.key, store: new SnapshotStore(cfg), error: undefined };
    } catch (e) {
      // The core refuses keys it cannot use (malformed, wrong length, weak) with a message
      // that names the key by its 0-based index.
      const message = String(e?.message ?? e).replace(/\bkeys\[(\d+)\]/g, (_, i) => `PUBLIC_KEYS entry ${Number(i) + 1}`);
      held = { key: cfg.key, store: undefined, error: `the verifier refuses these settings: ${message}` };
    }
  }
  return held;
}

export default {
  async fetch(request, env, ctx) {
    let cfg;
    try {
      cfg = readConfig(env);
      return await route(request, env, ctx, cfg);
    } catch (e) {
      // Nothing in route() should throw; if something does, answer instead of failing the isolate.
      console.error("edgeflag: unexpected error", e);
      return json({ errorDetails: "unexpected error in the edgeflag worker" }, 500);
    } finally {
      // Workers have no timers between requests: every request checks whether events are due
      // to be forwarded (inside ctx.waitUntil; never throws).
      if (cfg?.events) pipelineFor(cfg)?.maybeFlush(ctx);
    }
  },
};

async function route(request, env, ctx, cfg) {
  const url = new URL(request.url);
  // Prepared at most once per request, and only by routes that need flags.
  let prepared;
  const flags = () =>
    (prepared ??= (async () => {
      const held = storeFor(cfg);
      if (held.store) await held.store.ready(ctx);
      if (held.error && !cfg.flagErrors.length && !cfg.errors.includes(held.error)) cfg.errors.push(held.error);
      return held;
    })());
  const path = url.pathname;
  if (path === "/edgeflag/health") return await handleHealth(cfg, flags);
  if (path === "/edgeflag/snapshot") return await handleSnapshot(request, cfg, flags);
  if (isOfrep(path)) return await handleOfrep(request, url, flags, requestOverrides(request, url, cfg));
  if (path === EVENTS_PATH) return await handleEvents(request, cfg, flags);
  if (cfg.originUrl) return await handleMiddleware(request, url, cfg, flags);
  if (cfg.originConfigured) {
    return json({ error: "edgeflag worker misconfigured: ORIGIN_URL must be an absolute http(s) URL (see /edgeflag/health)" }, 500);
  }
  if (cfg.hasAssets) return await handleAssets(request, url, env, cfg, flags);
  return json({ error: "not found", routes: ["/edgeflag/health", "/edgeflag/snapshot", "/ofrep/v1/evaluate/flags", EVENTS_PATH] }, 404);
}
