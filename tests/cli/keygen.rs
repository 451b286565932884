//! `edgeflag keygen`: file modes, output, refusal to overwrite.

use crate::support::*;
use edgeflag::envelope::PublicKey;
use std::fs;

#[test]
fn keygen_writes_a_0600_private_key_and_a_0644_public_key_and_prints_both_ids() {
    let scratch = Scratch::new("keygen");
    let out = scratch.path("nested/keys");
    let run = edgeflag(&["keygen", "--out", s(&out)]);
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{:?}", run.stdout);
    let key = PublicKey::parse(lines[0]).unwrap();
    assert_eq!(lines[0], key.to_string());
    assert_eq!(lines[1], format!("keyid {}", key.keyid()));

    let private = out.join("edgeflag.key");
    let public = out.join("edgeflag.pub");
    assert_eq!(mode(&private), 0o600);
    assert_eq!(mode(&public), 0o644);
    let pem = fs::read_to_string(&private).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    let public_pem = fs::read_to_string(&public).unwrap();
    assert_eq!(PublicKey::parse(&public_pem).unwrap(), key);
}

#[test]
fn keygen_refuses_to_overwrite_either_key_file_and_touches_neither() {
    let scratch = Scratch::new("keygen-twice");
    let (private, public, _) = keygen(&scratch, "keys");
    let before = (fs::read(&private).unwrap(), fs::read(&public).unwrap());
    let run = edgeflag(&["keygen", "--out", s(&scratch.path("keys"))]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.starts_with("edgeflag keygen: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(
        before,
        (fs::read(&private).unwrap(), fs::read(&public).unwrap())
    );

    // Only the public key is there: still refused, and no private key appears beside it.
    let lone = scratch.path("lone");
    fs::create_dir_all(&lone).unwrap();
    fs::write(lone.join("edgeflag.pub"), "mine").unwrap();
    let run = edgeflag(&["keygen", "--out", s(&lone)]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("edgeflag.pub: already exists"),
        "{}",
        run.stderr
    );
    assert!(!lone.join("edgeflag.key").exists());
    assert_eq!(
        fs::read_to_string(lone.join("edgeflag.pub")).unwrap(),
        "mine"
    );
}

#[test]
fn keygen_into_a_path_that_cannot_be_a_directory_is_an_io_failure() {
    let run = edgeflag(&["keygen", "--out", "/dev/null/keys"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run
        .stderr
        .starts_with("edgeflag keygen: /dev/null/keys: cannot write: "));
}
