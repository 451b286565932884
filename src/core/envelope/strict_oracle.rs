//! The rules of strict Ed25519 verification, restated on the curve (curve25519-dalek's
//! arithmetic) as the format gives them, to judge the verifier by: the unit tests in
//! `strict_tests.rs` and the `signature` fuzz target (which includes this file) both use it.
//! Test code only.

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};

/// What 32 bytes are as a public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyVerdict {
    /// No curve point has this y-coordinate.
    NotAPoint,
    /// A point, but not its canonical encoding.
    NonCanonical,
    /// A point of small order.
    SmallOrder,
    /// A key that may be pinned.
    Usable,
}

/// How `bytes` must be judged as a key.
pub(crate) fn key_verdict(bytes: &[u8; 32]) -> KeyVerdict {
    let Some(point) = CompressedEdwardsY(*bytes).decompress() else {
        return KeyVerdict::NotAPoint;
    };
    if point.compress().to_bytes() != *bytes {
        KeyVerdict::NonCanonical
    } else if point.is_small_order() {
        KeyVerdict::SmallOrder
    } else {
        KeyVerdict::Usable
    }
}

/// k = SHA-512(R || A || M) mod L.
pub(crate) fn challenge(r: &[u8; 32], a: &[u8; 32], message: &[u8]) -> Scalar {
    let digest: [u8; 64] = Sha512::new()
        .chain_update(r)
        .chain_update(a)
        .chain_update(message)
        .finalize()
        .into();
    Scalar::from_bytes_mod_order_wide(&digest)
}

/// Whether (R, S) is a strict signature of `message` under the usable key `a`: S < L, R not
/// of small order and equal byte for byte to the encoding of [S]B - [k]A.
pub(crate) fn signature_holds(a: &[u8; 32], r: &[u8; 32], s: &[u8; 32], message: &[u8]) -> bool {
    let Some(a_point) = CompressedEdwardsY(*a).decompress() else {
        return false;
    };
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(*s)) else {
        return false;
    };
    let k = challenge(r, a, message);
    // [k](-A), not [-k]A: scalars are reduced mod L, and L is not a multiple of 8, so
    // [L - k]A differs from -[k]A by [L]T for a key with a torsion component T.
    let expected = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-a_point, &s);
    expected.compress().to_bytes() == *r && !expected.is_small_order()
}

/// A signature's 64 bytes from R and S.
pub(crate) fn signature(r: &[u8; 32], s: &Scalar) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(r);
    out[32..].copy_from_slice(s.as_bytes());
    out
}
