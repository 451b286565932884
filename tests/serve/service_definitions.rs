//! The service end to end, continued: flags and segments created, read, replaced (If-Match),
//! patched, killed and archived per environment; dry runs, which preview and publish nothing.

use super::service::{rollout, served, service, snapshot, Keys};
use super::support::{payload, Scratch};
use serde_json::{json, Value as Json};

#[test]
fn flags_are_created_read_replaced_patched_killed_and_archived_per_environment() {
    let scratch = Scratch::new("service-flags");
    let keys = Keys::new(&scratch);
    let server = service(&scratch, &keys);
    let flags = "/admin/environments/staging/flags";
    let item = "/admin/environments/staging/flags/ramp";
    let body = json!({"key": "ramp", "flag": rollout(50_000)}).to_string();
    let created = server.admin("POST", flags, Some(&body));
    assert_eq!(created.status, 200, "{}", created.text());
    let etag = created.header("etag").unwrap().to_owned();
    let answer = created.json();
    assert_eq!(
        (&answer["environment"], &answer["kind"], &answer["key"]),
        (&json!("staging"), &json!("flag"), &json!("ramp"))
    );
    assert_eq!(answer["document"], rollout(50_000));
    assert_eq!(
        answer["changes"],
        json!([{"path": "flags.ramp", "old": null, "new": rollout(50_000)}])
    );
    let exists = server.admin("POST", flags, Some(&body));
    assert_eq!(
        (exists.status, &exists.json()["error"]),
        (409, &json!("exists"))
    );
    assert!(payload(&snapshot(&server, "staging").body)["flags"]["ramp"].is_object());
    let absent = server.admin("GET", "/admin/environments/production/flags/ramp", None);
    assert_eq!(absent.status, 404, "other environments are not touched");

    let read = server.admin("GET", item, None);
    assert_eq!(
        (read.status, read.header("etag")),
        (200, Some(etag.as_str()))
    );
    assert_eq!(read.json(), rollout(50_000));

    // A replace made against an older read is refused with what is there now.
    let version = served(&server, &keys, "staging");
    let replacement = rollout(100_000).to_string();
    let stale = server.admin_with("PUT", item, &[("If-Match", "\"0123\"")], Some(&replacement));
    assert_eq!(stale.status, 412, "{}", stale.text());
    assert_eq!(stale.header("etag"), Some(etag.as_str()));
    let refused = stale.json();
    assert_eq!(
        (&refused["error"], &refused["current"], &refused["etag"]),
        (&json!("stale"), &rollout(50_000), &json!(etag))
    );
    assert_eq!(
        served(&server, &keys, "staging"),
        version,
        "nothing was published"
    );
    let replaced = server.admin_with("PUT", item, &[("If-Match", &etag)], Some(&replacement));
    assert_eq!(replaced.status, 200, "{}", replaced.text());
    let new_etag = replaced.header("etag").unwrap().to_owned();
    assert_ne!(new_etag, etag);
    assert!(replaced.json()["version"].as_u64().unwrap() > version);
    let again = server.admin_with("PUT", item, &[("If-Match", &etag)], Some(&replacement));
    assert_eq!(again.status, 412, "the old ETag is stale now");

    let patched = server.admin("PATCH", item, Some(r#"{"variant": "off"}"#));
    assert_eq!(patched.status, 200, "{}", patched.text());
    assert_eq!(
        patched.json()["document"]["defaultServe"],
        json!({"variant": "off"})
    );
    let killed = server.admin("POST", &format!("{item}/kill"), None);
    assert_eq!(killed.json()["document"]["enabled"], false);

    // Archived: out of the snapshot, out of the list, kept with ?archived=true.
    let archived = server.admin("DELETE", item, None);
    assert_eq!(archived.status, 200, "{}", archived.text());
    assert_eq!(archived.json()["document"], Json::Null);
    assert_eq!(
        payload(&snapshot(&server, "staging").body)["flags"].get("ramp"),
        None
    );
    assert_eq!(server.admin("GET", item, None).status, 404);
    let keys_listed = |query: &str| -> Vec<(String, bool)> {
        let list = server.admin("GET", &format!("{flags}{query}"), None).json();
        list["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["key"].as_str().unwrap().to_owned(),
                    f["archived"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    assert!(!keys_listed("").iter().any(|(k, _)| k == "ramp"));
    assert!(keys_listed("?archived=true").contains(&("ramp".to_owned(), true)));
    let recreated = server.admin("POST", flags, Some(&body));
    assert_eq!(recreated.status, 200, "{}", recreated.text());
    assert_eq!(
        payload(&snapshot(&server, "staging").body)["flags"]["ramp"],
        rollout(50_000)
    );
    let actions: Vec<Json> = server
        .audit("?env=staging&flag=ramp")
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(
        actions,
        ["create", "replace", "patch", "kill", "archive", "create"]
    );
}

#[test]
fn segments_are_created_replaced_and_archived_like_flags() {
    let scratch = Scratch::new("service-segments");
    let keys = Keys::new(&scratch);
    let server = service(&scratch, &keys);
    let segments = "/admin/environments/staging/segments";
    let item = "/admin/environments/staging/segments/vip";
    let segment = json!({"included": ["user-vip"], "excluded": [], "rules": []});
    let body = json!({"key": "vip", "segment": segment}).to_string();
    let created = server.admin("POST", segments, Some(&body));
    assert_eq!(created.status, 200, "{}", created.text());
    assert_eq!(
        (&created.json()["kind"], &created.json()["segment"]),
        (&json!("segment"), &json!("vip"))
    );
    assert_eq!(server.admin("POST", segments, Some(&body)).status, 409);
    let etag = created.header("etag").unwrap().to_owned();
    let read = server.admin("GET", item, None);
    assert_eq!(
        (read.header("etag"), read.json()),
        (Some(etag.as_str()), segment.clone())
    );

    let replacement = r#"{"included": ["user-vip", "user-vip-2"]}"#;
    let stale = server.admin_with("PUT", item, &[("If-Match", "\"0123\"")], Some(replacement));
    assert_eq!(
        (stale.status, stale.header("etag")),
        (412, Some(etag.as_str()))
    );
    assert_eq!(stale.json()["current"], segment);
    let replaced = server.admin_with("PUT", item, &[("If-Match", &etag)], Some(replacement));
    assert_eq!(replaced.status, 200, "{}", replaced.text());
    let signed = payload(&snapshot(&server, "staging").body);
    assert_eq!(
        signed["segments"]["vip"]["included"],
        json!(["user-vip", "user-vip-2"])
    );

    // A segment a flag still uses cannot go: the result would not load (422, the path).
    let version = served(&server, &keys, "staging");
    let in_use = server.admin(
        "DELETE",
        "/admin/environments/staging/segments/beta-testers",
        None,
    );
    assert_eq!(in_use.status, 422, "{}", in_use.text());
    let message = in_use.json()["message"].as_str().unwrap().to_owned();
    assert!(
        message.starts_with("flags.new-checkout.rules[2].conditions[0].values[0]: "),
        "{message}"
    );
    assert_eq!(served(&server, &keys, "staging"), version);

    let archived = server.admin("DELETE", item, None);
    assert_eq!(archived.status, 200, "{}", archived.text());
    assert_eq!(
        payload(&snapshot(&server, "staging").body)["segments"].get("vip"),
        None
    );
    assert_eq!(server.admin("GET", item, None).status, 404);
    let listed = server
        .admin("GET", &format!("{segments}?archived=true"), None)
        .json();
    let vip = listed["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == "vip")
        .cloned();
    assert_eq!(
        vip.map(|s| (s["archived"].clone(), s["updatedBy"].clone())),
        Some((json!(true), json!("operator")))
    );
    assert_eq!(
        server.admin("POST", segments, Some(&body)).status,
        200,
        "re-created"
    );
    assert_eq!(
        payload(&snapshot(&server, "staging").body)["segments"]["vip"],
        segment
    );
}

#[test]
fn a_dry_run_previews_the_change_and_publishes_nothing() {
    let scratch = Scratch::new("service-dry-run");
    let keys = Keys::new(&scratch);
    let server = service(&scratch, &keys);
    let body = json!({"key": "ramp", "flag": rollout(50_000)}).to_string();
    let created = server.admin("POST", "/admin/environments/staging/flags", Some(&body));
    assert_eq!(created.status, 200, "{}", created.text());
    let item = "/admin/environments/staging/flags/ramp";
    let etag = server
        .admin("GET", item, None)
        .header("etag")
        .unwrap()
        .to_owned();
    let before = snapshot(&server, "staging");
    let version = served(&server, &keys, "staging");

    // From 50% to 100%: about half the sample moves from off to on.
    let full = rollout(100_000).to_string();
    let dry = server.admin("PUT", &format!("{item}?dryRun=true"), Some(&full));
    assert_eq!(dry.status, 200, "{}", dry.text());
    let answer = dry.json();
    assert_eq!(answer["dryRun"], true);
    assert_eq!(
        (answer["oldVersion"].as_u64(), answer["version"].as_u64()),
        (Some(version), Some(version))
    );
    assert_eq!(answer["document"], rollout(100_000));
    let preview = &answer["preview"];
    let (sampled, changed) = (
        preview["sampled"].as_u64().unwrap(),
        preview["changed"].as_u64().unwrap(),
    );
    let share = preview["share"].as_f64().unwrap();
    assert!(sampled > 0 && changed > 0 && changed < sampled, "{preview}");
    assert!(share > 0.0 && share < 1.0, "{preview}");
    assert!(
        (share - changed as f64 / sampled as f64).abs() < 0.000_1,
        "{preview}"
    );
    assert_eq!(preview["after"], json!({"on": sampled, "off": 0}));
    assert_eq!(
        preview["before"]["off"], changed,
        "exactly those served off move"
    );

    // The same change as a PATCH (by and salt kept) moves the same units.
    let patch = r#"{"rollout": {"weights": [{"variant": "on", "weight": 100000}, {"variant": "off", "weight": 0}]}}"#;
    let dry_patch = server
        .admin("PATCH", &format!("{item}?dryRun=true"), Some(patch))
        .json();
    assert_eq!(dry_patch["preview"]["changed"], changed);

    let after = snapshot(&server, "staging");
    assert_eq!(
        (after.header("etag"), &after.body),
        (before.header("etag"), &before.body)
    );
    assert_eq!(server.admin("GET", item, None).json(), rollout(50_000));
    assert_eq!(
        server.admin("GET", item, None).header("etag"),
        Some(etag.as_str())
    );
    assert_eq!(server.audit("").len(), 1, "only the create");
}
