// Node.js entry (the `import` condition): wasm-pack's `nodejs` build, whose CommonJS glue
// compiles and instantiates the wasm synchronously from the package's file when first loaded.
import { Context, Evaluator, Flag, bucket, setErrorClass } from "./node/edgeflag.cjs";
import { EdgeflagError } from "./error.js";
import { useWasm } from "./client.js";

setErrorClass(EdgeflagError);
// The companion module (`matches`) is read only for a snapshot using it.
useWasm({ Context, Evaluator, regex: () => import("./regex-node.js") });

export { Context, Evaluator, Flag, bucket };
export * from "./api.js";
