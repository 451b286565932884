//! Reading what the command line names: files, signing keys, durations, and the system clock
//! (the library reads no clock and no randomness; the command and the server do).

use crate::exit::{Exit, Failure};
use edgeflag::envelope::SigningKey;
use edgeflag::Error;
use std::fs;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};
use zeroize::Zeroizing;

/// The system clock in ms since the Unix epoch (negative before 1970, saturating far away).
pub fn system_now_ms() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// clap value parser: a positive duration such as `7d`, `12h`, `30m`, `45s` or `1d12h30m`,
/// in milliseconds. Units may come in any order and repeat (they add up); `w` is a week.
pub fn parse_duration_ms(text: &str) -> Result<i64, String> {
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
pub fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    fs::read(path).map_err(|e| Failure::unreadable(path, &e))
}

/// The signing key in a PKCS#8 PEM file; anything wrong with it is a usage error (exit 2).
/// The file's text is wiped from memory once the key is decoded.
pub fn signing_key(path: &Path) -> Result<SigningKey, Failure> {
    let bytes = Zeroizing::new(read_file(path)?);
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Failure::usage(path.display(), "not a PEM file (not UTF-8 text)"))?;
    SigningKey::from_pkcs8_pem(text).map_err(|e| Failure::usage(path.display(), policy_reason(e)))
}

/// A fresh signing key seeded from the operating system's random source (the library reads no
/// randomness; the command does). The seed is wiped after use.
pub fn fresh_signing_key() -> Result<SigningKey, Failure> {
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
pub fn policy_reason(err: Error) -> String {
    match err {
        Error::Policy { message } => message,
        other => other.to_string(),
    }
}
