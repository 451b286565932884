// Node.js entry (the `import` condition): compiles the wasm synchronously from the package's file.
import { readFileSync } from "node:fs";
import { initSync, setErrorClass } from "./web/edgeflag.js";
import { EdgeflagError } from "./error.js";

initSync({ module: readFileSync(new URL("./web/edgeflag_bg.wasm", import.meta.url)) });
setErrorClass(EdgeflagError);

export * from "./api.js";
