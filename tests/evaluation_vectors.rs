//! Runs the shared evaluation vectors (tests/vectors/evaluation.json) natively. The wasm,
//! Node, browser and workerd suites run the same file and must give the same details.
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

#[test]
fn every_evaluation_vector_gives_the_expected_details() {
    let (ran, failures) = vectors::run_evaluation(vectors::EVALUATION);
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let expected = if cfg!(feature = "regex") { 446 } else { 434 };
    assert_eq!(ran, expected, "cases run");
    println!("{ran} evaluation vectors passed");
}
