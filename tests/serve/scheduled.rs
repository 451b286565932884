//! Scheduled changes: stored with `"at"` (or `?at=`), applied by the backend at that instant
//! through the change path (audited, naming who scheduled them), listed and cancellable.

use super::support::{eventually, now_ms, Server};

/// An RFC 3339 instant `ms` from now.
fn in_ms(ms: i64) -> String {
    edgeflag::unstable::time::Rfc3339(now_ms() + ms).to_string()
}

#[test]
fn a_scheduled_kill_is_applied_at_its_instant_and_audited() {
    let server = Server::start(&[]);
    let before = server.served_version();
    let body = format!(r#"{{"at": "{}"}}"#, in_ms(1_500));
    let scheduled = server.admin("POST", "/admin/flags/new-checkout/kill", Some(&body));
    assert_eq!(scheduled.status, 202, "{}", scheduled.text());
    let id = scheduled.json()["scheduled"]["id"].as_u64().unwrap();
    assert_eq!(
        server.served_version(),
        before,
        "nothing is published before the instant"
    );
    let pending = server.admin("GET", "/admin/scheduled", None).json();
    assert_eq!(pending["scheduled"][0]["id"], id);
    assert_eq!(pending["scheduled"][0]["state"], "pending");
    eventually("the kill is applied", || server.served_version() > before);
    let flag = server
        .admin("GET", "/admin/flags/new-checkout", None)
        .json();
    assert_eq!(flag["enabled"], false);
    let all = server
        .admin("GET", "/admin/scheduled?all=true", None)
        .json();
    assert_eq!(all["scheduled"][0]["state"], "applied");
    let audit = server.admin("GET", "/admin/audit?limit=1", None).json();
    assert_eq!(audit[0]["source"], "schedule");
    assert_eq!(audit[0]["token"], "generated");
    assert_eq!(audit[0]["action"], "kill");
}

#[test]
fn a_pending_change_can_be_cancelled_once_and_a_bad_instant_is_refused() {
    let server = Server::start(&[]);
    let body = format!(r#"{{"enabled": false, "at": "{}"}}"#, in_ms(3_600_000));
    let scheduled = server.admin(
        "PATCH",
        "/admin/environments/production/flags/new-checkout",
        Some(&body),
    );
    assert_eq!(scheduled.status, 202, "{}", scheduled.text());
    let id = scheduled.json()["scheduled"]["id"].as_u64().unwrap();
    let path = format!("/admin/environments/production/scheduled/{id}");
    assert_eq!(server.admin("DELETE", &path, None).status, 200);
    assert_eq!(server.admin("DELETE", &path, None).status, 409);
    let pending = server.admin("GET", "/admin/scheduled", None).json();
    assert_eq!(pending["scheduled"], serde_json::json!([]));
    // A replace scheduled with ?at=, and an instant that is not one.
    let document = server
        .admin("GET", "/admin/flags/new-checkout", None)
        .text();
    let later = format!(
        "/admin/flags/new-checkout?at={}",
        in_ms(3_600_000).replace(':', "%3A")
    );
    assert_eq!(server.admin("PUT", &later, Some(&document)).status, 202);
    let bad = server.admin(
        "POST",
        "/admin/flags/new-checkout/kill",
        Some(r#"{"at": "tomorrow"}"#),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["field"], "at");
}

#[test]
fn a_scheduled_change_with_nothing_left_to_change_is_done_not_retried() {
    let server = Server::start(&[]);
    let body = format!(r#"{{"at": "{}"}}"#, in_ms(1_000));
    let scheduled = server.admin("POST", "/admin/flags/new-checkout/kill", Some(&body));
    assert_eq!(scheduled.status, 202, "{}", scheduled.text());
    // Killed by hand first: at its instant the scheduled kill finds nothing to change.
    assert_eq!(
        server
            .admin("POST", "/admin/flags/new-checkout/kill", None)
            .status,
        200
    );
    let version = server.served_version();
    eventually("the scheduled change is done", || {
        let all = server
            .admin("GET", "/admin/scheduled?all=true", None)
            .json();
        all["scheduled"][0]["state"] == "applied"
    });
    let all = server
        .admin("GET", "/admin/scheduled?all=true", None)
        .json();
    assert_eq!(all["scheduled"][0]["result"], "applied: nothing to change");
    assert_eq!(
        server.served_version(),
        version,
        "nothing was published for it"
    );
    // An instant well past is a mistake, not "now".
    let past = server.admin(
        "POST",
        "/admin/flags/new-checkout/kill",
        Some(r#"{"at": "2020-01-01T00:00:00Z"}"#),
    );
    assert_eq!(past.status, 400, "{}", past.text());
    assert_eq!(past.json()["field"], "at");
}
