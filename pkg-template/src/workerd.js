// Cloudflare Workers / workerd entry: the bundler imports the wasm as a compiled
// WebAssembly.Module (Workers forbid compiling wasm from bytes at run time).
import wasm from "./web/edgeflag_bg.wasm";
import { initSync, setErrorClass } from "./web/edgeflag.js";
import { EdgeflagError } from "./error.js";

initSync({ module: wasm });
setErrorClass(EdgeflagError);

export * from "./api.js";
