// Whether pkg/ must be assembled again: it is missing a file every entry needs, or a source it
// is built from (the crate, the template, the assembly scripts) changed after it was written.
// The one rule behind `assemble.mjs --if-stale`, used by the tests, the demo and the benchmark.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const OUTPUTS = ["package.json", "web/edgeflag_bg.wasm", "node/edgeflag_bg.wasm", "web-regex/edgeflag_bg.wasm",
  "node-regex/edgeflag_bg.wasm", "workerd.js", "regex.js"];
const SOURCES = ["src/core", "src/wasm", "Cargo.toml", "Cargo.lock", "pkg-template/src", "pkg-template/package.json",
  "pkg-template/README.md", "pkg-template/assemble.mjs", "pkg-template/shrink.mjs", "pkg-template/stale.mjs"];

/** The newest modification time under `path` (a file or a folder), in ms. */
function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((t, f) => Math.max(t, newest(join(path, f))), stat.mtimeMs);
}

/** Whether `out` (pkg/) is missing or older than the sources under `root`. */
export function isStale(root, out) {
  if (OUTPUTS.some((f) => !existsSync(join(out, f)))) return true;
  const built = statSync(join(out, "package.json")).mtimeMs;
  return SOURCES.some((s) => existsSync(join(root, s)) && newest(join(root, s)) > built);
}
