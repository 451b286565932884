// GET /edgeflag/health: what the worker serves and why. 200 while a verified snapshot is
// served (READY, or STALE: the last-known-good after a failed refresh), 503 while there is
// none (NOT_READY, ERROR), 500 when the configuration is unusable (status MISCONFIGURED).

import { json } from "./http.js";
import { eventsHealth } from "./pipeline.js";

export async function handleHealth(cfg, flags) {
  const { store } = await flags();
  const now = Date.now();
  const c = store?.current;
  const next = store?.nextRefreshAt;
  const body = {
    status: store ? store.status : "MISCONFIGURED",
    version: c?.version ?? null,
    ageSeconds: store?.confirmedAt === undefined ? null : Math.max(0, Math.round((now - store.confirmedAt) / 1000)),
    keyid: c?.keyid ?? null,
    lastError: store?.lastError ?? null,
    owner: cfg.owner ?? null,
    environment: cfg.environment ?? null,
    mode: cfg.originUrl ? (cfg.canary ? "middleware+canary" : "middleware") : cfg.hasAssets ? "assets" : "api",
    issuedAt: c ? new Date(c.issuedAt).toISOString() : null,
    expiresAt: c ? new Date(c.expiresAt).toISOString() : null,
    refreshSeconds: cfg.refreshSeconds,
    // Visible on purpose: overrides belong to development and QA deployments only.
    overridesAllowed: cfg.allowOverrides,
    nextRefreshInSeconds: next === undefined ? null : Math.max(0, Math.round((next - now) / 1000)),
    // Flags of the snapshot this build cannot evaluate (a newer format revision): they answer
    // their defaults with PARSE_ERROR while the rest is served.
    degradedFlags: c ? store.evaluator.degradedFlags().map(({ key, message }) => ({ key, message })) : [],
    // Events: counters of POST /edgeflag/events, the middleware metrics and the forwarding.
    events: eventsHealth(cfg),
  };
  if (cfg.errors.length) {
    body.message = `edgeflag worker misconfigured: ${cfg.errors.join("; ")}`;
    body.errors = cfg.errors;
    return json(body, 500);
  }
  return json(body, c ? 200 : 503);
}
