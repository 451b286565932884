//! The state directory: versions never reused across restarts, admin changes kept, a torn
//! audit line tolerated, atomic writes; re-signing before expiry; start-up refusals.

use super::support::{audit_lines, example_path, now_ms, Scratch, Server};
use serde_json::json;
use std::fs;
use std::io::Write;
use std::net::TcpListener;

#[test]
fn a_restart_with_the_same_state_never_reuses_a_version() {
    let scratch = Scratch::new("restart");
    let state = scratch.s("state");
    let server = Server::start(&["--state", &state]);
    let killed = server
        .admin("POST", "/admin/flags/banner/kill", None)
        .json();
    let last = killed["version"].as_u64().unwrap();
    assert_eq!(
        fs::read_to_string(scratch.path("state/version")).unwrap(),
        format!("{last}\n")
    );
    assert!(server.terminate().success());

    let restarted = Server::start(&["--state", &state]);
    assert!(
        restarted.version > last,
        "{} after {last}",
        restarted.version
    );
    drop(restarted);

    // The counter wins over the clock: a version far in the future (a clock that was ahead,
    // or a counter carried over from another backend) is continued, not undercut.
    let ahead = now_ms() as u64 + 10_000_000_000;
    fs::write(scratch.path("state/version"), format!("{ahead}\n")).unwrap();
    let restarted = Server::start(&["--state", &state]);
    assert_eq!(restarted.version, ahead + 1);
    let next = restarted
        .admin("POST", "/admin/flags/new-checkout/kill", None)
        .json();
    assert_eq!(next["version"], ahead + 2);
}

#[test]
fn killing_the_server_mid_write_leaves_consistent_state_and_no_reused_version() {
    let scratch = Scratch::new("crash");
    let state = scratch.s("state");
    let mut highest_seen = 0;
    for round in 0..4u64 {
        let server = Server::start(&["--state", &state]);
        assert!(
            server.version > highest_seen,
            "round {round}: {} after {highest_seen}",
            server.version
        );
        let (addr, token) = (server.addr.clone(), server.token.clone());
        // Changes keep coming until the connection fails: the server was killed under them.
        let writer = std::thread::spawn(move || {
            let mut seen = Vec::new();
            let auth = format!("Bearer {token}");
            for i in 0u64.. {
                let body = if i % 2 == 0 {
                    r#"{"enabled": false}"#
                } else {
                    r#"{"enabled": true}"#
                };
                let attempt = std::panic::catch_unwind(|| {
                    super::client::request(
                        &addr,
                        "PATCH",
                        "/admin/flags/banner",
                        &[("Authorization", &auth)],
                        Some(body.as_bytes()),
                    )
                });
                match attempt {
                    Ok(response) if response.status == 200 => {
                        seen.push(response.json()["version"].as_u64().unwrap())
                    }
                    _ => break,
                }
            }
            seen
        });
        std::thread::sleep(std::time::Duration::from_millis(150 + 37 * round));
        drop(server); // SIGKILL, wherever it is
        let seen = writer.join().unwrap();
        highest_seen = seen
            .into_iter()
            .max()
            .unwrap_or(highest_seen)
            .max(highest_seen);

        let version: u64 = fs::read_to_string(scratch.path("state/version"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(
            version >= highest_seen,
            "the counter is written before a version is served"
        );
        let current = fs::read(scratch.path("state/current.json")).unwrap();
        serde_json::from_slice::<serde_json::Value>(&current).unwrap();
        let audit = fs::read_to_string(scratch.path("state/audit.jsonl")).unwrap();
        let complete = audit.rfind('\n').map_or("", |end| &audit[..end]);
        for line in complete.lines() {
            serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
    }
    let last = Server::start(&["--state", &state]);
    assert!(last.version > highest_seen);
    assert_eq!(
        scratch.list("state"),
        ["audit.jsonl", "current.json", "version"]
    );
    let audit = audit_lines(&scratch.path("state/audit.jsonl"));
    assert!(audit
        .windows(2)
        .all(|w| w[0]["newVersion"].as_u64() < w[1]["newVersion"].as_u64()));
}

#[test]
fn admin_changes_survive_a_restart_through_the_state_directory() {
    let scratch = Scratch::new("survive");
    let state = scratch.s("state");
    let server = Server::start(&["--state", &state]);
    assert_eq!(
        server
            .admin("POST", "/admin/flags/new-checkout/kill", None)
            .status,
        200
    );
    drop(server);
    let restarted = Server::start(&["--state", &state]);
    let current = scratch.path("state/current.json");
    assert!(
        restarted
            .banner
            .iter()
            .any(|l| l.ends_with(&format!("from {}", current.display()))),
        "{:?}",
        restarted.banner
    );
    let flags = restarted.admin("GET", "/admin/flags", None).json();
    assert_eq!(flags["flags"]["new-checkout"]["enabled"], false);
}

#[test]
fn a_torn_audit_line_left_by_a_crash_is_cut_off_at_start() {
    let scratch = Scratch::new("torn");
    let state = scratch.s("state");
    let audit = scratch.path("state/audit.jsonl");
    let server = Server::start(&["--state", &state]);
    assert_eq!(
        server
            .admin("POST", "/admin/flags/banner/kill", None)
            .status,
        200
    );
    drop(server); // SIGKILL, like a crash
    let good = fs::read_to_string(&audit).unwrap();
    fs::OpenOptions::new()
        .append(true)
        .open(&audit)
        .unwrap()
        .write_all(b"{\"at\":\"2026-11-21T10:00:00Z\",\"source\":\"adm")
        .unwrap();

    let restarted = Server::start(&["--state", &state]);
    assert_eq!(fs::read_to_string(&audit).unwrap(), good);
    assert!(
        restarted.stderr().contains("cut off a torn last line"),
        "{}",
        restarted.stderr()
    );
    assert_eq!(
        restarted
            .admin("GET", "/admin/audit", None)
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        restarted
            .admin("POST", "/admin/flags/new-checkout/kill", None)
            .status,
        200
    );
    let lines = audit_lines(&audit);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["flag"], "new-checkout");
}

#[test]
fn state_files_are_replaced_atomically_and_no_temp_file_remains() {
    let scratch = Scratch::new("atomic");
    fs::create_dir_all(scratch.path("state")).unwrap();
    // What a crash in the middle of an atomic write leaves: the old file and a temp file.
    fs::write(
        scratch.path("state/.current.json.edgeflag-tmp"),
        "{\"flags\": {\"to",
    )
    .unwrap();
    fs::write(scratch.path("state/.version.edgeflag-tmp"), "17").unwrap();
    let server = Server::start(&["--state", &scratch.s("state")]);
    for body in [
        r#"{"enabled": false}"#,
        r#"{"enabled": true}"#,
        r#"{"variant": "none"}"#,
    ] {
        let response = server.admin("PATCH", "/admin/flags/banner", Some(body));
        assert_eq!(response.status, 200, "{}", response.text());
    }
    assert_eq!(
        scratch.list("state"),
        ["audit.jsonl", "current.json", "version"]
    );
    let version = fs::read_to_string(scratch.path("state/version")).unwrap();
    assert_eq!(version, format!("{}\n", server.served_version()));
    let current: serde_json::Value =
        serde_json::from_slice(&fs::read(scratch.path("state/current.json")).unwrap()).unwrap();
    assert_eq!(
        current["flags"]["banner"]["defaultServe"],
        json!({"variant": "none"})
    );
    assert_eq!(audit_lines(&scratch.path("state/audit.jsonl")).len(), 3);
}

#[test]
fn a_snapshot_is_re_signed_as_a_new_version_before_it_expires() {
    let scratch = Scratch::new("resign");
    let server = Server::start(&["--expires-in", "2s", "--state", &scratch.s("state")]);
    let (_, first) = server.verified(&server.get("/snapshot").body);
    assert_eq!(first.header().expires_at - first.header().issued_at, 2_000);
    super::support::eventually("a re-signed version", || {
        server.served_version() > server.version
    });
    assert!(server.stderr().contains("re-signed before expiry"));
    assert_eq!(
        server.admin("GET", "/admin/audit", None).json(),
        json!([]),
        "a re-sign is no change"
    );
}

#[test]
fn what_cannot_be_served_is_refused_before_listening() {
    let scratch = Scratch::new("refusals");
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (vec!["--expires-in".into(), "1s".into()], 2, "at least 2s"),
        (
            vec!["--flags".into(), scratch.s("missing.json")],
            2,
            "cannot read",
        ),
        (vec!["--key".into(), example_path()], 2, "PKCS#8"),
        (
            vec!["--admin-token".into(), " ".into()],
            2,
            "must not be empty",
        ),
    ];
    for (args, code, message) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (exit, stderr) = Server::try_start(&args).err().unwrap();
        assert_eq!(exit, Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }

    let invalid = scratch.path("invalid.json");
    let text = fs::read_to_string(example_path())
        .unwrap()
        .replace("\"s-curve\"", "\"z-curve\"");
    fs::write(&invalid, text).unwrap();
    let (exit, stderr) = Server::try_start(&["--flags", invalid.to_str().unwrap()])
        .err()
        .unwrap();
    assert_eq!(exit, Some(1));
    assert!(
        stderr.contains("flags.new-checkout.defaultServe.schedule.curve"),
        "{stderr}"
    );

    fs::create_dir_all(scratch.path("state")).unwrap();
    fs::write(scratch.path("state/version"), "twelve\n").unwrap();
    let (exit, stderr) = Server::try_start(&["--state", &scratch.s("state")])
        .err()
        .unwrap();
    assert_eq!(exit, Some(1));
    assert!(stderr.contains("not a version number"), "{stderr}");

    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_edgeflag"))
        .args(["serve", "--listen", &addr])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(&format!("--listen {addr}: cannot listen")),
        "{stderr}"
    );
}
