//! Fixtures for the sync tests: real envelopes signed with the `sign` feature, a policy that
//! pins their key, and a started machine.

use super::{Outcome, SyncConfig, SyncMachine};
use crate::envelope::{sign_payload, SigningKey, TrustPolicy};
use crate::time::Rfc3339;
use crate::Limits;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// 2026-11-22T00:00:00Z: after the fixtures' `issuedAt`, before their default expiry.
pub(super) const NOW: i64 = 1_795_305_600_000;
/// The fixtures' default `expiresAt`, 2026-11-28T10:00:00Z.
pub(super) const EXPIRES: i64 = 1_795_860_000_000;
/// The policy's clock-skew allowance (the default, five minutes).
pub(super) const SKEW: i64 = 5 * 60 * 1000;
/// The default poll interval.
pub(super) const POLL: i64 = 30_000;

pub(super) fn key(n: u8) -> SigningKey {
    SigningKey::from_seed([n; 32])
}

/// One snapshot payload; `on` picks the flag's default so that two payloads of the same
/// version can differ.
pub(super) fn payload(version: u64, environment: &str, expires_at: i64, on: bool) -> String {
    let variant = if on { "on" } else { "off" };
    format!(
        r#"{{"schema":"edgeflag/v1","owner":"shop","environment":"{environment}",
        "version":{version},"issuedAt":"2026-11-21T10:00:00Z","expiresAt":"{}",
        "flags":{{"f":{{"type":"boolean","enabled":true,"variants":{{"on":true,"off":false}},
        "offVariant":"off","defaultServe":{{"variant":"{variant}"}}}}}}}}"#,
        Rfc3339(expires_at)
    )
}

pub(super) fn sign_with(payload: &str, signer: u8) -> Vec<u8> {
    sign_payload(payload.as_bytes(), &key(signer), &Limits::default())
        .unwrap()
        .into_bytes()
}

/// A valid production envelope of `version`, signed by the pinned key.
pub(super) fn envelope(version: u64) -> Vec<u8> {
    sign_with(&payload(version, "production", EXPIRES, true), 1)
}

/// Same version as [`envelope`], other bytes (and still validly signed).
pub(super) fn other_envelope(version: u64) -> Vec<u8> {
    sign_with(&payload(version, "production", EXPIRES, false), 1)
}

/// A valid envelope that expires at `expires_at`.
pub(super) fn envelope_expiring(version: u64, expires_at: i64) -> Vec<u8> {
    sign_with(&payload(version, "production", expires_at, true), 1)
}

pub(super) fn policy() -> TrustPolicy {
    TrustPolicy::builder("production")
        .public_key(key(1).public_key())
        .owner("shop")
        .build()
        .unwrap()
}

/// A started machine (first poll due at `NOW`) with the given configuration.
pub(super) fn machine_with(config: SyncConfig) -> SyncMachine {
    let mut m = SyncMachine::new(policy(), config).unwrap();
    let _ = m.start(NOW);
    m
}

pub(super) fn machine() -> SyncMachine {
    machine_with(SyncConfig::default())
}

/// A started machine that loaded `envelope(version)` with ETag `"v<version>"` at `NOW`.
pub(super) fn ready(version: u64) -> SyncMachine {
    let mut m = machine();
    let etag = format!("\"v{version}\"");
    let out = m.on_response(200, Some(&etag), &envelope(version), NOW, 0.5);
    assert_eq!(out.status, super::Status::Ready, "{out:?}");
    m
}

/// The version evaluation would use.
pub(super) fn served(m: &SyncMachine) -> Option<u64> {
    m.snapshot().map(|s| s.header().version)
}

/// The error code an outcome reports.
pub(super) fn code(out: &Outcome) -> &'static str {
    out.error.as_ref().map_or("none", |e| e.code())
}
