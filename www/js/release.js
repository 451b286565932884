// The release panel: which build this shopper gets. The flag canary-release, evaluated here
// from the same verified snapshot the release worker routes by, says which origin should
// answer; a request to /release/build through that worker (as the inspector's targetingKey,
// in `x-user-id`) says which did, and whether it worked. While the canary's rollout plan
// advances the canary's share grows; when its guard rolls it back, the share drops to 0% and
// every shopper is routed to the stable origin again.

/** Synthetic shoppers the canary's share is estimated over (once per snapshot). */
const SAMPLE = 1000;

const percent = (x) => (x === undefined ? "–" : `${Math.round(x * 1000) / 10}%`);

/**
 * The panel for `client`; `context()` is the inspector's current context. `paint()` redraws
 * from the flags, `check()` asks the release worker, `recount()` re-estimates the share
 * (after a new snapshot or an override).
 */
export function releasePanel(client, config, context) {
  const root = document.getElementById("release");
  const flagLine = document.getElementById("release-flag");
  const originLine = document.getElementById("release-origin");
  const flag = config.canaryFlag;
  let share;
  let answer;
  let pending;

  function recount() {
    if (!client.info) return (share = undefined);
    let hits = 0;
    // all() reports no exposures: these shoppers are not sent to the experiment.
    for (let i = 0; i < SAMPLE; i++) if (client.all({ targetingKey: `sample-shopper-${i}` })[flag]?.variant === "canary") hits += 1;
    share = hits / SAMPLE;
  }

  function paint() {
    const ctx = context();
    const variant = client.all(ctx)[flag]?.variant ?? "";
    root.dataset.variant = variant;
    flagLine.textContent = `${flag} for ${ctx.targetingKey ?? "this shopper"}: ${variant || "–"} · the canary serves ≈ ${percent(share)} of shoppers`;
    if (!answer) return;
    root.dataset.origin = answer.origin ?? "";
    root.dataset.status = String(answer.status);
    originLine.textContent =
      answer.status === 200
        ? `served by the ${answer.origin} origin: ${answer.build}`
        : answer.status
          ? `${answer.status} from the ${answer.origin ?? "unknown"} origin: ${answer.error ?? "no details"}`
          : `no answer: ${answer.error}`;
  }

  /** One request to /release/build at a time; resolves when it is painted. */
  function check() {
    pending ??= (async () => {
      const user = context().targetingKey;
      try {
        const res = await fetch(config.releaseUrl, { headers: user ? { "x-user-id": user } : {}, cache: "no-store" });
        const body = await res.json().catch(() => null);
        answer = { status: res.status, origin: body?.origin, build: body?.build, error: body?.error };
      } catch (e) {
        answer = { status: 0, error: String(e?.message ?? e) };
      } finally {
        pending = undefined;
      }
      paint();
    })();
    return pending;
  }

  return { paint, check, recount };
}
