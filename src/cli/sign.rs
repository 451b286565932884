//! `edgeflag sign`: signs a payload as a DSSE envelope. Without overrides the file's bytes
//! are signed exactly as they are (there is no canonical JSON: clients parse what was signed);
//! with overrides the payload is parsed, the members replaced in place and the document
//! written back compactly, member order kept.

use crate::args::SignArgs;
use crate::exit::{CliResult, Failure};
use crate::inputs::{read_file, signing_key, Instant};
use crate::output::print_line;
use edgeflag::envelope::sign_payload;
use edgeflag::snapshot::parse_payload;
use edgeflag::unstable::time::{parse_rfc3339, Rfc3339};
use edgeflag::Number;
use edgeflag::{Limits, Value};
use std::path::Path;

/// Signs the payload and prints the envelope JSON.
pub(crate) fn run(args: &SignArgs) -> CliResult {
    // The key first: a wrong --key is a usage error whatever the payload holds.
    let key = signing_key(&args.key)?;
    let bytes = read_file(&args.payload)?;
    let limits = Limits::default();
    let overriding =
        args.version.is_some() || args.issued_at.is_some() || args.expires_in.is_some();
    let payload = if overriding {
        rewrite(&bytes, args, &limits)?
    } else {
        bytes
    };
    // `sign_payload` loads the payload exactly as a client would first: nothing a client
    // would refuse is ever signed.
    let envelope = sign_payload(&payload, &key, &limits)
        .map_err(|e| Failure::refused(args.payload.display(), e))?;
    print_line(&envelope)
}

/// The payload with `version`, `issuedAt` and `expiresAt` replaced as the options say.
fn rewrite(bytes: &[u8], args: &SignArgs, limits: &Limits) -> Result<Vec<u8>, Failure> {
    let file = args.payload.display();
    let mut document = parse_payload(bytes, limits).map_err(|e| Failure::refused(&file, e))?;
    let Value::Object(members) = &mut document else {
        return Err(Failure::refused(file, "the payload must be a JSON object"));
    };
    if let Some(version) = args.version {
        set(members, "version", Value::Number(Number::from_u64(version)));
    }
    let issued_at = match args.issued_at {
        Some(instant) => {
            // Resolved once, so `now` is one instant for issuedAt and expiresAt alike, and
            // to the second: a payload reads better without milliseconds nobody asked for.
            let ms = match instant {
                Instant::Now => {
                    let now = Instant::resolve(None);
                    now.saturating_sub(now.rem_euclid(1_000))
                }
                Instant::At(ms) => ms,
            };
            set(members, "issuedAt", instant_value(ms));
            Some(ms)
        }
        None => None,
    };
    if let Some(duration) = args.expires_in {
        let from = match issued_at {
            Some(ms) => ms,
            None => payload_issued_at(members, &args.payload)?,
        };
        let expires_at = from.checked_add(duration).ok_or_else(|| {
            Failure::usage(
                "--expires-in",
                "issuedAt + DURATION is beyond the year 9999",
            )
        })?;
        set(members, "expiresAt", instant_value(expires_at));
    }
    Ok(document.to_json().into_bytes())
}

/// The payload's own `issuedAt`, which `--expires-in` counts from without `--issued-at`.
fn payload_issued_at(members: &[(Box<str>, Value)], file: &Path) -> Result<i64, Failure> {
    members
        .iter()
        .find(|(k, _)| &**k == "issuedAt")
        .and_then(|(_, v)| v.as_str())
        .and_then(parse_rfc3339)
        .ok_or_else(|| {
            Failure::refused(
                file.display(),
                "issuedAt: missing or not an RFC 3339 instant, and --expires-in counts from it \
                 (give --issued-at)",
            )
        })
}

/// An instant as the RFC 3339 string payloads carry.
fn instant_value(ms: i64) -> Value {
    Value::String(Rfc3339(ms).to_string().into())
}

/// Replaces member `key` where it is, or appends it when the payload lacks it.
fn set(members: &mut Vec<(Box<str>, Value)>, key: &str, value: Value) {
    match members.iter_mut().find(|(k, _)| &**k == key) {
        Some(member) => member.1 = value,
        None => members.push((key.into(), value)),
    }
}
