//! `edgeflag sign` and `edgeflag verify`: the round trip, overrides, and every refusal.

use crate::support::*;
use edgeflag::envelope::PublicKey;
use edgeflag::unstable::base64;
use serde_json::Value as Json;
use std::fs;

#[test]
fn sign_then_verify_prints_the_one_line_summary() {
    let scratch = Scratch::new("roundtrip");
    let (envelope, public) = signed(&scratch);
    let payload = fs::read(fixture("payload.json")).unwrap();
    // Without overrides the file's bytes are signed exactly as they are.
    assert_eq!(decoded_payload(&envelope), payload);

    let keyid = PublicKey::parse(&fs::read_to_string(&public).unwrap())
        .unwrap()
        .keyid();
    let run = verify(
        &envelope,
        &[
            "--trust",
            s(&public),
            "--owner",
            "checkout-service",
            "--env",
            "production",
            "--now",
            NOW,
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        format!(
            "ok version 42 owner checkout-service environment production keyid {keyid} flags 3 \
             expires 2026-11-28T10:00:00Z sha256 {}\n",
            sha256_hex(&payload)
        )
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn verify_accepts_compact_keys_pem_blocks_pem_files_and_comma_separated_lists() {
    let scratch = Scratch::new("trust-forms");
    let (envelope, public) = signed(&scratch);
    let (_, _, other) = keygen(&scratch, "other");
    let list = format!("{other},{}", s(&public));
    let run = verify(
        &envelope,
        &["--trust", &list, "--env", "production", "--now", NOW],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let compact = PublicKey::parse(&fs::read_to_string(&public).unwrap())
        .unwrap()
        .to_string();
    let run = verify(
        &envelope,
        &[
            "--trust",
            &other,
            "--trust",
            &compact,
            "--env",
            "production",
            "--now",
            NOW,
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    // A PEM block pasted as the value (say, from an environment variable).
    let pem = fs::read_to_string(&public).unwrap();
    let run = verify(
        &envelope,
        &["--trust", &pem, "--env", "production", "--now", NOW],
    );
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn sign_overrides_show_up_in_the_verify_summary_and_keep_member_order() {
    let scratch = Scratch::new("overrides");
    let (key, public, _) = keygen(&scratch, "keys");
    let overrides = [
        "--version",
        "43",
        "--issued-at",
        "2026-12-01T00:00:00Z",
        "--expires-in",
        "1d12h",
    ];
    let envelope = sign(
        &scratch,
        &key,
        &fixture("payload.json"),
        &overrides,
        "e.json",
    );
    let run = verify(
        &envelope,
        &[
            "--trust",
            s(&public),
            "--env",
            "production",
            "--now",
            "2026-12-02T11:00:00Z",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .starts_with("ok version 43 owner checkout-service "),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains(" flags 3 expires 2026-12-02T12:00:00Z sha256 "));

    let payload = String::from_utf8(decoded_payload(&envelope)).unwrap();
    assert!(payload.starts_with(
        r#"{"schema":"edgeflag/v1","owner":"checkout-service","environment":"production","version":43,"issuedAt":"2026-12-01T00:00:00Z","expiresAt":"2026-12-02T12:00:00Z","segments":"#
    ), "{payload}");
}

#[test]
fn sign_expires_in_counts_from_the_payloads_own_issued_at() {
    let scratch = Scratch::new("expires-in");
    let (key, public, _) = keygen(&scratch, "keys");
    let envelope = sign(
        &scratch,
        &key,
        &fixture("payload.json"),
        &["--expires-in", "30m"],
        "e.json",
    );
    let run = verify(
        &envelope,
        &[
            "--trust",
            s(&public),
            "--env",
            "production",
            "--now",
            "2026-11-21T10:10:00Z",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains(" version 42 "), "{}", run.stdout);
    assert!(
        run.stdout.contains(" expires 2026-11-21T10:30:00Z "),
        "{}",
        run.stdout
    );
}

#[test]
fn sign_issued_at_now_verifies_against_the_system_clock() {
    let scratch = Scratch::new("issued-now");
    let (key, public, _) = keygen(&scratch, "keys");
    let extra = ["--issued-at", "now", "--expires-in", "1h"];
    let envelope = sign(&scratch, &key, &fixture("payload.json"), &extra, "e.json");
    let run = verify(&envelope, &["--trust", s(&public), "--env", "production"]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn sign_refuses_an_invalid_payload_naming_the_file_and_the_path() {
    let scratch = Scratch::new("sign-invalid");
    let (key, _, _) = keygen(&scratch, "keys");
    let payload = fixture("payload-invalid.json");
    let run = edgeflag(&["sign", "--key", s(&key), &payload]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "edgeflag sign: {payload}: flags.new-checkout.rules[0].conditions[0].op: unknown operator \"startswith\" (did you mean \"startsWith\"?)\n"
        )
    );
}

#[test]
fn verify_refuses_another_environment() {
    let scratch = Scratch::new("wrong-env");
    let (envelope, public) = signed(&scratch);
    let run = verify(
        &envelope,
        &["--trust", s(&public), "--env", "staging", "--now", NOW],
    );
    assert_refused(
        &run,
        &envelope,
        "environment: snapshot is for \"production\", expected \"staging\"",
    );
}

#[test]
fn verify_refuses_another_owner() {
    let scratch = Scratch::new("wrong-owner");
    let (envelope, public) = signed(&scratch);
    let args = [
        "--trust",
        s(&public),
        "--owner",
        "billing",
        "--env",
        "production",
        "--now",
        NOW,
    ];
    assert_refused(&verify(&envelope, &args), &envelope, "owner: ");
}

#[test]
fn verify_refuses_a_signature_by_an_unpinned_key() {
    let scratch = Scratch::new("unpinned");
    let (envelope, _) = signed(&scratch);
    let (_, other, _) = keygen(&scratch, "other");
    let run = verify(
        &envelope,
        &["--trust", s(&other), "--env", "production", "--now", NOW],
    );
    assert_refused(
        &run,
        &envelope,
        "signature: no signature verifies with a pinned key",
    );
}

#[test]
fn verify_refuses_a_tampered_payload() {
    let scratch = Scratch::new("tampered");
    let (envelope, public) = signed(&scratch);
    let mut json: Json = serde_json::from_slice(&fs::read(&envelope).unwrap()).unwrap();
    let mut payload = decoded_payload(&envelope);
    let middle = payload.len() / 2;
    payload[middle] ^= 0x01;
    json["payload"] = Json::String(base64::encode(&payload));
    let tampered = scratch.path("tampered.json");
    fs::write(&tampered, serde_json::to_vec(&json).unwrap()).unwrap();
    let run = verify(
        &tampered,
        &["--trust", s(&public), "--env", "production", "--now", NOW],
    );
    assert_refused(&run, &tampered, "signature: ");
}

#[test]
fn verify_refuses_an_expired_snapshot() {
    let scratch = Scratch::new("expired");
    let (envelope, public) = signed(&scratch);
    let later = "2026-11-29T00:00:00Z";
    let run = verify(
        &envelope,
        &["--trust", s(&public), "--env", "production", "--now", later],
    );
    assert_refused(
        &run,
        &envelope,
        "expiry: snapshot expired at 2026-11-28T10:00:00Z",
    );
}

#[test]
fn verify_and_eval_floors_refuse_older_versions_and_snapshots_issued_too_long_ago() {
    let scratch = Scratch::new("rollback");
    let (envelope, public) = signed(&scratch);
    let base = ["--trust", s(&public), "--env", "production", "--now", NOW];
    let run = verify(&envelope, &[&base[..], &["--min-version", "43"]].concat());
    assert_refused(
        &run,
        &envelope,
        "version: 42 is below the minimum version 43",
    );
    let run = verify(&envelope, &[&base[..], &["--min-version", "42"]].concat());
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("ok version 42 "));
    // The fixture is issued at 2026-11-21T10:00:00Z; NOW is 14 hours later.
    let run = verify(&envelope, &[&base[..], &["--max-age", "14h"]].concat());
    assert_eq!(run.code, 0, "{run:?}");
    let run = verify(&envelope, &[&base[..], &["--max-age", "13h"]].concat());
    assert_refused(
        &run,
        &envelope,
        "max age: snapshot issued at 2026-11-21T10:00:00Z is older than 13h (now 2026-11-22T00:00:00Z)",
    );
    // eval --snapshot takes the same floors.
    let eval = |floor: &[&str]| {
        let rest = [
            "--owner",
            "checkout-service",
            "--now",
            NOW,
            "--all",
            "--context",
            "{}",
        ];
        edgeflag(
            &[
                &["eval"][..],
                &snapshot_args(&envelope, &public),
                &rest,
                floor,
            ]
            .concat(),
        )
    };
    let run = eval(&["--max-age", "13h"]);
    assert!(
        run.code == 1 && run.stderr.contains(": max age: "),
        "{run:?}"
    );
    let run = eval(&["--min-version", "43"]);
    assert!(
        run.code == 1 && run.stderr.contains(": version: 42 is below the minimum"),
        "{run:?}"
    );
    assert_eq!(eval(&["--max-age", "14h", "--min-version", "42"]).code, 0);
}

#[test]
fn verify_refuses_a_threshold_of_two_met_by_one_key() {
    let scratch = Scratch::new("threshold");
    let (envelope, public) = signed(&scratch);
    let (_, other, _) = keygen(&scratch, "other");
    let keys = format!("{},{}", s(&public), s(&other));
    let args = [
        "--trust",
        &keys,
        "--threshold",
        "2",
        "--env",
        "production",
        "--now",
        NOW,
    ];
    assert_refused(
        &verify(&envelope, &args),
        &envelope,
        "threshold: 1 distinct pinned key(s) signed, 2 required",
    );
}

#[test]
fn verify_names_a_missing_envelope_file() {
    let scratch = Scratch::new("missing");
    let (_, public) = signed(&scratch);
    let missing = scratch.path("missing.json");
    let run = verify(&missing, &["--trust", s(&public), "--env", "production"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr,
        format!(
            "edgeflag verify: {}: cannot read: No such file or directory\n",
            missing.display()
        )
    );
}

#[test]
fn verify_needs_an_owner_or_an_explicit_any_owner() {
    let scratch = Scratch::new("owner-required");
    let (envelope, public) = signed(&scratch);
    let base = ["--trust", s(&public), "--env", "production", "--now", NOW];
    let run = edgeflag(&[&["verify"][..], &base, &[s(&envelope)]].concat());
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--owner"), "{:?}", run.stderr);
    let any = verify(&envelope, &[&["--any-owner"][..], &base].concat());
    assert_eq!(any.code, 0, "{any:?}");
    assert!(any
        .stdout
        .starts_with("ok version 42 owner checkout-service "));
}
