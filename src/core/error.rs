//! The one error type of edgeflag: every way a snapshot, an envelope or a trust policy can be
//! refused. Each variant says which check failed; [`Error::code`] gives a stable
//! machine-readable name for bindings (the `code` of a JavaScript `EdgeflagError`).

use crate::text::Msg;
use alloc::string::String;
use core::fmt;

/// Why an envelope, a payload or a configuration was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Input larger than a configured limit, refused before it was parsed.
    TooLarge {
        /// What was too large (`"envelope"`, `"payload"`, `"context"`).
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// The size that was offered.
        actual: usize,
    },
    /// Not JSON, or JSON that breaks the strict rules (duplicate keys, nesting, string size).
    Json {
        /// Where in the document the parser was (`flags.x.rules[0]`).
        path: String,
        /// 1-based line of the offending byte.
        line: u32,
        /// 1-based column (in bytes) of the offending byte.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// Well-formed JSON that is not a valid snapshot payload: where, and what is wrong.
    Invalid {
        /// The path of the offending value, e.g. `flags.new-checkout.rules[2].conditions[0].op`.
        path: String,
        /// What is wrong, e.g. `unknown operator "startswith"`.
        message: String,
    },
    /// The payload's `schema` is not one this build understands.
    Schema {
        /// The `schema` found in the payload.
        found: String,
    },
    /// The DSSE envelope is malformed (not the envelope shape, bad base64, bad signature length).
    Envelope {
        /// The envelope field at fault, e.g. `signatures[0].sig`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The envelope's `payloadType` is not the edgeflag snapshot type.
    PayloadType {
        /// The type found.
        found: String,
    },
    /// No signature verified against any pinned key.
    Signature,
    /// Fewer distinct pinned keys signed than the policy requires.
    Threshold {
        /// Distinct keys required.
        required: usize,
        /// Distinct pinned keys whose signature verified.
        verified: usize,
    },
    /// The snapshot belongs to another owner.
    Owner {
        /// The owner the client is configured for.
        expected: String,
        /// The owner named by the snapshot.
        found: String,
    },
    /// The snapshot belongs to another environment.
    Environment {
        /// The environment the client is configured for.
        expected: String,
        /// The environment named by the snapshot.
        found: String,
    },
    /// The snapshot expired (beyond the clock-skew allowance).
    Expired {
        /// `expiresAt`, in milliseconds since the Unix epoch.
        expires_at: i64,
        /// The host's clock, in milliseconds since the Unix epoch.
        now: i64,
    },
    /// The snapshot is older than one the client already accepted (a rollback).
    Rollback {
        /// The snapshot's version.
        version: u64,
        /// The highest version accepted so far.
        high_water: u64,
    },
    /// Same version as the one accepted, but different bytes: one of them is not genuine.
    VersionConflict {
        /// The version both claim.
        version: u64,
    },
    /// A context that cannot be evaluated (not an object, over a limit, malformed).
    InvalidContext {
        /// What is wrong.
        message: String,
    },
    /// A trust policy or key that cannot be used (malformed, weak, impossible threshold).
    Policy {
        /// What is wrong with the configuration.
        message: String,
    },
}

impl Error {
    /// A stable, machine-readable name of the check that failed.
    pub fn code(&self) -> &'static str {
        match self {
            Error::TooLarge { .. } => "TOO_LARGE",
            Error::Json { .. } => "INVALID_JSON",
            Error::Invalid { .. } => "INVALID_SNAPSHOT",
            Error::Schema { .. } => "UNSUPPORTED_SCHEMA",
            Error::Envelope { .. } => "INVALID_ENVELOPE",
            Error::PayloadType { .. } => "WRONG_PAYLOAD_TYPE",
            Error::Signature => "BAD_SIGNATURE",
            Error::Threshold { .. } => "THRESHOLD_NOT_MET",
            Error::Owner { .. } => "WRONG_OWNER",
            Error::Environment { .. } => "WRONG_ENVIRONMENT",
            Error::Expired { .. } => "EXPIRED",
            Error::Rollback { .. } => "ROLLBACK",
            Error::VersionConflict { .. } => "VERSION_CONFLICT",
            Error::InvalidContext { .. } => "INVALID_CONTEXT",
            Error::Policy { .. } => "INVALID_POLICY",
        }
    }

    /// Shorthand for [`Error::Invalid`].
    pub(crate) fn invalid(path: String, message: impl Into<String>) -> Self {
        Error::Invalid {
            path,
            message: message.into(),
        }
    }
}

impl Error {
    /// The human-readable description, the same text as `Display` writes. Bindings use this
    /// rather than `to_string()` so that the wasm build links no `core::fmt` (see
    /// `crate::text`).
    pub fn message(&self) -> String {
        match self {
            Error::TooLarge {
                what,
                limit,
                actual,
            } => Msg::new(what)
                .text(" is ")
                .num(*actual)
                .text(" bytes, over the limit of ")
                .num(*limit)
                .finish(),
            Error::Json {
                path,
                line,
                column,
                message,
            } => Msg::new(path)
                .text(": ")
                .text(message)
                .text(" (line ")
                .num(*line)
                .text(", column ")
                .num(*column)
                .text(")")
                .finish(),
            Error::Invalid { path, message } => Msg::new(path).text(": ").text(message).finish(),
            Error::Schema { found } => Msg::new("schema: unsupported schema ")
                .escaped(found)
                .text(" (this build reads \"edgeflag/v1\")")
                .finish(),
            Error::Envelope { path, message } => Msg::new("envelope ")
                .text(path)
                .text(": ")
                .text(message)
                .finish(),
            Error::PayloadType { found } => Msg::new("envelope payloadType: expected ")
                .quoted(crate::PAYLOAD_TYPE)
                .text(", found ")
                .escaped(found)
                .finish(),
            Error::Signature => "signature: no signature verifies with a pinned key".into(),
            Error::Threshold { required, verified } => Msg::new("threshold: ")
                .num(*verified)
                .text(" distinct pinned key(s) signed, ")
                .num(*required)
                .text(" required")
                .finish(),
            Error::Owner { expected, found } => Msg::new("owner: snapshot is for ")
                .escaped(found)
                .text(", expected ")
                .escaped(expected)
                .finish(),
            Error::Environment { expected, found } => Msg::new("environment: snapshot is for ")
                .escaped(found)
                .text(", expected ")
                .escaped(expected)
                .finish(),
            Error::Expired { expires_at, now } => Msg::new("expiry: snapshot expired at ")
                .instant(*expires_at)
                .text(" (now ")
                .instant(*now)
                .text(")")
                .finish(),
            Error::Rollback {
                version,
                high_water,
            } => Msg::new("version: ")
                .num(*version)
                .text(" is older than the accepted version ")
                .num(*high_water)
                .text(" (rollback refused)")
                .finish(),
            Error::VersionConflict { version } => Msg::new("version: ")
                .num(*version)
                .text(" was already accepted with different content")
                .finish(),
            Error::InvalidContext { message } => Msg::new("context: ").text(message).finish(),
            Error::Policy { message } => Msg::new("trust policy: ").text(message).finish(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
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
}
