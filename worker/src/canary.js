// Canary routing: the variant of CANARY_FLAG for this user picks the origin. Bucketing is
// consistent (xxh3 of salt and targetingKey) and the user's id is sticky (header or cookie),
// so a user keeps their origin, and raising the canary's share only moves users from stable
// to canary, never back, as long as the canary variant comes first in the rollout's weights.

/** The variant name that routes to CANARY_ORIGIN_URL; every other outcome routes to ORIGIN_URL. */
export const CANARY_VARIANT = "canary";

/** `{ url, route }` for a request whose flags evaluated to `all` (undefined: none loaded). */
export function pickOrigin(cfg, all) {
  if (cfg.canary && all?.[cfg.canary.flag]?.variant === CANARY_VARIANT) {
    return { url: cfg.canary.originUrl, route: "canary" };
  }
  return { url: cfg.originUrl, route: "stable" };
}
