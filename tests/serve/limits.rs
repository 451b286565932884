//! The server's limits against hostile or careless clients: a cap on stream subscribers
//! (503 beyond), throttled admin authentication failures (429), a cap on admin bodies (1 MiB; 413 beyond),
//! header and idle timeouts, and operator-chosen admin tokens of at least 22 characters.

use crate::client::{request, EventStream};
use crate::support::{eventually, Server, PATIENCE};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const TOKEN: &str = "limits-token-0123456789abcdef";

#[test]
fn streams_beyond_max_subscribers_get_503_until_one_closes() {
    let server = Server::start(&["--max-subscribers", "2"]);
    let first = EventStream::open(&server.addr, "/snapshot/stream");
    let mut second = EventStream::open(&server.addr, "/snapshot/stream");
    assert_eq!((first.status, second.status), (200, 200));
    assert!(
        second.next_event(PATIENCE).is_some(),
        "an admitted stream gets the snapshot"
    );
    let third = request(&server.addr, "GET", "/snapshot/stream", &[], None);
    assert_eq!(third.status, 503);
    assert_eq!(third.header("retry-after"), Some("30"));
    assert_eq!(third.json()["error"], "too_many_subscribers");
    // Polling still works while the streams are full.
    assert_eq!(server.get("/snapshot").status, 200);
    drop(first);
    eventually("a closed stream frees its place", || {
        let mut again = EventStream::open(&server.addr, "/snapshot/stream");
        again.status == 200 && again.next_event(PATIENCE).is_some()
    });
}

#[test]
fn failed_admin_authentications_are_throttled_per_address() {
    let server = Server::start(&["--admin-token", TOKEN, "--max-auth-failures", "3"]);
    let wrong = [("Authorization", "Bearer wrong-token-0123456789abcdef")];
    for _ in 0..3 {
        let response = request(&server.addr, "GET", "/admin/status", &wrong, None);
        assert_eq!(response.status, 401);
    }
    let right = format!("Bearer {TOKEN}");
    for headers in [&wrong[..], &[("Authorization", right.as_str())][..]] {
        let response = request(&server.addr, "GET", "/admin/status", headers, None);
        assert_eq!(response.status, 429, "the right token too, while throttled");
        assert_eq!(response.json()["error"], "too_many_failures");
        let wait: u64 = response.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
    }
    // The public routes are not affected.
    assert_eq!(server.get("/snapshot").status, 200);
}

#[test]
fn admin_bodies_up_to_1_mib_are_accepted_and_larger_ones_refused_unread() {
    let server = Server::start(&["--admin-token", TOKEN]);
    let right = format!("Bearer {TOKEN}");
    let auth = [("Authorization", right.as_str())];
    // A segment of 7,000 long user ids: far over the first admin API's 64 KiB.
    let ids: Vec<String> = (0..7_000)
        .map(|i| format!("\"user-{i:05}-{}\"", "x".repeat(128)))
        .collect();
    let big = format!(
        "{{\"key\": \"big\", \"segment\": {{\"included\": [{}]}}}}",
        ids.join(",")
    );
    assert!(
        (900 * 1024..1024 * 1024).contains(&big.len()),
        "{}",
        big.len()
    );
    let created = request(
        &server.addr,
        "POST",
        "/admin/segments",
        &auth,
        Some(big.as_bytes()),
    );
    assert_eq!(created.status, 200, "{}", created.text());
    let version = created.json()["version"].as_u64().unwrap();
    assert!(version > server.version);

    let huge = format!(
        "{{\"enabled\": false, \"pad\": \"{}\"}}",
        "x".repeat(1024 * 1024)
    );
    let response = request(
        &server.addr,
        "PATCH",
        "/admin/flags/new-checkout",
        &auth,
        Some(huge.as_bytes()),
    );
    assert_eq!(response.status, 413);
    assert_eq!(server.served_version(), version, "nothing was published");
}

/// Whether the server closes `stream` within `PATIENCE` (reads reach the end).
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    while started.elapsed() < PATIENCE {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) => return e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    }
    false
}

#[test]
fn slow_headers_and_idle_keep_alive_connections_are_closed() {
    let server = Server::start(&["--header-timeout", "1s"]);
    // Headers that never finish (a slow-loris client).
    let mut slow = TcpStream::connect(&server.addr).unwrap();
    slow.write_all(b"GET /snapshot HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    assert!(
        closed_by_server(&mut slow),
        "a request whose headers never end is cut off"
    );
    // A complete request answered, then silence on the kept-alive connection.
    let mut idle = TcpStream::connect(&server.addr).unwrap();
    idle.write_all(b"GET /snapshot HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    idle.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    assert!(
        closed_by_server(&mut idle),
        "an idle keep-alive connection is closed"
    );
    // A stream is a response in progress, not idle: it outlives the timeout.
    let mut stream = EventStream::open(&server.addr, "/snapshot/stream");
    assert!(stream.next_event(PATIENCE).is_some());
    std::thread::sleep(Duration::from_millis(1_500));
    assert!(
        !stream.ends_within(Duration::from_millis(200)),
        "streams stay open"
    );
}

#[test]
fn an_operator_chosen_admin_token_needs_at_least_22_characters() {
    let Err((code, stderr)) = Server::try_start(&["--admin-token", "short-token-12345678"]) else {
        panic!("a 20-character token was accepted");
    };
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("--admin-token: too short (20 characters): use at least 22"),
        "{stderr}"
    );
    let generated = Server::start(&[]);
    assert!(
        generated.token.len() >= 32,
        "a generated token has 128 bits or more"
    );
}
