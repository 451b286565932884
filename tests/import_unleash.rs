//! The Unleash importer's output, member by member, and its errors and notes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use edgeflag_import::{import, Import, ImportError, Options, Vendor};
use serde_json::{json, Value};

fn run(doc: Value) -> Import {
    import(
        Vendor::Unleash,
        &serde_json::to_vec(&doc).unwrap(),
        &Options::default(),
    )
    .unwrap()
}

fn features(fs: Value) -> Import {
    run(json!({ "version": 2, "features": fs }))
}

fn flag(imp: &Import, key: &str) -> Value {
    imp.payload["flags"][key].clone()
}

fn err(doc: &str) -> ImportError {
    import(Vendor::Unleash, doc.as_bytes(), &Options::default()).unwrap_err()
}

fn has_note(imp: &Import, path: &str, lossy: bool, contains: &str) -> bool {
    imp.notes
        .iter()
        .any(|n| n.path == path && n.lossy == lossy && n.message.contains(contains))
}

#[test]
fn a_feature_is_one_boolean_flag_with_disabled_and_enabled_variants() {
    let imp = features(json!([
        { "name": "a", "enabled": true, "description": "d", "strategies": [ { "name": "default" } ] },
        { "name": "b", "enabled": false, "strategies": [] }
    ]));
    assert_eq!(imp.payload["schema"], "edgeflag/v1.1");
    assert_eq!(imp.payload["owner"], "imported");
    assert_eq!(
        flag(&imp, "a"),
        json!({
            "type": "boolean", "enabled": true,
            "variants": { "disabled": false, "enabled": true },
            "offVariant": "disabled",
            "rules": [ { "id": "strategies[0]", "conditions": [], "serve": { "variant": "enabled" } } ],
            "defaultServe": { "variant": "disabled" },
            "metadata": { "description": "d" }
        })
    );
    // No strategies: Unleash enables the feature for everyone.
    assert_eq!(flag(&imp, "b")["enabled"], false);
    assert_eq!(
        flag(&imp, "b")["rules"][0]["serve"],
        json!({ "variant": "enabled" })
    );
    assert!(imp.notes.is_empty(), "{:?}", imp.notes);
}

#[test]
fn percentages_are_fall_through_murmur3_rollouts_salted_with_the_group_id() {
    let imp = features(json!([{ "name": "f", "enabled": true, "strategies": [
        { "name": "flexibleRollout", "parameters": { "rollout": "25", "stickiness": "userId", "groupId": "g" } },
        { "name": "gradualRolloutSessionId", "parameters": { "percentage": "100", "groupId": "h" } },
        { "name": "flexibleRollout", "parameters": { "rollout": "100", "stickiness": "default" } },
        { "name": "flexibleRollout", "parameters": { "rollout": "0" } },
        { "name": "flexibleRollout", "parameters": { "rollout": "10.5" } }
    ]}]));
    let rules = flag(&imp, "f")["rules"].clone();
    assert_eq!(
        rules[0]["serve"],
        json!({ "rollout": { "by": "userId", "salt": "g",
            "bucketing": { "hash": "murmur3", "seed": 0, "buckets": 100 }, "fallThrough": true,
            "weights": [ { "variant": "enabled", "weight": 25 }, { "weight": 75 } ] } })
    );
    // 100% still needs the unit (Unleash: a context without sessionId is outside).
    assert_eq!(
        rules[1]["serve"]["rollout"]["weights"],
        json!([ { "variant": "enabled", "weight": 100 } ])
    );
    assert_eq!(rules[1]["serve"]["rollout"]["by"], "sessionId");
    // 100% with default stickiness: everyone, random included.
    assert_eq!(
        rules[2],
        json!({ "id": "strategies[2]", "conditions": [], "serve": { "variant": "enabled" } })
    );
    // 0% and a percentage Unleash cannot read never match: no rule.
    assert_eq!(rules.as_array().unwrap().len(), 3);
}

#[test]
fn a_partial_default_stickiness_rollout_reads_user_then_session_and_notes_random() {
    let imp = features(json!([{ "name": "f", "enabled": true, "strategies": [
        { "name": "flexibleRollout", "parameters": { "rollout": "10", "stickiness": "default", "groupId": "f" } }
    ]}]));
    assert_eq!(
        flag(&imp, "f")["rules"][0]["serve"]["rollout"]["by"],
        json!(["userId", "sessionId"])
    );
    assert!(has_note(&imp, "features[0].strategies[0]", true, "random"));
}

#[test]
fn strategy_variants_use_an_in_bucket_condition_and_a_variant_rollout() {
    let imp = features(json!([{ "name": "f", "enabled": true, "strategies": [
        { "name": "flexibleRollout", "parameters": { "rollout": "50", "stickiness": "userId", "groupId": "g" },
          "variants": [
            { "name": "a", "weight": 1, "payload": { "type": "string", "value": "A" } },
            { "name": "b", "weight": 3, "payload": { "type": "json", "value": "{}" },
              "overrides": [ { "contextName": "userId", "values": ["7"] } ] },
            { "name": "z", "weight": 0 }
          ] }
    ]}]));
    let f = flag(&imp, "f");
    let in_bucket = json!({ "op": "inBucket", "by": "userId", "salt": "g",
        "bucketing": { "hash": "murmur3", "seed": 0, "buckets": 100 }, "values": [[0, 50]] });
    assert_eq!(
        f["rules"][0],
        json!({ "id": "strategies[0].overrides[0]",
        "conditions": [ in_bucket, { "attribute": "userId", "op": "in", "values": ["7"] } ],
        "serve": { "variant": "b" } })
    );
    assert_eq!(f["rules"][1]["conditions"], json!([in_bucket]));
    assert_eq!(
        f["rules"][1]["serve"],
        json!({ "rollout": { "by": "userId", "salt": "g",
        "bucketing": { "hash": "murmur3", "seed": 86_028_157, "buckets": 4 }, "fallThrough": true,
        "weights": [ { "variant": "a", "weight": 1 }, { "variant": "b", "weight": 3 } ] } })
    );
    // A context without userId: Unleash would pick a random variant; the import serves the first.
    assert_eq!(f["rules"][2]["serve"], json!({ "variant": "a" }));
    assert!(has_note(&imp, "features[0].strategies[0]", true, "random"));
    assert_eq!(
        f["variants"],
        json!({ "disabled": false, "enabled": true, "a": true, "b": true, "z": true })
    );
    assert_eq!(f["metadata"]["payload.b"], "{}");
    assert_eq!(f["metadata"]["payloadType.b"], "json");
}

#[test]
fn feature_variants_are_salted_with_the_feature_name_and_read_the_first_stickiness() {
    let imp = features(json!([{ "name": "f", "enabled": true, "strategies": [],
        "variants": [ { "name": "a", "weight": 50, "stickiness": "org" }, { "name": "b", "weight": 50 } ] }]));
    let r = &flag(&imp, "f")["rules"][0]["serve"]["rollout"];
    assert_eq!(r["salt"], "f");
    assert_eq!(r["by"], "org");
    assert_eq!(r["bucketing"]["buckets"], 100);
}

#[test]
fn constraints_become_conditions_as_unleash_evaluates_them() {
    let c = |c: Value| {
        let imp = features(json!([{ "name": "f", "enabled": true,
            "strategies": [ { "name": "default", "constraints": [c] } ] }]));
        (flag(&imp, "f")["rules"][0]["conditions"][0].clone(), imp)
    };
    assert_eq!(
        c(json!({ "contextName": "appName", "operator": "NOT_IN", "values": ["web"] })).0,
        json!({ "attribute": "appName", "op": "in", "values": ["web"], "negate": true, "whenMissing": true })
    );
    // Inverted NOT_IN is IN.
    assert_eq!(
        c(json!({ "contextName": "x", "operator": "NOT_IN", "values": ["1"], "inverted": true })).0,
        json!({ "attribute": "x", "op": "in", "values": ["1"] })
    );
    assert_eq!(
        c(json!({ "contextName": "email", "operator": "STR_ENDS_WITH", "values": ["@A.com"], "caseInsensitive": true, "inverted": true })).0,
        json!({ "attribute": "email", "op": "endsWith", "values": ["@A.com"], "negate": true, "whenMissing": true, "caseInsensitive": true })
    );
    assert_eq!(
        c(json!({ "contextName": "n", "operator": "NUM_EQ", "value": "12.0" })).0,
        json!({ "attribute": "n", "op": "in", "values": [12], "numericStrings": true })
    );
    assert_eq!(
        c(json!({ "contextName": "n", "operator": "NUM_LTE", "value": "1.5" })).0,
        json!({ "attribute": "n", "op": "lte", "values": [1.5], "numericStrings": true })
    );
    assert_eq!(
        c(json!({ "contextName": "currentTime", "operator": "DATE_AFTER", "value": "2022-01-22T13:00:00.000+02:00" })).0,
        json!({ "attribute": "currentTime", "op": "after", "values": ["2022-01-22T13:00:00.000+02:00"] })
    );
    assert_eq!(
        c(json!({ "contextName": "v", "operator": "SEMVER_GTE", "value": "1.2.3-rc.1" })).0,
        json!({ "attribute": "v", "op": "semverGte", "values": ["1.2.3-rc.1"] })
    );
    assert_eq!(
        c(json!({ "contextName": "u", "operator": "REGEX", "value": "^abc$", "caseInsensitive": true })).0,
        json!({ "attribute": "u", "op": "matches", "values": ["(?i)^abc$"] })
    );
    let (cond, imp) = c(
        json!({ "contextName": "remoteAddress", "operator": "IN_CIDR", "values": ["bad", "10.0.0.0/8"] }),
    );
    assert_eq!(
        cond,
        json!({ "attribute": "remoteAddress", "op": "inCidr", "values": ["10.0.0.0/8"] })
    );
    assert!(has_note(
        &imp,
        "features[0].strategies[0].constraints[0].values[0]",
        false,
        "dropped"
    ));
}

#[test]
fn constraints_that_never_hold_drop_the_strategy_and_empty_lists_follow_unleash() {
    let rules = |c: Value| {
        let imp = features(json!([{ "name": "f", "enabled": true,
            "strategies": [ { "name": "default", "constraints": [c] } ] }]));
        (flag(&imp, "f")["rules"].as_array().unwrap().len(), imp)
    };
    let p = "features[0].strategies[0].constraints[0]";
    let (n, imp) = rules(json!({ "contextName": "v", "operator": "SEMVER_EQ", "value": "v2.0.0" }));
    assert_eq!(n, 0);
    assert!(has_note(&imp, &format!("{p}.value"), false, "never holds"));
    assert_eq!(rules(json!({ "contextName": "v", "operator": "SEMVER_EQ", "value": "v2.0.0", "inverted": true })).0, 0);
    assert_eq!(
        rules(json!({ "contextName": "u", "operator": "REGEX", "value": "(a" })).0,
        0
    );
    assert_eq!(
        rules(json!({ "contextName": "u", "operator": "REGEX", "value": "^(?=a)b$" })).0,
        0
    );
    assert_eq!(
        rules(json!({ "contextName": "n", "operator": "NUM_GT", "value": "many" })).0,
        0
    );
    let (n, imp) =
        rules(json!({ "contextName": "x", "operator": "NOT_AN_OPERATOR", "value": "1" }));
    assert_eq!(n, 0);
    assert!(has_note(
        &imp,
        &format!("{p}.operator"),
        true,
        "unknown operator"
    ));
    assert_eq!(
        rules(json!({ "contextName": "e", "operator": "IN", "values": [] })).0,
        0
    );
    // NOT_IN [] holds for every context: a rule without that condition.
    let imp = features(
        json!([{ "name": "f", "enabled": true, "strategies": [ { "name": "default",
        "constraints": [ { "contextName": "e", "operator": "NOT_IN", "values": [] } ] } ] }]),
    );
    assert_eq!(flag(&imp, "f")["rules"][0]["conditions"], json!([]));
}

#[test]
fn strategies_map_one_to_one_and_the_unevaluable_ones_are_noted() {
    let imp = features(json!([{ "name": "f", "enabled": true, "strategies": [
        { "name": "userWithId", "parameters": { "userIds": "1, 2,3" } },
        { "name": "remoteAddress", "parameters": { "IPs": "10.0.0.1, nope, 10.1.0.0/16" } },
        { "name": "applicationHostname", "parameters": { "hostNames": "a" } },
        { "name": "myCustom", "parameters": {} }
    ]}]));
    let rules = flag(&imp, "f")["rules"].clone();
    assert_eq!(
        rules[0]["conditions"],
        json!([ { "attribute": "userId", "op": "in", "values": ["1", "2", "3"] } ])
    );
    assert_eq!(rules[1]["id"], "strategies[1]");
    assert_eq!(
        rules[1]["conditions"],
        json!([ { "attribute": "remoteAddress", "op": "inCidr", "values": ["10.0.0.1", "10.1.0.0/16"] } ])
    );
    assert_eq!(rules.as_array().unwrap().len(), 2);
    assert!(has_note(
        &imp,
        "features[0].strategies[1].parameters.IPs",
        false,
        "\"nope\""
    ));
    assert!(has_note(
        &imp,
        "features[0].strategies[2]",
        true,
        "applicationHostname"
    ));
    assert!(has_note(
        &imp,
        "features[0].strategies[3]",
        true,
        "custom strategy"
    ));
}

#[test]
fn segments_become_edgeflag_segments() {
    let imp = run(json!({ "version": 2,
        "segments": [
            { "id": 1, "name": "s", "constraints": [ { "contextName": "plan", "operator": "IN", "values": ["pro"] } ] },
            { "id": 2, "constraints": [] },
            { "id": 3, "constraints": [ { "contextName": "v", "operator": "SEMVER_EQ", "value": "bad" } ] }
        ],
        "features": [
            { "name": "a", "enabled": true, "strategies": [ { "name": "default", "segments": [1, 2] } ] },
            { "name": "b", "enabled": true, "strategies": [ { "name": "default", "segments": [3] } ] },
            { "name": "c", "enabled": true, "strategies": [ { "name": "default", "segments": [404] } ] }
        ] }));
    assert_eq!(
        imp.payload["segments"],
        json!({ "unleash-segment-1": { "rules": [[ { "attribute": "plan", "op": "in", "values": ["pro"] } ]] } })
    );
    assert_eq!(
        flag(&imp, "a")["rules"][0]["conditions"],
        json!([ { "op": "inSegment", "values": ["unleash-segment-1"] } ])
    );
    assert_eq!(flag(&imp, "b")["rules"], json!([]));
    assert_eq!(flag(&imp, "c")["rules"], json!([]));
    assert!(has_note(
        &imp,
        "features[2].strategies[0].segments[0]",
        false,
        "does not exist"
    ));
}

#[test]
fn dependencies_become_prerequisites() {
    let imp = features(json!([
        { "name": "p", "enabled": true, "strategies": [], "variants": [ { "name": "v", "weight": 1 } ] },
        { "name": "on", "enabled": true, "strategies": [], "dependencies": [ { "feature": "p" } ] },
        { "name": "off", "enabled": true, "strategies": [], "dependencies": [ { "feature": "p", "enabled": false } ] },
        { "name": "named", "enabled": true, "strategies": [], "dependencies": [ { "feature": "p", "variants": ["disabled", "v", "w"] } ] },
        { "name": "none", "enabled": true, "strategies": [], "dependencies": [ { "feature": "p", "variants": ["w"] } ] },
        { "name": "missing", "enabled": true, "strategies": [], "dependencies": [ { "feature": "nope" } ] },
        { "name": "transitive", "enabled": true, "strategies": [], "dependencies": [ { "feature": "on" } ] }
    ]));
    assert_eq!(
        flag(&imp, "on")["prerequisites"],
        json!([ { "flag": "p", "variants": ["enabled", "v"] } ])
    );
    assert_eq!(
        flag(&imp, "off")["prerequisites"],
        json!([ { "flag": "p", "variants": ["disabled"] } ])
    );
    assert_eq!(
        flag(&imp, "named")["prerequisites"],
        json!([ { "flag": "p", "variants": ["enabled", "v"] } ])
    );
    for k in ["none", "missing", "transitive"] {
        assert_eq!(flag(&imp, k)["enabled"], false, "{k}");
        assert!(flag(&imp, k).get("prerequisites").is_none(), "{k}");
    }
    assert!(has_note(
        &imp,
        "features[5].dependencies[0]",
        false,
        "does not exist"
    ));
    assert!(has_note(
        &imp,
        "features[6].dependencies[0]",
        false,
        "dependencies of its own"
    ));
}

#[test]
fn variants_named_like_the_reserved_ones_rename_those_and_say_so_in_metadata() {
    let imp = features(json!([{ "name": "f", "enabled": true, "strategies": [],
        "variants": [ { "name": "enabled", "weight": 1 }, { "name": "disabled", "weight": 1 } ] }]));
    let f = flag(&imp, "f");
    assert_eq!(f["offVariant"], "disabled_1");
    assert_eq!(f["metadata"]["unleash.enabledVariant"], "enabled_1");
    assert_eq!(f["metadata"]["unleash.disabledVariant"], "disabled_1");
    assert_eq!(
        f["variants"],
        json!({ "disabled_1": false, "enabled_1": true, "enabled": true, "disabled": true })
    );
}

#[test]
fn delta_events_are_folded_in_order() {
    let imp = run(json!({ "events": [
        { "eventId": 1, "type": "hydration", "features": [ { "name": "a", "enabled": true, "strategies": [] } ],
          "segments": [ { "id": 1, "constraints": [ { "contextName": "x", "operator": "IN", "values": ["1"] } ] } ] },
        { "eventId": 2, "type": "feature-updated", "feature": { "name": "b", "enabled": true, "strategies": [] } },
        { "eventId": 3, "type": "feature-updated", "feature": { "name": "a", "enabled": false, "strategies": [] } },
        { "eventId": 4, "type": "feature-removed", "featureName": "b", "project": "default" },
        { "eventId": 5, "type": "segment-removed", "segmentId": 1 }
    ] }));
    assert_eq!(imp.payload["flags"].as_object().unwrap().len(), 1);
    assert_eq!(flag(&imp, "a")["enabled"], false);
    assert!(imp.payload.get("segments").is_none());
}

#[test]
fn unknown_fields_are_noted_without_loss() {
    let imp = run(json!({ "version": 2, "shiny": 1, "features": [
        { "name": "a", "enabled": true, "extra": {}, "strategies": [ { "name": "default", "weird": 1,
            "constraints": [ { "contextName": "x", "operator": "IN", "values": ["1"], "odd": true } ] } ] } ] }));
    for p in [
        "shiny",
        "features[0].extra",
        "features[0].strategies[0].weird",
        "features[0].strategies[0].constraints[0].odd",
    ] {
        assert!(
            has_note(&imp, p, false, "unknown Unleash field"),
            "{p}: {:?}",
            imp.notes
        );
    }
}

#[test]
fn strict_refuses_what_is_not_exact() {
    let doc = json!({ "features": [ { "name": "a", "enabled": true, "strategies": [ { "name": "custom" } ] } ] });
    let opts = Options {
        strict: true,
        ..Options::default()
    };
    let e = import(Vendor::Unleash, &serde_json::to_vec(&doc).unwrap(), &opts).unwrap_err();
    assert_eq!(e.path, "features[0].strategies[0]");
    assert!(e.message.contains("--strict"), "{e}");
    // Ignored unknown fields are not lossy: strict accepts them.
    let doc =
        json!({ "features": [ { "name": "a", "enabled": true, "extra": 1, "strategies": [] } ] });
    assert!(import(Vendor::Unleash, &serde_json::to_vec(&doc).unwrap(), &opts).is_ok());
}

#[test]
fn malformed_files_name_the_path_and_what_was_expected() {
    let cases = [
        ("[]", "", "expected an object, found an array"),
        ("{\"version\": 2}", "features", "expected an array of features (missing)"),
        ("{\"features\": {}}", "features", "expected an array, found an object"),
        ("{\"features\": [1]}", "features[0]", "expected an object, found a number"),
        ("{\"features\": [{\"enabled\": true}]}", "features[0].name", "expected a string (missing)"),
        ("{\"features\": [{\"name\": \"\", \"enabled\": true}]}", "features[0].name", "expected a non-empty feature name"),
        ("{\"features\": [{\"name\": \"a\"}]}", "features[0].enabled", "expected a boolean (missing)"),
        ("{\"features\": [{\"name\": \"a\", \"enabled\": \"yes\"}]}", "features[0].enabled", "expected a boolean, found a string"),
        ("{\"features\": [{\"name\": \"a\", \"enabled\": true, \"strategies\": [{\"name\": \"default\", \"constraints\": [{\"operator\": \"IN\"}]}]}]}",
         "features[0].strategies[0].constraints[0].contextName", "expected a string (missing)"),
        ("{\"features\": [{\"name\": \"a\", \"enabled\": true, \"strategies\": [{\"name\": \"default\", \"constraints\": [{\"contextName\": \"x\", \"operator\": \"IN\", \"values\": [\"a\", 2]}]}]}]}",
         "features[0].strategies[0].constraints[0].values[1]", "expected a string, found a number"),
        ("{\"features\": [{\"name\": \"a\", \"enabled\": true, \"strategies\": [{\"name\": \"flexibleRollout\", \"parameters\": {\"rollout\": [50]}}]}]}",
         "features[0].strategies[0].parameters.rollout", "expected a string or a number, found an array"),
        ("{\"features\": [{\"name\": \"a\", \"enabled\": true, \"variants\": [{\"name\": \"v\", \"weight\": -1}]}]}",
         "features[0].variants[0].weight", "expected a non-negative integer weight"),
        ("{\"features\": [{\"name\": \"a\", \"enabled\": true, \"strategies\": [{\"name\": \"default\", \"segments\": [\"one\"]}]}]}",
         "features[0].strategies[0].segments[0]", "expected an integer segment id"),
        ("{\"features\": [{\"name\": \"a\", \"enabled\": true}, {\"name\": \"a\", \"enabled\": true}]}", "features[1].name", "feature \"a\" appears twice"),
        ("{\"features\": [], \"segments\": [{\"id\": 1}, {\"id\": 1}]}", "segments[1].id", "segment id 1 appears twice"),
        ("{\"features\": [{\"name\": \"a\", \"enabled\": true, \"dependencies\": [{\"enabled\": true}]}]}",
         "features[0].dependencies[0].feature", "expected a string (missing)"),
        ("{\"events\": [{\"type\": \"feature-updated\"}]}", "events[0].feature", "expected an object (missing)"),
    ];
    for (doc, path, message) in cases {
        let e = err(doc);
        assert_eq!(
            (e.path.as_str(), e.message.as_str()),
            (path, message),
            "{doc}"
        );
    }
    assert!(err("{").message.starts_with("not JSON"));
}

/// The 1,000-feature import figure (`cargo test --release -p edgeflag-import --test
/// import_unleash -- --ignored --nocapture`): ignored by default, as it measures wall-clock time.
#[test]
#[ignore]
fn thousand_features_import_figure() {
    let n: usize = std::env::var("UL_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let fs: Vec<Value> = (0..n)
        .map(|i| json!({ "name": format!("feature-{i}"), "enabled": true,
            "dependencies": if i % 10 == 1 { json!([ { "feature": format!("feature-{}", i - 1) } ]) } else { json!([]) },
            "strategies": [
                { "name": "flexibleRollout", "parameters": { "rollout": "30", "stickiness": "default", "groupId": format!("feature-{i}") },
                  "constraints": [ { "contextName": "environment", "operator": "IN", "values": ["prod", "stage"] },
                                   { "contextName": "version", "operator": "SEMVER_GT", "value": "1.2.3" } ],
                  "segments": [1] },
                { "name": "userWithId", "parameters": { "userIds": "1,2,3,4,5" } }
            ],
            "variants": [ { "name": "a", "weight": 500, "payload": { "type": "string", "value": "x" } }, { "name": "b", "weight": 500 } ] }))
        .collect();
    let doc = serde_json::to_vec(&json!({ "version": 2, "features": fs,
        "segments": [ { "id": 1, "constraints": [ { "contextName": "plan", "operator": "IN", "values": ["pro"] } ] } ] })).unwrap();
    let start = std::time::Instant::now();
    let runs = 20;
    for _ in 0..runs {
        import(Vendor::Unleash, &doc, &Options::default()).unwrap();
    }
    let per = start.elapsed() / runs;
    let start = std::time::Instant::now();
    for _ in 0..runs {
        drop(serde_json::from_slice::<Value>(&doc).unwrap());
    }
    let parse = start.elapsed() / runs;
    println!(
        "Unleash import: {n} features ({} KiB) in {per:?} (JSON parsing alone: {parse:?})",
        doc.len() / 1024
    );
}
