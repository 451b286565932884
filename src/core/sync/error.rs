//! Why a refresh failed. The core [`Error`] names the verification check a snapshot failed;
//! a client can also fail before any snapshot arrives (an HTTP status, the network), so the
//! sync layer wraps it rather than adding transport cases to the core's error.

use crate::text::Msg;
use crate::Error;
use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

/// How a request failed without an HTTP response, as the host observed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureKind {
    /// No response: DNS, connection, TLS, CORS, or the body could not be read to the end.
    Network,
    /// The host aborted the request after `request_timeout_ms`.
    Timeout,
    /// The host aborted the request for its own reasons (shutdown, page hidden, superseded).
    /// Not a failure of the backend: the status and the backoff stay as they were.
    Aborted,
}

impl FailureKind {
    /// `NETWORK`, `TIMEOUT` or `ABORTED`.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Network => "NETWORK",
            FailureKind::Timeout => "TIMEOUT",
            FailureKind::Aborted => "ABORTED",
        }
    }
}

/// Why a refresh (or the configuration of a client) failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncError {
    /// The envelope was refused by verification, or the loaded snapshot expired; the inner
    /// error names the check. Shared: the machine keeps the last error and hands it out in
    /// the outcome too, and a core error is large to copy.
    Snapshot(Arc<Error>),
    /// The backend answered with a status that carries no snapshot.
    Http {
        /// The HTTP status code.
        status: u16,
    },
    /// The request failed without a response.
    Failure(FailureKind),
    /// `304 Not Modified` although there is no snapshot the request could have matched.
    NotModifiedWithoutSnapshot,
    /// A [`SyncConfig`](super::SyncConfig) that cannot be used.
    Config {
        /// What is wrong.
        message: &'static str,
    },
}

/// Whether an HTTP status stops the polling: the request itself is wrong (no credentials, no
/// permission, no such environment) and repeating it cannot succeed until someone changes the
/// configuration, so retrying would only load the backend.
pub fn is_fatal_status(status: u16) -> bool {
    matches!(status, 401 | 403 | 404 | 410)
}

impl SyncError {
    /// A refused snapshot (or an expired one) that failed `error`'s check.
    pub fn snapshot(error: Error) -> Self {
        SyncError::Snapshot(Arc::new(error))
    }

    /// A stable, machine-readable name: the core error's code for a refused snapshot
    /// (`BAD_SIGNATURE`, `ROLLBACK`, `EXPIRED`, ...), otherwise `FATAL_HTTP_STATUS`,
    /// `HTTP_STATUS`, `NETWORK`, `TIMEOUT`, `ABORTED`, `UNEXPECTED_NOT_MODIFIED` or
    /// `INVALID_CONFIG`.
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Snapshot(error) => error.code(),
            SyncError::Http { status } if is_fatal_status(*status) => "FATAL_HTTP_STATUS",
            SyncError::Http { .. } => "HTTP_STATUS",
            SyncError::Failure(kind) => kind.as_str(),
            SyncError::NotModifiedWithoutSnapshot => "UNEXPECTED_NOT_MODIFIED",
            SyncError::Config { .. } => "INVALID_CONFIG",
        }
    }

    /// Whether this failure stopped the polling.
    pub fn is_fatal(&self) -> bool {
        matches!(self, SyncError::Http { status } if is_fatal_status(*status))
    }

    /// The verification error, when a snapshot was refused.
    pub fn snapshot_error(&self) -> Option<&Error> {
        match self {
            SyncError::Snapshot(error) => Some(&**error),
            _ => None,
        }
    }
}

impl SyncError {
    /// The human-readable description, the same text as `Display` writes. Bindings use this
    /// rather than `to_string()` so that the wasm build links no `core::fmt` (see
    /// `crate::text`).
    pub fn message(&self) -> String {
        let fixed = match self {
            SyncError::Snapshot(error) => {
                return Msg::new("snapshot refused: ")
                    .text(&error.message())
                    .finish()
            }
            SyncError::Http { status } => {
                let mut msg = Msg::new("HTTP ");
                msg.num(*status).text(" from the snapshot endpoint");
                if is_fatal_status(*status) {
                    msg.text("; polling stopped (check the URL and the credentials)");
                }
                return msg.finish();
            }
            SyncError::Config { message } => {
                return Msg::new("sync config: ").text(message).finish()
            }
            SyncError::Failure(FailureKind::Network) => {
                "network failure while fetching the snapshot"
            }
            SyncError::Failure(FailureKind::Timeout) => "the snapshot request timed out",
            SyncError::Failure(FailureKind::Aborted) => "the snapshot request was aborted",
            SyncError::NotModifiedWithoutSnapshot => {
                "304 Not Modified without a snapshot to keep; the next request is unconditional"
            }
        };
        String::from(fixed)
    }
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for SyncError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            SyncError::Snapshot(error) => Some(&**error),
            _ => None,
        }
    }
}
