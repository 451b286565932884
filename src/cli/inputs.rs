//! Reading what the command line names: files, keys, trust policies, instants and durations.
//! The library reads no clock; this is where the system clock comes in.

use crate::exit::{Exit, Failure};
use edgeflag::envelope::{PublicKey, TrustPolicy};
use edgeflag::unstable::time::parse_rfc3339;
use edgeflag::{Limits, LoadMode, Snapshot};
use std::path::Path;

// What the command shares with the server (the server crate owns them).
pub(crate) use edgeflag_server::inputs::{
    fresh_signing_key, parse_duration_ms, policy_reason, read_file, signing_key, system_now_ms,
};

/// An instant given on the command line. `now` stays symbolic until the command resolves it
/// with [`Instant::resolve`], once, after parsing: a value parser has no business reading
/// the clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Instant {
    /// The system clock.
    Now,
    /// A fixed instant, ms since the Unix epoch.
    At(i64),
}

impl Instant {
    /// Milliseconds since the Unix epoch; an absent option means `now`.
    pub(crate) fn resolve(option: Option<Instant>) -> i64 {
        match option {
            Some(Instant::At(ms)) => ms,
            Some(Instant::Now) | None => system_now_ms(),
        }
    }
}

/// clap value parser: `now` or an RFC 3339 instant.
pub(crate) fn parse_instant(text: &str) -> Result<Instant, String> {
    if text == "now" {
        return Ok(Instant::Now);
    }
    parse_rfc3339(text).map(Instant::At).ok_or_else(|| {
        "expected `now` or an RFC 3339 instant such as 2026-11-21T10:00:00Z".to_owned()
    })
}

/// One `--trust` value: `ed25519:<base64>` or a PEM block itself (as pasted from an
/// environment variable), anything else a path to a PEM file.
fn public_key(arg: &str) -> Result<PublicKey, Failure> {
    let inline = arg.trim_start();
    let parsed = if inline.starts_with("ed25519:") || inline.starts_with("-----BEGIN") {
        PublicKey::parse(arg)
    } else {
        let bytes = read_file(Path::new(arg))?;
        let text = String::from_utf8_lossy(&bytes);
        PublicKey::parse(&text)
    };
    // A pasted PEM block spans lines; the error stays on one.
    let label = if inline.starts_with("-----BEGIN") {
        "(PEM block)"
    } else {
        arg
    };
    parsed.map_err(|e| Failure::usage(format_args!("--trust {label}"), policy_reason(e)))
}

/// The trust options of `verify` and `eval`.
pub(crate) struct TrustOptions<'a> {
    /// `--trust` values (already split at commas by clap).
    pub(crate) trust: &'a [String],
    /// `--threshold`.
    pub(crate) threshold: usize,
    /// `--env`.
    pub(crate) environment: &'a str,
    /// `--owner`.
    pub(crate) owner: Option<&'a str>,
    /// `--any-owner`.
    pub(crate) any_owner: bool,
    /// `--min-version`.
    pub(crate) min_version: Option<u64>,
    /// `--max-age`, in ms (positive: the duration parser refuses anything else).
    pub(crate) max_age_ms: Option<i64>,
}

/// The limits clients load under: the defaults, with per-flag degradation
/// ([`LoadMode::Client`]); `sign` and `lint` keep the strict default.
pub(crate) fn client_limits() -> Limits {
    Limits::default().with_mode(LoadMode::Client)
}

/// Writes one line to stderr per degraded flag of `snapshot` (`edgeflag CMD: warning: flag
/// "KEY" cannot be evaluated (it answers the default with PARSE_ERROR): MESSAGE`).
pub(crate) fn warn_degraded(command: &str, snapshot: &Snapshot) {
    for (key, error) in snapshot.degraded_flags() {
        eprintln!(
            "edgeflag {command}: warning: flag \"{key}\" cannot be evaluated (it answers the default with PARSE_ERROR): {}",
            error.message()
        );
    }
}

/// Builds the client's trust policy; a policy the library refuses (a duplicate key, an
/// impossible threshold) is a usage error, like a malformed key.
pub(crate) fn trust_policy(options: &TrustOptions<'_>) -> Result<TrustPolicy, Failure> {
    // `verify` and `eval` answer what a client would: a flag whose definition this build
    // cannot evaluate is degraded (and reported), not a refusal of the snapshot.
    let mut builder = TrustPolicy::builder(options.environment)
        .threshold(options.threshold)
        .limits(client_limits());
    // Empty items come from stray commas (`a,,b`, a trailing comma); they name no key.
    for arg in options.trust.iter().filter(|a| !a.trim().is_empty()) {
        builder = builder.public_key(public_key(arg)?);
    }
    match (options.owner, options.any_owner) {
        (Some(owner), _) => builder = builder.owner(owner),
        (None, true) => builder = builder.any_owner(),
        (None, false) => {
            return Err(Failure::usage(
                "--owner",
                "name the owner whose snapshots to accept (--owner O), or give --any-owner",
            ))
        }
    }
    if let Some(version) = options.min_version {
        builder = builder.min_version(version);
    }
    if let Some(ms) = options.max_age_ms {
        builder = builder.max_age_ms(ms.unsigned_abs());
    }
    // The library's message starts with `trust policy:` and names the key by its position
    // among the --trust values.
    builder
        .build()
        .map_err(|e| Failure::new(Exit::Usage, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_add_up_their_units() {
        assert_eq!(parse_duration_ms("45s"), Ok(45_000));
        assert_eq!(parse_duration_ms("30m"), Ok(1_800_000));
        assert_eq!(parse_duration_ms("1d12h"), Ok(129_600_000));
        assert_eq!(parse_duration_ms("1w"), Ok(604_800_000));
    }

    #[test]
    fn durations_without_units_or_value_are_refused() {
        for bad in [
            "",
            "7",
            "d",
            "7x",
            "0s",
            "-1d",
            "1.5h",
            "99999999999999999999d",
        ] {
            assert!(parse_duration_ms(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn instants_are_now_or_rfc3339() {
        assert_eq!(parse_instant("now"), Ok(Instant::Now));
        assert_eq!(
            parse_instant("1970-01-01T00:00:01Z"),
            Ok(Instant::At(1_000))
        );
        assert!(parse_instant("yesterday").is_err());
    }
}
