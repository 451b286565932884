#!/usr/bin/env node
// Assembles the npm package in pkg/: builds the wasm bindings (src/wasm) with wasm-pack (targets
// `web` and `nodejs`, the size profile `wasm`), inlines the crate's JavaScript snippets, shortens the web build's binding names, shrinks it
// with wasm-opt -Oz (binaryen, pinned, through npx) when that helps, copies the template's package.json, README and thin ES modules,
// and prints the gzipped sizes.
//
//   node pkg-template/assemble.mjs             build and assemble
//   node pkg-template/assemble.mjs --no-build  reassemble from the last wasm build
//   node pkg-template/assemble.mjs --stable    build with stable Rust (about 8 KB larger gzipped)
//   node pkg-template/assemble.mjs --no-minify keep the JavaScript readable
//   node pkg-template/assemble.mjs --if-stale  only when pkg/ is missing or older than its sources
//
// With nightly Rust and its rust-src installed, std is rebuilt for size (see shrink.mjs).
//
// The `web` build serves browsers (the entry fetches the wasm) and workerd (which imports it as
// a module); the `nodejs` build serves Node.js (its CommonJS glue reads and instantiates the
// wasm synchronously). Each entry module hands its build's classes to the client.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isStale } from "./stale.mjs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { blankClosureShims, cargoSettings, minify, shortenBindingNames, stripCustomSections } from "./shrink.mjs";

const template = dirname(fileURLToPath(import.meta.url));
const root = dirname(template);
const out = join(root, "pkg");
// The bindings crate (edgeflag-wasm); its release build for the package is the `wasm` profile.
const crate = join(root, "src", "wasm");
// Two variants, each for two targets: the core (what every client loads) and the companion,
// built with the crate's `regex` feature (`matches`), which a client loads only when a
// snapshot uses `matches` (see pkg-template/src/regex.js): so the core download does not carry
// the regular-expression engine.
const VARIANTS = [
  { features: [], web: "web", node: "node", build: "" },
  { features: ["--features", "regex"], web: "web-regex", node: "node-regex", build: "-regex" },
];
const buildDir = (target, v) => join(root, "target", "wasm-pack", `${target}${v.build}`);
// binaryen's wasm-opt, pinned and run through npx (fetched from the npm registry once), so
// every machine optimises alike: distribution packages lag (Debian's 108 mangles
// wasm-bindgen's externref table). 132 with -Oz --converge: 1.2 KB less gzipped wasm.
const WASM_OPT = ["--yes", "--package=binaryen@132.0.0", "--", "wasm-opt"];
const WASM_OPT_FLAGS = ["-Oz", "--converge", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue"];

// Instantiates a wasm file with the glue of `dir` (web or web-regex) and buckets a unit: a
// string that must not change.
function smokeTest(file, dir) {
  const glue = join(out, dir, "edgeflag.js");
  const script = `import { initSync, bucket } from ${JSON.stringify(glue)};
    import { readFileSync } from "node:fs";
    initSync({ module: readFileSync(${JSON.stringify(file)}) });
    console.log(bucket("new-checkout", "user-3"));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : `failed: ${r.stderr}`;
}

// wasm-bindgen loads the crate's JavaScript (src/wasm/*.js) from a snippets/ folder next to the
// glue; the package inlines it into each glue file instead: no folder to ship, and CommonJS
// cannot require an ES module on every Node.js version. Each import becomes a const bound to the
// snippet's exports, evaluated in its own function scope.
function inlineSnippets(glueFile, buildDir) {
  const SNIPPET = /^(?:import (\{[^}]*\}) from |const (\{[^}]*\}) = require\()(?:String\.raw)?[`'"](\.\/snippets\/[^`'"]+)[`'"]\)?;?$/gm;
  const js = readFileSync(glueFile, "utf8").replace(SNIPPET, (_, imported, required, path) => {
    const names = (imported ?? required).replace(/ as /g, ": ");
    const exported = names.replace(/:\s*\w+/g, "");
    const source = readFileSync(join(buildDir, path), "utf8").replace(/^export /gm, "");
    return `const ${names} = (() => {\n${source}\nreturn ${exported};\n})();`;
  });
  if (js.includes("./snippets/")) throw new Error(`${glueFile}: a snippet import was not inlined`);
  writeFileSync(glueFile, js);
}

function run(cmd, args, options = {}) {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { stdio: "inherit", cwd: root, ...options });
}

const has = (cmd) => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;

if (process.argv.includes("--if-stale") && !isStale(root, out)) {
  console.log("pkg/ is up to date");
  process.exit(0);
}

if (!process.argv.includes("--no-build")) {
  if (!has("wasm-pack")) {
    console.error("wasm-pack is not installed: cargo install wasm-pack");
    process.exit(1);
  }
  const cargo = cargoSettings(process.argv.includes("--stable"));
  // --no-opt: wasm-pack would download its own binaryen; binaryen 132 from npm runs below.
  for (const v of VARIANTS) {
    for (const target of ["web", "nodejs"]) {
      run("wasm-pack", ["build", crate, "--target", target, "--profile", "wasm", "--no-opt", "--no-pack",
        "--out-dir", buildDir(target, v), "--out-name", "edgeflag", "--", ...v.features, ...cargo.args], { env: cargo.env });
    }
  }
}
for (const v of VARIANTS) {
  for (const target of ["web", "nodejs"]) {
    if (!existsSync(join(buildDir(target, v), "edgeflag_bg.wasm"))) {
      console.error(`no wasm build in ${buildDir(target, v)}: run without --no-build`);
      process.exit(1);
    }
  }
}

rmSync(out, { recursive: true, force: true });
for (const v of VARIANTS) assembleVariant(v);

// Copies one variant's two builds into pkg/<web>/ and pkg/<node>/ and shrinks them.
function assembleVariant(v) {
  const build = buildDir("web", v);
  const nodeBuild = buildDir("nodejs", v);
  mkdirSync(join(out, v.web), { recursive: true });
  mkdirSync(join(out, v.node), { recursive: true });
  for (const f of ["edgeflag.js", "edgeflag_bg.wasm"]) copyFileSync(join(build, f), join(out, v.web, f));
  // The package is "type": "module", so the CommonJS glue needs the .cjs extension.
  copyFileSync(join(nodeBuild, "edgeflag.js"), join(out, v.node, "edgeflag.cjs"));
  copyFileSync(join(nodeBuild, "edgeflag_bg.wasm"), join(out, v.node, "edgeflag_bg.wasm"));
  inlineSnippets(join(out, v.web, "edgeflag.js"), build);
  inlineSnippets(join(out, v.node, "edgeflag.cjs"), nodeBuild);
  const nodeSmoke = spawnSync(process.execPath,
    ["-e", `console.log(require(${JSON.stringify(join(out, v.node, "edgeflag.cjs"))}).bucket("new-checkout", "user-3"))`],
    { encoding: "utf8" });
  const wasm = join(out, v.web, "edgeflag_bg.wasm");
  for (const [w, js] of [[`${v.web}/edgeflag_bg.wasm`, `${v.web}/edgeflag.js`], [`${v.node}/edgeflag_bg.wasm`, `${v.node}/edgeflag.cjs`]]) {
    console.log(`${w}: ${blankClosureShims(join(out, w), join(out, js))} unreachable closure shims blanked`);
  }
  stripCustomSections(wasm);
  stripCustomSections(join(out, v.node, "edgeflag_bg.wasm"));
  // Browsers download the web build: short binding names there (Node reads its build from disk).
  shortenBindingNames(wasm, join(out, v.web, "edgeflag.js"));
  const baseline = smokeTest(wasm, v.web);
  if (baseline.startsWith("failed") || nodeSmoke.status !== 0 || nodeSmoke.stdout.trim() !== baseline) {
    rmSync(out, { recursive: true, force: true });
    console.error(`\nassemble: the wasm-bindgen output (${v.web}) does not load in Node.js:\n${baseline}\n${nodeSmoke.stderr}`);
    process.exit(1);
  }
  const optimised = join(out, v.web, "optimised.wasm");
  console.log(`$ npx ${[...WASM_OPT, ...WASM_OPT_FLAGS].join(" ")} ${wasm} -o ${optimised}`);
  const opt = spawnSync("npx", [...WASM_OPT, ...WASM_OPT_FLAGS, wasm, "-o", optimised], { stdio: "inherit", cwd: root });
  if (opt.status === 0) {
    // -Oz does not always beat rustc's opt-level "z" + LTO, and an optimiser can have bugs:
    // keep its output only if it works and is smaller.
    const works = smokeTest(optimised, v.web) === baseline;
    const smaller = gzipSync(readFileSync(optimised)).length < gzipSync(readFileSync(wasm)).length;
    if (works && smaller) copyFileSync(optimised, wasm);
    else console.log(`wasm-opt output not used (${v.web}): ${works ? "not smaller gzipped" : "it does not run"}`);
    rmSync(optimised);
  } else {
    console.log(`wasm-opt (npx ${WASM_OPT[1]}) did not run: the wasm (${v.web}) is not size-optimised`);
  }
}
for (const f of readdirSync(join(template, "src"))) copyFileSync(join(template, "src", f), join(out, f));
if (!process.argv.includes("--no-minify")) {
  const scripts = readdirSync(out).filter((f) => /\.c?js$/.test(f) && f !== "node.cjs");
  minify(out, [...scripts, "web/edgeflag.js", "web-regex/edgeflag.js"]);
}
for (const f of ["package.json", "README.md"]) copyFileSync(join(template, f), join(out, f));

// What a browser downloads: the entry, the modules it imports, the glue and the wasm.
const ours = ["index.js", "api.js", "client.js", "options.js", "sync.js", "transport.js", "error.js", "overrides.js", "event-queue.js"];
const gz = (files) => gzipSync(Buffer.concat(files.map((f) => readFileSync(join(out, f)))), { level: 9 }).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`\npkg/ assembled in ${out}; gzipped sizes of what a browser loads:`);
console.log(`  wasm             ${kib(gz(["web/edgeflag_bg.wasm"]))} (${kib(statSync(join(out, "web", "edgeflag_bg.wasm")).size)} raw)`);
console.log(`  JS, all          ${kib(gz([...ours, "web/edgeflag.js"]))}`);
console.log(`    wasm-bindgen   ${kib(gz(["web/edgeflag.js"]))} (web/edgeflag.js)`);
console.log(`    edgeflag       ${kib(gz(ours))} (${ours.join(", ")})`);
console.log(`  + openfeature.js ${kib(gz(["openfeature.js"]))}`);
console.log(`  events sender (once a client queues an event): JS ${kib(gz(["events.js"]))} (events.js)`);
console.log(`  stream reader (once a client streams): JS ${kib(gz(["stream.js"]))} (stream.js)`);
console.log(`  companion (only for snapshots using "matches"): wasm ${kib(gz(["web-regex/edgeflag_bg.wasm"]))}` +
  ` (${kib(statSync(join(out, "web-regex", "edgeflag_bg.wasm")).size)} raw), JS ${kib(gz(["regex.js", "web-regex/edgeflag.js"]))}`);
