use super::*;
use crate::apply::apply;

fn field_of(body: &str) -> String {
    parse(body.as_bytes()).unwrap_err().field
}

fn flag(text: &str) -> Value {
    parse_json(text.as_bytes(), &Limits::default().json()).unwrap()
}

#[test]
fn every_malformed_body_names_its_field() {
    assert_eq!(field_of(""), "body");
    assert_eq!(field_of("[1]"), "body");
    assert_eq!(field_of("{\"enabled\": true, \"enabled\": false}"), "body");
    assert_eq!(field_of("{}"), "body");
    assert_eq!(field_of(r#"{"enabled": "no"}"#), "enabled");
    assert_eq!(field_of(r#"{"enabeld": false}"#), "enabeld");
    assert_eq!(field_of(r#"{"rollout": []}"#), "rollout");
    assert_eq!(field_of(r#"{"rollout": {}}"#), "rollout.weights");
    assert_eq!(
        field_of(r#"{"rollout": {"weights": [{"variant": "on", "weight": "half"}]}}"#),
        "rollout.weights[0].weight"
    );
    assert_eq!(
        field_of(r#"{"rollout": {"weights": [{"variant": "on", "weight": 100001}]}}"#),
        "rollout.weights[0].weight"
    );
    assert_eq!(
        field_of(r#"{"rollout": {"weights": [{"variant": "on", "weight": 1, "x": 1}]}}"#),
        "rollout.weights[0].x"
    );
    assert_eq!(
        field_of(
            r#"{"schedule": {"variant": "on", "otherwise": "off", "start": "soon", "end": "2026-12-01T00:00:00Z"}}"#
        ),
        "schedule.start"
    );
    assert_eq!(
        field_of(r#"{"schedule": {"variant": "on"}}"#),
        "schedule.otherwise"
    );
    assert_eq!(
        field_of(
            r#"{"variant": "on", "rollout": {"weights": [{"variant": "on", "weight": 100000}]}}"#
        ),
        "rollout"
    );
    assert_eq!(field_of(r#"{"enabled": true, "rule": "beta"}"#), "rule");
    assert_eq!(field_of(r#"{"variant": "on", "rule": -1}"#), "rule");
}

#[test]
fn a_kill_only_touches_enabled() {
    let mut f = flag(r#"{"type": "boolean", "enabled": true, "offVariant": "off"}"#);
    apply(&mut f, &Patch::kill()).unwrap();
    assert_eq!(
        f.to_json(),
        r#"{"type":"boolean","enabled":false,"offVariant":"off"}"#
    );
    let mut f = flag(r#"{"type": "boolean"}"#);
    apply(&mut f, &Patch::kill()).unwrap();
    assert_eq!(f.to_json(), r#"{"type":"boolean","enabled":false}"#);
}

#[test]
fn a_new_rollout_keeps_the_unit_of_bucketing_it_replaces() {
    let mut f = flag(
        r#"{"defaultServe": {"schedule": {"by": "accountId", "salt": "s1", "variant": "on"}}}"#,
    );
    let patch =
        parse(br#"{"rollout": {"weights": [{"variant": "on", "weight": 100000}]}}"#).unwrap();
    apply(&mut f, &patch).unwrap();
    assert_eq!(
        f.to_json(),
        r#"{"defaultServe":{"rollout":{"by":"accountId","salt":"s1","weights":[{"variant":"on","weight":100000}]}}}"#
    );
    let patch =
        parse(br#"{"rollout": {"salt": "s2", "weights": [{"variant": "on", "weight": 100000}]}}"#)
            .unwrap();
    apply(&mut f, &patch).unwrap();
    assert!(
        f.to_json()
            .contains(r#"{"by":"accountId","salt":"s2","weights""#),
        "{}",
        f.to_json()
    );
}

#[test]
fn a_rule_is_found_by_id_or_index() {
    let text = r#"{"rules": [{"id": "a", "serve": {"variant": "x"}}, {"id": "b", "serve": {"variant": "x"}}]}"#;
    let mut f = flag(text);
    apply(&mut f, &parse(br#"{"variant": "y", "rule": "b"}"#).unwrap()).unwrap();
    apply(&mut f, &parse(br#"{"variant": "z", "rule": 0}"#).unwrap()).unwrap();
    assert_eq!(
        f.to_json(),
        r#"{"rules":[{"id":"a","serve":{"variant":"z"}},{"id":"b","serve":{"variant":"y"}}]}"#
    );
    let missing = apply(&mut f, &parse(br#"{"variant": "z", "rule": "c"}"#).unwrap());
    assert_eq!(missing.unwrap_err().field, "rule");
    let missing = apply(&mut f, &parse(br#"{"variant": "z", "rule": 2}"#).unwrap());
    assert_eq!(missing.unwrap_err().field, "rule");
}
