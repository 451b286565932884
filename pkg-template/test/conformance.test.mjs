// The vendors' conformance suites through the npm package: the Unleash client specification
// and GrowthBook's `evalCondition` and `feature` cases, as tests/conformance_unleash.rs and
// tests/conformance_growthbook.rs import and run them natively. Those tests write what they ran
// to tests/conformance/translated/*.json (the imported payloads, each case's flag, context and
// the vendor's expected answer, and whether it passes natively); here each payload is signed
// with Node's crypto, loaded into the package's `Evaluator` (the companion `edgeflag/regex` for
// payloads with `matches`), evaluated at the same instant and read the way the vendor answers.
// Every case must come out as it does natively, so the figures are the native ones.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Evaluator } from "edgeflag";
import * as companion from "edgeflag/regex";
import { makeSigner } from "./helpers/signer.mjs";
import { CONFORMANCE } from "./helpers/pkg.mjs";
import { defaultFor, judge } from "./helpers/conformance.mjs";

const read = (path) => JSON.parse(readFileSync(CONFORMANCE + path, "utf8"));

/**
 * Runs every case of a translated suite; `Core` is the evaluator class tried first (a payload
 * it degrades for want of `matches` goes to the companion's). Returns each case's outcome.
 */
function run(doc, Core) {
  const signer = makeSigner();
  const evaluators = new Map();
  let viaCompanion = 0;
  const evaluator = (id) => {
    if (evaluators.has(id)) return evaluators.get(id);
    const payload = doc.payloads[id];
    assert.ok(payload, `payload ${id} is missing`);
    const options = { publicKeys: [signer.publicKey], environment: payload.environment, owner: payload.owner };
    const envelope = signer.envelope(payload);
    let ev = new Core(options);
    ev.load(envelope, doc.now);
    if (ev.needsRegex()) {
      ev = new companion.Evaluator(options);
      ev.load(envelope, doc.now);
    }
    assert.deepEqual(ev.degradedFlags(), [], `payload ${id} has degraded flags`);
    evaluators.set(id, ev);
    return ev;
  };
  const outcomes = doc.cases.map((c) => {
    const ev = evaluator(c.payload);
    if (ev instanceof companion.Evaluator && Core !== companion.Evaluator) viaCompanion++;
    const d = ev.details(c.flag, ev.context(c.context), defaultFor(c), doc.now);
    return { case: c, ...judge(c, d) };
  });
  return { outcomes, viaCompanion };
}

/** Passed cases per reading. */
function passes(outcomes) {
  const n = {};
  for (const o of outcomes) n[o.case.read] = (n[o.case.read] ?? 0) + (o.pass ? 1 : 0);
  return n;
}

/** Fails unless every case comes out as it does natively. */
function assertSameAsNative(outcomes) {
  const differ = outcomes
    .filter((o) => o.pass !== o.case.pass)
    .map((o) => `${o.case.id} ${JSON.stringify(o.case.name)}: natively ${o.case.pass ? "passes" : "fails"}, here ${o.pass ? "passes" : "fails"}: expected ${JSON.stringify(o.case.expected)}, got ${JSON.stringify(o.got)}`);
  assert.deepEqual(differ, [], `${differ.length} cases differ from the native run`);
}

const SUITES = {
  unleash: {
    figure(doc, p) {
      const [p0, p1] = [p.isEnabled ?? 0, p.getVariant ?? 0];
      const [t0, t1] = [doc.totals.isEnabled, doc.totals.getVariant];
      return `Unleash spec ${p0 + p1}/${t0 + t1} (isEnabled ${p0}/${t0}, getVariant ${p1}/${t1})`;
    },
    /** The vendor's case with this id (`FILE tests[I]`), and the number of cases per reading. */
    vendor() {
      const dir = "unleash-client-specification/specifications/";
      const files = Object.fromEntries(read(dir + "index.json").map((f) => [f, read(dir + f)]));
      const count = (kind) => Object.values(files).reduce((n, f) => n + (f[kind]?.length ?? 0), 0);
      return {
        totals: { isEnabled: count("tests"), getVariant: count("variantTests") },
        expected(id) {
          const [, file, kind, i] = id.match(/^(.+) (tests|variantTests)\[(\d+)\]$/);
          return files[file][kind][Number(i)].expectedResult;
        },
      };
    },
  },
  growthbook: {
    figure(doc, p) {
      const f = (s) => `${p[s] ?? 0}/${doc.totals[s]}`;
      return `GrowthBook evalCondition ${f("evalCondition")}, feature ${f("feature")}`;
    },
    vendor() {
      const cases = read("growthbook/cases.json");
      const keep = ["value", "on", "off", "source", "ruleId"];
      return {
        totals: { evalCondition: cases.evalCondition.length, feature: cases.feature.length },
        expected(id) {
          const [, section, i] = id.match(/^(\w+)\[(\d+)\]$/);
          const want = cases[section][Number(i)][3];
          if (section === "evalCondition") return want;
          return Object.fromEntries(keep.filter((k) => k in want).map((k) => [k, want[k]]));
        },
      };
    },
  },
};

for (const [name, suite] of Object.entries(SUITES)) {
  test(`${name}: the translated suite is the vendor's current cases`, () => {
    const doc = read(`translated/${name}.json`);
    const vendor = suite.vendor();
    assert.deepEqual(doc.totals, vendor.totals, "the vendor's case counts differ: regenerate the translated suite (CONFORMANCE_UPDATE=1)");
    for (const c of doc.cases) assert.deepEqual(c.expected, vendor.expected(c.id), `${c.id}: not the vendor's expected answer`);
  });

  for (const [build, Core] of [["edgeflag", Evaluator], ["edgeflag/regex", companion.Evaluator]]) {
    test(`${name}: every case comes out as natively through ${build}`, (t) => {
      const doc = read(`translated/${name}.json`);
      assert.ok(doc.cases.length > 200, "the translated suite has its cases");
      const { outcomes, viaCompanion } = run(doc, Core);
      assertSameAsNative(outcomes);
      const figure = suite.figure(doc, passes(outcomes));
      t.diagnostic(figure);
      if (Core === Evaluator) t.diagnostic(`${viaCompanion} cases use \`matches\` and ran through edgeflag/regex`);
      assert.equal(figure, doc.figure, "the figure differs from the native one");
    });
  }
}
