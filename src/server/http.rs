//! The routes, and the public one: `GET /snapshot`.
//!
//! `/snapshot` and `/snapshot/stream` are what browsers and edge workers fetch, from any
//! origin: they answer CORS preflights and expose `ETag` (the envelope is signed and public;
//! no credentials are involved). The admin routes send no CORS headers, so a browser page
//! from another origin cannot read them.

use super::admin;
use super::app::App;
use super::respond::error;
use super::stream;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, CACHE_CONTROL, CONTENT_TYPE, ETAG,
    IF_NONE_MATCH,
};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use std::sync::Arc;

/// The largest admin request body accepted.
const MAX_ADMIN_BODY_BYTES: usize = 64 * 1024;

/// The CORS headers of every public response.
const CORS: [(axum::http::HeaderName, &str); 2] = [
    (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
    (ACCESS_CONTROL_EXPOSE_HEADERS, "ETag"),
];

/// Every route of the server.
pub(crate) fn router(app: Arc<App>) -> Router {
    let admin_routes = Router::new()
        .route("/admin/flags", get(admin::flags))
        .route("/admin/flags/{key}", patch(admin::patch))
        .route("/admin/flags/{key}/kill", post(admin::kill))
        .route("/admin/status", get(admin::status))
        .route("/admin/audit", get(admin::audit))
        // Only on matched routes: an unknown path is a 404 whoever asks.
        .route_layer(middleware::from_fn_with_state(
            app.clone(),
            admin::authorize,
        ))
        // Admin bodies are small JSON changes; anything larger is refused (413) unread.
        .layer(DefaultBodyLimit::max(MAX_ADMIN_BODY_BYTES));
    Router::new()
        .route("/snapshot", get(snapshot).options(preflight))
        .route("/snapshot/stream", get(stream::stream).options(preflight))
        .merge(admin_routes)
        .fallback(not_found)
        .with_state(app)
}

/// `GET /snapshot`: the envelope, or 304 when the client's `If-None-Match` names it.
async fn snapshot(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let current = app.current();
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

/// Whether an `If-None-Match` value names `etag`: `*`, or a list in which one tag equals it
/// (weak comparison, as RFC 9110 prescribes for If-None-Match: `W/` is ignored).
fn etag_matches(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
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

#[cfg(test)]
mod tests {
    use super::etag_matches;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        let etag = "\"abc\"";
        assert!(etag_matches("\"abc\"", etag));
        assert!(etag_matches("W/\"abc\"", etag));
        assert!(etag_matches("\"x\", \"abc\"", etag));
        assert!(etag_matches("*", etag));
        assert!(!etag_matches("\"abcd\"", etag));
        assert!(!etag_matches("abc", etag));
        assert!(!etag_matches("", etag));
    }
}
