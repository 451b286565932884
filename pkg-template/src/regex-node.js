// `edgeflag/regex` in Node.js, and the companion module a client imports when a snapshot uses
// `matches`: wasm-pack's `nodejs` build with the `regex` feature, compiled from the package's
// file when first imported.
import { Context, Evaluator, Flag, bucket, setErrorClass } from "./node-regex/edgeflag.cjs";
import { EdgeflagError } from "./error.js";

setErrorClass(EdgeflagError);

export { Context, Evaluator, Flag, bucket };
