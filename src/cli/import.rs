//! `edgeflag import`: an Unleash, GrowthBook or flagd file as an edgeflag payload on stdout.
//!
//! The payload is printed only when the whole import succeeded and the core's strict load
//! (what `sign` and `serve` use) accepts it: never a partial payload. Notes go to stderr, one
//! per line with their JSON path in the vendor file; `--strict` makes a note about something
//! that cannot be expressed exactly an error (exit 1).

use crate::args::ImportArgs;
use crate::exit::{CliResult, Exit, Failure};
use crate::inputs::{read_file, system_now_ms};
use crate::output::print_line;
use edgeflag::unstable::time::Rfc3339;
use edgeflag::{Limits, Snapshot};
use edgeflag_import::{import, Options, Vendor};
use serde_json::Value;

/// How long the placeholder validity lasts: `sign --expires-in` replaces it.
const VALIDITY_MS: i64 = 7 * 24 * 3_600_000;

/// Imports the file and prints the payload.
pub(crate) fn run(args: &ImportArgs) -> CliResult {
    let vendor = Vendor::from_name(&args.from)
        .ok_or_else(|| Failure::usage("--from", "expected unleash, growthbook or flagd"))?;
    // Checked here, as the options they are: the strict load below would refuse them too,
    // but as the file's fault (exit 1).
    let longest = Limits::default().max_string_bytes;
    for (option, value) in [
        ("--owner", &args.owner),
        ("--environment", &args.environment),
    ] {
        if value.is_empty() || value.len() > longest {
            return Err(Failure::usage(
                option,
                format!("expected a non-empty name of at most {longest} bytes"),
            ));
        }
    }
    let bytes = read_file(&args.file)?;
    let file = args.file.display();
    let opts = Options {
        owner: args.owner.clone(),
        environment: args.environment.clone(),
        // Every note is listed first; --strict is applied below.
        strict: false,
    };
    let mut imported = import(vendor, &bytes, &opts).map_err(|e| Failure::refused(&file, e))?;
    for note in &imported.notes {
        eprintln!("note: {note}");
    }
    let lossy = imported.notes.iter().filter(|n| n.lossy).count();
    if args.strict && lossy > 0 {
        return Err(Failure::refused(
            file,
            format!(
                "{lossy} thing(s) cannot be expressed exactly (listed above) and --strict is set"
            ),
        ));
    }
    complete_header(&mut imported.payload, system_now_ms());
    let text = serde_json::to_string_pretty(&imported.payload)
        .map_err(|e| Failure::new(Exit::Refused, format!("{file}: {e}")))?;
    // The check signers make: an importer bug must not reach stdout as a payload that
    // `sign` would refuse.
    Snapshot::load(text.as_bytes(), &Limits::default()).map_err(|e| {
        Failure::refused(
            file,
            format_args!("the imported payload does not load: {e}"),
        )
    })?;
    print_line(&text)
}

/// A loadable header: `version` 1, `issuedAt` now (to the second) and `expiresAt` a week
/// later, where the importer left them out (`sign --version N --issued-at now
/// --expires-in D` sets the real ones).
fn complete_header(payload: &mut Value, now_ms: i64) {
    let Value::Object(m) = payload else { return };
    let issued = now_ms - now_ms.rem_euclid(1_000);
    m.entry("version").or_insert_with(|| 1.into());
    m.entry("issuedAt")
        .or_insert_with(|| Rfc3339(issued).to_string().into());
    m.entry("expiresAt")
        .or_insert_with(|| Rfc3339(issued + VALIDITY_MS).to_string().into());
}
