//! Per-flag degradation (FORMAT.md §6): in `LoadMode::Client`, an error inside one flag's
//! definition makes that flag (and every flag depending on it) answer the caller's default with
//! reason ERROR and error PARSE_ERROR, through every evaluation entry point; the rest of the
//! snapshot loads. Strict loads (the default) refuse with the same error; structural errors
//! refuse in both modes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use edgeflag::{Context, Error, ErrorCode, FlagType, Limits, LoadMode, Reason, Snapshot, Value};
use serde_json::{json, Value as Json};

fn client() -> Limits {
    Limits::default().with_mode(LoadMode::Client)
}

fn payload(schema: &str, flags: Json, segments: Json) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "schema": schema, "owner": "o", "environment": "e", "version": 1,
        "issuedAt": "2026-01-01T00:00:00Z", "expiresAt": "2026-01-08T00:00:00Z",
        "segments": segments, "flags": flags
    }))
    .unwrap()
}

fn boolean(rules: Json) -> Json {
    json!({"type": "boolean", "variants": {"on": true, "off": false}, "offVariant": "off",
           "defaultServe": {"variant": "on"}, "rules": rules})
}

fn rule(condition: Json) -> Json {
    json!([{"conditions": [condition], "serve": {"variant": "off"}}])
}

/// `good` (always on), and `bad` whose one rule has `condition`.
fn with_bad_condition(schema: &str, condition: Json) -> Vec<u8> {
    payload(
        schema,
        json!({"good": boolean(json!([])), "bad": boolean(rule(condition))}),
        json!({}),
    )
}

/// Asserts that `key` is degraded with `message` through every evaluation entry point, and
/// that `good` still evaluates.
fn assert_degraded(s: &Snapshot, key: &str, message: &str) {
    let ctx = s.context(&Context::from_pairs([("targetingKey", Value::from("u1"))]));
    let d = s.bool_details(key, &ctx, true, 0);
    assert!(d.value, "the caller's default");
    assert_eq!(d.reason, Reason::Error);
    assert_eq!(d.error_code, Some(ErrorCode::ParseError));
    assert_eq!(d.error_message.as_deref(), Some(message));
    assert_eq!(d.variant, None);
    assert!(s.bool(key, &ctx, true, 0));
    assert!(!s.bool(key, &ctx, false, 0));
    assert_eq!(s.string(key, &ctx, "dflt", 0), "dflt");
    // Whatever type is asked, the flag's own error wins over a type mismatch.
    let typed = s.details_typed(key, &ctx, 0, Some(FlagType::Number));
    assert_eq!(typed.error_code, Some(ErrorCode::ParseError));
    assert_eq!(
        s.details(key, &ctx, 0).error_message.as_deref(),
        Some(message)
    );
    let all = s.all(&ctx, 0);
    let (_, from_all) = all.iter().find(|(k, _)| *k == key).unwrap();
    assert_eq!(from_all.error_code, Some(ErrorCode::ParseError));
    assert_eq!(from_all.value, None);
    let outcome = s.outcome(key, &ctx, 0, None);
    assert_eq!(outcome.id, s.flag_id(key));
    let failed = outcome.result.unwrap_err();
    assert_eq!(failed.error_message.as_deref(), Some(message));
    let mut seen = false;
    s.each_outcome(&ctx, 0, |info, result| {
        if info.key() == key {
            seen = true;
            let d = result.expect_err("a failure").details();
            assert_eq!(d.error_code, Some(ErrorCode::ParseError));
            assert_eq!(info.error().map(|e| e.message()).as_deref(), Some(message));
        }
    });
    assert!(seen);
    let listed: Vec<(&str, String)> = s.degraded_flags().map(|(k, e)| (k, e.message())).collect();
    assert!(listed.contains(&(key, message.to_string())), "{listed:?}");
}

#[test]
fn strict_is_the_default_and_refuses_what_client_mode_degrades() {
    assert_eq!(Limits::default().mode, LoadMode::Strict);
    let bytes = with_bad_condition(
        "edgeflag/v1",
        json!({"attribute": "v", "op": "semverGt", "values": ["1.2"]}),
    );
    let message = "flags.bad.rules[0].conditions[0].values[0]: \"1.2\" is not a semantic version";
    let e = Snapshot::load(&bytes, &Limits::default()).unwrap_err();
    assert_eq!(e.to_string(), message);
    let s = Snapshot::load(&bytes, &client()).unwrap();
    assert_eq!(s.len(), 2);
    assert_degraded(&s, "bad", message);
    assert!(!s.needs_regex());
    // The other flag evaluates as it would in a strict load.
    let ctx = s.context(&Context::new());
    assert_eq!(
        s.bool_details("good", &ctx, false, 0).reason,
        Reason::Static
    );
    assert!(s.bool("good", &ctx, false, 0));
    let (_, error) = s.degraded_flags().next().unwrap();
    assert!(
        matches!(error.error(), Error::Invalid { path, .. } if path == "flags.bad.rules[0].conditions[0].values[0]")
    );
}

#[test]
fn each_kind_of_definition_error_degrades_only_its_flag() {
    let cases: Vec<(Json, &str)> = vec![
        (json!({"type": "boolean", "variants": {"on": "yes"}, "offVariant": "on"}),
         "flags.bad.variants.on: expected a boolean (the flag's type), found a string"),
        (json!({"type": "boolean", "variants": {"on": true}, "offVariant": "maybe"}),
         "flags.bad.offVariant: unknown variant \"maybe\""),
        (json!({"type": "bool", "variants": {"on": true}, "offVariant": "on"}),
         "flags.bad.type: unknown flag type \"bool\" (expected boolean, string, number or object)"),
        (json!(7), "flags.bad: expected an object, found a number"),
        (boolean(rule(json!({"attribute": "a", "op": "lt", "values": ["x"]}))),
         "flags.bad.rules[0].conditions[0].values[0]: expected a number, found a string"),
        (boolean(rule(json!({"attribute": "a", "op": "startsWith", "values": ["x"], "numericStrings": true}))),
         "flags.bad.rules[0].conditions[0].numericStrings: numericStrings does not apply to operator \"startsWith\""),
    ];
    for (bad, message) in cases {
        let bytes = payload(
            "edgeflag/v1",
            json!({"good": boolean(json!([])), "bad": bad}),
            json!({}),
        );
        assert_eq!(
            Snapshot::load(&bytes, &Limits::default())
                .unwrap_err()
                .to_string(),
            message
        );
        let s = Snapshot::load(&bytes, &client()).unwrap();
        assert_degraded(&s, "bad", message);
        assert_eq!(s.degraded_flags().count(), 1);
    }
}

#[test]
fn an_unknown_operator_of_a_newer_minor_degrades_its_flag() {
    let bytes = with_bad_condition(
        "edgeflag/v1.2",
        json!({"attribute": "a", "op": "inRegion", "values": ["eu"]}),
    );
    let message = "flags.bad.rules[0].conditions[0].op: unknown operator \"inRegion\"";
    assert_eq!(
        Snapshot::load(&bytes, &Limits::default())
            .unwrap_err()
            .to_string(),
        message
    );
    let s = Snapshot::load(&bytes, &client()).unwrap();
    assert_degraded(&s, "bad", message);
}

#[test]
fn unknown_members_degrade_only_under_a_newer_minor() {
    let condition = json!({"attribute": "a", "op": "in", "values": ["x"], "fancyOption": true});
    // Same minor as this build's (and older): ignored, as in v1.
    for schema in ["edgeflag/v1", "edgeflag/v1.1"] {
        let bytes = with_bad_condition(schema, condition.clone());
        for limits in [Limits::default(), client()] {
            let s = Snapshot::load(&bytes, &limits).unwrap();
            assert_eq!(s.degraded_flags().count(), 0, "{schema}");
        }
    }
    let bytes = with_bad_condition("edgeflag/v1.2", condition);
    let message = "flags.bad.rules[0].conditions[0].fancyOption: unknown member of schema \"edgeflag/v1.2\", newer than this build's \"edgeflag/v1.1\"";
    assert_eq!(
        Snapshot::load(&bytes, &Limits::default())
            .unwrap_err()
            .to_string(),
        message
    );
    let s = Snapshot::load(&bytes, &client()).unwrap();
    assert_degraded(&s, "bad", message);

    // Everywhere in a definition: flag, rule, serve, rollout, weight, schedule, target,
    // prerequisite; never in metadata, variants or outside definitions.
    type Edit = Box<dyn Fn(&mut Json)>;
    let places: Vec<(Edit, Option<&str>)> = vec![
        (Box::new(|f| f["x"] = json!(1)), Some("flags.f.x")),
        (
            Box::new(|f| f["rules"][0]["x"] = json!(1)),
            Some("flags.f.rules[0].x"),
        ),
        (
            Box::new(|f| f["rules"][0]["serve"]["x"] = json!(1)),
            Some("flags.f.rules[0].serve.x"),
        ),
        (
            Box::new(|f| f["defaultServe"]["rollout"]["x"] = json!(1)),
            Some("flags.f.defaultServe.rollout.x"),
        ),
        (
            Box::new(|f| f["defaultServe"]["rollout"]["weights"][1]["x"] = json!(1)),
            Some("flags.f.defaultServe.rollout.weights[1].x"),
        ),
        (
            Box::new(|f| f["targets"][0]["x"] = json!(1)),
            Some("flags.f.targets[0].x"),
        ),
        (
            Box::new(|f| f["prerequisites"][0]["x"] = json!(1)),
            Some("flags.f.prerequisites[0].x"),
        ),
        (
            Box::new(
                |f| f["rules"][0]["serve"] = json!({"schedule": {"variant": "on", "otherwise": "off", "start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z", "x": 1}}),
            ),
            Some("flags.f.rules[0].serve.schedule.x"),
        ),
        (Box::new(|f| f["metadata"]["x"] = json!(1)), None),
        (Box::new(|f| f["variants"]["x"] = json!(true)), None),
    ];
    for (edit, path) in places {
        let mut f = json!({"type": "boolean", "variants": {"on": true, "off": false}, "offVariant": "off",
            "prerequisites": [{"flag": "p", "variants": ["on"]}],
            "targets": [{"variant": "on", "values": ["u9"]}],
            "rules": [{"conditions": [], "serve": {"variant": "on"}}],
            "defaultServe": {"rollout": {"weights": [{"variant": "on", "weight": 50000}, {"variant": "off", "weight": 50000}]}},
            "metadata": {"team": "t"}});
        edit(&mut f);
        let mut doc: Json = serde_json::from_slice(&payload(
            "edgeflag/v1.7",
            json!({"p": boolean(json!([])), "f": f}),
            json!({}),
        ))
        .unwrap();
        doc["future"] = json!({"anything": 1});
        let bytes = serde_json::to_vec(&doc).unwrap();
        let s = Snapshot::load(&bytes, &client()).unwrap();
        let degraded: Vec<String> = s.degraded_flags().map(|(_, e)| e.message()).collect();
        match path {
            Some(path) => {
                assert_eq!(degraded.len(), 1, "{path}");
                assert!(
                    degraded[0].starts_with(&format!(
                        "{path}: unknown member of schema \"edgeflag/v1.7\""
                    )),
                    "{degraded:?}"
                );
            }
            None => assert!(degraded.is_empty(), "{degraded:?}"),
        }
    }
}

#[test]
fn flags_using_a_degraded_segment_or_prerequisite_degrade_too() {
    let bad_condition = json!({"attribute": "ip", "op": "inCidr", "values": ["10.0.0.0/33"]});
    let bytes = payload(
        "edgeflag/v1",
        json!({
            "uses-segment": boolean(rule(json!({"op": "inSegment", "values": ["outer"]}))),
            "bad": boolean(rule(bad_condition.clone())),
            "child": {"type": "boolean", "variants": {"on": true, "off": false}, "offVariant": "off",
                      "prerequisites": [{"flag": "good"}, {"flag": "bad", "variants": ["on"]}]},
            "grandchild": {"type": "string", "variants": {"a": "A"}, "offVariant": "a",
                           "prerequisites": [{"flag": "child", "variants": ["on"]}]},
            "good": boolean(rule(json!({"op": "inSegment", "values": ["fine"]}))),
        }),
        json!({
            "inner": {"rules": [[bad_condition]]},
            "outer": {"rules": [[{"attribute": "a", "op": "exists"}], [{"op": "inSegment", "values": ["inner"]}]]},
            "fine": {"included": ["u1"]},
        }),
    );
    // The first prerequisite lacks "variants": an error of `child` itself, found first.
    let s = Snapshot::load(&bytes, &client()).unwrap();
    assert_degraded(
        &s,
        "child",
        "flags.child.prerequisites[0]: missing field \"variants\"",
    );

    let bytes = String::from_utf8(bytes)
        .unwrap()
        .replace(r#"{"flag":"good"},"#, "");
    let bytes = bytes.as_bytes();
    let strict = Snapshot::load(bytes, &Limits::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        strict,
        "segments.inner.rules[0][0].values[0]: \"10.0.0.0/33\" is not a CIDR range"
    );
    let s = Snapshot::load(bytes, &client()).unwrap();
    let cidr = "\"10.0.0.0/33\" is not a CIDR range";
    // A dependent names what it depends on; the cause is in that one's own entry.
    assert_degraded(
        &s,
        "uses-segment",
        "flags.uses-segment.rules[0]: segment \"outer\" cannot be evaluated",
    );
    let bad = format!("flags.bad.rules[0].conditions[0].values[0]: {cidr}");
    assert_degraded(&s, "bad", &bad);
    assert_degraded(
        &s,
        "child",
        "flags.child.prerequisites[0]: prerequisite \"bad\" cannot be evaluated",
    );
    assert_degraded(
        &s,
        "grandchild",
        "flags.grandchild.prerequisites[0]: prerequisite \"child\" cannot be evaluated",
    );
    let keys: Vec<&str> = s.degraded_flags().map(|(k, _)| k).collect();
    assert_eq!(keys, ["bad", "child", "grandchild", "uses-segment"]);
    // `good` uses a healthy segment and still evaluates (serves off for a member).
    let ctx = s.context(&Context::from_pairs([("targetingKey", Value::from("u1"))]));
    let d = s.bool_details("good", &ctx, true, 0);
    assert_eq!((d.value, d.reason), (false, Reason::TargetingMatch));
}

#[test]
fn matches_without_the_regex_feature_is_recognisable() {
    let bytes = payload(
        "edgeflag/v1",
        json!({
            "re": boolean(rule(json!({"attribute": "e", "op": "matches", "values": ["^a.*z$"]}))),
            "dependent": {"type": "boolean", "variants": {"on": true, "off": false}, "offVariant": "off",
                          "prerequisites": [{"flag": "re", "variants": ["on"]}]},
            "other": boolean(rule(json!({"attribute": "v", "op": "semverGt", "values": ["x"]}))),
        }),
        json!({}),
    );
    let s = Snapshot::load(&bytes, &client()).unwrap();
    if cfg!(feature = "regex") {
        let keys: Vec<&str> = s.degraded_flags().map(|(k, _)| k).collect();
        assert_eq!(keys, ["other"]);
        assert!(!s.needs_regex());
    } else {
        let needs: Vec<(&str, bool)> = s
            .degraded_flags()
            .map(|(k, e)| (k, e.needs_regex()))
            .collect();
        // Payload order (serde_json writes members sorted).
        assert_eq!(needs, [("dependent", true), ("other", false), ("re", true)]);
        assert!(s.needs_regex());
        assert_degraded(
            &s,
            "re",
            "flags.re.rules[0].conditions[0].op: operator \"matches\" needs edgeflag built with the \"regex\" feature",
        );
    }
    // A host that can load the build with `regex` asks for the refusal instead; other errors
    // still degrade their flag.
    let refusing = Limits::default().with_mode(LoadMode::ClientRefusingRegex);
    let refused = Snapshot::load(&bytes, &refusing);
    if cfg!(feature = "regex") {
        let s = refused.unwrap();
        let keys: Vec<&str> = s.degraded_flags().map(|(k, _)| k).collect();
        assert_eq!(keys, ["other"]);
    } else {
        let e = refused.err().unwrap().to_string();
        assert!(
            e.ends_with("needs edgeflag built with the \"regex\" feature"),
            "{e}"
        );
    }
}

#[test]
fn structural_errors_refuse_the_snapshot_in_client_mode_too() {
    // A limit inside a flag.
    let limits = Limits {
        max_rules_per_flag: 2,
        ..client()
    };
    let bytes = payload(
        "edgeflag/v1",
        json!({"f": boolean(json!([{"serve": {"variant": "on"}}, {"serve": {"variant": "on"}}, {"serve": {"variant": "on"}}]))}),
        json!({}),
    );
    let e = Snapshot::load(&bytes, &limits).unwrap_err().to_string();
    assert_eq!(e, "flags.f.rules: 3 entries, more than the limit of 2");
    // A prerequisite cycle through a degraded flag.
    let bytes = payload(
        "edgeflag/v1",
        json!({
            "a": {"type": "boolean", "variants": {"on": true}, "offVariant": "nope",
                  "prerequisites": [{"flag": "b", "variants": ["on"]}]},
            "b": {"type": "boolean", "variants": {"on": true}, "offVariant": "on",
                  "prerequisites": [{"flag": "a", "variants": ["on"]}]},
        }),
        json!({}),
    );
    let e = Snapshot::load(&bytes, &client()).unwrap_err().to_string();
    assert!(e.contains("prerequisite cycle: a -> b -> a"), "{e}");
    // A segment cycle through a degraded segment.
    let bytes = payload(
        "edgeflag/v1",
        json!({}),
        json!({
            "x": {"rules": [[{"op": "inSegment", "values": ["y"]}, {"attribute": "a", "op": "lt", "values": ["z"]}]]},
            "y": {"rules": [[{"op": "inSegment", "values": ["x"]}]]},
        }),
    );
    let e = Snapshot::load(&bytes, &client()).unwrap_err().to_string();
    assert!(e.contains("segment cycle: x -> y -> x"), "{e}");
    // Header fields and an empty flag key.
    let mut doc: Json = serde_json::from_slice(&payload(
        "edgeflag/v1",
        json!({"": boolean(json!([]))}),
        json!({}),
    ))
    .unwrap();
    assert!(Snapshot::load(&serde_json::to_vec(&doc).unwrap(), &client()).is_err());
    doc["flags"] = json!({});
    doc["owner"] = json!("");
    assert!(Snapshot::load(&serde_json::to_vec(&doc).unwrap(), &client()).is_err());
}

#[test]
fn a_degraded_flag_keeps_its_declared_type_and_metadata() {
    let bytes = payload(
        "edgeflag/v1",
        json!({"s": {"type": "string", "variants": {"a": 1}, "offVariant": "a", "metadata": {"team": "web"}}}),
        json!({}),
    );
    let s = Snapshot::load(&bytes, &client()).unwrap();
    assert_eq!(s.flag_type("s"), Some(FlagType::String));
    let ctx = s.context(&Context::new());
    let d = s.string_details("s", &ctx, "fallback", 0);
    assert_eq!(d.value, "fallback");
    assert_eq!(d.flag_metadata.len(), 1);
    assert!(!s.reads_clock("s"));
}

#[test]
fn the_linter_reports_degraded_flags_and_nothing_else_about_them() {
    let bytes = with_bad_condition(
        "edgeflag/v1.2",
        json!({"attribute": "a", "op": "inRegion", "values": ["eu"]}),
    );
    let s = Snapshot::load(&bytes, &client()).unwrap();
    let warnings = edgeflag::lint::lint(&s, 0);
    let about_bad: Vec<String> = warnings
        .iter()
        .filter(|w| w.path.starts_with("flags.bad"))
        .map(|w| w.to_string())
        .collect();
    assert_eq!(
        about_bad,
        ["flags.bad: cannot be evaluated by this build (it answers the default with PARSE_ERROR): flags.bad.rules[0].conditions[0].op: unknown operator \"inRegion\""]
    );
}

#[test]
fn messages_of_dependents_stay_proportional_to_the_payload() {
    // A deep chain of segments with long keys under many flags: copying each cause into its
    // dependents made the messages grow with depth x width (a 900 KB payload held ~1 GB).
    let long = |i: usize| format!("{i:0>4000}");
    let mut segments = serde_json::Map::new();
    segments.insert(
        long(0),
        json!({"rules": [[{"attribute": "v", "op": "semverEq", "values": ["v2.0.0"]}]]}),
    );
    for i in 1..30 {
        segments.insert(
            long(i),
            json!({"rules": [[{"op": "inSegment", "values": [long(i - 1)]}]]}),
        );
    }
    let mut flags = serde_json::Map::new();
    for i in 0..100 {
        flags.insert(
            format!("f{i}"),
            boolean(rule(json!({"op": "inSegment", "values": [long(29)]}))),
        );
    }
    let bytes = payload("edgeflag/v1", Json::Object(flags), Json::Object(segments));
    let s = Snapshot::load(&bytes, &client()).unwrap();
    let total: usize = s.degraded_flags().map(|(_, e)| e.message().len()).sum();
    assert_eq!(s.degraded_flags().count(), 100);
    assert!(
        total < bytes.len(),
        "{total} bytes of messages for a {} byte payload",
        bytes.len()
    );
}

#[test]
fn a_bad_in_bucket_pair_degrades_only_its_flag() {
    let bytes = payload(
        "edgeflag/v1.1",
        json!({
            "triple": boolean(rule(json!({"op": "inBucket", "salt": "s", "values": [[0, 10, 20]]}))),
            "fine": boolean(json!([])),
        }),
        json!({}),
    );
    let s = Snapshot::load(&bytes, &client()).unwrap();
    let keys: Vec<&str> = s.degraded_flags().map(|(k, _)| k).collect();
    assert_eq!(keys, ["triple"]);
    assert_degraded(
        &s,
        "triple",
        "flags.triple.rules[0].conditions[0].values[0]: expected a pair [start, end]",
    );
}
