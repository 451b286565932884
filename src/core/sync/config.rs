//! How often a client polls, how it backs off, when it calls a snapshot stale and how long a
//! request may take. Checked once, when the machine is built, so that a zero interval cannot
//! turn into a request loop later.

use super::error::SyncError;

/// Timing of a client's synchronisation, all in milliseconds.
///
/// ```
/// use edgeflag::sync::SyncConfig;
///
/// let config = SyncConfig { poll_interval_ms: 60_000, ..SyncConfig::default() };
/// assert_eq!(config.max_backoff_ms, 300_000);
/// assert!(config.check().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncConfig {
    /// Time between two polls while everything works (default 30 s).
    pub poll_interval_ms: u64,
    /// Ceiling of the first retry after a failure (default 1 s); each further consecutive
    /// failure doubles the ceiling.
    pub min_backoff_ms: u64,
    /// The largest ceiling a retry delay may reach (default 5 min).
    pub max_backoff_ms: u64,
    /// When set, a snapshot that the backend has not confirmed for this long turns the client
    /// `STALE` even though no request failed (a silent stream, a host that stopped polling).
    /// Default: unset, because failed refreshes and expiry already mark staleness.
    pub stale_after_ms: Option<u64>,
    /// How long the host lets one request run before aborting it and reporting a timeout
    /// (default 10 s); after that long a request no longer blocks a new one.
    pub request_timeout_ms: u64,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            poll_interval_ms: 30_000,
            min_backoff_ms: 1_000,
            max_backoff_ms: 300_000,
            stale_after_ms: None,
            request_timeout_ms: 10_000,
        }
    }
}

impl SyncConfig {
    /// Refuses settings that would make a client poll in a tight loop or never time out a
    /// request: every duration must be at least 1 ms and the backoff cap at least its floor.
    pub fn check(&self) -> Result<(), SyncError> {
        let problem = if self.poll_interval_ms == 0 {
            Some("poll_interval_ms must be at least 1")
        } else if self.min_backoff_ms == 0 {
            Some("min_backoff_ms must be at least 1")
        } else if self.max_backoff_ms < self.min_backoff_ms {
            Some("max_backoff_ms must not be below min_backoff_ms")
        } else if self.request_timeout_ms == 0 {
            Some("request_timeout_ms must be at least 1")
        } else if self.stale_after_ms == Some(0) {
            Some("stale_after_ms must be at least 1 (or unset)")
        } else {
            None
        };
        match problem {
            Some(message) => Err(SyncError::Config { message }),
            None => Ok(()),
        }
    }
}
