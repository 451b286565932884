// `edgeflag/regex` in Cloudflare Workers / workerd, and the companion module a client imports
// when a snapshot uses `matches`: the bindings with the `regex` feature, whose wasm the bundler
// imports as a compiled WebAssembly.Module (Workers compile no wasm at run time).
import wasm from "./web-regex/edgeflag_bg.wasm";
import { Context, Evaluator, Flag, bucket, initSync, setErrorClass } from "./web-regex/edgeflag.js";
import { EdgeflagError } from "./error.js";

initSync({ module: wasm });
setErrorClass(EdgeflagError);

export { Context, Evaluator, Flag, bucket };
