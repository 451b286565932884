//! The admin UI at `/admin/`: plain ES modules and a stylesheet, embedded in the binary and
//! served as they are (no build step, nothing fetched from elsewhere). The page signs in with
//! an admin token kept in `sessionStorage` and sent as a bearer header: no cookies, so no
//! CSRF surface. Every answer carries a Content-Security-Policy that allows only these
//! assets and the admin API (`'self'`), no inline script, and no framing.

use crate::respond::etag_matches;
use axum::extract::Path;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The policy every UI answer carries.
/// (`'wasm-unsafe-eval'`: "Try it" instantiates the npm package's WebAssembly; it allows
/// compiling wasm, not evaluating strings as script.)
const POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The assets: name, content type and contents.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("index.html"),
    ),
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("style.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("app.js"),
    ),
    (
        "api.js",
        "text/javascript; charset=utf-8",
        include_str!("api.js"),
    ),
    (
        "dom.js",
        "text/javascript; charset=utf-8",
        include_str!("dom.js"),
    ),
    (
        "list.js",
        "text/javascript; charset=utf-8",
        include_str!("list.js"),
    ),
    (
        "summary.js",
        "text/javascript; charset=utf-8",
        include_str!("summary.js"),
    ),
    (
        "editor.js",
        "text/javascript; charset=utf-8",
        include_str!("editor.js"),
    ),
    (
        "rollout.js",
        "text/javascript; charset=utf-8",
        include_str!("rollout.js"),
    ),
    (
        "diff.js",
        "text/javascript; charset=utf-8",
        include_str!("diff.js"),
    ),
    (
        "promote.js",
        "text/javascript; charset=utf-8",
        include_str!("promote.js"),
    ),
    (
        "audit.js",
        "text/javascript; charset=utf-8",
        include_str!("audit.js"),
    ),
    (
        "experiments.js",
        "text/javascript; charset=utf-8",
        include_str!("experiments.js"),
    ),
    (
        "tryit.js",
        "text/javascript; charset=utf-8",
        include_str!("tryit.js"),
    ),
];

/// `--admin-sdk`: the npm package's folder, served at `/admin/sdk/`.
static SDK: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Serves the npm package from `dir` at `/admin/sdk/`.
pub(crate) fn serve_sdk(dir: std::path::PathBuf) {
    let _ = SDK.set(dir);
}

/// Whether the npm package is served (the UI's "Try it" needs it).
pub(crate) fn has_sdk() -> bool {
    SDK.get().is_some()
}

/// `GET /admin/sdk/{*path}`: a file of the npm package (JavaScript, WebAssembly, JSON only;
/// a path that leaves the folder, or any other file, is 404).
pub(crate) async fn sdk(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            [(CONTENT_TYPE, "text/plain")],
            "no such file",
        )
            .into_response()
    };
    let Some(dir) = SDK.get() else {
        return not_found();
    };
    let safe = !path.is_empty()
        && path.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        });
    let content_type = match path.rsplit('.').next() {
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        _ => return not_found(),
    };
    if !safe {
        return not_found();
    }
    // Through a symlink only to a file still inside the folder.
    let inside = match (
        tokio::fs::canonicalize(dir.join(&path)).await,
        tokio::fs::canonicalize(dir).await,
    ) {
        (Ok(file), Ok(root)) => file.starts_with(root),
        _ => false,
    };
    if !inside {
        return not_found();
    }
    let Ok(bytes) = tokio::fs::read(dir.join(&path)).await else {
        return not_found();
    };
    // Revalidated (the folder may be rebuilt), but a page load re-downloads nothing unchanged.
    revalidated(bytes, content_type, &headers)
}

/// `--admin-ui-dir`: serve the assets from this folder instead, read at each request (for
/// working on the UI without rebuilding the server).
static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Serves the assets from `dir` from now on.
pub(crate) fn serve_from(dir: std::path::PathBuf) {
    let _ = DIR.set(dir);
}

/// `GET /admin/` (and `/admin`): the page.
pub(crate) async fn page(headers: HeaderMap) -> Response {
    asset("index.html", &headers)
}

/// `GET /admin/ui/{file}`.
pub(crate) async fn file(Path(name): Path<String>, headers: HeaderMap) -> Response {
    asset(&name, &headers)
}

/// One asset, with its ETag (304 on If-None-Match) and the policy.
fn asset(name: &str, headers: &HeaderMap) -> Response {
    let Some((_, content_type, embedded)) = ASSETS.iter().find(|(n, _, _)| *n == name) else {
        return (
            StatusCode::NOT_FOUND,
            [(CONTENT_TYPE, "text/plain")],
            "no such file",
        )
            .into_response();
    };
    let from_disk = DIR
        .get()
        .and_then(|dir| std::fs::read_to_string(dir.join(name)).ok());
    let body: &str = from_disk.as_deref().unwrap_or(embedded);
    revalidated(body.as_bytes().to_vec(), content_type, headers)
}

/// A file's answer: 304 when `If-None-Match` names its ETag, else the bytes, with the policy
/// and `no-cache` (revalidated every time, which is cheap, so a new version is picked up at
/// once).
fn revalidated(bytes: Vec<u8>, content_type: &'static str, headers: &HeaderMap) -> Response {
    let etag = crate::publisher::etag(&bytes);
    let tag = HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let common = [
        (CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY)),
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (ETAG, tag),
    ];
    let cached = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| etag_matches(v, &etag));
    if cached {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        StatusCode::OK,
        common,
        [(CONTENT_TYPE, HeaderValue::from_static(content_type))],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::ASSETS;

    #[test]
    fn every_module_the_page_imports_is_served() {
        for (name, _, body) in ASSETS {
            for line in body.lines() {
                let Some(rest) = line.trim().strip_prefix("import ") else {
                    continue;
                };
                let Some(from) = rest.split("from \"./").nth(1) else {
                    continue;
                };
                let module = from.split('"').next().unwrap_or_default();
                assert!(
                    ASSETS.iter().any(|(n, _, _)| *n == module),
                    "{name} imports {module}, which is not served"
                );
            }
        }
    }
}
