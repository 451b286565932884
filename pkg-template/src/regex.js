// `edgeflag/regex` in browsers, and the companion module a client imports when a snapshot uses
// `matches`: the bindings built with the `regex` feature (the regular-expression engine), in
// their own wasm, fetched and compiled here (streaming when served as application/wasm). The
// core download (index.js) does not include it.
import init, { Context, Evaluator, Flag, bucket, setErrorClass } from "./web-regex/edgeflag.js";
import { EdgeflagError } from "./error.js";

await init({ module_or_path: new URL("./web-regex/edgeflag_bg.wasm", import.meta.url) });
setErrorClass(EdgeflagError);

export { Context, Evaluator, Flag, bucket };
