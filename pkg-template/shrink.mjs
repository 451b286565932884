// Size steps of the package assembly (used by assemble.mjs): the nightly build-std settings,
// stripping debugging sections from the wasm, and minifying the JavaScript.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

/** esbuild, pinned: run through npx, which fetches it from the npm registry once. */
const ESBUILD = "esbuild@0.25.12";

/**
 * Cargo arguments and environment for wasm-pack. With nightly Rust and its rust-src (unless
 * `stable`), std is rebuilt for size and panics abort at once: no panic messages, locations or
 * formatting machinery in the module (about 8 KB gzipped). A panic was already a trap with
 * `panic = "abort"`, so behaviour does not change.
 */
export function cargoSettings(stable) {
  const nightly = !stable
    && spawnSync("rustup", ["+nightly", "component", "list", "--installed"], { encoding: "utf8" }).stdout?.includes("rust-src");
  const env = { ...process.env };
  const args = ["--features", "wasm"];
  if (!nightly) {
    if (!stable) console.log("building with stable Rust (smaller with nightly: rustup component add rust-src --toolchain nightly)");
    return { args, env, toolchain: "stable" };
  }
  args.push("-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size");
  // The rebuilt core, alloc and compiler-builtins (memcpy, memcmp, slices) at opt-level 3, as
  // stable ships them: at the crate's "z" they cost evaluation ~20% for 0.6 KB.
  for (const std of ["core", "alloc", "compiler_builtins"]) {
    args.push("--config", `profile.release.package.${std}.opt-level=3`);
  }
  env.RUSTUP_TOOLCHAIN = "nightly";
  env.RUSTFLAGS = `${env.RUSTFLAGS ?? ""} -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none`.trim();
  return { args, env, toolchain: "nightly" };
}

/** Drops the `name` and `producers` custom sections wasm-bindgen leaves (debugging aids). */
export function stripCustomSections(file) {
  const b = readFileSync(file);
  const keep = [b.subarray(0, 8)];
  let p = 8;
  const leb = () => {
    let r = 0;
    let s = 0;
    let x;
    do {
      x = b[p++];
      r += (x & 0x7f) * 2 ** s;
      s += 7;
    } while (x & 0x80);
    return r;
  };
  while (p < b.length) {
    const start = p;
    const id = b[p++];
    const len = leb();
    const body = p;
    let drop = false;
    if (id === 0) {
      const n = leb();
      drop = ["name", "producers"].includes(b.subarray(p, p + n).toString());
    }
    p = body + len;
    if (!drop) keep.push(b.subarray(start, p));
  }
  writeFileSync(file, Buffer.concat(keep));
}

/**
 * Minifies JavaScript files in place with one esbuild run, without bundling: every module
 * keeps its imports and exports, so entries still share one EdgeflagError class and one wasm
 * instance, and bundlers still see `new URL("./web/edgeflag_bg.wasm", import.meta.url)`.
 */
export function minify(dir, files) {
  const args = ["--yes", ESBUILD, ...files, "--minify", "--log-level=warning", `--outdir=${dir}`,
    "--allow-overwrite", "--out-extension:.js=.js"];
  console.log(`$ npx ${args.join(" ")}`);
  execFileSync("npx", args, { stdio: "inherit", cwd: dir });
}
