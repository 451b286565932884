//! Envelopes with many signatures against policies with several pinned keys and a threshold:
//! valid and corrupted signatures by pinned and unknown keys, repeated ones, `keyid` hints
//! that are right, wrong, null or absent. The verdict must be what the rules say: at most 32
//! signatures, at most the policy's signature attempts (signatures x keys), then each pinned
//! key counts once however often it signed, and the threshold decides; the identity names
//! the first pinned key, in envelope order, whose signature holds. (No signature at all is a
//! malformed envelope.)
#![no_main]

#[path = "common/mod.rs"]
mod common;

use arbitrary::Arbitrary;
use common::NOW;
use edgeflag::envelope::{pae, verify, SigningKey, TrustPolicy, Verified, MAX_SIGNATURES};
use edgeflag::unstable::base64;
use edgeflag::{Error, PAYLOAD_TYPE};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const PAYLOAD: &[u8] = br#"{"schema":"edgeflag/v1","owner":"shop","environment":"production","version":5,"issuedAt":"2026-11-21T10:00:00Z","expiresAt":"2026-11-28T10:00:00Z","flags":{}}"#;

/// Keys 0..4 may be pinned; 4 and 5 never are.
fn keys() -> &'static [SigningKey; 6] {
    static KEYS: OnceLock<[SigningKey; 6]> = OnceLock::new();
    KEYS.get_or_init(|| std::array::from_fn(|i| SigningKey::from_seed([i as u8 + 1; 32])))
}

#[derive(Arbitrary, Debug)]
enum Hint {
    Right,
    OtherKey(u8),
    Null,
    Absent,
    Garbage,
}

#[derive(Arbitrary, Debug)]
struct Entry {
    signer: u8,
    corrupt: bool,
    hint: Hint,
}

#[derive(Arbitrary, Debug)]
struct Case {
    pinned: u8,
    threshold: u8,
    small_attempts: bool,
    entries: Vec<Entry>,
}

fuzz_target!(|case: Case| {
    let keys = keys();
    let pinned = usize::from(case.pinned % 4) + 1;
    let threshold = usize::from(case.threshold) % pinned + 1;
    let attempts = if case.small_attempts {
        threshold * pinned
    } else {
        64
    };
    let policy = keys[..pinned]
        .iter()
        .fold(TrustPolicy::builder("production"), |b, k| {
            b.public_key(k.public_key())
        })
        .owner("shop")
        .threshold(threshold)
        .max_signature_attempts(attempts)
        .build()
        .unwrap();
    let message = pae(PAYLOAD_TYPE, PAYLOAD);
    let mut signed = [false; 6];
    let mut first_valid_pinned = None;
    let entries: Vec<String> = case
        .entries
        .iter()
        .take(40)
        .map(|e| {
            let signer = usize::from(e.signer % 6);
            let mut sig = keys[signer].sign(&message);
            if e.corrupt {
                sig[7] ^= 0x10;
            } else if signer < pinned {
                signed[signer] = true;
                first_valid_pinned.get_or_insert(signer);
            }
            let hint = match &e.hint {
                Hint::Right => format!(r#""keyid":"{}","#, keys[signer].keyid()),
                Hint::OtherKey(n) => format!(r#""keyid":"{}","#, keys[usize::from(*n % 6)].keyid()),
                Hint::Null => r#""keyid":null,"#.to_owned(),
                Hint::Absent => String::new(),
                Hint::Garbage => r#""keyid":"zz","#.to_owned(),
            };
            format!(r#"{{{hint}"sig":"{}"}}"#, base64::encode(&sig))
        })
        .collect();
    let envelope = format!(
        r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{}","signatures":[{}]}}"#,
        base64::encode(PAYLOAD),
        entries.join(",")
    );
    let result = verify(envelope.as_bytes(), &policy, None, NOW);
    let verified = signed[..pinned].iter().filter(|s| **s).count();
    if entries.is_empty() || entries.len() > MAX_SIGNATURES {
        assert!(matches!(result, Err(Error::Envelope { .. })), "{result:?}");
    } else if entries.len() * pinned > attempts {
        assert_eq!(
            result.unwrap_err(),
            Error::TooManySignatureAttempts {
                signatures: entries.len(),
                keys: pinned,
                limit: attempts
            }
        );
    } else if verified == 0 {
        assert_eq!(result.unwrap_err(), Error::Signature);
    } else if verified < threshold {
        assert_eq!(
            result.unwrap_err(),
            Error::Threshold {
                required: threshold,
                verified
            }
        );
    } else {
        match result {
            Ok(Verified::Accepted { identity, .. }) => {
                let first = first_valid_pinned.unwrap();
                assert_eq!(identity.keyid, keys[first].keyid());
            }
            other => panic!("{verified} of {pinned} keys signed, threshold {threshold}: {other:?}"),
        }
    }
});
