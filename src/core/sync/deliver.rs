//! Inputs that may carry an envelope from the backend: poll responses, failed requests,
//! stream (SSE) events and a bootstrap envelope injected into the page. Every envelope goes
//! through the same `verify` and the same atomic swap.

use super::error::{is_fatal_status, FailureKind, SyncError};
use super::machine::{InFlight, Loaded, Pending, SyncMachine};
use super::outcome::Outcome;
use super::status::Event;
use crate::envelope::{check_still_fresh, verify, Identity, Verified};
use crate::{Error, Snapshot};
use alloc::string::String;

/// The longest ETag kept. Real ones are a quoted hash; anything much longer is not worth
/// echoing back in every request.
pub(super) const MAX_ETAG_BYTES: usize = 1024;

/// Whether a verified envelope replaced the snapshot or confirmed it.
enum Applied {
    Swapped,
    Unchanged,
}

impl SyncMachine {
    /// Handles the backend's answer to a poll.
    ///
    /// - `200`: the body is verified against the high-water mark. A newer snapshot is swapped
    ///   in; the one already loaded confirms it; a refused one keeps the last-known-good and
    ///   counts as a failure (backoff).
    /// - `304`: confirms the loaded snapshot, if the request was conditional and there is
    ///   one; otherwise it is a failure and the ETag is dropped so the retry is unconditional.
    /// - `401`, `403`, `404`, `410`: fatal; polling stops until a manual refresh succeeds.
    /// - anything else (`429`, `5xx`, other `2xx`/`3xx`/`4xx`): a failure, retried with backoff.
    ///
    /// `random` is a uniform random number in `[0, 1)` for the backoff's jitter.
    pub fn on_response(
        &mut self,
        status: u16,
        etag: Option<&str>,
        body: &[u8],
        now_ms: i64,
        random: f64,
    ) -> Outcome {
        let flight = self.in_flight.take();
        let mut pending = Pending::default();
        match status {
            200 => self.on_body(etag, body, flight, now_ms, random, &mut pending),
            304 => {
                // Without a flight record, the ETag the machine holds is what the host sent.
                let conditional = flight.map_or(self.etag.is_some(), |f| f.conditional);
                if conditional && self.current.is_some() {
                    self.poll_succeeded(now_ms, &mut pending);
                } else {
                    self.etag = None;
                    self.poll_failed(
                        SyncError::NotModifiedWithoutSnapshot,
                        now_ms,
                        random,
                        &mut pending,
                    );
                }
            }
            _ if is_fatal_status(status) => {
                self.retries_stopped = true;
                self.next_poll_at = None;
                self.failed(SyncError::Http { status }, &mut pending);
            }
            _ => self.poll_failed(SyncError::Http { status }, now_ms, random, &mut pending),
        }
        self.finish(now_ms, pending)
    }

    /// Handles a request that ended without a response. A network failure or a timeout is a
    /// failure (backoff); an abort by the host changes neither the status nor the backoff,
    /// and the next poll comes at the pace in force.
    pub fn on_failure(&mut self, kind: FailureKind, now_ms: i64, random: f64) -> Outcome {
        self.in_flight = None;
        let mut pending = Pending::default();
        match kind {
            FailureKind::Aborted if self.failures == 0 => self.poll_later(now_ms),
            FailureKind::Aborted => self.retry_later(now_ms, random),
            _ => self.poll_failed(SyncError::Failure(kind), now_ms, random, &mut pending),
        }
        self.finish(now_ms, pending)
    }

    /// Handles an envelope pushed by the stream (SSE). It is verified like a poll response;
    /// the same version with the same bytes is a no-op that confirms the snapshot. Success
    /// resets the backoff (the backend is evidently reachable) but otherwise leaves the poll
    /// schedule alone; a refused envelope keeps the last-known-good and sets the status
    /// without scheduling a retry, since the stream is not polled.
    pub fn on_stream_event(&mut self, envelope: &[u8], now_ms: i64) -> Outcome {
        let mut pending = Pending::default();
        match self.apply(envelope, now_ms, &mut pending) {
            Ok(_) => {
                self.confirmed(now_ms, &mut pending.events);
                if self.failures > 0 {
                    self.failures = 0;
                    self.poll_later(now_ms);
                }
            }
            Err(error) => self.failed(SyncError::snapshot(error), &mut pending),
        }
        self.finish(now_ms, pending)
    }

    /// Handles an envelope the page was served with (the edge worker injects it into the
    /// HTML): delivered by the backend's side like a stream event, so it takes the same path
    /// and counts as a confirmation; [`start`](Self::start) then polls one interval later.
    pub fn bootstrap(&mut self, envelope: &[u8], now_ms: i64) -> Outcome {
        self.on_stream_event(envelope, now_ms)
    }

    fn on_body(
        &mut self,
        etag: Option<&str>,
        body: &[u8],
        flight: Option<InFlight>,
        now_ms: i64,
        random: f64,
        pending: &mut Pending,
    ) {
        match self.apply(body, now_ms, pending) {
            Ok(applied) => {
                let etag = clean_etag(etag);
                if matches!(applied, Applied::Unchanged) && etag != self.etag {
                    // Same snapshot, new validator: the stored copy should carry it.
                    pending.persist = true;
                }
                self.etag = etag;
                self.poll_succeeded(now_ms, pending);
            }
            Err(Error::Rollback { version, .. }) if overtaken(flight, version) => {
                // The response is not older than what was loaded when the request started;
                // a stream event simply overtook it. No news, and no failure either.
                self.failures = 0;
                self.poll_later(now_ms);
            }
            Err(error) => self.poll_failed(SyncError::snapshot(error), now_ms, random, pending),
        }
    }

    /// Verifies `envelope` and swaps it in if it is newer. Events: `Changed` when a loaded
    /// snapshot was replaced; the caller settles the status.
    ///
    /// The envelope in use, byte for byte, is not verified or parsed again (a poll or a stream
    /// repeats it on every refresh): it passed every check when it was accepted, and only the
    /// clock can change the verdict, so only expiry and age are checked again.
    fn apply(
        &mut self,
        envelope: &[u8],
        now_ms: i64,
        pending: &mut Pending,
    ) -> Result<Applied, Error> {
        if let Some(current) = self.current.as_ref().filter(|c| c.envelope == envelope) {
            let identity = &current.identity;
            check_still_fresh(
                identity.issued_at,
                identity.expires_at,
                &self.policy,
                now_ms,
            )?;
            return Ok(Applied::Unchanged);
        }
        #[cfg(test)]
        {
            self.verifications += 1;
        }
        match verify(envelope, &self.policy, self.high_water.as_ref(), now_ms)? {
            Verified::Accepted { snapshot, identity } => {
                self.swap(snapshot, identity, envelope, &mut pending.events);
                pending.persist = true;
                Ok(Applied::Swapped)
            }
            Verified::Unchanged(_) => Ok(Applied::Unchanged),
        }
    }

    /// Replaces the snapshot, its identity, its envelope and the high-water mark in one step,
    /// so evaluation never sees a mix. The ETag belonged to the old snapshot: dropped.
    pub(super) fn swap(
        &mut self,
        snapshot: Snapshot,
        identity: Identity,
        envelope: &[u8],
        events: &mut alloc::vec::Vec<Event>,
    ) {
        let to = identity.version;
        self.high_water = Some(identity.high_water());
        self.etag = None;
        let previous = self.current.replace(Loaded {
            snapshot: alloc::sync::Arc::new(snapshot),
            identity,
            envelope: envelope.to_vec(),
        });
        if let Some(previous) = previous {
            events.push(Event::Changed {
                from: previous.identity.version,
                to,
            });
        }
    }

    fn poll_succeeded(&mut self, now_ms: i64, pending: &mut Pending) {
        self.failures = 0;
        self.retries_stopped = false;
        self.confirmed(now_ms, &mut pending.events);
        self.poll_later(now_ms);
    }

    fn poll_failed(&mut self, error: SyncError, now_ms: i64, random: f64, pending: &mut Pending) {
        self.failures = self.failures.saturating_add(1);
        self.failed(error, pending);
        self.retry_later(now_ms, random);
    }
}

/// Whether a refused `version` was merely overtaken: the request started when a version no
/// newer than it was loaded (or none), so the backend did not roll anything back.
fn overtaken(flight: Option<InFlight>, version: u64) -> bool {
    flight.is_some_and(|f| !matches!(f.version, Some(started) if version < started))
}

/// The ETag to keep: visible ASCII only (it goes back into a header, where anything else
/// would make the host's `fetch` throw) and at most [`MAX_ETAG_BYTES`]; otherwise none.
pub(super) fn clean_etag(etag: Option<&str>) -> Option<String> {
    etag.filter(|e| {
        !e.is_empty() && e.len() <= MAX_ETAG_BYTES && e.bytes().all(|b| (0x21..=0x7e).contains(&b))
    })
    .map(String::from)
}
