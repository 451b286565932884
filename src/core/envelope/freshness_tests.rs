//! The freshness checks and the work bound: an `issuedAt` in the future, a validity longer
//! than the policy's maximum, a snapshot older than the maximum age, a version below the
//! policy's floor, and an envelope whose signatures would cost too many verification attempts.
//! Each refusal names its check; each bound is accepted exactly at the limit.

use super::test_support::{envelope_of, pinned, sig, signer};
use super::{verify, TrustPolicy, TrustPolicyBuilder};
use crate::{Error, PAYLOAD_TYPE};
use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// 2026-11-21T10:00:00Z.
const T0: i64 = 1_795_255_200_000;

/// A payload of shop/production, version 5, issued at `issued` and valid for `validity` ms.
fn payload_at(issued: i64, validity: i64, version: u64) -> Vec<u8> {
    use crate::time::Rfc3339;
    format!(
        r#"{{"schema":"edgeflag/v1","owner":"shop","environment":"production","version":{version},
        "issuedAt":"{}","expiresAt":"{}","flags":{{}}}}"#,
        Rfc3339(issued),
        Rfc3339(issued + validity)
    )
    .into_bytes()
}

fn signed(payload: &[u8]) -> Vec<u8> {
    envelope_of(PAYLOAD_TYPE, payload, &[sig(&signer(1), payload)])
}

fn base() -> TrustPolicyBuilder {
    TrustPolicy::builder("production")
        .public_key(pinned(1))
        .owner("shop")
}

fn code(result: Result<super::Verified, Error>) -> &'static str {
    match result {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

#[test]
fn an_issued_at_in_the_future_is_refused_beyond_the_skew() {
    let policy = base().build().unwrap();
    let skew = 5 * 60_000;
    let env = signed(&payload_at(T0 + skew, HOUR, 5));
    assert_eq!(
        code(verify(&env, &policy, None, T0)),
        "OK",
        "inside the skew"
    );
    let env = signed(&payload_at(T0 + skew + 1, HOUR, 5));
    let err = verify(&env, &policy, None, T0).unwrap_err();
    assert!(
        matches!(err, Error::IssuedInFuture { now: T0, .. }),
        "{err:?}"
    );
    assert!(err
        .to_string()
        .starts_with("issuedAt: snapshot issued at 2026-11-21T10:05:00.001Z"));
}

#[test]
fn a_validity_longer_than_the_maximum_is_refused_thirty_days_by_default() {
    let policy = base().build().unwrap();
    let env = signed(&payload_at(T0, 30 * DAY, 5));
    assert_eq!(code(verify(&env, &policy, None, T0)), "OK");
    let env = signed(&payload_at(T0, 30 * DAY + 1, 5));
    let err = verify(&env, &policy, None, T0).unwrap_err();
    assert_eq!(err.code(), "VALIDITY_TOO_LONG");
    assert!(
        err.to_string().ends_with("longer than the maximum of 30d"),
        "{err}"
    );
    // The year-9999 snapshot that would defeat freeze protection for good.
    let forever = br#"{"schema":"edgeflag/v1","owner":"shop","environment":"production",
      "version":5,"issuedAt":"2026-11-21T10:00:00Z","expiresAt":"9999-12-31T23:59:59Z","flags":{}}"#;
    assert_eq!(
        code(verify(&signed(forever), &policy, None, T0)),
        "VALIDITY_TOO_LONG"
    );
    let short = base().max_validity_ms(HOUR as u64).build().unwrap();
    let env = signed(&payload_at(T0, HOUR + 1, 5));
    assert_eq!(code(verify(&env, &short, None, T0)), "VALIDITY_TOO_LONG");
}

#[test]
fn a_snapshot_older_than_the_maximum_age_is_refused() {
    let policy = base().max_age_ms(2 * HOUR as u64).build().unwrap();
    let skew = 5 * 60_000;
    let env = signed(&payload_at(T0, DAY, 5));
    assert_eq!(
        code(verify(&env, &policy, None, T0 + 2 * HOUR + skew)),
        "OK"
    );
    let err = verify(&env, &policy, None, T0 + 2 * HOUR + skew + 1).unwrap_err();
    assert!(matches!(err, Error::TooOld { max_age_ms, .. } if max_age_ms == 2 * HOUR as u64));
    assert!(err
        .to_string()
        .starts_with("max age: snapshot issued at 2026-11-21T10:00:00Z is older than 2h"));
    // Without a maximum age, only expiry bounds it.
    let no_limit = base().build().unwrap();
    assert_eq!(code(verify(&env, &no_limit, None, T0 + DAY - 1)), "OK");
}

#[test]
fn a_version_below_the_floor_is_refused_even_without_a_high_water_mark() {
    let policy = base().min_version(6).build().unwrap();
    let env = signed(&payload_at(T0, DAY, 5));
    let err = verify(&env, &policy, None, T0).unwrap_err();
    assert_eq!(
        err,
        Error::BelowMinVersion {
            version: 5,
            min_version: 6
        }
    );
    assert_eq!(err.to_string(), "version: 5 is below the minimum version 6");
    let env = signed(&payload_at(T0, DAY, 6));
    assert_eq!(code(verify(&env, &policy, None, T0)), "OK");
}

#[test]
fn too_many_signature_attempts_are_refused_before_any_signature_is_checked() {
    let keys: Vec<_> = (1..=4).map(pinned).collect();
    let policy = keys
        .iter()
        .fold(TrustPolicy::builder("production"), |b, k| {
            b.public_key(k.clone())
        })
        .owner("shop")
        .build()
        .unwrap();
    let p = payload_at(T0, DAY, 5);
    // 16 signatures x 4 keys = 64 attempts: allowed (the one valid signature is last).
    let mut entries: Vec<_> = (10..25).map(|n| sig(&signer(n), &p)).collect();
    entries.push(sig(&signer(1), &p));
    let env = envelope_of(PAYLOAD_TYPE, &p, &entries);
    assert_eq!(code(verify(&env, &policy, None, T0)), "OK");
    // 17 x 4 = 68: refused with the figures, however valid the signatures are.
    entries.insert(0, sig(&signer(1), &p));
    let env = envelope_of(PAYLOAD_TYPE, &p, &entries);
    let err = verify(&env, &policy, None, T0).unwrap_err();
    assert_eq!(
        err,
        Error::TooManySignatureAttempts {
            signatures: 17,
            keys: 4,
            limit: 64
        }
    );
    let roomy = keys
        .iter()
        .fold(TrustPolicy::builder("production"), |b, k| {
            b.public_key(k.clone())
        })
        .owner("shop")
        .max_signature_attempts(68)
        .build()
        .unwrap();
    assert_eq!(code(verify(&env, &roomy, None, T0)), "OK");
}
