//! The one error type of edgeflag: every way a snapshot, an envelope or a trust policy can be
//! refused. Each variant says which check failed; [`Error::code`] gives a stable
//! machine-readable name for bindings (the `code` of a JavaScript `EdgeflagError`).

mod message;

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
    /// The snapshot's `issuedAt` is later than the host's clock, beyond the clock-skew
    /// allowance: a snapshot from the future would outlive its real validity.
    IssuedInFuture {
        /// `issuedAt`, in milliseconds since the Unix epoch.
        issued_at: i64,
        /// The host's clock, in milliseconds since the Unix epoch.
        now: i64,
    },
    /// The snapshot claims a validity (`expiresAt` - `issuedAt`) longer than the policy
    /// allows: such a snapshot would defeat freeze protection for its whole span.
    ValidityTooLong {
        /// `issuedAt`, in milliseconds since the Unix epoch.
        issued_at: i64,
        /// `expiresAt`, in milliseconds since the Unix epoch.
        expires_at: i64,
        /// The longest validity the policy accepts, in milliseconds.
        max_ms: u64,
    },
    /// The snapshot was issued longer ago than the policy's maximum age: the floor a client
    /// without a high-water mark has against replayed old snapshots.
    TooOld {
        /// `issuedAt`, in milliseconds since the Unix epoch.
        issued_at: i64,
        /// The maximum age, in milliseconds.
        max_age_ms: u64,
        /// The host's clock, in milliseconds since the Unix epoch.
        now: i64,
    },
    /// The snapshot's version is below the policy's minimum version.
    BelowMinVersion {
        /// The snapshot's version.
        version: u64,
        /// The lowest version the policy accepts.
        min_version: u64,
    },
    /// Checking every signature of the envelope against every pinned key would take more
    /// attempts than the policy allows: refused before any is tried.
    TooManySignatureAttempts {
        /// Signatures in the envelope.
        signatures: usize,
        /// Keys the policy pins.
        keys: usize,
        /// The most attempts the policy allows.
        limit: usize,
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
            Error::IssuedInFuture { .. } => "ISSUED_IN_FUTURE",
            Error::ValidityTooLong { .. } => "VALIDITY_TOO_LONG",
            Error::TooOld { .. } => "TOO_OLD",
            Error::BelowMinVersion { .. } => "BELOW_MIN_VERSION",
            Error::TooManySignatureAttempts { .. } => "TOO_MANY_SIGNATURE_ATTEMPTS",
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
#[path = "message_tests.rs"]
mod message_tests;
