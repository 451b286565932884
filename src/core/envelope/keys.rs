//! Pinned Ed25519 public keys: the only keys whose signatures a client counts.
//!
//! Two text forms are read: `ed25519:<base64 of the 32 key bytes>` (compact, fits in an
//! environment variable) and the SPKI PEM that OpenSSL, Node's `crypto` and Python
//! `cryptography` write (`-----BEGIN PUBLIC KEY-----`). A key is always shown as
//! `ed25519:<standard base64>` and named by its `keyid`, the first 16 hex characters of the
//! SHA-256 of the 32 key bytes.

use super::base64;
use super::digest::{hex, sha256};
use super::ed25519::{KeyError, VerifyKey};
use crate::text::Msg;
use crate::Error;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

/// The text prefix of the compact key form.
const PREFIX: &str = "ed25519:";
const PEM_BEGIN: &str = "-----BEGIN PUBLIC KEY-----";
const PEM_END: &str = "-----END PUBLIC KEY-----";
/// DER of `SubjectPublicKeyInfo { algorithm: id-Ed25519 (1.3.101.112), subjectPublicKey:
/// BIT STRING of 32 bytes }` up to the key bytes (RFC 8410 §4). Ed25519 SPKI has exactly one
/// encoding, so a byte comparison is a complete parser.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// An Ed25519 public key that is safe to pin: a canonical encoding of a point of large order.
///
/// ```
/// use edgeflag::envelope::PublicKey;
///
/// let key: PublicKey = "ed25519:fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=".parse()?;
/// assert_eq!(key.keyid().len(), 16);
/// assert_eq!(key.to_string(), "ed25519:fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=");
/// # Ok::<(), edgeflag::Error>(())
/// ```
#[derive(Clone)]
pub struct PublicKey {
    key: VerifyKey,
    keyid: [u8; 8],
}

impl PublicKey {
    /// The key from its 32-byte encoding; refuses bytes that are not a point, a non-canonical
    /// encoding, and weak (small-order) keys, for which forged signatures are easy.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, Error> {
        // A signature binds the key's bytes, so two encodings of one point would be two keys
        // with one secret: only the canonical encoding is accepted.
        let key = VerifyKey::parse(bytes).map_err(|e| {
            policy(match e {
                KeyError::NotAPoint => "public key: not a point on the Ed25519 curve",
                KeyError::NonCanonical => "public key: non-canonical point encoding",
                KeyError::SmallOrder => {
                    "public key: weak (small-order) key, signatures for it can be forged"
                }
            })
        })?;
        Ok(Self::from_checked(key))
    }

    /// Names a key already checked (parsed above, or derived from a signing key).
    pub(crate) fn from_checked(key: VerifyKey) -> Self {
        let digest = sha256(key.as_bytes());
        let mut keyid = [0u8; 8];
        for (id, d) in keyid.iter_mut().zip(digest) {
            *id = d;
        }
        PublicKey { key, keyid }
    }

    /// Parses `ed25519:<base64>` (either base64 alphabet, padded or not) or an SPKI PEM
    /// block (`-----BEGIN PUBLIC KEY-----`); surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        if let Some(encoded) = text.strip_prefix(PREFIX) {
            let bytes = base64::decode(encoded).map_err(|e| {
                policy(
                    Msg::new("public key: not valid base64 (")
                        .text(&e.message())
                        .text(")")
                        .finish(),
                )
            })?;
            return Self::from_bytes(&key_bytes(&bytes)?);
        }
        if text.starts_with("-----BEGIN") {
            return Self::from_pem(text);
        }
        Err(policy(
            "public key: expected `ed25519:<base64>` or a PEM block `-----BEGIN PUBLIC KEY-----`",
        ))
    }

    fn from_pem(text: &str) -> Result<Self, Error> {
        // `-----BEGIN [ENCRYPTED |EC |OPENSSH ]PRIVATE KEY-----`
        if text
            .lines()
            .next()
            .is_some_and(|l| l.ends_with("PRIVATE KEY-----"))
        {
            return Err(policy(
                "public key: this is a private key; pin the public key, never the private one",
            ));
        }
        let body = text
            .strip_prefix(PEM_BEGIN)
            .and_then(|rest| rest.strip_suffix(PEM_END))
            .ok_or_else(|| policy("public key: expected a `PUBLIC KEY` PEM block"))?;
        // PEM wraps its base64 at 64 columns; the line breaks (LF or CRLF) carry no data.
        let joined: String = body.lines().map(str::trim).collect();
        let der = base64::decode(&joined).map_err(|e| {
            policy(
                Msg::new("public key: PEM body is not base64 (")
                    .text(&e.message())
                    .text(")")
                    .finish(),
            )
        })?;
        match der.strip_prefix(&SPKI_PREFIX[..]) {
            Some(raw) => Self::from_bytes(&key_bytes(raw)?),
            None => Err(policy(
                "public key: PEM does not hold an Ed25519 public key",
            )),
        }
    }

    /// The 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        *self.key.as_bytes()
    }

    /// The key id: the first 16 hex characters of the SHA-256 of the 32 key bytes.
    pub fn keyid(&self) -> String {
        hex(&self.keyid)
    }

    /// The key as SPKI PEM, the form other tools (OpenSSL, Node, Python) read.
    pub fn to_pem(&self) -> String {
        let mut der = Vec::with_capacity(44);
        der.extend_from_slice(&SPKI_PREFIX);
        der.extend_from_slice(self.key.as_bytes());
        // 44 DER bytes are 60 base64 characters: one PEM line, no wrapping needed.
        Msg::new(PEM_BEGIN)
            .text("\n")
            .text(&base64::encode(&der))
            .text("\n")
            .text(PEM_END)
            .text("\n")
            .finish()
    }

    /// Whether an envelope's `keyid` hint names this key (ASCII case ignored: it is a hint).
    pub(crate) fn matches_hint(&self, hint: &str) -> bool {
        hint.eq_ignore_ascii_case(&self.keyid())
    }

    /// Whether `signature` is a strict Ed25519 signature of `message` under this key.
    pub(crate) fn verifies(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.key.verify(message, signature)
    }
}

fn key_bytes(bytes: &[u8]) -> Result<[u8; 32], Error> {
    <[u8; 32]>::try_from(bytes).map_err(|_| {
        policy(
            Msg::new("public key: expected 32 bytes, found ")
                .num(bytes.len())
                .finish(),
        )
    })
}

fn policy(message: impl Into<String>) -> Error {
    Error::Policy {
        message: message.into(),
    }
}

impl FromStr for PublicKey {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        PublicKey::parse(text)
    }
}

impl PublicKey {
    /// The compact form `ed25519:<base64>` (what `Display` writes), built without `core::fmt`
    /// for error messages in the wasm build (see `crate::text`).
    pub(crate) fn compact(&self) -> String {
        Msg::new(PREFIX)
            .text(&base64::encode(self.key.as_bytes()))
            .finish()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.key.as_bytes() == other.key.as_bytes()
    }
}

impl Eq for PublicKey {}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.compact())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self}, keyid {})", self.keyid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    // The Wycheproof group-1 key, in every form the tests need (from the vector file).
    const RAW_HEX: &str = "7d4d0e7f6153a69b6242b522abbee685fda4420f8834b108c3bdae369ef549fa";
    const COMPACT: &str = "ed25519:fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=";
    const PEM: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAfU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=\n-----END PUBLIC KEY-----\n";

    fn raw() -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(RAW_HEX.get(2 * i..2 * i + 2).unwrap(), 16).unwrap();
        }
        out
    }

    #[test]
    fn parses_compact_and_pem_forms_to_the_same_key() {
        let compact = PublicKey::parse(COMPACT).unwrap();
        let pem = PublicKey::parse(PEM).unwrap();
        assert_eq!(compact, pem);
        assert_eq!(compact.to_bytes(), raw());
        assert_eq!(compact.to_string(), COMPACT);
        assert_eq!(compact.to_pem(), PEM);
    }

    #[test]
    fn accepts_crlf_pem_url_safe_and_unpadded_compact_forms() {
        let crlf = PEM.replace('\n', "\r\n");
        let expected = PublicKey::parse(COMPACT).unwrap();
        assert_eq!(PublicKey::parse(&crlf).unwrap(), expected);
        let url = "ed25519:fU0Of2FTpptiQrUiq77mhf2kQg-INLEIw72uNp71Sfo";
        assert_eq!(PublicKey::parse(url).unwrap(), expected);
        assert_eq!(
            PublicKey::parse(&alloc::format!("  {COMPACT}\n")).unwrap(),
            expected
        );
    }

    #[test]
    fn keyid_is_the_first_16_hex_of_sha256_of_the_key_bytes() {
        let key = PublicKey::from_bytes(&raw()).unwrap();
        let full = hex(&sha256(&raw()));
        assert_eq!(key.keyid(), full.get(..16).unwrap());
        assert!(key.matches_hint(&key.keyid().to_uppercase()));
        assert!(!key.matches_hint(full.as_str()));
    }

    #[test]
    fn refuses_weak_small_order_keys() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let err = PublicKey::from_bytes(&identity).unwrap_err();
        assert!(matches!(&err, Error::Policy { message } if message.contains("weak")));
        // The point of order 2, (0, -1).
        let mut order_two = [0xffu8; 32];
        order_two[0] = 0xec;
        order_two[31] = 0x7f;
        assert!(PublicKey::from_bytes(&order_two).is_err());
    }

    #[test]
    fn refuses_non_canonical_encodings_of_a_point() {
        // y = p + k (k < 19) encodes the same y as k; some of these are points of large
        // order that dalek decodes, and only the canonical check stands in their way.
        let mut refused_large_order = 0;
        for k in 0u8..19 {
            for sign in [0u8, 0x80] {
                let mut y = [0xffu8; 32];
                y[0] = 0xed + k;
                y[31] = 0x7f | sign;
                let decodes =
                    ed25519_dalek::VerifyingKey::from_bytes(&y).is_ok_and(|v| !v.is_weak());
                let err = PublicKey::from_bytes(&y).unwrap_err();
                if decodes {
                    assert!(
                        matches!(&err, Error::Policy { message } if message.contains("non-canonical"))
                    );
                    refused_large_order += 1;
                }
            }
        }
        assert!(refused_large_order > 0);
    }

    #[test]
    fn refuses_malformed_text() {
        let cases = [
            "",
            "fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=",
            "ED25519:fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=",
            "ed25519:fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71S",
            "ed25519:fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=AAAA",
            "ed25519:fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sf*=",
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----",
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----",
            // An X25519 (1.3.101.110) key is not an Ed25519 key.
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEAfU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=\n-----END PUBLIC KEY-----",
        ];
        for text in cases {
            assert!(
                matches!(PublicKey::parse(text), Err(Error::Policy { .. })),
                "{text:?}"
            );
        }
    }
}
