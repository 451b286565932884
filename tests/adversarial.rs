//! src/core/SECURITY.md "Adversarial cases the tests must include", one named test (or a few) per case,
//! all through the public pipeline `edgeflag::envelope::verify` with envelopes signed by
//! seeded keys. Where a hostile or buggy signer is modelled (case 9, 11), the PAE is signed
//! with `SigningKey::sign` and the envelope JSON is built by hand, because `sign_payload`
//! refuses to sign what a client would refuse to load.
//!
//! Case 3 (the 151 Wycheproof vectors) runs in `src/core/envelope/wycheproof_tests.rs` against
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
    pae, sign_payload, sign_payload_multi, verify, HighWater, SigningKey, TrustPolicy, Verified,
    DEFAULT_CLOCK_SKEW_MS, MAX_CLOCK_SKEW_MS, MAX_SIGNATURES,
};
use edgeflag::unstable::base64;
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

fn find(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
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

// ---------------------------------------------------------------------------------------------
// Case 11: invalid flag logic, signed by a hostile or buggy signer
// ---------------------------------------------------------------------------------------------

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

#[path = "adversarial/binding.rs"]
mod binding;
#[path = "adversarial/loading.rs"]
mod loading;
#[path = "adversarial/parsing.rs"]
mod parsing;
#[path = "adversarial/signatures.rs"]
mod signatures;
#[path = "adversarial/storage.rs"]
mod storage;
