//! Tests of signing (feature `sign`): RFC 8032 and RFC 8410 vectors, PKCS#8 round trips, and
//! that only loadable payloads get signed.

use super::{sign_payload, sign_payload_multi, verify, SigningKey, TrustPolicy, Verified};
use crate::{Error, Limits};
use alloc::format;
use alloc::string::String;
use alloc::string::ToString;
use alloc::vec::Vec;

// RFC 8410 §10.3 private key and its public key (§10.1), as OpenSSL writes them.
const RFC8410_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n";
const RFC8410_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
const NOW: i64 = 1_795_305_600_000;

fn payload(version: u64) -> Vec<u8> {
    format!(
        r#"{{"schema":"edgeflag/v1","owner":"shop","environment":"production","version":{version},
        "issuedAt":"2026-11-21T10:00:00Z","expiresAt":"2026-11-28T10:00:00Z","flags":{{}}}}"#
    )
    .into_bytes()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(text.get(2 * i..2 * i + 2).unwrap(), 16).unwrap())
        .collect()
}

#[test]
fn signs_the_rfc8032_test_1_vector() {
    let seed = unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    let key = SigningKey::from_seed(seed.as_slice().try_into().unwrap());
    assert_eq!(
        key.public_key().to_string(),
        "ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
    );
    let expected = unhex(concat!(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155",
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    ));
    assert_eq!(key.sign(b"").to_vec(), expected);
}

#[test]
fn reads_openssl_pkcs8_and_writes_it_back_identically() {
    let key = SigningKey::from_pkcs8_pem(RFC8410_PRIVATE).unwrap();
    assert_eq!(key.public_key_pem(), RFC8410_PUBLIC);
    assert_eq!(key.to_pkcs8_pem().unwrap().as_str(), RFC8410_PRIVATE);
    let again = SigningKey::from_pkcs8_pem(&key.to_pkcs8_pem().unwrap()).unwrap();
    assert_eq!(again.keyid(), key.keyid());
}

#[test]
fn refuses_keys_that_are_not_pkcs8_ed25519_private_keys() {
    for text in [
        RFC8410_PUBLIC,
        "",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ] {
        assert!(matches!(
            SigningKey::from_pkcs8_pem(text),
            Err(Error::Policy { .. })
        ));
    }
}

#[test]
fn debug_output_never_shows_the_secret() {
    let key = SigningKey::from_seed([7; 32]);
    let shown = format!("{key:?}");
    assert_eq!(shown, format!("SigningKey(keyid {})", key.keyid()));
}

#[test]
fn a_signed_payload_verifies_on_a_client() {
    let key = SigningKey::from_seed([7; 32]);
    let envelope = sign_payload(&payload(3), &key, &Limits::default()).unwrap();
    assert!(envelope
        .starts_with(r#"{"payloadType":"application/vnd.edgeflag.snapshot.v1+json","payload":""#));
    assert!(envelope.contains(&format!(r#""keyid":"{}""#, key.keyid())));
    let policy = TrustPolicy::builder("production")
        .public_key(key.public_key())
        .owner("shop")
        .build()
        .unwrap();
    match verify(envelope.as_bytes(), &policy, None, NOW).unwrap() {
        Verified::Accepted { identity, .. } => assert_eq!(identity.keyid, key.keyid()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn several_keys_sign_for_a_threshold() {
    let (a, b) = (
        SigningKey::from_seed([1; 32]),
        SigningKey::from_seed([2; 32]),
    );
    let envelope = sign_payload_multi(&payload(3), &[&a, &b], &Limits::default()).unwrap();
    let policy = TrustPolicy::builder("production")
        .public_key(a.public_key())
        .public_key(b.public_key())
        .threshold(2)
        .owner("shop")
        .build()
        .unwrap();
    assert!(verify(envelope.as_bytes(), &policy, None, NOW).is_ok());
    let twice = sign_payload_multi(&payload(3), &[&a, &a], &Limits::default());
    assert!(matches!(twice, Err(Error::Policy { .. })));
    assert!(matches!(
        sign_payload_multi(&payload(3), &[], &Limits::default()),
        Err(Error::Policy { .. })
    ));
}

#[test]
fn refuses_to_sign_what_a_client_would_not_load() {
    let key = SigningKey::from_seed([7; 32]);
    let limits = Limits::default();
    assert!(matches!(
        sign_payload(b"{", &key, &limits),
        Err(Error::Json { .. })
    ));
    let wrong_schema = String::from_utf8(payload(3))
        .unwrap()
        .replace("edgeflag/v1", "edgeflag/v2");
    assert!(matches!(
        sign_payload(wrong_schema.as_bytes(), &key, &limits),
        Err(Error::Schema { .. })
    ));
    let no_flags = String::from_utf8(payload(3))
        .unwrap()
        .replace(r#","flags":{}"#, "");
    assert!(matches!(
        sign_payload(no_flags.as_bytes(), &key, &limits),
        Err(Error::Invalid { .. })
    ));
    // The payload fits, but its envelope (base64 and signatures) would not.
    let tight = Limits {
        max_bytes: payload(3).len() + 10,
        ..Limits::default()
    };
    assert!(matches!(
        sign_payload(&payload(3), &key, &tight),
        Err(Error::TooLarge {
            what: "envelope",
            ..
        })
    ));
}

#[test]
fn a_payload_using_v1_1_members_must_declare_v1_1() {
    let key = SigningKey::from_seed([7; 32]);
    let with = |schema: &str| {
        format!(
            r#"{{"schema":"{schema}","owner":"shop","environment":"production","version":1,
            "issuedAt":"2026-11-21T10:00:00Z","expiresAt":"2026-11-28T10:00:00Z","flags":{{"f":{{
            "type":"boolean","variants":{{"on":true,"off":false}},"offVariant":"off",
            "rules":[{{"conditions":[{{"attribute":"c","op":"in","values":["de"],"caseInsensitive":true}}],
            "serve":{{"variant":"on"}}}}]}}}}}}"#
        )
        .into_bytes()
    };
    let e = sign_payload(&with("edgeflag/v1"), &key, &Limits::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "flags.f.rules[0].conditions[0].caseInsensitive: a member of schema \"edgeflag/v1.1\" in a payload that declares \"edgeflag/v1\": declare \"schema\": \"edgeflag/v1.1\" so that older readers do not ignore it"
    );
    assert!(sign_payload(&with("edgeflag/v1.1"), &key, &Limits::default()).is_ok());
}
