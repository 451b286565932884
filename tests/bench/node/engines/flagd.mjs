// @openfeature/flagd-core behind the harness's engine interface (see ../compare.mjs): the
// evaluator inside flagd's in-process providers. `load` is setConfigurations(text) on a new
// FlagdCore (parse, schema validation, JSON Logic compilation in its default, fastest mode);
// evaluate-all is its resolveAll.
import { FlagdCore } from "@openfeature/flagd-core";

export function flagdEngine() {
  return {
    name: "flagd-core",
    load: {
      setConfigurations(text) {
        const core = new FlagdCore();
        core.setConfigurations(text);
        return core;
      },
    },
    unload() {},
    single(core, key, attributes) {
      return { resolveBooleanEvaluation: () => core.resolveBooleanEvaluation(key, false, attributes).value };
    },
    all(core) {
      return { resolveAll: (attributes) => core.resolveAll(attributes) };
    },
    /** For the agreement check: `{ key: { value, reason, variant } }`. */
    explain(core, attributes) {
      const out = {};
      for (const r of core.resolveAll(attributes)) out[r.flagKey] = { value: r.value, reason: r.reason, variant: r.variant };
      return out;
    },
  };
}
