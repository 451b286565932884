//! `edgeflag eval`: one context, every flag, signed snapshots and JSON Lines streams.

use crate::support::*;
use serde_json::Value as Json;
use std::fs;
use std::process::Stdio;

fn eval(args: &[&str]) -> Json {
    let run = edgeflag(&[&["eval", "--now", NOW][..], args].concat());
    assert_eq!(run.code, 0, "{run:?}");
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn eval_flag_with_a_payload_prints_openfeature_details() {
    let payload = fixture("payload.json");
    let base = [
        "--payload",
        payload.as_str(),
        "--flag",
        "banner-text",
        "--context",
    ];
    let details = eval(&[&base[..], &[r#"{"targetingKey": "u1", "country": "DE"}"#]].concat());
    assert_eq!(
        details,
        serde_json::json!({
            "value": "Happy holidays", "variant": "festive", "reason": "TARGETING_MATCH",
            "ruleId": "germany", "ruleIndex": 0, "inExperiment": false, "flagMetadata": {}
        })
    );
    let details = eval(&[&base[..], &["{}"]].concat());
    assert_eq!(details["value"], "Welcome");
    assert_eq!(details["reason"], "STATIC");
}

#[test]
fn eval_flag_answers_null_with_the_error_when_evaluation_fails() {
    let payload = fixture("payload.json");
    let details = eval(&["--payload", &payload, "--flag", "nope", "--context", "{}"]);
    assert_eq!(details["value"], Json::Null);
    assert_eq!(details["reason"], "ERROR");
    assert_eq!(details["errorCode"], "FLAG_NOT_FOUND");
    assert!(details["errorMessage"].as_str().unwrap().contains("nope"));
}

#[test]
fn eval_all_with_a_payload_prints_every_flag_in_payload_order() {
    let payload = fixture("payload.json");
    let context = r#"{"targetingKey": "user-2", "plan": "enterprise"}"#;
    let all = eval(&["--payload", &payload, "--all", "--context", context]);
    let keys: Vec<&String> = all.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3);
    assert_eq!(all["new-checkout"]["value"], true);
    assert_eq!(all["new-checkout"]["reason"], "TARGETING_MATCH");
    assert_eq!(all["new-checkout"]["flagMetadata"]["team"], "payments");
    assert_eq!(all["banner-text"]["value"], "Welcome");
    assert_eq!(all["max-items"]["value"], 50);
}

#[test]
fn eval_with_a_signed_snapshot_verifies_it_first() {
    let scratch = Scratch::new("eval-snapshot");
    let (envelope, public) = signed(&scratch);
    let trusted = snapshot_args(&envelope, &public);
    let context = r#"{"targetingKey": "user-5", "email": "ann@example.com"}"#;
    let details = eval(
        &[
            &trusted[..],
            &[
                "--any-owner",
                "--flag",
                "new-checkout",
                "--context",
                context,
            ],
        ]
        .concat(),
    );
    assert_eq!(details["value"], true);
    assert_eq!(details["ruleId"], "staff");
    let all = eval(
        &[
            &trusted[..],
            &["--owner", "checkout-service", "--all", "--context", "{}"],
        ]
        .concat(),
    );
    assert_eq!(all["new-checkout"]["value"], false);
    assert_eq!(all["max-items"]["value"], 10);

    let staging = [
        "--snapshot",
        s(&envelope),
        "--trust",
        s(&public),
        "--env",
        "staging",
        "--owner",
        "checkout-service",
    ];
    let run = edgeflag(
        &[
            &["eval", "--now", NOW][..],
            &staging[..],
            &["--all", "--context", "{}"],
        ]
        .concat(),
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.starts_with(&format!(
        "edgeflag eval: {}: environment: ",
        envelope.display()
    )));
}

#[test]
fn eval_contexts_streams_ten_thousand_lines_one_output_line_each() {
    let scratch = Scratch::new("jsonl");
    let mut input = String::new();
    for i in 0..10_000 {
        let country = if i % 2 == 0 { "DE" } else { "FR" };
        input.push_str(&format!(
            "{{\"targetingKey\": \"user-{i}\", \"plan\": \"pro\", \"country\": \"{country}\"}}\n"
        ));
        if i == 5_000 {
            // A blank line is skipped; an invalid one answers INVALID_CONTEXT in its place.
            input.push_str("\n{\"targetingKey\": \n");
        }
    }
    let file = scratch.path("contexts.jsonl");
    fs::write(&file, &input).unwrap();
    let payload = fixture("payload.json");
    let args = [
        "eval",
        "--payload",
        &payload,
        "--now",
        NOW,
        "--flag",
        "new-checkout",
        "--contexts",
        s(&file),
    ];
    let run = edgeflag(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<Json> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 10_001);

    // user-1 and user-7 are included in the beta segment; the rollout decides like the library.
    let expected = |i: usize| edgeflag::bucket("new-checkout", &format!("user-{i}")) < 25_000;
    for (line, i) in [
        (0, 0),
        (1, 1),
        (7, 7),
        (4_999, 4_999),
        (5_000, 5_000),
        (5_002, 5_001),
        (10_000, 9_999),
    ] {
        assert_eq!(lines[line]["value"], expected(i), "line {line}");
        assert_eq!(lines[line]["reason"], "SPLIT", "line {line}");
        assert_eq!(lines[line]["ruleId"], "beta", "line {line}");
        assert_eq!(lines[line]["inExperiment"], true, "line {line}");
    }
    let invalid = &lines[5_001];
    assert_eq!(invalid["value"], Json::Null);
    assert_eq!(invalid["errorCode"], "INVALID_CONTEXT");
    assert_eq!(invalid["flagMetadata"]["team"], "payments");
}

#[test]
fn eval_contexts_reads_stdin_and_answers_all_flags_per_line() {
    let payload = fixture("payload.json");
    let args = [
        "eval",
        "--payload",
        &payload,
        "--now",
        NOW,
        "--all",
        "--contexts",
        "-",
    ];
    let input = b"{\"country\": \"DE\"}\r\n   \n[1, 2]\n{\"plan\": \"enterprise\"}";
    let run = run_with(&args, Some(input), Stdio::piped());
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<Json> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["banner-text"]["value"], "Happy holidays");
    assert_eq!(lines[1]["max-items"]["errorCode"], "INVALID_CONTEXT");
    assert_eq!(lines[1]["banner-text"]["errorCode"], "INVALID_CONTEXT");
    assert_eq!(lines[2]["max-items"]["value"], 50);
}

#[test]
fn eval_degrades_a_flag_it_cannot_evaluate_where_lint_refuses_the_payload() {
    // The fixture's one flag uses an unknown operator ("startswith").
    let payload = fixture("payload-invalid.json");
    let run = edgeflag(&[
        "eval",
        "--now",
        NOW,
        "--payload",
        &payload,
        "--all",
        "--context",
        "{}",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let all: Json = serde_json::from_str(&run.stdout).unwrap();
    let details = &all["new-checkout"];
    assert_eq!(details["value"], Json::Null);
    assert_eq!(details["reason"], "ERROR");
    assert_eq!(details["errorCode"], "PARSE_ERROR");
    let message = "flags.new-checkout.rules[0].conditions[0].op: unknown operator \"startswith\" (did you mean \"startsWith\"?)";
    assert_eq!(details["errorMessage"], message);
    assert_eq!(
        run.stderr,
        format!("edgeflag eval: warning: flag \"new-checkout\" cannot be evaluated (it answers the default with PARSE_ERROR): {message}\n")
    );
    let lint = edgeflag(&["lint", &payload]);
    assert_eq!(lint.code, 1, "{lint:?}");
    assert!(lint.stderr.contains(message), "{lint:?}");
}
