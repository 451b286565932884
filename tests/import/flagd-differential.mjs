// Differential check of the flagd importer against @openfeature/flagd-core (the evaluator of
// flagd's in-process providers): a flagd configuration is imported with `edgeflag import`,
// both engines evaluate every flag for the same generated contexts, and every value and
// variant must agree; for `fractional` that means every unit lands in the same bucket.
//
// Usage: node tests/import/flagd-differential.mjs EDGEFLAG_BINARY [CONTEXTS]
// flagd-core is resolved from tests/bench/node/node_modules (`npm ci` there). Exits 1 on the
// first disagreements (listed), 0 with a one-line summary. Run by tests/cli/import.rs when
// node and flagd-core are installed.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../bench/node/package.json"));
const { FlagdCore } = await import(require.resolve("@openfeature/flagd-core"));

const [binary, count = "2000"] = process.argv.slice(2);
if (!binary) {
  console.error("usage: flagd-differential.mjs EDGEFLAG_BINARY [CONTEXTS]");
  process.exit(2);
}

const bool = { on: true, off: false };
const config = {
  flags: {
    split: { state: "ENABLED", variants: { red: "r", blue: "b", green: "g" }, defaultVariant: "red",
      targeting: { fractional: [["red", 50], ["blue", 30], ["green", 20]] } },
    "odd-weights": { state: "ENABLED", variants: { a: 1, b: 2, c: 3 }, defaultVariant: "a",
      targeting: { fractional: [["a", 1], ["b", 7], ["c", 3], ["a", 2]] } },
    "by-email": { state: "ENABLED", variants: bool, defaultVariant: "off",
      targeting: { fractional: [{ var: "email" }, ["on", 10], ["off", 90]] } },
    "by-org": { state: "ENABLED", variants: bool, defaultVariant: "off",
      targeting: { fractional: [{ cat: [{ var: "$flagd.flagKey" }, { var: "org" }] }, ["on", 1], ["off", 3]] } },
    targeted: { state: "ENABLED", variants: { gold: "gold", silver: "silver", none: "none" }, defaultVariant: "none",
      targeting: { if: [
        { and: [{ in: [{ var: "country" }, ["DE", "AT"]] }, { ">=": [{ var: "age" }, 18] }] }, "gold",
        { or: [{ starts_with: [{ var: "email" }, "admin"] }, { ends_with: [{ var: "email" }, "@faas.com"] }] }, "silver",
        { "!": { "==": [{ var: "plan" }, "free"] } }, { fractional: [["gold", 1], ["silver", 1]] },
        null] } },
    versions: { state: "ENABLED", variants: bool, defaultVariant: "off",
      targeting: { if: [{ or: [{ sem_ver: [{ var: "version" }, "^", "2.0.0"] }, { sem_ver: [{ var: "version" }, "<", "1.0.0"] }] }, "on", "off"] } },
    compare: { state: "ENABLED", variants: bool, defaultVariant: "off",
      targeting: { if: [{ "<": [{ var: "age" }, 30] }, "on", { "!=": [{ var: "country" }, "DE"] }, "on", "off"] } },
    contains: { state: "ENABLED", variants: bool, defaultVariant: "off",
      targeting: { if: [{ $ref: "faas" }, "on", "off"] } },
    // json-logic-engine's own rules: a missing attribute equals 0, `{"and": []}` is null.
    zero: { state: "ENABLED", variants: bool, defaultVariant: "off",
      targeting: { if: [{ and: [] }, "on", { "==": [{ var: "age" }, 0] }, "on", { "!": [{ "!=": [{ var: "age" }, false] }, 1] }, "on", "off"] } },
  },
  $evaluators: { faas: { in: ["@faas.com", { var: "email" }] } },
};

// Deterministic contexts (a small LCG): some attributes missing, numbers as numbers and as
// strings, versions valid and not.
let seed = 42;
const rand = (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
const pick = (list) => list[rand(list.length)];
const contexts = [];
for (let i = 0; i < Number(count); i++) {
  const c = {};
  if (rand(10) > 0) c.targetingKey = `user-${i}-${rand(100000)}`;
  if (rand(3) > 0) c.email = pick(["admin@x.io", `u${i}@faas.com`, `u${i}@example.com`, "x", ""]);
  if (rand(2)) c.org = `org-${rand(500)}`;
  if (rand(3) > 0) c.country = pick(["DE", "AT", "FR", "US"]);
  if (rand(3) > 0) c.age = pick([rand(80), String(rand(80))]);
  if (rand(2)) c.plan = pick(["free", "pro"]);
  if (rand(3) > 0) c.version = pick(["2.1.0", "0.9.1", "1.5.0", "2.0.0-rc.1", "3.0.0", "0.1.0-alpha"]);
  contexts.push(c);
}

const dir = mkdtempSync(join(tmpdir(), "edgeflag-flagd-"));
try {
  writeFileSync(join(dir, "flagd.json"), JSON.stringify(config));
  const imported = spawnSync(binary, ["import", "--from", "flagd", join(dir, "flagd.json")], { encoding: "utf8" });
  if (imported.status !== 0) throw new Error(`edgeflag import failed: ${imported.stderr}`);
  writeFileSync(join(dir, "payload.json"), imported.stdout);
  const evaluated = spawnSync(binary, ["eval", "--payload", join(dir, "payload.json"), "--all", "--contexts", "-"], {
    input: contexts.map((c) => JSON.stringify(c)).join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 28,
  });
  if (evaluated.status !== 0) throw new Error(`edgeflag eval failed: ${evaluated.stderr}`);
  const ours = evaluated.stdout.trim().split("\n").map((l) => JSON.parse(l));

  const core = new FlagdCore();
  core.setConfigurations(JSON.stringify(config));
  const type = { split: "string", "odd-weights": "number", targeted: "string" };
  const resolve = (key, ctx) => {
    const t = type[key] ?? "boolean";
    const r = { string: "resolveStringEvaluation", number: "resolveNumberEvaluation", boolean: "resolveBooleanEvaluation" }[t];
    return core[r](key, null, ctx);
  };
  const failures = [];
  let checked = 0;
  contexts.forEach((ctx, i) => {
    for (const key of Object.keys(config.flags)) {
      const theirs = resolve(key, ctx);
      const mine = ours[i][key];
      checked++;
      if (theirs.value !== mine.value || (theirs.variant ?? null) !== (mine.variant ?? null)) {
        failures.push(`${key} ${JSON.stringify(ctx)}: flagd-core ${JSON.stringify([theirs.value, theirs.variant])}, edgeflag ${JSON.stringify([mine.value, mine.variant, mine.errorCode])}`);
      }
    }
  });
  if (failures.length) {
    console.error(`${failures.length} of ${checked} evaluations disagree:\n${failures.slice(0, Number(process.env.SHOW ?? 20)).join("\n")}`);
    process.exit(1);
  }
  console.log(`flagd differential: ${checked} evaluations (${contexts.length} contexts x ${Object.keys(config.flags).length} flags) agree`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
