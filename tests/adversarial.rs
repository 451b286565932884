//! SECURITY.md "Adversarial cases the tests must include", one named test (or a few) per case,
//! all through the public pipeline `edgeflag::envelope::verify` with envelopes signed by
//! seeded keys. Where a hostile or buggy signer is modelled (case 9, 11), the PAE is signed
//! with `SigningKey::sign` and the envelope JSON is built by hand, because `sign_payload`
//! refuses to sign what a client would refuse to load.
//!
//! Case 3 (the 151 Wycheproof vectors) runs in `src/envelope/wycheproof_tests.rs` against
//! `verify_signature`, the exact check the pipeline calls; case 14 (fuzzing) is the cargo-fuzz
//! project in `tests/fuzz/`.
//!
//! A small host model ([`Host`]) keeps `(Snapshot, HighWater)` and the last-known-good
//! envelope, and swaps only on `Verified::Accepted`: it shows that every rejection leaves the
//! snapshot in use untouched (the pipeline is pure) and that a corrupted last-known-good is
//! discarded on start, so defaults are served.
#![cfg(feature = "sign")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use edgeflag::envelope::{
    base64, pae, sign_payload, sign_payload_multi, verify, HighWater, SigningKey, TrustPolicy,
    Verified, DEFAULT_CLOCK_SKEW_MS, MAX_CLOCK_SKEW_MS, MAX_SIGNATURES,
};
use edgeflag::{
    Context, ContextLimits, Details, ErrorCode, Limits, Reason, Snapshot, Value, PAYLOAD_TYPE,
};
use edgeflag::{Error, SCHEMA};
use serde_json::{json, Value as Json};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// 2026-11-22T00:00:00Z: between the fixtures' `issuedAt` and `expiresAt`.
const NOW: i64 = 1_795_305_600_000;
/// The fixtures' `issuedAt`, 2026-11-21T10:00:00Z.
const ISSUED: i64 = 1_795_255_200_000;
/// The fixtures' `expiresAt`, 2026-11-28T10:00:00Z.
const EXPIRES: i64 = 1_795_860_000_000;

fn key(n: u8) -> SigningKey {
    SigningKey::from_seed([n; 32])
}

/// A client in `production` for owner `shop`, pinning `keys` (by their text form, as a host
/// configures them) with `threshold`.
fn policy(keys: &[u8], threshold: usize) -> TrustPolicy {
    policy_with(keys, threshold, Limits::default())
}

fn policy_with(keys: &[u8], threshold: usize, limits: Limits) -> TrustPolicy {
    keys.iter()
        .fold(TrustPolicy::builder("production"), |b, &n| {
            b.key(&key(n).public_key().to_string())
        })
        .threshold(threshold)
        .owner("shop")
        .limits(limits)
        .build()
        .unwrap()
}

fn header(environment: &str, owner: &str, version: u64) -> Json {
    json!({
        "schema": "edgeflag/v1", "owner": owner, "environment": environment, "version": version,
        "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
    })
}

/// A payload whose `banner` flag serves `banner` to everybody and whose `checkout` flag is on
/// for `plan: pro`, so a host can tell which snapshot it is running.
fn payload_json(environment: &str, owner: &str, version: u64, banner: &str) -> Json {
    let mut p = header(environment, owner, version);
    p["flags"] = json!({
        "banner": {
            "type": "string", "enabled": true,
            "variants": { "shown": banner, "hidden": "none" }, "offVariant": "hidden",
            "defaultServe": { "variant": "shown" }
        },
        "checkout": {
            "type": "boolean", "enabled": true,
            "variants": { "on": true, "off": false }, "offVariant": "off",
            "rules": [ { "id": "pro",
                         "conditions": [ { "attribute": "plan", "op": "in", "values": ["pro"] } ],
                         "serve": { "variant": "on" } } ]
        }
    });
    p
}

fn bytes(json: &Json) -> Vec<u8> {
    serde_json::to_vec(json).unwrap()
}

fn payload(environment: &str, owner: &str, version: u64, banner: &str) -> Vec<u8> {
    bytes(&payload_json(environment, owner, version, banner))
}

/// The production payload of version `version` (banner `v<version>`), signed by key 1.
fn signed(version: u64) -> Vec<u8> {
    let p = payload("production", "shop", version, &format!("v{version}"));
    sign_payload(&p, &key(1), &Limits::default())
        .unwrap()
        .into_bytes()
}

/// A signature entry: its `keyid` hint, if any, and its raw bytes.
type Entry = (Option<String>, Vec<u8>);

/// What a signer that skips every check produces: the pure Ed25519 signature of the PAE.
fn raw_sig(key: &SigningKey, payload: &[u8]) -> Entry {
    (
        Some(key.keyid()),
        key.sign(&pae(PAYLOAD_TYPE, payload)).to_vec(),
    )
}

/// A DSSE envelope built by hand (serde_json escapes whatever `payload_type` holds).
fn envelope(payload_type: &str, payload: &[u8], signatures: &[Entry]) -> Vec<u8> {
    let signatures: Vec<Json> = signatures
        .iter()
        .map(|(hint, sig)| match hint {
            Some(hint) => json!({ "keyid": hint, "sig": base64::encode(sig) }),
            None => json!({ "sig": base64::encode(sig) }),
        })
        .collect();
    bytes(&json!({
        "payloadType": payload_type,
        "payload": base64::encode(payload),
        "signatures": signatures,
    }))
}

/// `payload` signed by key 1 without any check of what it says.
fn hand_signed(payload: &[u8]) -> Vec<u8> {
    envelope(PAYLOAD_TYPE, payload, &[raw_sig(&key(1), payload)])
}

fn flip_bit(bytes: &mut [u8], bit: usize) {
    bytes[bit / 8] ^= 1 << (bit % 8);
}

fn accepted(result: Result<Verified, Error>) -> (Snapshot, edgeflag::envelope::Identity) {
    match result {
        Ok(Verified::Accepted { snapshot, identity }) => (snapshot, identity),
        other => panic!("expected an accepted snapshot, got {other:?}"),
    }
}

fn refused(result: Result<Verified, Error>) -> Error {
    match result {
        Err(err) => err,
        Ok(ok) => panic!("expected a refusal, got {:?}", ok.identity()),
    }
}

/// True for the errors of the payload stage: after the signatures held.
fn is_payload_stage(err: &Error) -> bool {
    matches!(
        err,
        Error::Json { .. } | Error::Invalid { .. } | Error::Schema { .. } | Error::TooLarge { .. }
    )
}

// ---------------------------------------------------------------------------------------------
// The host model
// ---------------------------------------------------------------------------------------------

/// What a client host keeps: the snapshot in use with its high-water mark, and the envelope
/// persisted as last-known-good. It swaps only on `Verified::Accepted`.
struct Host {
    policy: TrustPolicy,
    current: Option<(Snapshot, HighWater)>,
    last_known_good: Option<Vec<u8>>,
}

/// Everything a host's users can observe: the mark and the values it serves.
#[derive(Debug, PartialEq, Eq, Clone)]
struct Observed {
    high_water: Option<HighWater>,
    banner: String,
    checkout_pro: bool,
    checkout_free: bool,
    last_known_good: Option<Vec<u8>>,
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Swapped(u64),
    Unchanged(u64),
}

impl Host {
    fn new(policy: TrustPolicy) -> Self {
        Host {
            policy,
            current: None,
            last_known_good: None,
        }
    }

    /// A fresh envelope from the network.
    fn offer(&mut self, envelope: &[u8], now: i64) -> Result<Outcome, Error> {
        let mark = self.current.as_ref().map(|(_, mark)| *mark);
        match verify(envelope, &self.policy, mark.as_ref(), now)? {
            Verified::Accepted { snapshot, identity } => {
                self.current = Some((snapshot, identity.high_water()));
                self.last_known_good = Some(envelope.to_vec());
                Ok(Outcome::Swapped(identity.version))
            }
            Verified::Unchanged(identity) => Ok(Outcome::Unchanged(identity.version)),
        }
    }

    /// A host starting from storage: the persisted envelope and high-water mark are re-verified
    /// like anything else that crossed untrusted storage. The envelope is verified with no mark
    /// (it *is* the snapshot of the mark, so `Unchanged` would hand back no snapshot), then
    /// held against the stored mark: older is a rollback, same version with other bytes a
    /// conflict. Anything refused is discarded, and the host serves defaults.
    fn start(
        policy: TrustPolicy,
        stored: &[u8],
        stored_mark: Option<HighWater>,
        now: i64,
    ) -> (Self, Result<u64, Error>) {
        let mut host = Host::new(policy);
        let result = verify(stored, &host.policy, None, now).and_then(|v| match v {
            Verified::Accepted { snapshot, identity } => {
                let mark = identity.high_water();
                if let Some(stored_mark) = stored_mark {
                    if mark.version < stored_mark.version {
                        return Err(Error::Rollback {
                            version: mark.version,
                            high_water: stored_mark.version,
                        });
                    }
                    if mark.version == stored_mark.version && mark != stored_mark {
                        return Err(Error::VersionConflict {
                            version: mark.version,
                        });
                    }
                }
                host.current = Some((snapshot, mark));
                host.last_known_good = Some(stored.to_vec());
                Ok(identity.version)
            }
            Verified::Unchanged(identity) => Ok(identity.version),
        });
        (host, result)
    }

    fn banner_details(&self, now: i64) -> Details<'_, &str> {
        let ctx = Context::from_pairs([("targetingKey", "u1".into())]);
        match &self.current {
            Some((snapshot, _)) => {
                snapshot.string_details("banner", &snapshot.context(&ctx), "DEFAULT", now)
            }
            None => Details::not_ready("DEFAULT"),
        }
    }

    fn checkout(&self, plan: &str, now: i64) -> bool {
        let ctx = Context::from_pairs([("targetingKey", "u1".into()), ("plan", plan.into())]);
        match &self.current {
            Some((snapshot, _)) => snapshot.bool("checkout", &snapshot.context(&ctx), false, now),
            None => false,
        }
    }

    fn observe(&self, now: i64) -> Observed {
        Observed {
            high_water: self.current.as_ref().map(|(_, mark)| *mark),
            banner: self.banner_details(now).value.to_string(),
            checkout_pro: self.checkout("pro", now),
            checkout_free: self.checkout("free", now),
            last_known_good: self.last_known_good.clone(),
        }
    }
}

/// A host that accepted version 5 (banner `v5`).
fn host_at_v5() -> Host {
    let mut host = Host::new(policy(&[1], 1));
    assert_eq!(host.offer(&signed(5), NOW), Ok(Outcome::Swapped(5)));
    let seen = host.observe(NOW);
    assert_eq!(seen.banner, "v5");
    assert!(seen.checkout_pro && !seen.checkout_free);
    host
}

/// A host at version 5 and what it served before any refusal.
struct AtV5 {
    host: Host,
    before: Observed,
}

impl AtV5 {
    fn new() -> Self {
        let host = host_at_v5();
        let before = host.observe(NOW);
        AtV5 { host, before }
    }

    /// Offers `envelope`: it must be refused and change nothing.
    fn refuse(&mut self, envelope: &[u8]) -> Error {
        let err = self.host.offer(envelope, NOW).unwrap_err();
        assert_eq!(
            self.host.observe(NOW),
            self.before,
            "a refusal ({err}) changed the host"
        );
        err
    }
}

/// Offers `envelope` to a fresh host at version 5: it must be refused and change nothing.
fn refused_by_host(envelope: &[u8]) -> Error {
    AtV5::new().refuse(envelope)
}

// ---------------------------------------------------------------------------------------------
// Case 1: one flipped bit in payload, signature, payloadType
// ---------------------------------------------------------------------------------------------

#[test]
fn case_01_flipped_bit_in_payload_is_rejected() {
    let p = payload("production", "shop", 5, "v5");
    let sig = raw_sig(&key(1), &p);
    assert!(
        accepted(verify(
            &envelope(PAYLOAD_TYPE, &p, std::slice::from_ref(&sig)),
            &policy(&[1], 1),
            None,
            NOW
        ))
        .1
        .version
            == 5
    );
    // Every bit of the first and last 8 bytes, and one bit of every 7th byte in between (a
    // debug build verifies slowly; the cargo-fuzz targets go much further).
    let bits = p.len() * 8;
    let chosen: Vec<usize> = (0..bits)
        .filter(|&b| b < 64 || b >= bits - 64 || (b % 56 == (b / 56) % 8))
        .collect();
    let mut host = AtV5::new();
    for &bit in &chosen {
        let mut tampered = p.clone();
        flip_bit(&mut tampered, bit);
        let env = envelope(PAYLOAD_TYPE, &tampered, std::slice::from_ref(&sig));
        assert_eq!(host.refuse(&env), Error::Signature, "payload bit {bit}");
    }
    println!("case 1: {} payload bit flips refused", chosen.len());
}

#[test]
fn case_01_flipped_bit_in_signature_is_rejected() {
    let p = payload("production", "shop", 5, "v5");
    let (hint, sig) = raw_sig(&key(1), &p);
    let policy = policy(&[1], 1);
    // One bit of every byte (rotating through the bit positions) and all bits of the first
    // and last byte of R and of S.
    let chosen =
        (0..512).filter(|&b: &usize| b % 8 == (b / 8) % 8 || [0, 31, 32, 63].contains(&(b / 8)));
    for bit in chosen {
        let mut tampered = sig.clone();
        flip_bit(&mut tampered, bit);
        let env = envelope(PAYLOAD_TYPE, &p, &[(hint.clone(), tampered)]);
        assert_eq!(
            refused(verify(&env, &policy, None, NOW)),
            Error::Signature,
            "signature bit {bit}"
        );
    }
}

#[test]
fn case_01_flipped_bit_in_payload_type_is_rejected() {
    let p = payload("production", "shop", 5, "v5");
    let policy = policy(&[1], 1);
    for bit in 0..PAYLOAD_TYPE.len() * 8 {
        let mut other = PAYLOAD_TYPE.as_bytes().to_vec();
        flip_bit(&mut other, bit);
        // A flip in the high bit of an ASCII byte is no longer UTF-8 text: that cannot even be
        // a JSON string, so flip it in the envelope bytes instead (below).
        let Ok(other) = String::from_utf8(other) else {
            continue;
        };
        // Signed over the original type but naming the flipped one: the exact type check.
        let env = envelope(&other, &p, &[raw_sig(&key(1), &p)]);
        assert_eq!(
            refused(verify(&env, &policy, None, NOW)),
            Error::PayloadType {
                found: other.clone()
            },
            "payloadType bit {bit}"
        );
        // Signed over the flipped type, envelope naming the right one: the PAE binds the type.
        let over_other = (None, key(1).sign(&pae(&other, &p)).to_vec());
        let env = envelope(PAYLOAD_TYPE, &p, &[over_other]);
        assert_eq!(refused(verify(&env, &policy, None, NOW)), Error::Signature);
    }
    // The same flips made in the envelope bytes, as a cache corrupting a byte would.
    let good = signed(6);
    let at = find(&good, PAYLOAD_TYPE.as_bytes());
    let mut host = AtV5::new();
    for bit in at * 8..(at + PAYLOAD_TYPE.len()) * 8 {
        let mut env = good.clone();
        flip_bit(&mut env, bit);
        let err = host.refuse(&env);
        assert!(
            matches!(err, Error::PayloadType { .. } | Error::Envelope { .. }),
            "bit {bit}: {err:?}"
        );
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
}

/// Every single-bit flip anywhere in an envelope: refused, or (a flip in a `keyid` hint or a
/// field name that is then ignored) accepted with exactly the original payload. No flip can
/// make a client accept different content, and none panics.
#[test]
fn case_01_no_single_bit_flip_anywhere_in_the_envelope_changes_what_is_accepted() {
    let p = bytes(&{
        let mut h = header("production", "shop", 5);
        h["flags"] = json!({});
        h
    });
    let good = sign_payload(&p, &key(1), &Limits::default())
        .unwrap()
        .into_bytes();
    let policy = policy(&[1], 1);
    let original = accepted(verify(&good, &policy, None, NOW)).1.payload_sha256;
    let (mut refusals, mut harmless) = (0, 0);
    // One bit of every byte, rotating through the bit positions, plus the ASCII case bit.
    let chosen = (0..good.len() * 8).filter(|&b| b % 8 == (b / 8) % 8 || b % 8 == 5);
    for bit in chosen {
        let mut env = good.clone();
        flip_bit(&mut env, bit);
        match verify(&env, &policy, None, NOW) {
            Err(_) => refusals += 1,
            Ok(v) => {
                assert_eq!(v.identity().payload_sha256, original, "bit {bit}");
                harmless += 1;
            }
        }
    }
    println!("case 1: {refusals} envelope bit flips refused, {harmless} harmless (hint or ignored field)");
    assert!(refusals > harmless * 4);
}

// ---------------------------------------------------------------------------------------------
// Case 2: signature truncated, padded with garbage, non-reduced scalar
// ---------------------------------------------------------------------------------------------

/// The group order l = 2^252 + 27742317777372353535851937790883648493, little-endian.
const L: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// `s + l` (little-endian 256-bit addition); `None` if it does not fit 32 bytes.
fn add_l(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(32);
    let mut carry = 0u16;
    for (a, b) in s.iter().zip(L) {
        let sum = u16::from(*a) + u16::from(b) + carry;
        out.push(sum as u8);
        carry = sum >> 8;
    }
    (carry == 0).then_some(out)
}

#[test]
fn case_02_truncated_padded_and_non_reduced_signatures_are_rejected() {
    let p = payload("production", "shop", 5, "v5");
    let (hint, good) = raw_sig(&key(1), &p);
    let mut bad: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("1 byte", good[..1].to_vec()),
        ("R only", good[..32].to_vec()),
        ("63 bytes", good[..63].to_vec()),
        ("S only", good[32..].to_vec()),
        ("65 bytes", [good.as_slice(), &[0]].concat()),
        (
            "padded with garbage",
            [good.as_slice(), b"garbage"].concat(),
        ),
        ("doubled", [good.as_slice(), &good].concat()),
        ("all zero", vec![0; 64]),
        ("all ones", vec![0xff; 64]),
    ];
    // S + l: the same scalar mod l, not the canonical encoding RFC 8032 requires (S < l, so
    // S + l < 2^254 always fits the 32 bytes).
    let s_plus_l = [&good[..32], &add_l(&good[32..]).unwrap()[..]].concat();
    bad.push(("S + l", s_plus_l));
    let mut s_is_l = good.clone();
    s_is_l[32..].copy_from_slice(&L);
    bad.push(("S = l", s_is_l));
    for (what, sig) in bad {
        let env = envelope(PAYLOAD_TYPE, &p, &[(hint.clone(), sig)]);
        assert_eq!(refused_by_host(&env), Error::Signature, "{what}");
    }
    // Garbage that is not base64 at all is a malformed envelope, named at its field.
    let env =
        String::from_utf8(envelope(PAYLOAD_TYPE, &p, &[(hint.clone(), good.clone())])).unwrap();
    let sig_text = base64::encode(&good);
    for garbage in ["!!", " ", "\\n", "=", "====", "*"] {
        let broken = env.replace(&sig_text, &format!("{sig_text}{garbage}"));
        match refused_by_host(broken.as_bytes()) {
            Error::Envelope { path, .. } => assert_eq!(path, "signatures[0].sig", "{garbage:?}"),
            other => panic!("{garbage:?}: {other:?}"),
        }
    }
    // Padding removed and the URL-safe alphabet are the same bytes: accepted (SNAPSHOT.md §1).
    let url_safe = sig_text
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_");
    let env2 = env.replace(&sig_text, &url_safe);
    accepted(verify(env2.as_bytes(), &policy(&[1], 1), None, NOW));
}

// ---------------------------------------------------------------------------------------------
// Case 4: unpinned keys and keyid hints
// ---------------------------------------------------------------------------------------------

#[test]
fn case_04_valid_signature_by_an_unpinned_key_is_rejected() {
    let p = payload("production", "shop", 5, "v5");
    // Key 9 signs validly but is not pinned; its hint even names a pinned key.
    let (_, by_nine) = raw_sig(&key(9), &p);
    for hint in [
        Some(key(9).keyid()),
        Some(key(1).keyid()),
        Some(key(2).keyid()),
        None,
    ] {
        let env = envelope(PAYLOAD_TYPE, &p, &[(hint, by_nine.clone())]);
        let mut host = Host::new(policy(&[1, 2], 1));
        assert_eq!(host.offer(&env, NOW), Err(Error::Signature));
        assert_eq!(host.observe(NOW).banner, "DEFAULT");
        assert_eq!(refused_by_host(&env), Error::Signature);
    }
    // sign_payload by the unpinned key: the same.
    let env = sign_payload(&p, &key(9), &Limits::default()).unwrap();
    assert_eq!(refused_by_host(env.as_bytes()), Error::Signature);
    // A weak (small-order) key, for which forged signatures are easy, cannot be pinned at all:
    // the identity point and the point of order 2.
    let mut order_two = [0xffu8; 32];
    order_two[0] = 0xec;
    order_two[31] = 0x7f;
    let mut identity = [0u8; 32];
    identity[0] = 1;
    for weak in [identity, order_two] {
        let text = format!("ed25519:{}", base64::encode(&weak));
        let refused = TrustPolicy::builder("production").key(&text).build();
        assert!(matches!(refused, Err(Error::Policy { .. })), "{text}");
    }
}

#[test]
fn case_04_keyid_naming_a_wrong_key_with_a_valid_signature_by_another_pinned_key_is_accepted() {
    let p = payload("production", "shop", 5, "v5");
    let (_, by_one) = raw_sig(&key(1), &p);
    for hint in [
        Some(key(2).keyid()),
        Some(key(9).keyid()),
        Some("0000000000000000".into()),
        Some(String::new()),
        Some("x".repeat(10_000)),
        None,
    ] {
        let env = envelope(PAYLOAD_TYPE, &p, &[(hint.clone(), by_one.clone())]);
        let (snapshot, identity) = accepted(verify(&env, &policy(&[2, 1], 1), None, NOW));
        // The identity names the key that verified, not the hint.
        assert_eq!(identity.keyid, key(1).keyid(), "{hint:?}");
        assert_eq!(snapshot.header().version, 5);
    }
}

// ---------------------------------------------------------------------------------------------
// Case 5: the same key's signature repeated to fake a threshold
// ---------------------------------------------------------------------------------------------

#[test]
fn case_05_same_key_signature_repeated_does_not_fake_a_threshold() {
    let p = payload("production", "shop", 5, "v5");
    let (_, by_one) = raw_sig(&key(1), &p);
    let policy2 = policy(&[1, 2], 2);
    // Repeated 2, 3 and the maximum number of times, with hints naming each pinned key.
    for copies in [2, 3, MAX_SIGNATURES] {
        let entries: Vec<Entry> = (0..copies)
            .map(|i| {
                let hint = [key(1).keyid(), key(2).keyid()][i % 2].clone();
                (Some(hint), by_one.clone())
            })
            .collect();
        let env = envelope(PAYLOAD_TYPE, &p, &entries);
        let mut host = Host::new(policy2.clone());
        assert_eq!(
            host.offer(&env, NOW),
            Err(Error::Threshold {
                required: 2,
                verified: 1
            }),
            "{copies} copies"
        );
        assert_eq!(host.observe(NOW).high_water, None);
    }
    // The same key counted through a second, re-encoded copy (URL-safe, unpadded) of its sig.
    let text = base64::encode(&by_one);
    let alt = text
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_");
    let env = bytes(&json!({
        "payloadType": PAYLOAD_TYPE, "payload": base64::encode(&p),
        "signatures": [ { "sig": text }, { "sig": alt } ]
    }));
    assert_eq!(
        refused(verify(&env, &policy2, None, NOW)),
        Error::Threshold {
            required: 2,
            verified: 1
        }
    );
    // One pinned plus one unpinned signer is still one.
    let env = sign_payload_multi(&p, &[&key(1), &key(9)], &Limits::default()).unwrap();
    assert_eq!(
        refused(verify(env.as_bytes(), &policy2, None, NOW)),
        Error::Threshold {
            required: 2,
            verified: 1
        }
    );
    // Two distinct pinned keys meet it.
    let env = sign_payload_multi(&p, &[&key(2), &key(1)], &Limits::default()).unwrap();
    let (_, identity) = accepted(verify(env.as_bytes(), &policy2, None, NOW));
    assert_eq!(identity.keyid, key(2).keyid());
    // More signatures than a verifier will try: refused before any is checked.
    let entries: Vec<Entry> = (0..=MAX_SIGNATURES).map(|_| raw_sig(&key(1), &p)).collect();
    let env = envelope(PAYLOAD_TYPE, &p, &entries);
    assert!(matches!(
        refused(verify(&env, &policy2, None, NOW)),
        Error::Envelope { .. }
    ));
}

// ---------------------------------------------------------------------------------------------
// Case 6: cross-environment and cross-owner
// ---------------------------------------------------------------------------------------------

#[test]
fn case_06_staging_snapshot_to_a_production_client_is_rejected() {
    for environment in ["staging", "Production", "production ", "prod", "productio"] {
        let p = payload(environment, "shop", 6, "staging!");
        let env = sign_payload(&p, &key(1), &Limits::default()).unwrap();
        assert_eq!(
            refused_by_host(env.as_bytes()),
            Error::Environment {
                expected: "production".into(),
                found: environment.into()
            }
        );
    }
}

#[test]
fn case_06_snapshot_of_another_owner_is_rejected() {
    for owner in ["other-service", "Shop", "shop2", "sho"] {
        let p = payload("production", owner, 6, "theirs");
        let env = sign_payload(&p, &key(1), &Limits::default()).unwrap();
        assert_eq!(
            refused_by_host(env.as_bytes()),
            Error::Owner {
                expected: "shop".into(),
                found: owner.into()
            }
        );
    }
    // A policy without an owner accepts any owner, but never another environment.
    let any_owner = TrustPolicy::builder("production")
        .public_key(key(1).public_key())
        .build()
        .unwrap();
    let env = sign_payload(
        &payload("production", "other-service", 6, "x"),
        &key(1),
        &Limits::default(),
    )
    .unwrap();
    accepted(verify(env.as_bytes(), &any_owner, None, NOW));
}

// ---------------------------------------------------------------------------------------------
// Case 7: rollback, replay, conflicts
// ---------------------------------------------------------------------------------------------

#[test]
fn case_07_version_lower_than_the_high_water_mark_is_rejected_and_the_old_snapshot_kept() {
    let mut host = Host::new(policy(&[1], 1));
    assert_eq!(host.offer(&signed(5), NOW), Ok(Outcome::Swapped(5)));
    assert_eq!(host.offer(&signed(7), NOW), Ok(Outcome::Swapped(7)));
    let before = host.observe(NOW);
    assert_eq!(before.banner, "v7");
    for old in [6, 5, 1, 0] {
        assert_eq!(
            host.offer(&signed(old), NOW),
            Err(Error::Rollback {
                version: old,
                high_water: 7
            })
        );
        // The snapshot in use is untouched and still evaluates version 7's values.
        assert_eq!(host.observe(NOW), before);
        let details = host.banner_details(NOW);
        assert_eq!(details.value, "v7");
        assert_eq!(details.reason, Reason::Static);
    }
    assert_eq!(host.offer(&signed(8), NOW), Ok(Outcome::Swapped(8)));
    assert_eq!(host.observe(NOW).banner, "v8");
}

#[test]
fn case_07_equal_version_same_bytes_is_unchanged() {
    let mut host = host_at_v5();
    let before = host.observe(NOW);
    assert_eq!(host.offer(&signed(5), NOW), Ok(Outcome::Unchanged(5)));
    assert_eq!(host.observe(NOW), before);
    // The same payload bytes in another envelope (signed by another pinned key, with an extra
    // envelope field) are the same snapshot.
    let p = payload("production", "shop", 5, "v5");
    let policy = policy(&[1, 2], 1);
    let other = sign_payload(&p, &key(2), &Limits::default()).unwrap();
    let other = other.replacen('{', r#"{"x-cache":"hit","#, 1);
    let mark = host.current.as_ref().unwrap().1;
    match verify(other.as_bytes(), &policy, Some(&mark), NOW).unwrap() {
        Verified::Unchanged(identity) => {
            assert_eq!(identity.version, 5);
            assert_eq!(identity.keyid, key(2).keyid());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn case_07_equal_version_other_bytes_is_a_version_conflict() {
    let p = payload("production", "shop", 5, "forged v5");
    let env = sign_payload(&p, &key(1), &Limits::default()).unwrap();
    assert_eq!(
        refused_by_host(env.as_bytes()),
        Error::VersionConflict { version: 5 }
    );
    // Even a difference in whitespace only is other bytes.
    let spaced = String::from_utf8(payload("production", "shop", 5, "v5")).unwrap() + " ";
    let env = sign_payload(spaced.as_bytes(), &key(1), &Limits::default()).unwrap();
    assert_eq!(
        refused_by_host(env.as_bytes()),
        Error::VersionConflict { version: 5 }
    );
}

// ---------------------------------------------------------------------------------------------
// Case 8: expiry and clock skew
// ---------------------------------------------------------------------------------------------

#[test]
fn case_08_expired_snapshot_is_rejected() {
    let env = signed(6);
    let skew = DEFAULT_CLOCK_SKEW_MS as i64;
    for now in [EXPIRES + skew + 1, EXPIRES + 86_400_000, i64::MAX] {
        let mut host = host_at_v5();
        let before = host.observe(EXPIRES);
        assert_eq!(
            host.offer(&env, now),
            Err(Error::Expired {
                expires_at: EXPIRES,
                now
            })
        );
        assert_eq!(host.observe(EXPIRES), before);
    }
    // Expiry is checked before the high-water mark: an expired replay of the snapshot in use
    // is refused rather than reported unchanged.
    let mut host = host_at_v5();
    assert!(matches!(
        host.offer(&signed(5), EXPIRES + skew + 1),
        Err(Error::Expired { .. })
    ));
    // A policy with no skew allowance refuses one millisecond after `expiresAt`.
    let strict = TrustPolicy::builder("production")
        .public_key(key(1).public_key())
        .clock_skew_ms(0)
        .build()
        .unwrap();
    accepted(verify(&env, &strict, None, EXPIRES));
    assert!(matches!(
        verify(&env, &strict, None, EXPIRES + 1),
        Err(Error::Expired { .. })
    ));
}

#[test]
fn case_08_clock_skew_inside_the_allowance_is_accepted() {
    let env = signed(6);
    let skew = DEFAULT_CLOCK_SKEW_MS as i64;
    // The host's clock runs up to five minutes past `expiresAt`: still accepted.
    for now in [EXPIRES, EXPIRES + 1, EXPIRES + skew - 1, EXPIRES + skew] {
        let mut host = host_at_v5();
        assert_eq!(host.offer(&env, now), Ok(Outcome::Swapped(6)), "now {now}");
    }
    // A client whose clock is behind (even before `issuedAt`) accepts too: only expiry is a
    // freshness bound.
    accepted(verify(&env, &policy(&[1], 1), None, ISSUED - 3_600_000));
    // The largest allowance a policy takes is a day, and it holds to the millisecond.
    let day = TrustPolicy::builder("production")
        .public_key(key(1).public_key())
        .clock_skew_ms(MAX_CLOCK_SKEW_MS)
        .build()
        .unwrap();
    let max = MAX_CLOCK_SKEW_MS as i64;
    accepted(verify(&env, &day, None, EXPIRES + max));
    assert!(matches!(
        verify(&env, &day, None, EXPIRES + max + 1),
        Err(Error::Expired { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Case 9: duplicate keys, schema, UTF-8, nesting, caps
// ---------------------------------------------------------------------------------------------

#[test]
fn case_09_duplicate_json_keys_in_the_payload_are_rejected() {
    let good = String::from_utf8(payload("production", "shop", 6, "v6")).unwrap();
    let duplicates = [
        // A second `version` that a lenient parser would let win.
        good.replacen(r#""version":6"#, r#""version":6,"version":99"#, 1),
        good.replacen(
            r#""environment":"production""#,
            r#""environment":"production","environment":"staging""#,
            1,
        ),
        good.replacen(r#""flags":{"#, r#""flags":{"banner":{},"#, 1),
        good.replacen(r#""variants":{"#, r#""variants":{"hidden":"x","#, 1),
        // Same key spelled with an escape: equal after decoding.
        good.replacen(
            r#""owner":"shop""#,
            r#""owner":"shop","\u006fwner":"shop""#,
            1,
        ),
    ];
    for (i, text) in duplicates.iter().enumerate() {
        assert_ne!(text, &good, "duplicate {i} was not inserted");
        let err = refused_by_host(&hand_signed(text.as_bytes()));
        assert!(matches!(err, Error::Json { .. }), "duplicate {i}: {err:?}");
        assert!(err.to_string().contains("duplicate"), "{err}");
        // The signer guard refuses to sign it at all.
        assert!(sign_payload(text.as_bytes(), &key(1), &Limits::default()).is_err());
    }
}

#[test]
fn case_09_duplicate_json_keys_in_the_envelope_are_rejected() {
    let v6 = payload("production", "shop", 6, "v6");
    let other = payload("production", "shop", 7, "v7");
    let sig = raw_sig(&key(1), &v6);
    let b64 = base64::encode(&sig.1);
    let envs = [
        // Two payloads: which one is verified and which one parsed must never differ.
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{}","payload":"{}","signatures":[{{"sig":"{b64}"}}]}}"#,
            base64::encode(&v6),
            base64::encode(&other)
        ),
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payloadType":"x","payload":"{}","signatures":[{{"sig":"{b64}"}}]}}"#,
            base64::encode(&v6)
        ),
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{}","signatures":[{{"sig":"{b64}","sig":"{b64}"}}]}}"#,
            base64::encode(&v6)
        ),
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{}","signatures":[],"signatures":[{{"sig":"{b64}"}}]}}"#,
            base64::encode(&v6)
        ),
    ];
    for env in &envs {
        let err = refused_by_host(env.as_bytes());
        assert!(matches!(err, Error::Envelope { .. }), "{env}: {err:?}");
    }
}

#[test]
fn case_09_unknown_schema_major_is_rejected() {
    for schema in [
        "edgeflag/v2",
        "edgeflag/v0",
        "edgeflag/v10",
        "EDGEFLAG/V1",
        "edgeflag/v1.",
        "edgeflag/v1.x",
        "edgeflag",
        "",
    ] {
        let mut p = payload_json("production", "shop", 6, "v6");
        p["schema"] = json!(schema);
        let err = refused_by_host(&hand_signed(&bytes(&p)));
        assert_eq!(
            err,
            Error::Schema {
                found: schema.into()
            },
            "{schema:?}"
        );
    }
    // A minor revision is additive by definition: accepted.
    let mut p = payload_json("production", "shop", 6, "v6");
    p["schema"] = json!("edgeflag/v1.7");
    accepted(verify(
        &hand_signed(&bytes(&p)),
        &policy(&[1], 1),
        None,
        NOW,
    ));
    assert_eq!(SCHEMA, "edgeflag/v1");
}

#[test]
fn case_09_non_utf8_payload_and_envelope_are_rejected() {
    let good = payload("production", "shop", 6, "v6");
    let at = find(&good, b"v6");
    let invalid: [&[u8]; 6] = [
        &[0xff],
        &[0xc0, 0xaf],             // overlong '/'
        &[0xed, 0xa0, 0x80],       // an encoded surrogate
        &[0xe2, 0x82],             // truncated sequence
        &[0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
        &[0x80],                   // lone continuation byte
    ];
    for bad in invalid {
        let mut p = good.clone();
        p.splice(at..at + 1, bad.iter().copied());
        let err = refused_by_host(&hand_signed(&p));
        assert!(matches!(err, Error::Json { .. }), "{bad:x?}: {err:?}");
        // In the envelope (an ignored field): malformed envelope, refused before any work.
        let env = signed(6);
        let env = [&env[..1], b"\"x\":\"", bad, b"\",", &env[1..]].concat();
        let err = refused_by_host(&env);
        assert!(matches!(err, Error::Envelope { .. }), "{bad:x?}: {err:?}");
    }
    // A lone surrogate escape is not a Unicode scalar value either.
    let text = String::from_utf8(good)
        .unwrap()
        .replacen("v6", r"\ud800", 1);
    let err = refused_by_host(&hand_signed(text.as_bytes()));
    assert!(matches!(err, Error::Json { .. }), "{err:?}");
}

/// Runs `f` on a thread with a small stack: a recursive parser would overflow it on 10,000
/// levels; the pipeline's iterative one does not.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn case_09_ten_thousand_levels_of_nesting_are_rejected_without_stack_overflow() {
    const LEVELS: usize = 10_000;
    let arrays = format!("{}{}", "[".repeat(LEVELS), "]".repeat(LEVELS));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(LEVELS), "}".repeat(LEVELS));
    let unclosed = "[".repeat(LEVELS);
    for deep in [arrays, objects, unclosed] {
        // In the payload, signed: a JSON error after the signature held.
        let mut p = payload_json("production", "shop", 6, "v6");
        let text = bytes(&p);
        let text = String::from_utf8(text).unwrap();
        let nested = text.replacen('{', &format!(r#"{{"deep":{deep},"#), 1);
        let env = hand_signed(nested.as_bytes());
        let err = on_small_stack(move || refused_by_host(&env));
        assert!(matches!(err, Error::Json { .. }), "{err:?}");
        // In the flags: the same.
        p["flags"]["banner"]["metadata"] = json!({});
        let text = String::from_utf8(bytes(&p)).unwrap().replacen(
            r#""metadata":{}"#,
            &format!(r#""metadata":{{"x":{deep}}}"#),
            1,
        );
        let env = hand_signed(text.as_bytes());
        let err = on_small_stack(move || refused_by_host(&env));
        assert!(matches!(err, Error::Json { .. }), "{err:?}");
        // In the envelope: malformed envelope.
        let env = String::from_utf8(signed(6)).unwrap();
        let env = env.replacen('{', &format!(r#"{{"deep":{deep},"#), 1);
        let err = on_small_stack(move || refused_by_host(env.as_bytes()));
        assert!(matches!(err, Error::Envelope { .. }), "{err:?}");
        // And as the whole envelope.
        let err = on_small_stack(move || refused_by_host(deep.as_bytes()));
        assert!(matches!(err, Error::Envelope { .. }), "{err:?}");
    }
}

/// A flag with `n` rules (each one condition) and nothing else remarkable.
fn flag_with_rules(n: usize) -> Json {
    let rules: Vec<Json> = (0..n)
        .map(|i| {
            json!({ "id": format!("r{i}"),
                    "conditions": [ { "attribute": "plan", "op": "in", "values": [format!("p{i}")] } ],
                    "serve": { "variant": "on" } })
        })
        .collect();
    json!({ "type": "boolean", "enabled": true, "variants": { "on": true, "off": false },
            "offVariant": "off", "rules": rules })
}

fn boolean_flag() -> Json {
    json!({ "type": "boolean", "enabled": true, "variants": { "on": true, "off": false },
            "offVariant": "off" })
}

fn with_flags(flags: Json) -> Json {
    let mut p = header("production", "shop", 6);
    p["flags"] = flags;
    p
}

fn with_flag(flag: Json) -> Json {
    with_flags(json!({ "f": flag }))
}

/// Nesting depth of a JSON document (arrays and objects), as the parser counts it.
fn depth(v: &Json) -> usize {
    match v {
        Json::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Json::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// One cap of `Limits`: how to set it to `n`, and a payload that needs exactly `n` of it.
struct Cap {
    name: &'static str,
    n: usize,
    set: fn(&mut Limits, usize),
    make: fn(usize) -> Json,
}

fn caps() -> Vec<Cap> {
    vec![
        Cap {
            name: "max_flags",
            n: 3,
            set: |l, n| l.max_flags = n,
            make: |n| {
                let flags: serde_json::Map<String, Json> =
                    (0..n).map(|i| (format!("f{i}"), boolean_flag())).collect();
                with_flags(Json::Object(flags))
            },
        },
        Cap {
            name: "max_segments",
            n: 2,
            set: |l, n| l.max_segments = n,
            make: |n| {
                let mut p = with_flag(boolean_flag());
                let segments: serde_json::Map<String, Json> = (0..n)
                    .map(|i| (format!("s{i}"), json!({ "included": ["u1"] })))
                    .collect();
                p["segments"] = Json::Object(segments);
                p
            },
        },
        Cap {
            name: "max_rules_per_flag",
            n: 2,
            set: |l, n| l.max_rules_per_flag = n,
            make: |n| with_flag(flag_with_rules(n)),
        },
        Cap {
            name: "max_rules_per_flag (AND-lists of a segment)",
            n: 2,
            set: |l, n| l.max_rules_per_flag = n,
            make: |n| {
                let mut p = with_flag(boolean_flag());
                let rules: Vec<Json> = (0..n)
                    .map(|i| json!([ { "attribute": "plan", "op": "in", "values": [format!("p{i}")] } ]))
                    .collect();
                p["segments"] = json!({ "s": { "rules": rules } });
                p
            },
        },
        Cap {
            name: "max_conditions_per_rule",
            n: 2,
            set: |l, n| l.max_conditions_per_rule = n,
            make: |n| {
                let mut flag = flag_with_rules(1);
                let conditions: Vec<Json> = (0..n)
                    .map(|i| json!({ "attribute": format!("a{i}"), "op": "exists" }))
                    .collect();
                flag["rules"][0]["conditions"] = Json::Array(conditions);
                with_flag(flag)
            },
        },
        Cap {
            name: "max_values_per_condition",
            n: 3,
            set: |l, n| l.max_values_per_condition = n,
            make: |n| {
                let mut flag = flag_with_rules(1);
                let values: Vec<Json> = (0..n).map(|i| json!(format!("p{i}"))).collect();
                flag["rules"][0]["conditions"][0]["values"] = Json::Array(values);
                with_flag(flag)
            },
        },
        Cap {
            name: "max_values_per_condition (targets)",
            n: 3,
            set: |l, n| l.max_values_per_condition = n,
            make: |n| {
                let mut flag = boolean_flag();
                let values: Vec<Json> = (0..n).map(|i| json!(format!("u{i}"))).collect();
                flag["targets"] = json!([ { "variant": "on", "values": values } ]);
                with_flag(flag)
            },
        },
        Cap {
            name: "max_values_per_condition (segment included)",
            n: 3,
            set: |l, n| l.max_values_per_condition = n,
            make: |n| {
                let mut p = with_flag(boolean_flag());
                let values: Vec<Json> = (0..n).map(|i| json!(format!("u{i}"))).collect();
                p["segments"] = json!({ "s": { "included": values } });
                p
            },
        },
        Cap {
            name: "max_string_bytes",
            n: 32,
            set: |l, n| l.max_string_bytes = n,
            make: |n| {
                let mut flag = boolean_flag();
                flag["type"] = json!("string");
                flag["variants"] = json!({ "on": "x".repeat(n), "off": "" });
                with_flag(flag)
            },
        },
        Cap {
            name: "max_string_bytes (object key)",
            n: 32,
            set: |l, n| l.max_string_bytes = n,
            make: |n| {
                let mut flags = serde_json::Map::new();
                flags.insert("k".repeat(n), boolean_flag());
                with_flags(Json::Object(flags))
            },
        },
        Cap {
            name: "max_depth",
            n: 9,
            set: |l, n| l.max_depth = n,
            make: |n| {
                // root, flags, f, variants: 4 levels; each variant value adds the rest.
                let mut value = json!({});
                for _ in 0..n - 5 {
                    value = json!({ "a": value });
                }
                let flag = json!({ "type": "object", "enabled": true,
                                   "variants": { "on": value, "off": {} }, "offVariant": "off" });
                let p = with_flag(flag);
                assert_eq!(depth(&p), n);
                p
            },
        },
        Cap {
            name: "max_variants_per_flag",
            n: 3,
            set: |l, n| l.max_variants_per_flag = n,
            make: |n| {
                let mut flag = boolean_flag();
                flag["type"] = json!("number");
                let variants: serde_json::Map<String, Json> =
                    (0..n).map(|i| (format!("v{i}"), json!(i))).collect();
                flag["variants"] = Json::Object(variants);
                flag["offVariant"] = json!("v0");
                with_flag(flag)
            },
        },
        Cap {
            name: "max_dependency_depth",
            n: 4,
            set: |l, n| l.max_dependency_depth = n,
            make: |n| {
                // f0 -> f1 -> ... -> f(n-1): a chain of n flags.
                let flags: serde_json::Map<String, Json> = (0..n)
                    .map(|i| {
                        let mut flag = boolean_flag();
                        if i + 1 < n {
                            flag["prerequisites"] =
                                json!([ { "flag": format!("f{}", i + 1), "variants": ["on"] } ]);
                        }
                        (format!("f{i}"), flag)
                    })
                    .collect();
                with_flags(Json::Object(flags))
            },
        },
        Cap {
            name: "max_dependency_work",
            n: 5,
            set: |l, n| l.max_dependency_work = n,
            make: |n| {
                // `top` evaluates itself and n - 1 prerequisites: n evaluations.
                let mut flags = serde_json::Map::new();
                let mut top = boolean_flag();
                top["prerequisites"] = Json::Array(
                    (1..n)
                        .map(|i| json!({ "flag": format!("p{i}"), "variants": ["on"] }))
                        .collect(),
                );
                flags.insert("top".into(), top);
                for i in 1..n {
                    flags.insert(format!("p{i}"), boolean_flag());
                }
                with_flags(Json::Object(flags))
            },
        },
    ]
}

#[test]
fn case_09_every_cap_exceeded_by_one_is_rejected() {
    for cap in caps() {
        let mut limits = Limits::default();
        (cap.set)(&mut limits, cap.n);
        let strict = policy_with(&[1], 1, limits.clone());
        // At the cap: signed (by a signer with default limits) and accepted.
        let at = bytes(&(cap.make)(cap.n));
        let env = sign_payload(&at, &key(1), &Limits::default()).unwrap();
        accepted(verify(env.as_bytes(), &strict, None, NOW));
        // One over: the same signer signs it (it is within the defaults) and a client with the
        // small cap refuses it in the payload stage, after the signature held.
        let over = bytes(&(cap.make)(cap.n + 1));
        let env = sign_payload(&over, &key(1), &Limits::default()).unwrap();
        accepted(verify(env.as_bytes(), &policy(&[1], 1), None, NOW));
        let err = refused(verify(env.as_bytes(), &strict, None, NOW));
        assert!(is_payload_stage(&err), "{}: {err:?}", cap.name);
        println!(
            "{:<48} {} ok, {} refused: {err}",
            cap.name,
            cap.n,
            cap.n + 1
        );
        // And a signer with the small cap refuses to sign it.
        assert!(
            sign_payload(&over, &key(1), &limits).is_err(),
            "{}",
            cap.name
        );
    }
}

#[test]
fn case_09_envelope_byte_cap_exceeded_by_one_is_rejected_before_parsing() {
    let env = signed(6);
    let at_cap = Limits {
        max_bytes: env.len(),
        ..Limits::default()
    };
    accepted(verify(&env, &policy_with(&[1], 1, at_cap), None, NOW));
    let under = Limits {
        max_bytes: env.len() - 1,
        ..Limits::default()
    };
    assert_eq!(
        refused(verify(
            &env,
            &policy_with(&[1], 1, under.clone()),
            None,
            NOW
        )),
        Error::TooLarge {
            what: "envelope",
            limit: env.len() - 1,
            actual: env.len()
        }
    );
    // Refused before parsing: even bytes that are not JSON get the same answer.
    let junk = vec![b'['; env.len()];
    assert!(matches!(
        verify(&junk, &policy_with(&[1], 1, under), None, NOW),
        Err(Error::TooLarge { .. })
    ));
    // The default cap, 4 MiB, exceeded by one byte of trailing whitespace.
    let mut big = signed(6);
    big.resize(4 * 1024 * 1024 + 1, b' ');
    assert_eq!(
        refused_by_host(&big),
        Error::TooLarge {
            what: "envelope",
            limit: 4 * 1024 * 1024,
            actual: 4 * 1024 * 1024 + 1
        }
    );
}

#[test]
fn case_09_context_caps_exceeded_by_one_are_refused_and_evaluation_serves_the_default() {
    let limits = ContextLimits {
        max_attributes: 3,
        max_string_bytes: 8,
        max_depth: 2,
        max_values: 4,
    };
    let cases = [
        (r#"{"a":1,"b":2,"c":3}"#, r#"{"a":1,"b":2,"c":3,"d":4}"#),
        (r#"{"a":"12345678"}"#, r#"{"a":"123456789"}"#),
        (r#"{"a":[[1]]}"#, r#"{"a":[[[1]]]}"#),
        // Every value counts, the attribute's own included: [1,2,3] is four.
        (r#"{"a":[1,2,3]}"#, r#"{"a":[1,2,3,4]}"#),
    ];
    for (ok, over) in cases {
        assert!(Context::from_json(ok.as_bytes(), &limits).is_ok(), "{ok}");
        assert!(
            matches!(
                Context::from_json(over.as_bytes(), &limits),
                Err(Error::InvalidContext { .. })
            ),
            "{over}"
        );
    }
    // A host turns a refused context into an invalid compiled one: defaults, INVALID_CONTEXT.
    let host = host_at_v5();
    let (snapshot, _) = host.current.as_ref().unwrap();
    let err = Context::from_json(b"[]", &limits).unwrap_err();
    let ctx = edgeflag::CompiledContext::invalid(err.to_string());
    let details = snapshot.bool_details("checkout", &ctx, true, NOW);
    assert!(details.value);
    assert_eq!(details.reason, Reason::Error);
    assert_eq!(details.error_code, Some(ErrorCode::InvalidContext));
}

// ---------------------------------------------------------------------------------------------
// Case 10: unknown fields
// ---------------------------------------------------------------------------------------------

#[test]
fn case_10_unknown_fields_in_payload_and_envelope_are_ignored_and_the_signature_holds() {
    let mut p = payload_json("production", "shop", 6, "v6");
    p["x-future"] = json!({ "nested": [1, { "deep": null }] });
    p["flags"]["banner"]["x-owner-team"] = json!("growth");
    p["flags"]["checkout"]["rules"][0]["x-note"] = json!(42);
    p["flags"]["checkout"]["rules"][0]["conditions"][0]["x-hint"] = json!(true);
    p["segments"] = json!({ "s": { "included": ["u1"], "x-size": 1 } });
    let p = bytes(&p);
    let env = sign_payload(&p, &key(1), &Limits::default()).unwrap();
    // Fields added to the envelope after signing (it is not signed, only its payload is).
    let env = env
        .replacen('{', r#"{"x-cache":{"age":3,"hit":[true]},"#, 1)
        .replace(r#"{"keyid""#, r#"{"x-sig-note":"hsm-2","keyid""#);
    let mut host = host_at_v5();
    assert_eq!(host.offer(env.as_bytes(), NOW), Ok(Outcome::Swapped(6)));
    let seen = host.observe(NOW);
    assert_eq!(seen.banner, "v6");
    assert!(seen.checkout_pro);
    // An unknown field added to the payload after signing is tampering, though.
    let mut q = String::from_utf8(p.clone()).unwrap();
    q.insert_str(1, r#""x-late":1,"#);
    let sig = raw_sig(&key(1), &p);
    assert_eq!(
        refused_by_host(&envelope(PAYLOAD_TYPE, q.as_bytes(), &[sig])),
        Error::Signature
    );
}

// ---------------------------------------------------------------------------------------------
// Case 11: invalid flag logic, signed by a hostile or buggy signer
// ---------------------------------------------------------------------------------------------

fn invalid_payloads() -> Vec<(&'static str, Json)> {
    let on_off = |extra: Json| {
        let mut flag = boolean_flag();
        for (k, v) in extra.as_object().unwrap() {
            flag[k] = v.clone();
        }
        flag
    };
    let weights = |a: u64, b: u64| {
        on_off(json!({ "defaultServe": { "rollout": { "weights": [
            { "variant": "on", "weight": a }, { "variant": "off", "weight": b } ] } } }))
    };
    vec![
        (
            "prerequisite cycle a -> b -> a",
            with_flags(json!({
                "a": on_off(json!({ "prerequisites": [ { "flag": "b", "variants": ["on"] } ] })),
                "b": on_off(json!({ "prerequisites": [ { "flag": "a", "variants": ["on"] } ] })),
            })),
        ),
        (
            "prerequisite cycle a -> a",
            with_flags(json!({
                "a": on_off(json!({ "prerequisites": [ { "flag": "a", "variants": ["on"] } ] })),
            })),
        ),
        (
            "prerequisite cycle a -> b -> c -> a",
            with_flags(json!({
                "a": on_off(json!({ "prerequisites": [ { "flag": "b", "variants": ["on"] } ] })),
                "b": on_off(json!({ "prerequisites": [ { "flag": "c", "variants": ["on"] } ] })),
                "c": on_off(json!({ "prerequisites": [ { "flag": "a", "variants": ["on"] } ] })),
            })),
        ),
        ("segment cycle s -> t -> s", {
            let mut p = with_flag(boolean_flag());
            p["segments"] = json!({
                "s": { "rules": [[ { "op": "inSegment", "values": ["t"] } ]] },
                "t": { "rules": [[ { "op": "inSegment", "values": ["s"] } ]] },
            });
            p
        }),
        (
            "unknown offVariant",
            with_flag(on_off(json!({ "offVariant": "of" }))),
        ),
        (
            "unknown variant served by a rule",
            with_flag(on_off(
                json!({ "rules": [ { "conditions": [], "serve": { "variant": "yes" } } ] }),
            )),
        ),
        (
            "unknown variant in defaultServe",
            with_flag(on_off(json!({ "defaultServe": { "variant": "maybe" } }))),
        ),
        (
            "unknown variant in a target",
            with_flag(on_off(
                json!({ "targets": [ { "variant": "gold", "values": ["u1"] } ] }),
            )),
        ),
        (
            "unknown variant in rollout weights",
            with_flag(on_off(json!({ "defaultServe": { "rollout": { "weights": [
                { "variant": "on", "weight": 50000 }, { "variant": "nope", "weight": 50000 } ] } } }))),
        ),
        ("unknown variant in a prerequisite", {
            with_flags(json!({
                "a": on_off(json!({ "prerequisites": [ { "flag": "b", "variants": ["enabled"] } ] })),
                "b": boolean_flag(),
            }))
        }),
        ("weights summing to 99999", with_flag(weights(50000, 49999))),
        (
            "weights summing to 100001",
            with_flag(weights(50000, 50001)),
        ),
        ("weights summing to 0", with_flag(weights(0, 0))),
        (
            "weights overflowing 64 bits",
            with_flag(weights(u64::MAX, 100001)),
        ),
        (
            "boolean flag with a string variant",
            with_flag(on_off(
                json!({ "variants": { "on": "true", "off": false } }),
            )),
        ),
        (
            "boolean flag with a number variant",
            with_flag(on_off(json!({ "variants": { "on": 1, "off": 0 } }))),
        ),
        (
            "string flag with a number variant",
            with_flag(on_off(
                json!({ "type": "string", "variants": { "on": "yes", "off": 0 } }),
            )),
        ),
        (
            "number flag with a string variant",
            with_flag(on_off(
                json!({ "type": "number", "variants": { "on": 1, "off": "0" } }),
            )),
        ),
        (
            "object flag with an array variant",
            with_flag(on_off(
                json!({ "type": "object", "variants": { "on": {}, "off": [] } }),
            )),
        ),
        (
            "object flag with a null variant",
            with_flag(on_off(
                json!({ "type": "object", "variants": { "on": {}, "off": null } }),
            )),
        ),
    ]
}

#[test]
fn case_11_prerequisite_cycle_unknown_variant_bad_weights_type_mismatch_are_rejected_at_load() {
    for (what, p) in invalid_payloads() {
        let p = bytes(&p);
        // The honest signer refuses to sign it ...
        assert!(
            sign_payload(&p, &key(1), &Limits::default()).is_err(),
            "{what}: sign_payload signed it"
        );
        // ... a hostile or buggy one signs the PAE anyway: the client refuses it at load.
        let err = refused_by_host(&hand_signed(&p));
        match &err {
            Error::Invalid { path, message } => {
                assert!(!path.is_empty() && !message.is_empty(), "{what}");
                println!("{what:<40} -> {err}");
            }
            other => panic!("{what}: expected Error::Invalid, got {other:?}"),
        }
        // Snapshot::load (tooling) agrees.
        assert_eq!(Snapshot::load(&p, &Limits::default()).unwrap_err(), err);
    }
}

// ---------------------------------------------------------------------------------------------
// Case 12: algorithmic complexity in evaluation
// ---------------------------------------------------------------------------------------------

/// A snapshot with one string flag `f` whose only rule holds `condition`; it serves `"hit"`
/// when the rule matches and `"default"` otherwise.
fn snapshot_with_condition(condition: Json) -> Snapshot {
    let flag = json!({
        "type": "string", "enabled": true,
        "variants": { "hit": "hit", "default": "default" }, "offVariant": "default",
        "rules": [ { "id": "r", "conditions": [condition], "serve": { "variant": "hit" } } ],
        "defaultServe": { "variant": "default" }
    });
    let env = sign_payload(&bytes(&with_flag(flag)), &key(1), &Limits::default()).unwrap();
    accepted(verify(env.as_bytes(), &policy(&[1], 1), None, NOW)).0
}

/// Evaluates `f` for a context whose `attr` is `value`: returns the served value and the time.
fn evaluate(snapshot: &Snapshot, attr: &str, value: Value) -> (String, Duration) {
    let ctx = snapshot.context(&Context::from_pairs([
        ("targetingKey", "u1".into()),
        (attr, value),
    ]));
    let start = Instant::now();
    let details = snapshot.string_details("f", &ctx, "caller-default", NOW);
    let elapsed = start.elapsed();
    (details.value.to_string(), elapsed)
}

#[cfg(feature = "regex")]
#[test]
fn case_12_pathological_regular_expression_and_haystack_are_false_and_fast() {
    // Classic catastrophic-backtracking patterns: exponential in a backtracking engine.
    let patterns = [
        r"(a+)+$",
        r"(a|aa)*c",
        r"^(\w+\s?)*$",
        r"(x+x+)+y",
        r"^(a|a?)+$",
        r"(.*a){20}",
    ];
    // At the context's default string limit, and far over it (Context::from_pairs is not
    // capped, a host may pass what it likes).
    for len in [8 * 1024, 256 * 1024] {
        let haystack = format!("{}!", "a".repeat(len - 1));
        for pattern in patterns {
            let snapshot = snapshot_with_condition(
                json!({ "attribute": "email", "op": "matches", "values": [pattern] }),
            );
            let (value, took) = evaluate(&snapshot, "email", haystack.as_str().into());
            println!("case 12: matches {pattern:<14} on {len:>6} bytes: {took:?} -> {value}");
            if pattern == r"(.*a){20}" {
                // This one genuinely matches (twenty a's): a true result, still fast.
                assert_eq!(value, "hit");
            } else {
                assert_eq!(value, "default", "{pattern}");
            }
        }
    }
    // Patterns whose compiled form would be huge are refused when the snapshot loads.
    let flag = json!({
        "type": "boolean", "enabled": true, "variants": { "on": true, "off": false },
        "offVariant": "off",
        "rules": [ { "conditions": [ { "attribute": "e", "op": "matches", "values": ["a{1000}{1000}"] } ],
                     "serve": { "variant": "on" } } ]
    });
    let p = bytes(&with_flag(flag));
    assert!(matches!(
        refused(verify(&hand_signed(&p), &policy(&[1], 1), None, NOW)),
        Error::Invalid { .. }
    ));
}

#[test]
fn case_12_huge_semver_numbers_in_the_context_are_false_and_fast() {
    let huge = [
        "18446744073709551616.0.0".to_string(), // u64::MAX + 1
        "1.18446744073709551616.0".to_string(),
        "1.0.99999999999999999999999999999".to_string(),
        format!("{}.0.0", "9".repeat(200)),
        format!("{}.0.0", "9".repeat(100_000)),
        format!("1.0.0-{}", "1".repeat(100_000)),
        format!("1.0.0-{}", "a.".repeat(50_000) + "a"),
        format!("1.0.0+{}", "b".repeat(100_000)),
        "01.0.0".to_string(),
        "1.0".to_string(),
        "v1.0.0".to_string(),
        String::new(),
    ];
    for op in ["semverEq", "semverLt", "semverLte", "semverGt", "semverGte"] {
        for negate in [false, true] {
            let snapshot = snapshot_with_condition(json!({
                "attribute": "appVersion", "op": op, "values": ["1.0.0"], "negate": negate
            }));
            let mut slowest = Duration::ZERO;
            for version in &huge {
                let (value, took) = evaluate(&snapshot, "appVersion", version.as_str().into());
                assert_eq!(value, "default", "{op} negate={negate} {version:.40}");
                slowest = slowest.max(took);
            }
            // Numbers too large for any integer type are not versions either.
            let (value, _) = evaluate(&snapshot, "appVersion", 1e308.into());
            assert_eq!(value, "default");
            println!(
                "case 12: {op} (negate {negate}) on {} huge or malformed versions: slowest {slowest:?}",
                huge.len()
            );
        }
    }
    // Sanity: a real version still compares.
    let snapshot = snapshot_with_condition(
        json!({ "attribute": "appVersion", "op": "semverGte", "values": ["1.0.0"] }),
    );
    assert_eq!(
        evaluate(&snapshot, "appVersion", "18446744073709551615.0.0".into()).0,
        "hit"
    );
}

#[test]
fn case_12_malformed_cidr_in_the_context_is_false_and_fast() {
    let malformed = [
        "10.0.0.256".to_string(),
        "256.0.0.1".to_string(),
        "10.0.0".to_string(),
        "10.0.0.1.2".to_string(),
        "010.0.0.1".to_string(),
        "10.0.0.1/8".to_string(),
        "10.0.0.1/33".to_string(),
        "::ffff::1".to_string(),
        "1:2:3:4:5:6:7:8:9".to_string(),
        "12345::1".to_string(),
        "::ffff:10.0.0.256".to_string(),
        "fe80::1%eth0".to_string(),
        " 10.0.0.1".to_string(),
        "10.0.0.1 ".to_string(),
        "[::1]".to_string(),
        "1".repeat(100_000),
        ":".repeat(100_000),
        format!("{}1", "0:".repeat(50_000)),
        String::new(),
    ];
    for negate in [false, true] {
        let snapshot = snapshot_with_condition(json!({
            "attribute": "ip", "op": "inCidr", "values": ["10.0.0.0/8", "::/0"], "negate": negate
        }));
        let mut slowest = Duration::ZERO;
        for ip in &malformed {
            let (value, took) = evaluate(&snapshot, "ip", ip.as_str().into());
            assert_eq!(value, "default", "negate={negate} {ip:.40}");
            slowest = slowest.max(took);
        }
        for not_a_string in [Value::from(167_772_161i64), Value::from(true), Value::Null] {
            assert_eq!(evaluate(&snapshot, "ip", not_a_string).0, "default");
        }
        println!(
            "case 12: inCidr (negate {negate}) on {} malformed addresses: slowest {slowest:?}",
            malformed.len()
        );
    }
    // Sanity: real addresses still match (`::/0` holds every IPv4 address too).
    let snapshot = snapshot_with_condition(
        json!({ "attribute": "ip", "op": "inCidr", "values": ["10.0.0.0/8", "::/0"] }),
    );
    assert_eq!(evaluate(&snapshot, "ip", "10.1.2.3".into()).0, "hit");
    assert_eq!(evaluate(&snapshot, "ip", "2001:db8::1".into()).0, "hit");
    // A malformed range in the snapshot is a load error, not a silent false.
    let flag = json!({
        "type": "boolean", "enabled": true, "variants": { "on": true, "off": false },
        "offVariant": "off",
        "rules": [ { "conditions": [ { "attribute": "ip", "op": "inCidr", "values": ["10.0.0.0/33"] } ],
                     "serve": { "variant": "on" } } ]
    });
    assert!(matches!(
        refused(verify(
            &hand_signed(&bytes(&with_flag(flag))),
            &policy(&[1], 1),
            None,
            NOW
        )),
        Error::Invalid { .. }
    ));
}

// ---------------------------------------------------------------------------------------------
// Case 13: corrupted last-known-good
// ---------------------------------------------------------------------------------------------

#[test]
fn case_13_corrupted_last_known_good_is_discarded_and_defaults_served() {
    // A host ran, accepted version 7 and persisted its envelope and high-water mark.
    let mut before = Host::new(policy(&[1], 1));
    before.offer(&signed(6), NOW).unwrap();
    before.offer(&signed(7), NOW).unwrap();
    let stored = before.last_known_good.clone().unwrap();
    let mark = before.current.as_ref().unwrap().1;
    assert_eq!(stored, signed(7));

    // Intact, it is restored on start and serves version 7.
    let (host, result) = Host::start(policy(&[1], 1), &stored, Some(mark), NOW);
    assert_eq!(result, Ok(7));
    assert_eq!(host.observe(NOW).banner, "v7");

    let staging = sign_payload(
        &payload("staging", "shop", 9, "staging"),
        &key(1),
        &Limits::default(),
    )
    .unwrap()
    .into_bytes();
    let mut corruptions: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        (
            "truncated to half".into(),
            stored[..stored.len() / 2].to_vec(),
        ),
        ("last byte lost".into(), stored[..stored.len() - 1].to_vec()),
        (
            "only the payload JSON".into(),
            payload("production", "shop", 7, "v7"),
        ),
        ("another environment's envelope".into(), staging),
        ("the older version 6".into(), signed(6)),
        (
            "a forged version 7".into(),
            hand_signed(&payload("production", "shop", 7, "forged")),
        ),
        ("zeroed".into(), vec![0; stored.len()]),
        ("null".into(), b"null".to_vec()),
    ];
    // Bit rot: a flipped bit in the payload, in the signature, in the structure.
    let payload_text = base64::encode(&payload("production", "shop", 7, "v7"));
    let in_payload = find(&stored, payload_text.as_bytes()) + payload_text.len() / 2;
    let in_sig = stored.len() - 20;
    for (what, at) in [
        ("payload", in_payload),
        ("signature", in_sig),
        ("structure", 0),
    ] {
        let mut rotten = stored.clone();
        flip_bit(&mut rotten, at * 8 + 1);
        corruptions.push((format!("bit flipped in the {what}"), rotten));
    }
    for (what, corrupt) in corruptions {
        let (host, result) = Host::start(policy(&[1], 1), &corrupt, Some(mark), NOW);
        let err = result.expect_err(&what);
        println!("case 13: {what:<36} -> {} ({err})", err.code());
        // Discarded: no snapshot, defaults with PROVIDER_NOT_READY.
        assert!(
            host.current.is_none() && host.last_known_good.is_none(),
            "{what}"
        );
        let details = host.banner_details(NOW);
        assert_eq!(details.value, "DEFAULT");
        assert_eq!(details.reason, Reason::Error);
        assert_eq!(details.error_code, Some(ErrorCode::ProviderNotReady));
        assert!(!host.checkout("pro", NOW));
    }
    // A stored snapshot that expired while the host was down is discarded too.
    let (host, result) = Host::start(policy(&[1], 1), &stored, Some(mark), EXPIRES + 86_400_000);
    assert!(matches!(result, Err(Error::Expired { .. })));
    assert!(host.current.is_none());
}

// ---------------------------------------------------------------------------------------------
// Every rejection leaves the accepted snapshot untouched; nothing panics
// ---------------------------------------------------------------------------------------------

#[test]
fn every_rejection_leaves_the_accepted_snapshot_untouched() {
    let p6 = payload("production", "shop", 6, "v6");
    let mut bad: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"{}".to_vec(),
        envelope(PAYLOAD_TYPE, &p6, &[(None, vec![0; 64])]),
        envelope("application/json", &p6, &[raw_sig(&key(1), &p6)]),
        envelope(PAYLOAD_TYPE, &p6, &[raw_sig(&key(9), &p6)]),
        signed(4),
        hand_signed(&payload("production", "shop", 5, "other")),
        sign_payload(
            &payload("staging", "shop", 6, "s"),
            &key(1),
            &Limits::default(),
        )
        .unwrap()
        .into_bytes(),
        sign_payload(
            &payload("production", "them", 6, "t"),
            &key(1),
            &Limits::default(),
        )
        .unwrap()
        .into_bytes(),
        hand_signed(b"{\"schema\":\"edgeflag/v2\"}"),
        hand_signed(b"\xff"),
    ];
    bad.extend(
        invalid_payloads()
            .into_iter()
            .map(|(_, p)| hand_signed(&bytes(&p))),
    );
    let mut host = host_at_v5();
    let before = host.observe(NOW);
    for env in &bad {
        assert!(host.offer(env, NOW).is_err());
        assert_eq!(host.observe(NOW), before);
    }
    // The host still moves on when a good snapshot comes.
    assert_eq!(host.offer(&signed(6), NOW), Ok(Outcome::Swapped(6)));
    assert_eq!(host.observe(NOW).banner, "v6");
}

/// A deterministic mutation fuzz of a valid envelope in the test suite (the cargo-fuzz targets
/// go much further): random byte edits never panic, and an accepted mutant always carries
/// exactly the original payload.
#[test]
fn random_mutations_never_panic_and_never_change_accepted_content() {
    let good = signed(6);
    let policy = policy(&[1], 1);
    let original = accepted(verify(&good, &policy, None, NOW)).1.payload_sha256;
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut refused_count, mut harmless) = (0, 0);
    for _ in 0..1_500 {
        let mut env = good.clone();
        for _ in 0..=(next() % 4) {
            let at = (next() as usize) % env.len();
            match next() % 4 {
                0 => env[at] = next() as u8,
                1 => {
                    env.remove(at);
                }
                2 => env.insert(at, b"{}[]\":,=+/A0\\ "[(next() % 14) as usize]),
                _ => env.truncate(at),
            }
            if env.is_empty() {
                break;
            }
        }
        let result = std::panic::catch_unwind(|| verify(&env, &policy, None, NOW));
        match result.expect("verify panicked") {
            Err(_) => refused_count += 1,
            Ok(v) => {
                assert_eq!(v.identity().payload_sha256, original);
                harmless += 1;
            }
        }
    }
    println!("mutations: {refused_count} refused, {harmless} harmless");
}
