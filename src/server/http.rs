//! The routes, and the public ones: `GET /snapshot` (the default environment) and
//! `GET /environments/{env}/snapshot`.
//!
//! `/snapshot` and `/snapshot/stream` are what browsers and edge workers fetch, from any
//! origin: they answer CORS preflights and expose `ETag` (the envelope is signed and public;
//! no credentials are involved). The admin routes send no CORS headers, so a browser page
//! from another origin cannot read them.

use crate::admin::{self, Scope};
use crate::app::{App, Environment};
use crate::events;
use crate::ingest;
use crate::respond::{error, etag_matches};
use crate::store::Kind;
use crate::stream;
use crate::ui;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL, CONTENT_TYPE, ETAG,
    IF_NONE_MATCH,
};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Router};
use std::sync::Arc;

/// The largest admin request body accepted.
const MAX_ADMIN_BODY_BYTES: usize = 1024 * 1024;

/// The CORS headers of every public response.
const CORS: [(axum::http::HeaderName, &str); 2] = [
    (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
    (ACCESS_CONTROL_EXPOSE_HEADERS, "ETag"),
];

/// The routes of one kind of definition (flags or segments), under `prefix`. `GET prefix`
/// lists them, except for the first admin API's `GET /admin/flags`, which has always
/// answered the whole document (`legacy`).
fn definitions(prefix: &str, kind: Kind, legacy: bool) -> Router<Arc<App>> {
    let item = format!("{prefix}/{{key}}");
    let collection = if legacy {
        get(admin::document).post(admin::create)
    } else {
        get(admin::list).post(admin::create)
    };
    let mut router = Router::new().route(prefix, collection).route(
        &item,
        if kind == Kind::Flag {
            get(admin::get)
                .put(admin::replace)
                .patch(admin::patch)
                .delete(admin::archive)
        } else {
            get(admin::get).put(admin::replace).delete(admin::archive)
        },
    );
    if kind == Kind::Flag {
        router = router.route(&format!("{item}/kill"), post(admin::kill));
    }
    router.layer(Extension(Scope(kind)))
}

/// Every route of the server.
pub(crate) fn router(app: Arc<App>) -> Router {
    let admin_routes = Router::new()
        .merge(definitions(
            "/admin/environments/{env}/flags",
            Kind::Flag,
            false,
        ))
        .merge(definitions(
            "/admin/environments/{env}/segments",
            Kind::Segment,
            false,
        ))
        // The first admin API's routes: the default environment.
        .merge(definitions("/admin/flags", Kind::Flag, true))
        .merge(definitions("/admin/segments", Kind::Segment, false))
        .route(
            "/admin/environments/{env}/scheduled",
            get(admin::list_scheduled),
        )
        .route(
            "/admin/environments/{env}/scheduled/{id}",
            delete(admin::cancel_scheduled),
        )
        .route("/admin/scheduled", get(admin::list_scheduled))
        .route("/admin/scheduled/{id}", delete(admin::cancel_scheduled))
        .route("/admin/environments", get(admin::environments))
        .route("/admin/environments/{env}/lint", get(admin::lint))
        .route("/admin/whoami", get(admin::whoami))
        .route("/admin/sample-size", get(admin::sample_size))
        .route(
            "/admin/environments/{env}/experiments/{flag}",
            get(admin::experiment),
        )
        .route(
            "/admin/environments/{env}/flags/{key}/rollout-plan",
            get(admin::get_plan)
                .put(admin::put_plan)
                .delete(admin::cancel_plan),
        )
        .route(
            "/admin/environments/{env}/flags/{key}/guard",
            get(admin::get_guard)
                .put(admin::put_guard)
                .delete(admin::remove_guard),
        )
        .route("/admin/environments/{env}", get(admin::document))
        .route("/admin/promote", post(admin::promote))
        .route("/admin/environments/{env}/import", post(admin::import))
        .route("/admin/status", get(admin::status))
        .route("/admin/audit", get(admin::audit))
        // Only on matched routes: an unknown path is a 404 whoever asks.
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            admin::authorize,
        ))
        // Admin bodies are JSON documents; anything larger is refused (413) unread.
        .layer(DefaultBodyLimit::max(MAX_ADMIN_BODY_BYTES));
    Router::new()
        .route("/snapshot", get(default_snapshot).options(preflight))
        .route("/snapshot/stream", get(default_stream).options(preflight))
        .route(
            "/environments/{env}/snapshot",
            get(snapshot).options(preflight),
        )
        .route(
            "/environments/{env}/snapshot/stream",
            get(env_stream).options(preflight),
        )
        // The admin UI's assets are public (the page signs in with a token; nothing secret
        // is in them), and outside the admin routes' authentication.
        .route("/admin", get(ui::page))
        .route("/admin/", get(ui::page))
        .route("/admin/ui/{file}", get(ui::file))
        .route("/admin/sdk/{*path}", get(ui::sdk))
        // The edge workers' events: their own key, a larger body than admin requests.
        .route(
            "/ingest/{env}/events",
            post(ingest::ingest).layer(DefaultBodyLimit::max(events::MAX_BODY_BYTES + 1)),
        )
        .merge(admin_routes)
        .fallback(not_found)
        .with_state(app)
}

/// 404 for an environment this server does not serve.
fn unknown_environment(name: &str) -> Response {
    (
        CORS,
        error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no environment \"{name}\""),
            None,
        ),
    )
        .into_response()
}

/// `GET /snapshot`: the default environment's envelope.
async fn default_snapshot(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    match app.default_environment() {
        Some(environment) => serve_snapshot(environment, &headers),
        None => unknown_environment(""),
    }
}

/// `GET /environments/{env}/snapshot`.
async fn snapshot(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    match app.environment(&name) {
        Some(environment) => serve_snapshot(environment, &headers),
        None => unknown_environment(&name),
    }
}

/// `GET /snapshot/stream`.
async fn default_stream(State(app): State<Arc<App>>) -> Response {
    match app.default_environment().map(Environment::subscribe) {
        Some(receiver) => stream::stream(app.clone(), receiver),
        None => unknown_environment(""),
    }
}

/// `GET /environments/{env}/snapshot/stream`.
async fn env_stream(State(app): State<Arc<App>>, Path(name): Path<String>) -> Response {
    match app.environment(&name).map(Environment::subscribe) {
        Some(receiver) => stream::stream(app.clone(), receiver),
        None => unknown_environment(&name),
    }
}

/// An environment's envelope, or 304 when the client's `If-None-Match` names it.
fn serve_snapshot(environment: &Environment, headers: &HeaderMap) -> Response {
    let current = environment.current();
    let cached = headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .any(|value| value.to_str().is_ok_and(|v| etag_matches(v, &current.etag)));
    let common = (
        CORS,
        [
            (ETAG, current.etag.clone()),
            // Caches may keep it but must ask again (cheaply, with If-None-Match) each time.
            (CACHE_CONTROL, "no-cache".to_owned()),
        ],
    );
    if cached {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        StatusCode::OK,
        common,
        [(CONTENT_TYPE, "application/json")],
        current.envelope.clone(),
    )
        .into_response()
}

/// The CORS preflight of the public routes (a client that sets `If-None-Match` or
/// `Last-Event-ID` itself triggers one).
async fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        CORS,
        [
            (ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS"),
            (
                ACCESS_CONTROL_ALLOW_HEADERS,
                "If-None-Match, Last-Event-ID, Cache-Control",
            ),
            (ACCESS_CONTROL_MAX_AGE, "86400"),
        ],
    )
        .into_response()
}

/// Any other path.
async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "not_found", "no such route", None)
}
