//! GrowthBook's own test cases (tests/conformance/growthbook/cases.json, copied unmodified):
//! the `evalCondition` and `feature` sections, each case imported with `edgeflag_import`,
//! loaded with the core's strict load and evaluated natively. Every case that does not pass
//! is listed with its reason in tests/conformance/growthbook-not-run.md, which this test
//! regenerates and compares (set GROWTHBOOK_CONFORMANCE_UPDATE=1 to rewrite it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use edgeflag::{Context, ContextLimits, ErrorCode, Limits, Reason, Snapshot};
use edgeflag_import::{import, Options, Vendor};
use serde_json::{json, Value as Json};
use std::path::PathBuf;

const NOW: i64 = 1_795_000_000_000;

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// A case's outcome: passed, failed (with what differed) or not run (with why).
enum Outcome {
    Pass,
    Fail(String),
    NotRun(String),
}

/// Imports `doc` and loads it strictly, or says why not.
fn load(doc: &Json) -> Result<(Snapshot, Vec<String>), Outcome> {
    let bytes = serde_json::to_vec(doc).unwrap();
    let imported = import(Vendor::GrowthBook, &bytes, &Options::default())
        .map_err(|e| Outcome::NotRun(format!("import refused: {e}")))?;
    let lossy: Vec<String> = imported
        .notes
        .iter()
        .filter(|n| n.lossy)
        .map(ToString::to_string)
        .collect();
    let mut payload = imported.payload;
    payload["version"] = json!(1);
    payload["issuedAt"] = json!("2026-11-21T10:00:00Z");
    payload["expiresAt"] = json!("2026-11-28T10:00:00Z");
    let snapshot = Snapshot::load(&serde_json::to_vec(&payload).unwrap(), &Limits::default())
        .map_err(|e| Outcome::Fail(format!("strict load refused the import: {e}")))?;
    Ok((snapshot, lossy))
}

fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Json::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// The result as GrowthBook's `evalFeature` reports it: `{value, on, off, source, ruleId}`
/// read from edgeflag's details and the metadata the importer writes (crate README).
fn reading(snapshot: &Snapshot, key: &str, attributes: &Json) -> Json {
    let ctx = Context::from_json(
        serde_json::to_string(attributes).unwrap().as_bytes(),
        &ContextLimits::default(),
    )
    .unwrap();
    let ctx = snapshot.context(&ctx);
    let d = snapshot.details(key, &ctx, NOW);
    if d.error_code == Some(ErrorCode::FlagNotFound) {
        return json!({"value": null, "on": false, "off": true, "source": "unknownFeature", "ruleId": ""});
    }
    let meta = |k: &str| {
        d.flag_metadata
            .iter()
            .find(|(m, _)| &**m == k)
            .and_then(|(_, v)| v.as_str().map(str::to_string))
    };
    let null_variant = meta("growthbook.nullVariant");
    let value = match (d.value, d.variant) {
        (_, Some(v)) if null_variant.as_deref() == Some(v) => Json::Null,
        (Some(v), _) => serde_json::to_value(v).unwrap(),
        (None, _) => Json::Null,
    };
    let source = match (d.reason, d.rule_id) {
        (Reason::Disabled, _) => meta("growthbook.disabledSource").unwrap_or("prerequisite".into()),
        (Reason::PrerequisiteFailed, _) => "prerequisite".into(),
        (Reason::Error, _) => format!("error {:?}: {:?}", d.error_code, d.error_message),
        (_, Some(id)) if meta(&format!("growthbook.experiment.{id}")).is_some() => {
            "experiment".into()
        }
        (_, Some(_)) => "force".into(),
        _ => "defaultValue".into(),
    };
    let rule_id = d
        .rule_id
        .and_then(|id| meta(&format!("growthbook.rule.{id}")))
        .unwrap_or_default();
    let on = truthy(&value);
    json!({"value": value, "on": on, "off": !on, "source": source, "ruleId": rule_id})
}

fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn with_notes(msg: String, lossy: &[String]) -> String {
    if lossy.is_empty() {
        msg
    } else {
        format!("{msg} (lossy: {})", lossy.join("; "))
    }
}

fn eval_condition(case: &Json) -> Outcome {
    let groups = case.get(4).cloned().unwrap_or(json!({}));
    let doc = json!({
        "features": {"f": {"defaultValue": false, "rules": [{"force": true, "condition": case[1]}]}},
        "savedGroups": groups,
    });
    let (snapshot, lossy) = match load(&doc) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let got = reading(&snapshot, "f", &case[2]);
    if same(&got["value"], &case[3]) {
        Outcome::Pass
    } else if let Some(dropped) = lossy.iter().find(|n| n.ends_with("rule not imported")) {
        Outcome::NotRun(dropped.clone())
    } else {
        Outcome::Fail(with_notes(
            format!("expected {}, got {}", case[3], got),
            &lossy,
        ))
    }
}

/// Context members the import cannot carry: they are the host's, not the payload's.
const HOST_ONLY: &[&str] = &[
    "forcedVariations",
    "forcedFeatures",
    "overrides",
    "url",
    "enabled",
    "qaMode",
    "stickyBucketAssignmentDocs",
    "stickyBucketIdentifierAttributes",
    "groups",
    "contextualBandits",
];

fn feature(case: &Json) -> Outcome {
    let context = &case[1];
    if let Some(k) = context
        .as_object()
        .and_then(|m| m.keys().find(|k| HOST_ONLY.contains(&k.as_str())))
    {
        return Outcome::NotRun(format!(
            "context option {k} is a GrowthBook SDK setting with no payload counterpart"
        ));
    }
    let doc = json!({
        "features": context.get("features").cloned().unwrap_or(json!({})),
        "savedGroups": context.get("savedGroups").cloned().unwrap_or(json!({})),
    });
    let (snapshot, lossy) = match load(&doc) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let attributes = context.get("attributes").cloned().unwrap_or(json!({}));
    let got = reading(&snapshot, case[2].as_str().unwrap(), &attributes);
    let want = &case[3];
    let ok = ["value", "on", "off", "source"]
        .iter()
        .all(|k| same(&got[*k], &want[*k]))
        && want.get("ruleId").is_none_or(|r| r == &got["ruleId"]);
    if ok {
        Outcome::Pass
    } else {
        let want_short =
            json!({"value": want["value"], "source": want["source"], "ruleId": want.get("ruleId")});
        Outcome::Fail(with_notes(
            format!("expected {want_short}, got {got}"),
            &lossy,
        ))
    }
}

#[test]
fn growthbook_cases_pass_through_import_and_evaluation() {
    let text = std::fs::read_to_string(repo("tests/conformance/growthbook/cases.json")).unwrap();
    let cases: Json = serde_json::from_str(&text).unwrap();
    let mut report = String::new();
    let mut figures = Vec::new();
    for (section, run) in [
        ("evalCondition", eval_condition as fn(&Json) -> Outcome),
        ("feature", feature),
    ] {
        let list = cases[section].as_array().unwrap();
        let mut passed = 0;
        let mut lines = String::new();
        for (i, case) in list.iter().enumerate() {
            let name = case[0].as_str().unwrap();
            match run(case) {
                Outcome::Pass => passed += 1,
                Outcome::Fail(why) => {
                    lines.push_str(&format!("- {section}[{i}] {name:?}: fails: {why}\n"))
                }
                Outcome::NotRun(why) => {
                    lines.push_str(&format!("- {section}[{i}] {name:?}: not run: {why}\n"))
                }
            }
        }
        figures.push((section, passed, list.len()));
        report.push_str(&format!(
            "\n## {section}: {passed}/{}\n\n{lines}",
            list.len()
        ));
    }
    let summary = format!(
        "GrowthBook evalCondition {}/{}, feature {}/{}",
        figures[0].1, figures[0].2, figures[1].1, figures[1].2
    );
    println!("{summary}");
    let full = format!(
        "# GrowthBook conformance: cases that do not pass\n\n\
         Generated by tests/conformance_growthbook.rs (run with GROWTHBOOK_CONFORMANCE_UPDATE=1 to\n\
         rewrite); the test fails when this file differs from what it finds.\n\n{summary}\n{report}"
    );
    let file = repo("tests/conformance/growthbook-not-run.md");
    if std::env::var_os("GROWTHBOOK_CONFORMANCE_UPDATE").is_some() {
        std::fs::write(&file, &full).unwrap();
    }
    let recorded = std::fs::read_to_string(&file).unwrap_or_default();
    let recorded_figures: Vec<usize> = recorded
        .lines()
        .find(|l| l.starts_with("GrowthBook evalCondition "))
        .map(|l| {
            l.split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .filter_map(|s| s.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    if let [p, _, q, _] = recorded_figures[..] {
        assert!(
            figures[0].1 >= p,
            "evalCondition passes dropped: {} < {p}",
            figures[0].1
        );
        assert!(
            figures[1].1 >= q,
            "feature passes dropped: {} < {q}",
            figures[1].1
        );
    }
    // Name the first line that differs rather than printing both files.
    let first_difference = recorded
        .lines()
        .zip(full.lines())
        .find(|(a, b)| a != b)
        .map(|(a, b)| format!("recorded: {a}\nnow:      {b}"))
        .unwrap_or_else(|| "one file is longer".into());
    assert!(
        recorded == full,
        "tests/conformance/growthbook-not-run.md is out of date (GROWTHBOOK_CONFORMANCE_UPDATE=1 rewrites it):\n{first_difference}"
    );
}
