// Browser entry: fetches and compiles the wasm next to this file (bundlers see the URL and
// emit the asset). Without WebAssembly (e.g. Safari's Lockdown Mode, a blocked asset) the
// module still loads: clients report status ERROR and serve every default.
import init, { Context, Evaluator, Flag, bucket, setErrorClass } from "./web/edgeflag.js";
import { EdgeflagError } from "./error.js";
import { useWasm, wasmUnavailable } from "./client.js";

// The companion module (`matches`) is a separate chunk, fetched only for a snapshot using it.
useWasm({ Context, Evaluator, regex: () => import("./regex.js") });

try {
  await init({ module_or_path: new URL("./web/edgeflag_bg.wasm", import.meta.url) });
  setErrorClass(EdgeflagError);
} catch (e) {
  wasmUnavailable(e);
}

export { Context, Evaluator, Flag, bucket };
export * from "./api.js";
