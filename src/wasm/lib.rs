//! WebAssembly bindings of the edgeflag core: thin classes over its public API, one small file
//! per class or concern. They convert and delegate; evaluation and the sync decisions live in
//! the core. Errors become JavaScript `EdgeflagError`s with a stable `code`.
//!
//! Built by `pkg-template/assemble.mjs` (wasm-pack, targets `web` and `nodejs`, profile `wasm`)
//! into the npm package, which the edge worker ships too. The JavaScript API is documented in
//! `pkg-template/src/evaluator.d.ts`.

extern crate alloc;

mod clock;
mod context;
mod convert;
mod error;
mod evaluate;
mod evaluator;
mod flag;
mod options;
mod outcome;
mod results;
mod sync;
mod utf8;

pub use context::Context;
pub use error::set_error_class;
pub use evaluator::{bucket, Evaluator};
pub use flag::Flag;

/// The global allocator of the wasm build: talc is about 7 KB (3 KB gzipped) smaller than
/// std's dlmalloc, and as fast. Single-threaded wasm only (no `atomics`).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Runs when the module is instantiated: registers JavaScript's `parseFloat` as the core's
/// float parser (the core's feature `host-float`). It rounds exactly like Rust's parser (both
/// are correctly rounded IEEE 754) and spares the module core's decimal-to-float code and
/// tables (about 14 KB gzipped). Idempotent; tests call it directly.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    edgeflag::set_float_parser(js_sys::parse_float);
}
