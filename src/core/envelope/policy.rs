//! The trust policy of a client: which keys it pins, how many of them must sign, which owner
//! and environment it serves, how much clock skew it forgives, and how fresh a snapshot must
//! be (a minimum version, a maximum age, a maximum validity). Everything that could make
//! verification meaningless (no keys, a weak key, no owner, a threshold no envelope can meet)
//! is refused here, when the host configures the client, not later when a snapshot arrives.

use super::keys::PublicKey;
use super::MAX_SIGNATURES;
use crate::text::Msg;
use crate::{Error, Limits};
use alloc::string::String;
use alloc::vec::Vec;

/// The clock-skew allowance used unless the host sets one: five minutes.
pub const DEFAULT_CLOCK_SKEW_MS: u64 = 5 * 60 * 1000;

/// The largest clock-skew allowance a policy accepts: one day. Expiry is the defence against
/// a snapshot frozen by a cache or an attacker, and a larger allowance would hollow it out.
pub const MAX_CLOCK_SKEW_MS: u64 = 24 * 60 * 60 * 1000;

/// The longest validity (`expiresAt` - `issuedAt`) accepted unless the host sets another:
/// 30 days. A snapshot valid for longer would let a cache replay it, frozen, for that long.
pub const DEFAULT_MAX_VALIDITY_MS: u64 = 30 * 24 * 60 * 60 * 1000;

/// How many signature verifications one envelope may cost unless the host sets another:
/// signatures in the envelope times pinned keys. Real envelopes need a handful; the bound
/// keeps a hostile envelope from costing a browser's main thread more than a few tens of ms.
pub const DEFAULT_MAX_SIGNATURE_ATTEMPTS: usize = 64;

/// What a client trusts; built with [`TrustPolicy::builder`].
///
/// ```
/// use edgeflag::envelope::TrustPolicy;
///
/// let policy = TrustPolicy::builder("production")
///     .key("ed25519:fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=")
///     .owner("checkout-service")
///     .max_age_ms(2 * 60 * 60 * 1000) // refuse snapshots issued over 2 hours ago
///     .build()?;
/// assert_eq!(policy.threshold(), 1);
/// # Ok::<(), edgeflag::Error>(())
/// ```
///
/// # What protects a client against rollback
///
/// - **With a high-water mark** (a client that persisted the newest snapshot it accepted, or
///   one that already loaded one in this session): no version below the mark loads, and the
///   mark's version loads only with the very bytes accepted. This holds for as long as the
///   mark is kept, whatever an attacker replays.
/// - **Without one** (a first visit, a private window, cleared storage, a cold edge isolate):
///   any validly signed snapshot for the owner and environment could be replayed, up to
///   whatever bounds the policy sets: [`min_version`](TrustPolicyBuilder::min_version) (a
///   floor shipped with the client), [`max_age_ms`](TrustPolicyBuilder::max_age_ms) (nothing
///   issued longer ago than that) and the snapshot's own expiry, itself bounded by
///   [`max_validity_ms`](TrustPolicyBuilder::max_validity_ms). With a backend that signs
///   snapshots valid for an hour (`edgeflag serve`'s default) and re-signs them at half-life,
///   a fresh client accepts nothing more than an hour old, or `max_age` if that is shorter:
///   a kill switch reaches every client within that bound even if a cache replays the old
///   snapshot.
#[derive(Clone, Debug)]
pub struct TrustPolicy {
    keys: Vec<PublicKey>,
    threshold: usize,
    environment: String,
    owner: Option<String>,
    clock_skew_ms: u64,
    min_version: u64,
    max_age_ms: Option<u64>,
    max_validity_ms: u64,
    max_signature_attempts: usize,
    limits: Limits,
}

impl TrustPolicy {
    /// Starts a policy for the client's `environment` (required: a client always serves one).
    pub fn builder(environment: impl Into<String>) -> TrustPolicyBuilder {
        TrustPolicyBuilder {
            keys: Vec::new(),
            error: None,
            threshold: 1,
            environment: environment.into(),
            owner: None,
            any_owner: false,
            clock_skew_ms: DEFAULT_CLOCK_SKEW_MS,
            min_version: 0,
            max_age_ms: None,
            max_validity_ms: DEFAULT_MAX_VALIDITY_MS,
            max_signature_attempts: DEFAULT_MAX_SIGNATURE_ATTEMPTS,
            limits: Limits::default(),
        }
    }

    /// The pinned keys, distinct, in the order they were configured.
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }

    /// How many distinct pinned keys must have signed an envelope.
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// The environment a snapshot must name.
    pub fn environment(&self) -> &str {
        &self.environment
    }

    /// The owner a snapshot must name, or `None` when the host opted into any owner
    /// ([`TrustPolicyBuilder::any_owner`]).
    pub fn owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }

    /// How far the host's clock may be off: a snapshot is still accepted this long after its
    /// `expiresAt`, and this long before its `issuedAt`.
    pub fn clock_skew_ms(&self) -> u64 {
        self.clock_skew_ms
    }

    /// The lowest version accepted (0: any).
    pub fn min_version(&self) -> u64 {
        self.min_version
    }

    /// The oldest `issuedAt` accepted, as an age in milliseconds (`None`: no limit but expiry).
    pub fn max_age_ms(&self) -> Option<u64> {
        self.max_age_ms
    }

    /// The longest validity (`expiresAt` - `issuedAt`) accepted, in milliseconds.
    pub fn max_validity_ms(&self) -> u64 {
        self.max_validity_ms
    }

    /// The most signature verifications one envelope may cost (signatures x pinned keys).
    pub fn max_signature_attempts(&self) -> usize {
        self.max_signature_attempts
    }

    /// The limits envelopes and payloads are parsed and compiled under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}

/// Collects a [`TrustPolicy`]; [`build`](Self::build) checks it as a whole.
#[derive(Clone, Debug)]
#[must_use]
pub struct TrustPolicyBuilder {
    keys: Vec<PublicKey>,
    // The first malformed key, kept so the chain of calls stays simple and `build` reports it.
    error: Option<Error>,
    threshold: usize,
    environment: String,
    owner: Option<String>,
    any_owner: bool,
    clock_skew_ms: u64,
    min_version: u64,
    max_age_ms: Option<u64>,
    max_validity_ms: u64,
    max_signature_attempts: usize,
    limits: Limits,
}

impl TrustPolicyBuilder {
    /// Pins a key given as text: `ed25519:<base64>` or an SPKI PEM block.
    pub fn key(mut self, text: &str) -> Self {
        match PublicKey::parse(text) {
            Ok(key) => self.keys.push(key),
            Err(err) => self.remember(err),
        }
        self
    }

    /// Pins several keys given as text.
    pub fn keys<S: AsRef<str>>(self, texts: impl IntoIterator<Item = S>) -> Self {
        texts
            .into_iter()
            .fold(self, |builder, text| builder.key(text.as_ref()))
    }

    /// Pins an already parsed key.
    pub fn public_key(mut self, key: PublicKey) -> Self {
        self.keys.push(key);
        self
    }

    /// Requires this many distinct pinned keys to sign (default 1).
    pub fn threshold(mut self, threshold: usize) -> Self {
        self.threshold = threshold;
        self
    }

    /// Accepts only snapshots of this owner. Required, unless [`any_owner`](Self::any_owner)
    /// says otherwise: with one key signing for two owners, a client without an owner would
    /// take either's snapshot (and make it its high-water mark).
    pub fn owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self
    }

    /// Accepts snapshots of any owner signed by the pinned keys: an explicit opt-out of the
    /// owner check, for tools that inspect snapshots of several owners.
    pub fn any_owner(mut self) -> Self {
        self.any_owner = true;
        self
    }

    /// Sets the clock-skew allowance in milliseconds (default five minutes, at most a day).
    pub fn clock_skew_ms(mut self, clock_skew_ms: u64) -> Self {
        self.clock_skew_ms = clock_skew_ms;
        self
    }

    /// Refuses snapshots whose version is below `version` (default 0: none): a floor a client
    /// can ship with, for when it has no high-water mark of its own.
    pub fn min_version(mut self, version: u64) -> Self {
        self.min_version = version;
        self
    }

    /// Refuses snapshots issued more than `ms` milliseconds before the host's clock (beyond
    /// the skew allowance). Default: no limit but the snapshot's expiry.
    pub fn max_age_ms(mut self, ms: u64) -> Self {
        self.max_age_ms = Some(ms);
        self
    }

    /// Refuses snapshots valid for longer than `ms` milliseconds (`expiresAt` - `issuedAt`;
    /// default 30 days).
    pub fn max_validity_ms(mut self, ms: u64) -> Self {
        self.max_validity_ms = ms;
        self
    }

    /// Sets how many signature verifications one envelope may cost (signatures x pinned
    /// keys; default 64). An envelope over it is refused before any signature is checked.
    pub fn max_signature_attempts(mut self, attempts: usize) -> Self {
        self.max_signature_attempts = attempts;
        self
    }

    /// Sets the parsing and compilation limits (default: [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Checks the configuration as a whole; every refusal is an [`Error::Policy`].
    ///
    /// A key pinned twice is refused rather than silently collapsed: it is almost always a
    /// copy-paste slip where a second, different key was meant, and collapsing it would leave
    /// a threshold of 2 impossible to meet or, worse, make the operator believe two keys guard
    /// the snapshot when one does.
    pub fn build(self) -> Result<TrustPolicy, Error> {
        if let Some(err) = self.error {
            return Err(err);
        }
        if self.environment.is_empty() {
            return Err(policy("environment is empty"));
        }
        if self.keys.is_empty() {
            return Err(policy("no pinned keys"));
        }
        for (i, key) in self.keys.iter().enumerate() {
            if let Some(first) = self.keys.iter().take(i).position(|k| k == key) {
                return Err(policy(
                    Msg::new("keys[")
                        .num(i)
                        .text("]: ")
                        .text(&key.compact())
                        .text(" is already pinned as keys[")
                        .num(first)
                        .text("]; each key counts once, pin it once")
                        .finish(),
                ));
            }
        }
        if self.threshold == 0 {
            return Err(policy("threshold is 0; at least one signature is required"));
        }
        if self.threshold > self.keys.len() {
            return Err(policy(
                Msg::new("threshold ")
                    .num(self.threshold)
                    .text(" is impossible with ")
                    .num(self.keys.len())
                    .text(" pinned key(s)")
                    .finish(),
            ));
        }
        if self.threshold > MAX_SIGNATURES {
            return Err(policy(
                Msg::new("threshold ")
                    .num(self.threshold)
                    .text(" is impossible: an envelope carries at most ")
                    .num(MAX_SIGNATURES)
                    .text(" signatures")
                    .finish(),
            ));
        }
        if self.max_validity_ms == 0 {
            return Err(policy("max validity is 0: no snapshot could load"));
        }
        if self.max_age_ms == Some(0) {
            return Err(policy("max age is 0: no snapshot could load"));
        }
        let needed = self.threshold.saturating_mul(self.keys.len());
        if self.max_signature_attempts < needed {
            return Err(policy(
                Msg::new("max signature attempts ")
                    .num(self.max_signature_attempts)
                    .text(" is below the ")
                    .num(needed)
                    .text(" a threshold of ")
                    .num(self.threshold)
                    .text(" with ")
                    .num(self.keys.len())
                    .text(" pinned key(s) may need")
                    .finish(),
            ));
        }
        if self.clock_skew_ms > MAX_CLOCK_SKEW_MS {
            return Err(policy(
                Msg::new("clock skew of ")
                    .num(self.clock_skew_ms)
                    .text(" ms is over the maximum of ")
                    .num(MAX_CLOCK_SKEW_MS)
                    .text(" ms (one day)")
                    .finish(),
            ));
        }
        match (&self.owner, self.any_owner) {
            (Some(owner), false) if owner.is_empty() => {
                return Err(policy(
                    "owner is empty: name the owner whose snapshots to accept",
                ))
            }
            (None, false) => {
                return Err(policy(
                    "no owner: name the owner whose snapshots to accept, or opt into any \
                     owner explicitly",
                ));
            }
            (Some(_), true) => {
                return Err(policy(
                    "an owner and any owner both asked for: name one owner, or accept any",
                ));
            }
            _ => {}
        }
        Ok(TrustPolicy {
            keys: self.keys,
            threshold: self.threshold,
            environment: self.environment,
            owner: self.owner,
            clock_skew_ms: self.clock_skew_ms,
            min_version: self.min_version,
            max_age_ms: self.max_age_ms,
            max_validity_ms: self.max_validity_ms,
            max_signature_attempts: self.max_signature_attempts,
            limits: self.limits,
        })
    }

    fn remember(&mut self, err: Error) {
        if self.error.is_none() {
            let message = match err {
                Error::Policy { message } => message,
                other => other.message(),
            };
            // Name the key's position: a policy often pins several keys from one list.
            self.error = Some(policy(
                Msg::new("keys[")
                    .num(self.keys.len())
                    .text("]: ")
                    .text(&message)
                    .finish(),
            ));
        }
    }
}

fn policy(message: impl Into<String>) -> Error {
    Error::Policy {
        message: message.into(),
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
