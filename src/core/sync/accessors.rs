//! The read side of the machine: what evaluation and the host look at between inputs.

use super::config::SyncConfig;
use super::error::SyncError;
use super::machine::SyncMachine;
use super::outcome::Persisted;
use super::status::Status;
use crate::envelope::{HighWater, Identity, TrustPolicy};
use crate::Snapshot;

impl SyncMachine {
    /// The snapshot evaluation should use: the last-known-good, also while `STALE`.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.current.as_ref().map(|c| &*c.snapshot)
    }

    /// The same snapshot, shared: a host (such as the wasm bindings) can evaluate with it
    /// while feeding the machine new inputs, and a swap never disturbs an evaluation.
    pub fn shared_snapshot(&self) -> Option<alloc::sync::Arc<Snapshot>> {
        self.current
            .as_ref()
            .map(|c| alloc::sync::Arc::clone(&c.snapshot))
    }

    /// Who signed the loaded snapshot, its version and validity.
    pub fn identity(&self) -> Option<&Identity> {
        self.current.as_ref().map(|c| &c.identity)
    }

    /// The current status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Why the client is `STALE` or `ERROR` (`None` while `READY`, and when `STALE` only
    /// because `stale_after_ms` passed).
    pub fn last_error(&self) -> Option<&SyncError> {
        self.last_error.as_ref()
    }

    /// The highest version accepted (with its payload digest): what refuses rollbacks.
    pub fn high_water(&self) -> Option<HighWater> {
        self.high_water
    }

    /// What to write to storage as the last-known-good (after an outcome with `persist`).
    pub fn persisted(&self) -> Option<Persisted<'_>> {
        self.current.as_ref().map(|c| Persisted {
            envelope: &c.envelope,
            high_water: c.identity.high_water(),
            etag: self.etag.as_deref(),
        })
    }

    /// Milliseconds since the backend last confirmed the snapshot, `None` if it never did
    /// (nothing loaded, or only a snapshot restored from storage).
    pub fn age_ms(&self, now_ms: i64) -> Option<u64> {
        let since = self.confirmed_at?;
        Some(u64::try_from(now_ms.saturating_sub(since)).unwrap_or(0))
    }

    /// When the next poll is due; `None` before `start` and after a fatal status.
    pub fn next_poll_at(&self) -> Option<i64> {
        self.next_poll_at
    }

    /// Whether a fatal status (401, 403, 404, 410) stopped the polling. A successful manual
    /// refresh resumes it.
    pub fn retries_stopped(&self) -> bool {
        self.retries_stopped
    }

    /// Consecutive failed polls since the last success.
    pub fn consecutive_failures(&self) -> u32 {
        self.failures
    }

    /// The trust policy envelopes are verified against.
    pub fn policy(&self) -> &TrustPolicy {
        &self.policy
    }

    /// The timing configuration.
    pub fn config(&self) -> &SyncConfig {
        &self.config
    }
}
