//! Bucketing (FORMAT.md §4) against the shared vector file, which an independent XXH3
//! implementation (Python's `xxhash`, see `tests/vectors/gen_bucketing.py`) produced, and the
//! unit rule: a string as it is, an integer in plain decimal, anything else missing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use edgeflag::{Context, ErrorCode, Limits, Reason, Snapshot, Value};
use serde_json::json;

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/vectors/bucketing.json"
);
const NOW: i64 = 1_795_000_000_000;

struct Vector {
    salt: String,
    value: String,
    bucket: u32,
}

fn vectors() -> Vec<Vector> {
    let text = std::fs::read_to_string(VECTORS).expect("read the vector file");
    let json: serde_json::Value = serde_json::from_str(&text).expect("the vector file is JSON");
    json.as_array()
        .expect("an array of vectors")
        .iter()
        .map(|v| Vector {
            salt: v["salt"].as_str().expect("salt is a string").to_owned(),
            value: v["value"].as_str().expect("value is a string").to_owned(),
            bucket: u32::try_from(v["bucket"].as_u64().expect("bucket is an integer")).unwrap(),
        })
        .collect()
}

fn payload(flags: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "schema": "edgeflag/v1", "owner": "tests", "environment": "test", "version": 1,
        "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
        "flags": flags,
    }))
    .unwrap()
}

fn load(flags: serde_json::Value) -> Snapshot {
    Snapshot::load(&payload(flags), &Limits::default()).expect("the snapshot loads")
}

#[test]
fn every_vector_matches_the_independent_implementation() {
    let vectors = vectors();
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for v in &vectors {
        let got = edgeflag::bucket(&v.salt, &v.value);
        if got != v.bucket {
            mismatches.push(format!(
                "bucket({:?}, {:?}) = {got}, the vector says {}",
                v.salt, v.value, v.bucket
            ));
        }
        checked += 1;
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(checked >= 300, "only {checked} vectors checked");
}

#[test]
fn the_vectors_cover_the_inline_and_streaming_paths() {
    let lengths: Vec<usize> = vectors()
        .iter()
        .map(|v| v.salt.len() + 1 + v.value.len())
        .collect();
    for n in [0usize, 1, 190, 191, 192, 193, 194] {
        let covered = if n <= 1 {
            lengths.iter().any(|l| *l <= 2)
        } else {
            lengths.contains(&n)
        };
        assert!(covered, "no vector of {n} input bytes");
    }
    assert!(lengths.iter().any(|l| *l >= 300));
}

/// One rollout per distinct salt in the vector file, with uneven weights (and a zero weight),
/// evaluated with each vector's value as the targeting key: the variant is the one whose
/// cumulative range holds the vector's bucket.
#[test]
fn rollouts_serve_the_variant_whose_range_holds_the_vector_bucket() {
    let vectors = vectors();
    let mut salts: Vec<&str> = vectors.iter().map(|v| v.salt.as_str()).collect();
    salts.sort_unstable();
    salts.dedup();
    let mut flags = serde_json::Map::new();
    for (i, salt) in salts.iter().enumerate() {
        flags.insert(
            format!("f{i}"),
            json!({
                "type": "string", "variants": { "a": "a", "b": "b", "c": "c", "d": "d" },
                "offVariant": "a",
                "defaultServe": { "rollout": { "salt": salt, "weights": [
                    { "variant": "a", "weight": 12345 }, { "variant": "b", "weight": 0 },
                    { "variant": "c", "weight": 37655 }, { "variant": "d", "weight": 50000 } ] } }
            }),
        );
    }
    let snapshot = load(serde_json::Value::Object(flags));
    for v in &vectors {
        let key = format!("f{}", salts.iter().position(|s| *s == v.salt).unwrap());
        let ctx = snapshot.context(&Context::from_pairs([(
            "targetingKey",
            Value::from(v.value.as_str()),
        )]));
        let want = match v.bucket {
            0..=12344 => "a",
            12345..=49999 => "c",
            _ => "d",
        };
        let got = snapshot.string_details(&key, &ctx, "default", NOW);
        assert_eq!(
            got.value, want,
            "salt {:?}, value {:?}, bucket {}",
            v.salt, v.value, v.bucket
        );
        assert_eq!(got.reason, Reason::Split);
    }
}

/// Ten variants of 10% each, so that two units land on the same variant only one time in ten
/// by chance.
fn ten_way() -> Snapshot {
    let names: Vec<String> = (0..10).map(|i| format!("v{i}")).collect();
    let variants: serde_json::Map<String, serde_json::Value> =
        names.iter().map(|n| (n.clone(), json!(n))).collect();
    let weights: Vec<serde_json::Value> = names
        .iter()
        .map(|n| json!({ "variant": n, "weight": 10000 }))
        .collect();
    load(json!({
        "split": {
            "type": "string", "variants": variants, "offVariant": "v0",
            "defaultServe": { "rollout": { "by": "targetingKey", "salt": "int-rule", "weights": weights } }
        }
    }))
}

fn served(snapshot: &Snapshot, key: Value) -> edgeflag::Details<'_, &str> {
    let ctx = snapshot.context(&Context::from_pairs([("targetingKey", key)]));
    snapshot.string_details("split", &ctx, "default", NOW)
}

#[test]
fn an_integer_targeting_key_is_the_same_unit_as_its_decimal_string() {
    let snapshot = ten_way();
    for (int, text) in [
        (42i64, "42"),
        (-7, "-7"),
        (0, "0"),
        (9_007_199_254_740_991, "9007199254740991"),
    ] {
        let from_string = served(&snapshot, Value::from(text));
        let from_int = served(&snapshot, Value::from(int));
        let from_float = served(&snapshot, Value::from(int as f64));
        let want = format!("v{}", edgeflag::bucket("int-rule", text) / 10000);
        assert_eq!(from_string.value, want, "{text}");
        assert_eq!(from_int.value, want, "{int}");
        assert_eq!(from_float.value, want, "{int}.0");
        for d in [&from_string, &from_int, &from_float] {
            assert_eq!(d.reason, Reason::Split);
            assert_eq!(d.error_code, None);
        }
    }
}

#[test]
fn integer_targeting_keys_read_from_json_text_are_plain_decimal() {
    let snapshot = ten_way();
    let want = served(&snapshot, Value::from("42")).value;
    for text in [
        r#"{"targetingKey": 42}"#,
        r#"{"targetingKey": 42.0}"#,
        r#"{"targetingKey": 4.2e1}"#,
    ] {
        let ctx = Context::from_json(text.as_bytes(), &Limits::default().context).unwrap();
        let ctx = snapshot.context(&ctx);
        let got = snapshot.string_details("split", &ctx, "default", NOW);
        assert_eq!(got.value, want, "{text}");
        assert_eq!(got.reason, Reason::Split, "{text}");
    }
}

#[test]
fn negative_zero_is_the_unit_zero() {
    let snapshot = ten_way();
    assert_eq!(
        served(&snapshot, Value::from(-0.0)).value,
        served(&snapshot, Value::from("0")).value
    );
}

#[test]
fn fractions_booleans_and_other_types_count_as_missing() {
    let snapshot = ten_way();
    let others = [
        Value::from(0.5),
        Value::from(42.5),
        Value::from(true),
        Value::from(false),
        Value::Array(vec![Value::from("42")]),
        Value::Object(vec![("id".into(), Value::from("42"))]),
        Value::from(f64::NAN),
        Value::from(f64::INFINITY),
        // Beyond 2^53 - 1 an integer is not the same on every platform: not a unit.
        Value::from(9_007_199_254_740_993i64),
    ];
    for v in others {
        let d = served(&snapshot, v.clone());
        assert_eq!(d.value, "default", "{v:?}");
        assert_eq!(d.reason, Reason::Error, "{v:?}");
        assert_eq!(d.error_code, Some(ErrorCode::TargetingKeyMissing), "{v:?}");
        assert_eq!(d.variant, None, "{v:?}");
    }
    // Null and absence too.
    for ctx in [
        Context::from_pairs([("targetingKey", Value::Null)]),
        Context::new(),
    ] {
        let ctx = snapshot.context(&ctx);
        let d = snapshot.string_details("split", &ctx, "default", NOW);
        assert_eq!(d.error_code, Some(ErrorCode::TargetingKeyMissing));
    }
}

#[test]
fn the_typed_getters_fall_back_to_the_default_when_the_unit_is_missing() {
    let snapshot = load(json!({
        "half": {
            "type": "boolean", "variants": { "on": true, "off": false }, "offVariant": "off",
            "defaultServe": { "rollout": { "weights": [
                { "variant": "on", "weight": 100000 }, { "variant": "off", "weight": 0 } ] } }
        }
    }));
    let ok = snapshot.context(&Context::from_pairs([("targetingKey", Value::from(42i64))]));
    assert!(snapshot.bool("half", &ok, false, NOW));
    for v in [Value::from(0.5), Value::from(true)] {
        let ctx = snapshot.context(&Context::from_pairs([("targetingKey", v)]));
        assert!(!snapshot.bool("half", &ctx, false, NOW));
        assert!(snapshot.bool("half", &ctx, true, NOW));
        let d = snapshot.bool_details("half", &ctx, false, NOW);
        assert_eq!(d.error_code, Some(ErrorCode::TargetingKeyMissing));
    }
}

#[test]
fn a_split_by_another_attribute_uses_that_attribute_as_the_unit() {
    let snapshot = load(json!({
        "by-org": {
            "type": "string", "variants": { "a": "a", "b": "b" }, "offVariant": "a",
            "defaultServe": { "rollout": { "by": "orgId", "salt": "org-split", "weights": [
                { "variant": "a", "weight": 50000 }, { "variant": "b", "weight": 50000 } ] } }
        }
    }));
    for org in 0..200i64 {
        let want = if edgeflag::bucket("org-split", &org.to_string()) < 50000 {
            "a"
        } else {
            "b"
        };
        // targetingKey does not matter: only orgId does.
        let ctx = snapshot.context(&Context::from_pairs([
            ("targetingKey", Value::from("someone")),
            ("orgId", Value::from(org)),
        ]));
        assert_eq!(snapshot.string("by-org", &ctx, "x", NOW), want, "org {org}");
    }
    let ctx = snapshot.context(&Context::from_pairs([(
        "targetingKey",
        Value::from("someone"),
    )]));
    let d = snapshot.string_details("by-org", &ctx, "x", NOW);
    assert_eq!(d.error_code, Some(ErrorCode::TargetingKeyMissing));
}

/// The default salt of a rollout is the flag key.
#[test]
fn a_rollout_without_a_salt_is_salted_with_the_flag_key() {
    let snapshot = load(json!({
        "my-flag": {
            "type": "string", "variants": { "a": "a", "b": "b" }, "offVariant": "a",
            "defaultServe": { "rollout": { "weights": [
                { "variant": "a", "weight": 50000 }, { "variant": "b", "weight": 50000 } ] } }
        }
    }));
    for i in 0..200 {
        let unit = format!("user-{i}");
        let want = if edgeflag::bucket("my-flag", &unit) < 50000 {
            "a"
        } else {
            "b"
        };
        let ctx = snapshot.context(&Context::from_pairs([(
            "targetingKey",
            Value::from(unit.as_str()),
        )]));
        assert_eq!(snapshot.string("my-flag", &ctx, "x", NOW), want, "{unit}");
    }
}
