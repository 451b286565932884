//! What a policy accepts and refuses when it is built.

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
fn defaults_to_threshold_one_five_minutes_thirty_days_validity_no_floor() {
    let policy = TrustPolicy::builder("production")
        .key(KEY_A)
        .owner("shop")
        .build()
        .unwrap();
    assert_eq!(policy.threshold(), 1);
    assert_eq!(policy.clock_skew_ms(), 300_000);
    assert_eq!(policy.owner(), Some("shop"));
    assert_eq!(policy.environment(), "production");
    assert_eq!(policy.limits(), &Limits::default());
    assert_eq!(policy.keys().len(), 1);
    assert_eq!(policy.min_version(), 0);
    assert_eq!(policy.max_age_ms(), None);
    assert_eq!(policy.max_validity_ms(), 30 * 86_400_000);
    assert_eq!(policy.max_signature_attempts(), 64);
}

#[test]
fn an_owner_is_required_unless_any_owner_is_asked_for_explicitly() {
    let none = TrustPolicy::builder("production").key(KEY_A).build();
    assert!(message(none.unwrap_err()).starts_with("no owner: "));
    let any = TrustPolicy::builder("production")
        .key(KEY_A)
        .any_owner()
        .build()
        .unwrap();
    assert_eq!(any.owner(), None);
    let both = TrustPolicy::builder("production")
        .key(KEY_A)
        .owner("shop")
        .any_owner()
        .build();
    assert!(message(both.unwrap_err()).contains("both asked for"));
}

#[test]
fn freshness_options_are_kept_and_impossible_ones_refused() {
    let policy = TrustPolicy::builder("p")
        .key(KEY_A)
        .owner("o")
        .min_version(42)
        .max_age_ms(3_600_000)
        .max_validity_ms(86_400_000)
        .build()
        .unwrap();
    assert_eq!(policy.min_version(), 42);
    assert_eq!(policy.max_age_ms(), Some(3_600_000));
    assert_eq!(policy.max_validity_ms(), 86_400_000);
    let base = || TrustPolicy::builder("p").key(KEY_A).owner("o");
    assert!(message(base().max_age_ms(0).build().unwrap_err()).contains("max age is 0"));
    assert!(message(base().max_validity_ms(0).build().unwrap_err()).contains("validity is 0"));
}

#[test]
fn signature_attempts_must_cover_a_threshold_against_every_key() {
    let base = || {
        TrustPolicy::builder("p")
            .keys([KEY_A, KEY_B])
            .threshold(2)
            .owner("o")
    };
    let low = base().max_signature_attempts(3).build().unwrap_err();
    assert!(message(low).contains("below the 4 a threshold of 2 with 2 pinned key(s)"));
    assert_eq!(
        base()
            .max_signature_attempts(4)
            .build()
            .unwrap()
            .max_signature_attempts(),
        4
    );
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
    let zero = TrustPolicy::builder("p")
        .key(KEY_A)
        .owner("o")
        .threshold(0)
        .build();
    assert!(message(zero.unwrap_err()).contains("threshold is 0"));
    let three = TrustPolicy::builder("p")
        .keys([KEY_A, KEY_B])
        .owner("o")
        .threshold(3);
    assert!(message(three.build().unwrap_err()).contains("impossible with 2"));
}

#[test]
fn refuses_no_keys_malformed_keys_and_weak_keys() {
    let none = TrustPolicy::builder("p").owner("o").build().unwrap_err();
    assert_eq!(message(none), "no pinned keys");
    let malformed = TrustPolicy::builder("p")
        .owner("o")
        .key(KEY_A)
        .key("ed25519:AAAA")
        .build();
    assert!(message(malformed.unwrap_err()).starts_with("keys[1]: "));
    let identity = "ed25519:AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let weak = TrustPolicy::builder("p")
        .owner("o")
        .key(identity)
        .build()
        .unwrap_err();
    assert!(message(weak).contains("weak"));
}

#[test]
fn refuses_a_key_pinned_twice_even_in_another_form() {
    let pem = PublicKey::parse(KEY_A).unwrap().to_pem();
    let twice = TrustPolicy::builder("p")
        .owner("o")
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
        .owner("o")
        .clock_skew_ms(MAX_CLOCK_SKEW_MS + 1);
    assert!(message(skew.build().unwrap_err()).contains("clock skew"));
    let max = TrustPolicy::builder("p")
        .key(KEY_A)
        .owner("o")
        .clock_skew_ms(MAX_CLOCK_SKEW_MS);
    assert!(max.build().is_ok());
}
