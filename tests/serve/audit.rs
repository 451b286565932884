//! The audit trail through the admin API: every change an entry, chained, listed with
//! `GET /admin/audit` (filters, limit) and exported as JSON Lines (`?format=jsonl`), which
//! `edgeflag audit verify` checks, naming the first entry that was rewritten.

use super::support::{edgeflag, jsonl, now_ms, sha256_hex, Scratch, Server};
use serde_json::{json, Value as Json};

const TOKEN: &str = "audit-token-0123456789abcdef";

#[test]
fn every_change_is_an_audit_entry_chained_and_listed() {
    let state = Scratch::new("audit");
    let server = Server::start(&["--state", &state.s("state"), "--admin-token", TOKEN]);
    let before = server.admin("GET", "/admin/flags/banner", None).json();
    let first = server
        .admin("POST", "/admin/flags/banner/kill", None)
        .json();
    let body = r#"{"variant": "eu-promo", "rule": 0}"#;
    let second = server
        .admin("PATCH", "/admin/flags/free-shipping-threshold", Some(body))
        .json();

    let entries = server.audit("");
    assert_eq!(entries.len(), 2);
    let at = edgeflag::unstable::time::parse_rfc3339(entries[0]["at"].as_str().unwrap()).unwrap();
    assert!((now_ms() - at).abs() < 60_000);
    assert_eq!(
        entries[0],
        json!({"prev": null, "seq": 1, "at": entries[0]["at"], "source": "admin",
            "token": "operator", "environment": "production", "action": "kill", "kind": "flag",
            "key": "banner", "before": before, "after": first["document"],
            "changes": [{"path": "flags.banner.enabled", "old": null, "new": false}],
            "oldVersion": server.version, "newVersion": first["version"]})
    );
    assert_eq!(entries[1]["seq"], 2);
    assert_eq!(entries[1]["action"], "patch");
    assert_eq!(entries[1]["key"], "free-shipping-threshold");
    assert_eq!(entries[1]["after"], second["document"]);
    assert_eq!(entries[1]["oldVersion"], first["version"]);
    assert_eq!(entries[1]["newVersion"], second["version"]);
    assert_eq!(
        entries[1]["changes"],
        json!([{"path": "flags.free-shipping-threshold.rules[0].serve.variant", "old": "members", "new": "eu-promo"}])
    );

    // The export is exactly the chained lines: the second names the SHA-256 of the first.
    let export = server.export();
    assert!(!export.contains(TOKEN), "the token itself is never written");
    assert_eq!(jsonl(&export), entries);
    let lines: Vec<&str> = export.lines().collect();
    assert_eq!(entries[1]["prev"], sha256_hex(lines[0]));
    assert_eq!(server.audit("?limit=1"), [entries[1].clone()]);
    assert_eq!(server.audit("?flag=banner"), [entries[0].clone()]);
    assert_eq!(server.audit("?env=production&token=operator"), entries);
    assert_eq!(server.audit("?token=ci"), Vec::<Json>::new());
    let format = server.admin("GET", "/admin/audit?format=xml", None);
    assert_eq!(
        (format.status, &format.json()["field"]),
        (400, &json!("format"))
    );

    // Durable: what was answered is in the store after a SIGKILL, byte for byte.
    drop(server);
    let restarted = Server::start(&["--state", &state.s("state")]);
    assert_eq!(restarted.export(), export);
    // A generated token is named `generated`.
    let killed = restarted.admin("POST", "/admin/flags/new-checkout/kill", None);
    assert_eq!(killed.status, 200);
    let newest = restarted.audit("?limit=1");
    assert_eq!(
        (newest[0]["token"].clone(), newest[0]["seq"].clone()),
        (json!("generated"), json!(3))
    );
}

#[test]
fn audit_verify_checks_the_chain_and_names_the_first_entry_that_was_rewritten() {
    let state = Scratch::new("audit-verify");
    let server = Server::start(&["--state", &state.s("state"), "--admin-token", TOKEN]);
    for flag in ["banner", "new-checkout", "checkout-button-color"] {
        let killed = server.admin("POST", &format!("/admin/flags/{flag}/kill"), None);
        assert_eq!(killed.status, 200);
    }
    let export = server.export();
    let path = state.path("audit.jsonl");
    std::fs::write(&path, &export).unwrap();
    let file = path.to_str().unwrap();
    assert_eq!(
        edgeflag(&["audit", "verify", file]),
        (Some(0), "ok 3 entries\n".into(), String::new())
    );
    drop(server);
    let store = edgeflag(&["audit", "verify", &state.s("state")]);
    assert_eq!(store, (Some(0), "ok 3 entries\n".into(), String::new()));

    // Someone rewrites history: the second entry now says another flag was killed.
    let rewritten = export.replacen("\"key\":\"new-checkout\"", "\"key\":\"banner\"", 1);
    assert_ne!(rewritten, export);
    std::fs::write(&path, &rewritten).unwrap();
    let (code, stdout, stderr) = edgeflag(&["audit", "verify", file]);
    assert_eq!((code, stdout.as_str()), (Some(1), ""));
    assert!(
        stderr.starts_with(&format!("edgeflag audit verify: {file}: entry 3: prev is ")),
        "{stderr}"
    );
    // An entry removed is named too.
    let mut lines: Vec<&str> = export.lines().collect();
    lines.remove(0);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (code, _, stderr) = edgeflag(&["audit", "verify", file]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains(": entry 1: "), "{stderr}");

    // A torn last line from a crash is reported, not counted.
    std::fs::write(&path, format!("{export}{{\"prev\":\"ab")).unwrap();
    let (code, stdout, _) = edgeflag(&["audit", "verify", file]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.starts_with("ok 3 entries (and a torn last line of 11 bytes"),
        "{stdout}"
    );
}
