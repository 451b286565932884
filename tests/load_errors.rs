//! Malformed snapshots are refused with an error that names the path and what is wrong;
//! nothing panics or overflows the stack, and every limit holds at exactly its value.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use edgeflag::{Error, Limits, Snapshot};
use serde_json::{json, Value as Json};

fn base() -> Json {
    json!({
        "schema": "edgeflag/v1", "owner": "shop", "environment": "production", "version": 42,
        "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
        "segments": { "beta": { "included": ["u1"] } },
        "flags": {
            "new-checkout": {
                "type": "boolean", "enabled": true,
                "variants": { "on": true, "off": false }, "offVariant": "off",
                "rules": [
                    { "id": "a", "conditions": [ { "attribute": "plan", "op": "in", "values": ["pro"] } ], "serve": { "variant": "on" } },
                    { "id": "b", "conditions": [], "serve": { "variant": "off" } },
                    { "id": "c", "conditions": [ { "attribute": "email", "op": "endsWith", "values": ["@x"] } ], "serve": { "variant": "on" } }
                ],
                "defaultServe": { "rollout": { "weights": [ { "variant": "on", "weight": 25000 }, { "variant": "off", "weight": 75000 } ] } }
            },
            "payments": { "type": "string", "variants": { "v1": "one", "v2": "two" }, "offVariant": "v1" }
        }
    })
}

fn load(payload: &Json) -> Result<Snapshot, Error> {
    Snapshot::load(&serde_json::to_vec(payload).unwrap(), &Limits::default())
}

fn refused(payload: &Json) -> String {
    match load(payload) {
        Ok(_) => panic!("payload was accepted: {payload}"),
        Err(e) => e.to_string(),
    }
}

fn with(edit: impl FnOnce(&mut Json)) -> Json {
    let mut p = base();
    edit(&mut p);
    p
}

#[test]
fn the_base_payload_loads() {
    let s = load(&base()).unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s.header().version, 42);
}

#[test]
fn every_validation_error_names_its_path() {
    let cases: Vec<(Json, &str)> = vec![
        (with(|p| p["flags"]["new-checkout"]["rules"][2]["conditions"][0]["op"] = json!("startswith")),
         "flags.new-checkout.rules[2].conditions[0].op: unknown operator \"startswith\""),
        (with(|p| p["flags"]["new-checkout"]["rules"][0]["serve"]["variant"] = json!("maybe")),
         "flags.new-checkout.rules[0].serve.variant: unknown variant \"maybe\""),
        (with(|p| p["flags"]["new-checkout"]["defaultServe"]["rollout"]["weights"][1]["weight"] = json!(74999)),
         "flags.new-checkout.defaultServe.rollout.weights: weights sum to 99999, they must sum to 100000"),
        (with(|p| p["flags"]["new-checkout"]["variants"]["on"] = json!("yes")),
         "flags.new-checkout.variants.on: expected a boolean (the flag's type), found a string"),
        (with(|p| p["flags"]["payments"]["variants"]["v2"] = json!(2)),
         "flags.payments.variants.v2: expected a string (the flag's type), found a number"),
        (with(|p| p["flags"]["new-checkout"]["type"] = json!("bool")),
         "flags.new-checkout.type: unknown flag type \"bool\""),
        (with(|p| p["flags"]["new-checkout"].as_object_mut().unwrap().remove("offVariant").map(|_| ()).unwrap()),
         "flags.new-checkout: missing field \"offVariant\""),
        (with(|p| p["flags"]["new-checkout"]["rules"][0]["conditions"][0]["values"] = json!([])),
         "flags.new-checkout.rules[0].conditions[0].values: must not be empty"),
        (with(|p| p["flags"]["new-checkout"]["rules"][0]["conditions"][0]["op"] = json!("lt")),
         "flags.new-checkout.rules[0].conditions[0].values[0]: expected a number, found a string"),
        (with(|p| p["flags"]["new-checkout"]["rules"][0]["conditions"][0] = json!({"attribute": "v", "op": "semverGt", "values": ["1.2"]})),
         "flags.new-checkout.rules[0].conditions[0].values[0]: \"1.2\" is not a semantic version"),
        (with(|p| p["flags"]["new-checkout"]["rules"][0]["conditions"][0] = json!({"attribute": "ip", "op": "inCidr", "values": ["10.0.0.0/33"]})),
         "flags.new-checkout.rules[0].conditions[0].values[0]: \"10.0.0.0/33\" is not a CIDR range"),
        (with(|p| p["flags"]["new-checkout"]["rules"][0]["conditions"][0] = json!({"attribute": "d", "op": "before", "values": ["tomorrow"]})),
         "flags.new-checkout.rules[0].conditions[0].values[0]: \"tomorrow\" is not an RFC 3339 instant"),
        (with(|p| p["flags"]["new-checkout"]["rules"][0]["conditions"][0] = json!({"op": "inSegment", "values": ["gamma"]})),
         "flags.new-checkout.rules[0].conditions[0].values[0]: unknown segment \"gamma\""),
        (with(|p| p["flags"]["new-checkout"]["rules"][0]["serve"] = json!({"variant": "on", "rollout": {}})),
         "flags.new-checkout.rules[0].serve: expected exactly one of \"variant\", \"rollout\" or \"schedule\""),
        (with(|p| p["flags"]["new-checkout"]["rules"][1]["id"] = json!("a")),
         "flags.new-checkout.rules[1].id: duplicate rule id \"a\""),
        (with(|p| p["flags"]["new-checkout"]["prerequisites"] = json!([{"flag": "nope", "variants": ["on"]}])),
         "flags.new-checkout.prerequisites[0].flag: unknown flag \"nope\""),
        (with(|p| p["flags"]["new-checkout"]["prerequisites"] = json!([{"flag": "payments", "variants": ["v3"]}])),
         "flags.new-checkout.prerequisites[0].variants[0]: unknown variant \"v3\""),
        (with(|p| p["flags"]["new-checkout"]["targets"] = json!([{"variant": "on", "values": ["u1"]}, {"variant": "off", "values": ["u1"]}])),
         "flags.new-checkout.targets: \"u1\" is targeted more than once"),
        (with(|p| p["flags"]["new-checkout"]["defaultServe"] = json!({"schedule": {"variant": "on", "otherwise": "off", "start": "2026-12-08T00:00:00Z", "end": "2026-12-01T00:00:00Z"}})),
         "flags.new-checkout.defaultServe.schedule.end: must be later than start"),
        (with(|p| p["flags"]["new-checkout"]["defaultServe"] = json!({"schedule": {"variant": "on", "otherwise": "off", "start": "2026-12-01T00:00:00Z", "end": "2026-12-08T00:00:00Z", "curve": "cubic"}})),
         "flags.new-checkout.defaultServe.schedule.curve: unknown curve \"cubic\""),
        (with(|p| p["flags"]["new-checkout"]["defaultServe"]["rollout"]["weights"][0]["weight"] = json!(-1)),
         "flags.new-checkout.defaultServe.rollout.weights[0].weight: expected an integer from 0 to 100000"),
        (with(|p| p["segments"]["beta"]["included"] = json!([true])),
         "segments.beta.included[0]: expected a string or an integer, found a boolean"),
        (with(|p| p["version"] = json!(-1)), "version: expected an integer from 0 to 18446744073709551615"),
        (with(|p| p["expiresAt"] = json!("2026-11-21T09:00:00Z")), "expiresAt: must be later than issuedAt"),
        (with(|p| p["owner"] = json!("")), "owner: must not be empty"),
        (with(|p| { p.as_object_mut().unwrap().remove("flags"); }), "(root): missing field \"flags\""),
        (with(|p| p["flags"]["we.ird"] = json!(7)), "flags[\"we.ird\"]: expected an object, found a number"),
        (with(|p| p["flags"]["new-checkout"]["rules"][2]["conditions"][0]["caseInsensitive"] = json!(1)),
         "flags.new-checkout.rules[2].conditions[0].caseInsensitive: expected a boolean, found a number"),
        (with(|p| p["flags"]["new-checkout"]["rules"][0]["conditions"][0] = json!({"attribute": "d", "op": "after", "values": [1], "numericStrings": true})),
         "flags.new-checkout.rules[0].conditions[0].numericStrings: numericStrings does not apply to operator \"after\""),
        (with(|p| p["segments"]["beta"]["rules"] = json!([[{"op": "exists", "attribute": "a", "whenMissing": true}]])),
         "segments.beta.rules[0][0].whenMissing: whenMissing does not apply to operator \"exists\""),
    ];
    for (payload, expected) in cases {
        let message = refused(&payload);
        assert!(
            message.starts_with(expected),
            "\n  expected: {expected}\n  actual:   {message}"
        );
    }
}

#[test]
fn operator_typos_get_a_hint() {
    let p = with(|p| {
        p["flags"]["new-checkout"]["rules"][0]["conditions"][0]["op"] = json!("startswith")
    });
    assert!(refused(&p).ends_with("(did you mean \"startsWith\"?)"));
}

#[test]
fn matches_needs_the_regex_feature_or_a_valid_pattern() {
    let p = with(|p| {
        p["flags"]["new-checkout"]["rules"][0]["conditions"][0] =
            json!({"attribute": "e", "op": "matches", "values": ["(unclosed"]})
    });
    let message = refused(&p);
    if cfg!(feature = "regex") {
        assert!(
            message.starts_with(
                "flags.new-checkout.rules[0].conditions[0].values[0]: invalid regular expression"
            ),
            "{message}"
        );
    } else {
        assert!(message.contains("\"regex\" feature"), "{message}");
    }
}

#[test]
fn prerequisite_cycles_are_refused() {
    let p = with(|p| {
        p["flags"]["new-checkout"]["prerequisites"] =
            json!([{"flag": "payments", "variants": ["v1"]}]);
        p["flags"]["payments"]["prerequisites"] =
            json!([{"flag": "new-checkout", "variants": ["on"]}]);
    });
    let message = refused(&p);
    assert!(
        message.contains("prerequisite cycle: new-checkout -> payments -> new-checkout"),
        "{message}"
    );
    let selfish = with(|p| {
        p["flags"]["payments"]["prerequisites"] = json!([{"flag": "payments", "variants": ["v1"]}])
    });
    assert!(refused(&selfish).contains("prerequisite cycle: payments -> payments"));
}

#[test]
fn segment_cycles_are_refused() {
    let p = with(|p| {
        p["segments"]["a"] = json!({"rules": [[{"op": "inSegment", "values": ["b"]}]]});
        p["segments"]["b"] = json!({"rules": [[{"op": "inSegment", "values": ["a"]}]]});
    });
    assert!(refused(&p).contains("segment cycle: a -> b -> a"));
}

#[test]
fn dependency_chains_and_fan_outs_are_bounded() {
    // A chain of 40 prerequisites exceeds the default depth of 32.
    let chain = with(|p| {
        for i in 0..40 {
            let mut f = json!({"type": "boolean", "variants": {"on": true, "off": false}, "offVariant": "off"});
            if i > 0 {
                f["prerequisites"] = json!([{"flag": format!("c{}", i - 1), "variants": ["on"]}]);
            }
            p["flags"][format!("c{i}")] = f;
        }
    });
    assert!(refused(&chain).contains("dependency chain deeper than 32"));
    // A diamond lattice: each level names both flags of the level below: 2^20 evaluations.
    let diamond = with(|p| {
        for i in 0..20 {
            for side in ["l", "r"] {
                let mut f = json!({"type": "boolean", "variants": {"on": true, "off": false}, "offVariant": "off"});
                if i > 0 {
                    f["prerequisites"] = json!([{"flag": format!("l{}", i - 1), "variants": ["on"]}, {"flag": format!("r{}", i - 1), "variants": ["on"]}]);
                }
                p["flags"][format!("{side}{i}")] = f;
            }
        }
    });
    assert!(refused(&diamond).contains("would evaluate more than 10000 flags and segments"));
}

#[test]
fn duplicate_keys_are_refused_anywhere() {
    let text = br#"{"schema":"edgeflag/v1","owner":"o","environment":"e","version":1,"issuedAt":"2026-11-21T10:00:00Z","expiresAt":"2026-11-28T10:00:00Z","flags":{"f":{"type":"boolean","variants":{"on":true,"on":false},"offVariant":"on"}}}"#;
    let message = Snapshot::load(text, &Limits::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("flags.f.variants: duplicate key \"on\""),
        "{message}"
    );
    let unknown = br#"{"schema":"edgeflag/v1","x":1,"x":2}"#;
    assert!(Snapshot::load(unknown, &Limits::default())
        .unwrap_err()
        .to_string()
        .contains("duplicate key \"x\""));
}

#[test]
fn ten_thousand_levels_of_nesting_are_refused_without_overflow() {
    let mut text = String::from(r#"{"schema":"edgeflag/v1","flags":{},"x":"#);
    text.push_str(&"[".repeat(10_000));
    text.push_str(&"]".repeat(10_000));
    text.push('}');
    let e = Snapshot::load(text.as_bytes(), &Limits::default()).unwrap_err();
    assert!(matches!(e, Error::Json { .. }), "{e}");
    assert!(e.to_string().contains("nesting deeper than 64"), "{e}");
}

#[test]
fn non_utf8_and_unknown_schema_majors_are_refused() {
    let mut bytes = serde_json::to_vec(&base()).unwrap();
    let at = bytes.iter().position(|b| *b == b'p').unwrap();
    bytes[at] = 0xff;
    assert!(matches!(
        Snapshot::load(&bytes, &Limits::default()),
        Err(Error::Json { .. })
    ));
    let v2 = with(|p| p["schema"] = json!("edgeflag/v2"));
    assert!(matches!(load(&v2), Err(Error::Schema { .. })));
}

#[test]
fn unknown_fields_are_ignored() {
    let p = with(|p| {
        p["future"] = json!({"anything": [1, 2, 3]});
        p["flags"]["new-checkout"]["rollout-hints"] = json!(true);
        p["flags"]["new-checkout"]["rules"][0]["conditions"][0]["someFutureOption"] = json!(true);
    });
    assert!(load(&p).is_ok());
    // Under this build's own minor revision too; a newer one makes them errors of the flag.
    let mut same = p.clone();
    same["schema"] = json!("edgeflag/v1.1");
    assert!(load(&same).is_ok());
    let mut newer = p;
    newer["schema"] = json!("edgeflag/v1.2");
    assert_eq!(
        refused(&newer),
        "flags.new-checkout.rollout-hints: unknown member of schema \"edgeflag/v1.2\", newer than this build's \"edgeflag/v1.1\""
    );
}

/// Builds a payload with `n` of something, to test a limit at exactly n and at n + 1.
fn sized(what: &str, n: usize) -> Json {
    with(|p| match what {
        "flags" => {
            let flags: serde_json::Map<String, Json> = (0..n)
                .map(|i| {
                    (
                        format!("f{i}"),
                        json!({"type": "boolean", "variants": {"on": true}, "offVariant": "on"}),
                    )
                })
                .collect();
            p["flags"] = Json::Object(flags);
        }
        "segments" => {
            p["segments"] = Json::Object((0..n).map(|i| (format!("s{i}"), json!({}))).collect());
        }
        "rules" => {
            p["flags"]["new-checkout"]["rules"] =
                Json::Array(vec![json!({"serve": {"variant": "on"}}); n]);
        }
        "conditions" => {
            p["flags"]["new-checkout"]["rules"][0]["conditions"] =
                Json::Array(vec![json!({"attribute": "a", "op": "exists"}); n]);
        }
        "values" => {
            p["flags"]["new-checkout"]["rules"][0]["conditions"][0]["values"] =
                Json::Array((0..n).map(|i| json!(format!("v{i}"))).collect());
        }
        "variants" => {
            p["flags"]["payments"]["variants"] =
                Json::Object((0..n).map(|i| (format!("v{i}"), json!("x"))).collect());
            p["flags"]["payments"]["offVariant"] = json!("v0");
        }
        "string" => p["flags"]["payments"]["variants"]["v1"] = json!("x".repeat(n)),
        "bytes" => p["padding"] = json!(" ".repeat(n)),
        _ => unreachable!(),
    })
}

#[test]
fn every_cap_holds_at_its_value_and_refuses_one_more() {
    let limits = Limits {
        max_flags: 20,
        max_segments: 20,
        max_rules_per_flag: 20,
        max_conditions_per_rule: 20,
        max_values_per_condition: 20,
        max_variants_per_flag: 20,
        max_string_bytes: 100,
        ..Limits::default()
    };
    let caps = [
        ("flags", 20),
        ("segments", 20),
        ("rules", 20),
        ("conditions", 20),
        ("values", 20),
        ("variants", 20),
        ("string", 100),
    ];
    for (what, cap) in caps {
        let ok = serde_json::to_vec(&sized(what, cap)).unwrap();
        assert!(
            Snapshot::load(&ok, &limits).is_ok(),
            "{what} at the cap: {:?}",
            Snapshot::load(&ok, &limits).err()
        );
        let over = serde_json::to_vec(&sized(what, cap + 1)).unwrap();
        let e = Snapshot::load(&over, &limits).unwrap_err().to_string();
        assert!(
            e.contains("limit") || e.contains("longer than"),
            "{what} over the cap: {e}"
        );
    }
    // The byte cap applies before parsing, at exactly the payload's size.
    let bytes = serde_json::to_vec(&sized("bytes", 1000)).unwrap();
    let exact = Limits {
        max_bytes: bytes.len(),
        ..Limits::default()
    };
    assert!(Snapshot::load(&bytes, &exact).is_ok());
    let under = Limits {
        max_bytes: bytes.len() - 1,
        ..Limits::default()
    };
    assert!(matches!(
        Snapshot::load(&bytes, &under),
        Err(Error::TooLarge { .. })
    ));
    // Nesting: depth 64 loads, 65 does not.
    let nested = |depth: usize| {
        let mut text = serde_json::to_string(&base()).unwrap();
        text.pop();
        text.push_str(",\"deep\":");
        text.push_str(&"[".repeat(depth - 1));
        text.push_str(&"]".repeat(depth - 1));
        text.push('}');
        text
    };
    assert!(Snapshot::load(nested(64).as_bytes(), &Limits::default()).is_ok());
    assert!(Snapshot::load(nested(65).as_bytes(), &Limits::default()).is_err());
    // The default caps are the design's.
    let d = Limits::default();
    assert_eq!(
        (
            d.max_bytes,
            d.max_flags,
            d.max_segments,
            d.max_rules_per_flag,
            d.max_conditions_per_rule,
            d.max_values_per_condition,
            d.max_string_bytes,
            d.max_depth,
            d.max_variants_per_flag
        ),
        (
            4 << 20,
            10_000,
            10_000,
            1_000,
            100,
            10_000,
            8 << 10,
            64,
            1_000
        )
    );
}
