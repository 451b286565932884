//! The Unleash client specification (tests/conformance/unleash-client-specification, the
//! vendor's files byte for byte) run through `edgeflag_import::import` + a strict load +
//! evaluation. Every case the vendor lists is run except those in
//! tests/conformance/unleash-not-run.md, which gives each one's reason; that file also records
//! the figure, and this test fails when the list or the figure differs from what it measures
//! (so neither can go stale, and a drop in the pass count fails).
//!
//! Reading the results as Unleash does: `isEnabled` is the flag's boolean value; `getVariant`
//! is `{name: "disabled", enabled: false, feature_enabled: false}` when the value is false,
//! `{name: "disabled", enabled: false, feature_enabled: true}` when the variant is the
//! imported "enabled" variant (metadata `unleash.enabledVariant`, default `enabled`), and
//! otherwise `{name: variant, enabled: true, payload: {type, value} from metadata
//! payloadType.<v>/payload.<v>, feature_enabled: true}`.
//!
//! Every case run is also written to tests/conformance/translated/unleash.json (payload,
//! flag, context, expected answer), which the npm package's test
//! (pkg-template/test/conformance.test.mjs) runs through the package; this test fails when
//! that file differs from what it generates (`CONFORMANCE_UPDATE=1` rewrites it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "common/translated.rs"]
mod translated;

use edgeflag::{Context, Limits, Snapshot};
use edgeflag_import::{import, Options, Vendor};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The fixed "now" of every evaluation, and the `currentTime` of a context without one
/// (Unleash reads a missing `currentTime` as now).
const NOW: &str = "2026-01-01T00:00:00Z";

/// The Unleash context fields that are attributes of the same name (properties come after and
/// never replace them: Unleash reads `userId` from the field, not from `properties`).
const FIELDS: &[&str] = &[
    "userId",
    "sessionId",
    "remoteAddress",
    "environment",
    "appName",
    "currentTime",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

/// How the translated suite names the reading of `tests` and of `variantTests` cases.
const READS: [&str; 2] = ["isEnabled", "getVariant"];

/// A case: `(file, "tests"|"variantTests", index)`.
type CaseId = (String, String, usize);

/// The not-run list and the recorded figure, from the checked-in file.
fn not_run() -> (BTreeMap<CaseId, String>, String) {
    let text = std::fs::read_to_string(root().join("unleash-not-run.md")).unwrap();
    let mut list = BTreeMap::new();
    let mut figure = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Figure: ") {
            figure = rest.trim().to_string();
        } else if let Some(rest) = line.strip_prefix("- `") {
            // - `FILE` tests[3]: reason
            let (file, rest) = rest.split_once("` ").expect("- `FILE` KIND[I]: reason");
            let (case, reason) = rest.split_once(": ").expect("KIND[I]: reason");
            let (kind, i) = case.trim_end_matches(']').split_once('[').expect("KIND[I]");
            list.insert(
                (file.to_string(), kind.to_string(), i.parse().unwrap()),
                reason.to_string(),
            );
        }
    }
    (list, figure)
}

/// The edgeflag context of an Unleash context (what the translated suite records).
fn context(c: &Value) -> Value {
    let mut m = Map::new();
    for f in FIELDS {
        if let Some(v) = c.get(*f).filter(|v| !v.is_null()) {
            m.insert((*f).to_string(), v.clone());
        }
    }
    if let Some(props) = c.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            if !v.is_null() && !FIELDS.contains(&k.as_str()) {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    m.entry("currentTime").or_insert_with(|| json!(NOW));
    Value::Object(m)
}

fn meta<'a>(d: &'a edgeflag::Details<'_, bool>, k: &str) -> Option<&'a str> {
    d.flag_metadata
        .iter()
        .find(|(key, _)| &**key == k)
        .and_then(|(_, v)| v.as_str())
}

/// getVariant as Unleash returns it.
fn variant(snap: &Snapshot, toggle: &str, ctx: &edgeflag::CompiledContext, now: i64) -> Value {
    let d = snap.bool_details(toggle, ctx, false, now);
    if !d.value {
        return json!({ "name": "disabled", "enabled": false, "feature_enabled": false });
    }
    let enabled = meta(&d, "unleash.enabledVariant").unwrap_or("enabled");
    let name = d.variant.unwrap_or_default();
    if name == enabled {
        return json!({ "name": "disabled", "enabled": false, "feature_enabled": true });
    }
    let mut v = json!({ "name": name, "enabled": true, "feature_enabled": true });
    if let (Some(t), Some(p)) = (
        meta(&d, &format!("payloadType.{name}")),
        meta(&d, &format!("payload.{name}")),
    ) {
        v["payload"] = json!({ "type": t, "value": p });
    }
    v
}

#[test]
fn unleash_client_specification() {
    let now = edgeflag::unstable::time::parse_rfc3339(NOW).unwrap();
    let spec = root().join("unleash-client-specification/specifications");
    let index: Vec<String> =
        serde_json::from_slice(&std::fs::read(spec.join("index.json")).unwrap()).unwrap();
    let (skip, recorded) = not_run();
    let mut seen_skips = 0;
    let (mut total, mut passed) = ([0usize; 2], [0usize; 2]);
    let mut failures = Vec::new();
    let mut suite = translated::Translated::default();
    for file in &index {
        let doc: Value = serde_json::from_slice(&std::fs::read(spec.join(file)).unwrap()).unwrap();
        let state = serde_json::to_vec(&doc["state"]).unwrap();
        let loaded = import(Vendor::Unleash, &state, &Options::default())
            .map_err(|e| format!("import: {e}"))
            .and_then(|imp| {
                let mut p = imp.payload;
                p["version"] = json!(1);
                p["issuedAt"] = json!("2025-12-31T00:00:00Z");
                p["expiresAt"] = json!("2026-01-02T00:00:00Z");
                Snapshot::load(&serde_json::to_vec(&p).unwrap(), &Limits::default())
                    .map(|snap| (snap, suite.payload(file, &p)))
                    .map_err(|e| format!("load: {e}"))
            });
        for (k, kind) in ["tests", "variantTests"].into_iter().enumerate() {
            for (i, case) in doc[kind].as_array().into_iter().flatten().enumerate() {
                total[k] += 1;
                if skip.contains_key(&(file.clone(), kind.to_string(), i)) {
                    seen_skips += 1;
                    continue;
                }
                let toggle = case["toggleName"].as_str().unwrap();
                let expected = &case["expectedResult"];
                let attributes = context(&case["context"]);
                let got = match &loaded {
                    Err(e) => json!(e),
                    Ok((snap, _)) => {
                        let ctx = Context::from_json(
                            &serde_json::to_vec(&attributes).unwrap(),
                            &Default::default(),
                        )
                        .unwrap();
                        let ctx = snap.context(&ctx);
                        if k == 0 {
                            json!(snap.bool(toggle, &ctx, false, now))
                        } else {
                            variant(snap, toggle, &ctx, now)
                        }
                    }
                };
                if let Ok((_, payload)) = &loaded {
                    suite.case(json!({
                        "id": format!("{file} {kind}[{i}]"),
                        "name": case["description"],
                        "read": READS[k],
                        "payload": payload,
                        "flag": toggle,
                        "context": attributes,
                        "expected": expected,
                        "pass": &got == expected,
                    }));
                }
                if &got == expected {
                    passed[k] += 1;
                } else {
                    failures.push(format!(
                        "{file} {kind}[{i}] {:?}: expected {expected}, got {got}",
                        case["description"].as_str().unwrap_or_default()
                    ));
                }
            }
        }
    }
    let figure = format!(
        "Unleash spec {}/{} (isEnabled {}/{}, getVariant {}/{})",
        passed[0] + passed[1],
        total[0] + total[1],
        passed[0],
        total[0],
        passed[1],
        total[1]
    );
    println!("{figure}");
    assert_eq!(
        (total[0], total[1]),
        (227, 52),
        "the vendor's case counts changed"
    );
    assert_eq!(
        seen_skips,
        skip.len(),
        "unleash-not-run.md lists cases that do not exist"
    );
    assert!(
        failures.is_empty(),
        "{} cases fail (list them in unleash-not-run.md with a reason, or fix):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        figure, recorded,
        "the figure in unleash-not-run.md is stale"
    );
    suite.check(
        "unleash",
        "conformance_unleash",
        json!({
            "about": "Generated by tests/conformance_unleash.rs from tests/conformance/unleash-client-specification (CONFORMANCE_UPDATE=1 rewrites it); run by pkg-template/test/conformance.test.mjs. Every case passes natively (the others are in unleash-not-run.md).",
            "figure": figure,
            "now": now,
            "totals": { "isEnabled": total[0], "getVariant": total[1] },
        }),
    );
}
