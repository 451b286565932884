//! `POST /ingest/{env}/events`: the edge worker's forwarded batches, checked against the
//! environment's catalog of flags and variants and counted (see [`events`](crate::events)).

use crate::app::App;
use crate::events::{parse_batch, sort, Catalog, Window, MAX_BODY_BYTES};
use crate::respond::{error, json};
use crate::store::{self, Kind, StoreError, StoreResult};
use crate::token::bearer_digest_matches;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{AUTHORIZATION, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use edgeflag::{Number, Value};
use std::sync::Arc;

/// Counts a batch (see the module docs of [`events`](crate::events)).
pub(crate) async fn ingest(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authorized = headers
        .get(AUTHORIZATION)
        .is_some_and(|h| bearer_digest_matches(h.as_bytes(), &app.ingest.key_digest));
    if !authorized {
        let refusal = error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or wrong ingest key (Authorization: Bearer <the key edgeflag serve printed or --ingest-key>)",
            None,
        );
        return (
            [(WWW_AUTHENTICATE, "Bearer realm=\"edgeflag ingest\"")],
            refusal,
        )
            .into_response();
    }
    let Some(environment) = app.environment(&name) else {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no environment \"{name}\""),
            None,
        );
    };
    if body.len() > MAX_BODY_BYTES {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!(
                "the batch is {} bytes; at most {MAX_BODY_BYTES} are accepted (send smaller batches)",
                body.len()
            ),
            None,
        );
    }
    let batch = match parse_batch(&body) {
        Ok(batch) => batch,
        Err(bad) => {
            let status = if bad.too_large {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::BAD_REQUEST
            };
            let message = if bad.field.is_empty() {
                bad.message.clone()
            } else {
                format!("{}: {}", bad.field, bad.message)
            };
            return error(status, "bad_request", &message, Some(&bad.field));
        }
    };
    let now = crate::inputs::system_now_ms();
    let result = async {
        let catalog = catalog(&app, &environment.name, environment.current().version).await?;
        let window = Window {
            now,
            retention_ms: app.ingest.retention_ms,
            skew_ms: app.ingest.skew_ms,
        };
        let sorted = sort(batch.events, &catalog, window);
        let mut tx = app.store.begin().await?;
        let new = store::events::record(
            &mut tx,
            app.store.dialect(),
            &environment.name,
            &batch.id,
            now,
            &sorted,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok::<_, StoreError>((new, sorted))
    }
    .await;
    match result {
        Ok((new, sorted)) => {
            let number = |n: u64| Value::Number(Number::from_u64(n));
            let (accepted, rejected) = if new {
                (sorted.accepted, sorted.rejected)
            } else {
                (0, Default::default())
            };
            let rejected = Value::Object(
                rejected
                    .reasons()
                    .iter()
                    .map(|(reason, n)| ((*reason).into(), number(*n)))
                    .collect(),
            );
            json(
                StatusCode::OK,
                &Value::Object(vec![
                    ("batch".into(), Value::from(batch.id.as_str())),
                    ("duplicate".into(), Value::Bool(!new)),
                    ("accepted".into(), number(accepted)),
                    ("rejected".into(), rejected),
                ]),
            )
        }
        Err(StoreError::Unavailable(m)) => {
            app.record_health(Err(&m), now);
            (
                [(RETRY_AFTER, "5")],
                error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "the database is unavailable; nothing was counted (retry the same batch)",
                    None,
                ),
            )
                .into_response()
        }
        Err(e) => {
            crate::log(&format!("ingest: {}: {e}", environment.name));
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the batch could not be counted (logged on the server); retry the same batch",
                None,
            )
        }
    }
}

/// The catalog of environment `name` as of `version` (what it serves now): cached, or read
/// from the store.
async fn catalog(app: &App, name: &str, version: u64) -> StoreResult<Arc<Catalog>> {
    if let Some(catalog) = app.catalogs.get(name, version) {
        return Ok(catalog);
    }
    let definitions = store::definitions::load(app.store.pool(), name, false).await?;
    let catalog = Arc::new(Catalog::new(
        version,
        definitions
            .iter()
            .filter(|d| d.kind == Kind::Flag)
            .map(|d| (d.key.as_str(), &d.document)),
    ));
    app.catalogs.put(name, catalog.clone());
    Ok(catalog)
}
