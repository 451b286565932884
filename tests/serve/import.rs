//! Upgrading from an older `edgeflag serve`, whose state directory held files (`version`,
//! `current.json`, `audit.jsonl`): a new store there imports them once, keeping the flags,
//! continuing versions above the old counter and the audit chain after the old lines.

use super::support::{edgeflag, example_path, jsonl, now_ms, sha256_hex, Scratch, Server};
use serde_json::{json, Value as Json};
use std::fs;
use std::path::Path;

/// The files an older edgeflag serve left in `dir`: its version counter, the document it last
/// published (`banner` killed) and an audit log of two entries whose last line a crash tore.
/// Answers the two complete lines.
fn old_state(dir: &Path, version: u64) -> [String; 2] {
    fs::create_dir_all(dir).unwrap();
    let mut document: Json =
        serde_json::from_str(&fs::read_to_string(example_path()).unwrap()).unwrap();
    document["flags"]["banner"]["enabled"] = json!(false);
    fs::write(dir.join("current.json"), document.to_string()).unwrap();
    fs::write(dir.join("version"), format!("{version}\n")).unwrap();
    let first = format!(
        r#"{{"prev":null,"at":"2026-11-20T10:00:00Z","source":"admin","token":"sha256:0123456789abcdef","action":"kill","flag":"banner","changes":[{{"path":"flags.banner.enabled","old":null,"new":false}}],"oldVersion":{},"newVersion":{}}}"#,
        version - 2,
        version - 1
    );
    let second = format!(
        r#"{{"prev":"{}","at":"2026-11-20T10:05:00Z","source":"file","token":null,"action":"reload","flag":null,"changes":[],"oldVersion":{},"newVersion":{version}}}"#,
        sha256_hex(&first),
        version - 1
    );
    let torn = r#"{"prev":"9f86d081884c7d65","at":"2026-11-20T10:"#;
    fs::write(
        dir.join("audit.jsonl"),
        format!("{first}\n{second}\n{torn}"),
    )
    .unwrap();
    [first, second]
}

#[test]
fn an_older_servers_state_directory_is_imported_into_a_new_store() {
    let scratch = Scratch::new("import");
    let state = scratch.s("state");
    // A counter far ahead of the clock: the store continues it, rather than undercut it.
    let ahead = now_ms() as u64 + 10_000_000_000;
    let old = old_state(&scratch.path("state"), ahead);
    let server = Server::start(&["--state", &state]);
    assert_eq!(server.version, ahead + 1);
    assert!(
        server.banner.iter().any(|l| l.ends_with(&format!(
            "version {} from the state directory of an older edgeflag serve",
            ahead + 1
        ))),
        "{:?}",
        server.banner
    );
    assert!(
        server.stderr().contains("imported 2 audit entries"),
        "{}",
        server.stderr()
    );
    assert_eq!(
        server.admin("GET", "/admin/flags/banner", None).json()["enabled"],
        false
    );
    let killed = server
        .admin("POST", "/admin/flags/new-checkout/kill", None)
        .json();
    assert_eq!(killed["version"], ahead + 2);

    // The old lines come first, unchanged (the torn one dropped), and the chain continues.
    let export = server.export();
    assert!(
        export.starts_with(&format!("{}\n{}\n", old[0], old[1])),
        "{export}"
    );
    let entries = server.audit("");
    assert_eq!(entries, jsonl(&export));
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[2]["prev"], sha256_hex(&old[1]));
    assert_eq!(entries[2]["seq"], 3);
    assert_eq!(entries[2]["token"], "generated");
    assert_eq!(entries[2]["oldVersion"], ahead + 1);
    assert_eq!(entries[2]["newVersion"], ahead + 2);
    assert_eq!(edgeflag(&["audit", "verify", &state]).1, "ok 3 entries\n");
    let file = scratch.path("export.jsonl");
    fs::write(&file, &export).unwrap();
    assert_eq!(
        edgeflag(&["audit", "verify", file.to_str().unwrap()]).1,
        "ok 3 entries\n"
    );
    assert!(server.terminate().success());

    // Imported once: a restart reads the store, the old files stay as they were.
    let restarted = Server::start(&["--state", &state]);
    assert!(restarted.version > ahead + 2);
    assert!(restarted
        .banner
        .iter()
        .any(|l| l.ends_with("from the store")));
    assert_eq!(restarted.audit("").len(), 3);
    let names = scratch.list("state");
    for name in ["audit.jsonl", "current.json", "edgeflag.db", "version"] {
        assert!(names.iter().any(|n| n == name), "{names:?}");
    }
}

#[test]
fn an_older_state_directory_is_imported_even_when_a_token_was_created_first() {
    let scratch = Scratch::new("import-token");
    let state = scratch.s("state");
    let ahead = now_ms() as u64 + 10_000_000_000;
    old_state(&scratch.path("state"), ahead);
    // Creating a token opens (and so creates) the store before the server ever ran on it.
    let (code, stdout, stderr) = edgeflag(&[
        "serve", "token", "create", "--name", "ops", "--role", "admin", "--state", &state,
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let token = stdout
        .lines()
        .next()
        .unwrap()
        .strip_prefix("token ")
        .unwrap();
    let server = Server::start(&["--state", &state]);
    assert!(
        !server.banner.iter().any(|l| l.contains("admin token")),
        "an admin token in the store: none generated: {:?}",
        server.banner
    );
    assert!(server
        .banner
        .iter()
        .any(|l| l.ends_with("(tokens stored: 1)")));
    assert_eq!(server.version, ahead + 1);
    let banner = server.admin_as(token, "GET", "/admin/flags/banner", &[], None);
    assert_eq!(banner.json()["enabled"], false);
    let audit = server.admin_as(token, "GET", "/admin/audit", &[], None);
    assert_eq!(audit.json().as_array().unwrap().len(), 2);
}

#[test]
fn a_garbage_version_file_of_an_older_server_is_refused_at_start() {
    let scratch = Scratch::new("garbage-version");
    let state = scratch.s("state");
    let old = old_state(&scratch.path("state"), 1_795_000_000_123);
    fs::write(scratch.path("state/version"), "twelve\n").unwrap();
    let (exit, stderr) = Server::try_start(&["--state", &state]).err().unwrap();
    assert_eq!(exit, Some(1), "{stderr}");
    let version = scratch.path("state/version");
    assert!(
        stderr.contains(&format!("{}: not a version number", version.display())),
        "{stderr}"
    );
    // Fixed, the directory is imported as if the refused start had never happened.
    fs::write(&version, "1795000000123\n").unwrap();
    let server = Server::start(&["--state", &state]);
    assert!(server
        .banner
        .iter()
        .any(|l| l.contains("from the state directory")));
    let export = server.export();
    assert_eq!(export, format!("{}\n{}\n", old[0], old[1]));
}
