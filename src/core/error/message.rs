//! The human-readable text of every [`Error`], written without `core::fmt` (see
//! `crate::text`): `Display` writes exactly this.

use super::Error;
use crate::text::Msg;
use alloc::string::String;

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
            Error::IssuedInFuture { issued_at, now } => Msg::new("issuedAt: snapshot issued at ")
                .instant(*issued_at)
                .text(", later than now (")
                .instant(*now)
                .text(") beyond the clock-skew allowance")
                .finish(),
            Error::ValidityTooLong {
                issued_at,
                expires_at,
                max_ms,
            } => Msg::new("validity: snapshot valid from ")
                .instant(*issued_at)
                .text(" to ")
                .instant(*expires_at)
                .text(", longer than the maximum of ")
                .duration(*max_ms)
                .finish(),
            Error::TooOld {
                issued_at,
                max_age_ms,
                now,
            } => Msg::new("max age: snapshot issued at ")
                .instant(*issued_at)
                .text(" is older than ")
                .duration(*max_age_ms)
                .text(" (now ")
                .instant(*now)
                .text(")")
                .finish(),
            Error::BelowMinVersion {
                version,
                min_version,
            } => Msg::new("version: ")
                .num(*version)
                .text(" is below the minimum version ")
                .num(*min_version)
                .finish(),
            Error::TooManySignatureAttempts {
                signatures,
                keys,
                limit,
            } => Msg::new("signatures: ")
                .num(*signatures)
                .text(" signature(s) x ")
                .num(*keys)
                .text(" pinned key(s) would take over the limit of ")
                .num(*limit)
                .text(" verification attempts")
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
