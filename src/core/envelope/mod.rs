//! Signed snapshot envelopes: verification against pinned keys, and (feature `sign`) signing.
//!
//! A snapshot travels as a DSSE envelope (FORMAT.md §1) whose Ed25519 signatures cover the
//! Pre-Authentication Encoding ([`pae`]) of the payload bytes. A client holds a
//! [`TrustPolicy`] — the pinned [`PublicKey`]s, a threshold of distinct keys, its environment
//! and optionally its owner — and the [`HighWater`] mark of the newest snapshot it accepted.
//! [`verify`] runs the checks in src/core/SECURITY.md's order and either hands back a compiled snapshot
//! with its [`Identity`], says the snapshot is the one already in use, or names the check that
//! failed.
//!
//! ```
//! # #[cfg(feature = "sign")] {
//! use edgeflag::envelope::{sign_payload, verify, SigningKey, TrustPolicy, Verified};
//! use edgeflag::Limits;
//!
//! let payload = br#"{"schema": "edgeflag/v1", "owner": "shop", "environment": "production",
//!   "version": 7, "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
//!   "flags": {}}"#;
//! // The owning backend signs (its seed comes from a secret store, never from the core).
//! let key = SigningKey::from_seed([7; 32]);
//! let envelope = sign_payload(payload, &key, &Limits::default())?;
//!
//! // A client pins the public key and verifies with its own clock.
//! let policy = TrustPolicy::builder("production")
//!     .public_key(key.public_key())
//!     .owner("shop")
//!     .build()?;
//! let now = 1_795_300_000_000; // 2026-11-21T22:13:20Z, the host's clock
//! match verify(envelope.as_bytes(), &policy, None, now)? {
//!     Verified::Accepted { identity, .. } => assert_eq!(identity.version, 7),
//!     Verified::Unchanged(_) => unreachable!("nothing was accepted before"),
//! }
//! # }
//! # Ok::<(), edgeflag::Error>(())
//! ```
//!
//! Decisions a host may rely on:
//! - An envelope carries at most [`MAX_SIGNATURES`] signatures; more is an
//!   [`Error::Envelope`](crate::Error::Envelope), so an attacker cannot make a client run an
//!   unbounded number of verifications.
//! - A signature that is valid base64 but not 64 bytes does not count (as if made by an
//!   unknown key); invalid base64 anywhere is an [`Error::Envelope`](crate::Error::Envelope).
//! - A `keyid` of `null` counts as absent; the hint only orders the keys tried.
//! - A key pinned twice is refused when the policy is built, not collapsed.

pub(crate) mod base64;
mod digest;
mod ed25519;
mod freshness;
mod keys;
mod pae;
mod parse;
mod policy;
#[cfg(feature = "sign")]
mod sign;
mod verify;

#[cfg(test)]
mod freshness_tests;
#[cfg(test)]
#[cfg(feature = "sign")]
mod sign_tests;
#[cfg(test)]
mod strict_oracle;
#[cfg(test)]
mod strict_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod verify_checks_tests;
#[cfg(test)]
mod verify_tests;
#[cfg(test)]
mod wycheproof_tests;

pub(crate) use freshness::check_still_fresh;
pub use keys::PublicKey;
pub use pae::pae;
pub use policy::{
    TrustPolicy, TrustPolicyBuilder, DEFAULT_CLOCK_SKEW_MS, DEFAULT_MAX_SIGNATURE_ATTEMPTS,
    DEFAULT_MAX_VALIDITY_MS, MAX_CLOCK_SKEW_MS,
};
#[cfg(feature = "sign")]
pub use sign::{sign_payload, sign_payload_multi, SigningKey};
pub use verify::{verify, verify_signature, HighWater, Identity, Verified};

/// The most signatures one envelope may carry. Real envelopes carry one per signer (a handful
/// at most); the bound keeps the verification work per envelope small and predictable.
pub const MAX_SIGNATURES: usize = 32;
