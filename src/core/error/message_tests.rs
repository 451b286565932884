//! Every message, byte for byte as the format strings it replaced wrote it.

use super::*;
use alloc::format;
use alloc::string::ToString;

/// `message` replaced `write!` with these format strings: it must write the same bytes,
/// which tests and clients compare.
#[test]
fn message_writes_what_the_format_strings_wrote() {
    let odd = "a\"b\\c'\n\u{301}\u{200b}é";
    // What `{quoted}` writes, except that quoted strings escape all of non-ASCII
    // (text::push_escaped).
    let quoted = r#""a\"b\\c'\n\u{301}\u{200b}\u{e9}""#;
    let s = || String::from(odd);
    let cases = [
        (
            Error::TooLarge {
                what: "payload",
                limit: 1 << 20,
                actual: usize::MAX,
            },
            format!("payload is {} bytes, over the limit of 1048576", usize::MAX),
        ),
        (
            Error::Json {
                path: s(),
                line: u32::MAX,
                column: 0,
                message: s(),
            },
            format!("{odd}: {odd} (line {}, column 0)", u32::MAX),
        ),
        (
            Error::Invalid {
                path: s(),
                message: s(),
            },
            format!("{odd}: {odd}"),
        ),
        (
            Error::Schema { found: s() },
            format!("schema: unsupported schema {quoted} (this build reads \"edgeflag/v1\")"),
        ),
        (
            Error::Envelope {
                path: s(),
                message: s(),
            },
            format!("envelope {odd}: {odd}"),
        ),
        (
            Error::PayloadType { found: s() },
            format!(
                "envelope payloadType: expected \"{}\", found {quoted}",
                crate::PAYLOAD_TYPE
            ),
        ),
        (
            Error::Signature,
            "signature: no signature verifies with a pinned key".to_string(),
        ),
        (
            Error::Threshold {
                required: 3,
                verified: 0,
            },
            "threshold: 0 distinct pinned key(s) signed, 3 required".to_string(),
        ),
        (
            Error::Owner {
                expected: s(),
                found: "x".into(),
            },
            format!("owner: snapshot is for \"x\", expected {quoted}"),
        ),
        (
            Error::Environment {
                expected: "production".into(),
                found: s(),
            },
            format!("environment: snapshot is for {quoted}, expected \"production\""),
        ),
        (
            Error::Expired {
                expires_at: 1_795_000_000_123,
                now: i64::MIN,
            },
            format!(
                "expiry: snapshot expired at 2026-11-18T11:06:40.123Z (now {} ms since epoch)",
                i64::MIN
            ),
        ),
        (
            Error::IssuedInFuture {
                issued_at: 1_795_000_000_000,
                now: 1_794_000_000_000,
            },
            "issuedAt: snapshot issued at 2026-11-18T11:06:40Z, later than now \
             (2026-11-06T21:20:00Z) beyond the clock-skew allowance"
                .to_string(),
        ),
        (
            Error::ValidityTooLong {
                issued_at: 1_795_000_000_000,
                expires_at: 1_797_592_000_000,
                max_ms: 30 * 86_400_000,
            },
            "validity: snapshot valid from 2026-11-18T11:06:40Z to 2026-12-18T11:06:40Z, \
             longer than the maximum of 30d"
                .to_string(),
        ),
        (
            Error::TooOld {
                issued_at: 1_795_000_000_000,
                max_age_ms: 90 * 60_000 + 1,
                now: 1_795_003_600_000,
            },
            "max age: snapshot issued at 2026-11-18T11:06:40Z is older than 5400001 ms \
             (now 2026-11-18T12:06:40Z)"
                .to_string(),
        ),
        (
            Error::BelowMinVersion {
                version: 41,
                min_version: 42,
            },
            "version: 41 is below the minimum version 42".to_string(),
        ),
        (
            Error::TooManySignatureAttempts {
                signatures: 32,
                keys: 3,
                limit: 64,
            },
            "signatures: 32 signature(s) x 3 pinned key(s) would take over the limit of 64 \
             verification attempts"
                .to_string(),
        ),
        (
            Error::Rollback {
                version: 7,
                high_water: u64::MAX,
            },
            format!(
                "version: 7 is older than the accepted version {} (rollback refused)",
                u64::MAX
            ),
        ),
        (
            Error::VersionConflict { version: 0 },
            "version: 0 was already accepted with different content".to_string(),
        ),
        (
            Error::InvalidContext { message: s() },
            format!("context: {odd}"),
        ),
        (
            Error::Policy { message: s() },
            format!("trust policy: {odd}"),
        ),
    ];
    for (error, expected) in cases {
        assert_eq!(error.message(), expected);
        assert_eq!(error.to_string(), expected);
    }
}
