//! `edgeflag audit verify DIR`: checks the hash chain of `edgeflag serve`'s audit log
//! (`DIR/audit.jsonl`, see `edgeflag_server::audit::chain`) and prints `ok N entries`, or names the
//! first broken entry and exits 1. A torn last line left by a crash is reported on the same
//! line, not counted.

use crate::args::AuditVerifyArgs;
use crate::exit::{CliResult, Failure};
use crate::inputs::read_file;
use crate::output::print_line;
use edgeflag_server::audit::chain::check;

/// Checks the chain and prints the verdict.
pub(crate) fn verify(args: &AuditVerifyArgs) -> CliResult {
    let path = if args.dir.is_dir() {
        args.dir.join("audit.jsonl")
    } else {
        args.dir.clone()
    };
    let bytes = read_file(&path)?;
    let checked = check(&bytes).map_err(|broken| {
        Failure::refused(
            path.display(),
            format!("entry {}: {}", broken.entry, broken.reason),
        )
    })?;
    let mut line = format!("ok {} entries", checked.entries);
    if let Some(torn) = checked.torn {
        line.push_str(&format!(
            " (and a torn last line of {torn} bytes from an interrupted write, not an entry)"
        ));
    }
    print_line(&line)
}
