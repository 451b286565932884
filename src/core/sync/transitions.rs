//! The transitions every input shares: status changes and their events, success and
//! failure bookkeeping, the poll schedule, expiry, and reading the schedule out into an
//! outcome.

use super::backoff::backoff_delay_ms;
use super::error::SyncError;
use super::machine::{after, Pending, SyncMachine};
use super::outcome::Outcome;
use super::status::{Event, Status};
use crate::Error;
use alloc::vec::Vec;

impl SyncMachine {
    /// Moves to `to`, emitting the event of the transition (none when nothing changes).
    pub(super) fn transition(&mut self, to: Status, events: &mut Vec<Event>) {
        let from = core::mem::replace(&mut self.status, to);
        if from == to {
            return;
        }
        match to {
            Status::Ready if !self.ever_ready => {
                self.ever_ready = true;
                events.push(Event::Ready);
            }
            Status::Ready => events.push(Event::Recovered),
            Status::Stale => events.push(Event::Stale),
            Status::Error => events.push(Event::Error),
            Status::NotReady => {}
        }
    }

    /// The backend confirmed the loaded snapshot (or delivered a new one): `READY`, unless
    /// the snapshot has expired meanwhile (a 304 cannot extend its validity).
    pub(super) fn confirmed(&mut self, now_ms: i64, events: &mut Vec<Event>) {
        self.confirmed_at = Some(now_ms);
        self.fresh_since = Some(now_ms);
        match self.expiry_error(now_ms) {
            Some(expired) => {
                self.last_error = Some(SyncError::snapshot(expired));
                self.transition(Status::Stale, events);
            }
            None => {
                self.last_error = None;
                self.transition(Status::Ready, events);
            }
        }
    }

    /// A refresh failed: the last-known-good stays, the status says whether there is one.
    pub(super) fn failed(&mut self, error: SyncError, pending: &mut Pending) {
        self.last_error = Some(error.clone());
        pending.error = Some(error);
        let to = if self.current.is_some() {
            Status::Stale
        } else {
            Status::Error
        };
        self.transition(to, &mut pending.events);
    }

    /// The next poll after a success (or a neutral answer): one interval from now.
    pub(super) fn poll_later(&mut self, now_ms: i64) {
        self.schedule(after(now_ms, self.config.poll_interval_ms));
    }

    /// The next poll after `self.failures` consecutive failures.
    pub(super) fn retry_later(&mut self, now_ms: i64, random: f64) {
        let c = &self.config;
        let delay = backoff_delay_ms(self.failures, c.min_backoff_ms, c.max_backoff_ms, random);
        self.schedule(after(now_ms, delay));
    }

    /// Sets the next poll, unless a fatal status stopped polling or `start` was not called.
    pub(super) fn schedule(&mut self, at: i64) {
        self.next_poll_at = (self.started && !self.retries_stopped).then_some(at);
    }

    /// `Error::Expired` when the loaded snapshot is past `expiresAt` plus the policy's skew,
    /// the same rule `verify` applies to an arriving one.
    pub(super) fn expiry_error(&self, now_ms: i64) -> Option<Error> {
        let expires_at = self.current.as_ref()?.identity.expires_at;
        (now_ms >= self.expiry_instant()?).then_some(Error::Expired {
            expires_at,
            now: now_ms,
        })
    }

    /// The first millisecond at which the loaded snapshot counts as expired.
    fn expiry_instant(&self) -> Option<i64> {
        let expires_at = self.current.as_ref()?.identity.expires_at;
        Some(after(expires_at, self.policy.clock_skew_ms()).saturating_add(1))
    }

    /// When the loaded snapshot goes stale for lack of confirmation, if configured.
    pub(super) fn stale_at(&self) -> Option<i64> {
        Some(after(self.fresh_since?, self.config.stale_after_ms?))
    }

    /// Reads the schedule out into the outcome of an input.
    pub(super) fn finish(&self, now_ms: i64, pending: Pending) -> Outcome {
        let mut wake_at = self.next_poll_at;
        if self.status == Status::Ready {
            for at in [self.expiry_instant(), self.stale_at()]
                .into_iter()
                .flatten()
            {
                wake_at = Some(wake_at.map_or(at, |w| w.min(at)));
            }
        }
        Outcome {
            status: self.status,
            events: pending.events,
            error: pending.error,
            persist: pending.persist,
            discard_persisted: pending.discard_persisted,
            next_poll_at: self.next_poll_at,
            poll_due: self.next_poll_at.is_some_and(|at| now_ms >= at) && !self.in_flight(now_ms),
            wake_at,
        }
    }
}
