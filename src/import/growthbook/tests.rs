//! The emitted JSON for each GrowthBook construct, malformed files, notes and speed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::buckets;
use crate::{import, Options, Vendor};
use serde_json::{json, Value};

fn run(doc: Value) -> crate::Import {
    import(
        Vendor::GrowthBook,
        doc.to_string().as_bytes(),
        &Options::default(),
    )
    .unwrap()
}

fn flag(doc: Value, key: &str) -> Value {
    run(doc).payload["flags"][key].clone()
}

fn error(doc: &str) -> crate::ImportError {
    import(Vendor::GrowthBook, doc.as_bytes(), &Options::default()).unwrap_err()
}

#[test]
fn bucket_bounds_follow_growthbooks_float_comparisons() {
    // n = k/1000 >= 0.3 first holds at k = 300; 0.1 + 0.2 (0.30000000000000004) at 301.
    assert_eq!(buckets::lower_bound(0.3, 1000), 300);
    assert_eq!(buckets::lower_bound(0.1 + 0.2, 1000), 301);
    assert_eq!(buckets::lower_bound(0.0, 1000), 0);
    assert_eq!(buckets::lower_bound(1.0, 10000), 10000);
    // n <= 0.5 holds for k = 0..=500: 501 buckets.
    assert_eq!(buckets::coverage_count(0.5, 1000), 501);
    assert_eq!(buckets::coverage_count(1.0, 1000), 1000);
    for k in 0..=1000u32 {
        let x = f64::from(k) / 1000.0;
        assert_eq!(buckets::lower_bound(x, 1000), k);
    }
}

#[test]
fn force_rule_with_coverage_is_a_fall_through_rollout_over_fnv1a_v1() {
    let f = flag(
        json!({"features": {"f": {"defaultValue": 2, "rules": [{"id": "a", "force": 1, "coverage": 0.5}]}}}),
        "f",
    );
    assert_eq!(f["type"], "number");
    assert_eq!(f["variants"], json!({"1": 1, "2": 2}));
    assert_eq!(f["defaultServe"], json!({"variant": "2"}));
    assert_eq!(
        f["rules"][0],
        json!({"id": "r0", "serve": {"rollout": {
            "by": "id", "salt": "f", "bucketing": {"hash": "fnv1a32-v1"}, "fallThrough": true,
            "weights": [{"variant": "1", "weight": 501}, {"weight": 499}]}}})
    );
    assert_eq!(f["metadata"]["growthbook.rule.r0"], "a");
}

#[test]
fn experiment_with_ranges_coverage_and_passthrough() {
    let f = flag(
        json!({"features": {"f": {"defaultValue": "x", "rules": [{
            "key": "exp", "seed": "s", "hashVersion": 2, "hashAttribute": "anon",
            "variations": ["a", "b"], "ranges": [[0, 0.25], [0.5, 0.75]],
            "meta": [{}, {"passthrough": true}]}]}}}),
        "f",
    );
    let r = &f["rules"][0]["serve"]["rollout"];
    assert_eq!(r["bucketing"], json!({"hash": "fnv1a32-v2"}));
    assert_eq!(
        (r["by"].as_str(), r["salt"].as_str()),
        (Some("anon"), Some("s"))
    );
    assert_eq!(
        r["weights"],
        json!([{"variant": "a", "weight": 2500}, {"weight": 7500}])
    );
    assert_eq!(f["metadata"]["growthbook.experiment.r0"], "exp");
    // Weights and coverage: GrowthBook's getBucketRanges.
    let f = flag(
        json!({"features": {"f": {"defaultValue": 0, "rules": [{
            "variations": [0, 1], "weights": [0.2, 0.8], "coverage": 0.5}]}}}),
        "f",
    );
    // Variation 1 ends at 0.2 + 0.5 * 0.8 = 0.6000000000000001 in f64, so bucket 600
    // (n = 0.6) is still inside it for GrowthBook: 401 buckets, not 400.
    assert_eq!(
        f["rules"][0]["serve"]["rollout"]["weights"],
        json!([{"variant": "0", "weight": 100}, {"weight": 100}, {"variant": "1", "weight": 401}, {"weight": 399}])
    );
}

#[test]
fn namespaces_and_filters_become_in_bucket_conditions() {
    let f = flag(
        json!({"features": {"f": {"defaultValue": 0, "rules": [
            {"variations": [0, 1], "namespace": ["pricing", 0, 0.5]},
            {"force": 1, "filters": [{"seed": "seed", "ranges": [[0, 0.01]]}]}]}}}),
        "f",
    );
    assert_eq!(
        f["rules"][0]["conditions"],
        json!([{"by": "id", "salt": "__pricing", "bucketing": {"hash": "fnv1a32-v1"}, "op": "inBucket", "values": [[0, 500]]}])
    );
    assert_eq!(
        f["rules"][1]["conditions"],
        json!([{"by": "id", "salt": "seed", "bucketing": {"hash": "fnv1a32-v2"}, "op": "inBucket", "values": [[0, 100]]}])
    );
}

#[test]
fn conditions_translate_with_the_v1_1_members() {
    let f = flag(
        json!({"features": {"f": {"defaultValue": false, "rules": [{"force": true, "condition": {
            "country": {"$nin": ["US"]}, "age": {"$gt": 1}, "name": {"$ini": ["Bo"]},
            "$or": [{"plan": "pro"}, {"seats": 3}]}}]}}}),
        "f",
    );
    let rules = f["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2, "$or expands into one rule per alternative");
    let c = &rules[0]["conditions"];
    assert!(c.as_array().unwrap().contains(&json!({"attribute": "country", "op": "in", "values": ["US"], "negate": true, "whenMissing": true})));
    assert!(c
        .as_array()
        .unwrap()
        .contains(&json!({"attribute": "age", "op": "gt", "values": [1], "numericStrings": true})));
    assert!(c.as_array().unwrap().contains(
        &json!({"attribute": "name", "op": "in", "values": ["Bo"], "caseInsensitive": true})
    ));
    assert!(rules[1]["conditions"].as_array().unwrap().contains(
        &json!({"attribute": "seats", "op": "in", "values": [3], "numericStrings": true})
    ));
    assert_eq!(rules[1]["id"], "r0.1");
}

#[test]
fn untranslatable_conditions_drop_the_rule_with_a_lossy_note_or_fail_under_strict() {
    let doc = json!({"features": {"f": {"defaultValue": false, "rules": [{"force": true, "condition": {"a.b": 1}}]}}});
    let out = run(doc.clone());
    assert!(out.payload["flags"]["f"].get("rules").is_none());
    let note = out.notes.iter().find(|n| n.lossy).unwrap();
    assert_eq!(note.path, "features.f.rules[0].condition[\"a.b\"]");
    let strict = Options {
        strict: true,
        ..Options::default()
    };
    let e = import(Vendor::GrowthBook, doc.to_string().as_bytes(), &strict).unwrap_err();
    assert_eq!(e.path, note.path);
}

#[test]
fn prerequisites_are_decided_over_the_parent_variants() {
    let out = run(json!({"features": {
        "parent": {"defaultValue": "silver", "rules": [{"condition": {"c": "US"}, "force": "green"}]},
        "child": {"defaultValue": "d", "rules": [
            {"parentConditions": [{"id": "parent", "condition": {"value": "green"}, "gate": true}]},
            {"force": "x"}]},
        "blocked": {"defaultValue": 1, "rules": [
            {"parentConditions": [{"id": "missing", "condition": {"value": true}, "gate": true}]}]},
        "a": {"defaultValue": true, "rules": [{"parentConditions": [{"id": "b", "condition": {"value": true}, "gate": true}]}]},
        "b": {"defaultValue": true, "rules": [{"parentConditions": [{"id": "a", "condition": {"value": true}, "gate": true}]}]},
    }}));
    let flags = &out.payload["flags"];
    assert_eq!(
        flags["child"]["prerequisites"],
        json!([{"flag": "parent", "variants": ["green"]}])
    );
    assert_eq!(flags["child"]["offVariant"], "null");
    assert_eq!(flags["child"]["metadata"]["growthbook.nullVariant"], "null");
    assert_eq!(flags["blocked"]["enabled"], false);
    assert_eq!(
        flags["blocked"]["metadata"]["growthbook.disabledSource"],
        "prerequisite"
    );
    assert_eq!(flags["a"]["enabled"], false);
    assert_eq!(
        flags["a"]["metadata"]["growthbook.disabledSource"],
        "cyclicPrerequisite"
    );
    assert!(flags["a"].get("prerequisites").is_none());
}

#[test]
fn saved_groups_become_in_lists() {
    let f = flag(
        json!({"features": {"f": {"defaultValue": false, "rules": [{"force": true, "condition": {"id": {"$inGroup": "g"}}}]}},
               "savedGroups": {"g": [1, "2"]}}),
        "f",
    );
    assert_eq!(
        f["rules"][0]["conditions"],
        json!([{"attribute": "id", "op": "in", "values": [1, "2"]}])
    );
}

#[test]
fn malformed_files_name_the_path_and_the_expectation() {
    let cases = [
        ("[]", ""),
        (r#"{"features": []}"#, "features"),
        (r#"{"features": {"f": 3}}"#, "features.f"),
        (r#"{"features": {"f": {"rules": {}}}}"#, "features.f.rules"),
        (
            r#"{"features": {"f": {"rules": [{"force": 1, "coverage": "half"}]}}}"#,
            "features.f.rules[0].coverage",
        ),
        (
            r#"{"features": {"f": {"rules": [{"variations": [1, 2], "ranges": [[0]]}]}}}"#,
            "features.f.rules[0].ranges[0]",
        ),
        (
            r#"{"features": {"f": {"rules": [{"force": 1, "condition": {"$or": 1}}]}}}"#,
            "features.f.rules[0].condition.$or",
        ),
        (
            r#"{"features": {"f": {"rules": [{"parentConditions": [{"condition": {}}]}]}}}"#,
            "features.f.rules[0].parentConditions[0].id",
        ),
        (r#"{"savedGroups": {"g": 1}}"#, "savedGroups.g"),
        ("{", ""),
    ];
    for (doc, path) in cases {
        let e = error(doc);
        assert_eq!(e.path, path, "{doc}: {e}");
        assert!(!e.message.is_empty());
    }
}

#[test]
fn unknown_vendor_fields_are_non_lossy_notes() {
    let out = run(
        json!({"dateUpdated": "x", "features": {"f": {"defaultValue": 1, "project": "p",
        "rules": [{"force": 2, "foo": "bar"}]}}}),
    );
    let paths: Vec<(&str, bool)> = out
        .notes
        .iter()
        .map(|n| (n.path.as_str(), n.lossy))
        .collect();
    assert!(paths.contains(&("dateUpdated", false)));
    assert!(paths.contains(&("features.f.project", false)));
    assert!(paths.contains(&("features.f.rules[0].foo", false)));
}

#[test]
fn importing_a_thousand_features_is_fast() {
    let mut features = serde_json::Map::new();
    for i in 0..1000 {
        features.insert(format!("flag-{i}"), json!({"defaultValue": false, "rules": [
            {"id": "r", "condition": {"country": {"$in": ["US", "CA"]}, "$or": [{"plan": "pro"}, {"age": {"$gte": 18}}]}, "force": true, "coverage": 0.5, "hashVersion": 2},
            {"key": "exp", "variations": [false, true], "weights": [0.5, 0.5], "namespace": ["ns", 0, 0.5]}]}));
    }
    let doc = json!({"features": features}).to_string();
    // The best of a few runs: the figure is the import's cost, not the machine's load.
    let mut took = std::time::Duration::MAX;
    let mut out = None;
    for _ in 0..5 {
        let start = std::time::Instant::now();
        out = Some(import(Vendor::GrowthBook, doc.as_bytes(), &Options::default()).unwrap());
        took = took.min(start.elapsed());
    }
    let out = out.unwrap();
    assert_eq!(out.payload["flags"].as_object().unwrap().len(), 1000);
    println!("imported 1,000 GrowthBook features in {took:?}");
}
