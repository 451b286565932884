//! The admin API, behind `Authorization: Bearer <token>` (401 otherwise; 429 with
//! `Retry-After` for an address after ten failures in a minute, see `throttle`):
//! `GET /admin/flags`, `PATCH /admin/flags/{key}`, `POST /admin/flags/{key}/kill`,
//! `GET /admin/status` and `GET /admin/audit[?limit=N]`.
//!
//! A change answers 400 (malformed body, naming the field), 404 (no such flag), 409 (the
//! `--flags` file holds an edit not yet published, or a refused one), 422 (the result would
//! not load in clients: the load error, nothing published) or 500 (a state file could not
//! be written: nothing published). A change that changes nothing (killing a killed flag)
//! answers 200 with `"changed": false` and publishes nothing.

use super::app::{App, Cause, Refusal};
use super::apply::{apply, member_mut};
use super::listen::peer;
use super::patch::{self, Patch};
use super::publisher::PublishError;
use super::respond::{error, json, json_text};
use super::template::{instant, Change};
use super::{log, now_ms};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use edgeflag::Number;
use edgeflag::Value;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Lets a request through only with the admin token.
pub(crate) async fn authorize(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    let address = peer(&request).map(|a| a.ip());
    let now = std::time::Instant::now();
    if let Some(wait) = address.and_then(|a| app.auth_throttle.check(a, now).err()) {
        let refusal = error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_failures",
            &format!(
                "too many failed authentications from this address; retry in {} s",
                wait.as_secs() + 1
            ),
            None,
        );
        return ([(RETRY_AFTER, (wait.as_secs() + 1).to_string())], refusal).into_response();
    }
    let authorized = request
        .headers()
        .get(AUTHORIZATION)
        .is_some_and(|value| app.token.authorizes(value.as_bytes()));
    if !authorized {
        if let Some(address) = address {
            app.auth_throttle.failed(address, now);
        }
        let refusal = error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or wrong admin token (Authorization: Bearer <token>)",
            None,
        );
        return (
            [(WWW_AUTHENTICATE, "Bearer realm=\"edgeflag admin\"")],
            refusal,
        )
            .into_response();
    }
    next.run(request).await
}

/// Runs `work` where blocking is allowed: anything that takes the document lock (its
/// holders `fsync`) or reads files.
async fn blocking(app: Arc<App>, work: impl FnOnce(&App) -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(move || work(&app))
        .await
        .unwrap_or_else(|_| {
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the request failed",
                None,
            )
        })
}

/// `GET /admin/flags`: the flags document being served.
pub(crate) async fn flags(State(app): State<Arc<App>>) -> Response {
    blocking(app, |app| json(StatusCode::OK, &app.lock().template)).await
}

/// `PATCH /admin/flags/{key}`.
pub(crate) async fn patch(
    State(app): State<Arc<App>>,
    Path(key): Path<String>,
    body: Bytes,
) -> Response {
    match patch::parse(&body) {
        Ok(patch) => blocking(app, move |app| change(app, &key, &patch, "patch")).await,
        Err(bad) => error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            &format!("{}: {}", bad.field, bad.message),
            Some(&bad.field),
        ),
    }
}

/// `POST /admin/flags/{key}/kill`: `enabled: false` (the body is ignored).
pub(crate) async fn kill(State(app): State<Arc<App>>, Path(key): Path<String>) -> Response {
    blocking(app, move |app| change(app, &key, &Patch::kill(), "kill")).await
}

/// Applies `patch` to flag `key` and publishes the result.
fn change(app: &App, key: &str, patch: &Patch, action: &'static str) -> Response {
    let now = now_ms();
    let mut core = app.lock();
    let mut template = core.template.clone();
    let Some(flag) = member_mut(&mut template, "flags").and_then(|flags| member_mut(flags, key))
    else {
        return error(
            StatusCode::NOT_FOUND,
            "unknown_flag",
            &format!("no flag \"{key}\""),
            None,
        );
    };
    if let Err(bad) = apply(flag, patch) {
        let message = format!("{}: {}", bad.field, bad.message);
        return error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            &message,
            Some(&bad.field),
        );
    }
    if template == core.template {
        let version = core.current.version;
        return json(
            StatusCode::OK,
            &changed(key, false, version, version, &[], &[]),
        );
    }
    match app.publish(&mut core, template, Cause::Admin { action, flag: key }, now) {
        Ok(outcome) => {
            let version = outcome.published.version;
            log(&format!(
                "admin {}: {action} {key}: published version {version}",
                app.token.fingerprint()
            ));
            let warnings: Vec<String> = outcome.warnings.iter().map(ToString::to_string).collect();
            let body = changed(
                key,
                true,
                outcome.old_version,
                version,
                &outcome.changes,
                &warnings,
            );
            json(StatusCode::OK, &body)
        }
        Err(PublishError::Invalid(message)) => {
            core.last_refused = Some(Refusal {
                at: now,
                source: "admin",
                error: message.clone(),
            });
            error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_flags",
                &message,
                None,
            )
        }
        Err(PublishError::Conflict(message)) => {
            error(StatusCode::CONFLICT, "conflict", &message, None)
        }
        Err(PublishError::Io(message)) => {
            log(&format!("admin: {action} {key}: {message}"));
            error(StatusCode::INTERNAL_SERVER_ERROR, "io", &message, None)
        }
    }
}

/// The answer to a change.
fn changed(
    key: &str,
    changed: bool,
    old: u64,
    new: u64,
    changes: &[Change],
    warnings: &[String],
) -> Value {
    Value::Object(vec![
        ("flag".into(), Value::from(key)),
        ("changed".into(), Value::Bool(changed)),
        ("oldVersion".into(), Value::Number(Number::from_u64(old))),
        ("version".into(), Value::Number(Number::from_u64(new))),
        (
            "changes".into(),
            Value::Array(changes.iter().map(Change::to_value).collect()),
        ),
        (
            "warnings".into(),
            Value::Array(warnings.iter().map(|w| Value::from(w.as_str())).collect()),
        ),
    ])
}

/// `GET /admin/status`.
pub(crate) async fn status(State(app): State<Arc<App>>) -> Response {
    blocking(app, |app| json(StatusCode::OK, &status_value(app))).await
}

/// What `GET /admin/status` says.
fn status_value(app: &App) -> Value {
    let core = app.lock();
    let current = &core.current;
    let key = app.publisher.key();
    let path =
        |p: Option<&std::path::Path>| p.map_or(Value::Null, |p| Value::from(&*p.to_string_lossy()));
    let refused = core.last_refused.as_ref().map_or(Value::Null, |r| {
        Value::Object(vec![
            ("at".into(), instant(r.at)),
            ("source".into(), Value::from(r.source)),
            ("error".into(), Value::from(r.error.as_str())),
        ])
    });
    let subscribers = app.subscribers.load(Ordering::Relaxed);
    Value::Object(vec![
        (
            "version".into(),
            Value::Number(Number::from_u64(current.version)),
        ),
        ("owner".into(), Value::from(current.owner.as_str())),
        (
            "environment".into(),
            Value::from(current.environment.as_str()),
        ),
        ("issuedAt".into(), instant(current.issued_at)),
        ("expiresAt".into(), instant(current.expires_at)),
        ("lastPublishedAt".into(), instant(current.published_at)),
        ("etag".into(), Value::from(current.etag.as_str())),
        ("keyid".into(), Value::from(key.keyid().as_str())),
        (
            "publicKey".into(),
            Value::from(key.public_key().to_string().as_str()),
        ),
        (
            "subscribers".into(),
            Value::Number(Number::from_u64(subscribers as u64)),
        ),
        ("flagsFile".into(), path(app.flags_path.as_deref())),
        ("flagsFileRefused".into(), Value::Bool(core.file_refused)),
        (
            "stateDir".into(),
            path(app.publisher.state().map(|s| s.dir())),
        ),
        ("lastRefused".into(), refused),
    ])
}

/// `GET /admin/audit[?limit=N]`: the entries, oldest first (with `limit`, the newest N).
pub(crate) async fn audit(State(app): State<Arc<App>>, RawQuery(query): RawQuery) -> Response {
    let mut limit = None;
    for pair in query.as_deref().unwrap_or_default().split('&') {
        if let Some(value) = pair.strip_prefix("limit=") {
            match value.parse::<usize>() {
                Ok(n) => limit = Some(n),
                Err(_) => {
                    let message = "limit: expected a non-negative integer";
                    return error(
                        StatusCode::BAD_REQUEST,
                        "bad_request",
                        message,
                        Some("limit"),
                    );
                }
            }
        }
    }
    blocking(app, move |app| match app.audit.list(limit) {
        Ok(entries) => json_text(StatusCode::OK, entries),
        Err(e) => {
            let message = format!("audit log: cannot read: {}", crate::exit::io_reason(&e));
            error(StatusCode::INTERNAL_SERVER_ERROR, "io", &message, None)
        }
    })
    .await
}
