// What each part of the browser download costs, gzipped: the wasm by section (code, data, the
// rest) and its code by crate (the edgeflag crate by module), and the JavaScript by chunk and by
// source module. Printed by the size test (a diagnostic) and the size benchmark
// (tests/bench/node/sizes.mjs).
//
// Gzip does not add up per part, so: a section or a chunk is gzipped on its own (exact for a
// chunk, a little high for a section); code by crate and JavaScript by module are pro rata
// shares of their whole (the part's bytes over the whole's, times the whole gzipped). The
// shipped wasm has no names: code is attributed with the function names of wasm-pack's build
// (target/wasm-pack/web, before the shrink steps and wasm-opt), so crate shares are those of the
// unoptimised code.
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { chunks, gz } from "./download.mjs";

const SECTIONS = { 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global", 7: "export", 8: "start",
  9: "element", 10: "code", 11: "data", 12: "datacount", 13: "tag" };

// A reader of a wasm binary's LEB128 integers, names and bytes, from offset `at`.
function reader(bytes, at = 0) {
  const r = {
    at,
    byte: () => bytes[r.at++],
    u32() {
      let v = 0;
      for (let shift = 0; ; shift += 7) {
        const b = bytes[r.at++];
        v += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) return v;
      }
    },
    name() {
      const n = r.u32();
      r.at += n;
      return bytes.subarray(r.at - n, r.at).toString("utf8");
    },
  };
  return r;
}

/** The sections of a wasm binary: `{ id, kind, name?, start, end }` (content from start to end). */
export function sections(bytes) {
  const out = [];
  const r = reader(bytes, 8);
  while (r.at < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const start = r.at;
    const s = { id, kind: SECTIONS[id] ?? "custom", start, end: start + size };
    if (id === 0) s.name = reader(bytes, start).name();
    out.push(s);
    r.at = s.end;
  }
  return out;
}

/** Each defined function's body size, with its name from the name section: `[{ name, bytes }]`. */
export function functions(bytes) {
  const all = sections(bytes);
  let imported = 0;
  const imports = all.find((s) => s.id === 2);
  if (imports) {
    const r = reader(bytes, imports.start);
    for (let n = r.u32(); n > 0; n--) {
      r.name();
      r.name();
      const kind = r.byte();
      if (kind === 0) (imported++, r.u32());
      else if (kind === 1) (r.byte(), limits(r));
      else if (kind === 2) limits(r);
      else if (kind === 3) (r.byte(), r.byte());
      else (r.byte(), r.u32());
    }
  }
  const names = new Map();
  const nameSection = all.find((s) => s.name === "name");
  if (nameSection) {
    const r = reader(bytes, nameSection.start);
    r.name();
    while (r.at < nameSection.end) {
      const id = r.byte();
      const end = r.u32() + r.at;
      if (id === 1) for (let n = r.u32(); n > 0; n--) names.set(r.u32(), r.name());
      r.at = end;
    }
  }
  const code = all.find((s) => s.id === 10);
  const out = [];
  if (!code) return out;
  const r = reader(bytes, code.start);
  for (let n = r.u32(), i = 0; i < n; i++) {
    const size = r.u32();
    out.push({ name: names.get(imported + i) ?? `code[${i}]`, bytes: size });
    r.at += size;
  }
  return out;
}

function limits(r) {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}

/**
 * The crate of a Rust function name as wasm-pack's build names them (`<edgeflag[hash]::a::B>::f`,
 * `core::fmt::write`); the edgeflag crate's by module (`edgeflag::snapshot`). Methods of
 * primitive types (`<char>::to_lowercase`) are core's; other names without a path are the
 * bindings' exports (`evaluator_new`: edgeflag_wasm).
 */
export function crateOf(name) {
  const m = /^[<&*\s]*(?:(?:mut|const|dyn|impl)\s+)*([A-Za-z_]\w*)(?:\[[0-9a-f]+\])?::(?:<[^>]*>::)?([A-Za-z_]\w*)?/.exec(name);
  if (!m) return /^<(?:char|str|bool|[iuf](?:8|16|32|64|128|size)|\[)/.test(name) ? "core" : "edgeflag_wasm";
  return m[1] === "edgeflag" && m[2] ? `edgeflag::${m[2]}` : m[1];
}

/** Rows `[label, bytes, gzipped]` of `shares` (Map label -> bytes), pro rata of `gzTotal`, largest first. */
function proRata(shares, gzTotal) {
  const total = [...shares.values()].reduce((a, b) => a + b, 0) || 1;
  return [...shares].sort((a, b) => b[1] - a[1]).map(([label, bytes]) => [label, bytes, Math.round((bytes * gzTotal) / total)]);
}

/** The wasm's parts: `{ total, sections: rows, crates: rows }`, rows `[label, bytes, gzipped]`. */
export function wasmParts(shipped, named) {
  const all = sections(shipped);
  const part = (kind) => Buffer.concat(all.filter((s) => s.kind === kind).map((s) => shipped.subarray(s.start, s.end)));
  const code = part("code");
  const data = part("data");
  const rest = Buffer.concat(all.filter((s) => s.kind !== "code" && s.kind !== "data").map((s) => shipped.subarray(s.start, s.end)));
  const rows = [["code", code.length, gz(code)], ["data", data.length, gz(data)], ["the rest (types, imports, exports, tables)", rest.length, gz(rest)]];
  const crates = new Map();
  for (const f of named ? functions(named) : []) crates.set(crateOf(f.name), (crates.get(crateOf(f.name)) ?? 0) + f.bytes);
  return { total: gz(shipped), sections: rows, crates: proRata(crates, rows[0][2]) };
}

/** The JavaScript's parts: `{ chunks: rows, modules: rows }` for the eager chunks and each lazy one. */
export async function jsParts(build, pkgDir) {
  const { parts } = await chunks(build, `export * from ${JSON.stringify(join(pkgDir, "index.js"))};`, pkgDir);
  const eager = Buffer.concat(parts.filter((p) => p.eager).map((p) => p.js));
  const rows = [["core entry (eager chunks)", eager.length, gz(eager)]];
  for (const p of parts.filter((q) => !q.eager)) rows.push([`lazy: ${basename(p.entry ?? p.path)}`, p.js.length, gz(p.js)]);
  const modules = new Map();
  for (const p of parts.filter((q) => q.eager)) {
    for (const [input, { bytesInOutput }] of Object.entries(p.inputs)) {
      const label = input.replace(/^.*?pkg\//, "");
      modules.set(label, (modules.get(label) ?? 0) + bytesInOutput);
    }
  }
  return { chunks: rows, modules: proRata(modules, rows[0][2]) };
}

/**
 * The breakdown of the download of the package in `pkgDir`, as lines of text. `named`: the
 * path of a wasm with a name section for code by crate (default: wasm-pack's web build next to
 * pkg/, when there).
 */
export async function breakdown(build, pkgDir, named = join(pkgDir, "..", "target", "wasm-pack", "web", "edgeflag_bg.wasm")) {
  const wasm = wasmParts(readFileSync(join(pkgDir, "web", "edgeflag_bg.wasm")), existsSync(named) ? readFileSync(named) : undefined);
  const js = await jsParts(build, pkgDir);
  const line = ([label, bytes, gzipped], pad = "  ") => `${pad}${String(gzipped).padStart(7)} B gz  ${String(bytes).padStart(7)} B  ${label}`;
  return [
    `wasm: ${wasm.total} B gzipped; by section (each gzipped on its own):`,
    ...wasm.sections.map((r) => line(r)),
    `wasm code by crate (edgeflag by module; pro rata of the code's gzip, shares of wasm-pack's unoptimised build):`,
    ...(wasm.crates.length ? wasm.crates.map((r) => line(r, "    ")) : ["    (no named build: run assemble.mjs with a wasm build)"]),
    "JavaScript by chunk (each gzipped on its own):",
    ...js.chunks.map((r) => line(r)),
    "core entry JavaScript by module (pro rata of its gzip; minified bytes):",
    ...js.modules.map((r) => line(r, "    ")),
  ];
}
