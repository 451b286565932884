//! The core under WebAssembly, configured as the bindings ship it (edgeflag-wasm: JavaScript's
//! `parseFloat` behind the JSON parser): `wasm-pack test --node src/wasm` and
//! `wasm-pack test --headless --chrome src/wasm` run the same shared vectors as the native
//! suite and must give the same results.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

#[path = "common/json_out.rs"]
mod json_out;
#[path = "common/vectors.rs"]
mod vectors;

use wasm_bindgen_test::wasm_bindgen_test;

/// The bindings' start-up, as instantiating the package's module runs it: JSON numbers with a
/// fraction then go through JavaScript's `parseFloat`, exactly as in the npm package.
fn start() {
    edgeflag_wasm::start();
}

#[wasm_bindgen_test]
fn every_bucketing_vector_matches_native() {
    start();
    let (checked, failures) = vectors::run_bucketing(vectors::BUCKETING);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 300, "only {checked} bucketing vectors");
}

#[wasm_bindgen_test]
fn every_evaluation_vector_matches_native() {
    start();
    let (ran, failures) = vectors::run_evaluation(vectors::EVALUATION);
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The package's companion module (the `regex` feature) also runs the `matches` cases.
    let expected = if cfg!(feature = "regex") { 360 } else { 348 };
    assert!(ran >= expected, "only {ran} evaluation vectors");
}
