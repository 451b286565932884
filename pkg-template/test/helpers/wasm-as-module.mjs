// A module loader hook that imports `.wasm` files as compiled WebAssembly.Modules, the way
// wrangler bundles them for workerd (its CompiledWasm rule): lets Node.js run the workerd entry.
import { register } from "node:module";

if (!process.env.EDGEFLAG_HOOK_LOADED) {
  process.env.EDGEFLAG_HOOK_LOADED = "1";
  register(import.meta.url, import.meta.url);
}

export async function load(url, context, next) {
  if (!url.endsWith(".wasm")) return next(url, context);
  const source = `import { readFileSync } from "node:fs";
    export default new WebAssembly.Module(readFileSync(new URL(${JSON.stringify(url)})));`;
  return { format: "module", shortCircuit: true, source };
}
