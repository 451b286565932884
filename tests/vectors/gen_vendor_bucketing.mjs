// Generates tests/vectors/vendor_bucketing.json: reference values for the vendor bucketings
// (FORMAT.md §6, src/core/bucketing.rs), computed by the vendors' own JavaScript libraries, so
// the Rust implementation is held to them and not to itself.
//
//   murmur3_x86_32      murmurhash3js-revisited (hashes bytes: the UTF-8 of `input`), checked
//                       against published vectors below; ASCII inputs also against murmurhash3js
//                       (the one unleash-client-node uses) and imurmurhash (flagd-core's)
//   unleash             unleash-client-node's normalizedValue, written out below over
//                       murmurhash3js exactly as that client has it
//   growthbook          @growthbook/growthbook's own util.hash, as an integer bucket
//   fractional          @openfeature/flagd-core resolving a flag whose targeting is `fractional`
//
// Usage (packages installed into any folder, e.g. a temporary one):
//   npm install --prefix DIR murmurhash3js@3.0.1 murmurhash3js-revisited@3.0.0 \
//       @growthbook/growthbook@1.8.0 @openfeature/flagd-core@4.0.1 @openfeature/core@1.12.0
//   node tests/vectors/gen_vendor_bucketing.mjs DIR > tests/vectors/vendor_bucketing.json
import { createRequire } from "node:module";
import path from "node:path";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node gen_vendor_bucketing.mjs DIR_WITH_NODE_MODULES");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(dir), "package.json"));
const revisited = require("murmurhash3js-revisited");
const murmurhash3js = require("murmurhash3js");
const IMurmur = require("imurmurhash");
// util.hash is not among the package's exports: load its CommonJS file by path.
const gbUtil = require(path.join(path.dirname(require.resolve("@growthbook/growthbook")), "util.js"));
const { FlagdCore } = require("@openfeature/flagd-core");

const utf8 = (s) => new TextEncoder().encode(s);
const isAscii = (s) => /^[\x00-\x7f]*$/.test(s);
const fail = (msg) => {
  console.error(msg);
  process.exit(1);
};

// Published MurmurHash3_x86_32 vectors (the SMHasher reference as commonly tabulated).
const published = [
  ["", 0, 0x00000000],
  ["", 1, 0x514e28b7],
  ["", 0xffffffff, 0x81f16f39],
  ["\0\0\0\0", 0, 0x2362f9de],
  ["aaaa", 0x9747b28c, 0x5a97808a],
  ["aaa", 0x9747b28c, 0x283e0130],
  ["aa", 0x9747b28c, 0x5d211726],
  ["a", 0x9747b28c, 0x7fa09ea6],
  ["abcd", 0x9747b28c, 0xf0478627],
  ["abc", 0x9747b28c, 0xc84a62dd],
  ["ab", 0x9747b28c, 0x74875592],
  ["Hello, world!", 0x9747b28c, 0x24884cba],
  ["ππππππππ", 0x9747b28c, 0xd58063c1],
  ["The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2fa826cd],
  ["hello", 0, 0x248bfa47],
];

const murmur = [];
for (const [input, seed, want] of published) {
  const got = revisited.x86.hash32(utf8(input), seed) >>> 0;
  if (got !== want) fail(`murmurhash3js-revisited(${JSON.stringify(input)}, ${seed}) = ${got}, published ${want}`);
  murmur.push({ input, seed, hash: want });
}
const units = ["", "u", "user-1", "123", "gr1:123", "a-much-longer-unit-that-crosses-several-blocks-0123456789"];
const more = ["é", "日本語", "😀 emoji", "Grüße"];
for (const input of [...units, ...more]) {
  for (const seed of [0, 1, 42, 86028157, 0xffffffff]) {
    const hash = revisited.x86.hash32(utf8(input), seed) >>> 0;
    if (isAscii(input)) {
      const viaUnleash = murmurhash3js.x86.hash32(input, seed) >>> 0;
      const viaFlagd = new IMurmur(input, seed).result() >>> 0;
      if (viaUnleash !== hash || viaFlagd !== hash) fail(`the JS libraries disagree on ${JSON.stringify(input)}`);
    }
    murmur.push({ input, seed, hash });
  }
}

// unleash-client-node src/strategy/util.ts.
const normalizedValue = (id, groupId, normalizer = 100, seed = 0) =>
  (murmurhash3js.x86.hash32(`${groupId}:${id}`, seed) % normalizer) + 1;
const unleash = [];
for (const groupId of ["", "gr1", "feature.flexibleRollout.100", "Feature.Variants.A"]) {
  for (const id of ["123", "user-1", "1", "sessionId-77", "abcdefghijklmnop"]) {
    unleash.push({ id, groupId, normalizer: 100, seed: 0, value: normalizedValue(id, groupId) });
    for (const normalizer of [1, 3, 1000, 1001]) {
      unleash.push({ id, groupId, normalizer, seed: 86028157, value: normalizedValue(id, groupId, normalizer, 86028157) });
    }
  }
}

const growthbook = [];
for (const seed of ["", "seed", "exp-1", "Grüße", "😀", "90850943850283058242805"]) {
  for (const value of ["a", "123", "user-1", "é", "日本語", "😀", "___)((*\":&"]) {
    for (const version of [1, 2]) {
      const n = gbUtil.hash(seed, value, version);
      const bucket = Math.round(n * (version === 1 ? 1000 : 10000));
      growthbook.push({ seed, value, version, bucket });
    }
  }
}

const fractional = [];
const logger = { error() {}, warn() {}, info() {}, debug() {} };
for (const weights of [[1, 1], [25, 75], [1, 2, 3, 4], [33, 33, 34], [1, 999999]]) {
  for (const flagKey of ["headerColor", "new-checkout", "f"]) {
    const variants = Object.fromEntries(weights.map((_, i) => [`v${i}`, `v${i}`]));
    const core = new FlagdCore();
    core.setConfigurations(JSON.stringify({
      flags: {
        [flagKey]: {
          state: "ENABLED", variants, defaultVariant: "v0",
          targeting: { fractional: weights.map((w, i) => [`v${i}`, w]) },
        },
      },
    }));
    for (const targetingKey of ["user-1", "user-2", "123", "jon@company.com", "a", "Grüße"]) {
      if (!isAscii(targetingKey)) continue; // flagd-core's imurmurhash does not hash UTF-8
      const r = core.resolveStringEvaluation(flagKey, "none", { targetingKey }, logger);
      const variant = Number(r.value.slice(1));
      fractional.push({ flagKey, targetingKey, weights, variant });
    }
  }
}

process.stdout.write(JSON.stringify({ murmur3_x86_32: murmur, unleash, growthbook, fractional }, null, 1) + "\n");
