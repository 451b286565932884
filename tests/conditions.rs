//! The schema v1.1 condition options: `caseInsensitive`, `numericStrings` and `whenMissing`
//! (FORMAT.md §2), what they do on every operator they apply to, and their refusal (with a
//! path) on the operators where they would mean nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use edgeflag::{Context, ContextLimits, Limits, Snapshot};
use serde_json::{json, Value as Json};

/// A snapshot with one boolean flag `f` whose one rule has `condition`.
fn snapshot(condition: Json) -> Result<Snapshot, edgeflag::Error> {
    let payload = json!({
        "schema": "edgeflag/v1.1", "owner": "o", "environment": "e", "version": 1,
        "issuedAt": "2026-01-01T00:00:00Z", "expiresAt": "2026-01-08T00:00:00Z",
        "flags": { "f": {
            "type": "boolean", "variants": { "on": true, "off": false }, "offVariant": "off",
            "rules": [ { "conditions": [condition], "serve": { "variant": "on" } } ]
        } }
    });
    Snapshot::load(&serde_json::to_vec(&payload).unwrap(), &Limits::default())
}

/// Whether `condition` holds for the context `ctx` (JSON).
fn holds(condition: &Json, ctx: Json) -> bool {
    let s = snapshot(condition.clone()).unwrap_or_else(|e| panic!("{condition}: {e}"));
    let ctx = Context::from_json(ctx.to_string().as_bytes(), &ContextLimits::default()).unwrap();
    s.bool("f", &s.context(&ctx), false, 0)
}

fn refused(condition: Json) -> String {
    match snapshot(condition.clone()) {
        Ok(_) => panic!("accepted: {condition}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn case_insensitive_folds_both_sides_with_the_unicode_lowercase_mapping() {
    let cases: &[(&str, Json, &str, bool)] = &[
        ("in", json!(["ÉCOLE"]), "école", true),
        ("in", json!(["école"]), "ÉCOLE", true),
        ("in", json!(["ÉCOLE"]), "Ecole", false),
        ("in", json!(["de", "FR"]), "fr", true),
        ("in", json!(["de"]), "dE", true),
        // U+0130 lowercases to "i" + U+0307: not "i", but it starts with "i".
        ("in", json!(["i"]), "İ", false),
        ("in", json!(["İ"]), "i\u{307}", true),
        ("startsWith", json!(["i"]), "İstanbul", true),
        ("startsWith", json!(["ADMIN-"]), "admin-42", true),
        ("startsWith", json!(["admin-"]), "Admi", false),
        ("endsWith", json!(["@EXAMPLE.COM"]), "Bob@Example.com", true),
        ("endsWith", json!(["ÉCOLE"]), "grande école", true),
        ("endsWith", json!(["\u{307}"]), "xİ", true),
        ("endsWith", json!(["x"]), "İ", false),
        ("contains", json!(["STAGING"]), "eu-Staging-1", true),
        ("contains", json!(["ÉCOLE"]), "la grande école", true),
        ("contains", json!(["olè"]), "ÉCOLÉ", false),
        // No final-sigma context: every capital sigma becomes σ.
        ("contains", json!(["οσ"]), "ΟΔΟΣ", true),
        // Lowercasing, not case folding: ß is not "ss".
        ("in", json!(["strasse"]), "Straße", false),
    ];
    for (op, values, attr, expected) in cases {
        let c = json!({"attribute": "a", "op": op, "values": values, "caseInsensitive": true});
        assert_eq!(holds(&c, json!({"a": attr})), *expected, "{c} on {attr:?}");
        // Without the option, only exact case matches.
        let plain = json!({"attribute": "a", "op": op, "values": values});
        let exact = match *op {
            "in" => values.as_array().unwrap().iter().any(|v| v == attr),
            "startsWith" => values
                .as_array()
                .unwrap()
                .iter()
                .any(|v| attr.starts_with(v.as_str().unwrap())),
            "endsWith" => values
                .as_array()
                .unwrap()
                .iter()
                .any(|v| attr.ends_with(v.as_str().unwrap())),
            _ => values
                .as_array()
                .unwrap()
                .iter()
                .any(|v| attr.contains(v.as_str().unwrap())),
        };
        assert_eq!(
            holds(&plain, json!({"a": attr})),
            exact,
            "{plain} on {attr:?}"
        );
    }
}

#[test]
fn case_insensitive_handles_long_attributes_lists_and_non_strings() {
    let c =
        json!({"attribute": "a", "op": "in", "values": ["é".repeat(300)], "caseInsensitive": true});
    assert!(
        holds(&c, json!({"a": "É".repeat(300)})),
        "longer than the stack buffer"
    );
    assert!(!holds(&c, json!({"a": "É".repeat(299)})));
    let c = json!({"attribute": "a", "op": "in", "values": ["ADMIN"], "caseInsensitive": true});
    assert!(holds(&c, json!({"a": ["dev", "Admin"]})));
    assert!(!holds(&c, json!({"a": 7})));
}

#[test]
fn case_insensitive_is_refused_where_it_means_nothing() {
    for op in ["lt", "before", "semverEq", "inCidr", "exists"] {
        let values = match op {
            "lt" => json!([1]),
            "before" => json!(["2026-01-01T00:00:00Z"]),
            "semverEq" => json!(["1.0.0"]),
            _ => json!(["10.0.0.0/8"]),
        };
        let m =
            refused(json!({"attribute": "a", "op": op, "values": values, "caseInsensitive": true}));
        assert_eq!(
            m,
            format!("flags.f.rules[0].conditions[0].caseInsensitive: caseInsensitive does not apply to operator \"{op}\"")
        );
    }
    let m =
        refused(json!({"attribute": "a", "op": "in", "values": ["x", 1], "caseInsensitive": true}));
    assert_eq!(
        m,
        "flags.f.rules[0].conditions[0].values[1]: expected a string (caseInsensitive compares strings), found a number"
    );
    let m =
        refused(json!({"attribute": "a", "op": "in", "values": ["x"], "caseInsensitive": "yes"}));
    assert_eq!(
        m,
        "flags.f.rules[0].conditions[0].caseInsensitive: expected a boolean, found a string"
    );
    // false is the default and is accepted anywhere.
    assert!(snapshot(
        json!({"attribute": "a", "op": "lt", "values": [1], "caseInsensitive": false})
    )
    .is_ok());
}

#[test]
fn numeric_strings_read_exactly_json_numbers() {
    let strings = [
        ("12", Some(12.0)),
        ("12.5", Some(12.5)),
        ("1e3", Some(1000.0)),
        ("-0.5E-1", Some(-0.05)),
        (" 12", None),
        ("12 ", None),
        ("12abc", None),
        ("0x1", None),
        ("+1", None),
        ("01", None),
        ("1.", None),
        (".5", None),
        ("NaN", None),
        ("Infinity", None),
        ("1e999", None),
        ("", None),
    ];
    for (text, number) in strings {
        for (op, bound) in [("gte", 12.0), ("lt", 12.0), ("lte", 1000.0), ("gt", -1.0)] {
            let c = json!({"attribute": "a", "op": op, "values": [bound], "numericStrings": true});
            let expected = number.is_some_and(|x: f64| match op {
                "gte" => x >= bound,
                "lt" => x < bound,
                "lte" => x <= bound,
                _ => x > bound,
            });
            assert_eq!(
                holds(&c, json!({"a": text})),
                expected,
                "{text:?} {op} {bound}"
            );
            // A string with no number is not comparable: whenMissing decides, negated or not.
            let negated = json!({"attribute": "a", "op": op, "values": [bound], "numericStrings": true, "negate": true});
            assert_eq!(
                holds(&negated, json!({"a": text})),
                number.is_some() && !expected,
                "not {text:?} {op} {bound}"
            );
            // Without the option, a string is never a number.
            let plain = json!({"attribute": "a", "op": op, "values": [bound]});
            assert!(!holds(&plain, json!({"a": text})));
        }
        let c = json!({"attribute": "a", "op": "in", "values": [12, 1000], "numericStrings": true});
        assert_eq!(
            holds(&c, json!({"a": text})),
            matches!(number, Some(x) if x == 12.0 || x == 1000.0),
            "{text:?} in [12, 1000]"
        );
    }
    // Numbers still compare as numbers; other types have no comparable value.
    let c = json!({"attribute": "a", "op": "in", "values": [12], "numericStrings": true});
    assert!(holds(&c, json!({"a": 12})));
    assert!(holds(&c, json!({"a": ["x", "12"]})));
    assert!(!holds(&c, json!({"a": true})));
}

#[test]
fn numeric_strings_is_refused_where_it_means_nothing() {
    let m = refused(
        json!({"attribute": "a", "op": "startsWith", "values": ["1"], "numericStrings": true}),
    );
    assert_eq!(m, "flags.f.rules[0].conditions[0].numericStrings: numericStrings does not apply to operator \"startsWith\"");
    let m =
        refused(json!({"attribute": "a", "op": "in", "values": [1, "2"], "numericStrings": true}));
    assert_eq!(
        m,
        "flags.f.rules[0].conditions[0].values[1]: expected a number, found a string"
    );
    let m = refused(
        json!({"attribute": "a", "op": "in", "values": ["a"], "numericStrings": true, "caseInsensitive": true}),
    );
    assert_eq!(m, "flags.f.rules[0].conditions[0].numericStrings: numericStrings cannot be combined with caseInsensitive");
}

#[test]
fn when_missing_is_the_final_result_without_a_comparable_value() {
    let base = |negate: bool, when_missing: bool| json!({"attribute": "country", "op": "in", "values": ["DE"], "negate": negate, "whenMissing": when_missing});
    // (context, [negate false/true] x [whenMissing false/true])
    let cases = [
        (json!({}), [false, true, false, true]),
        (json!({"country": null}), [false, true, false, true]),
        (json!({"country": []}), [false, true, false, true]),
        (
            json!({"country": [{"x": 1}, [1]]}),
            [false, true, false, true],
        ),
        (
            json!({"country": {"code": "DE"}}),
            [false, true, false, true],
        ),
        (json!({"country": "DE"}), [true, true, false, false]),
        (json!({"country": "FR"}), [false, false, true, true]),
        (json!({"country": ["FR", "DE"]}), [true, true, false, false]),
        (
            json!({"country": ["FR", {"x": 1}]}),
            [false, false, true, true],
        ),
        // `in` compares a number with its number operands: comparable, not equal.
        (json!({"country": 49}), [false, false, true, true]),
    ];
    for (ctx, expected) in cases {
        let got = [
            holds(&base(false, false), ctx.clone()),
            holds(&base(false, true), ctx.clone()),
            holds(&base(true, false), ctx.clone()),
            holds(&base(true, true), ctx.clone()),
        ];
        assert_eq!(got, expected, "{ctx}");
    }
    // On an operator that cannot compare the type: a semver condition on a number.
    let c = json!({"attribute": "v", "op": "semverGt", "values": ["1.0.0"], "negate": true, "whenMissing": true});
    assert!(holds(&c, json!({"v": 2})));
    assert!(holds(&c, json!({"v": "0.9.0"})));
    assert!(!holds(&c, json!({"v": "1.2.0"})));
}

#[test]
fn when_missing_is_refused_on_exists_and_in_segment() {
    let m = refused(json!({"attribute": "a", "op": "exists", "whenMissing": true}));
    assert_eq!(m, "flags.f.rules[0].conditions[0].whenMissing: whenMissing does not apply to operator \"exists\"");
    let m = refused(json!({"op": "inSegment", "values": ["s"], "whenMissing": true}));
    assert_eq!(m, "flags.f.rules[0].conditions[0].whenMissing: whenMissing does not apply to operator \"inSegment\"");
    assert!(snapshot(json!({"attribute": "a", "op": "exists", "whenMissing": false})).is_ok());
}
