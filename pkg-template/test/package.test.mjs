// The package as users get it: `npm pack` of pkg/, installed into a fresh project, imported
// from Node.js as ESM and CommonJS, and a TypeScript consumer compiled with `tsc --noEmit`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PKG } from "./helpers/pkg.mjs";
import { makeSigner, payload } from "./helpers/signer.mjs";

const here = import.meta.dirname;
const npm = (args, cwd) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const tsc = join(here, "node_modules", "typescript", "bin", "tsc");
const versions = Object.fromEntries(
  ["@openfeature/core", "@openfeature/web-sdk", "@openfeature/server-sdk", "@types/node", "@types/react", "react"].map((name) => [
    name,
    JSON.parse(readFileSync(join(here, "node_modules", name, "package.json"), "utf8")).version,
  ]),
);

let dir;
let project;
let packed;
test.before(() => {
  dir = mkdtempSync(join(tmpdir(), "edgeflag-consumer-"));
  [packed] = JSON.parse(npm(["pack", PKG, "--pack-destination", dir, "--json"], dir));
  project = join(dir, "app");
  execFileSync("mkdir", [project]);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const sdks = Object.entries(versions).map(([n, v]) => `${n}@${v}`);
  npm(["install", join(dir, packed.filename), ...sdks, "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], project);
});
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("the tarball holds the modules, declarations, wasm and README, nothing else", () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const f of ["index.js", "node.js", "node.cjs", "workerd.js", "client.js", "openfeature.js", "testing.js",
    "react.js", "devtools.js", "overrides.js", "index.d.ts", "openfeature.d.ts", "testing.d.ts", "react.d.ts",
    "devtools.d.ts", "overrides.d.ts", "web/edgeflag.js", "web/edgeflag_bg.wasm", "node/edgeflag.cjs",
    "node/edgeflag_bg.wasm", "README.md", "package.json", "regex.js", "regex-node.js", "regex-workerd.js", "regex.d.ts",
    "web-regex/edgeflag.js", "web-regex/edgeflag_bg.wasm", "node-regex/edgeflag.cjs", "node-regex/edgeflag_bg.wasm"]) {
    assert.ok(files.includes(f), `missing ${f}`);
  }
  assert.deepEqual(files.filter((f) => /(^|\/)test\/|\.test\.|\.ts$|\.gitignore$/.test(f) && !f.endsWith(".d.ts")), []);
  const pkg = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));
  assert.deepEqual(Object.keys(pkg.exports["."]), ["types", "workerd", "browser", "import", "require"]);
});

const signer = makeSigner();
const envelope = signer.envelope(payload());
const script = (kind) => `
${kind === "esm" ? 'import { createClient, bucket, EdgeflagError } from "edgeflag";\nimport { createTestClient } from "edgeflag/testing";\nimport { EdgeflagServerProvider } from "edgeflag/openfeature";'
    : 'const { createClient, bucket, EdgeflagError } = require("edgeflag");\nconst { createTestClient } = require("edgeflag/testing");\nconst { EdgeflagServerProvider } = require("edgeflag/openfeature");'}
const client = createClient({ publicKeys: [${JSON.stringify(signer.publicKey)}], environment: "production",
  owner: "shop", bootstrap: ${JSON.stringify(envelope)} });
const out = {
  on: client.bool("new-checkout", { plan: "pro" }, false),
  off: client.bool("new-checkout", { plan: "free" }, true),
  status: client.status,
  bucket: bucket("new-checkout", "user-3"),
  forced: createTestClient({ flags: { x: "y" } }).string("x", {}, ""),
  provider: new EdgeflagServerProvider(client).metadata.name,
};
try { createClient({ publicKeys: ["nope"] }); } catch (e) { out.error = e instanceof EdgeflagError && e.code; }
${kind === "cjs" ? 'import("edgeflag").then((m) => { out.shared = m.EdgeflagError === EdgeflagError; console.log(JSON.stringify(out)); });' : "console.log(JSON.stringify(out));"}
`;

for (const kind of ["esm", "cjs"]) {
  test(`the installed package works from Node.js (${kind})`, () => {
    const file = join(project, kind === "esm" ? "main.mjs" : "main.cjs");
    writeFileSync(file, script(kind));
    const out = JSON.parse(execFileSync(process.execPath, [file], { cwd: project, encoding: "utf8" }));
    assert.equal(out.on, true);
    assert.equal(out.off, false);
    assert.equal(out.status, "READY");
    assert.ok(out.bucket >= 0 && out.bucket < 100000);
    assert.equal(out.forced, "y");
    assert.equal(out.provider, "edgeflag");
    assert.equal(out.error, "INVALID_ARGUMENT");
    if (kind === "cjs") assert.equal(out.shared, true, "require() and import share one module");
  });
}

const consumer = `
import { createClient, bucket, EdgeflagError, Evaluator } from "edgeflag";
import type { ClientEvent, EvaluationDetails, Status, SnapshotInfo, Exposure, Context, EventStats } from "edgeflag";
import { EdgeflagServerProvider, EdgeflagWebProvider } from "edgeflag/openfeature";
import { createTestClient } from "edgeflag/testing";
import { parseOverrides, formatOverrides } from "edgeflag/overrides";
import type { EdgeflagDevtools } from "edgeflag/devtools";
import { OpenFeature } from "@openfeature/web-sdk";
import { OpenFeature as ServerOpenFeature } from "@openfeature/server-sdk";

const exposures: Exposure[] = [];
const client = createClient({
  url: "https://flags.example.com/snapshot",
  publicKeys: ["ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="],
  environment: "production",
  owner: "shop",
  stream: true,
  pollIntervalMs: 30_000,
  storage: null,
  onExposure: (e) => exposures.push(e),
  overrides: { allow: process.env.NODE_ENV !== "production", values: { "new-checkout": true } },
  events: { url: "https://shop.example.com/edgeflag/events", flushIntervalMs: 5000, maxBatch: 100, maxQueue: 1000, beacon: true },
});
client.track("purchase", { unit: "u1", value: 42.5 });
client.track("signup");
const flushed: Promise<void> = client.flush();
const stats: EventStats = client.eventStats();
stats.dropped satisfies number;
client.on("dropped", (e) => e.events?.dropped);
createClient({ publicKeys: [], environment: "production", events: false });
const parsed: Map<string, { value: unknown }> = parseOverrides("a:true").values;
const text: string = formatOverrides({ a: true, b: "x" });
const devtools = import("edgeflag/devtools").then(({ showDevtools }) => {
  const panel: EdgeflagDevtools = showDevtools(client, { context: { targetingKey: "u1" }, open: true });
  panel.flip("new-checkout", false);
  return document.querySelector("edgeflag-devtools")?.reset();
});
const rendered = client.rendered?.values;
const on: boolean = client.bool("new-checkout", { targetingKey: "u1", plan: "pro" }, false);
const label: string = client.string("banner", undefined, "");
const limit: number = client.number("limit", {}, 10);
const layout: { cols: number } = client.object("layout", {}, { cols: 1 });
const details: EvaluationDetails<boolean> = client.details("new-checkout", {}, false);
const reason: string = details.reason;
const ctx: Context = client.context({ targetingKey: "u1" });
client.bool("new-checkout", ctx, false);
const status: Status = client.status;
const info: SnapshotInfo | undefined = client.info;
const off = client.on("change", (e: ClientEvent) => console.log(e.changed?.to, e.error?.code));
off();
client.ready(1000).then((ready: boolean) => ready && client.close());
const b: number = bucket("new-checkout", "u1");
const ev = new Evaluator({ publicKeys: [], environment: "production" });
ev.load("{}", Date.now()).version satisfies number;
new EdgeflagError("X", "y").code satisfies string;
OpenFeature.setProvider(new EdgeflagWebProvider(client));
OpenFeature.getClient().track("purchase", { value: 9.99 });
new EdgeflagServerProvider(client).track("purchase", { targetingKey: "u1" }, { value: 1 });
ServerOpenFeature.setProvider(new EdgeflagServerProvider({ publicKeys: [], environment: "production" }, { readyTimeoutMs: 1 }));
const test = createTestClient({ flags: { "new-checkout": true } });
test.override("new-checkout", false);
// @ts-expect-error unknown event names are type errors
client.on("nope", () => {});
// @ts-expect-error a tracked value is a number
client.track("purchase", { value: "42" });
// @ts-expect-error a client needs an environment
createClient({ publicKeys: [] });
// @ts-expect-error the default decides the type
const wrong: string = client.bool("x", {}, false);
// @ts-expect-error overrides are { allow, values }, not a map of flag values
createClient({ publicKeys: [], environment: "e", overrides: { "new-checkout": true } });
export { on, label, limit, layout, status, info, b, wrong, reason, parsed, text, devtools, rendered };
`;

test("the core declarations need neither DOM nor Node.js types", () => {
  writeFileSync(join(project, "bare.ts"), `
    import { createClient, type ClientOptions } from "edgeflag";
    import { createTestClient } from "edgeflag/testing";
    const options: ClientOptions = { url: "https://x.example/s", publicKeys: [], environment: "e" };
    createClient(options).bool("f", { targetingKey: 1 }, false);
    createTestClient({ flags: { f: true } }).close();
  `);
  const config = { compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", lib: ["es2022"], types: [] }, files: ["bare.ts"] };
  writeFileSync(join(project, "tsconfig.bare.json"), JSON.stringify(config));
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.bare.json"], { cwd: project, encoding: "utf8" });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});

for (const resolution of ["nodenext", "bundler"]) {
  test(`a TypeScript consumer type-checks (moduleResolution ${resolution})`, () => {
    writeFileSync(join(project, "consumer.ts"), consumer);
    const config = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "es2022",
        module: resolution === "bundler" ? "esnext" : "nodenext",
        moduleResolution: resolution,
        lib: ["es2022", "dom"],
        types: ["node"], // @openfeature/server-sdk's declarations need node:events
        skipLibCheck: false,
      },
      files: ["consumer.ts"],
    };
    writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify(config));
    try {
      execFileSync(process.execPath, [tsc, "-p", `tsconfig.${resolution}.json`], { cwd: project, encoding: "utf8" });
    } catch (e) {
      assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
    }
  });
}

// Typed flags: the declarations `edgeflag codegen` writes for tests/fixtures/typed-flags.json
// (the CLI's tests hold them byte for byte to this golden file).
const golden = readFileSync(join(here, "..", "..", "tests", "fixtures", "typed-flags.d.ts"), "utf8");
const typed = `
import { createClient } from "edgeflag";
import { useFlag, useFlagDetails } from "edgeflag/react";
import { EdgeflagWebProvider } from "edgeflag/openfeature";
const client = createClient({ publicKeys: [], environment: "production", owner: "shop" });
const on: boolean = client.bool("new-checkout", {}, false);
const banner: "Welcome" | 'Happy "holidays"' = client.string("banner", {}, "Welcome");
const items: number = client.number("max-items", {}, 10);
const layout = client.object("layout", {}, { cols: 1 });
const d: "Welcome" | 'Happy "holidays"' = client.details("banner", {}, 'Happy "holidays"').value;
client.override({ banner: "Welcome", "max-items": undefined });
client.override("max-items", 3);
new EdgeflagWebProvider(client).client.bool("new-checkout", {}, false);
export function Checkout() {
  const hook: boolean = useFlag("new-checkout", false);
  const text: "Welcome" | 'Happy "holidays"' = useFlag("banner", "Welcome");
  const details = useFlagDetails("max-items", 5);
  details.value satisfies number;
  return [hook, text];
}
export { on, banner, items, layout, d };
`;
// Each line is one mistake; tsc must report each, at its line.
const mistakes = [
  'client.bool("new-chekout", {}, false); // misspelt key',
  'client.number("max-items", {}, "10"); // wrong default type',
  'client.string("banner", {}, "Hello"); // not one of the variants\' values',
  'client.bool("max-items", {}, false); // a number flag read as a boolean',
  'useFlag("new-chekout", false); // misspelt key in a hook',
  'useFlag("max-items", "ten"); // wrong default type in a hook',
  'client.override("new-checkout", "yes"); // forcing a value of the wrong type',
  'client.override({ "new-chekout": true }); // a misspelt key among forced values',
];
const broken = `
import { createClient } from "edgeflag";
import { useFlag } from "edgeflag/react";
const client = createClient({ publicKeys: [], environment: "production", owner: "shop" });
${mistakes.join("\n")}
`;

function typecheck(name, source) {
  writeFileSync(join(project, "flags.d.ts"), golden);
  writeFileSync(join(project, `${name}.ts`), source);
  const config = {
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", lib: ["es2022", "dom"], types: [], skipLibCheck: false },
    files: [`${name}.ts`, "flags.d.ts"],
  };
  writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify(config));
  try {
    execFileSync(process.execPath, [tsc, "-p", `tsconfig.${name}.json`, "--pretty", "false"], { cwd: project, encoding: "utf8" });
    return "";
  } catch (e) {
    return `${e.stdout}${e.stderr}`;
  }
}

test("typed flags from codegen: keys, defaults and results type-check in the client and the hooks", () => {
  assert.equal(typecheck("typed", typed), "");
});

test("typed flags from codegen: a misspelt key or a wrong default fails tsc, each at its line", () => {
  const output = typecheck("broken", broken);
  const lines = [...output.matchAll(/^broken\.ts\((\d+),\d+\): error TS\d+/gm)].map((m) => Number(m[1]));
  const first = broken.split("\n").indexOf(mistakes[0]) + 1;
  assert.deepEqual([...new Set(lines)], mistakes.map((_, i) => first + i), output);
});

test("without registered flags any key and any default of the flag's kind type-check", () => {
  writeFileSync(join(project, "untyped.ts"), `
    import { createClient } from "edgeflag";
    import { useFlag } from "edgeflag/react";
    const client = createClient({ publicKeys: [], environment: "production", owner: "shop" });
    const a: boolean = client.bool("whatever", {}, false);
    const b: string = useFlag("any-key", "x");
    const c: number = useFlag("n", 1);
    const d = useFlag("any", null);
    const e = client.object("o", {}, { cols: 1 });
    // @ts-expect-error an object flag's default is an object
    client.object("o", {}, 3);
    export { a, b, c, d, e };
  `);
  const config = { compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", lib: ["es2022", "dom"], types: [] }, files: ["untyped.ts"] };
  writeFileSync(join(project, "tsconfig.untyped.json"), JSON.stringify(config));
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.untyped.json", "--pretty", "false"], { cwd: project, encoding: "utf8" });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});
