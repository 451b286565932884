//! The machine's state and the inputs that carry no envelope: start, the passing of time,
//! and requests. Envelopes arrive through `deliver.rs` and `restore.rs`; the read side is in
//! `accessors.rs`, the transitions every input shares in `transitions.rs`.

use super::config::SyncConfig;
use super::error::SyncError;
use super::outcome::{Outcome, Request};
use super::status::{Event, Status};
use crate::envelope::{HighWater, Identity, TrustPolicy};
use crate::Snapshot;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// The sans-IO client state machine: feed it what happened (responses, failures, stream
/// events, the time) and it decides what to load, the status, and when to poll next.
///
/// Named `SyncMachine` rather than `Sync` so that importing it never shadows
/// `core::marker::Sync`. See the [module documentation](super) for a host loop.
pub struct SyncMachine {
    pub(super) policy: TrustPolicy,
    pub(super) config: SyncConfig,
    /// The last-known-good: served until something newer verifies.
    pub(super) current: Option<Loaded>,
    pub(super) high_water: Option<HighWater>,
    /// The ETag of `current` as the backend named it; cleared when a snapshot arrives by
    /// another way, whose ETag is unknown.
    pub(super) etag: Option<String>,
    pub(super) status: Status,
    /// Whether the client was ever `READY`: decides between `Ready` and `Recovered` events.
    pub(super) ever_ready: bool,
    pub(super) last_error: Option<SyncError>,
    /// Consecutive failed polls, for the backoff; 0 after a success.
    pub(super) failures: u32,
    pub(super) retries_stopped: bool,
    pub(super) started: bool,
    pub(super) next_poll_at: Option<i64>,
    pub(super) in_flight: Option<InFlight>,
    /// When the backend last confirmed the snapshot (a 200, a 304, a stream event, a
    /// bootstrap envelope); a restored snapshot has not been confirmed.
    pub(super) confirmed_at: Option<i64>,
    /// Start of the `stale_after_ms` window: the last confirmation or load.
    pub(super) fresh_since: Option<i64>,
    /// How many envelopes went through `verify` (tests check what is not verified again).
    #[cfg(test)]
    pub(super) verifications: u32,
}

/// A loaded snapshot with what it came from.
pub(super) struct Loaded {
    /// Shared so that a host can evaluate without holding a borrow of the machine.
    pub(super) snapshot: alloc::sync::Arc<Snapshot>,
    pub(super) identity: Identity,
    pub(super) envelope: Vec<u8>,
}

/// The request the host started with [`SyncMachine::begin_request`].
#[derive(Clone, Copy, Debug)]
pub(super) struct InFlight {
    pub(super) started_at: i64,
    /// The version loaded when the request started: a response older than what arrived
    /// meanwhile (by stream) was overtaken, not a rollback.
    pub(super) version: Option<u64>,
    /// Whether the request carried `If-None-Match` (a 304 can only answer such a request).
    pub(super) conditional: bool,
}

/// What an input produced before the schedule is read out into an [`Outcome`].
#[derive(Default)]
pub(super) struct Pending {
    pub(super) events: Vec<Event>,
    pub(super) error: Option<SyncError>,
    pub(super) persist: bool,
    pub(super) discard_persisted: bool,
}

impl SyncMachine {
    /// A machine for a client that trusts `policy`, with nothing loaded (`NOT_READY`).
    pub fn new(policy: TrustPolicy, config: SyncConfig) -> Result<SyncMachine, SyncError> {
        config.check()?;
        Ok(SyncMachine {
            policy,
            config,
            current: None,
            high_water: None,
            etag: None,
            status: Status::NotReady,
            ever_ready: false,
            last_error: None,
            failures: 0,
            retries_stopped: false,
            started: false,
            next_poll_at: None,
            in_flight: None,
            confirmed_at: None,
            fresh_since: None,
            #[cfg(test)]
            verifications: 0,
        })
    }

    /// Starts polling: the first poll is due now, or one poll interval after a bootstrap
    /// envelope confirmed the snapshot. Calling it again changes nothing.
    pub fn start(&mut self, now_ms: i64) -> Outcome {
        if !self.started {
            self.started = true;
            let at = match self.confirmed_at {
                Some(at) => after(at, self.config.poll_interval_ms).max(now_ms),
                None => now_ms,
            };
            self.schedule(at);
        }
        self.finish(now_ms, Pending::default())
    }

    /// Notices the passing of time: a loaded snapshot that expired (beyond the policy's clock
    /// skew) or that went unconfirmed for `stale_after_ms` turns the client `STALE`; it is
    /// still served, because the defaults would be worse than the last-known-good. The
    /// outcome also says whether a poll is due.
    pub fn tick(&mut self, now_ms: i64) -> Outcome {
        let mut pending = Pending::default();
        if self.status == Status::Ready {
            if let Some(expired) = self.expiry_error(now_ms) {
                let error = SyncError::snapshot(expired);
                self.last_error = Some(error.clone());
                pending.error = Some(error);
                self.transition(Status::Stale, &mut pending.events);
            } else if self.stale_at().is_some_and(|at| now_ms >= at) {
                self.transition(Status::Stale, &mut pending.events);
            }
        }
        self.finish(now_ms, pending)
    }

    /// The request to send now, without marking it in flight (for hosts that de-duplicate
    /// requests themselves).
    pub fn request(&self) -> Request {
        Request {
            // Without a snapshot a 304 would leave nothing to serve, so never ask for one.
            if_none_match: self.current.as_ref().and(self.etag.clone()),
            timeout_ms: self.config.request_timeout_ms,
        }
    }

    /// Marks a request as in flight and returns it, or `None` while another one is in flight
    /// (and not yet past its timeout). It may be called at any time for a manual refresh,
    /// also after a fatal status stopped the polling.
    pub fn begin_request(&mut self, now_ms: i64) -> Option<Request> {
        if self.in_flight(now_ms) {
            return None;
        }
        let request = self.request();
        self.in_flight = Some(InFlight {
            started_at: now_ms,
            version: self.current.as_ref().map(|c| c.identity.version),
            conditional: request.if_none_match.is_some(),
        });
        // A watchdog rather than no schedule: if the host never reports how the request
        // ended, a poll becomes due again once it has timed out.
        self.schedule(after(now_ms, self.config.request_timeout_ms));
        Some(request)
    }

    /// Whether a request started with [`begin_request`](Self::begin_request) is still
    /// running (reported neither as a response nor as a failure, and not past its timeout).
    pub fn in_flight(&self, now_ms: i64) -> bool {
        self.in_flight
            .is_some_and(|f| now_ms < after(f.started_at, self.config.request_timeout_ms))
    }
}

impl fmt::Debug for SyncMachine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Not the snapshot or the envelope bytes: megabytes in a log line help nobody.
        f.debug_struct("SyncMachine")
            .field("status", &self.status)
            .field("identity", &self.identity())
            .field("high_water", &self.high_water)
            .field("etag", &self.etag)
            .field("last_error", &self.last_error)
            .field("failures", &self.failures)
            .field("retries_stopped", &self.retries_stopped)
            .field("next_poll_at", &self.next_poll_at)
            .field("in_flight", &self.in_flight)
            .finish_non_exhaustive()
    }
}

/// `instant + ms`, saturating: a duration beyond `i64` means "never" in practice.
pub(super) fn after(instant: i64, ms: u64) -> i64 {
    instant.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX))
}
