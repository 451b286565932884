//! Events end to end: `POST /ingest/{env}/events` with the ingest key, counted once per batch
//! id, rejected by reason, and read back as experiment results, on SQLite and on PostgreSQL
//! replicas.

use super::client::{request, Response};
use super::postgres::Postgres;
use super::support::{banner_value, Scratch, Server};
use serde_json::{json, Value as Json};

/// The ingest key of these tests.
const KEY: &str = "ingest-key-0123456789abcdef";

/// An experiment: `checkout`, 50/50 between `on` and `off` (the control), trackEvents.
fn experiment() -> Json {
    json!({"type": "boolean", "variants": {"on": true, "off": false}, "offVariant": "off",
        "trackEvents": true,
        "defaultServe": {"rollout": {"by": "targetingKey", "salt": "checkout", "weights": [
            {"variant": "on", "weight": 50_000}, {"variant": "off", "weight": 50_000}]}}})
}

fn now() -> String {
    rfc3339(super::support::now_ms())
}

/// ms since the epoch as RFC 3339 UTC with milliseconds.
pub(crate) fn rfc3339(ms: i64) -> String {
    let (days, rest) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000
    )
}

fn exposure(variant: &str, unit: &str) -> Json {
    json!({"kind": "exposure", "flag": "checkout", "variant": variant, "ruleId": null,
        "version": 1, "unit": unit, "at": now()})
}

fn track(event: &str, unit: &str, value: Option<f64>) -> Json {
    let mut t = json!({"kind": "track", "event": event, "unit": unit, "at": now()});
    if let Some(v) = value {
        t["value"] = json!(v);
    }
    t
}

/// Posts a batch with `key`.
fn ingest_as(server: &Server, key: &str, environment: &str, body: &[u8]) -> Response {
    let auth = format!("Bearer {key}");
    request(
        &server.addr,
        "POST",
        &format!("/ingest/{environment}/events"),
        &[
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ],
        Some(body),
    )
}

fn ingest(server: &Server, batch: &str, events: &[Json]) -> Json {
    let body = json!({"batch": batch, "source": "worker", "events": events}).to_string();
    let response = ingest_as(server, KEY, "production", body.as_bytes());
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

fn results(server: &Server, query: &str) -> Json {
    let response = server.admin(
        "GET",
        &format!("/admin/environments/production/experiments/checkout{query}"),
        None,
    );
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

fn variant<'a>(results: &'a Json, name: &str) -> &'a Json {
    results["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["variant"] == name)
        .unwrap()
}

fn start(args: &[&str]) -> Server {
    let mut all = vec!["--environments", "production", "--ingest-key", KEY];
    all.extend_from_slice(args);
    let server = Server::start(&all);
    let created = server.admin(
        "PUT",
        "/admin/environments/production/flags/checkout",
        Some(&experiment().to_string()),
    );
    if created.status == 404 {
        let created = server.admin(
            "POST",
            "/admin/environments/production/flags",
            Some(&json!({"key": "checkout", "flag": experiment()}).to_string()),
        );
        assert!(created.status < 300, "{}", created.text());
    }
    server
}

/// The batch every counting test sends: 2 units per variant, purchases by u1 (twice), u3 and
/// an unexposed unit.
fn first_batch() -> Vec<Json> {
    vec![
        exposure("on", "u1"),
        exposure("on", "u2"),
        exposure("off", "u3"),
        exposure("off", "u4"),
        exposure("on", "u1"),
        track("purchase", "u1", Some(10.0)),
        track("purchase", "u1", Some(5.0)),
        track("purchase", "u3", Some(20.0)),
        track("purchase", "nobody", Some(99.0)),
    ]
}

fn check_counts(server: &Server) {
    let r = results(server, "?metric=purchase");
    assert_eq!(r["control"], "off");
    let (on, off) = (variant(&r, "on"), variant(&r, "off"));
    assert_eq!(
        (on["units"].as_u64(), on["conversions"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        (off["units"].as_u64(), off["conversions"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(on["valueSum"].as_f64(), Some(15.0));
    assert_eq!(off["valueSum"].as_f64(), Some(20.0));
    assert_eq!(on["rate"].as_f64(), Some(0.5));
    assert!(on["vsControl"]["pValue"].as_f64().unwrap() > 0.99);
    assert_eq!(off["vsControl"], Json::Null);
    assert_eq!(r["metrics"], json!(["purchase"]));
}

#[test]
fn batches_are_counted_once_and_read_back_as_results() {
    let server = start(&[]);
    let answer = ingest(&server, "batch-0001", &first_batch());
    assert_eq!(answer["duplicate"], false);
    assert_eq!(answer["accepted"], 9);
    check_counts(&server);
    // The worker retries a forward it is unsure of: the same id counts nothing more.
    let again = ingest(&server, "batch-0001", &first_batch());
    assert_eq!(
        (again["duplicate"].as_bool(), again["accepted"].as_u64()),
        (Some(true), Some(0))
    );
    check_counts(&server);
    // A later purchase by u1 adds to its total, not to the converted units; values compare
    // with Welch's test.
    ingest(
        &server,
        "batch-0002",
        &[
            track("purchase", "u1", Some(5.0)),
            track("purchase", "u2", None),
        ],
    );
    let r = results(&server, "?metric=purchase&value=true");
    let on = variant(&r, "on");
    assert_eq!(
        (on["conversions"].as_u64(), on["valueSum"].as_f64()),
        (Some(2), Some(20.0))
    );
    assert_eq!(on["vsControl"]["test"], "welch");
    // Exposures alone: units per variant and the sample-ratio check against 50/50.
    let r = results(&server, "");
    assert_eq!(r["sampleRatio"]["rollout"], "default");
    assert_eq!(r["sampleRatio"]["mismatch"], false);
    assert_eq!(variant(&r, "on").get("rate"), None);
}

#[test]
fn refused_batches_count_nothing_and_say_why() {
    let server = start(&[]);
    let body = json!({"batch": "batch-0001", "events": first_batch()}).to_string();
    let no_key = request(
        &server.addr,
        "POST",
        "/ingest/production/events",
        &[],
        Some(body.as_bytes()),
    );
    assert_eq!(no_key.status, 401);
    assert_eq!(
        ingest_as(
            &server,
            "wrong-key-0123456789abcdef",
            "production",
            body.as_bytes()
        )
        .status,
        401
    );
    // The admin token is not the ingest key.
    let admin_token = server.token.clone();
    assert_eq!(
        ingest_as(&server, &admin_token, "production", body.as_bytes()).status,
        401
    );
    assert_eq!(
        ingest_as(&server, KEY, "staging", body.as_bytes()).status,
        404
    );
    let mut events = first_batch();
    events[3]["unit"] = json!(7);
    let malformed = ingest_as(
        &server,
        KEY,
        "production",
        json!({"batch": "batch-0002", "events": events})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(malformed.status, 400, "{}", malformed.text());
    assert_eq!(malformed.json()["field"], "events[3].unit");
    assert!(malformed.json()["message"]
        .as_str()
        .unwrap()
        .contains("events[3].unit"));
    let many: Vec<Json> = (0..5_001)
        .map(|i| exposure("on", &format!("u{i}")))
        .collect();
    let too_many = ingest_as(
        &server,
        KEY,
        "production",
        json!({"batch": "batch-0003", "events": many})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(too_many.status, 413, "{}", too_many.text());
    let huge = vec![b' '; 4 * 1024 * 1024 + 1];
    assert_eq!(ingest_as(&server, KEY, "production", &huge).status, 413);
    // Nothing of the refused batches was counted.
    let r = results(&server, "");
    assert_eq!(
        r["variants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["units"].as_u64().unwrap())
            .sum::<u64>(),
        0
    );
    // Unknown flags and variants, old and future events: counted as rejected, never stored.
    let mut unknown_flag = exposure("on", "u1");
    unknown_flag["flag"] = json!("no-such-flag");
    let mut old = exposure("on", "u2");
    old["at"] = json!(rfc3339(super::support::now_ms() - 31 * 86_400_000));
    let mut future = exposure("on", "u3");
    future["at"] = json!(rfc3339(super::support::now_ms() + 3_600_000));
    let answer = ingest(
        &server,
        "batch-0004",
        &[
            unknown_flag,
            exposure("maybe", "u1"),
            old,
            future,
            exposure("on", "u4"),
        ],
    );
    assert_eq!(answer["accepted"], 1);
    assert_eq!(
        answer["rejected"],
        json!({"unknownFlag": 1, "unknownVariant": 1, "tooOld": 1, "future": 1})
    );
    let r = results(&server, "");
    assert_eq!(variant(&r, "on")["units"], 1);
    assert_eq!(
        r["rejected"],
        json!({"future": 1, "tooOld": 1, "unknownFlag": 1, "unknownVariant": 1})
    );
}

#[test]
fn a_generated_ingest_key_is_printed_and_works() {
    let server = Server::start(&["--environments", "production"]);
    let key = banner_value(&server.banner, "ingest key ")
        .expect("the banner prints the generated ingest key");
    assert!(key.len() >= 22);
    let body = json!({"batch": "batch-0001", "events": []}).to_string();
    let response = ingest_as(&server, &key, "production", body.as_bytes());
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        Server::try_start(&["--ingest-key", "short"])
            .err()
            .map(|e| e.0),
        Some(Some(2))
    );
}

#[test]
fn postgres_replicas_count_each_batch_once_between_them() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("events");
    let scratch = Scratch::new("events-pg");
    let key = super::support::keygen(&scratch.s("keys"));
    let a = start(&["--database", &url, "--key", &key.0]);
    let b = Server::start(&[
        "--environments",
        "production",
        "--ingest-key",
        KEY,
        "--database",
        &url,
        "--key",
        &key.0,
    ]);
    // The same batch reaches both replicas (a retried forward): counted once.
    let batch = first_batch();
    let (ra, rb) = std::thread::scope(|s| {
        let ta = s.spawn(|| ingest(&a, "batch-0001", &batch));
        let tb = s.spawn(|| ingest(&b, "batch-0001", &batch));
        (ta.join().unwrap(), tb.join().unwrap())
    });
    assert_eq!(
        [
            ra["duplicate"].as_bool().unwrap(),
            rb["duplicate"].as_bool().unwrap()
        ]
        .iter()
        .filter(|d| **d)
        .count(),
        1
    );
    check_counts(&a);
    // Different batches through both replicas at once: every unit counted exactly once.
    std::thread::scope(|s| {
        for (i, server) in [&a, &b].into_iter().enumerate() {
            s.spawn(move || {
                for n in 0..5 {
                    let events: Vec<Json> = (0..200)
                        .flat_map(|u| {
                            let unit = format!("p{}", u % 150);
                            [
                                exposure(if u % 2 == 0 { "on" } else { "off" }, &unit),
                                track("click", &unit, Some(1.0)),
                            ]
                        })
                        .collect();
                    ingest(server, &format!("replica-{i}-{n}"), &events);
                }
            });
        }
    });
    let r = results(&b, "?metric=click");
    let (on, off) = (variant(&r, "on"), variant(&r, "off"));
    assert_eq!(
        on["units"].as_u64().unwrap() + off["units"].as_u64().unwrap(),
        154
    );
    assert_eq!(
        on["conversions"].as_u64().unwrap() + off["conversions"].as_u64().unwrap(),
        150
    );
    // 10 batches x 200 clicks, each unit's total = its clicks.
    let total = on["valueSum"].as_f64().unwrap() + off["valueSum"].as_f64().unwrap();
    assert_eq!(total, 2000.0);
}

#[test]
fn batch_ids_are_forgotten_once_their_events_would_be_too_old() {
    let server = start(&["--events-retention", "2s", "--guard-interval", "1s"]);
    let answer = ingest(&server, "batch-0001", &[exposure("on", "u1")]);
    assert_eq!(answer["duplicate"], false);
    assert_eq!(
        ingest(&server, "batch-0001", &[exposure("on", "u2")])["duplicate"],
        true
    );
    // Past the retention window the id is forgotten: the same id with fresh events counts.
    super::support::eventually("the batch id is forgotten", || {
        ingest(&server, "batch-0001", &[exposure("on", "u3")])["duplicate"] == false
    });
    let r = results(&server, "");
    assert_eq!(variant(&r, "on")["units"], 2);
}
