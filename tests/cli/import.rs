//! `edgeflag import`: a vendor file in, a payload that `sign` and `eval` accept out; notes on
//! stderr with their paths; `--strict`; malformed input (exit 1, nothing on stdout).

use crate::support::*;
use serde_json::Value as Json;
use std::fs;

/// A flagd file: one flag edgeflag expresses exactly, one it cannot (the evaluation time).
const FLAGD: &str = r#"{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "fib": {"state": "ENABLED", "variants": {"recursive": "recursive", "binet": "binet"},
            "defaultVariant": "recursive",
            "targeting": {"if": [{"$ref": "faas"}, "binet", null]}},
    "late": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
             "targeting": {"if": [{">": [{"var": "$flagd.timestamp"}, 1]}, "on", "off"]}}
  },
  "$evaluators": {"faas": {"in": ["@faas.com", {"var": "email"}]}}
}"#;

fn write(scratch: &Scratch, name: &str, text: &str) -> String {
    let path = scratch.path(name);
    fs::write(&path, text).unwrap();
    s(&path).to_owned()
}

#[test]
fn import_writes_a_payload_that_eval_and_sign_accept_and_notes_on_stderr() {
    let scratch = Scratch::new("import");
    let file = write(&scratch, "flags.json", FLAGD);
    let run = edgeflag(&[
        "import",
        "--from",
        "flagd",
        &file,
        "--owner",
        "web",
        "--environment",
        "staging",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let payload: Json = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(payload["schema"], "edgeflag/v1.1");
    assert_eq!(payload["owner"], "web");
    assert_eq!(payload["environment"], "staging");
    assert_eq!(payload["version"], 1);
    assert_eq!(
        run.stderr,
        "note: flags.late.targeting.if[0][\">\"][0]: not expressible: $flagd.timestamp (the evaluation \
         time) cannot be compared in an edgeflag condition: the condition never holds\n"
    );

    let imported = write(&scratch, "payload.json", &run.stdout);
    let eval = edgeflag(&[
        "eval",
        "--payload",
        &imported,
        "--flag",
        "fib",
        "--context",
        r#"{"email": "a@faas.com"}"#,
    ]);
    assert_eq!(eval.code, 0, "{eval:?}");
    let details: Json = serde_json::from_str(&eval.stdout).unwrap();
    assert_eq!(details["value"], "binet");

    // The documented pipeline: sign sets the real version and validity.
    let (key, _, _) = keygen(&scratch, "keys");
    let signed = run_with(
        &[
            "sign",
            "--key",
            s(&key),
            "--version",
            "7",
            "--issued-at",
            "2026-11-21T10:00:00Z",
            "--expires-in",
            "7d",
            "/dev/stdin",
        ],
        Some(run.stdout.as_bytes()),
        std::process::Stdio::piped(),
    );
    assert_eq!(signed.code, 0, "{signed:?}");
    let envelope = write(&scratch, "envelope.json", &signed.stdout);
    let decoded: Json =
        serde_json::from_slice(&decoded_payload(std::path::Path::new(&envelope))).unwrap();
    assert_eq!(decoded["version"], 7);
    assert_eq!(decoded["flags"], payload["flags"]);
}

#[test]
fn strict_refuses_what_cannot_be_expressed_and_prints_no_payload() {
    let scratch = Scratch::new("import-strict");
    let file = write(&scratch, "flags.json", FLAGD);
    let run = edgeflag(&["import", "--from", "flagd", "--strict", &file]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with("note: flags.late.targeting.if[0]"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--strict"), "{}", run.stderr);
}

#[test]
fn a_malformed_file_names_the_path_and_the_expectation() {
    let scratch = Scratch::new("import-bad");
    let file = write(
        &scratch,
        "flags.json",
        r#"{"flags": {"f": {"state": "ON", "variants": {"a": 1}}}}"#,
    );
    let run = edgeflag(&["import", "--from", "flagd", &file]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!("edgeflag import: {file}: flags.f.state: expected \"ENABLED\" or \"DISABLED\"\n")
    );

    let not_json = write(&scratch, "broken.json", "{\"flags\": ");
    let run = edgeflag(&["import", "--from", "flagd", &not_json]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("not JSON"), "{}", run.stderr);
}

#[test]
fn an_unknown_vendor_or_a_missing_file_is_a_usage_error() {
    let run = edgeflag(&["import", "--from", "launchdarkly", "x.json"]);
    assert_eq!(run.code, 2, "{run:?}");
    let run = edgeflag(&["import", "--from", "flagd", "/nonexistent/flags.json"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "");
    // An empty or oversized owner or environment is the option's fault, not the file's.
    let scratch = Scratch::new("import-options");
    let file = write(&scratch, "flags.json", FLAGD);
    let long = "o".repeat(8193);
    for (option, value) in [("--owner", ""), ("--environment", ""), ("--owner", &long)] {
        let run = edgeflag(&["import", "--from", "flagd", &file, option, value]);
        assert_eq!(run.code, 2, "{option} {run:?}");
        assert_eq!(run.stdout, "");
        assert!(
            run.stderr
                .starts_with(&format!("edgeflag import: {option}: ")),
            "{}",
            run.stderr
        );
    }
}

/// Every flag of tests/import/flagd-differential.mjs, imported and evaluated by `edgeflag
/// eval`, answers what @openfeature/flagd-core answers for 2,000 generated contexts
/// (fractional buckets included). Skipped, saying so, where Node or flagd-core (`npm ci` in
/// tests/bench/node) is not installed, except under tests/run (EDGEFLAG_REQUIRE_VENDOR_LIBRARIES).
#[test]
fn imported_flagd_flags_answer_what_flagd_core_answers() {
    let root = format!("{}/../..", env!("CARGO_MANIFEST_DIR"));
    let core = format!("{root}/tests/bench/node/node_modules/@openfeature/flagd-core");
    let node = std::process::Command::new("node").arg("--version").output();
    if node.is_err() || !std::path::Path::new(&core).exists() {
        // tests/run installs them and sets this: there the comparison must run.
        assert!(
            std::env::var_os("EDGEFLAG_REQUIRE_VENDOR_LIBRARIES").is_none(),
            "needs node and {core} (tests/setup.sh ensure_vendor_libraries)"
        );
        eprintln!("skipped: needs node and {core} (npm ci in tests/bench/node)");
        return;
    }
    let out = std::process::Command::new("node")
        .arg(format!("{root}/tests/import/flagd-differential.mjs"))
        .arg(env!("CARGO_BIN_EXE_edgeflag"))
        .arg("2000")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("18000 evaluations"), "{stdout}");
}
