#!/usr/bin/env node
// Generates the benchmark workload, seeded, into target/bench/workload/ (or the folder given):
// the same flags for every engine, so every figure compares like with like.
//
//   node tests/bench/workload.mjs [outDir]
//
// Writes, for N in 200, 1000, 10000:
//   payload-N.json     the edgeflag snapshot payload (what is signed)
//   envelope-N.json    the signed DSSE envelope (what edgeflag loads)
//   growthbook-N.json  the same flags as a GrowthBook payload ({ features })
//   flagd-N.json       the same flags as a flagd flag configuration
// and contexts.json (10,000 contexts with 6 attributes), meta.json (public key, the fixed
// context and flag of the single-flag benchmark, list attributes, byte sizes).
// The output depends only on the committed seeds: running it twice writes the same bytes.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FIXED_CONTEXT, LIST_ATTRIBUTES, contexts, flagKey, payload } from "./workload/flags.mjs";
import { features } from "./workload/growthbook.mjs";
import { configuration } from "./workload/flagd.mjs";
import { seededSigner } from "./workload/sign.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "..", "..", "target", "bench", "workload"));
const SIZES = [200, 1000, 10_000];
const CONTEXTS = 10_000;

mkdirSync(out, { recursive: true });
const signer = seededSigner("edgeflag benchmark key");
const write = (name, text) => {
  writeFileSync(join(out, name), text);
  return Buffer.byteLength(text);
};

const bytes = {};
for (const n of SIZES) {
  const p = payload(n);
  const json = Buffer.from(JSON.stringify(p), "utf8");
  bytes[n] = {
    payload: write(`payload-${n}.json`, json),
    envelope: write(`envelope-${n}.json`, signer.envelope(json)),
    growthbook: write(`growthbook-${n}.json`, JSON.stringify({ features: features(p) })),
    flagd: write(`flagd-${n}.json`, JSON.stringify(configuration(p, LIST_ATTRIBUTES))),
  };
}
write("contexts.json", JSON.stringify(contexts(CONTEXTS)));
const meta = {
  publicKey: signer.publicKey,
  owner: "bench",
  environment: "production",
  benchFlag: flagKey(0),
  fixedContext: FIXED_CONTEXT,
  listAttributes: LIST_ATTRIBUTES,
  sizes: SIZES,
  contexts: CONTEXTS,
  bytes,
};
write("meta.json", `${JSON.stringify(meta, null, 2)}\n`);
console.log(`workload: ${SIZES.join(", ")} flags and ${CONTEXTS} contexts in ${out}`);
for (const n of SIZES) {
  const b = bytes[n];
  console.log(`  ${String(n).padStart(5)} flags: payload ${b.payload} B, envelope ${b.envelope} B, growthbook ${b.growthbook} B, flagd ${b.flagd} B`);
}
