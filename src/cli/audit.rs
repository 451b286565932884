//! `edgeflag audit verify`: checks the hash chain of `edgeflag serve`'s audit trail (see
//! `edgeflag_server::audit::chain`) and prints `ok N entries`, or names the first broken entry
//! and exits 1. The trail is read from the store (`--database URL`, or DIR/edgeflag.db), from
//! an older server's DIR/audit.jsonl, or from a JSON Lines export. A torn last line left by a
//! crash is reported on the same line, not counted.

use crate::args::AuditVerifyArgs;
use crate::exit::{CliResult, Failure};
use crate::inputs::read_file;
use crate::output::print_line;
use edgeflag_server::audit::chain::check;

/// Checks the chain and prints the verdict.
pub(crate) fn verify(args: &AuditVerifyArgs) -> CliResult {
    let (bytes, name) = match (&args.database, &args.dir) {
        (Some(url), _) => (from_store(Some(url), None)?, url.clone()),
        (None, Some(dir)) if dir.join("edgeflag.db").is_file() => (
            from_store(None, Some(dir))?,
            dir.join("edgeflag.db").display().to_string(),
        ),
        (None, Some(dir)) => {
            let path = if dir.is_dir() {
                dir.join("audit.jsonl")
            } else {
                dir.clone()
            };
            (read_file(&path)?, path.display().to_string())
        }
        (None, None) => {
            return Err(Failure::usage(
                "audit verify",
                "name a DIR, a FILE or --database URL",
            ))
        }
    };
    let checked = check(&bytes).map_err(|broken| {
        Failure::refused(name, format!("entry {}: {}", broken.entry, broken.reason))
    })?;
    let mut line = format!("ok {} entries", checked.entries);
    if let Some(torn) = checked.torn {
        line.push_str(&format!(
            " (and a torn last line of {torn} bytes from an interrupted write, not an entry)"
        ));
    }
    print_line(&line)
}

/// The store's audit lines as JSON Lines.
fn from_store(database: Option<&str>, state: Option<&std::path::Path>) -> Result<Vec<u8>, Failure> {
    let lines = edgeflag_server::audit_lines(database, state)?;
    let mut bytes = Vec::new();
    for line in lines {
        bytes.extend_from_slice(line.as_bytes());
        bytes.push(b'\n');
    }
    Ok(bytes)
}
