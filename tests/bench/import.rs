//! How long importing a 1,000-flag vendor file takes natively (goal: under 100 ms), for each
//! vendor: `cargo bench -p edgeflag-import --bench import` prints one line per vendor with
//! the median of 15 imports of a generated, representative file (targeting rules on string,
//! numeric and version attributes; percentage rollouts or experiments). A vendor whose
//! importer fails on its file prints the error instead of a figure.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use edgeflag_import::{import, Options, Vendor};
use serde_json::{json, Value};
use std::time::Instant;

const FLAGS: usize = 1_000;
const GOAL_MS: f64 = 100.0;

fn flagd() -> Value {
    let mut flags = serde_json::Map::new();
    for i in 0..FLAGS {
        let targeting = match i % 4 {
            0 => json!({"if": [{"in": [{"var": "country"}, ["DE", "FR", "IT"]]}, "on",
                               {">=": [{"var": "age"}, 18]}, "on", null]}),
            1 => json!({"fractional": [["on", 25], ["off", 75]]}),
            2 => json!({"if": [{"and": [{"ends_with": [{"var": "email"}, "@example.com"]},
                                        {"sem_ver": [{"var": "version"}, ">=", "2.1.0"]}]},
                               {"fractional": [["on", 50], ["off", 50]]}, "off"]}),
            _ => json!({"if": [{"$ref": "staff"}, "on", null]}),
        };
        flags.insert(format!("flag-{i}"), json!({"state": "ENABLED",
            "variants": {"on": true, "off": false}, "defaultVariant": "off", "targeting": targeting}));
    }
    json!({"flags": flags, "$evaluators": {"staff": {"in": ["@example.com", {"var": "email"}]}}})
}

fn unleash() -> Value {
    let features: Vec<Value> = (0..FLAGS)
        .map(|i| {
            json!({"name": format!("flag-{i}"), "type": "release", "enabled": true, "project": "default",
                "strategies": [
                    {"name": "flexibleRollout", "parameters": {"rollout": "25", "stickiness": "default", "groupId": format!("flag-{i}")},
                     "constraints": [{"contextName": "country", "operator": "IN", "values": ["DE", "FR"]},
                                     {"contextName": "age", "operator": "NUM_GTE", "value": "18"}]},
                    {"name": "default", "parameters": {}, "constraints": [{"contextName": "userId", "operator": "STR_ENDS_WITH", "values": ["@example.com"]}]}
                ],
                "variants": if i % 2 == 0 { json!([
                    {"name": "blue", "weight": 500, "stickiness": "default", "weightType": "variable"},
                    {"name": "red", "weight": 500, "stickiness": "default", "weightType": "variable"}]) } else { json!([]) }})
        })
        .collect();
    json!({"version": 2, "features": features, "segments": []})
}

fn growthbook() -> Value {
    let mut features = serde_json::Map::new();
    for i in 0..FLAGS {
        let rules = if i % 2 == 0 {
            json!([{"condition": {"country": {"$in": ["DE", "FR"]}, "age": {"$gte": 18}}, "force": true},
                   {"coverage": 0.5, "force": true, "hashAttribute": "id"}])
        } else {
            json!([{"key": format!("exp-{i}"), "variations": [false, true], "weights": [0.5, 0.5],
                    "coverage": 1.0, "hashAttribute": "id", "hashVersion": 2,
                    "condition": {"email": {"$regex": "@example\\.com$"}}}])
        };
        features.insert(
            format!("flag-{i}"),
            json!({"defaultValue": false, "rules": rules}),
        );
    }
    json!({"features": features})
}

fn main() {
    for (name, vendor, doc) in [
        ("unleash", Vendor::Unleash, unleash()),
        ("growthbook", Vendor::GrowthBook, growthbook()),
        ("flagd", Vendor::Flagd, flagd()),
    ] {
        let bytes = serde_json::to_vec(&doc).unwrap();
        let opts = Options::default();
        let mut times = Vec::new();
        let mut failure = None;
        for _ in 0..15 {
            let start = Instant::now();
            let out = import(vendor, &bytes, &opts);
            times.push(start.elapsed().as_secs_f64() * 1e3);
            if let Err(e) = out {
                failure = Some(e);
                break;
            }
        }
        match failure {
            Some(e) => println!("import {name}: {FLAGS} flags: error: {e}"),
            None => {
                times.sort_by(f64::total_cmp);
                let median = times[times.len() / 2];
                let verdict = if median < GOAL_MS { "met" } else { "NOT met" };
                println!(
                    "import {name}: {FLAGS} flags ({} KiB): {median:.1} ms median of {} (goal < {GOAL_MS} ms: {verdict})",
                    bytes.len() / 1024,
                    times.len()
                );
            }
        }
    }
}
