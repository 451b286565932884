//! All Project Wycheproof Ed25519 vectors (shared/vectors), run through the exact signature
//! check the pipeline uses. Read with serde_json so the vectors do not depend on the crate's
//! own JSON parser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

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

#[test]
fn all_151_wycheproof_vectors_give_their_expected_result() {
    let path = format!(
        "{}/../shared/vectors/wycheproof-ed25519.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("vector file");
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
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
