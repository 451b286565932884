//! Strict Ed25519 verification (`verify_signature`, `PublicKey::from_bytes`) on signatures
//! built to separate verifiers: the input chooses the secret and nonce scalars, a torsion
//! point added to the key A and to the commitment R, whether S gets L added, whether R or A
//! is written in a non-canonical encoding, and bit flips. The expected verdict is computed
//! from the curve (curve25519-dalek's arithmetic, `strict_oracle.rs`), by the rules the format promises:
//! A canonical and of large order, S < L, R canonical, not of small order, and
//! [S]B - [k]A = R exactly (cofactorless), with k = SHA-512(R || A || M) mod L.
#![no_main]

/// The rules, restated on the curve: the same file the core's unit tests judge by.
#[path = "../../../src/core/envelope/strict_oracle.rs"]
mod oracle;

use arbitrary::Arbitrary;
use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;
use edgeflag::envelope::{verify_signature, PublicKey};
use libfuzzer_sys::fuzz_target;
use oracle::{challenge, key_verdict, signature_holds, KeyVerdict};

#[derive(Arbitrary, Debug)]
struct Case {
    secret: [u8; 32],
    nonce: [u8; 32],
    /// Torsion points (index mod 8) added to A and to R; 0 is the identity.
    torsion_a: u8,
    torsion_r: u8,
    /// Use the torsion point itself as R (a small-order R).
    small_r: bool,
    /// Add L to S (the same equation, a non-canonical S).
    s_plus_l: bool,
    /// Write R or A as y + p where that is still 32 bytes (a non-canonical encoding).
    non_canonical_r: bool,
    non_canonical_a: bool,
    message: Vec<u8>,
    /// Bit flips in A (0..256), R (256..512) or S (512..768).
    flips: Vec<u16>,
}

/// `y + p` as an encoding of the point whose canonical encoding is `bytes`, when it fits
/// (y < 19, so y + p < 2^255), with the sign bit kept.
fn plus_p(bytes: [u8; 32]) -> Option<[u8; 32]> {
    let sign = bytes[31] & 0x80;
    let mut y = bytes;
    y[31] &= 0x7f;
    if y[1..].iter().any(|b| *b != 0) || y[0] >= 19 {
        return None;
    }
    // p = 2^255 - 19: y + p = y - 19 + 2^255.
    let mut out = [0xffu8; 32];
    out[0] = 0xed + y[0];
    out[31] = 0x7f | sign;
    Some(out)
}

/// The verdict by the format's rules: whether `a` is a usable key, and whether the signature
/// holds under it.
fn expected(a: &[u8; 32], r: &[u8; 32], s: &[u8; 32], message: &[u8]) -> (bool, bool) {
    if key_verdict(a) != KeyVerdict::Usable {
        return (false, false);
    }
    (true, signature_holds(a, r, s, message))
}

fuzz_target!(|case: Case| {
    let a_secret = Scalar::from_bytes_mod_order(case.secret);
    let t_a = EIGHT_TORSION[usize::from(case.torsion_a % 8)];
    let t_r = EIGHT_TORSION[usize::from(case.torsion_r % 8)];
    let a_point = EdwardsPoint::mul_base(&a_secret) + t_a;
    let mut a = a_point.compress().to_bytes();
    let nonce = Scalar::from_bytes_mod_order(case.nonce);
    let r_point = if case.small_r {
        t_r
    } else {
        EdwardsPoint::mul_base(&nonce) + t_r
    };
    let mut r = r_point.compress().to_bytes();
    if case.non_canonical_r {
        r = plus_p(r).unwrap_or(r);
    }
    if case.non_canonical_a {
        a = plus_p(a).unwrap_or(a);
    }
    // S = r + k a, computed on the encodings actually written, so that only the chosen
    // deviations (torsion, S + L, encodings, flips) can make it fail.
    let k = challenge(&r, &a, &case.message);
    let mut s = (if case.small_r { Scalar::ZERO } else { nonce } + k * a_secret).to_bytes();
    if case.s_plus_l {
        let l = (Scalar::ZERO - Scalar::ONE).to_bytes();
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(s[i]) + u16::from(l[i]) + u16::from(i == 0) + carry;
            s[i] = sum as u8;
            carry = sum >> 8;
        }
    }
    for flip in case.flips.iter().take(3) {
        let bit = usize::from(*flip) % 768;
        let mask = 1u8 << (bit % 8);
        match bit / 256 {
            0 => a[(bit % 256) / 8] ^= mask,
            1 => r[(bit % 256) / 8] ^= mask,
            _ => s[(bit % 256) / 8] ^= mask,
        }
    }
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&r);
    signature[32..].copy_from_slice(&s);

    let key = PublicKey::from_bytes(&a).ok();
    let verified = key
        .as_ref()
        .is_some_and(|k| verify_signature(k, &case.message, &signature));
    let (key_ok, signature_ok) = expected(&a, &r, &s, &case.message);
    assert_eq!(key.is_some(), key_ok, "key {a:02x?}");
    assert_eq!(verified, signature_ok, "key {a:02x?} sig {signature:02x?}");
});
