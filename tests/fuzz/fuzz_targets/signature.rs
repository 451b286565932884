//! The own Ed25519 verifier (`verify_signature`, `PublicKey::from_bytes`) against
//! ed25519-dalek's `verify_strict` with the same key checks (a point, canonical, not weak).
//! The input is a signing seed, a message and bit flips: the signature dalek makes is flipped
//! in the chosen bits of the key, R, S or the message, so inputs cover valid signatures,
//! near-misses, non-canonical encodings and keys that are not points; both sides must agree
//! on every one.
#![no_main]

use arbitrary::Arbitrary;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use edgeflag::envelope::{verify_signature, PublicKey};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Case {
    seed: [u8; 32],
    message: Vec<u8>,
    /// Bit positions in key (0..256), signature (256..768) or message (768..).
    flips: Vec<u16>,
    /// Replace the key by these bytes (keys that are not points, of small order, ...).
    raw_key: Option<[u8; 32]>,
}

fn dalek(key: &[u8; 32], message: &[u8], sig: &[u8; 64]) -> (bool, bool) {
    let Ok(k) = VerifyingKey::from_bytes(key) else {
        return (false, false);
    };
    if k.to_edwards().compress().to_bytes() != *key || k.is_weak() {
        return (false, false);
    }
    (
        true,
        k.verify_strict(message, &Signature::from_bytes(sig))
            .is_ok(),
    )
}

fuzz_target!(|case: Case| {
    let signer = SigningKey::from_bytes(&case.seed);
    let mut key = case
        .raw_key
        .unwrap_or_else(|| signer.verifying_key().to_bytes());
    let mut sig = signer.sign(&case.message).to_bytes();
    let mut message = case.message;
    for flip in case.flips.iter().take(4) {
        let bit = usize::from(*flip);
        let mask = 1u8 << (bit % 8);
        match bit / 8 {
            i @ 0..=31 => key[i] ^= mask,
            i @ 32..=95 => sig[i - 32] ^= mask,
            i => {
                if let Some(b) = message.get_mut(i - 96) {
                    *b ^= mask;
                }
            }
        }
    }
    let own_key = PublicKey::from_bytes(&key).ok();
    let own = own_key
        .as_ref()
        .is_some_and(|k| verify_signature(k, &message, &sig));
    let (key_ok, reference) = dalek(&key, &message, &sig);
    assert_eq!(own_key.is_some(), key_ok, "key {key:02x?}");
    assert_eq!(own, reference, "key {key:02x?} sig {sig:02x?}");
});
