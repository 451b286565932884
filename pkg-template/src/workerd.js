// Cloudflare Workers / workerd entry: the bundler imports the wasm as a compiled
// WebAssembly.Module (Workers forbid compiling wasm from bytes at run time).
import wasm from "./web/edgeflag_bg.wasm";
import { Context, Evaluator, Flag, bucket, initSync, setErrorClass } from "./web/edgeflag.js";
import { EdgeflagError } from "./error.js";
import { useWasm } from "./client.js";

initSync({ module: wasm });
setErrorClass(EdgeflagError);
// The companion module (`matches`): bundled too, instantiated only for a snapshot using it.
useWasm({ Context, Evaluator, regex: () => import("./regex-workerd.js") });

export { Context, Evaluator, Flag, bucket };
export * from "./api.js";
