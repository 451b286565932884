//! Strict Ed25519 verification (RFC 8032 §5.1.7 with the checks of curve25519-dalek's
//! `verify_strict`), verify-only and small: the client build carries no signing code and no
//! curve library, which halves the size the signature check costs in the wasm.
//!
//! A signature (R, S) on `message` under key A holds when S < L, the encoding of
//! [S]B - [k]A equals R byte for byte (so R is canonical and R = [S]B - [k]A exactly, the
//! cofactorless equation), with k = SHA-512(R || A || message) mod L, and R is not of small
//! order; keys are accepted only in canonical encoding and of large order (see
//! [`VerifyKey::parse`]). These are exactly the outcomes of ed25519-dalek's `verify_strict`,
//! which the tests compare against on adversarial and random inputs.
//!
//! Everything here handles public data only, so it is variable-time.

mod field;
mod point;
mod scalar;

#[cfg(test)]
mod tests;

use point::Point;
use sha2::{Digest, Sha512};

/// Why 32 bytes are not a usable public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// No curve point has this y-coordinate.
    NotAPoint,
    /// A point, but not its canonical encoding (y not reduced, or x = 0 with the sign set).
    NonCanonical,
    /// A point of small order: signatures under it can be forged.
    SmallOrder,
}

/// A public key ready for verification: its encoding and the negated point it decodes to.
#[derive(Clone, Debug)]
pub(crate) struct VerifyKey {
    bytes: [u8; 32],
    /// -A, decoded once: verification computes [S]B + [k](-A).
    minus_a: Point,
}

impl VerifyKey {
    /// Decodes and checks a key: a point, canonically encoded, of large order.
    pub(crate) fn parse(bytes: &[u8; 32]) -> Result<VerifyKey, KeyError> {
        let a = Point::decode(bytes).ok_or(KeyError::NotAPoint)?;
        if a.encode() != *bytes {
            return Err(KeyError::NonCanonical);
        }
        if a.has_small_order() {
            return Err(KeyError::SmallOrder);
        }
        Ok(VerifyKey {
            bytes: *bytes,
            minus_a: a.negate(),
        })
    }

    /// The key of a signing key's secret scalar (32 little-endian bytes): A = [scalar]B.
    #[cfg(feature = "sign")]
    pub(crate) fn of_secret_scalar(scalar: &[u8; 32]) -> VerifyKey {
        let a = Point::IDENTITY.mul_add_base(&[0; 32], scalar);
        VerifyKey {
            bytes: a.encode(),
            minus_a: a.negate(),
        }
    }

    /// The 32-byte encoding.
    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Whether `signature` is a strict Ed25519 signature of `message` under this key.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let (r, s) = signature.split_at(32);
        let (Ok(r), Ok(s)) = (<&[u8; 32]>::try_from(r), <&[u8; 32]>::try_from(s)) else {
            return false;
        };
        if !scalar::is_canonical(s) {
            return false;
        }
        let digest: [u8; 64] = Sha512::new()
            .chain_update(r)
            .chain_update(self.bytes)
            .chain_update(message)
            .finalize()
            .into();
        let k = scalar::reduce(&digest);
        let expected = self.minus_a.mul_add_base(&k, s);
        // Equal encodings make R canonical and equal to [S]B - [k]A; a small-order R is
        // refused as `verify_strict` refuses it (such a signature binds neither key nor message).
        expected.encode() == *r && !expected.has_small_order()
    }
}
