//! Reading what the command line names: files, keys, trust policies, instants and durations.
//! The library reads no clock; this is where the system clock comes in.

use crate::exit::{Exit, Failure};
use edgeflag::envelope::{PublicKey, SigningKey, TrustPolicy};
use edgeflag::unstable::time::parse_rfc3339;
use edgeflag::Error;
use std::fs;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

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

/// The system clock in ms since the Unix epoch (negative before 1970, saturating far away).
fn system_now_ms() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
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

/// clap value parser: a positive duration such as `7d`, `12h`, `30m`, `45s` or `1d12h30m`,
/// in milliseconds. Units may come in any order and repeat (they add up); `w` is a week.
pub(crate) fn parse_duration_ms(text: &str) -> Result<i64, String> {
    const HINT: &str = "expected a duration such as 7d, 12h, 30m, 45s or 1d12h";
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit: i64 = match c {
            'w' => 7 * 86_400_000,
            'd' => 86_400_000,
            'h' => 3_600_000,
            'm' => 60_000,
            's' => 1_000,
            _ => return Err(format!("unknown unit {c:?}; {HINT}")),
        };
        let count: i64 = digits
            .parse()
            .map_err(|_| format!("a number must precede {c:?}; {HINT}"))?;
        digits.clear();
        total = count
            .checked_mul(unit)
            .and_then(|ms| total.checked_add(ms))
            .ok_or_else(|| "duration is too long".to_owned())?;
    }
    if !digits.is_empty() {
        return Err(format!("{digits:?} has no unit; {HINT}"));
    }
    if total <= 0 {
        return Err(format!("the duration must be positive; {HINT}"));
    }
    Ok(total)
}

/// The bytes of a file named on the command line.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    fs::read(path).map_err(|e| Failure::unreadable(path, &e))
}

/// The signing key in a PKCS#8 PEM file; anything wrong with it is a usage error (exit 2).
/// The file's text is wiped from memory once the key is decoded.
pub(crate) fn signing_key(path: &Path) -> Result<SigningKey, Failure> {
    let bytes = Zeroizing::new(read_file(path)?);
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Failure::usage(path.display(), "not a PEM file (not UTF-8 text)"))?;
    SigningKey::from_pkcs8_pem(text).map_err(|e| Failure::usage(path.display(), policy_reason(e)))
}

/// A fresh signing key seeded from the operating system's random source (the library reads no
/// randomness; the command does). The seed is wiped after use.
pub(crate) fn fresh_signing_key() -> Result<SigningKey, Failure> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut()).map_err(|e| {
        Failure::new(
            Exit::Io,
            format!("cannot read the operating system's random source: {e}"),
        )
    })?;
    Ok(SigningKey::from_seed(*seed))
}

/// The reason in a key or policy error, without the library's `trust policy: ` prefix,
/// which would mislead next to a signing key and repeats the option name next to `--trust`.
fn policy_reason(err: Error) -> String {
    match err {
        Error::Policy { message } => message,
        other => other.to_string(),
    }
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

/// Builds the client's trust policy; a policy the library refuses (a duplicate key, an
/// impossible threshold) is a usage error, like a malformed key.
pub(crate) fn trust_policy(options: &TrustOptions<'_>) -> Result<TrustPolicy, Failure> {
    let mut builder = TrustPolicy::builder(options.environment).threshold(options.threshold);
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
