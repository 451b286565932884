//! `POST /admin/environments/{env}/import?from=...`: a dry-run diff by default, then the
//! import as one audited, signed version; malformed files and stale bases change nothing.

use super::support::Server;
use serde_json::{json, Value as Json};

const TOKEN: &str = "test-token-0123456789abcdef";

/// A flagd file: `banner` (the example has it, otherwise) and `fib` (new).
const FLAGD: &str = r#"{"flags": {
  "banner": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
             "targeting": {"if": [{"==": [{"var": "country"}, "DE"]}, "on", null]}},
  "fib": {"state": "ENABLED", "variants": {"recursive": "recursive", "binet": "binet"},
          "defaultVariant": "recursive", "extra": 1,
          "targeting": {"if": [{"ends_with": [{"var": "email"}, "@faas.com"]}, "binet", null]}}
}}"#;

fn import(server: &Server, query: &str, body: &str) -> (u16, Json) {
    let r = server.admin(
        "POST",
        &format!("/admin/environments/production/import{query}"),
        Some(body),
    );
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(Json::Null),
    )
}

#[test]
fn a_vendor_import_diffs_first_then_applies_as_one_audited_version() {
    let server = Server::start(&["--admin-token", TOKEN]);
    let before = server.served_version();

    let (status, diff) = import(&server, "?from=flagd", FLAGD);
    assert_eq!(status, 200, "{diff}");
    assert_eq!(diff["applied"], false);
    assert_eq!(diff["base"], json!(before));
    let statuses: Vec<(&str, &str)> = diff["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["key"].as_str().unwrap(), f["status"].as_str().unwrap()))
        .collect();
    assert_eq!(statuses, [("banner", "changed"), ("fib", "added")]);
    let not_imported = diff["notImported"].as_array().unwrap();
    assert!(not_imported.contains(&json!("new-checkout")), "{diff}");
    assert!(!not_imported.contains(&json!("banner")), "{diff}");
    assert_eq!(
        diff["notes"],
        json!([{"path": "flags.fib.extra", "message": "unknown member", "lossy": false}])
    );
    assert_eq!(server.served_version(), before, "a dry run changes nothing");
    let absent = server.admin("GET", "/admin/environments/production/flags/fib", None);
    assert_eq!(absent.status, 404);

    let (status, applied) = import(
        &server,
        &format!("?from=flagd&dryRun=false&base={before}"),
        FLAGD,
    );
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["applied"], true);
    let version = applied["version"].as_u64().unwrap();
    assert!(version > before);
    assert_eq!(server.served_version(), version);
    let fib = server.admin("GET", "/admin/environments/production/flags/fib", None);
    assert_eq!(fib.status, 200, "{}", fib.text());
    assert_eq!(fib.json()["defaultServe"], json!({"variant": "recursive"}));
    // One audit entry per imported definition that changed, all carried by the new version.
    let entries = server.audit("?env=production&limit=2");
    let mut keys: Vec<&str> = entries
        .iter()
        .map(|e| e["key"].as_str().unwrap_or_default())
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["banner", "fib"], "{entries:?}");
    for e in &entries {
        assert_eq!(
            (&e["action"], &e["newVersion"]),
            (&json!("import"), &json!(version))
        );
    }

    // The same base again: the environment has moved on, nothing is applied.
    let (status, stale) = import(
        &server,
        &format!("?from=flagd&dryRun=false&base={before}"),
        FLAGD,
    );
    assert_eq!(status, 409, "{stale}");
    assert_eq!(server.served_version(), version);
}

#[test]
fn a_malformed_vendor_import_is_a_400_naming_the_path_in_the_file() {
    let server = Server::start(&["--admin-token", TOKEN]);
    let before = server.served_version();
    let bad = r#"{"flags": {"f": {"state": "ON", "variants": {"a": 1}}}}"#;
    let (status, answer) = import(&server, "?from=flagd&dryRun=false", bad);
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["field"], "body.flags.f.state", "{answer}");
    let (status, answer) = import(&server, "?from=launchdarkly", FLAGD);
    assert_eq!(
        (status, &answer["field"]),
        (400, &json!("from")),
        "{answer}"
    );
    let (status, answer) = import(&server, "?from=flagd&dryRun=maybe", FLAGD);
    assert_eq!(
        (status, &answer["field"]),
        (400, &json!("dryRun")),
        "{answer}"
    );
    let missing = server.admin(
        "POST",
        "/admin/environments/nowhere/import?from=flagd",
        Some(FLAGD),
    );
    assert_eq!(missing.status, 404);
    assert_eq!(server.served_version(), before);
}

#[test]
fn an_imported_fractional_flag_is_published_with_flagds_bucketing() {
    let server = Server::start(&["--admin-token", TOKEN]);
    let file = r#"{"flags": {"split": {"state": "ENABLED", "variants": {"a": "A", "b": "B"},
        "defaultVariant": "a", "targeting": {"fractional": [["a", 1], ["b", 3]]}}}}"#;
    let (status, applied) = import(&server, "?from=flagd&dryRun=false", file);
    assert_eq!(status, 200, "{applied}");
    let split = server.admin("GET", "/admin/environments/production/flags/split", None);
    assert_eq!(
        split.json()["defaultServe"]["rollout"]["bucketing"],
        json!({"hash": "fractional", "buckets": 4})
    );
}

/// A flagd flag of 1,001 rules: the importer writes it, clients refuse it (at most 1,000
/// rules per flag).
fn too_many_rules() -> String {
    let mut chain: Vec<Json> = Vec::new();
    for i in 0..1001 {
        chain.push(json!({"==": [{"var": "n"}, format!("v{i}")]}));
        chain.push(json!("on"));
    }
    chain.push(json!("off"));
    json!({"flags": {"huge": {"state": "ENABLED", "variants": {"on": true, "off": false},
        "defaultVariant": "off", "targeting": {"if": chain}}}})
    .to_string()
}

#[test]
fn an_import_clients_would_refuse_is_a_422_in_the_dry_run_too_and_changes_nothing() {
    let server = Server::start(&["--admin-token", TOKEN]);
    let before = server.served_version();
    let audited = server.audit("").len();
    let file = too_many_rules();
    for query in ["?from=flagd", "?from=flagd&dryRun=false"] {
        let (status, answer) = import(&server, query, &file);
        assert_eq!(status, 422, "{query}: {answer}");
        assert_eq!(answer["error"], "invalid_flags", "{answer}");
        assert!(
            answer["message"].as_str().unwrap().contains("huge"),
            "{answer}"
        );
    }
    assert_eq!(server.served_version(), before);
    assert_eq!(server.audit("").len(), audited, "nothing audited");
    // A stale base is a 409 in the dry run as well.
    let (status, _) = import(&server, "?from=flagd&dryRun=false", FLAGD);
    assert_eq!(status, 200);
    let (status, stale) = import(&server, &format!("?from=flagd&base={before}"), FLAGD);
    assert_eq!(status, 409, "{stale}");
}

#[test]
fn a_reader_diffs_an_import_and_only_an_editor_applies_it() {
    let scratch = super::support::Scratch::new("vendor-import-roles");
    let state = scratch.s("state");
    let token = |name: &str, role: &str| {
        let (code, stdout, stderr) = super::support::edgeflag(&[
            "serve", "token", "create", "--name", name, "--role", role, "--state", &state,
        ]);
        assert_eq!(code, Some(0), "{stderr}");
        stdout
            .lines()
            .find_map(|l| l.strip_prefix("token "))
            .unwrap()
            .to_owned()
    };
    let reader = token("viewer", "reader");
    let editor = token("writer", "editor");
    let server = Server::start(&["--state", &state]);
    let before = server.served_version();
    let path = |q: &str| format!("/admin/environments/production/import{q}");
    let as_ = |t: &str, q: &str| server.admin_as(t, "POST", &path(q), &[], Some(FLAGD));
    assert_eq!(as_(&reader, "?from=flagd").status, 200);
    assert_eq!(as_(&reader, "?from=flagd&dryRun=false").status, 403);
    assert_eq!(server.served_version(), before);
    let missing = as_(&editor, "");
    assert_eq!(
        (missing.status, &missing.json()["field"]),
        (400, &json!("from"))
    );
    let applied = as_(&editor, "?from=flagd&dryRun=false");
    assert_eq!(applied.status, 200, "{}", applied.text());
    assert_eq!(applied.json()["applied"], true);
    let audit = server.admin_as(&editor, "GET", "/admin/audit?limit=1", &[], None);
    assert_eq!(audit.json()[0]["token"], "writer", "{}", audit.text());
    // Over the admin body limit (1 MiB): refused before it is read as a vendor file.
    let big = format!("{{\"flags\": {{}}, \"pad\": \"{}\"}}", "x".repeat(1 << 20));
    let r = server.admin_as(&editor, "POST", &path("?from=flagd"), &[], Some(&big));
    assert_eq!(r.status, 413, "{}", r.text());
}
