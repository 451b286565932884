//! `envelope::verify` on hostile input, in two modes chosen by the first byte:
//!
//! - even: the rest is the envelope, verified as it came (strict JSON, shape, base64,
//!   signatures) with a fixed policy; seeds hold valid envelopes signed by the pinned key, so
//!   mutations also reach the payload stage;
//! - odd: the rest is a *payload*, which this target signs with the pinned key(s) into a valid
//!   envelope, so every input gets past the signature check and exercises payload parsing,
//!   header checks, the high-water mark and compilation. The outcome is checked against
//!   `Snapshot::load` and `sign_payload` (they must agree on what is valid).
//!
//! Bits 1..=5 of the first byte pick the policy (limits, threshold), the high-water mark and
//! the clock.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use common::NOW;
use edgeflag::envelope::{pae, sign_payload, verify, HighWater, SigningKey, TrustPolicy, Verified};
use edgeflag::unstable::base64;
use edgeflag::{Error, Limits, Snapshot, PAYLOAD_TYPE};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

struct Fixture {
    key: SigningKey,
    second: SigningKey,
    /// The fuzz policies: default limits; small limits; a threshold of two keys.
    policies: [TrustPolicy; 3],
}

fn small_limits() -> Limits {
    Limits {
        max_bytes: 2048,
        max_flags: 4,
        max_segments: 2,
        max_rules_per_flag: 3,
        max_conditions_per_rule: 3,
        max_values_per_condition: 4,
        max_string_bytes: 40,
        max_depth: 8,
        max_variants_per_flag: 3,
        max_dependency_depth: 3,
        max_dependency_work: 6,
        ..Limits::default()
    }
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let key = SigningKey::from_seed([1; 32]);
        let second = SigningKey::from_seed([2; 32]);
        let base = || {
            TrustPolicy::builder("production")
                .public_key(key.public_key())
                .owner("shop")
        };
        let policies = [
            base().build().unwrap(),
            base().limits(small_limits()).build().unwrap(),
            base()
                .public_key(second.public_key())
                .threshold(2)
                .build()
                .unwrap(),
        ];
        Fixture {
            key,
            second,
            policies,
        }
    })
}

/// A mark at version 5 (of other bytes than any seed), or none.
fn mark(mode: u8) -> Option<HighWater> {
    (mode & 0b1000 != 0).then_some(HighWater {
        version: 5,
        payload_sha256: [7; 32],
    })
}

fn now(mode: u8) -> i64 {
    [NOW, NOW, 0, i64::MAX][usize::from((mode >> 4) & 3)]
}

fn policy(mode: u8) -> &'static TrustPolicy {
    &fixture().policies[usize::from((mode >> 1) & 3) % 3]
}

/// Checks what `verify` says about an envelope whose payload (if known) is `payload`.
fn check(result: &Result<Verified, Error>, mark: Option<&HighWater>, payload: Option<&[u8]>) {
    match result {
        Ok(Verified::Accepted { snapshot, identity }) => {
            assert_eq!(identity.version, snapshot.header().version);
            assert_eq!(identity.expires_at, snapshot.header().expires_at);
            if let Some(mark) = mark {
                assert!(identity.version > mark.version);
            }
            if let Some(payload) = payload {
                let digest: [u8; 32] = Sha256::digest(payload).into();
                assert_eq!(identity.payload_sha256, digest);
            }
            common::exercise(snapshot, &[]);
        }
        Ok(Verified::Unchanged(identity)) => {
            let mark = mark.expect("Unchanged without a high-water mark");
            assert_eq!(identity.high_water(), *mark);
        }
        Err(err) => {
            // Every refusal renders and has a code.
            let _ = err.to_string();
            assert!(!err.code().is_empty());
        }
    }
}

fn signed_envelope(payload: &[u8], keys: &[&SigningKey]) -> Vec<u8> {
    let message = pae(PAYLOAD_TYPE, payload);
    let signatures: Vec<String> = keys
        .iter()
        .map(|k| {
            format!(
                r#"{{"keyid":"{}","sig":"{}"}}"#,
                k.keyid(),
                base64::encode(&k.sign(&message))
            )
        })
        .collect();
    format!(
        r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{}","signatures":[{}]}}"#,
        base64::encode(payload),
        signatures.join(",")
    )
    .into_bytes()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let policy = policy(mode);
    let mark = mark(mode);
    let now = now(mode);
    if mode & 1 == 0 {
        let result = verify(rest, policy, mark.as_ref(), now);
        check(&result, mark.as_ref(), None);
        // Pure: the same input gives the same answer.
        let again = verify(rest, policy, mark.as_ref(), now);
        assert_eq!(result.is_ok(), again.is_ok());
        if let (Err(a), Err(b)) = (&result, &again) {
            assert_eq!(a, b);
        }
        return;
    }

    // The fuzzer's bytes are the payload of a validly signed envelope.
    let payload = rest;
    let keys: &[&SigningKey] = if policy.threshold() == 2 {
        &[&f.key, &f.second]
    } else {
        &[&f.key]
    };
    let envelope = signed_envelope(payload, keys);
    let result = verify(&envelope, policy, mark.as_ref(), now);
    check(&result, mark.as_ref(), Some(payload));

    // What verify says agrees with loading the payload directly ...
    let limits = policy.limits();
    let loaded = Snapshot::load(payload, limits);
    match &result {
        Ok(Verified::Accepted { snapshot, .. }) => {
            let loaded = loaded.as_ref().expect("verify accepted what load refuses");
            assert_eq!(loaded.header(), snapshot.header());
            assert_eq!(loaded.len(), snapshot.len());
        }
        Ok(Verified::Unchanged(_)) => {}
        Err(err) => match &loaded {
            // The signature held, so a loadable payload can only fail the checks of the
            // client's configuration and clock (or the envelope cap, base64 being larger).
            Ok(_) => assert!(
                matches!(
                    err,
                    Error::Owner { .. }
                        | Error::Environment { .. }
                        | Error::Expired { .. }
                        | Error::IssuedInFuture { .. }
                        | Error::ValidityTooLong { .. }
                        | Error::Rollback { .. }
                        | Error::VersionConflict { .. }
                        | Error::TooLarge { .. }
                ),
                "load accepted what verify refused with {err:?}"
            ),
            Err(load_err) => {
                // Never a signature problem; otherwise the same check fails first, except
                // that verify checks the header against the policy before compiling.
                assert!(
                    !matches!(
                        err,
                        Error::Signature | Error::Threshold { .. } | Error::Envelope { .. }
                    ),
                    "a valid signature was refused: {err:?}"
                );
                if !matches!(
                    err,
                    Error::Owner { .. }
                        | Error::Environment { .. }
                        | Error::Expired { .. }
                        | Error::IssuedInFuture { .. }
                        | Error::ValidityTooLong { .. }
                        | Error::Rollback { .. }
                        | Error::VersionConflict { .. }
                        | Error::TooLarge { .. }
                ) {
                    assert_eq!(err, load_err);
                }
            }
        },
    }
    // ... and with the signer's own check: it signs exactly what clients can load.
    if policy.threshold() == 1 {
        match sign_payload(payload, &f.key, limits) {
            Ok(text) => {
                assert!(loaded.is_ok(), "sign_payload signed what load refuses");
                assert_eq!(text.as_bytes(), envelope.as_slice());
            }
            Err(Error::TooLarge { .. }) => {}
            Err(err) => {
                assert_eq!(Some(&err), loaded.as_ref().err(), "sign_payload vs load");
            }
        }
    }
});
