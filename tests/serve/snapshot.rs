//! The public routes: `GET /snapshot` (ETag, 304, CORS) and `GET /snapshot/stream` (SSE),
//! what the server prints at start, and how it stops.

use super::client::{request, EventStream};
use super::support::{example_path, now_ms, Scratch, Server, PATIENCE};
use edgeflag::{Context, Reason};
use std::process::Command;
use std::time::Duration;

#[test]
fn without_arguments_it_serves_the_signed_example_and_prints_the_key_to_pin() {
    let server = Server::start(&[]);
    assert!(
        server.public_key.starts_with("ed25519:"),
        "{:?}",
        server.banner
    );
    assert_eq!(server.keyid.len(), 16);
    assert_eq!(
        server.token.len(),
        64,
        "a generated token: {:?}",
        server.banner
    );
    assert!(server.banner.iter().any(|l| l.contains("development key")));
    assert!(server
        .banner
        .contains(&"edgeflag serve: database SQLite in memory (tokens stored: 0)".to_owned()));
    assert!(server.banner.iter().any(|l| l.contains(&format!(
        "serving demo-shop/production version {} from the embedded example",
        server.version
    ))));
    assert!(server
        .banner
        .last()
        .unwrap()
        .starts_with("edgeflag serve: listening on http://127.0.0.1:"));
    // The clock floors versions, so even a first start is far above any small counter.
    assert!(server.version as i64 > now_ms() - 60_000);

    let response = server.get("/snapshot");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let (version, snapshot) = server.verified(&response.body);
    assert_eq!(version, server.version);
    let keys: Vec<&str> = snapshot.flag_keys().collect();
    assert_eq!(
        keys,
        [
            "new-checkout",
            "checkout-button-color",
            "free-shipping-threshold",
            "banner",
            "checkout-experiment",
            "canary-release"
        ]
    );
    let header = snapshot.header();
    assert_eq!(
        header.expires_at - header.issued_at,
        3_600_000,
        "--expires-in defaults to 1h"
    );
    assert!(header.issued_at <= now_ms() && header.issued_at > now_ms() - 60_000);
}

#[test]
fn a_key_file_signs_and_a_token_from_the_environment_guards_the_admin_api() {
    let scratch = Scratch::new("key");
    let keygen = Command::new(env!("CARGO_BIN_EXE_edgeflag"))
        .args(["keygen", "--out", &scratch.s("keys")])
        .output()
        .unwrap();
    assert!(keygen.status.success(), "{keygen:?}");
    let printed = String::from_utf8(keygen.stdout).unwrap();
    let key = scratch.s("keys/edgeflag.key");
    let server =
        Server::try_start_with_token_env(&["--key", &key], Some("from-the-environment-0123456789"))
            .unwrap();
    assert_eq!(Some(server.public_key.as_str()), printed.lines().next());
    assert!(!server
        .banner
        .iter()
        .any(|l| l.contains("development key") || l.contains("admin token")));
    assert_eq!(server.token, "from-the-environment-0123456789");
    assert_eq!(server.admin("GET", "/admin/status", None).status, 200);
    server.verified(&server.get("/snapshot").body);
}

#[test]
fn the_snapshot_has_a_strong_etag_and_a_matching_if_none_match_gets_304() {
    let server = Server::start(&[]);
    let first = server.get("/snapshot");
    let etag = first.header("etag").unwrap().to_owned();
    assert!(
        etag.len() == 34 && etag.starts_with('"') && etag.ends_with('"'),
        "{etag}"
    );
    assert!(etag[1..33].bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(first.header("cache-control"), Some("no-cache"));

    for tag in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"other\", {etag}"),
        "*".to_owned(),
    ] {
        let cached = request(
            &server.addr,
            "GET",
            "/snapshot",
            &[("If-None-Match", &tag)],
            None,
        );
        assert_eq!(cached.status, 304, "If-None-Match: {tag}");
        assert!(cached.body.is_empty());
        assert_eq!(cached.header("etag"), Some(etag.as_str()));
    }
    let head = request(&server.addr, "HEAD", "/snapshot", &[], None);
    assert_eq!(
        (head.status, head.header("etag")),
        (200, Some(etag.as_str()))
    );
    let stale = request(
        &server.addr,
        "GET",
        "/snapshot",
        &[("If-None-Match", "\"0123\"")],
        None,
    );
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body, first.body, "the same version, byte for byte");
}

#[test]
fn browsers_may_fetch_the_snapshot_and_its_stream_from_any_origin_but_not_the_admin_api() {
    let server = Server::start(&[]);
    let origin = [("Origin", "https://shop.example")];
    let response = request(&server.addr, "GET", "/snapshot", &origin, None);
    assert_eq!(response.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        response.header("access-control-expose-headers"),
        Some("ETag")
    );
    for path in ["/snapshot", "/snapshot/stream"] {
        let preflight = request(
            &server.addr,
            "OPTIONS",
            path,
            &[
                ("Origin", "https://shop.example"),
                ("Access-Control-Request-Method", "GET"),
                ("Access-Control-Request-Headers", "if-none-match"),
            ],
            None,
        );
        assert_eq!(preflight.status, 204, "{path}");
        assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
        assert!(preflight
            .header("access-control-allow-headers")
            .unwrap()
            .contains("If-None-Match"));
    }
    let admin = server.admin("GET", "/admin/status", None);
    assert_eq!(admin.status, 200);
    assert_eq!(admin.header("access-control-allow-origin"), None);
    assert_eq!(server.get("/nothing-here").status, 404);
}

#[test]
fn the_stream_sends_the_current_envelope_then_every_new_version() {
    let server = Server::start(&[]);
    let mut stream = EventStream::open(&server.addr, "/snapshot/stream");
    assert_eq!(stream.status, 200);
    let content_type = stream
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"));
    assert_eq!(
        content_type.map(|(_, v)| v.as_str()),
        Some("text/event-stream")
    );

    let first = stream
        .next_event(PATIENCE)
        .expect("the current envelope on connect");
    assert_eq!(first.event, "snapshot");
    assert_eq!(first.id, server.version.to_string());
    assert_eq!(
        first.data.as_bytes(),
        server.get("/snapshot").body.as_slice()
    );
    assert_eq!(server.status()["subscribers"], 1);

    let killed = server.admin("POST", "/admin/flags/new-checkout/kill", None);
    assert_eq!(killed.status, 200, "{}", killed.text());
    let next = stream
        .next_event(PATIENCE)
        .expect("an event for the new version");
    let (version, snapshot) = server.verified(next.data.as_bytes());
    assert!(version > server.version);
    assert_eq!(next.id, version.to_string());
    let ctx = snapshot.context(&Context::from_pairs([("targetingKey", "user-demo".into())]));
    let details = snapshot.bool_details("new-checkout", &ctx, true, now_ms());
    assert_eq!((details.value, details.reason), (false, Reason::Disabled));

    // A second subscriber gets the newest version first; the count follows connections.
    let mut second = EventStream::open(&server.addr, "/snapshot/stream");
    assert_eq!(second.next_event(PATIENCE).unwrap().id, version.to_string());
    assert_eq!(server.status()["subscribers"], 2);
    drop(second);
    drop(stream);
    super::support::eventually("subscribers to go", || server.status()["subscribers"] == 0);
}

#[test]
fn sigterm_ends_open_streams_and_stops_the_server_cleanly() {
    let server = Server::start(&[]);
    let mut stream = EventStream::open(&server.addr, "/snapshot/stream");
    stream.next_event(PATIENCE).unwrap();
    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    assert!(stream.ends_within(Duration::from_secs(2)));
}

#[test]
fn the_embedded_example_passes_lint_without_warnings() {
    let output = Command::new(env!("CARGO_BIN_EXE_edgeflag"))
        .args([
            "lint",
            "--deny-warnings",
            "--now",
            "2026-11-21T12:00:00Z",
            &example_path(),
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "0 warnings\n");
}
