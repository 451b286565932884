//! What strict verification promises, on the inputs that separate verifiers: key decoding
//! (not a point, non-canonical, small order, mixed order), valid and corrupted signatures,
//! S + L, mixed-order keys, small-order and non-canonical R. Each expectation is computed from
//! the curve (curve25519-dalek's arithmetic, `strict_oracle.rs`), not by asking the verifier.

use super::ed25519::{KeyError, VerifyKey};
use super::strict_oracle::{challenge, key_verdict, signature, signature_holds, KeyVerdict};
use alloc::vec::Vec;
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use ed25519_dalek::{Signer, SigningKey};

/// SplitMix64: reproducible test inputs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let word = self.next().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        out
    }
}

fn verifies(key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    VerifyKey::parse(key).is_ok_and(|k| k.verify(message, signature))
}

/// What 32 bytes are as a key, from the curve: the classification a pinned key must get.
fn expected_key(bytes: &[u8; 32]) -> Result<(), KeyError> {
    match key_verdict(bytes) {
        KeyVerdict::NotAPoint => Err(KeyError::NotAPoint),
        KeyVerdict::NonCanonical => Err(KeyError::NonCanonical),
        KeyVerdict::SmallOrder => Err(KeyError::SmallOrder),
        KeyVerdict::Usable => Ok(()),
    }
}

#[test]
fn keys_are_points_canonically_encoded_and_of_large_order() {
    let mut cases: Vec<[u8; 32]> = Vec::new();
    // Small y, y just below and above p (non-canonical), both signs.
    for k in 0u8..40 {
        for sign in [0u8, 0x80] {
            let mut small = [0u8; 32];
            small[0] = k;
            small[31] |= sign;
            let mut high = [0xffu8; 32];
            high[0] = 0xd0u8.wrapping_add(k);
            high[31] = 0x7f | sign;
            cases.extend([small, high]);
        }
    }
    // Every torsion point, and each with the sign bit flipped.
    for t in EIGHT_TORSION {
        let bytes = t.compress().to_bytes();
        let mut flipped = bytes;
        flipped[31] ^= 0x80;
        cases.extend([bytes, flipped]);
    }
    let mut rng = Rng(2);
    cases.extend((0..600).map(|_| rng.bytes::<32>()));
    // Real keys, and real keys plus a torsion point (mixed order: valid, not weak).
    for i in 0..64u64 {
        let a = EdwardsPoint::mul_base(&Scalar::from(i * 7919 + 3));
        cases.push(a.compress().to_bytes());
        cases.push((a + EIGHT_TORSION[(i % 8) as usize]).compress().to_bytes());
    }
    let mut counts = [0usize; 4];
    for bytes in &cases {
        let parsed = VerifyKey::parse(bytes).map(|k| assert_eq!(k.as_bytes(), bytes));
        assert_eq!(parsed, expected_key(bytes), "{bytes:02x?}");
        counts[match parsed {
            Ok(()) => 0,
            Err(KeyError::NotAPoint) => 1,
            Err(KeyError::NonCanonical) => 2,
            Err(KeyError::SmallOrder) => 3,
        }] += 1;
    }
    // Every outcome occurs, so the comparison above covers each branch.
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
}

#[test]
fn valid_signatures_verify_and_any_corruption_or_s_plus_l_does_not() {
    let mut rng = Rng(4);
    for round in 0..60 {
        let key = SigningKey::from_bytes(&rng.bytes());
        let public = key.verifying_key().to_bytes();
        let message: Vec<u8> = (0..round * 7).map(|i| (i * 31 + round) as u8).collect();
        let sig = key.sign(&message).to_bytes();
        assert!(verifies(&public, &message, &sig));
        // One flipped bit anywhere in the signature, the key or the message.
        let bit = (rng.next() % 512) as usize;
        let mut bad = sig;
        bad[bit / 8] ^= 1 << (bit % 8);
        assert!(!verifies(&public, &message, &bad), "round {round}");
        let mut other_key = public;
        other_key[bit / 16] ^= 1 << (bit % 8);
        assert!(!verifies(&other_key, &message, &sig), "round {round}");
        let mut other_message = message.clone();
        other_message.push(0);
        assert!(!verifies(&public, &other_message, &sig));
        // S + L: the same equation, a non-canonical S.
        let s = Scalar::from_canonical_bytes(sig[32..].try_into().unwrap()).unwrap();
        let mut s_plus_l = [0u8; 32];
        let mut carry = 0u16;
        let l = (Scalar::ZERO - Scalar::ONE).to_bytes();
        for i in 0..32 {
            let add = u16::from(l[i]) + u16::from(i == 0);
            let sum = u16::from(s.as_bytes()[i]) + add + carry;
            s_plus_l[i] = sum as u8;
            carry = sum >> 8;
        }
        let mut malleable = sig;
        malleable[32..].copy_from_slice(&s_plus_l);
        assert!(!verifies(&public, &message, &malleable));
    }
}

#[test]
fn a_mixed_order_key_verifies_exactly_when_the_torsion_part_cancels() {
    // Keys A' = aB + T (T of order 2, 4 or 8) are accepted; a signature made with the secret a
    // satisfies [S]B - [k]A' = R - [k]T, so it verifies (cofactorless, R byte for byte) only
    // when [k]T is the identity.
    let mut outcomes = [0usize; 2];
    for i in 0..160u64 {
        let a = Scalar::from(i * 104_729 + 11);
        let t = EIGHT_TORSION[(i % 7 + 1) as usize];
        let public = (EdwardsPoint::mul_base(&a) + t).compress().to_bytes();
        let message = i.to_le_bytes();
        let r = Scalar::from(i * 7 + 5);
        let r_bytes = EdwardsPoint::mul_base(&r).compress().to_bytes();
        let k = challenge(&r_bytes, &public, &message);
        let sig = signature(&r_bytes, &(r + k * a));
        let expected = (k * t).is_identity();
        let (r, s) = (r_bytes, sig[32..].try_into().unwrap());
        assert_eq!(
            signature_holds(&public, &r, &s, &message),
            expected,
            "the oracle, case {i}"
        );
        assert_eq!(verifies(&public, &message, &sig), expected, "case {i}");
        outcomes[usize::from(expected)] += 1;
    }
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
}

#[test]
fn a_small_order_or_non_canonical_r_is_refused_even_when_the_equation_holds() {
    // A small-order R that satisfies the equation exactly: with A' = aB + T' and S = k a,
    // [S]B - [k]A' = -[k]T'. Search messages until -[k]T' equals the chosen R.
    let mut small_r_found = 0;
    for (ti, tr) in [(1usize, 4usize), (2, 0), (3, 5)] {
        let a = Scalar::from(977u64 + ti as u64);
        let public = (EdwardsPoint::mul_base(&a) + EIGHT_TORSION[ti])
            .compress()
            .to_bytes();
        let r_bytes = EIGHT_TORSION[tr].compress().to_bytes();
        for m in 0u32..64 {
            let message = m.to_le_bytes();
            let k = challenge(&r_bytes, &public, &message);
            let lhs = -(k * EIGHT_TORSION[ti]);
            if lhs.compress().to_bytes() != r_bytes {
                continue;
            }
            let sig = signature(&r_bytes, &(k * a));
            assert!(!verifies(&public, &message, &sig));
            small_r_found += 1;
            break;
        }
    }
    assert!(small_r_found > 0);

    // R a non-canonical encoding of the identity, with a signature whose equation gives the
    // identity: refused (the encodings differ, and the identity has small order).
    let a = Scalar::from(31_337u64);
    let public = EdwardsPoint::mul_base(&a).compress().to_bytes();
    let mut r_bytes = [0xffu8; 32];
    r_bytes[0] = 0xee; // y = p + 1
    r_bytes[31] = 0x7f;
    assert!(CompressedEdwardsY(r_bytes).decompress().is_some());
    let message = b"identity";
    let k = challenge(&r_bytes, &public, message);
    let sig = signature(&r_bytes, &(k * a));
    assert!(!verifies(&public, message, &sig));
}

#[cfg(feature = "sign")]
#[test]
fn a_signing_key_names_the_public_key_its_signatures_verify_under() {
    let mut rng = Rng(5);
    for _ in 0..20 {
        let seed: [u8; 32] = rng.bytes();
        let key = super::SigningKey::from_seed(seed);
        let expected = SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        assert_eq!(key.public_key().to_bytes(), expected);
        let envelope = super::sign_payload(
            crate::snapshot::test_payload("").as_bytes(),
            &key,
            &crate::Limits::default(),
        )
        .unwrap();
        let policy = super::TrustPolicy::builder("e")
            .public_key(key.public_key())
            .owner("o")
            .build()
            .unwrap();
        // 2026-01-02, inside the payload's week.
        assert!(super::verify(envelope.as_bytes(), &policy, None, 1_767_312_000_000).is_ok());
    }
}
