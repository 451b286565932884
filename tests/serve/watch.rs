//! Watching the `--flags` file: valid edits are published within a second, invalid ones are
//! refused while the previous version keeps being served, admin changes are written back.

use super::support::{eventually, example_path, save, Scratch, Server};
use serde_json::Value as Json;
use std::fs;
use std::time::{Duration, Instant};

/// A copy of the example to edit.
fn flags_file(scratch: &Scratch) -> std::path::PathBuf {
    let path = scratch.path("flags.json");
    fs::copy(example_path(), &path).unwrap();
    path
}

#[test]
fn a_valid_edit_of_the_flags_file_is_published_within_a_second() {
    let scratch = Scratch::new("watch-valid");
    let path = flags_file(&scratch);
    let server = Server::start(&[
        "--flags",
        path.to_str().unwrap(),
        "--state",
        &scratch.s("state"),
    ]);
    assert!(server
        .banner
        .iter()
        .any(|l| l.ends_with(&format!("from {}", path.display()))));

    let edited = fs::read_to_string(&path)
        .unwrap()
        .replace("20% off everything", "25% off everything");
    let start = Instant::now();
    // Written in place, truncate then write, the way many editors do.
    fs::write(&path, &edited).unwrap();
    let mut version = server.version;
    eventually("the edit to be published", || {
        version = server.served_version();
        version > server.version
    });
    let took = start.elapsed();
    assert!(
        took < Duration::from_millis(1500),
        "published after {took:?}"
    );
    let (_, snapshot) = server.verified(&server.get("/snapshot").body);
    let ctx = snapshot.context(&edgeflag::Context::from_pairs([(
        "targetingKey",
        "u".into(),
    )]));
    let none = edgeflag::Value::Null;
    let banner = snapshot.object("banner", &ctx, &none, super::support::now_ms());
    assert_eq!(
        banner.get("text").and_then(|t| t.as_str()),
        Some("Black Friday week: 25% off everything")
    );

    let audit = server.audit("");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["source"], "file");
    assert_eq!(audit[0]["action"], "reload");
    assert_eq!(audit[0]["token"], Json::Null);
    assert_eq!(audit[0]["environment"], "production");
    assert_eq!(
        (&audit[0]["kind"], &audit[0]["key"]),
        (&Json::Null, &Json::Null)
    );
    assert_eq!(audit[0]["newVersion"], version);
    assert_eq!(
        audit[0]["changes"][0]["path"],
        "flags.banner.variants.black-friday.text"
    );
    // The log line is read from the server's stderr by a thread of its own: wait for it.
    eventually("the publish is logged", || {
        server
            .stderr()
            .contains(&format!("published version {version}"))
    });
}

#[test]
fn an_invalid_edit_is_refused_and_the_previous_version_keeps_being_served() {
    let scratch = Scratch::new("watch-invalid");
    let path = flags_file(&scratch);
    let server = Server::start(&["--flags", path.to_str().unwrap()]);
    let before = server.get("/snapshot");

    let good = fs::read_to_string(&path).unwrap();
    save(
        &path,
        &good.replace("\"offVariant\": \"none\"", "\"offVariant\": \"nothing\""),
    );
    let error = "flags.banner.offVariant: unknown variant \"nothing\"";
    eventually("the refusal on /admin/status", || {
        server.status()["lastRefused"]["error"]
            .as_str()
            .is_some_and(|e| e.contains(error))
    });
    let status = server.status();
    assert_eq!(status["lastRefused"]["source"], "file");
    assert_eq!(status["flagsFileRefused"], true);
    assert!(
        server.stderr().contains(&format!("refused: {error}")),
        "{}",
        server.stderr()
    );
    let after = server.get("/snapshot");
    assert_eq!(after.status, 200);
    assert_eq!(after.header("etag"), before.header("etag"));
    assert_eq!(after.body, before.body);

    // An admin change would overwrite the refused edit: it waits until the file is fixed.
    let conflict = server.admin("POST", "/admin/flags/banner/kill", None);
    assert_eq!(conflict.status, 409, "{}", conflict.text());

    save(&path, &good.replace("Black Friday week", "Cyber Monday"));
    eventually("the fixed file to be published", || {
        server.served_version() > server.version
    });
    assert_eq!(server.status()["flagsFileRefused"], false);
    assert_eq!(
        server
            .admin("POST", "/admin/flags/banner/kill", None)
            .status,
        200
    );
}

#[test]
fn admin_changes_are_written_back_to_the_flags_file_and_not_published_twice() {
    let scratch = Scratch::new("watch-writeback");
    let path = flags_file(&scratch);
    let server = Server::start(&["--flags", path.to_str().unwrap()]);
    let killed = server
        .admin("POST", "/admin/flags/new-checkout/kill", None)
        .json();
    let version = killed["version"].as_u64().unwrap();

    let text = fs::read_to_string(&path).unwrap();
    let document: Json = serde_json::from_str(&text).unwrap();
    assert_eq!(document["flags"]["new-checkout"]["enabled"], false);
    assert!(
        text.lines().count() > 20 && text.ends_with("}\n"),
        "indented for people: {text}"
    );
    assert_eq!(scratch.list(""), ["flags.json"], "no temp file remains");

    // The watcher sees the server's own write as no change: still the same version after
    // several polls.
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(1000) {
        assert_eq!(server.served_version(), version);
        std::thread::sleep(Duration::from_millis(100));
    }
    // An edit that only reformats the document publishes nothing either.
    let compact: String = text.lines().map(str::trim).collect();
    assert_eq!(serde_json::from_str::<Json>(&compact).unwrap(), document);
    save(&path, &compact);
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(1000) {
        assert_eq!(server.served_version(), version);
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        server
            .admin("POST", "/admin/flags/banner/kill", None)
            .status,
        200
    );
}
