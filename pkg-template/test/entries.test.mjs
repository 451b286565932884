// Each runtime entry of the package, selected by its export condition: workerd (the wasm
// imported as a compiled module), browser (here without a way to fetch the wasm, which must
// degrade to defaults, not throw), and Node.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { makeSigner, payload } from "./helpers/signer.mjs";

const signer = makeSigner();
const envelope = signer.envelope(payload());

function run(args, script) {
  const out = execFileSync(process.execPath, [...args, "--input-type=module", "-e", script], {
    cwd: import.meta.dirname,
    encoding: "utf8",
  });
  return JSON.parse(out);
}

const probe = `
  import { createClient } from "edgeflag";
  const entry = import.meta.resolve("edgeflag").split("/").pop();
  const client = createClient({ publicKeys: [${JSON.stringify(signer.publicKey)}], environment: "production",
    owner: "shop", storage: null, bootstrap: ${JSON.stringify(envelope)} });
  const errors = [];
  client.on("error", (e) => errors.push(e.error.code));
  const ready = await client.ready(100);
  const details = client.details("new-checkout", { plan: "pro" }, false);
  console.log(JSON.stringify({ entry, ready, status: client.status, value: details.value,
    errorCode: details.errorCode ?? null, lastError: client.lastError?.code ?? null, errors }));`;

test("workerd: the entry initialises from a compiled WebAssembly.Module", () => {
  const r = run(["--conditions=workerd", "--import", "./helpers/wasm-as-module.mjs"], probe);
  assert.deepEqual(r, { entry: "workerd.js", ready: true, status: "READY", value: true, errorCode: null, lastError: null, errors: [] });
});

test("browser: without WebAssembly the module still loads and every default is served", () => {
  // Node's fetch cannot read the file: URL of the wasm, like a blocked asset in a browser.
  const r = run(["--conditions=browser"], probe);
  assert.equal(r.entry, "index.js");
  assert.equal(r.ready, false);
  assert.equal(r.status, "ERROR");
  assert.equal(r.value, false);
  assert.equal(r.errorCode, "GENERAL");
  assert.equal(r.lastError, "WASM_UNAVAILABLE");
  assert.deepEqual(r.errors, ["WASM_UNAVAILABLE"]);
});

test("node: the import condition loads the wasm from disk", () => {
  const r = run([], probe);
  assert.deepEqual(r, { entry: "node.js", ready: true, status: "READY", value: true, errorCode: null, lastError: null, errors: [] });
});

test("node: import and require share wasm-pack's nodejs build (one instance)", () => {
  const r = run([], `
    import { createRequire } from "node:module";
    import { Evaluator } from "edgeflag";
    const require = createRequire(import.meta.url);
    const glue = require(new URL("./node/edgeflag.cjs", import.meta.resolve("edgeflag")).pathname);
    console.log(JSON.stringify({ nodejsBuild: Evaluator === glue.Evaluator, required: require("edgeflag").Evaluator === Evaluator }));`);
  assert.deepEqual(r, { nodejsBuild: true, required: true });
});

// A snapshot using `matches`: each entry's client imports its companion module (the build with
// the `regex` feature) and evaluates the flag; edgeflag/regex resolves per runtime too.
const staff = { type: "boolean", variants: { on: true, off: false }, offVariant: "off", defaultServe: { variant: "off" },
  rules: [{ id: "corp", conditions: [{ attribute: "email", op: "matches", values: ["@corp\\.example$"] }], serve: { variant: "on" } }] };
const regexProbe = `
  import { createClient } from "edgeflag";
  import { Evaluator } from "edgeflag/regex";
  const companion = import.meta.resolve("edgeflag/regex").split("/").pop();
  const client = createClient({ publicKeys: [${JSON.stringify(signer.publicKey)}], environment: "production",
    owner: "shop", storage: null, bootstrap: ${JSON.stringify(signer.envelope(payload({ flags: { staff } })))} });
  const errors = [];
  client.on("error", (e) => errors.push(e.error.code));
  const ready = await client.ready(1000);
  const details = client.details("staff", { email: "ana@corp.example" }, false);
  console.log(JSON.stringify({ companion, direct: typeof Evaluator, ready, value: details.value, reason: details.reason, errors }));`;

test("workerd: a snapshot using `matches` is evaluated by the companion module (bundled as a module)", () => {
  const r = run(["--conditions=workerd", "--import", "./helpers/wasm-as-module.mjs"], regexProbe);
  assert.deepEqual(r, { companion: "regex-workerd.js", direct: "function", ready: true, value: true, reason: "TARGETING_MATCH", errors: [] });
});

test("node: a snapshot using `matches` is evaluated by the companion module", () => {
  const r = run([], regexProbe);
  assert.deepEqual(r, { companion: "regex-node.js", direct: "function", ready: true, value: true, reason: "TARGETING_MATCH", errors: [] });
});
