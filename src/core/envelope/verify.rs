//! The verification pipeline, in this order: byte cap, strict envelope parse, exact
//! `payloadType`, the signature-attempt cap, base64, Ed25519 against every pinned key,
//! threshold of distinct keys, payload parse and header, owner and environment, freshness
//! (issuedAt not in the future, validity, expiry, age), minimum version, high-water mark,
//! compile. Each step runs only on what the previous one vouched for: nothing in the payload
//! is read before enough pinned keys signed it, and the payload is parsed from exactly the
//! bytes that were verified.

use super::base64;
use super::digest::{hex, sha256};
use super::freshness::{check_header, check_version};
use super::keys::PublicKey;
use super::pae::pae;
use super::parse::{self, RawSignature};
use super::policy::TrustPolicy;
use crate::json::path::Path;
use crate::snapshot::{parse_payload, Header, Snapshot};
use crate::text::Msg;
use crate::{Error, PAYLOAD_TYPE};
use alloc::string::String;
use alloc::vec::Vec;

/// The newest snapshot a client accepted for its (owner, environment): what it remembers, and
/// persists next to the last-known-good envelope, to refuse rollbacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HighWater {
    /// The highest `version` accepted.
    pub version: u64,
    /// SHA-256 of the payload bytes accepted at that version.
    pub payload_sha256: [u8; 32],
}

/// What a verified envelope is: whose snapshot, which version, signed by which pinned key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The snapshot's `version`.
    pub version: u64,
    /// The snapshot's `owner`.
    pub owner: String,
    /// The snapshot's `environment`.
    pub environment: String,
    /// Key id (16 hex) of the pinned key whose signature verified first, in envelope order.
    pub keyid: String,
    /// SHA-256 of the verified payload bytes.
    pub payload_sha256: [u8; 32],
    /// `issuedAt`, ms since the Unix epoch.
    pub issued_at: i64,
    /// `expiresAt`, ms since the Unix epoch.
    pub expires_at: i64,
}

impl Identity {
    /// The payload digest as 64 lowercase hex characters (an ETag, a log field).
    pub fn payload_sha256_hex(&self) -> String {
        hex(&self.payload_sha256)
    }

    /// The high-water mark to remember once this snapshot is in use.
    pub fn high_water(&self) -> HighWater {
        HighWater {
            version: self.version,
            payload_sha256: self.payload_sha256,
        }
    }
}

/// The outcome of a successful [`verify`].
#[derive(Debug)]
pub enum Verified {
    /// A newer snapshot: compiled and ready to swap in; remember `identity.high_water()`.
    Accepted {
        /// The compiled snapshot.
        snapshot: Snapshot,
        /// Whose snapshot it is and who signed it.
        identity: Identity,
    },
    /// The very snapshot already in use (same version, same bytes): nothing to swap. It was
    /// still verified in full, expiry included, so a host may use this to refresh its cache.
    Unchanged(Identity),
}

impl Verified {
    /// The identity of the verified snapshot, accepted or unchanged.
    pub fn identity(&self) -> &Identity {
        match self {
            Verified::Accepted { identity, .. } | Verified::Unchanged(identity) => identity,
        }
    }
}

/// The signature check of the pipeline, exposed so external vectors (Wycheproof) test exactly
/// it: strict Ed25519 (RFC 8032 with canonical `S`, canonical `R`, no small-order `R` or key)
/// of `message`. A `signature` that is not 64 bytes is simply not valid.
pub fn verify_signature(key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
    let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
        return false;
    };
    key.verifies(message, &bytes)
}

/// Verifies a DSSE envelope against `policy` and, if everything holds, compiles its snapshot.
///
/// `high_water` is the mark remembered for the policy's (owner, environment), `None` before
/// any snapshot was accepted; `now_ms` is the host's clock in ms since the Unix epoch.
pub fn verify(
    envelope: &[u8],
    policy: &TrustPolicy,
    high_water: Option<&HighWater>,
    now_ms: i64,
) -> Result<Verified, Error> {
    let limits = policy.limits();
    if envelope.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            what: "envelope",
            limit: limits.max_bytes,
            actual: envelope.len(),
        });
    }
    let (payload, signatures) = {
        let document = parse::parse_json(envelope, limits)?;
        let raw = parse::read(&document)?;
        if raw.payload_type != PAYLOAD_TYPE {
            return Err(Error::PayloadType {
                found: shorten(raw.payload_type),
            });
        }
        let attempts = raw.signatures.len().saturating_mul(policy.keys().len());
        if attempts > policy.max_signature_attempts() {
            return Err(Error::TooManySignatureAttempts {
                signatures: raw.signatures.len(),
                keys: policy.keys().len(),
                limit: policy.max_signature_attempts(),
            });
        }
        let payload = decode(raw.payload, &Path::ROOT.key("payload"))?;
        let signatures = decode_signatures(&raw.signatures, policy.keys())?;
        // The parsed envelope (which holds the payload a second time, as base64) is dropped
        // here, before the payload is parsed, to keep the peak memory down.
        (payload, signatures)
    };

    let message = pae(PAYLOAD_TYPE, &payload);
    let signers = count_signers(policy.keys(), &message, &signatures);
    let Some(first) = signers.first.and_then(|i| policy.keys().get(i)) else {
        return Err(Error::Signature);
    };
    if signers.count < policy.threshold() {
        return Err(Error::Threshold {
            required: policy.threshold(),
            verified: signers.count,
        });
    }
    let payload_sha256 = sha256(&payload);

    let document = parse_payload(&payload, limits)?;
    let header = Header::read(&document)?;
    check_header(&header, policy, now_ms)?;
    let identity = Identity {
        version: header.version,
        owner: header.owner.as_ref().into(),
        environment: header.environment.as_ref().into(),
        keyid: first.keyid(),
        payload_sha256,
        issued_at: header.issued_at,
        expires_at: header.expires_at,
    };
    check_version(&header, policy)?;
    if let Some(mark) = high_water {
        if header.version < mark.version {
            return Err(Error::Rollback {
                version: header.version,
                high_water: mark.version,
            });
        }
        if header.version == mark.version {
            return if mark.payload_sha256 == payload_sha256 {
                Ok(Verified::Unchanged(identity))
            } else {
                Err(Error::VersionConflict {
                    version: header.version,
                })
            };
        }
    }
    let snapshot = Snapshot::compile(&document, &header, limits)?;
    Ok(Verified::Accepted { snapshot, identity })
}

/// One decoded entry of `signatures`.
struct DecodedSignature {
    /// The pinned key the `keyid` hint names, if any.
    hinted: Option<usize>,
    bytes: Vec<u8>,
}

fn decode_signatures(
    raw: &[RawSignature<'_>],
    keys: &[PublicKey],
) -> Result<Vec<DecodedSignature>, Error> {
    let list = Path::ROOT.key("signatures");
    let mut out = Vec::with_capacity(raw.len());
    for (i, signature) in raw.iter().enumerate() {
        let entry = list.index(i);
        out.push(DecodedSignature {
            hinted: signature
                .keyid
                .and_then(|hint| keys.iter().position(|k| k.matches_hint(hint))),
            bytes: decode(signature.sig, &entry.key("sig"))?,
        });
    }
    Ok(out)
}

fn decode(text: &str, path: &Path<'_>) -> Result<Vec<u8>, Error> {
    base64::decode(text).map_err(|e| {
        parse::envelope(
            path,
            Msg::new("not valid base64: ").text(&e.message()).finish(),
        )
    })
}

/// How many distinct pinned keys signed, and the first of them in envelope order.
struct Signers {
    count: usize,
    first: Option<usize>,
}

/// Tries every signature against the pinned keys. The `keyid` hint only decides which key is
/// tried first; a wrong or missing hint costs time, never a valid signature. A key counts once
/// however many of its signatures the envelope repeats.
fn count_signers(keys: &[PublicKey], message: &[u8], signatures: &[DecodedSignature]) -> Signers {
    let mut signed = alloc::vec![false; keys.len()];
    let mut signers = Signers {
        count: 0,
        first: None,
    };
    for signature in signatures {
        // Once every pinned key has signed, no further signature can change the outcome.
        if signers.count == keys.len() {
            break;
        }
        // A signature of another length is not an Ed25519 signature by any pinned key: it
        // does not count, like a signature by an unknown key. This leaves room for a co-signer
        // using another scheme in the same envelope.
        if signature.bytes.len() != 64 {
            continue;
        }
        let hinted = signature.hinted;
        let others = (0..keys.len()).filter(|&i| Some(i) != hinted);
        for i in hinted.into_iter().chain(others) {
            let Some(key) = keys.get(i) else { continue };
            if verify_signature(key, message, &signature.bytes) {
                if let Some(seen) = signed.get_mut(i) {
                    if !*seen {
                        *seen = true;
                        signers.count += 1;
                        signers.first.get_or_insert(i);
                    }
                }
                // Finding a second key for one signature is infeasible (and would only lower
                // the count, never raise it): stop trying others.
                break;
            }
        }
    }
    signers
}

/// At most 200 characters of an attacker-chosen string, for an error message.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(200) {
        Some((end, _)) => Msg::new(text.get(..end).unwrap_or_default())
            .text("…")
            .finish(),
        None => text.into(),
    }
}
