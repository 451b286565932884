// What every entry point exports, once it has initialised the wasm module for its runtime.
export { Context, Evaluator, Flag, bucket } from "./web/edgeflag.js";
export { EdgeflagError } from "./error.js";
export { EdgeflagClient, createClient } from "./client.js";
