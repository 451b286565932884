//! `edgeflag lint`, usage errors (exit 2), `--help` and output failures (exit 3).

use crate::support::*;
use std::fs;
use std::process::Stdio;

fn lint(payload: &str, extra: &[&str]) -> Run {
    edgeflag(&[&["lint", payload, "--now", NOW][..], extra].concat())
}

#[test]
fn lint_of_a_clean_payload_reports_zero_warnings() {
    let run = lint(&fixture("payload.json"), &["--deny-warnings"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, "0 warnings\n");
}

#[test]
fn lint_lists_each_warning_with_its_path_and_a_count() {
    let run = lint(&fixture("payload-warnings.json"), &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", run.stdout);
    let expected_starts = [
        "warning: flags.old-banner.metadata.expiresAt: flag expired on 2026-01-31",
        "warning: flags.shadowed.rules[1]: unreachable",
        "warning: flags.always-on: serves variant \"on\" to every unit",
        "warning: segments.forgotten: unused",
    ];
    for (line, start) in lines.iter().zip(expected_starts) {
        assert!(
            line.starts_with(start),
            "{line:?} should start with {start:?}"
        );
    }
    assert_eq!(lines[4], "4 warnings");

    let denied = lint(&fixture("payload-warnings.json"), &["--deny-warnings"]);
    assert_eq!(denied.code, 1, "{denied:?}");
    assert_eq!(denied.stdout, run.stdout);
}

#[test]
fn lint_of_an_invalid_payload_is_an_error_naming_file_and_path() {
    let payload = fixture("payload-invalid.json");
    let run = lint(&payload, &[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with(&format!(
            "error: {payload}: flags.new-checkout.rules[0].conditions[0].op: unknown operator"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2() {
    let scratch = Scratch::new("usage");
    let (envelope, public) = signed(&scratch);
    let payload = fixture("payload.json");
    let pem = s(&public);
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["frobnicate"],
        vec!["keygen"],
        vec!["verify", "--trust", pem, s(&envelope)],
        vec![
            "verify",
            "--trust",
            pem,
            "--env",
            "production",
            "--now",
            "yesterday",
            s(&envelope),
        ],
        vec![
            "verify",
            "--trust",
            "ed25519:AAAA",
            "--env",
            "production",
            s(&envelope),
        ],
        vec![
            "verify",
            "--trust",
            pem,
            "--threshold",
            "2",
            "--env",
            "production",
            s(&envelope),
        ],
        vec!["sign", "--key", pem, &payload],
        vec!["sign", "--key", "/nonexistent/edgeflag.key", &payload],
        vec!["sign", "--key", pem, "--expires-in", "7 days", &payload],
        vec![
            "eval",
            "--payload",
            &payload,
            "--snapshot",
            s(&envelope),
            "--all",
            "--context",
            "{}",
        ],
        vec!["eval", "--payload", &payload, "--all"],
        vec![
            "eval",
            "--payload",
            &payload,
            "--flag",
            "x",
            "--all",
            "--context",
            "{}",
        ],
        vec![
            "eval",
            "--snapshot",
            s(&envelope),
            "--trust",
            pem,
            "--all",
            "--context",
            "{}",
        ],
        vec!["eval", "--payload", &payload, "--all", "--context", "[1"],
        vec!["lint"],
    ];
    for args in cases {
        let run = edgeflag(&args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert_eq!(run.stdout, "", "{args:?}");
        assert!(!run.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn a_malformed_trust_key_is_named_on_one_line() {
    let scratch = Scratch::new("bad-trust");
    let (envelope, _) = signed(&scratch);
    let run = verify(
        &envelope,
        &["--trust", "ed25519:AAAA", "--env", "production"],
    );
    assert_eq!(run.code, 2);
    assert!(run
        .stderr
        .starts_with("edgeflag verify: --trust ed25519:AAAA: public key: "));
    assert_eq!(run.stderr.lines().count(), 1);
}

#[test]
fn help_lists_the_exit_codes() {
    let run = edgeflag(&["--help"]);
    assert_eq!(run.code, 0);
    for line in [
        "Exit codes:",
        "0  success",
        "1  the input was refused",
        "2  usage error",
        "3  I/O failure",
    ] {
        assert!(run.stdout.contains(line), "{line:?} in {}", run.stdout);
    }
    for command in ["keygen", "sign", "verify", "eval", "lint"] {
        assert!(run.stdout.contains(command));
    }
}

#[test]
fn a_failed_write_to_stdout_exits_3() {
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let run = run_with(
        &["lint", &fixture("payload.json"), "--now", NOW],
        None,
        Stdio::from(full),
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr
            .starts_with("edgeflag lint: stdout: cannot write: "),
        "{}",
        run.stderr
    );
}
