//! Guarded rollouts and automatic kill switches end to end: a plan's first step at once, the
//! next when its guards hold over enough new units, a roll-back when one fails, a kill when a
//! guard's rate is exceeded; each decision a new signed version and an audit entry with the
//! figures behind it.

use super::events::rfc3339;
use super::support::{eventually, now_ms, Server};
use serde_json::{json, Value as Json};

const KEY: &str = "ingest-key-0123456789abcdef";

fn start() -> Server {
    let server = Server::start(&[
        "--environments",
        "production",
        "--ingest-key",
        KEY,
        "--guard-interval",
        "1s",
    ]);
    for key in ["checkout", "search"] {
        let flag = json!({"type": "boolean", "variants": {"on": true, "off": false},
            "offVariant": "off", "trackEvents": true, "defaultServe": {"variant": "off"}});
        let created = server.admin(
            "POST",
            "/admin/environments/production/flags",
            Some(&json!({"key": key, "flag": flag}).to_string()),
        );
        assert!(created.status < 300, "{}", created.text());
    }
    server
}

fn ingest(server: &Server, batch: &str, events: Vec<Json>) {
    let body = json!({"batch": batch, "events": events}).to_string();
    let auth = format!("Bearer {KEY}");
    let response = super::client::request(
        &server.addr,
        "POST",
        "/ingest/production/events",
        &[("Authorization", auth.as_str())],
        Some(body.as_bytes()),
    );
    assert_eq!(response.status, 200, "{}", response.text());
}

/// `n` units of `variant` exposed to `flag`, the first `errors` of them with an error.
fn units(flag: &str, variant: &str, prefix: &str, n: usize, errors: usize) -> Vec<Json> {
    let at = rfc3339(now_ms());
    let mut events = Vec::new();
    for i in 0..n {
        let unit = format!("{prefix}{i}");
        events.push(
            json!({"kind": "exposure", "flag": flag, "variant": variant, "unit": unit, "at": at}),
        );
        if i < errors {
            events.push(json!({"kind": "track", "event": "error", "unit": unit, "at": at}));
        }
    }
    events
}

fn weights(server: &Server, flag: &str) -> Json {
    let response = server.admin(
        "GET",
        &format!("/admin/environments/production/flags/{flag}"),
        None,
    );
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()["defaultServe"]["rollout"]["weights"].clone()
}

fn plan(server: &Server) -> Json {
    let response = server.admin(
        "GET",
        "/admin/environments/production/flags/checkout/rollout-plan",
        None,
    );
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

#[test]
fn a_plan_advances_while_its_guards_hold_and_rolls_back_when_one_fails() {
    let server = start();
    let body = json!({"rule": "default", "variant": "on", "steps": [10_000, 50_000, 100_000],
        "minUnits": 10, "minSeconds": 0,
        "guards": [{"metric": "error", "maxIncrease": 0.1}]});
    let path = "/admin/environments/production/flags/checkout/rollout-plan";
    let started = server.admin("PUT", path, Some(&body.to_string()));
    assert_eq!(started.status, 200, "{}", started.text());
    assert_eq!(started.json()["status"], "running");
    assert_eq!(
        weights(&server, "checkout"),
        json!([{"variant": "on", "weight": 10_000}, {"variant": "off", "weight": 90_000}])
    );
    // Too few units: the plan waits.
    ingest(&server, "batch-0001", units("checkout", "on", "a", 5, 0));
    ingest(&server, "batch-0002", units("checkout", "off", "c", 50, 1));
    std::thread::sleep(std::time::Duration::from_millis(1_500));
    assert_eq!(plan(&server)["step"], 0);
    // Enough new units, no more errors than the control: the next step.
    ingest(&server, "batch-0003", units("checkout", "on", "b", 5, 0));
    eventually("the plan advances", || plan(&server)["step"] == 1);
    assert_eq!(weights(&server, "checkout")[0]["weight"], 50_000);
    // 10 new units, 5 with errors (50% against the control's 2%): rolled back.
    ingest(&server, "batch-0004", units("checkout", "on", "d", 10, 5));
    eventually("the plan rolls back", || {
        plan(&server)["status"] == "failed"
    });
    assert_eq!(weights(&server, "checkout")[0]["weight"], 0);
    let decisions: Vec<String> = plan(&server)["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        decisions,
        ["rollout-start", "rollout-advance", "rollout-rollback"]
    );
    let audit = server.audit("?flag=checkout");
    let actions: Vec<&str> = audit
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in ["rollout-start", "rollout-advance", "rollout-rollback"] {
        assert!(actions.contains(&action), "{actions:?}");
    }
    let rollback = audit
        .iter()
        .find(|e| e["action"] == "rollout-rollback")
        .unwrap();
    let guard = &rollback["figures"]["judged"]["guards"][0];
    assert_eq!(guard["held"], false);
    // Judged on the step's own units (5 of 10), against the control since the plan began.
    assert_eq!(guard["rate"], 0.5);
    assert_eq!(guard["controlRate"], 0.02);
    assert_eq!(rollback["source"], "guard");
    // The chain still verifies with the new members.
    let export = server.export();
    let dir = super::support::Scratch::new("rollouts-audit");
    super::support::save(&dir.path("audit.jsonl"), &export);
    let (code, _, stderr) = super::support::edgeflag(&["audit", "verify", &dir.s("audit.jsonl")]);
    assert_eq!(code, Some(0), "{stderr}");
    // A new plan, cancelled: the weights stay, the cancellation is audited. Its first step is
    // what the flag served already (10% after a re-set): nothing is published, but its start
    // is audited all the same.
    let again = server.admin("PUT", path, Some(&body.to_string()));
    assert_eq!(again.status, 200, "{}", again.text());
    let same = server.admin("PUT", path, Some(&body.to_string()));
    assert_eq!(same.status, 200, "{}", same.text());
    let starts = server
        .audit("?flag=checkout")
        .iter()
        .filter(|e| e["action"] == "rollout-start")
        .count();
    assert_eq!(starts, 3);
    let cancelled = server.admin("DELETE", path, None);
    assert_eq!(cancelled.json()["status"], "cancelled");
    assert_eq!(weights(&server, "checkout")[0]["weight"], 10_000);
    let cancel = server
        .audit("?flag=checkout")
        .into_iter()
        .find(|e| e["action"] == "rollout-cancel")
        .expect("a rollout-cancel entry");
    assert_eq!(cancel["source"], "admin");
    assert_eq!(cancel["figures"]["step"], 0);
}

#[test]
fn a_kill_guard_kills_its_flag_when_the_error_rate_is_exceeded() {
    let server = start();
    let path = "/admin/environments/production/flags/search/guard";
    let bad = server.admin("PUT", path, Some(r#"{"metric":"error","maxRate":5}"#));
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["field"], "maxRate");
    let set = server.admin(
        "PUT",
        path,
        Some(r#"{"metric":"error","maxRate":0.2,"minUnits":10}"#),
    );
    assert_eq!(set.status, 200, "{}", set.text());
    // Below the minimum units nothing happens, however bad the rate.
    ingest(&server, "batch-0001", units("search", "on", "a", 9, 9));
    std::thread::sleep(std::time::Duration::from_millis(1_500));
    assert_eq!(server.admin("GET", path, None).json()["status"], "watching");
    ingest(&server, "batch-0002", units("search", "on", "b", 40, 0));
    std::thread::sleep(std::time::Duration::from_millis(1_500));
    assert_eq!(server.admin("GET", path, None).json()["status"], "watching");
    // 9 of 49 units (18%) is within the maximum; 13 of 53 (25%) is not.
    ingest(&server, "batch-0003", units("search", "on", "c", 4, 4));
    eventually("the guard kills the flag", || {
        server.admin("GET", path, None).json()["status"] == "triggered"
    });
    let flag = server
        .admin("GET", "/admin/environments/production/flags/search", None)
        .json();
    assert_eq!(flag["enabled"], false);
    let audit = server.audit("?flag=search");
    let kill = audit
        .iter()
        .find(|e| e["action"] == "guard-kill")
        .expect("a guard-kill entry");
    assert_eq!(kill["figures"]["units"], 53);
    assert_eq!(kill["figures"]["events"], 13);
    // Fixed and switched on again with the guard set anew: judged on what comes after, so
    // the errors that led to the fix do not kill it again.
    let on = server.admin(
        "PATCH",
        "/admin/environments/production/flags/search",
        Some(r#"{"enabled":true}"#),
    );
    assert_eq!(on.status, 200, "{}", on.text());
    let again = server.admin(
        "PUT",
        path,
        Some(r#"{"metric":"error","maxRate":0.2,"minUnits":10}"#),
    );
    assert_eq!(again.status, 200, "{}", again.text());
    ingest(&server, "batch-0004", units("search", "on", "d", 10, 1));
    std::thread::sleep(std::time::Duration::from_millis(1_500));
    assert_eq!(server.admin("GET", path, None).json()["status"], "watching");
    let flag = server
        .admin("GET", "/admin/environments/production/flags/search", None)
        .json();
    assert_eq!(flag["enabled"], true);
}
