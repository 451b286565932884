//! Rollout plans and kill guards of a flag:
//!
//! - `PUT .../flags/{key}/rollout-plan` (editor): sets the plan's first step at once (a new
//!   signed version, audited `rollout-start`) and leaves the rest to the guard loop;
//!   `GET` answers the plan, its status, step and every decision; `DELETE` cancels it (the
//!   weights stay as they are).
//! - `PUT .../flags/{key}/guard` (editor): an automatic kill switch; `GET`, `DELETE`.

use super::allow;
use super::definitions::object;
use super::reply::{bad_request, refused};
use super::status::read_document;
use crate::app::App;
use crate::change::{Actor, ChangeError, Decision, Request};
use crate::document::parse_json;
use crate::edit::{definition_etag, Edit};
use crate::experiments::guards::baseline_to_value;
use crate::experiments::plan::{KillGuard, Plan};
use crate::experiments::weights::with_weight;
use crate::respond::{error, json};
use crate::store::plans::{GuardRow, PlanRow};
use crate::store::{self, Kind, Role};
use crate::token::Principal;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use edgeflag::{Number, Value};
use std::sync::Arc;

/// The flag's definition, for a token with `role` on the environment (404/403 otherwise).
async fn flag_of(
    app: &App,
    who: &Principal,
    env: &str,
    flag: &str,
    role: Role,
) -> Result<Value, Response> {
    let document = read_document(app, who, env).await?;
    allow(who, role, Some(env))?;
    document.get(Kind::Flag, flag).cloned().ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no flag \"{flag}\" in environment \"{env}\""),
            None,
        )
    })
}

/// A stored row of the flag, or the answer for a missing one (404) or a store failure.
fn stored<T>(result: store::StoreResult<Option<T>>, flag: &str, what: &str) -> Result<T, Response> {
    match result {
        Ok(Some(row)) => Ok(row),
        Ok(None) => Err(error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("flag \"{flag}\" has no {what}"),
            None,
        )),
        Err(e) => Err(refused(&ChangeError::Store(e))),
    }
}

fn body_value(body: &[u8]) -> Result<Value, Response> {
    object(body).map(Value::Object).map_err(|b| bad_request(&b))
}

fn plan_answer(row: &PlanRow) -> Value {
    let plan = parse_json(row.plan.as_bytes()).unwrap_or(Value::Null);
    let weight = plan
        .get("steps")
        .and_then(Value::as_array)
        .and_then(|s| s.get(usize::try_from(row.step).unwrap_or(usize::MAX)))
        .cloned()
        .unwrap_or(Value::Null);
    Value::Object(vec![
        ("environment".into(), Value::from(row.environment.as_str())),
        ("flag".into(), Value::from(row.flag.as_str())),
        ("plan".into(), plan),
        ("status".into(), Value::from(row.status.as_str())),
        ("step".into(), Value::Number(Number::from_i64(row.step))),
        (
            "weight".into(),
            if row.status == "failed" {
                Value::Number(Number::from_u64(0))
            } else {
                weight
            },
        ),
        (
            "stepStartedAt".into(),
            crate::template::instant(row.step_started_at),
        ),
        ("createdBy".into(), Value::from(row.created_by.as_str())),
        (
            "decisions".into(),
            parse_json(row.decisions.as_bytes()).unwrap_or(Value::Array(Vec::new())),
        ),
    ])
}

/// `PUT .../flags/{key}/rollout-plan`.
pub(crate) async fn put_plan(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    Path((env, flag)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let document = match flag_of(&app, &who, &env, &flag, Role::Editor).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let plan =
        match body_value(&body).and_then(|v| Plan::from_value(&v).map_err(|b| bad_request(&b))) {
            Ok(p) => p,
            Err(r) => return r,
        };
    let first = plan.steps.first().copied().unwrap_or(0);
    let edited = match with_weight(&document, &flag, &plan.place, &plan.variant, first) {
        Ok(e) => e,
        Err(m) => return error(StatusCode::BAD_REQUEST, "bad_request", &m, Some("rule")),
    };
    let now = crate::now_ms();
    let units = match store::events::figures(app.store.pool(), &env, &flag, None).await {
        Ok(f) => f
            .iter()
            .find(|f| f.variant == plan.variant)
            .map_or(0, |f| f.units),
        Err(e) => return refused(&ChangeError::Store(e)),
    };
    let metrics = crate::guard_loop::rate_metrics(&plan);
    let baseline = match crate::guard_loop::baseline(&app, &env, &flag, metrics).await {
        Ok(b) => crate::guard_loop::plan_baselines(&b, &b),
        Err(e) => return refused(&ChangeError::Store(e)),
    };
    // The weights come from this version of the definition: an edit made meanwhile is not
    // overwritten (412, read it again).
    let if_match = definition_etag(&document);
    let figures = Value::Object(vec![
        ("step".into(), Value::Number(Number::from_u64(0))),
        ("weight".into(), Value::Number(Number::from_u64(first))),
        ("plan".into(), plan.to_value()),
        ("units".into(), Value::Number(Number::from_u64(units))),
    ]);
    let decision = Decision {
        action: "rollout-start",
        figures: figures.clone(),
    };
    let edit = Edit::Replace {
        kind: Kind::Flag,
        key: flag.clone(),
        document: edited,
    };
    let request = Request {
        edit: &edit,
        if_match: Some(&if_match),
        actor: Actor {
            source: "admin",
            token: Some(&who.name),
        },
        now,
        dry_run: false,
        base: None,
        scheduled: None,
        decision: Some(&decision),
    };
    let outcome = match app.change(&env, request).await {
        Ok(o) => o,
        Err(e) => return refused(&e),
    };
    if !outcome.changed {
        // The first step is what the flag serves already: nothing to publish, but the plan's
        // start is a decision all the same.
        let place = (env.as_str(), flag.as_str());
        let by = ("admin", Some(who.name.as_str()));
        if let Err(e) = crate::guard_loop::audit_only(&app, place, by, &decision, now).await {
            return refused(&ChangeError::Store(e));
        }
    }
    let row = PlanRow {
        environment: env.clone(),
        flag: flag.clone(),
        plan: plan.to_value().to_json(),
        status: "running".into(),
        step: 0,
        step_started_at: now,
        step_units: i64::try_from(units).unwrap_or(i64::MAX),
        baseline,
        decisions: Value::Array(vec![Value::Object(vec![
            ("at".into(), crate::template::instant(now)),
            ("action".into(), Value::from("rollout-start")),
            ("figures".into(), figures),
            (
                "version".into(),
                Value::Number(Number::from_u64(outcome.version)),
            ),
        ])])
        .to_json(),
        created_by: who.name.clone(),
        updated_at: now,
    };
    if let Err(e) = store::plans::put_plan(app.store.pool(), &row).await {
        return refused(&ChangeError::Store(e));
    }
    crate::log(&format!(
        "admin {}: rollout plan for {env}/{flag}: {} at {first}",
        who.name, plan.variant
    ));
    json(StatusCode::OK, &plan_answer(&row))
}

/// `GET .../flags/{key}/rollout-plan`.
pub(crate) async fn get_plan(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    Path((env, flag)): Path<(String, String)>,
) -> Response {
    if let Err(r) = flag_of(&app, &who, &env, &flag, Role::Reader).await {
        return r;
    }
    match stored(
        store::plans::get_plan(app.store.pool(), &env, &flag).await,
        &flag,
        "rollout plan",
    ) {
        Ok(row) => json(StatusCode::OK, &plan_answer(&row)),
        Err(r) => r,
    }
}

/// `DELETE .../flags/{key}/rollout-plan`: cancels a running plan (the weights stay).
pub(crate) async fn cancel_plan(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    Path((env, flag)): Path<(String, String)>,
) -> Response {
    if let Err(r) = flag_of(&app, &who, &env, &flag, Role::Editor).await {
        return r;
    }
    let pool = app.store.pool();
    let row = match stored(
        store::plans::get_plan(pool, &env, &flag).await,
        &flag,
        "rollout plan",
    ) {
        Ok(row) => row,
        Err(r) => return r,
    };
    if row.status != "running" {
        return json(StatusCode::OK, &plan_answer(&row));
    }
    let now = crate::now_ms();
    let new = PlanRow {
        status: "cancelled".into(),
        updated_at: now.max(row.updated_at + 1),
        ..row.clone()
    };
    match store::plans::claim_plan(pool, &row, &new).await {
        Ok(true) => {
            // Cancelling changes no flag, but it is a decision about one: audited.
            let decision = Decision {
                action: "rollout-cancel",
                figures: Value::Object(vec![
                    ("step".into(), Value::Number(Number::from_i64(row.step))),
                    (
                        "plan".into(),
                        parse_json(row.plan.as_bytes()).unwrap_or(Value::Null),
                    ),
                ]),
            };
            let place = (env.as_str(), flag.as_str());
            let by = ("admin", Some(who.name.as_str()));
            if let Err(e) = crate::guard_loop::audit_only(&app, place, by, &decision, now).await {
                return refused(&ChangeError::Store(e));
            }
            json(StatusCode::OK, &plan_answer(&new))
        }
        Ok(false) => error(
            StatusCode::CONFLICT,
            "conflict",
            "the plan changed meanwhile; read it again",
            None,
        ),
        Err(e) => refused(&ChangeError::Store(e)),
    }
}

fn guard_answer(row: &GuardRow) -> Value {
    Value::Object(vec![
        ("environment".into(), Value::from(row.environment.as_str())),
        ("flag".into(), Value::from(row.flag.as_str())),
        (
            "guard".into(),
            parse_json(row.guard.as_bytes()).unwrap_or(Value::Null),
        ),
        ("status".into(), Value::from(row.status.as_str())),
        (
            "result".into(),
            row.result
                .as_deref()
                .and_then(|r| parse_json(r.as_bytes()).ok())
                .unwrap_or(Value::Null),
        ),
        ("createdBy".into(), Value::from(row.created_by.as_str())),
    ])
}

/// `PUT .../flags/{key}/guard`.
pub(crate) async fn put_guard(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    Path((env, flag)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if let Err(r) = flag_of(&app, &who, &env, &flag, Role::Editor).await {
        return r;
    }
    let guard = match body_value(&body)
        .and_then(|v| KillGuard::from_value(&v).map_err(|b| bad_request(&b)))
    {
        Ok(g) => g,
        Err(r) => return r,
    };
    // Judged on what comes after it is set: a guard set again after a fix does not kill
    // the flag for the errors that led to the fix.
    let metric = std::iter::once(guard.metric.as_str());
    let baseline = match crate::guard_loop::baseline(&app, &env, &flag, metric).await {
        Ok(b) => baseline_to_value(&b).to_json(),
        Err(e) => return refused(&ChangeError::Store(e)),
    };
    let row = GuardRow {
        environment: env,
        flag,
        guard: guard.to_value().to_json(),
        status: "watching".into(),
        baseline,
        result: None,
        created_by: who.name.clone(),
        updated_at: crate::now_ms(),
    };
    match store::plans::put_guard(app.store.pool(), &row).await {
        Ok(()) => json(StatusCode::OK, &guard_answer(&row)),
        Err(e) => refused(&ChangeError::Store(e)),
    }
}

/// `GET .../flags/{key}/guard`.
pub(crate) async fn get_guard(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    Path((env, flag)): Path<(String, String)>,
) -> Response {
    if let Err(r) = flag_of(&app, &who, &env, &flag, Role::Reader).await {
        return r;
    }
    match stored(
        store::plans::get_guard(app.store.pool(), &env, &flag).await,
        &flag,
        "guard",
    ) {
        Ok(row) => json(StatusCode::OK, &guard_answer(&row)),
        Err(r) => r,
    }
}

/// `DELETE .../flags/{key}/guard`.
pub(crate) async fn remove_guard(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    Path((env, flag)): Path<(String, String)>,
) -> Response {
    if let Err(r) = flag_of(&app, &who, &env, &flag, Role::Editor).await {
        return r;
    }
    let pool = app.store.pool();
    let mut row = match stored(
        store::plans::get_guard(pool, &env, &flag).await,
        &flag,
        "guard",
    ) {
        Ok(row) => row,
        Err(r) => return r,
    };
    row.status = "removed".into();
    row.updated_at = crate::now_ms().max(row.updated_at + 1);
    match store::plans::put_guard(pool, &row).await {
        Ok(()) => json(StatusCode::OK, &guard_answer(&row)),
        Err(e) => refused(&ChangeError::Store(e)),
    }
}
