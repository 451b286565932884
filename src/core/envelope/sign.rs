//! Signing, for the owning backend (feature `sign`; clients never need it).
//!
//! The core reads no randomness: a key comes from a 32-byte seed the caller draws from its own
//! CSPRNG or secret store, or from a PKCS#8 PEM file. [`sign_payload`] refuses to sign a
//! payload that clients would refuse to load, so a signed mistake never reaches them.

use super::ed25519::VerifyKey;
use super::keys::PublicKey;
use super::pae::pae;
use super::{base64, MAX_SIGNATURES};
use crate::snapshot::{parse_payload, Header, Snapshot};
use crate::{Error, Limits, PAYLOAD_TYPE};
use alloc::format;
use alloc::string::String;
use core::fmt;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, KeypairBytes};
use ed25519_dalek::Signer;
use zeroize::Zeroizing;

/// An Ed25519 signing key; its secret is wiped from memory when it is dropped.
#[derive(Clone)]
pub struct SigningKey {
    key: ed25519_dalek::SigningKey,
    /// Derived once: every signature's `keyid` hint reads it.
    public: PublicKey,
}

impl SigningKey {
    /// The key whose RFC 8032 secret is `seed`. The seed must come from a cryptographically
    /// secure source; whoever knows it can sign snapshots.
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let seed = Zeroizing::new(seed);
        Self::from_dalek(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    fn from_dalek(key: ed25519_dalek::SigningKey) -> Self {
        // Derived by the signing library (constant time in the secret): a clamped scalar is
        // never a multiple of L, so the point has large order and needs no further checks.
        let public = PublicKey::from_checked(VerifyKey::of_signing_key(&key));
        SigningKey { key, public }
    }

    /// Reads an unencrypted PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`), as written
    /// by `openssl genpkey -algorithm ed25519` or [`to_pkcs8_pem`](Self::to_pkcs8_pem). A
    /// public key embedded in the document must match the private key.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, Error> {
        let bytes = KeypairBytes::from_pkcs8_pem(pem.trim()).map_err(|e| Error::Policy {
            message: format!("private key: not an unencrypted PKCS#8 Ed25519 PEM key ({e})"),
        })?;
        let key = ed25519_dalek::SigningKey::try_from(&bytes).map_err(|_| Error::Policy {
            message: "private key: the embedded public key does not match".into(),
        })?;
        Ok(Self::from_dalek(key))
    }

    /// The private key as PKCS#8 v1 PEM, the form OpenSSL writes and every Ed25519 tool reads.
    /// The text is wiped from memory when dropped.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, Error> {
        // v1 (no embedded public key), exactly what `openssl genpkey` writes, for the widest
        // interoperability.
        let bytes = KeypairBytes {
            secret_key: self.key.to_bytes(),
            public_key: None,
        };
        let der = bytes.to_pkcs8_der().map_err(|e| Error::Policy {
            message: format!("private key: cannot encode as PKCS#8 ({e})"),
        })?;
        // The PEM armour is written here rather than by `pkcs8`, whose default line ending
        // follows the build's OS: a key file should not depend on where it was made.
        let body = Zeroizing::new(base64::encode(der.as_bytes()));
        let mut pem = Zeroizing::new(String::with_capacity(body.len() + 80));
        pem.push_str("-----BEGIN PRIVATE KEY-----\n");
        for line in body.as_bytes().chunks(64) {
            pem.push_str(core::str::from_utf8(line).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END PRIVATE KEY-----\n");
        Ok(pem)
    }

    /// The public key to pin on clients.
    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// The public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`).
    pub fn public_key_pem(&self) -> String {
        self.public.to_pem()
    }

    /// The key id clients see in envelope hints: 16 hex characters.
    pub fn keyid(&self) -> String {
        self.public.keyid()
    }

    /// The pure Ed25519 signature of `message`. An envelope signature signs
    /// [`pae`](super::pae)`(payloadType, payload)`, not the payload itself.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret: debug output ends up in logs.
        write!(f, "SigningKey(keyid {})", self.keyid())
    }
}

/// Signs a snapshot payload with one key and returns the envelope JSON text.
///
/// The payload is first loaded exactly as a client would (strict parse, header, compile under
/// `limits`), and the envelope must fit `limits.max_bytes`; an error from any of these is
/// returned instead of a signature.
pub fn sign_payload(payload: &[u8], key: &SigningKey, limits: &Limits) -> Result<String, Error> {
    sign_payload_multi(payload, &[key], limits)
}

/// Signs a snapshot payload with several distinct keys (for clients with a threshold) and
/// returns the envelope JSON text, one signature per key in the order given.
pub fn sign_payload_multi(
    payload: &[u8],
    keys: &[&SigningKey],
    limits: &Limits,
) -> Result<String, Error> {
    if keys.is_empty() {
        return Err(Error::Policy {
            message: "no signing keys".into(),
        });
    }
    if keys.len() > MAX_SIGNATURES {
        return Err(Error::Policy {
            message: format!("more than {MAX_SIGNATURES} signing keys"),
        });
    }
    for (i, key) in keys.iter().enumerate() {
        if keys.iter().take(i).any(|k| k.key == key.key) {
            return Err(Error::Policy {
                message: format!(
                    "signing key {i} ({}) is given twice; it would count once",
                    key.keyid()
                ),
            });
        }
    }
    let document = parse_payload(payload, limits)?;
    let header = Header::read(&document)?;
    Snapshot::compile(&document, &header, limits)?;
    // A reader of an older minor revision ignores members it does not know unless the
    // payload declares the revision they come from (FORMAT.md §6): declare it or refuse.
    if let (needed, Some(path)) = crate::snapshot::required_schema_minor(&document) {
        if header.schema_minor() < needed {
            return Err(Error::Invalid {
                path,
                message: format!(
                    "a member of schema \"edgeflag/v1.{needed}\" in a payload that declares {:?}: declare \"schema\": \"edgeflag/v1.{needed}\" so that older readers do not ignore it",
                    &*header.schema
                ),
            });
        }
    }

    let message = pae(PAYLOAD_TYPE, payload);
    // Every string below is base64, hex or the constant payload type: no JSON escaping needed.
    let mut out = format!(
        "{{\"payloadType\":\"{PAYLOAD_TYPE}\",\"payload\":\"{}\",\"signatures\":[",
        base64::encode(payload)
    );
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            "{{\"keyid\":\"{}\",\"sig\":\"{}\"}}",
            key.keyid(),
            base64::encode(&key.sign(&message))
        ));
    }
    out.push_str("]}");
    if out.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            what: "envelope",
            limit: limits.max_bytes,
            actual: out.len(),
        });
    }
    Ok(out)
}
