//! End-to-end tests of the `edgeflag` command: every subcommand through the built binary,
//! with its output and its exit code (0 success, 1 refused or invalid input, 2 usage error,
//! 3 output I/O failure). Each test works in its own temporary directory.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

#[path = "cli/codegen.rs"]
mod codegen;
#[path = "cli/eval.rs"]
mod eval;
#[path = "cli/import.rs"]
mod import;
#[path = "cli/keygen.rs"]
mod keygen;
#[path = "cli/lint_usage.rs"]
mod lint_usage;
#[path = "cli/sample_size.rs"]
mod sample_size;
#[path = "cli/sign_verify.rs"]
mod sign_verify;
#[path = "cli/support.rs"]
mod support;
