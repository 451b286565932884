#!/usr/bin/env node
// Start-up cost of edgeflag's wasm module: in fresh child processes (nothing cached, as on a
// page load or a cold edge isolate), the time to compile the module from its bytes and
// instantiate it through the package's glue, and the time to import the whole Node entry.
// The figure is the median over the children.
//
//   node instantiate.mjs [runs] [out.json]      (defaults: 21, target/bench/instantiate.json)
//   EDGEFLAG_PKG=/path/to/pkg/node.js            which build (its web/ folder holds the wasm)
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { median } from "./timing.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const pkgPath = resolve(process.env.EDGEFLAG_PKG ?? join(here, "../../../pkg/node.js"));
const glue = join(dirname(pkgPath), "web", "edgeflag.js");
const wasm = join(dirname(pkgPath), "web", "edgeflag_bg.wasm");

if (process.argv[2] === "--child") {
  // One measurement, in this fresh process: sync compile + instantiate, or the whole entry.
  const what = process.argv[3];
  let out;
  if (what === "instantiate") {
    const { initSync } = await import(pathToFileURL(glue).href);
    const bytes = readFileSync(wasm);
    const t0 = performance.now();
    const module = new WebAssembly.Module(bytes);
    const t1 = performance.now();
    initSync({ module });
    const t2 = performance.now();
    out = { compile: t1 - t0, instantiate: t2 - t1, total: t2 - t0 };
  } else if (what === "compile-async") {
    // What a browser does with the fetched bytes: asynchronous compilation.
    const bytes = readFileSync(wasm);
    const t0 = performance.now();
    await WebAssembly.compile(bytes);
    out = { total: performance.now() - t0 };
  } else {
    const t0 = performance.now();
    await import(pathToFileURL(pkgPath).href);
    out = { total: performance.now() - t0 };
  }
  console.log(JSON.stringify(out));
  process.exit(0);
}

const runs = Number(process.argv[2] ?? 21);
const outFile = resolve(process.argv[3] ?? join(here, "../../../target/bench/instantiate.json"));
const child = (what) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", what], { encoding: "utf8" }));
const samples = { instantiate: [], "compile-async": [], import: [] };
for (let i = 0; i < runs; i++) {
  for (const what of Object.keys(samples)) samples[what].push(child(what)); // interleaved
}
const med = (what, field = "total") => Number(median(samples[what].map((s) => s[field])).toFixed(3));
const result = {
  instantiate_runs: runs,
  wasm_bytes: readFileSync(wasm).length,
  instantiate_ms: med("instantiate"),
  compile_ms: med("instantiate", "compile"),
  instantiate_only_ms: med("instantiate", "instantiate"),
  compile_async_ms: med("compile-async"),
  import_node_entry_ms: med("import"),
};
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `start-up (median of ${runs} fresh processes): compile + instantiate ${result.instantiate_ms} ms ` +
    `(compile ${result.compile_ms}, instantiate ${result.instantiate_only_ms}); async compile ${result.compile_async_ms} ms; ` +
    `import of the Node entry ${result.import_node_entry_ms} ms`,
);
