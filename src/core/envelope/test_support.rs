//! Fixtures for the pipeline tests: envelopes built by hand with dalek signing keys, so that
//! each test can break exactly one thing.

use super::{base64, pae, PublicKey, TrustPolicy, Verified};
use crate::{Error, PAYLOAD_TYPE};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use ed25519_dalek::{Signer, SigningKey};

/// 2026-11-22T00:00:00Z: between the fixtures' `issuedAt` and `expiresAt`.
pub(super) const NOW: i64 = 1_795_305_600_000;
/// The fixtures' `expiresAt`, 2026-11-28T10:00:00Z.
pub(super) const EXPIRES: i64 = 1_795_860_000_000;

pub(super) fn signer(n: u8) -> SigningKey {
    SigningKey::from_bytes(&[n; 32])
}

pub(super) fn pinned(n: u8) -> PublicKey {
    PublicKey::from_bytes(&signer(n).verifying_key().to_bytes()).unwrap()
}

pub(super) fn payload_with(owner: &str, environment: &str, version: u64) -> Vec<u8> {
    format!(
        r#"{{"schema":"edgeflag/v1","owner":"{owner}","environment":"{environment}",
        "version":{version},"issuedAt":"2026-11-21T10:00:00Z","expiresAt":"2026-11-28T10:00:00Z",
        "flags":{{"f":{{"type":"boolean","enabled":true,"variants":{{"on":true,"off":false}},
        "offVariant":"off"}}}}}}"#
    )
    .into_bytes()
}

pub(super) fn payload() -> Vec<u8> {
    payload_with("shop", "production", 5)
}

/// A signature entry: its `keyid` hint (if any) and its raw bytes.
pub(super) type Entry = (Option<String>, Vec<u8>);

pub(super) fn sig(key: &SigningKey, payload: &[u8]) -> Entry {
    let hint = pinned_of(key).keyid();
    (
        Some(hint),
        key.sign(&pae(PAYLOAD_TYPE, payload)).to_bytes().to_vec(),
    )
}

pub(super) fn pinned_of(key: &SigningKey) -> PublicKey {
    PublicKey::from_bytes(&key.verifying_key().to_bytes()).unwrap()
}

pub(super) fn envelope_of(payload_type: &str, payload: &[u8], signatures: &[Entry]) -> Vec<u8> {
    let entries: Vec<String> = signatures
        .iter()
        .map(|(hint, bytes)| match hint {
            Some(hint) => format!(r#"{{"keyid":"{hint}","sig":"{}"}}"#, base64::encode(bytes)),
            None => format!(r#"{{"sig":"{}"}}"#, base64::encode(bytes)),
        })
        .collect();
    format!(
        r#"{{"payloadType":"{payload_type}","payload":"{}","signatures":[{}]}}"#,
        base64::encode(payload),
        entries.join(",")
    )
    .into_bytes()
}

pub(super) fn signed_by(keys: &[u8]) -> Vec<u8> {
    let p = payload();
    let entries: Vec<Entry> = keys.iter().map(|&n| sig(&signer(n), &p)).collect();
    envelope_of(PAYLOAD_TYPE, &p, &entries)
}

pub(super) fn policy(keys: &[u8], threshold: usize) -> TrustPolicy {
    keys.iter()
        .fold(TrustPolicy::builder("production"), |b, &n| {
            b.public_key(pinned(n))
        })
        .threshold(threshold)
        .owner("shop")
        .build()
        .unwrap()
}

pub(super) fn accepted(result: Result<Verified, Error>) -> super::Identity {
    match result {
        Ok(Verified::Accepted { identity, snapshot }) => {
            assert_eq!(snapshot.header().version, identity.version);
            identity
        }
        other => panic!("expected an accepted snapshot, got {other:?}"),
    }
}

pub(super) fn flip_bit(bytes: &mut [u8], bit: usize) {
    bytes[bit / 8] ^= 1 << (bit % 8);
}
