//! The names and codes bindings pass through unchanged: statuses, events, error codes.

use super::{Event, FailureKind, Status, SyncError};
use alloc::string::ToString;
use alloc::vec::Vec;

#[test]
fn names_match_the_javascript_client() {
    let statuses = [
        Status::NotReady,
        Status::Ready,
        Status::Stale,
        Status::Error,
    ];
    let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    assert_eq!(names, ["NOT_READY", "READY", "STALE", "ERROR"]);
    assert_eq!(Status::Stale.to_string(), "STALE");
    assert_eq!(Status::default(), Status::NotReady);
    assert!(Status::Stale.serves_snapshot() && !Status::Error.serves_snapshot());
    let events = [
        Event::Ready,
        Event::Changed { from: 1, to: 2 },
        Event::Stale,
        Event::Error,
        Event::Recovered,
    ];
    let names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
    assert_eq!(names, ["ready", "change", "stale", "error", "recovered"]);
}

#[test]
fn errors_have_stable_codes_and_readable_messages() {
    let cases = [
        (
            SyncError::Http { status: 401 },
            "FATAL_HTTP_STATUS",
            "HTTP 401",
        ),
        (SyncError::Http { status: 503 }, "HTTP_STATUS", "HTTP 503"),
        (
            SyncError::Failure(FailureKind::Network),
            "NETWORK",
            "network",
        ),
        (
            SyncError::Failure(FailureKind::Timeout),
            "TIMEOUT",
            "timed out",
        ),
        (
            SyncError::Failure(FailureKind::Aborted),
            "ABORTED",
            "aborted",
        ),
        (
            SyncError::NotModifiedWithoutSnapshot,
            "UNEXPECTED_NOT_MODIFIED",
            "304",
        ),
        (
            SyncError::snapshot(crate::Error::Signature),
            "BAD_SIGNATURE",
            "snapshot refused",
        ),
    ];
    for (error, code, text) in cases {
        assert_eq!(error.code(), code);
        assert!(error.to_string().contains(text), "{error}");
    }
    let refused = SyncError::snapshot(crate::Error::Signature);
    assert_eq!(refused.snapshot_error(), Some(&crate::Error::Signature));
    assert!(core::error::Error::source(&refused).is_some());
    assert!(SyncError::Http { status: 500 }.snapshot_error().is_none());
    assert!(!SyncError::Http { status: 500 }.is_fatal());
}

#[test]
fn error_messages_are_exactly_what_the_format_strings_wrote() {
    let cases = [
        (
            SyncError::Http { status: 404 },
            "HTTP 404 from the snapshot endpoint; polling stopped (check the URL and the credentials)",
        ),
        (
            SyncError::Http { status: 503 },
            "HTTP 503 from the snapshot endpoint",
        ),
        (
            SyncError::Config {
                message: "pollIntervalMs is 0",
            },
            "sync config: pollIntervalMs is 0",
        ),
        (
            SyncError::snapshot(crate::Error::VersionConflict { version: 12 }),
            "snapshot refused: version: 12 was already accepted with different content",
        ),
        (
            SyncError::NotModifiedWithoutSnapshot,
            "304 Not Modified without a snapshot to keep; the next request is unconditional",
        ),
    ];
    for (error, text) in cases {
        assert_eq!(error.message(), text);
        assert_eq!(error.to_string(), text);
    }
    let base64 = crate::envelope::base64::Base64Error::InvalidByte { at: 1234 };
    assert_eq!(base64.message(), "invalid character at offset 1234");
    assert_eq!(base64.to_string(), "invalid character at offset 1234");
}
