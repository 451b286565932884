//! The shared-vector harness, used by the native tests and by the wasm-bindgen tests
//! (tests/web.rs) so that every runtime checks the same files the same way.
#![allow(dead_code)]

use super::json_out::{all_json, values_json};
use edgeflag::unstable::json::{Exact, Shortest};
use edgeflag::{CompiledContext, Context, ContextLimits, Details, Limits, Snapshot, Value};
use serde_json::{json, Value as Json};
use std::collections::HashMap;
use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

/// The evaluation vectors, compiled into the test binary (wasm tests cannot read files).
pub(crate) const EVALUATION: &str = include_str!("../vectors/evaluation.json");
/// The bucketing vectors.
pub(crate) const BUCKETING: &str = include_str!("../vectors/bucketing.json");

fn to_value(j: &Json) -> Value {
    Context::from_json(
        serde_json::to_string(&json!({ "v": j }))
            .unwrap()
            .as_bytes(),
        &ContextLimits::default(),
    )
    .unwrap()
    .get("v")
    .cloned()
    .unwrap_or(Value::Null)
}

fn compiled(snapshot: &Snapshot, ctx: &Json) -> CompiledContext {
    let text = serde_json::to_string(ctx).unwrap();
    match Context::from_json(text.as_bytes(), &ContextLimits::default()) {
        Ok(c) => snapshot.context(&c),
        Err(e) => CompiledContext::invalid(e.to_string()),
    }
}

/// Equality where numbers compare by value (19 == 19.0) and errorMessage is free text.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            let keys = |m: &serde_json::Map<String, Json>| {
                let mut k: Vec<String> =
                    m.keys().filter(|k| *k != "errorMessage").cloned().collect();
                k.sort();
                k
            };
            keys(x) == keys(y) && keys(x).iter().all(|k| same(&x[k], &y[k]))
        }
        _ => a == b,
    }
}

fn check_message(name: &str, actual: &Json) {
    if actual.get("errorCode").is_some() {
        let message = actual
            .get("errorMessage")
            .and_then(Json::as_str)
            .unwrap_or("");
        assert!(!message.is_empty(), "{name}: an error needs a message");
    }
}

pub(crate) fn evaluate(snapshot: Option<&Snapshot>, case: &Json) -> Json {
    let now = case["now"].as_i64().unwrap();
    let key = case["flag"].as_str().unwrap_or("");
    let default = &case["default"];
    let Some(snapshot) = snapshot else {
        return serde_json::to_value(Details::not_ready(default.clone())).unwrap();
    };
    let ctx = compiled(snapshot, &case["context"]);
    if case["all"] == json!(true) {
        let all: serde_json::Map<String, Json> = snapshot
            .all(&ctx, now)
            .into_iter()
            .map(|(k, d)| (k.to_string(), serde_json::to_value(d).unwrap()))
            .collect();
        check_json_output(snapshot, &ctx, now, &all);
        return Json::Object(all);
    }
    check_flag_id(snapshot, key, &ctx, now);
    let details = match case["type"].as_str().unwrap() {
        "boolean" => {
            serde_json::to_value(snapshot.bool_details(key, &ctx, default.as_bool().unwrap(), now))
        }
        "string" => {
            serde_json::to_value(snapshot.string_details(key, &ctx, default.as_str().unwrap(), now))
        }
        "number" => {
            serde_json::to_value(snapshot.number_details(key, &ctx, default.as_f64().unwrap(), now))
        }
        "object" => {
            let d = to_value(default);
            serde_json::to_value(snapshot.object_details(key, &ctx, &d, now))
        }
        "any" => {
            let d = to_value(default);
            serde_json::to_value(
                snapshot
                    .details(key, &ctx, now)
                    .map(|v| v.unwrap_or(&d).clone()),
            )
        }
        other => panic!("unknown type {other}"),
    };
    details.unwrap()
}

/// The core's JSON writer says what serde says (failed values `null`), in both float styles.
fn check_json_output(
    snapshot: &Snapshot,
    ctx: &CompiledContext,
    now: i64,
    all: &serde_json::Map<String, Json>,
) {
    let expected_all = all.clone();
    let mut expected_values = serde_json::Map::new();
    for (k, d) in all {
        let failed = d.get("errorCode").is_some();
        expected_values.insert(
            k.clone(),
            if failed {
                Json::Null
            } else {
                d["value"].clone()
            },
        );
    }
    for (text, style) in [
        (all_json::<Shortest>(snapshot, ctx, now), "shortest"),
        (all_json::<Exact>(snapshot, ctx, now), "exact"),
    ] {
        let parsed: Json = serde_json::from_str(&text).unwrap();
        assert!(
            same(&parsed, &Json::Object(expected_all.clone())),
            "all_json ({style}): {text}"
        );
    }
    for text in [
        values_json::<Shortest>(snapshot, ctx, now),
        values_json::<Exact>(snapshot, ctx, now),
    ] {
        let parsed: Json = serde_json::from_str(&text).unwrap();
        assert!(
            same(&parsed, &Json::Object(expected_values.clone())),
            "values_json: {text}"
        );
    }
    {
        // Byte-for-byte what serde writes (members in the same order).
        let members: Vec<String> = snapshot
            .all(ctx, now)
            .into_iter()
            .map(|(k, d)| format!("{}:{}", Json::from(k), serde_json::to_string(&d).unwrap()))
            .collect();
        let serde_text = format!("{{{}}}", members.join(","));
        assert_eq!(all_json::<Shortest>(snapshot, ctx, now), serde_text);
    }
}

/// Evaluating by id gives what evaluating by key gives.
fn check_flag_id(snapshot: &Snapshot, key: &str, ctx: &CompiledContext, now: i64) {
    let by_key = snapshot.details(key, ctx, now);
    match snapshot.flag_id(key) {
        Some(id) => {
            assert_eq!(snapshot.flag_key(id), Some(key));
            assert_eq!(snapshot.details(id, ctx, now), by_key, "{key}");
        }
        None => assert!(by_key.error_code.is_some(), "{key}"),
    }
}

/// Runs every evaluation vector; returns how many ran and the failures.
pub(crate) fn run_evaluation(text: &str) -> (usize, Vec<String>) {
    let doc: Json = serde_json::from_str(text).unwrap();
    let mut snapshots: HashMap<String, Snapshot> = HashMap::new();
    for (name, payload) in doc["snapshots"].as_object().unwrap() {
        let bytes = serde_json::to_vec(payload).unwrap();
        match Snapshot::load(&bytes, &Limits::default()) {
            Ok(s) => {
                snapshots.insert(name.clone(), s);
            }
            Err(e) if name == "regex" && !cfg!(feature = "regex") => {
                assert!(e.to_string().contains("regex"), "{e}");
            }
            Err(e) => panic!("snapshot {name} does not load: {e}"),
        }
    }
    let (mut ran, mut failures) = (0, Vec::new());
    for case in doc["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let needs_regex = case["features"]
            .as_array()
            .is_some_and(|f| f.contains(&json!("regex")));
        if needs_regex && !cfg!(feature = "regex") {
            continue;
        }
        let snapshot = case["snapshot"].as_str().map(|s| &snapshots[s]);
        let actual = evaluate(snapshot, case);
        if case["all"] == json!(true) {
            for (_, d) in actual.as_object().unwrap() {
                check_message(name, d);
            }
        } else {
            check_message(name, &actual);
        }
        if !same(&actual, &case["expected"]) {
            failures.push(format!(
                "{name}:\n  expected {}\n  actual   {actual}",
                case["expected"]
            ));
        }
        ran += 1;
    }
    (ran, failures)
}

/// Checks every bucketing vector; returns how many were checked and the mismatches.
pub(crate) fn run_bucketing(text: &str) -> (usize, Vec<String>) {
    let doc: Json = serde_json::from_str(text).unwrap();
    let mut failures = Vec::new();
    let vectors = doc.as_array().unwrap();
    for v in vectors {
        let (salt, value) = (v["salt"].as_str().unwrap(), v["value"].as_str().unwrap());
        let got = u64::from(edgeflag::bucket(salt, value));
        if got != v["bucket"].as_u64().unwrap() {
            failures.push(format!(
                "bucket({salt:?}, {value:?}) = {got}, expected {}",
                v["bucket"]
            ));
        }
    }
    (vectors.len(), failures)
}
