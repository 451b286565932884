//! Tests of the pipeline's other checks (src/core/SECURITY.md cases 6 to 10, envelope part): byte cap,
//! envelope shape, payload type, owner, environment, expiry, high-water mark, unknown fields.

use super::test_support::*;
use super::{verify, HighWater, TrustPolicy, Verified, MAX_SIGNATURES};
use crate::{Error, Limits, PAYLOAD_TYPE};
use alloc::string::String;
use alloc::{format, vec};

#[test]
fn another_environment_or_owner_is_rejected() {
    let p = payload_with("shop", "staging", 5);
    let env = envelope_of(PAYLOAD_TYPE, &p, &[sig(&signer(1), &p)]);
    assert!(matches!(
        verify(&env, &policy(&[1], 1), None, NOW),
        Err(Error::Environment { expected, found }) if expected == "production" && found == "staging"
    ));
    let p = payload_with("billing", "production", 5);
    let env = envelope_of(PAYLOAD_TYPE, &p, &[sig(&signer(1), &p)]);
    assert!(matches!(
        verify(&env, &policy(&[1], 1), None, NOW),
        Err(Error::Owner { expected, found }) if expected == "shop" && found == "billing"
    ));
    // A policy that opts out of the owner check accepts any owner.
    let any_owner = TrustPolicy::builder("production")
        .public_key(pinned(1))
        .any_owner()
        .build()
        .unwrap();
    assert_eq!(
        accepted(verify(&env, &any_owner, None, NOW)).owner,
        "billing"
    );
}

#[test]
fn expiry_is_enforced_with_the_clock_skew_allowance() {
    let env = signed_by(&[1]);
    let policy = policy(&[1], 1);
    let edge = EXPIRES + 300_000;
    accepted(verify(&env, &policy, None, edge));
    assert_eq!(
        verify(&env, &policy, None, edge + 1).unwrap_err(),
        Error::Expired {
            expires_at: EXPIRES,
            now: edge + 1
        }
    );
}

#[test]
fn the_high_water_mark_refuses_rollback_and_conflicts() {
    let env = signed_by(&[1]);
    let policy = policy(&[1], 1);
    let digest = super::digest::sha256(&payload());
    let mark = |version, payload_sha256| HighWater {
        version,
        payload_sha256,
    };
    assert_eq!(
        verify(&env, &policy, Some(&mark(6, digest)), NOW).unwrap_err(),
        Error::Rollback {
            version: 5,
            high_water: 6
        }
    );
    match verify(&env, &policy, Some(&mark(5, digest)), NOW).unwrap() {
        Verified::Unchanged(identity) => assert_eq!(identity.high_water(), mark(5, digest)),
        other => panic!("expected unchanged, got {other:?}"),
    }
    assert_eq!(
        verify(&env, &policy, Some(&mark(5, [0; 32])), NOW).unwrap_err(),
        Error::VersionConflict { version: 5 }
    );
    accepted(verify(&env, &policy, Some(&mark(4, [0; 32])), NOW));
}

#[test]
fn the_byte_cap_comes_before_parsing() {
    let limits = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let policy = TrustPolicy::builder("production")
        .public_key(pinned(1))
        .owner("shop")
        .limits(limits);
    let garbage = vec![b'{'; 101];
    assert_eq!(
        verify(&garbage, &policy.build().unwrap(), None, NOW).unwrap_err(),
        Error::TooLarge {
            what: "envelope",
            limit: 100,
            actual: 101
        }
    );
}

fn envelope_error(envelope: &[u8]) -> (String, String) {
    match verify(envelope, &policy(&[1], 1), None, NOW) {
        Err(Error::Envelope { path, message }) => (path, message),
        other => panic!("expected an envelope error, got {other:?}"),
    }
}

#[test]
fn malformed_envelopes_name_the_field_at_fault() {
    assert_eq!(envelope_error(b"not json").0, "(root)");
    assert_eq!(envelope_error(&[0xff, 0xfe]).0, "(root)");
    let dup = br#"{"payloadType":"a","payloadType":"b","payload":"","signatures":[]}"#;
    assert!(envelope_error(dup).1.contains("duplicate"));
    let p = payload();
    let good = sig(&signer(1), &p);
    let bad_sig =
        String::from_utf8(envelope_of(PAYLOAD_TYPE, &p, core::slice::from_ref(&good))).unwrap();
    let bad_sig = bad_sig.replace(r#""sig":""#, r#""sig":" "#);
    let (path, message) = envelope_error(bad_sig.as_bytes());
    assert_eq!(path, "signatures[0].sig");
    assert!(message.starts_with("not valid base64"), "{message}");
    let bad_payload = format!(
        r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"e3 0","signatures":[{{"sig":"-_+/"}}]}}"#
    );
    assert_eq!(envelope_error(bad_payload.as_bytes()).0, "payload");
    let many = envelope_of(PAYLOAD_TYPE, &p, &vec![good; MAX_SIGNATURES + 1]);
    assert_eq!(envelope_error(&many).0, "signatures");
}

#[test]
fn the_payload_type_is_checked_before_anything_is_decoded() {
    let env = r#"{"payloadType":"text/plain","payload":"!","signatures":[{"sig":"!"}]}"#;
    let err = verify(env.as_bytes(), &policy(&[1], 1), None, NOW).unwrap_err();
    assert_eq!(
        err,
        Error::PayloadType {
            found: "text/plain".into()
        }
    );
}

#[test]
fn an_unsigned_broken_payload_is_never_parsed() {
    let junk = b"{\"schema\": [[[[";
    let env = envelope_of(PAYLOAD_TYPE, junk, &[(None, vec![0; 64])]);
    assert_eq!(
        verify(&env, &policy(&[1], 1), None, NOW).unwrap_err(),
        Error::Signature
    );
    // Signed, the same bytes fail where a payload should: in the payload's JSON.
    let env = envelope_of(PAYLOAD_TYPE, junk, &[sig(&signer(1), junk)]);
    assert!(matches!(
        verify(&env, &policy(&[1], 1), None, NOW),
        Err(Error::Json { .. })
    ));
}

#[test]
fn unknown_fields_are_ignored_and_the_signature_still_holds() {
    let p = payload_with("shop", "production", 5);
    let mut p = String::from_utf8(p).unwrap();
    p.insert_str(1, r#""futureField":{"nested":[1,2]},"#);
    let p = p.into_bytes();
    let env = String::from_utf8(envelope_of(PAYLOAD_TYPE, &p, &[sig(&signer(1), &p)])).unwrap();
    let env = env.replacen('{', r#"{"x-extension":{"a":null},"#, 1);
    let env = env.replace(r#"{"keyid""#, r#"{"note":"ci","keyid""#);
    accepted(verify(env.as_bytes(), &policy(&[1], 1), None, NOW));
}

#[test]
fn hostile_nesting_is_refused_without_overflowing_the_stack() {
    let mut deep = vec![b'['; 10_000];
    deep.extend(vec![b']'; 10_000]);
    assert!(!envelope_error(&deep).1.is_empty());
    let p = [
        b"{\"a\":".as_slice(),
        &vec![b'['; 10_000],
        &vec![b']'; 10_000],
        b"}",
    ]
    .concat();
    let env = envelope_of(PAYLOAD_TYPE, &p, &[sig(&signer(1), &p)]);
    assert!(matches!(
        verify(&env, &policy(&[1], 1), None, NOW),
        Err(Error::Json { .. })
    ));
}

#[test]
fn a_huge_payload_type_is_shortened_in_the_error() {
    let long = "x".repeat(10_000);
    let env = envelope_of(&long, b"{}", &[(None, vec![0; 64])]);
    match verify(&env, &policy(&[1], 1), None, NOW).unwrap_err() {
        Error::PayloadType { found } => assert!(found.len() < 300 && found.ends_with('…')),
        other => panic!("{other:?}"),
    }
}
