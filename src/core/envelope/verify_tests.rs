//! Adversarial tests of the signature steps of the pipeline (src/core/SECURITY.md cases 1, 2, 4, 5):
//! tampering, malformed signatures, unpinned keys, keyid hints and thresholds.

use super::test_support::*;
use super::{pae, verify};
use crate::{Error, PAYLOAD_TYPE};
use alloc::string::String;
use alloc::vec::Vec;
use ed25519_dalek::Signer;

#[test]
fn accepts_a_valid_envelope_and_reports_who_signed_what() {
    let identity = accepted(verify(&signed_by(&[1]), &policy(&[1], 1), None, NOW));
    assert_eq!(identity.version, 5);
    assert_eq!(identity.owner, "shop");
    assert_eq!(identity.environment, "production");
    assert_eq!(identity.keyid, pinned(1).keyid());
    assert_eq!(identity.payload_sha256, super::digest::sha256(&payload()));
    assert_eq!(identity.payload_sha256_hex().len(), 64);
    assert_eq!(identity.issued_at, 1_795_255_200_000);
    assert_eq!(identity.expires_at, EXPIRES);
    assert_eq!(identity.high_water().version, 5);
}

#[test]
fn one_flipped_bit_in_payload_or_signature_is_rejected() {
    let p = payload();
    let (hint, good) = sig(&signer(1), &p);
    for bit in [0, 7, 100, p.len() * 8 - 1] {
        let mut tampered = p.clone();
        flip_bit(&mut tampered, bit);
        let env = envelope_of(PAYLOAD_TYPE, &tampered, &[(hint.clone(), good.clone())]);
        assert_eq!(
            verify(&env, &policy(&[1], 1), None, NOW).unwrap_err(),
            Error::Signature
        );
    }
    for bit in [0, 255, 256, 511] {
        let mut tampered = good.clone();
        flip_bit(&mut tampered, bit);
        let env = envelope_of(PAYLOAD_TYPE, &p, &[(hint.clone(), tampered)]);
        assert_eq!(
            verify(&env, &policy(&[1], 1), None, NOW).unwrap_err(),
            Error::Signature
        );
    }
}

#[test]
fn one_flipped_bit_in_payload_type_is_rejected() {
    let p = payload();
    let mut other_type = PAYLOAD_TYPE.as_bytes().to_vec();
    flip_bit(&mut other_type, 3);
    let other_type = String::from_utf8(other_type).unwrap();
    // The envelope names the other type: refused by the exact type check ...
    let env = envelope_of(&other_type, &p, &[sig(&signer(1), &p)]);
    let err = verify(&env, &policy(&[1], 1), None, NOW).unwrap_err();
    assert_eq!(
        err,
        Error::PayloadType {
            found: other_type.clone()
        }
    );
    // ... and a signature made over the other type does not verify under the right one,
    // because the PAE binds the type into the signed bytes.
    let over_other = signer(1).sign(&pae(&other_type, &p)).to_bytes().to_vec();
    let env = envelope_of(PAYLOAD_TYPE, &p, &[(None, over_other)]);
    assert_eq!(
        verify(&env, &policy(&[1], 1), None, NOW).unwrap_err(),
        Error::Signature
    );
}

#[test]
fn truncated_padded_and_non_reduced_signatures_are_rejected() {
    let p = payload();
    let (hint, good) = sig(&signer(1), &p);
    let mut padded = good.clone();
    padded.extend_from_slice(b"garbage");
    let mut non_reduced = good.clone();
    // S + l, where l = 2^252 + 27742317777372353535851937790883648493 (little-endian bytes):
    // the same value mod l, but not the canonical encoding RFC 8032 requires.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (s, l) in non_reduced[32..].iter_mut().zip(L) {
        let sum = u16::from(*s) + u16::from(l) + carry;
        *s = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0);
    for bad in [
        good[..63].to_vec(),
        good[..32].to_vec(),
        Vec::new(),
        padded,
        non_reduced,
    ] {
        let env = envelope_of(PAYLOAD_TYPE, &p, &[(hint.clone(), bad)]);
        assert_eq!(
            verify(&env, &policy(&[1], 1), None, NOW).unwrap_err(),
            Error::Signature
        );
    }
}

#[test]
fn a_valid_signature_by_an_unpinned_key_is_rejected() {
    let err = verify(&signed_by(&[9]), &policy(&[1, 2], 1), None, NOW).unwrap_err();
    assert_eq!(err, Error::Signature);
}

#[test]
fn a_wrong_keyid_hint_does_not_hide_a_valid_signature_by_another_pinned_key() {
    let p = payload();
    let (_, bytes) = sig(&signer(1), &p);
    for hint in [Some(pinned(2).keyid()), Some("not-a-key".into()), None] {
        let env = envelope_of(PAYLOAD_TYPE, &p, &[(hint, bytes.clone())]);
        let identity = accepted(verify(&env, &policy(&[2, 1], 1), None, NOW));
        assert_eq!(identity.keyid, pinned(1).keyid());
    }
}

#[test]
fn the_same_key_repeated_does_not_fake_a_threshold() {
    let err = verify(&signed_by(&[1, 1, 1]), &policy(&[1, 2], 2), None, NOW).unwrap_err();
    assert_eq!(
        err,
        Error::Threshold {
            required: 2,
            verified: 1
        }
    );
    let unpinned = verify(&signed_by(&[1, 9]), &policy(&[1, 2], 2), None, NOW).unwrap_err();
    assert_eq!(
        unpinned,
        Error::Threshold {
            required: 2,
            verified: 1
        }
    );
}

#[test]
fn two_distinct_pinned_keys_meet_a_threshold_of_two() {
    let identity = accepted(verify(
        &signed_by(&[9, 2, 1]),
        &policy(&[1, 2, 3], 2),
        None,
        NOW,
    ));
    // The first signature in envelope order that verified names the identity's key.
    assert_eq!(identity.keyid, pinned(2).keyid());
}
