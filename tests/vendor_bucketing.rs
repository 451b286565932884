//! Vendor bucketing (FORMAT.md §7): the hashes against the vendors' own libraries
//! (`tests/vectors/vendor_bucketing.json`, from `gen_vendor_bucketing.mjs`) and GrowthBook's own
//! `hash` cases; rollouts and `inBucket` reproducing the vendors' assignments (Unleash's client
//! specification, flagd-core); by-lists, fall-through rollouts and their load errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use edgeflag::bucketing::{self, Bucketing};
use edgeflag::{Context, ErrorCode, Limits, Reason, Snapshot, Value};
use serde_json::{json, Value as Json};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests");
const NOW: i64 = 1_795_000_000_000;

fn read_json(rel: &str) -> Json {
    let text = std::fs::read_to_string(format!("{ROOT}/{rel}")).expect("read the file");
    serde_json::from_str(&text).expect("JSON")
}

fn vectors() -> Json {
    read_json("vectors/vendor_bucketing.json")
}

fn payload(flags: Json) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "schema": "edgeflag/v1.1", "owner": "tests", "environment": "test", "version": 1,
        "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
        "flags": flags,
    }))
    .unwrap()
}

fn load(flags: Json) -> Snapshot {
    Snapshot::load(&payload(flags), &Limits::default()).expect("the snapshot loads")
}

fn load_error(flags: Json) -> String {
    match Snapshot::load(&payload(flags), &Limits::default()) {
        Ok(_) => panic!("the snapshot loaded"),
        Err(e) => e.to_string(),
    }
}

fn ctx(snapshot: &Snapshot, pairs: &[(&str, Json)]) -> edgeflag::CompiledContext {
    let pairs: Vec<(&str, Value)> = pairs.iter().map(|(k, v)| (*k, scalar(v))).collect();
    snapshot.context(&Context::from_pairs(pairs))
}

/// A scalar context value (the tests need no others).
fn scalar(v: &Json) -> Value {
    match v {
        Json::String(s) => Value::from(s.as_str()),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::from(i),
            None => Value::from(n.as_f64().unwrap()),
        },
        other => panic!("not a scalar: {other}"),
    }
}

fn s(v: &Json) -> &str {
    v.as_str().expect("a string")
}

fn n(v: &Json) -> u32 {
    u32::try_from(v.as_u64().expect("an integer")).unwrap()
}

// ---- the hashes -------------------------------------------------------------------------------

#[test]
fn murmur3_matches_published_vectors_and_the_vendors_libraries() {
    let all = vectors();
    let cases = all["murmur3_x86_32"].as_array().unwrap();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    for c in cases {
        let input = s(&c["input"]);
        let got = bucketing::murmur3_x86_32(input.as_bytes(), n(&c["seed"]));
        assert_eq!(got, n(&c["hash"]), "{input:?} seed {}", c["seed"]);
    }
    // Two by heart, so that a regenerated file cannot silently change the reference.
    assert_eq!(bucketing::murmur3_x86_32(b"", 1), 0x514e_28b7);
    assert_eq!(
        bucketing::murmur3_x86_32(b"The quick brown fox jumps over the lazy dog", 0x9747_b28c),
        0x2fa8_26cd
    );
}

#[test]
fn unleash_normalized_values_match_unleash_client_node() {
    let all = vectors();
    let cases = all["unleash"].as_array().unwrap();
    assert!(cases.len() >= 100);
    for c in cases {
        let (id, group) = (s(&c["id"]), s(&c["groupId"]));
        let (normalizer, seed) = (n(&c["normalizer"]), n(&c["seed"]));
        let want = n(&c["value"]);
        assert_eq!(
            bucketing::unleash_normalized_value(id, group, normalizer, seed),
            want,
            "{c}"
        );
        // The format's murmur3 bucketing is that value minus one.
        let b = Bucketing::Murmur3 {
            seed,
            buckets: normalizer,
        };
        assert_eq!(b.bucket(group, id) + 1, want, "{c}");
    }
}

#[test]
fn growthbook_hash_section_of_its_own_cases_passes() {
    let cases = read_json("conformance/growthbook/cases.json");
    let cases = cases["hash"].as_array().unwrap();
    assert_eq!(cases.len(), 15, "GrowthBook's hash section changed size");
    for c in cases {
        let (seed, value, version) = (s(&c[0]), s(&c[1]), n(&c[2]));
        let got = bucketing::growthbook_hash(seed, value, version);
        match c[3].as_f64() {
            None => assert_eq!(got, None, "{c}"),
            Some(expected) => {
                let scale = if version == 1 { 1000.0 } else { 10000.0 };
                let got = got.unwrap_or_else(|| panic!("no bucket for {c}"));
                assert_eq!(f64::from(got) / scale, expected, "{c}");
            }
        }
    }
}

#[test]
fn growthbook_buckets_match_growthbook_hash_including_utf16() {
    let all = vectors();
    let cases = all["growthbook"].as_array().unwrap();
    assert!(cases.len() >= 80);
    let mut non_ascii = 0;
    for c in cases {
        let (seed, value, version) = (s(&c["seed"]), s(&c["value"]), n(&c["version"]));
        non_ascii += usize::from(!seed.is_ascii() || !value.is_ascii());
        let kind = if version == 1 {
            Bucketing::Fnv1aV1
        } else {
            Bucketing::Fnv1aV2
        };
        assert_eq!(kind.bucket(seed, value), n(&c["bucket"]), "{c}");
    }
    assert!(non_ascii >= 30, "too few non-ASCII cases: {non_ascii}");
}

#[test]
fn fractional_rollouts_reproduce_flagd_core() {
    let all = vectors();
    let cases = all["fractional"].as_array().unwrap();
    assert!(cases.len() >= 70);
    for c in cases {
        let weights: Vec<u32> = c["weights"].as_array().unwrap().iter().map(n).collect();
        let total: u32 = weights.iter().sum();
        let names: serde_json::Map<String, Json> = (0..weights.len())
            .map(|i| (format!("v{i}"), json!(format!("v{i}"))))
            .collect();
        let entries: Vec<Json> = weights
            .iter()
            .enumerate()
            .map(|(i, w)| json!({ "variant": format!("v{i}"), "weight": w }))
            .collect();
        let key = s(&c["flagKey"]);
        let snapshot = load(json!({ key: {
            "type": "string", "variants": names, "offVariant": "v0",
            "defaultServe": { "rollout": {
                "bucketing": { "hash": "fractional", "buckets": total },
                "weights": entries } } } }));
        let cx = ctx(&snapshot, &[("targetingKey", c["targetingKey"].clone())]);
        let got = snapshot.string_details(key, &cx, "none", NOW);
        assert_eq!(got.value, format!("v{}", c["variant"]), "{c}");
        assert_eq!(got.reason, Reason::Split);
    }
}

// ---- Unleash's client specification, translated by hand ----------------------------------

fn unleash_spec(file: &str) -> Json {
    read_json(&format!(
        "conformance/unleash-client-specification/specifications/{file}"
    ))
}

/// One Unleash percentage strategy as an edgeflag rule, the way the importer writes it: 0% is
/// no rule at all; 100% with Unleash's random fallback (stickiness `default`) serves outright;
/// anything else is a fall-through rollout over Unleash's 100 buckets (a unit without any of
/// the `by` attributes passes on, as Unleash's strategy is then off).
fn percentage_rule(by: Json, group: &str, percent: u32, random: bool) -> Option<Json> {
    let mut weights = vec![json!({ "variant": "on", "weight": percent })];
    if percent < 100 {
        weights.push(json!({ "weight": 100 - percent }));
    }
    match percent {
        0 => None,
        100 if random => Some(json!({ "serve": { "variant": "on" } })),
        _ => Some(json!({ "serve": { "rollout": {
            "by": by, "salt": group, "fallThrough": true,
            "bucketing": { "hash": "murmur3", "seed": 0, "buckets": 100 },
            "weights": weights } } })),
    }
}

fn boolean_flag(rules: Vec<Json>) -> Json {
    json!({ "type": "boolean", "variants": { "on": true, "off": false }, "offVariant": "off",
            "rules": rules })
}

/// Runs every `tests` case of a spec file whose feature `translate` could express.
fn run_unleash_tests(file: &str, translate: impl Fn(&Json) -> Option<Vec<Json>>) -> usize {
    let spec = unleash_spec(file);
    let mut flags = serde_json::Map::new();
    for f in spec["state"]["features"].as_array().unwrap() {
        if let Some(rules) = translate(f) {
            flags.insert(s(&f["name"]).to_owned(), boolean_flag(rules));
        }
    }
    let snapshot = load(Json::Object(flags.clone()));
    let mut ran = 0;
    for t in spec["tests"].as_array().unwrap() {
        let name = s(&t["toggleName"]);
        if !flags.contains_key(name) {
            continue;
        }
        let pairs: Vec<(&str, Json)> = t["context"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let cx = ctx(&snapshot, &pairs);
        let got = snapshot.bool_details(name, &cx, false, NOW);
        assert_eq!(got.value, t["expectedResult"], "{}", t["description"]);
        assert_eq!(got.error_code, None, "{}", t["description"]);
        ran += 1;
    }
    ran
}

#[test]
fn unleash_gradual_rollout_user_id_cases_pass() {
    let ran = run_unleash_tests("03-gradual-rollout-user-id-strategy.json", |f| {
        let mut rules = Vec::new();
        for st in f["strategies"].as_array().unwrap() {
            match s(&st["name"]) {
                "gradualRolloutUserId" => {
                    let p = &st["parameters"];
                    let pct = s(&p["percentage"]).parse().unwrap();
                    rules.extend(percentage_rule(
                        json!("userId"),
                        s(&p["groupId"]),
                        pct,
                        false,
                    ));
                }
                "default" => rules.push(json!({ "serve": { "variant": "on" } })),
                _ => return None,
            }
        }
        Some(rules)
    });
    assert_eq!(ran, 6);
}

#[test]
fn unleash_flexible_rollout_cases_pass() {
    let ran = run_unleash_tests("10-flexible-rollout-strategy.json", |f| {
        let mut rules = Vec::new();
        for st in f["strategies"].as_array().unwrap() {
            let p = &st["parameters"];
            let constrained = st["constraints"].as_array().is_some_and(|c| !c.is_empty());
            if s(&st["name"]) != "flexibleRollout" || constrained {
                return None;
            }
            let (by, random) = match s(&p["stickiness"]) {
                "default" => (json!(["userId", "sessionId"]), true),
                other => (json!(other), false),
            };
            let group = p["groupId"].as_str().unwrap_or(s(&f["name"]));
            let pct = s(&p["rollout"]).parse().unwrap();
            rules.extend(percentage_rule(by, group, pct, random));
        }
        Some(rules)
    });
    assert!(ran >= 9, "only {ran} cases ran");
}

#[test]
fn unleash_variant_cases_pass() {
    let spec = unleash_spec("08-variants.json");
    let mut flags = serde_json::Map::new();
    for f in spec["state"]["features"].as_array().unwrap() {
        let name = s(&f["name"]);
        let variants = f["variants"].as_array().unwrap();
        let plain = variants
            .iter()
            .all(|v| v.get("overrides").is_none() && v.get("stickiness").is_none());
        // Only features with no strategies (enabled for everyone) and plain variants.
        if !f["strategies"].as_array().unwrap().is_empty() || variants.is_empty() || !plain {
            continue;
        }
        let total: u64 = variants.iter().map(|v| v["weight"].as_u64().unwrap()).sum();
        let names: serde_json::Map<String, Json> = variants
            .iter()
            .map(|v| (s(&v["name"]).to_owned(), v["name"].clone()))
            .chain([("disabled".to_owned(), json!("disabled"))])
            .collect();
        let weights: Vec<Json> = variants
            .iter()
            .map(|v| json!({ "variant": v["name"], "weight": v["weight"] }))
            .collect();
        flags.insert(
            name.to_owned(),
            json!({ "type": "string", "variants": names, "offVariant": "disabled",
                    "defaultServe": { "rollout": {
                        "by": ["userId", "sessionId"], "salt": name,
                        "bucketing": { "hash": "murmur3", "seed": bucketing::UNLEASH_VARIANT_SEED,
                                       "buckets": total },
                        "weights": weights } } }),
        );
    }
    let snapshot = load(Json::Object(flags.clone()));
    let mut ran = 0;
    for t in spec["variantTests"].as_array().unwrap() {
        let name = s(&t["toggleName"]);
        let has_unit =
            t["context"].get("userId").is_some() || t["context"].get("sessionId").is_some();
        if !flags.contains_key(name) || !has_unit {
            continue;
        }
        let pairs: Vec<(&str, Json)> = t["context"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        let cx = ctx(&snapshot, &pairs);
        let got = snapshot.string_details(name, &cx, "none", NOW);
        assert_eq!(
            got.value,
            s(&t["expectedResult"]["name"]),
            "{}",
            t["description"]
        );
        ran += 1;
    }
    assert!(ran >= 7, "only {ran} cases ran");
}

// ---- by-lists, fall-through, inBucket --------------------------------------------------------

#[test]
fn a_by_list_uses_the_first_attribute_present_as_a_unit() {
    let kind = Bucketing::Murmur3 {
        seed: 0,
        buckets: 100,
    };
    let snapshot = load(json!({ "f": {
        "type": "number", "variants": (0..100).map(|i| (format!("b{i}"), json!(i)))
            .collect::<serde_json::Map<_, _>>(),
        "offVariant": "b0",
        "defaultServe": { "rollout": { "by": ["userId", "sessionId"], "salt": "g",
            "bucketing": { "hash": "murmur3", "seed": 0, "buckets": 100 },
            "weights": (0..100).map(|i| json!({ "variant": format!("b{i}"), "weight": 1 }))
                .collect::<Vec<_>>() } } } }));
    let bucket_of = |pairs: &[(&str, Json)]| {
        let cx = ctx(&snapshot, pairs);
        let d = snapshot.number_details("f", &cx, -1.0, NOW);
        (d.value, d.reason, d.error_code)
    };
    let by_user = f64::from(kind.bucket("g", "u-1"));
    let by_session = f64::from(kind.bucket("g", "s-1"));
    assert_ne!(by_user, by_session, "pick units that bucket apart");
    assert_eq!(
        bucket_of(&[("userId", json!("u-1")), ("sessionId", json!("s-1"))]).0,
        by_user
    );
    assert_eq!(bucket_of(&[("sessionId", json!("s-1"))]).0, by_session);
    // Present but not a unit (a boolean, a fraction): the next attribute is used.
    assert_eq!(
        bucket_of(&[("userId", json!(true)), ("sessionId", json!("s-1"))]).0,
        by_session
    );
    assert_eq!(
        bucket_of(&[("userId", json!(1.5)), ("sessionId", json!("s-1"))]).0,
        by_session
    );
    // An integer is its plain decimal, as for xxh3 rollouts.
    assert_eq!(
        bucket_of(&[("userId", json!(42))]).0,
        f64::from(kind.bucket("g", "42"))
    );
    // Under a vendor's hash an empty string is no unit, as the vendors read it.
    assert_eq!(
        bucket_of(&[("userId", json!("")), ("sessionId", json!("s-1"))]).0,
        by_session
    );
    assert_eq!(bucket_of(&[("userId", json!(""))]).0, -1.0);
    // None of them, without fallThrough: the caller's default and TARGETING_KEY_MISSING.
    let (value, reason, code) = bucket_of(&[("other", json!("x"))]);
    assert_eq!((value, reason), (-1.0, Reason::Error));
    assert_eq!(code, Some(ErrorCode::TargetingKeyMissing));
}

/// A GrowthBook-style experiment: 50% coverage split evenly, then a rule for the rest.
fn gap_flag() -> Snapshot {
    load(json!({ "exp": {
        "type": "string", "variants": { "a": "a", "b": "b", "rest": "rest", "off": "off" },
        "offVariant": "off",
        "rules": [
            { "id": "experiment", "serve": { "rollout": {
                "by": ["id", "deviceId"], "salt": "exp-seed", "fallThrough": true,
                "bucketing": { "hash": "fnv1a32-v2" },
                "weights": [ { "weight": 2500 }, { "variant": "a", "weight": 2500 },
                             { "variant": "b", "weight": 2500 }, { "weight": 2500 } ] } } },
            { "id": "beta", "conditions": [ { "attribute": "beta", "op": "in", "values": [true] } ],
              "serve": { "variant": "rest" } }
        ] } }))
}

#[test]
fn fall_through_rollouts_serve_inside_and_pass_on_gaps_and_missing_units() {
    let snapshot = gap_flag();
    let mut seen = [0usize; 4];
    for i in 0..400 {
        let unit = format!("user-{i}");
        let b = Bucketing::Fnv1aV2.bucket("exp-seed", &unit);
        for beta in [false, true] {
            let cx = ctx(&snapshot, &[("id", json!(unit)), ("beta", json!(beta))]);
            let d = snapshot.string_details("exp", &cx, "default", NOW);
            let (want, reason, rule) = match (b, beta) {
                (2500..=4999, _) => ("a", Reason::Split, Some("experiment")),
                (5000..=7499, _) => ("b", Reason::Split, Some("experiment")),
                (_, true) => ("rest", Reason::TargetingMatch, Some("beta")),
                (_, false) => ("off", Reason::Static, None),
            };
            assert_eq!(
                (d.value, d.reason, d.rule_id),
                (want, reason, rule),
                "{unit} bucket {b}"
            );
            assert!(!d.in_experiment);
        }
        seen[(b / 2500) as usize] += 1;
    }
    assert!(
        seen.iter().all(|n| *n > 50),
        "units in every quarter: {seen:?}"
    );
    // No unit at all: on to the next rule, never TARGETING_KEY_MISSING.
    let cx = ctx(&snapshot, &[("beta", json!(true))]);
    let d = snapshot.string_details("exp", &cx, "default", NOW);
    assert_eq!(
        (d.value, d.reason, d.error_code),
        ("rest", Reason::TargetingMatch, None)
    );
    let cx = ctx(&snapshot, &[]);
    let d = snapshot.string_details("exp", &cx, "default", NOW);
    assert_eq!(
        (d.value, d.reason, d.error_code),
        ("off", Reason::Static, None)
    );
}

#[test]
fn in_bucket_holds_exactly_for_buckets_in_its_ranges() {
    let all = vectors();
    let cases: Vec<&Json> = all["growthbook"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["version"] == 2)
        .collect();
    for c in cases {
        let (seed, unit, b) = (s(&c["seed"]), s(&c["value"]), n(&c["bucket"]));
        let cond = |values: Json, negate: bool| {
            json!({ "op": "inBucket", "by": "id", "salt": seed, "negate": negate,
                    "bucketing": { "hash": "fnv1a32-v2" }, "values": values })
        };
        let mut ranges = vec![
            (json!([[b, b + 1]]), true),
            (json!([[0, b], [b + 1, 10000]]), false),
        ];
        if b > 0 {
            ranges.push((json!([[0, 1], [b - 1, b + 1]]), true));
        }
        for (values, holds) in ranges {
            for negate in [false, true] {
                let snapshot = load(json!({ "f": boolean_flag(vec![json!({
                    "conditions": [cond(values.clone(), negate)], "serve": { "variant": "on" } })]) }));
                let cx = ctx(&snapshot, &[("id", json!(unit))]);
                assert_eq!(
                    snapshot.bool("f", &cx, false, NOW),
                    holds != negate,
                    "{c} {values}"
                );
                // Without the unit the condition does not hold, negated or not.
                let cx = ctx(&snapshot, &[("other", json!(unit))]);
                assert!(
                    !snapshot.bool("f", &cx, false, NOW),
                    "{c} {values} missing unit"
                );
            }
        }
    }
}

#[test]
fn xxh3_stays_the_default_and_can_be_named() {
    let weights =
        json!([ { "variant": "on", "weight": 30000 }, { "variant": "off", "weight": 70000 } ]);
    let snapshot = load(json!({
        "implicit": { "type": "boolean", "variants": { "on": true, "off": false }, "offVariant": "off",
                      "defaultServe": { "rollout": { "salt": "s", "weights": weights } } },
        "named": { "type": "boolean", "variants": { "on": true, "off": false }, "offVariant": "off",
                   "defaultServe": { "rollout": { "salt": "s", "bucketing": { "hash": "xxh3" },
                                                  "by": ["targetingKey"], "weights": weights } } } }));
    for i in 0..300 {
        let unit = format!("u{i}");
        let cx = ctx(&snapshot, &[("targetingKey", json!(unit))]);
        let want = edgeflag::bucket("s", &unit) < 30000;
        assert_eq!(snapshot.bool("implicit", &cx, !want, NOW), want);
        assert_eq!(snapshot.bool("named", &cx, !want, NOW), want);
    }
}

// ---- load errors -------------------------------------------------------------------------------

fn rollout_flag(rollout: Json) -> Json {
    json!({ "f": { "type": "boolean", "variants": { "on": true, "off": false }, "offVariant": "off",
                   "rules": [ { "serve": { "rollout": rollout } } ] } })
}

#[test]
fn bad_bucketing_is_refused_with_its_path() {
    let cases = [
        (
            rollout_flag(json!({ "bucketing": { "hash": "fnv1a32-v1" },
                "weights": [ { "variant": "on", "weight": 500 }, { "variant": "off", "weight": 400 } ] })),
            "flags.f.rules[0].serve.rollout.weights: weights sum to 900, they must sum to 1000",
        ),
        (
            rollout_flag(json!({ "bucketing": { "hash": "murmur3", "seed": 0, "buckets": 100 },
                "weights": [ { "variant": "on", "weight": 30000 }, { "variant": "off", "weight": 70000 } ] })),
            "flags.f.rules[0].serve.rollout.weights[0].weight: expected an integer from 0 to 100",
        ),
        (
            rollout_flag(json!({ "bucketing": { "hash": "md5" },
                "weights": [ { "variant": "on", "weight": 100000 } ] })),
            "flags.f.rules[0].serve.rollout.bucketing.hash: unknown hash \"md5\"",
        ),
        (
            rollout_flag(json!({ "bucketing": { "hash": "murmur3", "buckets": 100 },
                "weights": [ { "variant": "on", "weight": 100 } ] })),
            "flags.f.rules[0].serve.rollout.bucketing: missing field \"seed\"",
        ),
        (
            rollout_flag(json!({ "bucketing": { "hash": "fractional", "buckets": 0 },
                "weights": [ { "variant": "on", "weight": 0 } ] })),
            "flags.f.rules[0].serve.rollout.bucketing.buckets: must be at least 1",
        ),
        (
            rollout_flag(json!({ "weights": [ { "variant": "on", "weight": 50000 }, { "weight": 50000 } ] })),
            "flags.f.rules[0].serve.rollout.weights[1]: missing field \"variant\" (an entry without one is a gap, which needs \"fallThrough\": true)",
        ),
        (
            rollout_flag(json!({ "by": [], "weights": [ { "variant": "on", "weight": 100000 } ] })),
            "flags.f.rules[0].serve.rollout.by: must not be empty",
        ),
        (
            rollout_flag(json!({ "by": ["userId", ""], "weights": [ { "variant": "on", "weight": 100000 } ] })),
            "flags.f.rules[0].serve.rollout.by[1]: must not be empty",
        ),
        (
            rollout_flag(json!({ "by": 7, "weights": [ { "variant": "on", "weight": 100000 } ] })),
            "flags.f.rules[0].serve.rollout.by: expected an attribute name or a list of them, found",
        ),
        (
            rollout_flag(json!({ "fallThrough": "yes", "weights": [ { "variant": "on", "weight": 100000 } ] })),
            "flags.f.rules[0].serve.rollout.fallThrough: expected a boolean",
        ),
        (
            json!({ "f": { "type": "boolean", "variants": { "on": true, "off": false }, "offVariant": "off",
                "defaultServe": { "rollout": { "fallThrough": true,
                    "weights": [ { "variant": "on", "weight": 50000 }, { "weight": 50000 } ] } } } }),
            "flags.f.defaultServe.rollout.fallThrough: not allowed in defaultServe",
        ),
    ];
    for (flags, want) in cases {
        let got = load_error(flags);
        assert!(got.contains(want), "got {got:?}\nwant {want:?}");
    }
}

#[test]
fn bad_in_bucket_conditions_are_refused_with_their_path() {
    let flag = |cond: Json| json!({ "f": boolean_flag(vec![json!({ "conditions": [cond], "serve": { "variant": "on" } })]) });
    let base = |values: Json| {
        json!({ "op": "inBucket", "by": "id", "salt": "s", "bucketing": { "hash": "fnv1a32-v1" },
                "values": values })
    };
    let cases = [
        (
            flag(base(json!([[0, 1001]]))),
            "conditions[0].values[0][1]: expected an integer from 0 to 1000",
        ),
        (
            flag(base(json!([[5, 5]]))),
            "conditions[0].values[0]: start must be below end",
        ),
        (
            flag(base(json!([[1, 2, 3]]))),
            "conditions[0].values[0]: expected a pair [start, end]",
        ),
        (
            flag(base(json!([[1]]))),
            "conditions[0].values[0]: expected a pair [start, end]",
        ),
        (
            flag(base(json!([]))),
            "conditions[0].values: must not be empty",
        ),
        (
            flag(json!({ "op": "inBucket", "by": "id", "values": [[0, 1]] })),
            "conditions[0]: missing field \"salt\"",
        ),
        (
            flag(json!({ "op": "inbucket", "attribute": "id", "values": [[0, 1]] })),
            "unknown operator \"inbucket\" (did you mean \"inBucket\"?)",
        ),
    ];
    for (flags, want) in cases {
        let got = load_error(flags);
        assert!(got.contains(want), "got {got:?}\nwant {want:?}");
    }
}
