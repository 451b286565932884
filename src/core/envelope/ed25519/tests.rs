//! The own verifier against curve25519-dalek and ed25519-dalek's `verify_strict`: constants,
//! key decoding, scalar reduction and signature checks on valid, corrupted and adversarial
//! inputs (mixed-order keys, small-order and non-canonical R, non-canonical S).

use super::field::Fe;
use super::point::{Point, D, SQRT_M1};
use super::{scalar, KeyError, VerifyKey};
use alloc::vec;
use alloc::vec::Vec;
use curve25519_dalek::constants::{ED25519_BASEPOINT_POINT, EIGHT_TORSION};
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha512};

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

fn fe(n: i64) -> Fe {
    let mut out = Fe::ZERO;
    out.0[0] = n;
    out
}

/// What `verify_strict` says, with key checks as `PublicKey` makes them (canonical, not weak).
fn dalek_verifies(key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    dalek_key(key).is_ok_and(|k| {
        k.verify_strict(message, &Signature::from_bytes(signature))
            .is_ok()
    })
}

/// How curve25519-dalek classifies 32 bytes as a key, in the own verifier's terms.
fn dalek_key(bytes: &[u8; 32]) -> Result<VerifyingKey, KeyError> {
    let key = VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::NotAPoint)?;
    if key.to_edwards().compress().to_bytes() != *bytes {
        return Err(KeyError::NonCanonical);
    }
    if key.is_weak() {
        return Err(KeyError::SmallOrder);
    }
    Ok(key)
}

fn own_verifies(key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    VerifyKey::parse(key).is_ok_and(|k| k.verify(message, signature))
}

fn signature(r: &[u8; 32], s: &Scalar) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(r);
    out[32..].copy_from_slice(s.as_bytes());
    out
}

fn challenge(r: &[u8; 32], a: &[u8; 32], message: &[u8]) -> Scalar {
    let digest: [u8; 64] = Sha512::new()
        .chain_update(r)
        .chain_update(a)
        .chain_update(message)
        .finalize()
        .into();
    Scalar::from_bytes_mod_order_wide(&digest)
}

#[test]
fn constants_are_what_their_names_say() {
    // d = -121665 / 121666, i = sqrt(-1).
    assert!((D * fe(121_666) + fe(121_665)).is_zero());
    assert!((SQRT_M1.square() + Fe::ONE).is_zero());
    // B is on the curve, encodes as RFC 8032 says, and matches curve25519-dalek's.
    let b = Point::base();
    assert_eq!(b.encode(), ED25519_BASEPOINT_POINT.compress().to_bytes());
    let mut expected = [0x66u8; 32];
    expected[0] = 0x58;
    assert_eq!(b.encode(), expected);
    assert_eq!(Point::decode(&expected).unwrap().encode(), expected);
}

#[test]
fn field_encoding_is_canonical_and_reads_y_modulo_p() {
    // p - 1, p, p + 1 and 2^255 - 1 (= p + 18), written little-endian.
    let mut p_minus_1 = [0xffu8; 32];
    p_minus_1[0] = 0xec;
    p_minus_1[31] = 0x7f;
    assert_eq!(Fe::from_bytes(&p_minus_1).bytes(), p_minus_1);
    let mut p = p_minus_1;
    p[0] = 0xed;
    assert!(Fe::from_bytes(&p).is_zero());
    let mut top = [0xffu8; 32];
    top[31] = 0x7f;
    assert_eq!(Fe::from_bytes(&top).bytes(), fe(18).bytes());
    // Negative limbs and long chains of operations reduce to the same canonical bytes.
    assert_eq!((Fe::ZERO - Fe::ONE).bytes(), p_minus_1);
    let mut rng = Rng(1);
    for _ in 0..500 {
        let (a, b) = (Fe::from_bytes(&rng.bytes()), Fe::from_bytes(&rng.bytes()));
        assert!(((a + b) * (a - b)).equals(&(a.square() - b.square())));
        let inverse = a.invert();
        assert!(a.is_zero() || (a * inverse).equals(&Fe::ONE));
        assert!((-a + a).is_zero());
    }
}

#[test]
fn key_decoding_agrees_with_curve25519_dalek() {
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
        let own = VerifyKey::parse(bytes).map(|k| *k.as_bytes());
        let reference = dalek_key(bytes).map(|k| k.to_bytes());
        assert_eq!(own, reference, "{bytes:02x?}");
        counts[match own {
            Ok(_) => 0,
            Err(KeyError::NotAPoint) => 1,
            Err(KeyError::NonCanonical) => 2,
            Err(KeyError::SmallOrder) => 3,
        }] += 1;
    }
    // Every outcome occurs, so the comparison above covers each branch.
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
}

#[test]
fn scalars_reduce_and_compare_like_curve25519_dalek() {
    let mut rng = Rng(3);
    let l = Scalar::ZERO - Scalar::ONE; // L - 1
    let mut wide_cases: Vec<[u8; 64]> = vec![[0; 64], [0xff; 64]];
    let mut l_wide = [0u8; 64];
    l_wide[..32].copy_from_slice(l.as_bytes());
    l_wide[0] += 1; // L itself
    wide_cases.push(l_wide);
    wide_cases.extend((0..5_000).map(|_| rng.bytes::<64>()));
    for wide in &wide_cases {
        assert_eq!(
            scalar::reduce(wide),
            Scalar::from_bytes_mod_order_wide(wide).to_bytes(),
            "{wide:02x?}"
        );
    }
    let mut narrow: Vec<[u8; 32]> = vec![[0; 32], [0xff; 32], l.to_bytes()];
    let mut l_bytes = l.to_bytes();
    l_bytes[0] += 1;
    narrow.push(l_bytes);
    narrow.extend((0..5_000).map(|_| {
        let mut b = rng.bytes::<32>();
        b[31] &= 0x1f; // around L, where the comparison is decided
        b
    }));
    for s in &narrow {
        let reference: Option<Scalar> = Scalar::from_canonical_bytes(*s).into();
        assert_eq!(scalar::is_canonical(s), reference.is_some(), "{s:02x?}");
    }
}

#[test]
fn valid_and_corrupted_signatures_agree_with_verify_strict() {
    let mut rng = Rng(4);
    for round in 0..60 {
        let key = SigningKey::from_bytes(&rng.bytes());
        let public = key.verifying_key().to_bytes();
        let message: Vec<u8> = (0..round * 7).map(|i| (i * 31 + round) as u8).collect();
        let sig = key.sign(&message).to_bytes();
        assert!(own_verifies(&public, &message, &sig));
        // One flipped bit anywhere in the signature, the key or the message.
        let bit = (rng.next() % 512) as usize;
        let mut bad = sig;
        bad[bit / 8] ^= 1 << (bit % 8);
        assert_eq!(
            own_verifies(&public, &message, &bad),
            dalek_verifies(&public, &message, &bad)
        );
        let mut other_key = public;
        other_key[bit / 16] ^= 1 << (bit % 8);
        assert_eq!(
            own_verifies(&other_key, &message, &sig),
            dalek_verifies(&other_key, &message, &sig)
        );
        let mut other_message = message.clone();
        other_message.push(0);
        assert!(!own_verifies(&public, &other_message, &sig));
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
        assert!(!own_verifies(&public, &message, &malleable));
        assert!(!dalek_verifies(&public, &message, &malleable));
    }
}

#[test]
fn mixed_order_keys_and_small_order_r_agree_with_verify_strict() {
    // Keys A' = aB + T (T of order 2, 4 or 8) are accepted by both; a signature made with the
    // secret a satisfies [S]B - [k]A' = R - [k]T, so it verifies (cofactorless) only when
    // [k]T is the identity. Both verifiers must draw that line identically.
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
        let own = own_verifies(&public, &message, &sig);
        assert_eq!(own, dalek_verifies(&public, &message, &sig), "case {i}");
        outcomes[usize::from(own)] += 1;
    }
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");

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
            assert!(!dalek_verifies(&public, &message, &sig));
            assert!(!own_verifies(&public, &message, &sig));
            small_r_found += 1;
            break;
        }
    }
    assert!(small_r_found > 0);

    // R a non-canonical encoding of the identity with a signature whose equation gives the
    // identity: refused by both (the encodings differ, and the identity has small order).
    let a = Scalar::from(31_337u64);
    let public = EdwardsPoint::mul_base(&a).compress().to_bytes();
    let mut r_bytes = [0xffu8; 32];
    r_bytes[0] = 0xee; // y = p + 1
    r_bytes[31] = 0x7f;
    assert!(CompressedEdwardsY(r_bytes).decompress().is_some());
    let message = b"identity";
    let k = challenge(&r_bytes, &public, message);
    let sig = signature(&r_bytes, &(k * a));
    assert!(!dalek_verifies(&public, message, &sig));
    assert!(!own_verifies(&public, message, &sig));
}

#[cfg(feature = "sign")]
#[test]
fn signing_keys_derive_the_same_public_key() {
    let mut rng = Rng(5);
    for _ in 0..20 {
        let key = SigningKey::from_bytes(&rng.bytes());
        let derived = VerifyKey::of_secret_scalar(&key.to_scalar().to_bytes());
        assert_eq!(*derived.as_bytes(), key.verifying_key().to_bytes());
        let again = VerifyKey::parse(derived.as_bytes()).unwrap();
        assert!(again.verify(b"m", &key.sign(b"m").to_bytes()));
    }
}
