// Size steps of the package assembly (used by assemble.mjs): the nightly build-std settings,
// stripping debugging sections from the wasm, short binding names, and minifying the JavaScript.
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

/**
 * Gives the glue's wasm imports and the exports it calls one- or two-letter names, in the wasm
 * and in the glue alike. wasm-bindgen names imports `__wbg_<name>_<16 hex digits>` and helpers
 * `__wbindgen_export3`: about 5 KB of names, the hashes incompressible, written twice. Imports
 * are renamed where the glue defines them (`import0`'s keys), exports where it calls them
 * (`wasm.<name>`); `memory` keeps its name. The smoke tests in assemble.mjs run on the result.
 */
export function shortenBindingNames(wasmFile, jsFile) {
  const b = readFileSync(wasmFile);
  let js = readFileSync(jsFile, "utf8");
  const called = new Set([...js.matchAll(/\bwasm\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]));
  called.delete("memory");
  const defined = new Set([...js.matchAll(/^\s*([A-Za-z_$][\w$]*): function\b/gm)].map((m) => m[1]));
  const renames = new Map();
  const short = (i) => {
    const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    return i < 52 ? letters[i] : letters[Math.floor(i / 52) - 1] + letters[i % 52];
  };
  const rename = (name) => {
    if (!renames.has(name)) renames.set(name, short(renames.size));
    return renames.get(name);
  };

  let p = 0;
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
  const encodeLeb = (n) => {
    const out = [];
    do {
      let x = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) x |= 0x80;
      out.push(x);
    } while (n > 0);
    return Buffer.from(out);
  };
  const str = () => {
    const n = leb();
    const s = b.subarray(p, p + n).toString();
    p += n;
    return s;
  };
  const encodeStr = (s) => Buffer.concat([encodeLeb(Buffer.byteLength(s)), Buffer.from(s)]);
  const limits = () => {
    const flags = b[p++];
    leb();
    if (flags & 1) leb();
  };

  const parts = [b.subarray(0, 8)];
  p = 8;
  while (p < b.length) {
    const start = p;
    const id = b[p++];
    const len = leb();
    const body = p;
    const end = body + len;
    if (id !== 2 && id !== 7) {
      parts.push(b.subarray(start, end));
      p = end;
      continue;
    }
    const entries = [];
    const count = leb();
    for (let i = 0; i < count; i++) {
      if (id === 2) {
        const module = str();
        const field = str();
        const descStart = p;
        const kind = b[p++];
        if (kind === 0) leb();
        else if (kind === 1) { p++; limits(); }
        else if (kind === 2) limits();
        else if (kind === 3) p += 2;
        else if (kind === 4) { p++; leb(); }
        else throw new Error(`import ${module}.${field}: unknown kind ${kind}`);
        const desc = b.subarray(descStart, p);
        const name = module === "./edgeflag_bg.js" && defined.has(field) ? rename(field) : field;
        entries.push(Buffer.concat([encodeStr(module), encodeStr(name), desc]));
      } else {
        const field = str();
        const descStart = p;
        p++;
        leb();
        const desc = b.subarray(descStart, p);
        entries.push(Buffer.concat([encodeStr(called.has(field) ? rename(field) : field), desc]));
      }
    }
    if (p !== end) throw new Error(`section ${id}: parsed ${p - body} of ${len} bytes`);
    const content = Buffer.concat([encodeLeb(count), ...entries]);
    parts.push(Buffer.from([id]), encodeLeb(content.length), content);
  }
  for (const [from, to] of renames) {
    if (called.has(from)) js = js.replace(new RegExp(`\\bwasm\\.${from.replace(/\$/g, "\\$")}\\b`, "g"), `wasm.${to}`);
    if (defined.has(from)) js = js.replace(new RegExp(`^(\\s*)${from.replace(/\$/g, "\\$")}: function\\b`, "gm"), `$1${to}: function`);
  }
  writeFileSync(wasmFile, Buffer.concat(parts));
  writeFileSync(jsFile, js);
  return renames.size;
}
