//! Writing results to stdout. A write that fails (a full disk, a closed pipe) is exit 3, so a
//! script never mistakes truncated output for a complete answer.

use crate::exit::Failure;
use std::io::{self, Write};

/// Writes `text` and a newline to stdout and flushes it.
pub fn print_line(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| stdout_failed(&e))
}

/// The failure for a write to stdout that did not go through.
pub fn stdout_failed(err: &io::Error) -> Failure {
    Failure::write("stdout", err)
}
