//! The service end to end, continued: promoting flags from staging to production (a diff, then
//! an apply on the diff's base), and named tokens: created and revoked with `edgeflag serve
//! token`, acting within their role and environments, named in the audit trail.

use super::service::{served, service, snapshot, Keys, TOKEN};
use super::support::{edgeflag, eventually, now_ms, payload, verified_as, Scratch, Server};
use serde_json::{json, Value as Json};

/// `POST /admin/promote` with `body`.
fn promote(server: &Server, body: &Json) -> (u16, Json) {
    let response = server.admin("POST", "/admin/promote", Some(&body.to_string()));
    (response.status, response.json())
}

#[test]
fn a_promotion_diffs_staging_against_production_then_applies_on_that_base() {
    let scratch = Scratch::new("service-promote");
    let keys = Keys::new(&scratch);
    let server = service(&scratch, &keys);
    let killed = server.admin(
        "POST",
        "/admin/environments/staging/flags/banner/kill",
        None,
    );
    assert_eq!(killed.status, 200, "{}", killed.text());
    let (staging, production) = (
        served(&server, &keys, "staging"),
        served(&server, &keys, "production"),
    );

    let request = json!({"from": "staging", "to": "production", "flags": ["banner"]});
    let (status, diff) = promote(&server, &request);
    assert_eq!(status, 200, "{diff}");
    assert_eq!(diff["base"], json!({"from": staging, "to": production}));
    assert_eq!(diff["applied"], false);
    assert_eq!(
        diff["flags"],
        json!([{"key": "banner", "status": "changed",
            "changes": [{"path": "flags.banner.enabled", "old": null, "new": false}]}])
    );
    assert_eq!(
        served(&server, &keys, "production"),
        production,
        "a diff changes nothing"
    );

    let mut apply = request.clone();
    apply["apply"] = json!(true);
    apply["base"] = diff["base"].clone();
    let (status, applied) = promote(&server, &apply);
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["applied"], true);
    let version = applied["version"].as_u64().unwrap();
    assert!(version > production);
    let body = snapshot(&server, "production").body;
    let (served_version, snapshot, _) =
        verified_as(&body, "production", keys.public("production")).unwrap();
    assert_eq!(served_version, version);
    let ctx = snapshot.context(&edgeflag::Context::from_pairs([(
        "targetingKey",
        "user-1".into(),
    )]));
    let banner = snapshot.details("banner", &ctx, now_ms());
    assert_eq!(banner.reason, edgeflag::Reason::Disabled);
    let promoted = server.admin("GET", "/admin/environments/production/flags/banner", None);
    let source = server.admin("GET", "/admin/environments/staging/flags/banner", None);
    assert_eq!(
        (promoted.json(), promoted.header("etag")),
        (source.json(), source.header("etag"))
    );
    let newest = server.audit("?env=production&limit=1");
    assert_eq!(
        (&newest[0]["action"], &newest[0]["newVersion"]),
        (&json!("promote"), &json!(version))
    );

    // The same base again: production has moved on since, so nothing is applied.
    let (status, stale) = promote(&server, &apply);
    assert_eq!(
        (status, &stale["error"]),
        (409, &json!("conflict")),
        "{stale}"
    );
    assert_eq!(served(&server, &keys, "production"), version);
    let (status, again) = promote(&server, &request);
    assert_eq!(
        (status, &again["flags"][0]["status"]),
        (200, &json!("unchanged"))
    );
    let (status, unknown) = promote(&server, &json!({"from": "staging", "to": "qa"}));
    assert_eq!((status, &unknown["field"]), (404, &json!("to")));
}

/// `edgeflag serve token create --name NAME --role ROLE [--env ENV] --state DIR`: the token.
fn create_token(state: &str, name: &str, role: &str, env: Option<&str>) -> String {
    let mut args = vec![
        "serve", "token", "create", "--name", name, "--role", role, "--state", state,
    ];
    if let Some(env) = env {
        args.extend(["--env", env]);
    }
    let (code, stdout, stderr) = edgeflag(&args);
    assert_eq!(code, Some(0), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let token = lines[0].strip_prefix("token ").unwrap().to_owned();
    assert!(token.len() >= 32, "{token}");
    let listed = format!(
        "name {name} role {role} environments {}",
        env.unwrap_or("all")
    );
    assert!(lines[1].starts_with(&listed), "{stdout}");
    token
}

#[test]
fn named_tokens_act_within_their_role_and_environments_until_revoked() {
    let scratch = Scratch::new("service-tokens");
    let keys = Keys::new(&scratch);
    let state = scratch.s("state");
    let ci = create_token(&state, "ci", "editor", Some("staging"));
    // The audit trail's names for the operator's token cannot be taken.
    let (code, _, stderr) = edgeflag(&[
        "serve", "token", "create", "--name", "operator", "--role", "admin", "--state", &state,
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("reserved"), "{stderr}");
    let viewer = create_token(&state, "viewer", "reader", None);
    let (code, listed, _) = edgeflag(&["serve", "token", "list", "--state", &state]);
    assert_eq!(code, Some(0));
    assert!(listed.contains("ci editor staging created "), "{listed}");
    assert!(
        !listed.contains(&ci) && !listed.contains(&viewer),
        "printed once only"
    );

    let server = service(&scratch, &keys);
    assert!(
        server
            .banner
            .iter()
            .any(|l| l.ends_with("(tokens stored: 2)")),
        "{:?}",
        server.banner
    );
    let staging = "/admin/environments/staging/flags/banner";
    let as_ci = |method: &str, path: &str, body: Option<&str>| {
        server.admin_as(&ci, method, path, &[], body)
    };

    // The editor of staging writes there, and only there.
    let killed = as_ci("POST", &format!("{staging}/kill"), None);
    assert_eq!(killed.status, 200, "{}", killed.text());
    let kill_version = killed.json()["version"].as_u64().unwrap();
    let production = served(&server, &keys, "production");
    for (method, path) in [
        ("POST", "/admin/environments/production/flags/banner/kill"),
        ("POST", "/admin/flags/banner/kill"),
        ("GET", "/admin/environments/production/flags/banner"),
    ] {
        let response = as_ci(method, path, None);
        assert_eq!(response.status, 403, "{method} {path}: {}", response.text());
        assert_eq!(response.json()["error"], "forbidden");
    }
    let environments = as_ci("GET", "/admin/environments", None).json();
    assert_eq!(environments["environments"].as_array().unwrap().len(), 1);
    assert_eq!(environments["environments"][0]["name"], "staging");
    // The reader reads everywhere and writes nowhere.
    assert_eq!(
        server.admin_as(&viewer, "GET", staging, &[], None).status,
        200
    );
    let write = server.admin_as(&viewer, "PATCH", staging, &[], Some(r#"{"enabled": true}"#));
    assert_eq!(
        (write.status, &write.json()["error"]),
        (403, &json!("forbidden"))
    );
    assert_eq!(
        served(&server, &keys, "production"),
        production,
        "nothing was published"
    );
    assert_eq!(served(&server, &keys, "staging"), kill_version);

    // The audit trail names the token; the query narrows to one flag's newest entry.
    let patched = server.admin("PATCH", staging, Some(r#"{"variant": "none"}"#));
    assert_eq!(patched.status, 200, "{}", patched.text());
    let entries = server.audit("?env=staging&flag=banner");
    let who: Vec<(Json, Json)> = entries
        .iter()
        .map(|e| (e["token"].clone(), e["action"].clone()))
        .collect();
    assert_eq!(
        who,
        [
            (json!("ci"), json!("kill")),
            (json!("operator"), json!("patch"))
        ]
    );
    assert_eq!(entries[0]["newVersion"], kill_version);
    assert_eq!(
        server.audit("?env=staging&flag=banner&limit=1"),
        [entries[1].clone()]
    );
    assert_eq!(server.audit("?token=ci"), [entries[0].clone()]);
    let seen_by_ci = as_ci("GET", "/admin/audit?env=production", None);
    assert_eq!(seen_by_ci.status, 403, "{}", seen_by_ci.text());

    // Revoked: the running server re-reads its tokens and refuses it.
    let (code, stdout, stderr) = edgeflag(&[
        "serve", "token", "revoke", "--name", "ci", "--state", &state,
    ]);
    assert_eq!(
        (code, stdout.as_str()),
        (Some(0), "revoked ci\n"),
        "{stderr}"
    );
    eventually("the revoked token to be refused", || {
        as_ci("GET", staging, None).status == 401
    });
    assert_eq!(as_ci("POST", &format!("{staging}/kill"), None).status, 401);
    assert_eq!(
        server.admin_as(&viewer, "GET", staging, &[], None).status,
        200
    );
    let (code, _, stderr) = edgeflag(&[
        "serve", "token", "revoke", "--name", "ci", "--state", &state,
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    // And one created while it runs is accepted as soon.
    let ops = create_token(&state, "ops", "admin", None);
    eventually("the new token to be accepted", || {
        server
            .admin_as(&ops, "GET", "/admin/status", &[], None)
            .status
            == 200
    });
    let signed = payload(&snapshot(&server, "staging").body);
    assert_eq!(
        signed["flags"]["banner"]["defaultServe"],
        json!({"variant": "none"})
    );
    assert_eq!(server.token, TOKEN);
}
