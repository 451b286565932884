//! Replicas: two `edgeflag serve` processes on one PostgreSQL store (started by the test,
//! see `postgres`). They serve byte-identical envelopes, see each other's changes, keep
//! versions strictly increasing whoever writes, survive a replica killed mid-write, and ride
//! out a database outage serving what they have.

use super::postgres::Postgres;
use super::support::{eventually, Scratch, Server};
use std::process::Command;

/// The operator token the replicas share.
const TOKEN: &str = "replica-test-token-0123456789abcdef";

/// A signing key for the replicas (they must share it: clients pin one key).
fn key(scratch: &Scratch) -> String {
    let out = scratch.s("keys");
    let made = Command::new(env!("CARGO_BIN_EXE_edgeflag"))
        .args(["keygen", "--out", &out])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    format!("{out}/edgeflag.key")
}

/// A replica on `url`.
fn replica(url: &str, key: &str) -> Server {
    let server = Server::start(&["--database", url, "--key", key, "--admin-token", TOKEN]);
    assert!(
        server
            .banner
            .iter()
            .any(|l| l.contains("database postgres://postgres@127.0.0.1:")),
        "{:?}",
        server.banner
    );
    server
}

/// The body and ETag of `GET /snapshot`.
fn snapshot(server: &Server) -> (Vec<u8>, String) {
    let response = server.get("/snapshot");
    assert_eq!(response.status, 200);
    (
        response.body.clone(),
        response.header("etag").unwrap().to_owned(),
    )
}

#[test]
fn replicas_serve_the_same_bytes_and_each_others_changes() {
    let Some(pg) = Postgres::start() else { return };
    let scratch = Scratch::new("replicas");
    let url = pg.database("shared");
    let key = key(&scratch);
    let a = replica(&url, &key);
    let b = replica(&url, &key);
    assert!(
        b.banner.iter().any(|l| l.contains("from the store")),
        "{:?}",
        b.banner
    );
    assert_eq!(
        snapshot(&a),
        snapshot(&b),
        "one version, one envelope, one ETag"
    );

    let killed = a.admin("POST", "/admin/flags/new-checkout/kill", None);
    assert_eq!(killed.status, 200, "{}", killed.text());
    let version = killed.json()["version"].as_u64().unwrap();
    eventually("replica B serves A's change", || {
        b.served_version() == version
    });
    assert_eq!(snapshot(&a), snapshot(&b));

    // Versions come from the database: whoever writes next, they keep increasing.
    let body = r#"{"enabled": true}"#;
    let via_b = b.admin("PATCH", "/admin/flags/new-checkout", Some(body));
    assert_eq!(via_b.status, 200, "{}", via_b.text());
    let second = via_b.json()["version"].as_u64().unwrap();
    assert!(second > version);
    eventually("replica A serves B's change", || {
        a.served_version() == second
    });
    let via_a = a.admin("POST", "/admin/flags/new-checkout/kill", None);
    assert!(via_a.json()["version"].as_u64().unwrap() > second);

    // The trail in the store names both replicas' changes, chained.
    let verified = Command::new(env!("CARGO_BIN_EXE_edgeflag"))
        .args(["audit", "verify", "--database", &url])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&verified.stdout),
        "ok 3 entries\n",
        "{verified:?}"
    );
}

#[test]
fn a_replica_killed_mid_write_leaves_the_store_consistent_and_the_other_serving() {
    let Some(pg) = Postgres::start() else { return };
    let scratch = Scratch::new("replicas-kill");
    let url = pg.database("kill");
    let key = key(&scratch);
    let a = replica(&url, &key);
    let b = replica(&url, &key);
    let pid = a.pid().to_string();
    let writer = std::thread::spawn({
        let addr = a.addr.clone();
        move || {
            let auth = format!("Bearer {TOKEN}");
            for i in 0..200 {
                let body = if i % 2 == 0 {
                    r#"{"enabled": false}"#
                } else {
                    r#"{"enabled": true}"#
                };
                let sent = std::panic::catch_unwind(|| {
                    super::client::request(
                        &addr,
                        "PATCH",
                        "/admin/flags/new-checkout",
                        &[("Authorization", &auth)],
                        Some(body.as_bytes()),
                    )
                });
                if sent.is_err() {
                    return i;
                }
            }
            200
        }
    });
    eventually("A has published a few changes", || {
        b.served_version() > a.version + 3
    });
    assert!(Command::new("kill")
        .args(["-KILL", &pid])
        .status()
        .unwrap()
        .success());
    let _ = writer.join();
    // B still serves, takes writes, and the store's trail is whole.
    let (before, _) = snapshot(&b);
    // A new flag: a change whatever state A's last write left `new-checkout` in.
    let flag = r#"{"key": "after-the-kill", "flag": {"type": "boolean", "enabled": true, "variants": {"on": true, "off": false}, "offVariant": "off", "defaultServe": {"variant": "on"}}}"#;
    let change = b.admin("POST", "/admin/flags", Some(flag));
    assert_eq!(change.status, 200, "{}", change.text());
    assert_ne!(snapshot(&b).0, before);
    let verified = Command::new(env!("CARGO_BIN_EXE_edgeflag"))
        .args(["audit", "verify", "--database", &url])
        .output()
        .unwrap();
    assert!(verified.status.success(), "{verified:?}");
    // A restarted replica picks up where the store is.
    let again = replica(&url, &key);
    assert_eq!(snapshot(&again), snapshot(&b));
}

#[test]
fn during_a_database_outage_replicas_serve_what_they_have_and_refuse_writes() {
    let Some(pg) = Postgres::start() else { return };
    let scratch = Scratch::new("replicas-outage");
    let url = pg.database("outage");
    let key = key(&scratch);
    let a = replica(&url, &key);
    let served = snapshot(&a);
    pg.stop();
    eventually("the outage shows on /admin/status", || {
        a.status()["database"]["available"] == serde_json::Value::Bool(false)
    });
    assert_eq!(
        snapshot(&a),
        served,
        "the last signed snapshot is still served"
    );
    let refused = a.admin("POST", "/admin/flags/new-checkout/kill", None);
    assert_eq!(refused.status, 503, "{}", refused.text());
    assert_eq!(refused.json()["error"], "database_unavailable");
    pg.start_again();
    eventually("writes work again once the database is back", || {
        a.admin("POST", "/admin/flags/new-checkout/kill", None)
            .status
            == 200
    });
    assert_ne!(snapshot(&a), served, "serving a new version");
}

#[test]
fn a_flags_file_is_refused_with_a_shared_postgres_store() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("file");
    let example = super::support::example_path();
    let (code, stderr) = Server::try_start(&["--database", &url, "--flags", &example])
        .err()
        .expect("--flags with PostgreSQL must not start");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("--flags: not with a PostgreSQL --database"),
        "{stderr}"
    );
}
