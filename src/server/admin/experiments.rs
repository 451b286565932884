//! `GET /admin/environments/{env}/experiments/{flag}?metric=EVENT[&control=V][&value=true]
//! [&confidence=0.95]`: the flag's experiment results (see
//! [`experiments::results`](crate::experiments::results)), for any reader of the environment.

use super::query::Query;
use super::reply::{bad_request, refused};
use super::status::read_document;
use crate::app::App;
use crate::change::ChangeError;
use crate::experiments::results::{results, Question};
use crate::experiments::weights::{experiment_rollout, Place};
use crate::patch::bad;
use crate::respond::{error, json};
use crate::stats::Confidence;
use crate::store::{self, Kind};
use crate::token::Principal;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use edgeflag::{Number, Value};
use std::sync::Arc;

/// The experiment results of one flag.
pub(crate) async fn experiment(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    Path((name, flag)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let query = match Query::parse(
        raw.as_deref(),
        &["metric", "control", "value", "confidence", "rollout"],
    ) {
        Ok(q) => q,
        Err(b) => return bad_request(&b),
    };
    let document = match read_document(&app, &who, &name).await {
        Ok(d) => d,
        Err(response) => return response,
    };
    let Some(definition) = document.get(Kind::Flag, &flag) else {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no flag \"{flag}\" in environment \"{name}\""),
            None,
        );
    };
    let value = match query.flag("value") {
        Ok(v) => v,
        Err(b) => return bad_request(&b),
    };
    let metric = query.get("metric").filter(|m| !m.is_empty());
    if value && metric.is_none() {
        return bad_request(&bad(
            "value",
            "value=true compares a metric's values: name it with metric=",
        ));
    }
    let level = match query.get("confidence").map(str::parse::<f64>) {
        None => 0.95,
        Some(Ok(level)) => level,
        Some(Err(_)) => return bad_request(&bad("confidence", "expected a number such as 0.95")),
    };
    let Some(confidence) = Confidence::new(level) else {
        return bad_request(&bad(
            "confidence",
            "expected a level strictly between 0 and 1, such as 0.95",
        ));
    };
    let variants: Vec<&str> = definition
        .get("variants")
        .and_then(Value::as_object)
        .map(|v| v.iter().map(|(n, _)| &**n).collect())
        .unwrap_or_default();
    let off = definition
        .get("offVariant")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let control = query.get("control").unwrap_or(off);
    if !variants.contains(&control) {
        return bad_request(&bad(
            "control",
            format!(
                "flag \"{flag}\" has no variant \"{control}\" (it has: {})",
                variants.join(", ")
            ),
        ));
    }
    let preferred = query.get("rollout").map(Place::parse);
    let rollout = experiment_rollout(definition, preferred.as_ref());
    if let (Some(place), None) = (&preferred, &rollout) {
        return bad_request(&bad(
            "rollout",
            format!("flag \"{flag}\" serves no rollout at \"{}\"", place.name()),
        ));
    }
    let pool = app.store.pool();
    let read = async {
        let figures = store::events::figures(pool, &name, &flag, metric).await?;
        let metrics = store::events::metric_names(pool, &name, &flag).await?;
        let rejections = store::events::rejections(pool, &name).await?;
        Ok::<_, store::StoreError>((figures, metrics, rejections))
    };
    let (figures, metrics, rejections) = match read.await {
        Ok(read) => read,
        Err(e) => return refused(&ChangeError::Store(e)),
    };
    let question = Question {
        metric,
        value,
        control,
        confidence,
    };
    let weights = rollout
        .as_ref()
        .map(|(place, w)| (place.name(), w.as_slice()));
    let mut members: Vec<(Box<str>, Value)> = vec![
        ("environment".into(), Value::from(name.as_str())),
        ("flag".into(), Value::from(flag.as_str())),
        ("metric".into(), metric.map_or(Value::Null, Value::from)),
        ("value".into(), Value::Bool(value)),
    ];
    members.extend(results(&figures, weights, &question));
    members.push((
        "metrics".into(),
        Value::Array(metrics.iter().map(|m| Value::from(m.as_str())).collect()),
    ));
    members.push((
        "rejected".into(),
        Value::Object(
            rejections
                .iter()
                .map(|(r, n)| (r.as_str().into(), Value::Number(Number::from_u64(*n))))
                .collect(),
        ),
    ));
    json(StatusCode::OK, &Value::Object(members))
}
