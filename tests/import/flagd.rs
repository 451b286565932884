//! The flagd importer: what each JsonLogic construct becomes, what is noted, and what is
//! refused (path + expectation). Evaluation against flagd itself is
//! tests/import/flagd-differential.mjs (Node, @openfeature/flagd-core).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use edgeflag_import::{import, Import, ImportError, Options, Vendor};
use serde_json::{json, Value};

fn run(doc: Value) -> Result<Import, ImportError> {
    import(
        Vendor::Flagd,
        doc.to_string().as_bytes(),
        &Options::default(),
    )
}

fn flag(doc: Value, key: &str) -> (Value, Import) {
    let out = run(doc).expect("imports");
    (out.payload["flags"][key].clone(), out)
}

fn bool_flag(targeting: Value) -> Value {
    json!({"flags": {"f": {"state": "ENABLED", "variants": {"on": true, "off": false},
        "defaultVariant": "off", "targeting": targeting}}})
}

#[test]
fn the_header_is_a_v1_1_payload_with_the_options_owner_and_environment() {
    let opts = Options {
        owner: "team".into(),
        environment: "staging".into(),
        strict: false,
    };
    let doc = json!({"flags": {"f": {"state": "ENABLED", "variants": {"a": "A"}, "defaultVariant": "a"}}});
    let out = import(Vendor::Flagd, doc.to_string().as_bytes(), &opts).unwrap();
    assert_eq!(out.payload["schema"], "edgeflag/v1.1");
    assert_eq!(out.payload["owner"], "team");
    assert_eq!(out.payload["environment"], "staging");
    assert_eq!(
        out.payload["flags"]["f"],
        json!({"type": "string", "variants": {"a": "A"}, "offVariant": "a", "defaultServe": {"variant": "a"}})
    );
    assert!(out.notes.is_empty());
}

#[test]
fn an_if_chain_with_a_ref_becomes_ordered_rules_and_its_else_the_default() {
    let doc = json!({
        "flags": {"fib": {"state": "ENABLED",
            "variants": {"recursive": "recursive", "memo": "memo", "binet": "binet"},
            "defaultVariant": "recursive",
            "targeting": {"if": [{"$ref": "faas"}, "binet",
                                 {"==": [{"var": "tier"}, "gold"]}, "memo", null]}}},
        "$evaluators": {"faas": {"in": ["@faas.com", {"var": ["email"]}]}}
    });
    let (f, _) = flag(doc, "fib");
    assert_eq!(
        f["rules"],
        json!([
            {"conditions": [{"attribute": "email", "op": "contains", "values": ["@faas.com"]}], "serve": {"variant": "binet"}},
            {"conditions": [{"attribute": "tier", "op": "in", "values": ["gold"]}], "serve": {"variant": "memo"}}
        ])
    );
    assert_eq!(f["defaultServe"], json!({"variant": "recursive"}));
}

#[test]
fn or_gives_one_rule_per_alternative_and_not_is_pushed_to_the_comparisons() {
    let t = json!({"if": [{"or": [{"starts_with": [{"var": "id"}, "a"]}, {"ends_with": [{"var": "id"}, "z"]}]}, "on",
                          {"!": {"and": [{"==": [{"var": "c"}, "DE"]}, {">=": [{"var": "age"}, 18]}]}}, "on", "off"]});
    let (f, _) = flag(bool_flag(t), "f");
    assert_eq!(
        f["rules"],
        json!([
            {"conditions": [{"attribute": "id", "op": "startsWith", "values": ["a"]}], "serve": {"variant": "on"}},
            {"conditions": [{"attribute": "id", "op": "endsWith", "values": ["z"]}], "serve": {"variant": "on"}},
            // not (c == DE and age >= 18) = c != DE or not age >= 18; a missing attribute makes
            // each hold, as null != "DE" and !(null >= 18) do in JavaScript.
            {"conditions": [{"attribute": "c", "op": "in", "values": ["DE"], "negate": true, "whenMissing": true}], "serve": {"variant": "on"}},
            {"conditions": [{"attribute": "age", "op": "gte", "values": [18], "numericStrings": true, "negate": true, "whenMissing": true}], "serve": {"variant": "on"}}
        ])
    );
    assert_eq!(f["defaultServe"], json!({"variant": "off"}));
}

#[test]
fn comparisons_keep_javascripts_answer_for_a_missing_attribute() {
    // null < 18 holds in JavaScript (null is 0); null > 18 does not.
    let t = json!({"if": [{"<": [{"var": "age"}, 18]}, "on", {">": [{"var": "n"}, 5]}, "on", {"<": [1, {"var": "x"}, 10]}, "on", "off"]});
    let (f, _) = flag(bool_flag(t), "f");
    let conds: Vec<Value> = f["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["conditions"].clone())
        .collect();
    assert_eq!(
        conds[0],
        json!([{"attribute": "age", "op": "lt", "values": [18], "numericStrings": true, "whenMissing": true}])
    );
    assert_eq!(
        conds[1],
        json!([{"attribute": "n", "op": "gt", "values": [5], "numericStrings": true}])
    );
    assert_eq!(
        conds[2],
        json!([
            {"attribute": "x", "op": "gt", "values": [1], "numericStrings": true},
            {"attribute": "x", "op": "lt", "values": [10], "numericStrings": true, "whenMissing": true}
        ])
    );
}

#[test]
fn equality_with_a_number_coerces_numeric_strings_and_strict_equality_does_not() {
    let t = json!({"if": [{"==": [{"var": "n"}, 3]}, "on", {"===": [{"var": "m"}, 3]}, "on", {"in": [{"var": "cc"}, ["DE", "FR", null]]}, "on", "off"]});
    let (f, _) = flag(bool_flag(t), "f");
    assert_eq!(
        f["rules"][0]["conditions"],
        json!([{"attribute": "n", "op": "in", "values": [3], "numericStrings": true}])
    );
    assert_eq!(
        f["rules"][1]["conditions"],
        json!([{"attribute": "m", "op": "in", "values": [3]}])
    );
    assert_eq!(
        f["rules"][2]["conditions"],
        json!([{"attribute": "cc", "op": "in", "values": ["DE", "FR"]}])
    );
}

#[test]
fn flag_key_comparisons_are_decided_at_import() {
    let t = json!({"if": [{"==": [{"var": "$flagd.flagKey"}, "other"]}, "on", {"starts_with": [{"var": "$flagd.flagKey"}, "f"]}, "on", "off"]});
    let (f, _) = flag(bool_flag(t), "f");
    assert_eq!(f.get("rules"), None);
    assert_eq!(f["defaultServe"], json!({"variant": "on"}));
}

#[test]
fn sem_ver_operators_become_semver_conditions_and_caret_and_tilde_ranges() {
    let t = json!({"if": [{"sem_ver": [{"var": "v"}, "^", "v2.3"]}, "on",
                          {"sem_ver": ["1.2.3", "<", {"var": "v"}]}, "on",
                          {"sem_ver": [{"var": "v"}, "~", "1.4.7"]}, "on",
                          {"sem_ver": [{"var": "v"}, "!=", "1.0.0"]}, "on", "off"]});
    let (f, _) = flag(bool_flag(t), "f");
    assert_eq!(
        f["rules"][0]["conditions"],
        json!([
            {"attribute": "v", "op": "semverGte", "values": ["2.0.0-0"]},
            {"attribute": "v", "op": "semverLt", "values": ["3.0.0-0"]}
        ])
    );
    assert_eq!(
        f["rules"][1]["conditions"],
        json!([{"attribute": "v", "op": "semverGt", "values": ["1.2.3"]}])
    );
    assert_eq!(
        f["rules"][2]["conditions"],
        json!([
            {"attribute": "v", "op": "semverGte", "values": ["1.4.0-0"]},
            {"attribute": "v", "op": "semverLt", "values": ["1.5.0-0"]}
        ])
    );
    // flagd's != is false for a missing or invalid version.
    assert_eq!(
        f["rules"][3]["conditions"],
        json!([{"attribute": "v", "op": "semverEq", "values": ["1.0.0"], "negate": true}])
    );
}

#[test]
fn fractional_is_a_rollout_with_flagds_bucketing_and_the_flag_key_as_salt() {
    let doc = json!({"flags": {"color": {"state": "ENABLED",
        "variants": {"red": "r", "blue": "b", "green": "g"}, "defaultVariant": "red",
        "targeting": {"fractional": [["red", 50], ["blue", 30], ["green"]]}}}});
    let (f, out) = flag(doc, "color");
    assert_eq!(
        f["rules"],
        json!([
            {"conditions": [{"attribute": "targetingKey", "op": "exists", "negate": true}], "serve": {"variant": "red"}},
            {"conditions": [{"attribute": "targetingKey", "op": "in", "values": [""]}], "serve": {"variant": "red"}}
        ])
    );
    assert_eq!(
        f["defaultServe"],
        json!({"rollout": {"by": "targetingKey", "salt": "color",
        "bucketing": {"hash": "fractional", "buckets": 81},
        "weights": [{"variant": "red", "weight": 50}, {"variant": "blue", "weight": 30}, {"variant": "green", "weight": 1}]}})
    );
    assert!(out.notes.is_empty());
}

#[test]
fn a_fractional_bucketing_key_of_one_attribute_hashes_it_alone() {
    let doc = json!({"flags": {"c": {"state": "ENABLED", "variants": {"a": 1, "b": 2}, "defaultVariant": "a",
        "targeting": {"if": [{"==": [{"var": "plan"}, "pro"]},
            {"fractional": [{"var": "email"}, ["a", 1], ["b", 1]]},
            {"fractional": [{"cat": [{"var": "$flagd.flagKey"}, {"var": "org"}]}, ["a", 3], ["b", 1]]}]}}}});
    let (f, out) = flag(doc, "c");
    let rules = f["rules"].as_array().unwrap();
    assert_eq!(
        rules[0]["conditions"],
        json!([{"attribute": "plan", "op": "in", "values": ["pro"]}, {"attribute": "email", "op": "exists", "negate": true}])
    );
    // An empty email: flagd hashes "" (decided at import).
    assert_eq!(
        rules[1]["conditions"],
        json!([{"attribute": "plan", "op": "in", "values": ["pro"]}, {"attribute": "email", "op": "in", "values": [""]}])
    );
    assert_eq!(rules[2]["serve"]["rollout"]["salt"], "");
    assert_eq!(rules[2]["serve"]["rollout"]["by"], "email");
    // A missing org: flagd hashes the flag key and "null"; an empty one, the flag key.
    assert_eq!(
        rules[3]["conditions"],
        json!([{"attribute": "org", "op": "exists", "negate": true}])
    );
    assert_eq!(
        rules[4]["conditions"],
        json!([{"attribute": "org", "op": "in", "values": [""]}])
    );
    assert_eq!(f["defaultServe"]["rollout"]["salt"], "c");
    assert_eq!(f["defaultServe"]["rollout"]["by"], "org");
    assert!(out.notes.is_empty(), "{:?}", out.notes);
}

#[test]
fn a_variant_in_two_separate_fractional_ranges_becomes_in_bucket_rules() {
    let doc = json!({"flags": {"c": {"state": "ENABLED", "variants": {"a": 1, "b": 2}, "defaultVariant": "a",
        "targeting": {"fractional": [["a", 25], ["b", 50], ["a", 25]]}}}});
    let (f, _) = flag(doc, "c");
    assert_eq!(
        f["rules"][2],
        json!({"conditions": [{"op": "inBucket", "by": "targetingKey", "salt": "c",
        "bucketing": {"hash": "fractional", "buckets": 100}, "values": [[0, 25], [75, 100]]}], "serve": {"variant": "a"}})
    );
    assert_eq!(f["defaultServe"], json!({"variant": "b"}));
}

#[test]
fn what_cannot_be_expressed_is_noted_with_its_path_and_strict_refuses_it() {
    let t = json!({"if": [{">": [{"var": "$flagd.timestamp"}, 1700000000]}, "on", "off"]});
    let out = run(bool_flag(t.clone())).unwrap();
    let note = out.notes.iter().find(|n| n.lossy).expect("a lossy note");
    assert_eq!(note.path, r#"flags.f.targeting.if[0][">"][0]"#);
    assert!(
        note.message.contains("$flagd.timestamp"),
        "{}",
        note.message
    );
    // The condition never holds: the rule is dropped.
    assert_eq!(out.payload["flags"]["f"].get("rules"), None);
    let strict = Options {
        strict: true,
        ..Options::default()
    };
    let err = import(Vendor::Flagd, bool_flag(t).to_string().as_bytes(), &strict).unwrap_err();
    assert_eq!(err.path, r#"flags.f.targeting.if[0][">"][0]"#);
}

#[test]
fn unknown_members_and_disabled_flags_are_noted() {
    let doc = json!({"$schema": "https://flagd.dev/schema/v0/flags.json", "metadata": {"id": "x"}, "extra": 1,
        "flags": {"f": {"state": "DISABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
                        "metadata": {"team": "web", "nested": {"a": 1}}, "description": "?"}}});
    let (f, out) = flag(doc, "f");
    assert_eq!(f["enabled"], false);
    assert_eq!(f["metadata"], json!({"team": "web"}));
    let paths: Vec<(&str, bool)> = out
        .notes
        .iter()
        .map(|n| (n.path.as_str(), n.lossy))
        .collect();
    assert!(paths.contains(&("metadata", false)), "{paths:?}");
    assert!(paths.contains(&("extra", false)), "{paths:?}");
    assert!(paths.contains(&("flags.f.description", false)), "{paths:?}");
    assert!(
        paths.contains(&("flags.f.metadata.nested", false)),
        "{paths:?}"
    );
    assert!(paths.contains(&("flags.f.state", true)), "{paths:?}");
}

#[test]
fn malformed_files_name_the_path_and_what_was_expected() {
    let cases = [
        (json!([]), ""),
        (json!({}), "flags"),
        (
            json!({"flags": {"f": {"state": "ON", "variants": {"a": 1}}}}),
            "flags.f.state",
        ),
        (
            json!({"flags": {"f": {"state": "ENABLED", "variants": {}}}}),
            "flags.f.variants",
        ),
        (
            json!({"flags": {"f": {"state": "ENABLED", "variants": {"a": 1, "b": "x"}}}}),
            "flags.f.variants.b",
        ),
        (
            json!({"flags": {"f": {"state": "ENABLED", "variants": {"a": 1}, "defaultVariant": "z"}}}),
            "flags.f.defaultVariant",
        ),
        (
            json!({"flags": {"f": {"state": "ENABLED", "variants": {"a": 1}, "targeting": {"if": 3}}}}),
            "flags.f.targeting.if",
        ),
        (
            json!({"flags": {"f": {"state": "ENABLED", "variants": {"a": 1}, "targeting": {"$ref": "nope"}}}}),
            "flags.f.targeting.$ref",
        ),
        (
            json!({"flags": {"f": {"state": "ENABLED", "variants": {"a": 1}, "targeting": {"$ref": "x"}}},
                "$evaluators": {"x": {"if": [{"$ref": "x"}, "a", null]}}}),
            "$evaluators.x.if[0].$ref",
        ),
    ];
    for (doc, path) in cases {
        let err = run(doc.clone()).unwrap_err();
        assert_eq!(err.path, path, "{doc}: {err}");
        assert!(!err.message.is_empty());
    }
    let err = import(Vendor::Flagd, b"{\"flags\": ", &Options::default()).unwrap_err();
    assert!(err.message.starts_with("not JSON"), "{err}");
}

#[test]
fn nested_ifs_over_ors_stay_bounded() {
    // Each level's `or` has 40 alternatives; guards multiply through the nesting (40^4).
    let mut t = json!("on");
    for d in 0..4 {
        let alts: Vec<Value> = (0..40)
            .map(|i| json!({"==": [{"var": format!("a{d}")}, i.to_string()]}))
            .collect();
        t = json!({"if": [{"or": alts}, t, "off"]});
    }
    let doc = json!({"flags": {"f": {"state": "ENABLED", "variants": {"on": true, "off": false},
        "defaultVariant": "off", "targeting": t}}});
    let err = run(doc).unwrap_err();
    // 40^3 rules already: the innermost `if` that passes the bound is named.
    assert_eq!(err.path, "flags.f.targeting.if[1].if");
    assert!(err.message.contains("more than 4096"), "{err}");
}

/// Review of issue #21: the answers below are @openfeature/flagd-core 4.0.1's
/// (json-logic-engine 5), checked with tests/import/flagd-differential.mjs's harness.
#[test]
fn empty_and_or_are_null_and_not_reads_its_first_argument_as_flagd_core_does() {
    // {"and": []} is null (falsy) in json-logic-engine, so its negation always holds.
    for (t, answer) in [
        (json!({"if": [{"and": []}, "on", "off"]}), "off"),
        (json!({"if": [{"or": []}, "on", "off"]}), "off"),
        (json!({"if": [{"!": {"and": []}}, "on", "off"]}), "on"),
    ] {
        let (f, out) = flag(bool_flag(t.clone()), "f");
        assert!(f.get("rules").is_none(), "{t}: {f}");
        assert_eq!(f["defaultServe"], json!({"variant": answer}), "{t}: {f}");
        assert!(out.notes.is_empty(), "{:?}", out.notes);
    }
    // `!` negates its first argument and ignores the rest (flagd-core loads this file).
    let t =
        json!({"if": [{"!": [{"==": [{"var": "c"}, "DE"]}, true]}, "on", {"!": []}, "off", "on"]});
    let (f, _) = flag(bool_flag(t), "f");
    assert_eq!(
        f["rules"][0]["conditions"],
        json!([{"attribute": "c", "op": "in", "values": ["DE"], "negate": true, "whenMissing": true}])
    );
    // `{"!": []}` is `!null`: it always holds, the else is never reached.
    assert_eq!(f["rules"].as_array().unwrap().len(), 1, "{f}");
    assert_eq!(f["defaultServe"], json!({"variant": "off"}), "{f}");
}

#[test]
fn a_missing_attribute_equals_zero_and_false_as_in_flagd_core() {
    // flagd-core: {"==": [{"var": "n"}, 0]} holds for a context without n; != 0 does not.
    let t = json!({"if": [{"==": [{"var": "n"}, 0]}, "on", {"!=": [{"var": "m"}, false]}, "on", "off"]});
    let (f, _) = flag(bool_flag(t), "f");
    assert_eq!(
        f["rules"],
        json!([
            {"conditions": [{"attribute": "n", "op": "in", "values": [0], "numericStrings": true}], "serve": {"variant": "on"}},
            {"conditions": [{"attribute": "n", "op": "exists", "negate": true}], "serve": {"variant": "on"}},
            {"conditions": [
                {"attribute": "m", "op": "in", "values": [false], "negate": true, "whenMissing": true},
                {"attribute": "m", "op": "exists"}
            ], "serve": {"variant": "on"}}
        ])
    );
    // Decided at import: null == 0 holds, null == 1 does not.
    let t = json!({"if": [{"==": [null, 0]}, "on", "off"]});
    let (f, _) = flag(bool_flag(t), "f");
    assert_eq!(f["defaultServe"], json!({"variant": "on"}), "{f}");
}

#[test]
fn an_empty_or_missing_fractional_unit_gets_the_variant_flagd_hashes_it_to() {
    let v = json!({"a": "A", "b": "B", "c": "C"});
    let doc = json!({"flags": {
        "k": {"state": "ENABLED", "variants": v, "defaultVariant": "c",
              "targeting": {"fractional": [{"cat": [{"var": "$flagd.flagKey"}, {"var": "org"}]}, ["a", 1], ["b", 1], ["c", 1]]}},
        "m": {"state": "ENABLED", "variants": v, "defaultVariant": "c",
              "targeting": {"fractional": [{"var": "email"}, ["a", 1], ["b", 1], ["c", 1]]}}}});
    let out = run(doc).unwrap();
    // flagd-core: k without org hashes "knull" (b), with org "" hashes "k" (c).
    assert_eq!(
        out.payload["flags"]["k"]["rules"],
        json!([
            {"conditions": [{"attribute": "org", "op": "exists", "negate": true}], "serve": {"variant": "b"}},
            {"conditions": [{"attribute": "org", "op": "in", "values": [""]}], "serve": {"variant": "c"}}
        ])
    );
    // m without email: null (the default variant); email "" hashes "" (a).
    assert_eq!(
        out.payload["flags"]["m"]["rules"],
        json!([
            {"conditions": [{"attribute": "email", "op": "exists", "negate": true}], "serve": {"variant": "c"}},
            {"conditions": [{"attribute": "email", "op": "in", "values": [""]}], "serve": {"variant": "a"}}
        ])
    );
    assert!(out.notes.is_empty(), "{:?}", out.notes);
}

#[test]
fn fractional_weights_past_u64_neither_panic_nor_wrap() {
    // 2^63 + 2^63 + 5 wrapped to 5 before; flagd-core answers null (over i32::MAX).
    let t = json!({"fractional": [["on", 9_223_372_036_854_775_808u64], ["off", 9_223_372_036_854_775_808u64], ["on", 5]]});
    let (f, out) = flag(bool_flag(t), "f");
    assert_eq!(f["defaultServe"], json!({"variant": "off"}), "{f}");
    assert!(f.get("rules").is_none(), "{f}");
    assert!(out.notes.iter().any(|n| n.message.contains("2147483647")));
}

/// `$ref`s that name one another twice per level: 2^40 comparisons if expanded naively (a
/// file of a few KB, which the admin API imports for any reader). Each is translated once
/// per flag, a condition reached twice is kept once, and a problem is noted once.
#[test]
fn ref_chains_that_double_at_each_level_import_in_linear_time() {
    let levels = 40;
    let mut same = serde_json::Map::new();
    let mut distinct = serde_json::Map::new();
    for i in 0..levels {
        let next = json!({"$ref": format!("e{}", i + 1)});
        same.insert(format!("e{i}"), json!({"and": [next, next]}));
        let mut parts = vec![next.clone(), next];
        for j in 0..3 {
            parts.push(json!({"==": [{"var": format!("a{i}_{j}")}, "v"]}));
        }
        distinct.insert(format!("e{i}"), json!({"and": parts}));
    }
    same.insert(format!("e{levels}"), json!({"==": [{"var": "x"}, "a"]}));
    distinct.insert(format!("e{levels}"), json!({"==": [{"var": "x"}, "a"]}));
    let file = |evaluators: serde_json::Map<String, Value>| {
        let mut doc = bool_flag(json!({"if": [{"$ref": "e0"}, "on", "off"]}));
        doc["$evaluators"] = Value::Object(evaluators);
        doc
    };
    let (f, out) = flag(file(same), "f");
    assert_eq!(
        f["rules"],
        json!([{"conditions": [{"attribute": "x", "op": "in", "values": ["a"]}], "serve": {"variant": "on"}}])
    );
    assert!(out.notes.is_empty(), "{:?}", out.notes);
    // 121 distinct comparisons in one conjunction: past what clients load, noted once.
    let (f, out) = flag(file(distinct), "f");
    assert!(f.get("rules").is_none(), "{f}");
    assert_eq!(out.notes.len(), 1, "{:?}", out.notes);
    assert!(out.notes[0].lossy && out.notes[0].message.contains("more than 100"));
}
