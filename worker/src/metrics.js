// Per-variant request metrics in middleware and canary mode (only with events configured).
// For each proxied request, every variant the user was served of the canary flag and of the
// flags with `trackEvents` gets: an exposure of the user (once per flag, variant and user per
// isolate), one request counted in that (flag, variant, version)'s `requests` record with its
// latency (to the origin's response headers) in the fixed histogram, and, when the origin
// answered 5xx (or not at all: the worker's 502), one `track` event named `error` for the user.
// Overridden flags (variant "override") are not measured. Never throws.

import { isoTime, pipelineFor } from "./pipeline.js";

/**
 * `[{ flag, variant, ruleId }]` this request is served under, or undefined when events are off,
 * no snapshot is loaded, or none applies.
 */
export function routedVariants(cfg, evaluated) {
  try {
    if (!cfg.events || !evaluated?.catalog) return undefined;
    const out = [];
    const add = (flag) => {
      const d = evaluated.all[flag];
      if (!d || d.errorCode || d.reason === "OVERRIDE" || typeof d.variant !== "string") return;
      if (out.some((s) => s.flag === flag)) return;
      out.push({ flag, variant: d.variant, ruleId: d.ruleId ?? null });
    };
    if (cfg.canary) add(cfg.canary.flag);
    for (const flag of evaluated.catalog.tracked) add(flag);
    return out.length ? out : undefined;
  } catch (e) {
    console.error("edgeflag: request metrics failed", e);
    return undefined;
  }
}

/** Records one proxied request that got `status` after `ms` (see above). */
export function recordRequest(cfg, served, evaluated, uid, status, ms) {
  if (!served) return;
  try {
    const pipeline = pipelineFor(cfg);
    if (!pipeline) return;
    const now = Date.now();
    const at = isoTime(now);
    const failed = status >= 500;
    for (const { flag, variant, ruleId } of served) {
      pipeline.expose(flag, variant, ruleId, evaluated.version, uid, at);
      pipeline.request(flag, variant, evaluated.version, ms, failed, now);
    }
    if (failed) pipeline.error(uid, at);
  } catch (e) {
    console.error("edgeflag: request metrics failed", e);
  }
}
