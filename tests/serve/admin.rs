//! The admin API: authentication, malformed requests, unknown flags, invalid results, the
//! kill switch, rollouts and schedules, and the audit log.

use super::client::request;
use super::support::{audit_lines, now_ms, Scratch, Server};
use edgeflag::{Context, Reason};
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};

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
fn an_unknown_flag_gets_404() {
    let server = Server::start(&[]);
    let patch = server.admin(
        "PATCH",
        "/admin/flags/no-such-flag",
        Some(r#"{"enabled": false}"#),
    );
    assert_eq!(patch.status, 404);
    assert_eq!(patch.json()["error"], "unknown_flag");
    assert_eq!(
        server
            .admin("POST", "/admin/flags/no-such-flag/kill", None)
            .status,
        404
    );
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
    assert_eq!(server.admin("GET", "/admin/audit", None).json(), json!([]));
    assert!(audit_lines(&state.path("state/audit.jsonl")).is_empty());
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
fn every_change_is_an_audit_entry_appended_durably_and_listed() {
    let state = Scratch::new("audit");
    let server = Server::start(&["--state", &state.s("state"), "--admin-token", TOKEN]);
    let first = server
        .admin("POST", "/admin/flags/banner/kill", None)
        .json();
    let body = r#"{"variant": "eu-promo", "rule": 0}"#;
    let second = server
        .admin("PATCH", "/admin/flags/free-shipping-threshold", Some(body))
        .json();

    let lines = audit_lines(&state.path("state/audit.jsonl"));
    assert_eq!(lines.len(), 2);
    let fingerprint = lines[0]["token"].as_str().unwrap();
    assert!(
        fingerprint.starts_with("sha256:") && fingerprint.len() == 23,
        "{fingerprint}"
    );
    let text = std::fs::read_to_string(state.path("state/audit.jsonl")).unwrap();
    assert!(!text.contains(TOKEN), "the token itself is never written");
    let at = edgeflag::unstable::time::parse_rfc3339(lines[0]["at"].as_str().unwrap()).unwrap();
    assert!((now_ms() - at).abs() < 60_000);
    assert_eq!(
        lines[0],
        json!({"prev": null, "at": lines[0]["at"], "source": "admin", "token": fingerprint, "action": "kill",
            "flag": "banner", "changes": [{"path": "flags.banner.enabled", "old": null, "new": false}],
            "oldVersion": server.version, "newVersion": first["version"]})
    );
    // The second names the first: the SHA-256 of its line as written.
    let first_line = text.lines().next().unwrap();
    let hash: String = Sha256::digest(first_line.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(lines[1]["prev"], hash.as_str());
    assert_eq!(lines[1]["action"], "patch");
    assert_eq!(lines[1]["flag"], "free-shipping-threshold");
    assert_eq!(lines[1]["oldVersion"], first["version"]);
    assert_eq!(lines[1]["newVersion"], second["version"]);
    assert_eq!(
        lines[1]["changes"],
        json!([{"path": "flags.free-shipping-threshold.rules[0].serve.variant", "old": "members", "new": "eu-promo"}])
    );

    let listed = server.admin("GET", "/admin/audit", None).json();
    assert_eq!(listed, Json::Array(lines.clone()));
    let newest = server.admin("GET", "/admin/audit?limit=1", None).json();
    assert_eq!(newest, json!([lines[1]]));
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
    assert_eq!(status["stateDir"], Json::Null);
    let published =
        edgeflag::unstable::time::parse_rfc3339(status["lastPublishedAt"].as_str().unwrap())
            .unwrap();
    assert!((now_ms() - published).abs() < 60_000);
}

#[test]
fn audit_verify_checks_the_chain_and_names_the_first_entry_that_was_rewritten() {
    let state = Scratch::new("audit-verify");
    let server = Server::start(&["--state", &state.s("state"), "--admin-token", TOKEN]);
    for flag in ["banner", "new-checkout", "checkout-button-color"] {
        let killed = server.admin("POST", &format!("/admin/flags/{flag}/kill"), None);
        assert_eq!(killed.status, 200);
    }
    drop(server);
    let verify = |dir: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_edgeflag"))
            .args(["audit", "verify", dir])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, _) = verify(&state.s("state"));
    assert_eq!((code, stdout.as_str()), (Some(0), "ok 3 entries\n"));

    // Someone rewrites history: the second entry now says another flag was killed.
    let path = state.path("state/audit.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen("\"flag\":\"new-checkout\"", "\"flag\":\"banner\"", 1),
    )
    .unwrap();
    let (code, stdout, stderr) = verify(&state.s("state"));
    assert_eq!((code, stdout.as_str()), (Some(1), ""));
    assert!(
        stderr.starts_with(&format!(
            "edgeflag audit verify: {}: entry 3: prev is ",
            path.display()
        )),
        "{stderr}"
    );
    // The server says so at start, and the admin API refuses to list a broken history.
    let restarted = Server::start(&["--state", &state.s("state"), "--admin-token", TOKEN]);
    assert!(
        restarted
            .stderr()
            .contains("entry 3 breaks the audit chain"),
        "{}",
        restarted.stderr()
    );
    let listed = restarted.admin("GET", "/admin/audit", None);
    assert_eq!(listed.status, 500);
    assert!(listed.text().contains("entry 3"), "{}", listed.text());

    // A torn last line from a crash is reported, not counted.
    std::fs::write(&path, format!("{text}{{\"prev\":\"ab")).unwrap();
    let (code, stdout, _) = verify(path.to_str().unwrap());
    assert_eq!(code, Some(0));
    assert!(
        stdout.starts_with("ok 3 entries (and a torn last line of 11 bytes"),
        "{stdout}"
    );
}
