//! The trust policy of a client: which keys it pins, how many of them must sign, which
//! environment (and optionally which owner) it serves, and how much clock skew it forgives.
//! Everything that could make verification meaningless (no keys, a weak key, a threshold no
//! envelope can meet) is refused here, when the host configures the client, not later when a
//! snapshot arrives.

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

/// What a client trusts; built with [`TrustPolicy::builder`].
///
/// ```
/// use edgeflag::envelope::TrustPolicy;
///
/// let policy = TrustPolicy::builder("production")
///     .key("ed25519:fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=")
///     .owner("checkout-service")
///     .build()?;
/// assert_eq!(policy.threshold(), 1);
/// # Ok::<(), edgeflag::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct TrustPolicy {
    keys: Vec<PublicKey>,
    threshold: usize,
    environment: String,
    owner: Option<String>,
    clock_skew_ms: u64,
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
            clock_skew_ms: DEFAULT_CLOCK_SKEW_MS,
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

    /// The owner a snapshot must name, or `None` when any owner is accepted.
    pub fn owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }

    /// How long after `expiresAt` (by the host's clock) a snapshot is still accepted.
    pub fn clock_skew_ms(&self) -> u64 {
        self.clock_skew_ms
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
    clock_skew_ms: u64,
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

    /// Accepts only snapshots of this owner (default: any owner).
    pub fn owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self
    }

    /// Sets the clock-skew allowance in milliseconds (default five minutes, at most a day).
    pub fn clock_skew_ms(mut self, clock_skew_ms: u64) -> Self {
        self.clock_skew_ms = clock_skew_ms;
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
        if self.owner.as_deref() == Some("") {
            return Err(policy(
                "owner is empty (leave it unset to accept any owner)",
            ));
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
        Ok(TrustPolicy {
            keys: self.keys,
            threshold: self.threshold,
            environment: self.environment,
            owner: self.owner,
            clock_skew_ms: self.clock_skew_ms,
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
mod tests {
    use super::*;

    const KEY_A: &str = "ed25519:fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=";
    // RFC 8032 test 1 public key.
    const KEY_B: &str = "ed25519:11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    fn message(err: Error) -> String {
        match err {
            Error::Policy { message } => message,
            other => panic!("expected a policy error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_to_threshold_one_five_minutes_any_owner() {
        let policy = TrustPolicy::builder("production")
            .key(KEY_A)
            .build()
            .unwrap();
        assert_eq!(policy.threshold(), 1);
        assert_eq!(policy.clock_skew_ms(), 300_000);
        assert_eq!(policy.owner(), None);
        assert_eq!(policy.environment(), "production");
        assert_eq!(policy.limits(), &Limits::default());
        assert_eq!(policy.keys().len(), 1);
    }

    #[test]
    fn accepts_a_threshold_up_to_the_number_of_keys() {
        let policy = TrustPolicy::builder("production")
            .keys([KEY_A, KEY_B])
            .threshold(2)
            .owner("shop")
            .build()
            .unwrap();
        assert_eq!(policy.threshold(), 2);
        assert_eq!(policy.owner(), Some("shop"));
    }

    #[test]
    fn refuses_impossible_thresholds() {
        let zero = TrustPolicy::builder("p").key(KEY_A).threshold(0).build();
        assert!(message(zero.unwrap_err()).contains("threshold is 0"));
        let three = TrustPolicy::builder("p").keys([KEY_A, KEY_B]).threshold(3);
        assert!(message(three.build().unwrap_err()).contains("impossible with 2"));
    }

    #[test]
    fn refuses_no_keys_malformed_keys_and_weak_keys() {
        let none = TrustPolicy::builder("p").build().unwrap_err();
        assert_eq!(message(none), "no pinned keys");
        let malformed = TrustPolicy::builder("p")
            .key(KEY_A)
            .key("ed25519:AAAA")
            .build();
        assert!(message(malformed.unwrap_err()).starts_with("keys[1]: "));
        let identity = "ed25519:AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        let weak = TrustPolicy::builder("p").key(identity).build().unwrap_err();
        assert!(message(weak).contains("weak"));
    }

    #[test]
    fn refuses_a_key_pinned_twice_even_in_another_form() {
        let pem = PublicKey::parse(KEY_A).unwrap().to_pem();
        let twice = TrustPolicy::builder("p")
            .keys([KEY_A, KEY_B, &pem])
            .build()
            .unwrap_err();
        assert!(message(twice).contains("keys[2]: ed25519:fU0O"));
    }

    #[test]
    fn refuses_empty_environment_empty_owner_and_unbounded_skew() {
        let env = TrustPolicy::builder("").key(KEY_A).build().unwrap_err();
        assert_eq!(message(env), "environment is empty");
        let owner = TrustPolicy::builder("p").key(KEY_A).owner("").build();
        assert!(message(owner.unwrap_err()).starts_with("owner is empty"));
        let skew = TrustPolicy::builder("p")
            .key(KEY_A)
            .clock_skew_ms(MAX_CLOCK_SKEW_MS + 1);
        assert!(message(skew.build().unwrap_err()).contains("clock skew"));
        let max = TrustPolicy::builder("p")
            .key(KEY_A)
            .clock_skew_ms(MAX_CLOCK_SKEW_MS);
        assert!(max.build().is_ok());
    }
}
