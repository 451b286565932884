//! The admin API: authentication, malformed requests, unknown flags, invalid results, the
//! kill switch, rollouts and schedules, status (the audit trail: `audit`).

use super::client::request;
use super::support::{edgeflag, now_ms, Scratch, Server};
use edgeflag::{Context, Reason};
use serde_json::{json, Value as Json};

const TOKEN: &str = "test-token-0123456789abcdef";

#[test]
fn admin_requests_without_the_right_token_get_401() {
    // Every wrong attempt below must answer 401, not the throttle's 429.
    let server = Server::start(&["--admin-token", TOKEN, "--max-auth-failures", "1000"]);
    assert!(
        !server
            .banner
            .iter()
            .any(|l| l.contains(TOKEN) || l.contains("admin token")),
        "a token that was given is never printed: {:?}",
        server.banner
    );
    let wrong = [
        vec![],
        vec![("Authorization", "Bearer test-token-012")],
        vec![("Authorization", "Bearer test-token-01234")],
        vec![("Authorization", "Basic dGVzdC10b2tlbi0wMTIz")],
        vec![("Authorization", TOKEN)],
    ];
    for headers in &wrong {
        for (method, path) in [
            ("GET", "/admin/flags"),
            ("GET", "/admin/status"),
            ("GET", "/admin/audit"),
            ("PATCH", "/admin/flags/new-checkout"),
            ("POST", "/admin/flags/new-checkout/kill"),
            ("GET", "/admin/environments"),
            ("PUT", "/admin/environments/production/flags/new-checkout"),
            ("POST", "/admin/promote"),
        ] {
            let response = request(
                &server.addr,
                method,
                path,
                headers,
                Some(b"{\"enabled\": false}"),
            );
            assert_eq!(response.status, 401, "{method} {path} with {headers:?}");
            assert_eq!(
                response.header("www-authenticate"),
                Some("Bearer realm=\"edgeflag admin\"")
            );
            assert_eq!(response.json()["error"], "unauthorized");
        }
    }
    assert_eq!(
        server.served_version(),
        server.version,
        "nothing was published"
    );
    let right = format!("Bearer {TOKEN}");
    let response = request(
        &server.addr,
        "GET",
        "/admin/flags",
        &[("Authorization", &right)],
        None,
    );
    assert_eq!(response.status, 200);
    assert_eq!(response.json()["owner"], "demo-shop");
}

#[test]
fn malformed_admin_requests_get_400_naming_the_wrong_field() {
    let server = Server::start(&[]);
    let cases = [
        ("", "body"),
        ("not json", "body"),
        ("[]", "body"),
        ("{}", "body"),
        (r#"{"enabled": "false"}"#, "enabled"),
        (r#"{"enabled": false, "colour": "red"}"#, "colour"),
        (
            r#"{"rollout": {"weights": [{"variant": "on", "weight": -1}]}}"#,
            "rollout.weights[0].weight",
        ),
        (
            r#"{"rollout": {"weights": [{"variant": 1, "weight": 100000}]}}"#,
            "rollout.weights[0].variant",
        ),
        (
            r#"{"schedule": {"variant": "on", "otherwise": "off", "start": "2026-12-01", "end": "2026-12-08T00:00:00Z"}}"#,
            "schedule.start",
        ),
        (r#"{"variant": "on", "rule": "no-such-rule"}"#, "rule"),
    ];
    for (body, field) in cases {
        let response = server.admin("PATCH", "/admin/flags/new-checkout", Some(body));
        assert_eq!(response.status, 400, "{body}: {}", response.text());
        let json = response.json();
        assert_eq!(json["error"], "bad_request");
        assert_eq!(json["field"], field, "{body}");
        assert!(json["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{field}: ")));
    }
    assert_eq!(server.get("/admin/audit?limit=x").status, 401);
    let bad_limit = server.admin("GET", "/admin/audit?limit=x", None);
    assert_eq!(
        (bad_limit.status, bad_limit.json()["field"].clone()),
        (400, json!("limit"))
    );
    assert_eq!(
        server.served_version(),
        server.version,
        "nothing was published"
    );
}

#[test]
fn an_unknown_flag_or_segment_gets_404_not_found() {
    let server = Server::start(&[]);
    let flag =
        r#"{"type": "boolean", "variants": {"on": true}, "defaultServe": {"variant": "on"}}"#;
    for (method, path, body) in [
        (
            "PATCH",
            "/admin/flags/no-such-flag",
            Some(r#"{"enabled": false}"#),
        ),
        ("POST", "/admin/flags/no-such-flag/kill", None),
        ("GET", "/admin/flags/no-such-flag", None),
        ("PUT", "/admin/flags/no-such-flag", Some(flag)),
        ("DELETE", "/admin/flags/no-such-flag", None),
        ("GET", "/admin/segments/no-such-flag", None),
        (
            "DELETE",
            "/admin/environments/production/segments/no-such-flag",
            None,
        ),
    ] {
        let response = server.admin(method, path, body);
        assert_eq!(response.status, 404, "{method} {path}: {}", response.text());
        let json = response.json();
        assert_eq!(json["error"], "not_found", "{method} {path}");
        assert!(
            json["message"]
                .as_str()
                .unwrap()
                .contains("\"no-such-flag\""),
            "{json}"
        );
    }
    assert_eq!(server.served_version(), server.version);
}

#[test]
fn a_change_that_would_make_the_flags_invalid_gets_422_and_publishes_nothing() {
    let state = Scratch::new("invalid");
    let server = Server::start(&["--state", &state.s("state")]);
    let before = server.get("/snapshot");
    let cases = [
        (
            r#"{"rollout": {"weights": [{"variant": "on", "weight": 40000}, {"variant": "off", "weight": 50000}]}}"#,
            "flags.new-checkout.defaultServe.rollout.weights: weights sum to 90000",
        ),
        (
            r#"{"variant": "maybe"}"#,
            "flags.new-checkout.defaultServe.variant: unknown variant \"maybe\"",
        ),
    ];
    for (body, error) in cases {
        let response = server.admin("PATCH", "/admin/flags/new-checkout", Some(body));
        assert_eq!(response.status, 422, "{}", response.text());
        let json = response.json();
        assert_eq!(json["error"], "invalid_flags");
        assert!(json["message"].as_str().unwrap().contains(error), "{json}");
        let status = server.status();
        assert_eq!(status["lastRefused"]["source"], "admin");
        assert!(status["lastRefused"]["error"]
            .as_str()
            .unwrap()
            .contains(error));
    }
    let after = server.get("/snapshot");
    assert_eq!(after.header("etag"), before.header("etag"));
    assert_eq!(server.audit(""), Vec::<Json>::new());
    assert_eq!(server.export(), "");
    let verified = edgeflag(&["audit", "verify", &state.s("state")]);
    assert_eq!(verified.1, "ok 0 entries\n");
    let flags = server.admin("GET", "/admin/flags", None).json();
    assert_eq!(
        flags["flags"]["new-checkout"]["defaultServe"]["schedule"]["curve"],
        "s-curve"
    );
}

#[test]
fn the_kill_switch_publishes_a_version_that_serves_the_off_variant() {
    let server = Server::start(&[]);
    let killed = server.admin("POST", "/admin/flags/new-checkout/kill", None);
    assert_eq!(killed.status, 200, "{}", killed.text());
    let json = killed.json();
    let stored = server.admin("GET", "/admin/flags/new-checkout", None);
    assert_eq!(killed.header("etag"), stored.header("etag"));
    assert_eq!(json["document"], stored.json());
    assert_eq!(json["document"]["enabled"], false);
    assert_eq!(
        (
            &json["environment"],
            &json["kind"],
            &json["key"],
            &json["flag"]
        ),
        (
            &json!("production"),
            &json!("flag"),
            &json!("new-checkout"),
            &json!("new-checkout")
        )
    );
    assert_eq!(json["changed"], true);
    assert_eq!(json["oldVersion"], server.version);
    let version = json["version"].as_u64().unwrap();
    assert!(version > server.version);
    assert_eq!(
        json["changes"],
        json!([{"path": "flags.new-checkout.enabled", "old": true, "new": false}])
    );
    assert!(
        json["warnings"][0]
            .as_str()
            .unwrap()
            .contains("the flag is disabled"),
        "{json}"
    );

    let response = server.get("/snapshot");
    let (served, snapshot) = server.verified(&response.body);
    assert_eq!(served, version);
    let ctx = snapshot.context(&Context::from_pairs([
        ("targetingKey", "user-demo".into()),
        ("email", "ops@demo-shop.example".into()),
    ]));
    let details = snapshot.bool_details("new-checkout", &ctx, true, now_ms());
    assert_eq!((details.value, details.reason), (false, Reason::Disabled));

    // Killing a killed flag changes nothing and publishes nothing.
    let again = server
        .admin("POST", "/admin/flags/new-checkout/kill", None)
        .json();
    assert_eq!(
        (again["changed"].clone(), again["version"].clone()),
        (json!(false), json!(version))
    );
    assert_eq!(server.served_version(), version);
    let revived = server.admin(
        "PATCH",
        "/admin/flags/new-checkout",
        Some(r#"{"enabled": true}"#),
    );
    assert!(revived.json()["version"].as_u64().unwrap() > version);
}

#[test]
fn rollouts_and_schedules_are_replaced_keeping_the_unit_of_bucketing() {
    let server = Server::start(&[]);
    let body = r#"{"rule": "beta", "rollout": {"weights": [{"variant": "on", "weight": 90000}, {"variant": "off", "weight": 10000}]}}"#;
    let response = server.admin("PATCH", "/admin/flags/new-checkout", Some(body));
    assert_eq!(response.status, 200, "{}", response.text());
    let body = r#"{"schedule": {"variant": "on", "otherwise": "off", "start": "2026-12-01T00:00:00Z", "end": "2026-12-08T00:00:00Z", "curve": "linear"}}"#;
    let response = server.admin("PATCH", "/admin/flags/new-checkout", Some(body));
    assert_eq!(response.status, 200, "{}", response.text());
    let body = r#"{"rollout": {"weights": [{"variant": "blue", "weight": 50000}, {"variant": "green", "weight": 50000}, {"variant": "orange", "weight": 0}]}}"#;
    let response = server.admin("PATCH", "/admin/flags/checkout-button-color", Some(body));
    assert_eq!(response.status, 200, "{}", response.text());

    let flags = server.admin("GET", "/admin/flags", None).json();
    let checkout = &flags["flags"]["new-checkout"];
    assert_eq!(
        checkout["rules"][2]["serve"],
        json!({"rollout": {"by": "targetingKey", "salt": "new-checkout-beta", "weights": [
            {"variant": "on", "weight": 90000}, {"variant": "off", "weight": 10000}]}})
    );
    assert_eq!(
        checkout["defaultServe"],
        json!({"schedule": {"by": "targetingKey", "salt": "new-checkout", "variant": "on",
            "otherwise": "off", "start": "2026-12-01T00:00:00Z", "end": "2026-12-08T00:00:00Z",
            "curve": "linear"}})
    );
    assert_eq!(
        flags["flags"]["checkout-button-color"]["defaultServe"]["rollout"]["salt"],
        "checkout-button-color"
    );
    let (_, snapshot) = server.verified(&server.get("/snapshot").body);
    let ctx = snapshot.context(&Context::from_pairs([("targetingKey", "user-42".into())]));
    let before_the_ramp = edgeflag::unstable::time::parse_rfc3339("2026-11-30T00:00:00Z").unwrap();
    assert!(!snapshot.bool("new-checkout", &ctx, true, before_the_ramp));
}

#[test]
fn status_reports_the_version_the_key_and_the_last_publish() {
    let server = Server::start(&[]);
    let status = server.status();
    assert_eq!(status["version"], server.version);
    assert_eq!(status["keyid"], server.keyid.as_str());
    assert_eq!(status["publicKey"], server.public_key.as_str());
    assert_eq!(status["owner"], "demo-shop");
    assert_eq!(status["environment"], "production");
    assert_eq!(
        status["etag"],
        server.get("/snapshot").header("etag").unwrap()
    );
    assert_eq!(status["subscribers"], 0);
    assert_eq!(status["lastRefused"], Json::Null);
    assert_eq!(status["flagsFile"], Json::Null);
    assert_eq!(
        status["database"],
        json!({"location": "SQLite in memory", "available": true, "error": null, "unavailableSince": null})
    );
    let environments = status["environments"].as_array().unwrap();
    assert_eq!(environments.len(), 1);
    assert_eq!(environments[0]["name"], "production");
    assert_eq!(environments[0]["default"], true);
    assert_eq!(environments[0]["version"], server.version);
    let published =
        edgeflag::unstable::time::parse_rfc3339(status["lastPublishedAt"].as_str().unwrap())
            .unwrap();
    assert!((now_ms() - published).abs() < 60_000);
}
