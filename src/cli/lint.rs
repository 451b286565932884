//! `edgeflag lint`: loads a payload like a client would (a load error is an error) and lists
//! the library's warnings, compiler style, so editors and CI logs can pick them up.

use crate::args::LintArgs;
use crate::exit::{CliResult, Exit, Failure};
use crate::inputs::{read_file, Instant};
use crate::output::stdout_failed;
use edgeflag::lint::lint;
use edgeflag::{Limits, Snapshot};
use std::io::{self, Write};

/// Prints `warning: <path>: <message>` lines and a count; exit 1 on a load error, or on
/// warnings with `--deny-warnings`.
pub(crate) fn run(args: &LintArgs) -> CliResult {
    let now = Instant::resolve(args.now);
    let bytes = read_file(&args.payload)?;
    let snapshot = Snapshot::load(&bytes, &Limits::default()).map_err(|e| {
        Failure::bare(
            Exit::Refused,
            format!("error: {}: {e}", args.payload.display()),
        )
    })?;
    let warnings = lint(&snapshot, now);
    let mut out = io::stdout().lock();
    let mut write = || -> io::Result<()> {
        for warning in &warnings {
            writeln!(out, "warning: {warning}")?;
        }
        let plural = if warnings.len() == 1 { "" } else { "s" };
        writeln!(out, "{} warning{plural}", warnings.len())?;
        out.flush()
    };
    write().map_err(|e| stdout_failed(&e))?;
    if args.deny_warnings && !warnings.is_empty() {
        // The warnings above already say why; an extra line would only repeat them.
        return Err(Failure::bare(Exit::Refused, ""));
    }
    Ok(())
}
