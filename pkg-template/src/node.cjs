"use strict";
// CommonJS entry. The package is ES modules, which Node.js >= 20.19 and >= 22.12 can require():
// `require("edgeflag")` and `import "edgeflag"` then share one module and one wasm instance.
try {
  module.exports = require("./node.js");
} catch (e) {
  if (e && e.code === "ERR_REQUIRE_ESM") {
    e.message = `edgeflag: require() needs Node.js >= 20.19 or >= 22.12; use import instead (${e.message})`;
  }
  throw e;
}
