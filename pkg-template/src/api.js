// What every entry point exports besides the wasm-bindgen classes of its runtime's build.
export { EdgeflagError } from "./error.js";
export { EdgeflagClient, createClient } from "./client.js";
