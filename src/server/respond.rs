//! The JSON bodies of the server's answers: values, prepared text, and the one shape of every
//! error (`{"error": CODE, "message": ..., "field": ...}`), shared by the public and the
//! admin routes.

use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use edgeflag::Value;

/// A JSON response.
pub(crate) fn json(status: StatusCode, body: &Value) -> Response {
    (status, [(CONTENT_TYPE, "application/json")], body.to_json()).into_response()
}

/// A JSON response from JSON text already made.
pub(crate) fn json_text(status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, "application/json")], body).into_response()
}

/// An error response: `{"error": CODE, "message": ..., "field": ...}` (`field` only for a
/// malformed request).
pub(crate) fn error(
    status: StatusCode,
    code: &str,
    message: &str,
    field: Option<&str>,
) -> Response {
    let mut members = vec![
        ("error".into(), Value::from(code)),
        ("message".into(), Value::from(message)),
    ];
    if let Some(field) = field {
        members.push(("field".into(), Value::from(field)));
    }
    json(status, &Value::Object(members))
}

/// Whether an `If-None-Match` value names `etag`: `*`, or a list in which one tag equals it
/// (weak comparison, as RFC 9110 prescribes for If-None-Match: `W/` is ignored).
pub(crate) fn etag_matches(header: &str, etag: &str) -> bool {
    header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
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
