//! Scheduled changes through the admin API: a change with an instant to come (`"at"` in a
//! POST, PATCH or kill body, or `?at=` on any write) answers 202 with the stored change;
//! `GET /admin/environments/{env}/scheduled[?all=true]` lists the pending ones (or every
//! one, with what happened), `DELETE /admin/environments/{env}/scheduled/{id}` cancels a
//! pending one (409 once it is applied, failed or cancelled). Without `/environments/{env}`:
//! the default environment.

use super::allow;
use super::query::Query;
use super::reply::{bad_request, refused};
use crate::app::App;
use crate::change::ChangeError;
use crate::edit::Edit;
use crate::respond::{error, json};
use crate::scheduler::{stored, to_value};
use crate::store::{self, Role, ScheduledRow};
use crate::token::Principal;
use crate::{log, now_ms};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use edgeflag::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// Stores `edit` to be applied at `at` (an editor of `environment` asked): 202.
pub(crate) async fn schedule(
    app: &App,
    who: &Principal,
    environment: &str,
    edit: &Edit,
    at: i64,
) -> Response {
    let Some((kind, key, action, body)) = stored(edit) else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "at: this change cannot be scheduled",
            Some("at"),
        );
    };
    let mut row = ScheduledRow {
        id: 0,
        environment: environment.to_owned(),
        kind: kind.as_str().to_owned(),
        key,
        action: action.to_owned(),
        body,
        due_at: at,
        created_by: who.name.clone(),
        created_at: now_ms(),
        state: "pending".to_owned(),
        result: None,
    };
    match store::scheduled::insert(app.store.pool(), &row).await {
        Ok(id) => {
            row.id = id;
            log(&format!(
                "admin {}: scheduled {action} {environment}/{} for {} (change {id})",
                who.name,
                row.key,
                edgeflag::unstable::time::Rfc3339(at)
            ));
            json(
                StatusCode::ACCEPTED,
                &Value::Object(vec![("scheduled".into(), to_value(&row))]),
            )
        }
        Err(e) => refused(&ChangeError::Store(e)),
    }
}

/// The environment a scheduled route names (the default without `{env}`), checked for `who`.
fn environment_of(
    app: &App,
    params: &Option<Path<HashMap<String, String>>>,
    who: &Principal,
    role: Role,
) -> Result<String, Response> {
    let name = match params.as_ref().and_then(|p| p.0.get("env").cloned()) {
        Some(name) => name,
        None => app
            .default_environment()
            .map(|e| e.name.clone())
            .unwrap_or_default(),
    };
    if app.environment(&name).is_none() {
        return Err(error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no environment \"{name}\""),
            None,
        ));
    }
    allow(who, role, Some(&name))?;
    Ok(name)
}

/// `GET .../scheduled[?all=true]`.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    params: Option<Path<HashMap<String, String>>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let environment = match environment_of(&app, &params, &who, Role::Reader) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let all = match Query::parse(raw.as_deref(), &["all"]).and_then(|q| q.flag("all")) {
        Ok(all) => all,
        Err(b) => return bad_request(&b),
    };
    match store::scheduled::list(app.store.pool(), &environment, !all).await {
        Ok(rows) => json(
            StatusCode::OK,
            &Value::Object(vec![
                ("environment".into(), Value::from(environment.as_str())),
                (
                    "scheduled".into(),
                    Value::Array(rows.iter().map(to_value).collect()),
                ),
            ]),
        ),
        Err(e) => refused(&ChangeError::Store(e)),
    }
}

/// `DELETE .../scheduled/{id}`: cancels a pending change.
pub(crate) async fn cancel(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    params: Option<Path<HashMap<String, String>>>,
) -> Response {
    let environment = match environment_of(&app, &params, &who, Role::Editor) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let Some(id) = params
        .as_ref()
        .and_then(|p| p.0.get("id"))
        .and_then(|id| id.parse::<i64>().ok())
    else {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such scheduled change",
            None,
        );
    };
    let result = format!("cancelled by {}", who.name);
    match store::scheduled::finish(app.store.pool(), &environment, id, "cancelled", &result).await {
        Ok(true) => {
            log(&format!("admin {}: cancelled scheduled change {id} of {environment}", who.name));
            json(
                StatusCode::OK,
                &Value::Object(vec![
                    ("id".into(), Value::Number(edgeflag::Number::from_u64(u64::try_from(id).unwrap_or(0)))),
                    ("state".into(), Value::from("cancelled")),
                ]),
            )
        }
        Ok(false) => error(
            StatusCode::CONFLICT,
            "not_pending",
            &format!("scheduled change {id} of {environment} is not pending (applied, failed, cancelled, or never scheduled)"),
            None,
        ),
        Err(e) => refused(&ChangeError::Store(e)),
    }
}
