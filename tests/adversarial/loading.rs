//! Cases 11 and 12: invalid snapshots refused at load; pathological conditions stay false and fast.

use super::*;

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

pub(super) fn invalid_payloads() -> Vec<(&'static str, Json)> {
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
