// The hook for Workers static assets (an `ASSETS` binding and no ORIGIN_URL): files are
// served as they are, and HTML pages get the bootstrap like middleware mode gives them, so a
// page served with the worker paints with its flags already evaluated.

import { isHtml } from "./bootstrap.js";
import { userId } from "./context.js";
import { evaluate, personalize } from "./middleware.js";
import { requestOverrides } from "./overrides.js";

export async function handleAssets(request, url, env, cfg, flags) {
  const res = await env.ASSETS.fetch(request);
  if (!isHtml(res)) return res;
  const { uid, fresh } = userId(request);
  const evaluated = await evaluate(request, url, uid, flags, requestOverrides(request, url, cfg));
  return personalize(res, evaluated, fresh ? uid : undefined, url);
}
