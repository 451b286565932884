//! What the admin API reports: `GET /admin/status` (every environment's version and key, the
//! store's health, the last refused change), `GET /admin/environments`, an environment's
//! whole document (`GET /admin/flags`, `GET /admin/environments/{env}`), and the audit trail
//! (`GET /admin/audit?env=&flag=&token=&limit=&format=jsonl`).

use super::allow;
use super::query::Query;
use super::reply::{bad_request, refused};
use crate::app::App;
use crate::change::{assemble, ChangeError};
use crate::document::Document;
use crate::respond::{error, json, json_text};
use crate::store::{self, AuditFilter, Role};
use crate::template::instant;
use crate::token::Principal;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use edgeflag::{Number, Value};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};

/// One environment as status and the environment list show it.
fn environment_value(app: &App, name: &str) -> Value {
    let Some(environment) = app.environment(name) else {
        return Value::Null;
    };
    let current = environment.current();
    let key = &environment.key;
    Value::Object(vec![
        ("name".into(), Value::from(name)),
        (
            "default".into(),
            Value::Bool(app.default_environment().is_some_and(|d| d.name == name)),
        ),
        (
            "version".into(),
            Value::Number(Number::from_u64(current.version)),
        ),
        ("owner".into(), Value::from(current.owner.as_str())),
        ("issuedAt".into(), instant(current.issued_at)),
        ("expiresAt".into(), instant(current.expires_at)),
        ("lastPublishedAt".into(), instant(current.published_at)),
        ("etag".into(), Value::from(current.etag.as_str())),
        ("keyid".into(), Value::from(key.keyid().as_str())),
        (
            "publicKey".into(),
            Value::from(key.public_key().to_string().as_str()),
        ),
    ])
}

/// `GET /admin/status` (a token restricted to some environments sees only theirs).
pub(crate) async fn status(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
) -> Response {
    // The default environment's fields come first, where the first admin API had them.
    let mut members = match app
        .default_environment()
        .filter(|d| who.may_use(&d.name))
        .map(|d| environment_value(&app, &d.name))
    {
        Some(Value::Object(members)) => members
            .into_iter()
            .filter(|(k, _)| !matches!(&**k, "name" | "default"))
            .collect(),
        _ => Vec::new(),
    };
    if let Some(default) = app.default_environment().filter(|d| who.may_use(&d.name)) {
        members.insert(
            2,
            ("environment".into(), Value::from(default.name.as_str())),
        );
    }
    let health = app.health();
    let refused = app
        .last_refused
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
        .filter(|r| who.may_use(&r.environment))
        .map_or(Value::Null, |r| {
            Value::Object(vec![
                ("at".into(), instant(r.at)),
                ("source".into(), Value::from(r.source)),
                ("environment".into(), Value::from(r.environment.as_str())),
                ("error".into(), Value::from(r.error.as_str())),
            ])
        });
    let database = Value::Object(vec![
        (
            "location".into(),
            Value::from(app.store.location().display().as_str()),
        ),
        ("available".into(), Value::Bool(health.outage.is_none())),
        (
            "error".into(),
            health
                .outage
                .as_ref()
                .map_or(Value::Null, |(e, _)| Value::from(e.as_str())),
        ),
        (
            "unavailableSince".into(),
            health
                .outage
                .as_ref()
                .map_or(Value::Null, |(_, since)| instant(*since)),
        ),
    ]);
    let path =
        |p: Option<&std::path::Path>| p.map_or(Value::Null, |p| Value::from(&*p.to_string_lossy()));
    members.extend([
        (
            "subscribers".into(),
            Value::Number(Number::from_u64(
                app.subscribers.load(Ordering::Relaxed) as u64
            )),
        ),
        ("flagsFile".into(), path(app.flags_path.as_deref())),
        (
            "flagsFileRefused".into(),
            Value::Bool(app.flags_file().refused),
        ),
        ("database".into(), database),
        (
            "environments".into(),
            Value::Array(
                app.environments
                    .iter()
                    .filter(|e| who.may_use(&e.name))
                    .map(|e| environment_value(&app, &e.name))
                    .collect(),
            ),
        ),
        ("lastRefused".into(), refused),
    ]);
    json(StatusCode::OK, &Value::Object(members))
}

/// `GET /admin/environments`: the environments this token may see.
pub(crate) async fn environments(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
) -> Response {
    let list: Vec<Value> = app
        .environments
        .iter()
        .filter(|e| who.may_use(&e.name))
        .map(|e| environment_value(&app, &e.name))
        .collect();
    json(
        StatusCode::OK,
        &Value::Object(vec![("environments".into(), Value::Array(list))]),
    )
}

/// Environment `name`'s document as stored, for a reader of it (404 for an environment not
/// served, 403 for a token that may not read it, 503 while the store is away).
pub(crate) async fn read_document(
    app: &App,
    who: &Principal,
    name: &str,
) -> Result<Document, Response> {
    let not_found = || {
        error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no environment \"{name}\""),
            None,
        )
    };
    if app.environment(name).is_none() {
        return Err(not_found());
    }
    allow(who, Role::Reader, Some(name))?;
    let pool = app.store.pool();
    let rows = store::environments::list(pool)
        .await
        .map_err(|e| refused(&ChangeError::Store(e)))?;
    let row = rows
        .into_iter()
        .find(|r| r.name == name)
        .ok_or_else(not_found)?;
    let stored = store::definitions::load(pool, name, false)
        .await
        .map_err(|e| refused(&ChangeError::Store(e)))?;
    Ok(assemble(&row, &stored))
}

/// `GET /admin/flags` and `GET /admin/environments/{env}`: the whole flags document.
pub(crate) async fn document(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    params: Option<Path<HashMap<String, String>>>,
) -> Response {
    let name = match params.as_ref().and_then(|p| p.0.get("env").cloned()) {
        Some(name) => name,
        None => app
            .default_environment()
            .map(|e| e.name.clone())
            .unwrap_or_default(),
    };
    match read_document(&app, &who, &name).await {
        Ok(document) => json(StatusCode::OK, &document.to_template()),
        Err(response) => response,
    }
}

/// `GET /admin/audit?env=&flag=&token=&limit=&format=jsonl`: the entries, oldest first
/// (with `limit`, the newest N), as a JSON array or as JSON Lines (the export, which
/// `edgeflag audit verify` checks). A token restricted to some environments sees theirs.
pub(crate) async fn audit(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    RawQuery(raw): RawQuery,
) -> Response {
    let query = match Query::parse(raw.as_deref(), &["env", "flag", "token", "limit", "format"]) {
        Ok(q) => q,
        Err(b) => return bad_request(&b),
    };
    let limit = match query.number("limit") {
        Ok(limit) => limit,
        Err(b) => return bad_request(&b),
    };
    let jsonl = match query.get("format") {
        None | Some("json") => false,
        Some("jsonl") => true,
        Some(other) => {
            return bad_request(&crate::patch::bad(
                "format",
                format!("expected json or jsonl, found \"{other}\""),
            ))
        }
    };
    if let Some(env) = query.get("env") {
        if app.environment(env).is_none() {
            return error(
                StatusCode::NOT_FOUND,
                "not_found",
                &format!("no environment \"{env}\""),
                None,
            );
        }
        if let Err(response) = allow(&who, Role::Reader, Some(env)) {
            return response;
        }
    }
    let filter = AuditFilter {
        environment: query.get("env").map(str::to_owned),
        environments: who.environments.clone(),
        flag: query.get("flag").map(str::to_owned),
        token: query.get("token").map(str::to_owned),
        limit,
    };
    match store::audit::list(app.store.pool(), &filter).await {
        Ok(rows) if jsonl => {
            let mut text = String::new();
            for row in rows {
                text.push_str(&row.line);
                text.push('\n');
            }
            ([(CONTENT_TYPE, "application/jsonl")], text).into_response()
        }
        Ok(rows) => {
            let lines: Vec<&str> = rows.iter().map(|r| r.line.as_str()).collect();
            json_text(StatusCode::OK, format!("[{}]", lines.join(",")))
        }
        Err(e) => refused(&ChangeError::Store(e)),
    }
}

/// `GET /admin/whoami`: the token's name, role and environments (what the UI shows and
/// which controls it offers).
pub(crate) async fn whoami(Extension(who): Extension<Principal>) -> Response {
    let environments = who.environments.as_ref().map_or(Value::Null, |list| {
        Value::Array(list.iter().map(|e| Value::from(e.as_str())).collect())
    });
    json(
        StatusCode::OK,
        &Value::Object(vec![
            ("name".into(), Value::from(who.name.as_str())),
            ("role".into(), Value::from(who.role.as_str())),
            ("environments".into(), environments),
            ("sdk".into(), Value::Bool(crate::ui::has_sdk())),
        ]),
    )
}

/// `GET /admin/environments/{env}/lint`: what `edgeflag lint` says of the environment's
/// document now: `{"warnings": [{"kind", "key", "path", "message"}]}` (flags past
/// `metadata.expiresAt`, unreachable rules, unused segments, flags that serve one variant to
/// everyone).
pub(crate) async fn lint(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    Path(name): Path<String>,
) -> Response {
    let template = match read_document(&app, &who, &name).await {
        Ok(document) => document.to_template(),
        Err(response) => return response,
    };
    let warnings = match app.publisher.check(&template, crate::now_ms()) {
        Ok(warnings) => warnings,
        Err(invalid) => {
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_flags",
                &invalid.0,
                None,
            )
        }
    };
    let items: Vec<Value> = warnings
        .iter()
        .map(|w| {
            // Paths name the definition first: `flags.KEY...` or `segments.KEY`.
            let tail = |member: &str| {
                let rest = w.path.strip_prefix(member)?;
                rest.strip_prefix('.')
                    .or_else(|| rest.starts_with('[').then_some(rest))
            };
            let (kind, rest) = match (tail("flags"), tail("segments")) {
                (Some(rest), _) => ("flag", rest),
                (_, Some(rest)) => ("segment", rest),
                _ => ("document", w.path.as_str()),
            };
            let key = crate::admin::lint_key(rest);
            Value::Object(vec![
                ("kind".into(), Value::from(kind)),
                ("key".into(), Value::from(key.as_str())),
                ("path".into(), Value::from(w.path.as_str())),
                ("message".into(), Value::from(w.message.as_str())),
            ])
        })
        .collect();
    json(
        StatusCode::OK,
        &Value::Object(vec![
            ("environment".into(), Value::from(name.as_str())),
            ("warnings".into(), Value::Array(items)),
        ]),
    )
}
