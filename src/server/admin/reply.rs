//! The answers of the admin API's changes: the outcome (or dry-run result), and every way a
//! change can be refused, each with its status code.

use crate::change::{ChangeError, Outcome};
use crate::edit::{definition_etag, Refused};
use crate::patch::BadRequest;
use crate::respond::{error, json};
use crate::store::{Kind, StoreError};
use crate::template::Change;
use axum::http::header::{ETAG, RETRY_AFTER};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use edgeflag::{Number, Value};

/// 400 for a malformed request, naming the field.
pub(crate) fn bad_request(bad: &BadRequest) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "bad_request",
        &format!("{}: {}", bad.field, bad.message),
        Some(&bad.field),
    )
}

/// The response to a change that was not made.
pub(crate) fn refused(error_: &ChangeError) -> Response {
    match error_ {
        ChangeError::Refused(Refused::NotFound(m)) => error(StatusCode::NOT_FOUND, "not_found", m, None),
        ChangeError::Refused(Refused::Exists(m)) => error(StatusCode::CONFLICT, "exists", m, None),
        ChangeError::Refused(Refused::Managed(m)) => error(StatusCode::CONFLICT, "managed", m, None),
        ChangeError::Refused(Refused::Bad(b)) => bad_request(b),
        ChangeError::Refused(Refused::Stale { current, etag }) => {
            let body = Value::Object(vec![
                ("error".into(), Value::from("stale")),
                (
                    "message".into(),
                    Value::from(match etag {
                        Some(_) => "If-Match names an older version of this definition; here is the current one (its ETag is in the header)",
                        None => "If-Match names a definition that no longer exists",
                    }),
                ),
                ("current".into(), current.clone().unwrap_or(Value::Null)),
                ("etag".into(), etag.as_deref().map_or(Value::Null, Value::from)),
            ]);
            let response = json(StatusCode::PRECONDITION_FAILED, &body);
            match etag {
                Some(tag) => ([(ETAG, tag.clone())], response).into_response(),
                None => response,
            }
        }
        ChangeError::Invalid(m) => error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_flags", m, None),
        ChangeError::Conflict(m) => error(StatusCode::CONFLICT, "conflict", m, None),
        ChangeError::Store(StoreError::Unavailable(m)) => (
            [(RETRY_AFTER, "5")],
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                &format!("the database is unavailable ({m}); nothing was changed, the last signed snapshot is still served"),
                None,
            ),
        )
            .into_response(),
        ChangeError::Store(StoreError::Conflict(m)) => error(StatusCode::CONFLICT, "conflict", m, None),
        ChangeError::Store(StoreError::Failed(m)) | ChangeError::Io(m) => {
            // The details (paths, SQL) are the operator's: logged, not answered.
            crate::log(&format!("admin: change failed: {m}"));
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the change failed on the server (logged there); nothing was published",
                None,
            )
        }
    }
}

/// What a change answers: `{"environment", "kind", "key", KIND: the key, "document": the
/// definition after, "changed", "oldVersion", "version", "changes", "warnings"}` (and the dry
/// run's `preview` and `tryIt`), with the definition's `ETag`.
pub(crate) fn changed(
    environment: &str,
    target: Option<(Kind, &str)>,
    outcome: &Outcome,
    preview: Option<(Value, Value)>,
) -> Response {
    let number = |n: u64| Value::Number(Number::from_u64(n));
    let mut members: Vec<(Box<str>, Value)> =
        vec![("environment".into(), Value::from(environment))];
    if let Some((kind, key)) = target {
        members.push(("kind".into(), Value::from(kind.as_str())));
        members.push(("key".into(), Value::from(key)));
        // `"flag": KEY` is what the first admin API answered.
        members.push((kind.as_str().into(), Value::from(key)));
        members.push((
            "document".into(),
            outcome.after.clone().unwrap_or(Value::Null),
        ));
    }
    members.extend([
        ("changed".into(), Value::Bool(outcome.changed)),
        ("oldVersion".into(), number(outcome.old_version)),
        ("version".into(), number(outcome.version)),
        (
            "changes".into(),
            Value::Array(outcome.changes.iter().map(Change::to_value).collect()),
        ),
        (
            "warnings".into(),
            Value::Array(
                outcome
                    .warnings
                    .iter()
                    .map(|w| Value::from(w.to_string().as_str()))
                    .collect(),
            ),
        ),
    ]);
    let dry_run = preview.is_some();
    if let Some((preview, try_it)) = preview {
        members.push(("dryRun".into(), Value::Bool(true)));
        members.push(("preview".into(), preview));
        members.push(("tryIt".into(), try_it));
    }
    let response = json(StatusCode::OK, &Value::Object(members));
    // A dry run stored nothing: there is no new version of the definition to name.
    match &outcome.after {
        Some(after) if !dry_run => ([(ETAG, definition_etag(after))], response).into_response(),
        _ => response,
    }
}
