// edgeflag's wasm package behind the harness's engine interface (see ../compare.mjs).
// `load` is verify + parse + compile of the signed envelope by a fresh Evaluator: a new
// client's first load (a loaded Evaluator refuses the same version again, by design).
// Evaluation uses a context compiled once, as the package's README tells applications to.

/**
 * @param api the package's exports (`Evaluator`)
 * @param meta the workload's meta.json (public key, owner, environment)
 */
export function edgeflagEngine(api, meta) {
  const options = {
    publicKeys: [meta.publicKey],
    owner: meta.owner,
    environment: meta.environment,
    maxBytes: 64 << 20, // the 10,000-flag envelope is above the 4 MiB default cap
  };
  return {
    name: "edgeflag",
    load: {
      "Evaluator.load"(text) {
        const ev = new api.Evaluator(options);
        ev.load(text, Date.now());
        return ev;
      },
    },
    unload(ev) {
      ev.free();
    },
    /** One boolean evaluation with a fixed, pre-compiled context: the fast path and the convenience path. */
    single(ev, key, attributes) {
      const ctx = ev.context(attributes);
      const h = ev.flag(key);
      return { "flag(key).bool": () => h.bool(ctx, false), bool: () => ev.bool(key, ctx, false) };
    },
    /** Every flag for a context not seen before: values only (the fast path), and details. */
    all(ev) {
      return {
        "context + values": (attributes) => {
          const ctx = ev.context(attributes);
          const out = ev.values(ctx);
          ctx.free();
          return out;
        },
        "context + all": (attributes) => {
          const ctx = ev.context(attributes);
          const out = ev.all(ctx);
          ctx.free();
          return out;
        },
      };
    },
    /** For the agreement check: details of every flag, and the values path to cross-check. */
    explain(ev, attributes) {
      const ctx = ev.context(attributes);
      const details = ev.all(ctx);
      const values = ev.values(ctx);
      ctx.free();
      return { details, values };
    },
  };
}
