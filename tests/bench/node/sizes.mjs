#!/usr/bin/env node
// What each engine costs a browser to download, gzipped (level 9). Every engine's full
// browser entry is bundled the same way (pkg-template/download.mjs, which the package's size
// test uses too: esbuild --bundle --minify, ESM, platform browser, NODE_ENV=production), so
// the comparison does not depend on how each project happens to build its dist files:
//   - edgeflag: the package's browser entry (index.js: evaluator, client, transport) bundled,
//     plus the wasm it fetches (a separate download, gzipped on its own);
//   - GrowthBook: `export * from "@growthbook/growthbook"`; its own published bundle
//     (dist/bundles/esm.min.js) is reported next to it;
//   - flagd-core: `export * from "@openfeature/flagd-core"`, with its dependencies
//     (json-logic-engine, semver, object-hash, imurmurhash, @openfeature/core); it publishes
//     no browser bundle of its own.
//
// Then what each part of edgeflag's download costs (pkg-template/breakdown.mjs: the wasm by
// section and its code by crate, the JavaScript by chunk and by module).
//
//   node sizes.mjs [out.json]                    (default: target/bench/sizes.json)
//   EDGEFLAG_PKG=/path/to/pkg/node.js            which build (its folder holds index.js)
import { build } from "esbuild";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundle, download, gz } from "../../../pkg-template/download.mjs";
import { breakdown } from "../../../pkg-template/breakdown.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = dirname(resolve(process.env.EDGEFLAG_PKG ?? join(here, "../../../pkg/node.js")));
const outFile = resolve(process.argv[2] ?? join(here, "../../../target/bench/sizes.json"));
const require = createRequire(import.meta.url);

const peer = (contents) => bundle(build, contents, here);

const edgeflag = await download(build, pkgDir);
const edgeflagJs = edgeflag.js;
const wasm = edgeflag.wasm;
const growthbookJs = await peer(`export * from "@growthbook/growthbook";`);
const growthbookDist = readFileSync(join(dirname(require.resolve("@growthbook/growthbook/package.json")), "dist/bundles/esm.min.js"));
const flagdJs = await peer(`export * from "@openfeature/flagd-core";`);

const result = {
  bundler: `esbuild ${require("esbuild/package.json").version} --bundle --minify --format=esm --platform=browser; gzip -9`,
  wasm_gzip_bytes: gz(wasm),
  wasm_bytes: wasm.length,
  js_gzip_bytes: gz(edgeflagJs),
  js_bytes: edgeflagJs.length,
  wasm_js_gzip_bytes: gz(wasm) + gz(edgeflagJs),
  growthbook_gzip_bytes: gz(growthbookJs),
  growthbook_bytes: growthbookJs.length,
  growthbook_dist_gzip_bytes: gz(growthbookDist),
  flagd_core_gzip_bytes: gz(flagdJs),
  flagd_core_bytes: flagdJs.length,
};
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(
  `sizes (gzip -9): edgeflag ${kb(result.wasm_js_gzip_bytes)} (wasm ${kb(result.wasm_gzip_bytes)} + JS ${kb(result.js_gzip_bytes)}), ` +
    `GrowthBook ${kb(result.growthbook_gzip_bytes)} (its dist bundle ${kb(result.growthbook_dist_gzip_bytes)}), flagd-core ${kb(result.flagd_core_gzip_bytes)}`,
);
console.log((await breakdown(build, pkgDir)).join("\n"));
