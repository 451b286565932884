// `edgeflag/regex`: the same classes as `edgeflag`, from the build with the `matches` operator
// (a second wasm module with the regular-expression engine). Clients made with createClient()
// switch to it by themselves when a snapshot uses `matches`; import it directly to use an
// Evaluator that loads such snapshots from the start (the edge worker does).
export { Context, bucket } from "./index.js";
export { Evaluator, Flag } from "./evaluator.js";
