//! GrowthBook's own test cases (tests/conformance/growthbook/cases.json, copied unmodified):
//! the `evalCondition` and `feature` sections, each case imported with `edgeflag_import`,
//! loaded with the core's strict load and evaluated natively. Every case that does not pass
//! is listed with its reason in tests/conformance/growthbook-not-run.md, which this test
//! regenerates and compares (set CONFORMANCE_UPDATE=1 to rewrite it). Every case evaluated
//! (passing or not) is also written to tests/conformance/translated/growthbook.json, which the
//! npm package's test (pkg-template/test/conformance.test.mjs) runs through the package; this
//! test fails when that file differs from what it generates.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

#[path = "common/translated.rs"]
mod translated;

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
#[derive(PartialEq)]
enum Outcome {
    Pass,
    Fail(String),
    NotRun(String),
}

/// What the translated suite records of an evaluated case: the loaded payload, the flag and
/// the attributes.
struct Run {
    payload: Json,
    flag: String,
    attributes: Json,
}

/// Imports `doc` and loads it strictly, or says why not.
fn load(doc: &Json) -> Result<(Snapshot, Vec<String>, Json), Outcome> {
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
    // Valid at NOW, so that a client that checks the validity (the npm package) loads it.
    payload["issuedAt"] = json!("2026-11-18T00:00:00Z");
    payload["expiresAt"] = json!("2026-11-25T00:00:00Z");
    let snapshot = Snapshot::load(&serde_json::to_vec(&payload).unwrap(), &Limits::default())
        .map_err(|e| Outcome::Fail(format!("strict load refused the import: {e}")))?;
    Ok((snapshot, lossy, payload))
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

fn eval_condition(case: &Json) -> (Outcome, Option<Run>) {
    let groups = case.get(4).cloned().unwrap_or(json!({}));
    let doc = json!({
        "features": {"f": {"defaultValue": false, "rules": [{"force": true, "condition": case[1]}]}},
        "savedGroups": groups,
    });
    let (snapshot, lossy, payload) = match load(&doc) {
        Ok(x) => x,
        Err(o) => return (o, None),
    };
    let got = reading(&snapshot, "f", &case[2]);
    let run = Run {
        payload,
        flag: "f".into(),
        attributes: case[2].clone(),
    };
    if same(&got["value"], &case[3]) {
        (Outcome::Pass, Some(run))
    } else if let Some(dropped) = lossy.iter().find(|n| n.ends_with("rule not imported")) {
        (Outcome::NotRun(dropped.clone()), None)
    } else {
        let why = with_notes(format!("expected {}, got {}", case[3], got), &lossy);
        (Outcome::Fail(why), Some(run))
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

fn feature(case: &Json) -> (Outcome, Option<Run>) {
    let context = &case[1];
    if let Some(k) = context
        .as_object()
        .and_then(|m| m.keys().find(|k| HOST_ONLY.contains(&k.as_str())))
    {
        let why =
            format!("context option {k} is a GrowthBook SDK setting with no payload counterpart");
        return (Outcome::NotRun(why), None);
    }
    let doc = json!({
        "features": context.get("features").cloned().unwrap_or(json!({})),
        "savedGroups": context.get("savedGroups").cloned().unwrap_or(json!({})),
    });
    let (snapshot, lossy, payload) = match load(&doc) {
        Ok(x) => x,
        Err(o) => return (o, None),
    };
    let attributes = context.get("attributes").cloned().unwrap_or(json!({}));
    let flag = case[2].as_str().unwrap();
    let got = reading(&snapshot, flag, &attributes);
    let run = Some(Run {
        payload,
        flag: flag.into(),
        attributes,
    });
    let want = &case[3];
    let ok = ["value", "on", "off", "source"]
        .iter()
        .all(|k| same(&got[*k], &want[*k]))
        && want.get("ruleId").is_none_or(|r| r == &got["ruleId"]);
    if ok {
        (Outcome::Pass, run)
    } else {
        let want_short =
            json!({"value": want["value"], "source": want["source"], "ruleId": want.get("ruleId")});
        let why = with_notes(format!("expected {want_short}, got {got}"), &lossy);
        (Outcome::Fail(why), run)
    }
}

/// The part of the vendor's expected answer a case compares: the value for `evalCondition`;
/// value, on, off, source and (when given) ruleId for `feature`.
fn expected(section: &str, case: &Json) -> Json {
    if section == "evalCondition" {
        return case[3].clone();
    }
    let want = case[3].as_object().unwrap();
    let keep = ["value", "on", "off", "source", "ruleId"];
    Json::Object(
        want.iter()
            .filter(|(k, _)| keep.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

#[test]
fn growthbook_cases_pass_through_import_and_evaluation() {
    let text = std::fs::read_to_string(repo("tests/conformance/growthbook/cases.json")).unwrap();
    let cases: Json = serde_json::from_str(&text).unwrap();
    let mut report = String::new();
    let mut figures = Vec::new();
    let mut suite = translated::Translated::default();
    for (section, run) in [
        (
            "evalCondition",
            eval_condition as fn(&Json) -> (Outcome, Option<Run>),
        ),
        ("feature", feature),
    ] {
        let list = cases[section].as_array().unwrap();
        let mut passed = 0;
        let mut lines = String::new();
        for (i, case) in list.iter().enumerate() {
            let name = case[0].as_str().unwrap();
            let (outcome, evaluated) = run(case);
            if let Some(r) = evaluated {
                let id = format!("{section}[{i}]");
                let payload = suite.payload(&id, &r.payload);
                suite.case(json!({
                    "id": id,
                    "name": name,
                    "read": section,
                    "payload": payload,
                    "flag": r.flag,
                    "context": r.attributes,
                    "expected": expected(section, case),
                    "pass": outcome == Outcome::Pass,
                }));
            }
            match outcome {
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
         Generated by tests/conformance_growthbook.rs (run with CONFORMANCE_UPDATE=1 to\n\
         rewrite); the test fails when this file differs from what it finds.\n\n{summary}\n{report}"
    );
    let file = repo("tests/conformance/growthbook-not-run.md");
    if std::env::var_os(translated::UPDATE).is_some() {
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
        "tests/conformance/growthbook-not-run.md is out of date (CONFORMANCE_UPDATE=1 rewrites it):\n{first_difference}"
    );
    suite.check(
        "growthbook",
        "conformance_growthbook",
        json!({
            "about": "Generated by tests/conformance_growthbook.rs from tests/conformance/growthbook/cases.json (CONFORMANCE_UPDATE=1 rewrites it); run by pkg-template/test/conformance.test.mjs. Cases evaluated natively, with whether they pass; the others are in growthbook-not-run.md.",
            "figure": summary,
            "now": NOW,
            "totals": { "evalCondition": figures[0].2, "feature": figures[1].2 },
        }),
    );
}
