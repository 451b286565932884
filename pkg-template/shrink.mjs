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
  // Function names stay in the module until blankClosureShims has read them (then stripped).
  const args = ["--config", "profile.wasm.strip=false"];
  if (!nightly) {
    if (!stable) console.log("building with stable Rust (smaller with nightly: rustup component add rust-src --toolchain nightly)");
    return { args, env, toolchain: "stable" };
  }
  args.push("-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size");
  // The rebuilt core, alloc and compiler-builtins (memcpy, memcmp, slices) at opt-level 3, as
  // stable ships them: at the crate's "z" they cost evaluation ~20% for 0.6 KB.
  for (const std of ["core", "alloc", "compiler_builtins"]) {
    args.push("--config", `profile.wasm.package.${std}.opt-level=3`);
  }
  env.RUSTUP_TOOLCHAIN = "nightly";
  // Every function may be inlined across crates (MIR inlining), not only small or #[inline]
  // ones: the bindings, the core and the rebuilt std are separate crates, and at crate
  // boundaries LLVM's LTO alone kept duplicate and un-specialised copies. Measured on the
  // split into three crates: -3.7 KB gzipped, and no slower (single flag 247 -> 223 ns,
  // 1,000-flag load 26.3 -> 23.0 ms in the same run).
  env.RUSTFLAGS = `${env.RUSTFLAGS ?? ""} -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zcross-crate-inline-threshold=always`.trim();
  return { args, env, toolchain: "nightly" };
}

/** A reader of a wasm module's bytes `b` from position `p`. */
function reader(b, p) {
  return {
    get p() {
      return p;
    },
    set p(to) {
      p = to;
    },
    byte: () => b[p++],
    /** An unsigned LEB128 number. */
    leb() {
      let r = 0;
      let s = 0;
      let x;
      do {
        x = b[p++];
        r += (x & 0x7f) * 2 ** s;
        s += 7;
      } while (x & 0x80);
      return r;
    },
    /** A length-prefixed UTF-8 name. */
    name() {
      const n = this.leb();
      p += n;
      return b.subarray(p - n, p).toString();
    },
  };
}

/** The sections of the wasm module `b`: `{ id, start, body, end }` (`body`: after the size). */
function* sections(b) {
  const r = reader(b, 8);
  while (r.p < b.length) {
    const start = r.p;
    const id = r.byte();
    const len = r.leb();
    yield { id, start, body: r.p, end: r.p + len };
    r.p += len;
  }
}

/** `n` as an unsigned LEB128 number. */
function encodeLeb(n) {
  const out = [];
  do {
    let x = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) x |= 0x80;
    out.push(x);
  } while (n > 0);
  return Buffer.from(out);
}

/** Function index -> name, from the module's `name` section (empty without one). */
function functionNames(b) {
  const names = new Map();
  for (const { id, body, end } of sections(b)) {
    const r = reader(b, body);
    if (id !== 0 || r.name() !== "name") continue;
    while (r.p < end) {
      const sub = r.byte();
      const len = r.leb();
      const next = r.p + len;
      if (sub === 1) {
        for (let n = r.leb(); n > 0; n--) {
          const index = r.leb();
          names.set(index, r.name());
        }
      }
      r.p = next;
    }
  }
  return names;
}

/**
 * Reads one entry of the import section at `r`: `{ module, field, kind, desc }`, `desc` being
 * the entry's bytes after the two names (kind 0 function, 1 table, 2 memory, 3 global, 4 tag).
 */
function readImport(b, r) {
  const module = r.name();
  const field = r.name();
  const descStart = r.p;
  const kind = r.byte();
  const limits = () => {
    const flags = r.byte();
    r.leb();
    if (flags & 1) r.leb();
  };
  if (kind === 0) r.leb();
  else if (kind === 1) { r.byte(); limits(); }
  else if (kind === 2) limits();
  else if (kind === 3) r.p += 2;
  else if (kind === 4) { r.byte(); r.leb(); }
  else throw new Error(`import ${module}.${field}: unknown kind ${kind}`);
  return { module, field, kind, desc: b.subarray(descStart, r.p) };
}

/** How many functions the module imports (they come first in the function index space). */
function importedFunctions(b) {
  let functions = 0;
  for (const { id, body } of sections(b)) {
    if (id !== 2) continue;
    const r = reader(b, body);
    for (let n = r.leb(); n > 0; n--) if (readImport(b, r).kind === 0) functions++;
  }
  return functions;
}

/** The names of the closure shims js-sys's declarations leave in the function table. */
const CLOSURE_SHIM = /^wasm_bindgen\[[0-9a-f]+\]::convert::closures::|^js_sys\[[0-9a-f]+\]::futures::/;

/**
 * Replaces the bodies of wasm-bindgen's closure shims with `unreachable` when the glue creates
 * no closures. js-sys declares hundreds of imports that take Rust closures (`forEach`, `find`,
 * promise callbacks); each declaration takes the address of a shim that calls the closure, so
 * the shims land in the function table, which wasm-bindgen keeps whole: about 6 KB of code that
 * only a closure handed to JavaScript could reach. edgeflag hands none (the glue would then have
 * closure support, checked here), so no table index of a shim ever leaves the module. Bodies
 * are replaced rather than removed, so no function index changes. Needs the `name` section
 * (rustc's `strip = false`); returns the number of bodies replaced.
 */
export function blankClosureShims(wasmFile, jsFile) {
  const js = readFileSync(jsFile, "utf8");
  if (/closure/i.test(js)) return 0;
  const b = readFileSync(wasmFile);
  const names = functionNames(b);
  const imported = importedFunctions(b);
  const parts = [b.subarray(0, 8)];
  let blanked = 0;
  for (const { id, start, body, end } of sections(b)) {
    if (id !== 10) {
      parts.push(b.subarray(start, end));
      continue;
    }
    const r = reader(b, body);
    const count = r.leb();
    const bodies = [encodeLeb(count)];
    for (let i = 0; i < count; i++) {
      const len = r.leb();
      const from = r.p;
      r.p += len;
      if (CLOSURE_SHIM.test(names.get(imported + i) ?? "")) {
        // No locals; `unreachable`; `end`.
        bodies.push(Buffer.from([3, 0, 0x00, 0x0b]));
        blanked++;
      } else {
        bodies.push(encodeLeb(len), b.subarray(from, r.p));
      }
    }
    if (r.p !== end) throw new Error(`code section: parsed ${r.p - body} of ${end - body} bytes`);
    const content = Buffer.concat(bodies);
    parts.push(Buffer.from([id]), encodeLeb(content.length), content);
  }
  writeFileSync(wasmFile, Buffer.concat(parts));
  return blanked;
}

/**
 * Drops the `name` and `producers` custom sections wasm-bindgen leaves (debugging aids) and
 * rustc's `target_features` (a hint for linkers and optimisers; engines ignore it): 108 bytes
 * gzipped.
 */
export function stripCustomSections(file) {
  const b = readFileSync(file);
  const keep = [b.subarray(0, 8)];
  for (const { id, start, body, end } of sections(b)) {
    const drop = id === 0 && ["name", "producers", "target_features"].includes(reader(b, body).name());
    if (!drop) keep.push(b.subarray(start, end));
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

  const encodeName = (s) => Buffer.concat([encodeLeb(Buffer.byteLength(s)), Buffer.from(s)]);

  const parts = [b.subarray(0, 8)];
  for (const { id, start, body, end } of sections(b)) {
    if (id !== 2 && id !== 7) {
      parts.push(b.subarray(start, end));
      continue;
    }
    const r = reader(b, body);
    const entries = [];
    const count = r.leb();
    for (let i = 0; i < count; i++) {
      if (id === 2) {
        const { module, field, desc } = readImport(b, r);
        const name = module === "./edgeflag_bg.js" && defined.has(field) ? rename(field) : field;
        entries.push(Buffer.concat([encodeName(module), encodeName(name), desc]));
      } else {
        const field = r.name();
        const descStart = r.p;
        r.byte();
        r.leb();
        const desc = b.subarray(descStart, r.p);
        entries.push(Buffer.concat([encodeName(called.has(field) ? rename(field) : field), desc]));
      }
    }
    if (r.p !== end) throw new Error(`section ${id}: parsed ${r.p - body} of ${end - body} bytes`);
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
