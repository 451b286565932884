//! All Project Wycheproof Ed25519 vectors (tests/vectors/wycheproof), run through the exact signature
//! check the pipeline uses. Read with serde_json so the vectors do not depend on the crate's
//! own JSON parser.

use super::{verify_signature, PublicKey};
use alloc::string::String;
use alloc::vec::Vec;
use std::format;

fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd hex length: {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The vectors, as the repository keeps them (tests/vectors/wycheproof, with their licence).
const WYCHEPROOF: &str = include_str!("../../../tests/vectors/wycheproof/ed25519_test.json");

#[test]
fn all_151_wycheproof_vectors_give_their_expected_result() {
    let file: serde_json::Value = serde_json::from_str(WYCHEPROOF).unwrap();
    let mut run = 0;
    let mut failures: Vec<String> = Vec::new();
    for group in file["testGroups"].as_array().unwrap() {
        let pk = unhex(group["publicKey"]["pk"].as_str().unwrap());
        let pk: [u8; 32] = pk.as_slice().try_into().unwrap();
        // Keys a policy would refuse (not a point, weak, non-canonical) can verify nothing,
        // so every vector under such a key must expect "invalid".
        let key = PublicKey::from_bytes(&pk).ok();
        // The group's PEM form must parse to the same key as its raw bytes.
        if let (Some(key), Some(pem)) = (&key, group["publicKeyPem"].as_str()) {
            assert_eq!(&PublicKey::parse(pem).unwrap(), key);
        }
        for test in group["tests"].as_array().unwrap() {
            run += 1;
            let id = test["tcId"].as_u64().unwrap();
            let msg = unhex(test["msg"].as_str().unwrap());
            let sig = unhex(test["sig"].as_str().unwrap());
            let expected = match test["result"].as_str().unwrap() {
                "valid" => true,
                "invalid" => false,
                other => panic!("tcId {id}: unexpected result {other}"),
            };
            let got = key
                .as_ref()
                .is_some_and(|key| verify_signature(key, &msg, &sig));
            if got != expected {
                failures.push(format!(
                    "tcId {id} ({}): expected {expected}, got {got}",
                    test["comment"]
                ));
            }
        }
    }
    assert_eq!(run, file["numberOfTests"].as_u64().unwrap() as usize);
    assert_eq!(run, 151);
    assert!(failures.is_empty(), "{failures:#?}");
}
