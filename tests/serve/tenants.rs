//! Flags from database columns (`--tenant-flags`): on SQLite (the state directory's store,
//! re-read every `--tenant-poll`) and on PostgreSQL (re-read at once through the trigger the
//! server installs). The tests write the tenants' table with sqlx, as an application would.

use super::postgres::Postgres;
use super::support::{eventually, Scratch, Server};
use serde_json::Value as Json;

/// Runs SQL statements on `url` (sqlite: or postgres:).
fn sql(url: &str, statements: &[&str]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(url).await.unwrap();
        for statement in statements {
            let statement = sqlx::AssertSqlSafe(statement.to_string());
            sqlx::query(statement).execute(&pool).await.unwrap();
        }
        pool.close().await;
    });
}

/// The tenant flag `key` as the admin API answers it.
fn flag(server: &Server, key: &str) -> Json {
    let response = server.admin("GET", &format!("/admin/flags/{key}"), None);
    assert_eq!(response.status, 200, "{}", response.text());
    response.json()
}

/// The tenants a boolean tenant flag serves `on` to.
fn on_for(server: &Server, key: &str) -> Json {
    flag(server, key)["rules"][0]["conditions"][0]["values"].clone()
}

/// The query every test serves.
const QUERY: &str = "SELECT id, beta, plan FROM tenants";

#[test]
fn sqlite_columns_become_flags_and_a_change_is_published() {
    let scratch = Scratch::new("tenants-sqlite");
    std::fs::create_dir_all(scratch.path("state")).unwrap();
    let url = format!("sqlite://{}?mode=rwc", scratch.s("state/edgeflag.db"));
    sql(&url, &[
        "CREATE TABLE tenants (id TEXT PRIMARY KEY, beta BOOLEAN, plan TEXT)",
        "INSERT INTO tenants VALUES ('acme', 1, 'pro'), ('globex', 0, 'free'), ('initech', 1, NULL)",
    ]);
    let state = scratch.s("state");
    let server = Server::start(&[
        "--state",
        &state,
        "--tenant-flags",
        QUERY,
        "--tenant-poll",
        "1s",
    ]);
    assert_eq!(
        on_for(&server, "beta"),
        serde_json::json!(["acme", "initech"])
    );
    let plan = flag(&server, "plan");
    assert_eq!(plan["type"], "string");
    assert_eq!(
        plan["variants"]["off"], "",
        "tenants without a plan get the off variant"
    );
    // What the browsers get: the snapshot carries the flags, verified under the printed key.
    let (_, snapshot) = server.verified(&server.get("/snapshot").body);
    let mut context = edgeflag::Context::new();
    context.set("targetingKey", "u1".into());
    context.set("tenantId", "acme".into());
    assert!(snapshot.bool(
        "beta",
        &snapshot.context(&context),
        false,
        super::support::now_ms()
    ));
    context.set("tenantId", "globex".into());
    assert!(!snapshot.bool(
        "beta",
        &snapshot.context(&context),
        true,
        super::support::now_ms()
    ));
    let before = server.served_version();
    sql(&url, &["UPDATE tenants SET beta = 1 WHERE id = 'globex'"]);
    eventually("the new column value is published", || {
        on_for(&server, "beta") == serde_json::json!(["acme", "globex", "initech"])
    });
    assert!(server.served_version() > before);
    // The column is the flag's source: admin changes are refused.
    let refused = server.admin("POST", "/admin/flags/beta/kill", None);
    assert_eq!(refused.status, 409, "{}", refused.text());
    assert_eq!(refused.json()["error"], "managed");
    let audit = server.admin("GET", "/admin/audit", None).json();
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["source"] == "tenants"),
        "{audit}"
    );
}

#[test]
fn a_flag_defined_both_ways_is_refused_at_start_naming_it() {
    let scratch = Scratch::new("tenants-conflict");
    std::fs::create_dir_all(scratch.path("state")).unwrap();
    let url = format!("sqlite://{}?mode=rwc", scratch.s("state/edgeflag.db"));
    // `new-checkout` is a flag of the embedded example the store starts with.
    sql(
        &url,
        &[
            "CREATE TABLE tenants (id TEXT PRIMARY KEY, \"new-checkout\" BOOLEAN)",
            "INSERT INTO tenants VALUES ('acme', 1)",
        ],
    );
    let state = scratch.s("state");
    let (code, stderr) = Server::try_start(&[
        "--state",
        &state,
        "--tenant-flags",
        "SELECT id, \"new-checkout\" FROM tenants",
    ])
    .err()
    .expect("a conflicting tenant flag must not start");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("\"new-checkout\" is defined both"),
        "{stderr}"
    );
}

#[test]
fn postgres_re_publishes_at_once_through_the_installed_trigger() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.database("tenants");
    sql(&url, &[
        "CREATE TABLE tenants (id TEXT PRIMARY KEY, beta BOOLEAN, plan TEXT, limits JSONB, seats INTEGER)",
        "INSERT INTO tenants VALUES ('acme', true, 'pro', '{\"api\": 100}', 10), ('globex', false, 'free', NULL, 2)",
    ]);
    // A poll far away: only the trigger's notification can publish the change in time.
    let server = Server::start(&[
        "--database",
        &url,
        "--tenant-flags",
        "SELECT id, beta, plan, limits, seats FROM tenants",
        "--tenant-poll",
        "1h",
    ]);
    assert_eq!(on_for(&server, "beta"), serde_json::json!(["acme"]));
    assert_eq!(flag(&server, "limits")["type"], "object");
    assert_eq!(flag(&server, "seats")["type"], "number");
    sql(
        &url,
        &["UPDATE tenants SET beta = true WHERE id = 'globex'"],
    );
    eventually("the trigger's notification re-publishes", || {
        on_for(&server, "beta") == serde_json::json!(["acme", "globex"])
    });
    sql(&url, &["DELETE FROM tenants WHERE id = 'acme'"]);
    eventually("a deleted tenant gets the off variant", || {
        on_for(&server, "beta") == serde_json::json!(["globex"])
    });
}
