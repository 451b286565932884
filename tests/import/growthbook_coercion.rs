//! GrowthBook conditions whose answers follow JavaScript's coercions rather than equality:
//! a boolean literal tests truthiness (`{"x": true}` holds for `"abc"`), a number literal and
//! `$lt`/`$lte`/`$gt`/`$gte` read `null`, a missing attribute, `false` and `""` as 0 and
//! `true` as 1, and a comparison with a non-numeric string never holds. Each expected answer
//! is what @growthbook/growthbook 1.8.0's `evalCondition` returns (tests/bench/node).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use edgeflag::{Context, ContextLimits, Limits, Snapshot};
use edgeflag_import::{import, Options, Vendor};
use serde_json::{json, Value as Json};

/// The imported rule's answer for `attrs`, and the import's lossy notes.
fn answer(condition: &Json, attrs: &Json) -> (bool, Vec<String>) {
    let doc = json!({"features": {"f": {"defaultValue": false,
        "rules": [{"force": true, "condition": condition}]}}});
    let imported = import(
        Vendor::GrowthBook,
        &serde_json::to_vec(&doc).unwrap(),
        &Options::default(),
    )
    .unwrap();
    let lossy = imported
        .notes
        .iter()
        .filter(|n| n.lossy)
        .map(ToString::to_string)
        .collect();
    let mut payload = imported.payload;
    payload["version"] = json!(1);
    payload["issuedAt"] = json!("2026-11-18T00:00:00Z");
    payload["expiresAt"] = json!("2026-11-25T00:00:00Z");
    let snapshot =
        Snapshot::load(&serde_json::to_vec(&payload).unwrap(), &Limits::default()).unwrap();
    let ctx = Context::from_json(
        serde_json::to_string(attrs).unwrap().as_bytes(),
        &ContextLimits::default(),
    )
    .unwrap();
    let ctx = snapshot.context(&ctx);
    let d = snapshot.details("f", &ctx, 1_795_000_000_000);
    (
        d.value
            .and_then(|v| serde_json::to_value(v).unwrap().as_bool())
            .unwrap(),
        lossy,
    )
}

fn check(cases: &[(Json, Json, bool)]) {
    let mut wrong = Vec::new();
    for (condition, attrs, want) in cases {
        let (got, lossy) = answer(condition, attrs);
        assert!(
            lossy.is_empty(),
            "{condition}: unexpected lossy notes {lossy:?}"
        );
        if got != *want {
            wrong.push(format!(
                "{condition} with {attrs}: GrowthBook {want}, edgeflag {got}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_boolean_literal_tests_truthiness() {
    check(&[
        (json!({"x": true}), json!({"x": true}), true),
        (json!({"x": true}), json!({"x": "abc"}), true),
        (json!({"x": true}), json!({"x": "0"}), true),
        (json!({"x": true}), json!({"x": 5}), true),
        (json!({"x": true}), json!({"x": []}), true),
        (json!({"x": true}), json!({"x": ["a"]}), true),
        (json!({"x": true}), json!({"x": 0}), false),
        (json!({"x": true}), json!({"x": ""}), false),
        (json!({"x": true}), json!({"x": false}), false),
        (json!({"x": true}), json!({"x": null}), false),
        (json!({"x": true}), json!({}), false),
        (json!({"x": false}), json!({"x": false}), true),
        (json!({"x": false}), json!({"x": 0}), true),
        (json!({"x": false}), json!({"x": ""}), true),
        (json!({"x": false}), json!({"x": "false"}), false),
        (json!({"x": false}), json!({"x": null}), false),
        (json!({"x": false}), json!({}), false),
        (json!({"x": {"$not": true}}), json!({"x": "abc"}), false),
        (json!({"x": {"$not": true}}), json!({}), true),
    ]);
}

#[test]
fn a_number_literal_reads_null_false_and_empty_as_0_and_true_as_1() {
    check(&[
        (json!({"x": 0}), json!({}), true),
        (json!({"x": 0}), json!({"x": null}), true),
        (json!({"x": 0}), json!({"x": false}), true),
        (json!({"x": 0}), json!({"x": ""}), true),
        (json!({"x": 0}), json!({"x": "0"}), true),
        (json!({"x": 0}), json!({"x": "a"}), false),
        (json!({"x": 1}), json!({"x": true}), true),
        (json!({"x": 1}), json!({"x": false}), false),
        (json!({"x": 5}), json!({"x": "5"}), true),
        (json!({"x": 5}), json!({}), false),
        (json!({"x": {"$ne": 0}}), json!({}), true),
        (json!({"x": {"$ne": 0}}), json!({"x": "a"}), true),
    ]);
}

#[test]
fn comparisons_never_hold_for_non_numeric_strings_and_coerce_the_rest() {
    check(&[
        (json!({"x": {"$lt": 5}}), json!({"x": "abc"}), false),
        (json!({"x": {"$lt": 5}}), json!({"x": "1.2.3"}), false),
        (json!({"x": {"$lt": 5}}), json!({"x": ["a"]}), false),
        (json!({"x": {"$lt": 5}}), json!({"x": "4"}), true),
        (json!({"x": {"$lt": 5}}), json!({}), true),
        (json!({"x": {"$lt": 5}}), json!({"x": null}), true),
        (json!({"x": {"$lt": 5}}), json!({"x": ""}), true),
        (json!({"x": {"$lt": 5}}), json!({"x": []}), true),
        (json!({"x": {"$lt": 5}}), json!({"x": true}), true),
        (json!({"x": {"$gt": -1}}), json!({"x": "abc"}), false),
        (json!({"x": {"$gt": -1}}), json!({"x": false}), true),
        (json!({"x": {"$gt": 0.5}}), json!({"x": true}), true),
        (json!({"x": {"$gt": 0.5}}), json!({"x": false}), false),
        (json!({"x": {"$gt": 0.5}}), json!({}), false),
        (json!({"x": {"$lte": 0}}), json!({"x": true}), false),
        (json!({"x": {"$lte": 0}}), json!({"x": "abc"}), false),
        (json!({"x": {"$gte": 0}}), json!({"x": "abc"}), false),
        (json!({"x": {"$gte": 0}}), json!({"x": ""}), true),
        (
            json!({"x": {"$not": {"$lt": 5}}}),
            json!({"x": "abc"}),
            true,
        ),
        (json!({"x": {"$not": {"$lt": 5}}}), json!({}), false),
        (
            json!({"x": {"$not": {"$lt": 5}}}),
            json!({"x": true}),
            false,
        ),
        (
            json!({"x": {"$gt": -10, "$lt": 10, "$gte": -9, "$lte": 9, "$ne": 10}}),
            json!({}),
            true,
        ),
    ]);
}
