//! The state directory: `--state DIR` keeps the SQLite store DIR/edgeflag.db (WAL files beside
//! it). Versions are never reused across restarts, admin changes are kept, `kill -9` under a
//! stream of writes leaves a consistent store (an older server's state files: `import`);
//! re-signing before expiry; start-up refusals.

use super::client::request;
use super::support::{edgeflag, eventually, example_path, keygen, now_ms, Scratch, Server};
use serde_json::{json, Value as Json};
use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};

#[test]
fn a_restart_with_the_same_state_never_reuses_a_version() {
    let scratch = Scratch::new("restart");
    let state = scratch.s("state");
    let server = Server::start(&["--state", &state]);
    let database = format!("database sqlite:{state}/edgeflag.db (tokens stored: 0)");
    assert!(
        server.banner.iter().any(|l| l.ends_with(&database)),
        "{:?}",
        server.banner
    );
    let killed = server
        .admin("POST", "/admin/flags/banner/kill", None)
        .json();
    let last = killed["version"].as_u64().unwrap();
    assert!(server.terminate().success());

    // A new development key: the stored snapshot is signed again, as a higher version.
    let restarted = Server::start(&["--state", &state]);
    assert!(
        restarted.version > last,
        "{} after {last}",
        restarted.version
    );
    let next = restarted.admin("POST", "/admin/flags/new-checkout/kill", None);
    assert!(next.json()["version"].as_u64().unwrap() > restarted.version);
    drop(restarted);

    // The same key twice: the second start serves the stored envelope as it is. A version
    // number is never given to other bytes.
    let (key, _) = keygen(&scratch.s("keys"));
    let first = Server::start(&["--state", &state, "--key", &key]);
    let envelope = first.get("/snapshot");
    drop(first);
    let second = Server::start(&["--state", &state, "--key", &key]);
    let again = second.get("/snapshot");
    assert_eq!(again.body, envelope.body);
    assert_eq!(again.header("etag"), envelope.header("etag"));
    let changed = second.admin("POST", "/admin/flags/checkout-button-color/kill", None);
    assert!(changed.json()["version"].as_u64().unwrap() > second.version);
}

#[test]
fn admin_changes_survive_a_restart_through_the_store() {
    let scratch = Scratch::new("survive");
    let state = scratch.s("state");
    let server = Server::start(&["--state", &state]);
    let killed = server.admin("POST", "/admin/flags/new-checkout/kill", None);
    assert_eq!(killed.status, 200, "{}", killed.text());
    drop(server); // SIGKILL: what was answered is committed
    let restarted = Server::start(&["--state", &state]);
    assert!(
        restarted.banner.iter().any(|l| l.ends_with(&format!(
            "serving demo-shop/production version {} from the store",
            restarted.version
        ))),
        "{:?}",
        restarted.banner
    );
    let flag = restarted
        .admin("GET", "/admin/flags/new-checkout", None)
        .json();
    assert_eq!(flag["enabled"], false);
    let (_, snapshot) = restarted.verified(&restarted.get("/snapshot").body);
    let ctx = snapshot.context(&edgeflag::Context::from_pairs([(
        "targetingKey",
        "user-demo".into(),
    )]));
    assert!(!snapshot.bool("new-checkout", &ctx, true, now_ms()));
    let audit = restarted.audit("");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["action"], "kill");
}

#[test]
fn killing_the_server_mid_write_leaves_a_consistent_store() {
    let scratch = Scratch::new("crash");
    let state = scratch.s("state");
    // One key throughout: a start serves the stored snapshot as it is, without re-signing.
    let (key, _) = keygen(&scratch.s("keys"));
    let args = ["--state", state.as_str(), "--key", key.as_str()];
    let mut seen: Vec<u64> = Vec::new(); // every version a change was answered with
    let mut served: Vec<u64> = Vec::new(); // the version each start served
    for round in 0..4usize {
        let server = Server::start(&args);
        let highest = seen.iter().copied().max().unwrap_or(0);
        assert!(
            server.version >= highest,
            "round {round}: {} < {highest}",
            server.version
        );
        served.push(server.version);
        let answered = Arc::new(Mutex::new(Vec::new()));
        let (addr, token, sink) = (server.addr.clone(), server.token.clone(), answered.clone());
        // Changes keep coming until the connection fails: the server was killed under them.
        let writer = std::thread::spawn(move || {
            let auth = format!("Bearer {token}");
            for i in 0u64.. {
                let body = format!("{{\"enabled\": {}}}", i % 2 == 1);
                let attempt = std::panic::catch_unwind(|| {
                    let headers = [("Authorization", auth.as_str())];
                    let path = "/admin/flags/banner";
                    request(&addr, "PATCH", path, &headers, Some(body.as_bytes()))
                });
                match attempt {
                    Ok(response) if response.status == 200 => {
                        let json = response.json();
                        if json["changed"] == true {
                            sink.lock().unwrap().push(json["version"].as_u64().unwrap());
                        }
                    }
                    _ => break,
                }
            }
        });
        eventually("changes to be answered", || {
            answered.lock().unwrap().len() > 2 + 3 * round
        });
        drop(server); // SIGKILL, wherever it is
        writer.join().unwrap();
        seen.extend(answered.lock().unwrap().iter());
    }

    let last = Server::start(&args);
    let highest = seen.iter().copied().max().unwrap();
    assert!(last.version >= highest, "{} < {highest}", last.version);
    assert_eq!(last.served_version(), last.version);
    served.push(last.version);
    let (code, stdout, stderr) = edgeflag(&["audit", "verify", &state]);
    assert_eq!(code, Some(0), "{stderr}");
    let entries = last.audit("");
    assert_eq!(stdout, format!("ok {} entries\n", entries.len()));
    let versions: Vec<u64> = entries
        .iter()
        .map(|e| e["newVersion"].as_u64().unwrap())
        .collect();
    for (i, entry) in entries.iter().enumerate() {
        assert_eq!(entry["seq"], i + 1);
    }
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    for version in &seen {
        assert!(
            versions.contains(version),
            "answered {version}, not audited"
        );
    }
    // A change committed while its answer was lost to the kill is what the next start
    // served: every entry names a version that was or is served.
    for version in &versions {
        assert!(
            seen.contains(version) || served.contains(version),
            "audited {version}, never served"
        );
    }
    assert_eq!(versions.last(), Some(&last.version));
}

#[test]
fn the_state_directory_holds_the_sqlite_store_and_nothing_else() {
    let scratch = Scratch::new("store-files");
    let state = scratch.s("deep/state");
    let server = Server::start(&["--state", &state]);
    let mode = |path: &str| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode(&state),
        0o700,
        "private, as the state directory always was"
    );
    for body in [r#"{"enabled": false}"#, r#"{"variant": "none"}"#] {
        let response = server.admin("PATCH", "/admin/flags/banner", Some(body));
        assert_eq!(response.status, 200, "{}", response.text());
    }
    // The store in write-ahead-log mode: the database and its WAL files, no state files.
    assert_eq!(
        scratch.list("deep/state"),
        ["edgeflag.db", "edgeflag.db-shm", "edgeflag.db-wal"]
    );
    let header = fs::read(scratch.path("deep/state/edgeflag.db")).unwrap();
    assert_eq!(header.get(..16), Some(&b"SQLite format 3\0"[..]));
    assert!(server.terminate().success());
    // A clean stop checkpoints the log into the database.
    assert_eq!(scratch.list("deep/state"), ["edgeflag.db"]);
    assert_eq!(edgeflag(&["audit", "verify", &state]).1, "ok 2 entries\n");
    let restarted = Server::start(&["--state", &state]);
    let banner = restarted.admin("GET", "/admin/flags/banner", None).json();
    assert_eq!(banner["defaultServe"], json!({"variant": "none"}));
}

#[test]
fn a_snapshot_is_re_signed_as_a_new_version_before_it_expires() {
    let scratch = Scratch::new("resign");
    let server = Server::start(&["--expires-in", "2s", "--state", &scratch.s("state")]);
    let (_, first) = server.verified(&server.get("/snapshot").body);
    assert_eq!(first.header().expires_at - first.header().issued_at, 2_000);
    eventually("a re-signed version", || {
        server.served_version() > server.version
    });
    assert!(server.stderr().contains("re-signed before expiry"));
    assert_eq!(
        server.audit(""),
        Vec::<Json>::new(),
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

    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, _, stderr) = edgeflag(&["serve", "--listen", &addr]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains(&format!("--listen {addr}: cannot listen")),
        "{stderr}"
    );
}
