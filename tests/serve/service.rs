//! The service end to end: several environments, each with its own snapshot, version sequence
//! and signing key; what the admin API refuses (publishing nothing). The helpers here serve
//! `service_definitions` and `service_access` too.

use super::client::Response;
use super::support::{keygen, payload, verified_as, Scratch, Server};
use serde_json::{json, Value as Json};

/// The operator's token of the service tests.
pub(crate) const TOKEN: &str = "service-token-0123456789abcdef";

/// The signing keys of a service: one for every environment, another for staging.
pub(crate) struct Keys {
    /// `--key FILE`, and its public key.
    pub(crate) all: (String, String),
    /// `--key staging=FILE`, and its public key.
    pub(crate) staging: (String, String),
}

impl Keys {
    pub(crate) fn new(scratch: &Scratch) -> Keys {
        Keys {
            all: keygen(&scratch.s("keys-all")),
            staging: keygen(&scratch.s("keys-staging")),
        }
    }

    /// The public key `environment` signs with.
    pub(crate) fn public(&self, environment: &str) -> &str {
        if environment == "staging" {
            &self.staging.1
        } else {
            &self.all.1
        }
    }
}

/// `edgeflag serve --environments development,staging,production` on the store in
/// `scratch`'s `state`, with `keys`.
pub(crate) fn service(scratch: &Scratch, keys: &Keys) -> Server {
    let staging = format!("staging={}", keys.staging.0);
    Server::start(&[
        "--environments",
        "development,staging,production",
        "--key",
        &keys.all.0,
        "--key",
        &staging,
        "--state",
        &scratch.s("state"),
        "--admin-token",
        TOKEN,
        // Polling with a token the server has not read yet must not get the address throttled.
        "--max-auth-failures",
        "1000",
    ])
}

/// `GET /environments/{env}/snapshot`.
pub(crate) fn snapshot(server: &Server, environment: &str) -> Response {
    let response = server.get(&format!("/environments/{environment}/snapshot"));
    assert_eq!(response.status, 200, "{environment}: {}", response.text());
    response
}

/// The version `environment` serves, verified under its key as its clients would.
pub(crate) fn served(server: &Server, keys: &Keys, environment: &str) -> u64 {
    let body = snapshot(server, environment).body;
    verified_as(&body, environment, keys.public(environment))
        .unwrap()
        .0
}

/// A boolean flag serving `on` to `weight` of 100000 units (by rollout), `off` to the rest.
pub(crate) fn rollout(weight: u32) -> Json {
    json!({"type": "boolean", "variants": {"on": true, "off": false}, "offVariant": "off",
        "defaultServe": {"rollout": {"by": "targetingKey", "salt": "ramp", "weights": [
            {"variant": "on", "weight": weight}, {"variant": "off", "weight": 100_000 - weight}]}}})
}

#[test]
fn each_environment_has_its_own_snapshot_version_sequence_and_key() {
    let scratch = Scratch::new("service-envs");
    let keys = Keys::new(&scratch);
    let server = service(&scratch, &keys);
    assert_eq!(
        server.public_key, keys.all.1,
        "the default environment's key comes first"
    );
    for environment in ["development", "staging", "production"] {
        assert_eq!(server.public_key_of(environment), keys.public(environment));
        let line = format!("serving demo-shop/{environment} version ");
        assert!(
            server.banner.iter().any(|l| l.contains(&line)),
            "{:?}",
            server.banner
        );
    }

    let listed = server.admin("GET", "/admin/environments", None).json();
    let listed = listed["environments"].as_array().unwrap().clone();
    let names: Vec<&str> = listed.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["production", "development", "staging"],
        "the default first"
    );
    for environment in &listed {
        let name = environment["name"].as_str().unwrap();
        assert_eq!(environment["default"], name == "production");
        assert_eq!(environment["owner"], "demo-shop");
        assert_eq!(environment["publicKey"], keys.public(name));
        let response = snapshot(&server, name);
        assert_eq!(environment["etag"], response.header("etag").unwrap());
        let (version, _, keyid) = verified_as(&response.body, name, keys.public(name)).unwrap();
        assert_eq!(
            (environment["version"].as_u64(), &environment["keyid"]),
            (Some(version), &json!(keyid))
        );
    }
    // `/snapshot` is the default environment's, byte for byte.
    assert_eq!(
        server.get("/snapshot").body,
        snapshot(&server, "production").body
    );
    // Staging's snapshot is signed by its own key and names staging: a client pinning another
    // key, or expecting another environment, refuses it.
    let staging = snapshot(&server, "staging").body;
    assert!(verified_as(&staging, "staging", &keys.all.1).is_err());
    assert!(verified_as(&staging, "production", &keys.staging.1).is_err());
    assert!(verified_as(
        &snapshot(&server, "production").body,
        "staging",
        &keys.staging.1
    )
    .is_err());

    // A change of staging is a new version of staging only.
    let before: Vec<u64> = ["development", "production"]
        .iter()
        .map(|e| served(&server, &keys, e))
        .collect();
    let old = served(&server, &keys, "staging");
    let killed = server.admin(
        "POST",
        "/admin/environments/staging/flags/banner/kill",
        None,
    );
    assert_eq!(killed.status, 200, "{}", killed.text());
    let version = killed.json()["version"].as_u64().unwrap();
    assert!(version > old);
    assert_eq!(served(&server, &keys, "staging"), version);
    let after: Vec<u64> = ["development", "production"]
        .iter()
        .map(|e| served(&server, &keys, e))
        .collect();
    assert_eq!(after, before);
    let staging = payload(&snapshot(&server, "staging").body);
    assert_eq!(
        (
            &staging["environment"],
            &staging["flags"]["banner"]["enabled"]
        ),
        (&json!("staging"), &json!(false))
    );
    let production = payload(&snapshot(&server, "production").body);
    assert_eq!(production["flags"]["banner"].get("enabled"), None);

    for path in [
        "/environments/qa/snapshot",
        "/environments/qa/snapshot/stream",
    ] {
        let unknown = server.get(path);
        assert_eq!(
            (unknown.status, &unknown.json()["error"]),
            (404, &json!("not_found")),
            "{path}"
        );
    }
    let unknown = server.admin("GET", "/admin/environments/qa/flags", None);
    assert_eq!(unknown.status, 404);
    assert!(unknown.json()["message"]
        .as_str()
        .unwrap()
        .contains("\"qa\""));
}

#[test]
fn invalid_and_malformed_changes_are_refused_and_publish_nothing() {
    let scratch = Scratch::new("service-refusals");
    let keys = Keys::new(&scratch);
    let server = service(&scratch, &keys);
    let before = snapshot(&server, "staging");
    let banner = "/admin/environments/staging/flags/banner";
    let etag = server
        .admin("GET", banner, None)
        .header("etag")
        .unwrap()
        .to_owned();

    // 422: the result would not load in clients; the message names the path.
    let mut invalid = server.admin("GET", banner, None).json();
    invalid["offVariant"] = json!("nothing");
    let response = server.admin("PUT", banner, Some(&invalid.to_string()));
    assert_eq!(response.status, 422, "{}", response.text());
    assert_eq!(response.json()["error"], "invalid_flags");
    assert!(response.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("flags.banner.offVariant: unknown variant"));
    let create = json!({"key": "broken", "flag": {"type": "boolean", "variants": {"on": true}, "offVariant": "on", "defaultServe": {"variant": "off"}}});
    let response = server.admin(
        "POST",
        "/admin/environments/staging/flags",
        Some(&create.to_string()),
    );
    assert_eq!(response.status, 422, "{}", response.text());
    let message = response.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("flags.broken.defaultServe.variant: "),
        "{message}"
    );

    // 400: a malformed body or query, naming the field.
    let flags = "/admin/environments/staging/flags";
    for (method, path, body, field) in [
        ("POST", flags, "not json", "body"),
        ("POST", flags, "[]", "body"),
        ("POST", flags, r#"{"key": "x", "flag": []}"#, "flag"),
        ("POST", flags, r#"{"flag": {}}"#, "key"),
        (
            "POST",
            flags,
            r#"{"key": "x", "flag": {}, "colour": "red"}"#,
            "colour",
        ),
        ("PUT", banner, "", "body"),
        ("PUT", &format!("{banner}?dry=true"), "{}", "dry"),
        (
            "PATCH",
            &format!("{banner}?dryRun=maybe"),
            r#"{"enabled": false}"#,
            "dryRun",
        ),
        ("GET", &format!("{flags}?archive=true"), "", "archive"),
        ("GET", "/admin/audit?environment=staging", "", "environment"),
    ] {
        let response = server.admin(method, path, Some(body));
        assert_eq!(
            response.status,
            400,
            "{method} {path} {body}: {}",
            response.text()
        );
        let json = response.json();
        assert_eq!(
            (&json["error"], &json["field"]),
            (&json!("bad_request"), &json!(field)),
            "{method} {path} {body}"
        );
    }
    // 404: an environment this server does not serve.
    let body = json!({"key": "x", "flag": rollout(0)}).to_string();
    let response = server.admin("POST", "/admin/environments/qa/flags", Some(&body));
    assert_eq!(
        (response.status, &response.json()["error"]),
        (404, &json!("not_found"))
    );

    let after = snapshot(&server, "staging");
    assert_eq!(
        (after.header("etag"), &after.body),
        (before.header("etag"), &before.body)
    );
    assert_eq!(
        server.admin("GET", banner, None).header("etag"),
        Some(etag.as_str())
    );
    assert_eq!(server.audit(""), Vec::<Json>::new());
    assert_eq!(server.status()["lastRefused"]["environment"], "staging");
}
