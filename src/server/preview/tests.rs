//! Tests of the dry run's preview: the sample it draws and the changes it counts.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use super::*;

/// 2026-01-02T00:00:00Z, inside the payloads' validity.
const NOW: i64 = 1_767_312_000_000;

/// Payload bytes whose `flags` and `segments` members are the given JSON text.
fn payload(flags: &str, segments: &str) -> Vec<u8> {
    format!(
        r#"{{"schema":"edgeflag/v1","owner":"o","environment":"e","version":1,
          "issuedAt":"2026-01-01T00:00:00Z","expiresAt":"2026-01-08T00:00:00Z",
          "segments":{{{segments}}},"flags":{{{flags}}}}}"#
    )
    .into_bytes()
}

/// A boolean flag `f` with the given extra members.
fn flag(members: &str) -> Vec<u8> {
    payload(
        &format!(
            r#""f":{{"type":"boolean","variants":{{"on":true,"off":false}},
               "offVariant":"off"{members}}}"#
        ),
        "",
    )
}

/// A `defaultServe` rollout giving `on` thousandths of a percent to `on`, the rest to `off`.
fn rollout(on: u32) -> String {
    format!(
        r#","defaultServe":{{"rollout":{{"weights":[{{"variant":"on","weight":{on}}},
            {{"variant":"off","weight":{}}}]}}}}"#,
        100_000 - on
    )
}

/// The preview of `f` from `before` to `after` on `n` generated contexts.
fn run(before: &[u8], after: &[u8], n: usize) -> Preview {
    preview(before, after, "f", &[], n, NOW, &Limits::default()).unwrap()
}

/// The (before, after) counts under `label` (zero when it never occurred).
fn count(p: &Preview, label: &str) -> (usize, usize) {
    let c = p.counts.iter().find(|c| c.0 == label);
    c.map_or((0, 0), |c| (c.1, c.2))
}

#[test]
fn raising_a_rollout_from_half_to_all_moves_about_half_the_sample() {
    let p = run(&flag(&rollout(50_000)), &flag(&rollout(100_000)), 1_000);
    assert_eq!(p.sampled, 1_000);
    assert!((400..=600).contains(&p.changed), "{}", p.changed);
    // Raising a percentage never moves a unit out of `on`: exactly the `off` ones move.
    assert_eq!(count(&p, "off"), (p.changed, 0));
    assert_eq!(count(&p, "on"), (1_000 - p.changed, 1_000));
    assert_eq!(p.examples.len(), EXAMPLES);
    assert_eq!(p.examples[0].after.value, Some(Value::Bool(true)));
    // Deterministic: the same inputs give the same answer.
    assert_eq!(
        run(&flag(&rollout(50_000)), &flag(&rollout(100_000)), 1_000),
        p
    );
}

#[test]
fn an_unchanged_flag_moves_nobody() {
    let doc = flag(&rollout(30_000));
    let p = run(&doc, &doc, 200);
    assert_eq!((p.sampled, p.changed), (200, 0));
    assert!(p.examples.is_empty());
    let v = p.to_value();
    assert_eq!(v.get("share").and_then(Value::as_f64), Some(0.0));
}

#[test]
fn a_kill_moves_everyone_who_was_served_on() {
    let p = run(
        &flag(&rollout(25_000)),
        &flag(&format!(r#","enabled":false{}"#, rollout(25_000))),
        400,
    );
    let (on_before, on_after) = count(&p, "on");
    assert!(on_before > 50, "{on_before}");
    assert_eq!((p.changed, on_after), (on_before, 0));
    assert_eq!(p.examples[0].after.reason, Reason::Disabled);
}

#[test]
fn a_rule_on_plan_is_sampled_with_pro_and_other_plans() {
    let rule = r#","rules":[{"conditions":[{"attribute":"plan","op":"in","values":["pro"]}],
                    "serve":{"variant":"on"}}]"#;
    let after = flag(rule);
    let doc = parse_payload(&after, &Limits::default()).unwrap();
    let sample = sample_contexts(&[&doc], "f", 60);
    let plans: Vec<Option<&str>> = sample
        .iter()
        .map(|c| c.get("plan").and_then(Value::as_str))
        .collect();
    assert!(plans.contains(&Some("pro")));
    assert!(
        plans.iter().any(|p| p.is_some_and(|p| p != "pro")),
        "{plans:?}"
    );
    assert!(plans.contains(&None));
    // Only the new version has the rule: the sample still reads it, and pro users move.
    let p = run(&flag(""), &after, 60);
    let pros = plans.iter().filter(|p| **p == Some("pro")).count();
    assert_eq!(p.changed, pros);
    assert!(p
        .examples
        .iter()
        .all(|e| e.context.get("plan") == Some(&Value::from("pro"))));
}

#[test]
fn segments_prerequisites_and_targets_shape_the_sample() {
    let flags = r#"
      "f":{"type":"boolean","variants":{"on":true,"off":false},"offVariant":"off",
           "prerequisites":[{"flag":"p","variants":["on"]}],
           "targets":[{"variant":"on","values":["vip-1",7]}],
           "rules":[{"conditions":[{"op":"inSegment","values":["beta"]}],
                     "serve":{"rollout":{"by":"accountId","weights":[
                       {"variant":"on","weight":50000},{"variant":"off","weight":50000}]}}}]},
      "p":{"type":"boolean","variants":{"on":true,"off":false},"offVariant":"off",
           "rules":[{"conditions":[{"attribute":"age","op":"gte","values":[18]}],
                     "serve":{"variant":"on"}}]}"#;
    let segments = r#""beta":{"included":["u-in"],"excluded":["u-out"],
        "rules":[[{"attribute":"email","op":"endsWith","values":["@example.com"]}]]}"#;
    let doc = parse_payload(&payload(flags, segments), &Limits::default()).unwrap();
    let sample = sample_contexts(&[&doc], "f", 40);
    let keys: Vec<&str> = sample
        .iter()
        .filter_map(|c| c.get("targetingKey")?.as_str())
        .collect();
    assert_eq!(keys[..5], ["vip-1", "7", "u-in", "u-out", "sample-4"]);
    let ages: Vec<f64> = sample
        .iter()
        .filter_map(|c| c.get("age")?.as_f64())
        .collect();
    assert!(
        ages.contains(&17.0) && ages.contains(&18.0) && ages.contains(&19.0),
        "{ages:?}"
    );
    let emails: Vec<&str> = sample
        .iter()
        .filter_map(|c| c.get("email")?.as_str())
        .collect();
    assert!(
        emails.contains(&"sample@example.com") && emails.contains(&"~none"),
        "{emails:?}"
    );
    // `by` attributes are unique per context, so the rollout spreads.
    assert_eq!(
        sample[9].get("accountId").and_then(Value::as_str),
        Some("accountId-9")
    );
    assert_eq!(sample_contexts(&[&doc], "f", 0).len(), 0);
}

#[test]
fn a_create_and_an_archive_change_everyone() {
    let empty = payload("", "");
    let doc = flag(&rollout(50_000));
    let created = run(&empty, &doc, 100);
    assert_eq!((created.sampled, created.changed), (100, 100));
    assert_eq!(count(&created, ABSENT), (100, 0));
    assert_eq!(
        created.examples[0].before.error,
        Some(ErrorCode::FlagNotFound)
    );
    let archived = run(&doc, &empty, 100);
    assert_eq!(archived.changed, 100);
    assert_eq!(count(&archived, ABSENT), (0, 100));
    let v = archived.to_value();
    assert_eq!(v.get("share").and_then(Value::as_f64), Some(1.0));
    assert_eq!(
        v.get("after")
            .and_then(|a| a.get(ABSENT))
            .and_then(Value::as_f64),
        Some(100.0)
    );
    assert_eq!(
        v.get("before")
            .and_then(|a| a.get(ABSENT))
            .and_then(Value::as_f64),
        Some(0.0)
    );
}

#[test]
fn supplied_contexts_are_evaluated_first_and_bad_ones_are_refused() {
    let rule = r#","rules":[{"conditions":[{"attribute":"plan","op":"in","values":["pro"]}],
                    "serve":{"variant":"on"}}]"#;
    let supplied = [Value::Object(vec![
        ("targetingKey".into(), Value::from("me")),
        ("plan".into(), Value::from("pro")),
    ])];
    let p = preview(
        &flag(""),
        &flag(rule),
        "f",
        &supplied,
        10,
        NOW,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(p.sampled, 11);
    assert_eq!(p.examples[0].context, supplied[0]);
    let text = p.to_value().to_json();
    assert!(text.starts_with(r#"{"flag":"f","sampled":11,"#), "{text}");
    assert!(
        text.contains(r#""before":{"value":false,"variant":"off","reason":"STATIC"}"#),
        "{text}"
    );
    let bad = preview(
        &flag(""),
        &flag(""),
        "f",
        &[Value::from("x")],
        1,
        NOW,
        &Limits::default(),
    );
    assert!(bad.unwrap_err().starts_with("sample[0]: "));
    let broken = preview(b"{}", &flag(""), "f", &[], 1, NOW, &Limits::default());
    assert!(broken.unwrap_err().starts_with("before: "));
}

#[test]
fn share_is_rounded_to_four_decimals() {
    let p = Preview {
        flag: "f".into(),
        sampled: 3,
        changed: 1,
        counts: vec![],
        examples: vec![],
    };
    assert_eq!(
        p.to_value().get("share").and_then(Value::as_f64),
        Some(0.3333)
    );
}

#[test]
fn every_operator_gets_values_on_both_sides_of_its_condition() {
    let rules = r#","rules":[{"conditions":[
        {"attribute":"name","op":"contains","values":["on"]},
        {"attribute":"app","op":"semverGte","values":["2.0.0"]},
        {"attribute":"ip","op":"inCidr","values":["10.0.0.0/8"]},
        {"attribute":"signup","op":"before","values":["2026-06-01T00:00:00Z"]},
        {"attribute":"beta","op":"exists","negate":true},
        {"attribute":"staff","op":"in","values":[true]}],
        "serve":{"variant":"on"}}]"#;
    let doc = parse_payload(&flag(rules), &Limits::default()).unwrap();
    let sample = sample_contexts(&[&doc], "f", 200);
    let seen = |attr: &str| -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        for v in sample.iter().filter_map(|c| c.get(attr)) {
            if !out.contains(v) {
                out.push(v.clone());
            }
        }
        out
    };
    let strings = |attr: &str| -> Vec<String> {
        seen(attr)
            .iter()
            .filter_map(|v| Some(v.as_str()?.to_owned()))
            .collect()
    };
    // "~none" contains "on": the value that matches none is another one.
    let mut name = strings("name");
    name.sort();
    assert_eq!(name, ["sampleonsample", "~~~"]);
    let mut app = strings("app");
    app.sort();
    assert_eq!(app, ["0.0.0", "2.0.0", "999999.0.0"]);
    let mut ip = strings("ip");
    ip.sort();
    assert_eq!(ip, ["10.0.0.0", "192.0.2.1", "2001:db8::1"]);
    assert_eq!(strings("signup").len(), 3);
    assert_eq!(strings("beta"), ["present"]);
    let staff = seen("staff");
    assert!(staff.contains(&Value::Bool(true)) && staff.contains(&Value::Bool(false)));
    // Every attribute is also absent from some contexts.
    for attr in ["name", "app", "ip", "signup", "beta", "staff"] {
        assert!(sample.iter().any(|c| c.get(attr).is_none()), "{attr}");
    }
    // The same documents give the same sample, attribute by attribute.
    assert_eq!(sample_contexts(&[&doc], "f", 200), sample);
}
