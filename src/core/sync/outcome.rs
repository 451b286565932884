//! What the machine hands back to the host: the outcome of each input (events to emit, what
//! to persist, when to wake up), the request to send, and the state to persist.

use super::error::SyncError;
use super::status::{Event, Status};
use crate::envelope::HighWater;
use alloc::string::String;
use alloc::vec::Vec;

/// What one input changed and what the host should do next.
///
/// A host emits [`events`](Self::events) in order, writes
/// [`SyncMachine::persisted`](super::SyncMachine::persisted) to storage when
/// [`persist`](Self::persist) is set, deletes its stored copy when
/// [`discard_persisted`](Self::discard_persisted) is set, and arms one timer for
/// [`wake_at`](Self::wake_at) that calls [`SyncMachine::tick`](super::SyncMachine::tick).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[must_use = "the outcome says which events to emit, what to persist and when to wake up"]
pub struct Outcome {
    /// Status after the input.
    pub status: Status,
    /// Events to emit, in order: [`Event::Changed`] first, then the status transition.
    pub events: Vec<Event>,
    /// The failure this input caused (for logs), also when the status did not change.
    pub error: Option<SyncError>,
    /// A new snapshot (or ETag) was accepted: write
    /// [`SyncMachine::persisted`](super::SyncMachine::persisted) to storage as the
    /// last-known-good.
    pub persist: bool,
    /// The stored last-known-good failed re-verification: delete it.
    pub discard_persisted: bool,
    /// When the next poll is due (ms since the Unix epoch); `None` before
    /// [`start`](super::SyncMachine::start) and after a fatal status stopped the polling.
    pub next_poll_at: Option<i64>,
    /// A poll is due now and no request is in flight: call
    /// [`begin_request`](super::SyncMachine::begin_request) and fetch.
    pub poll_due: bool,
    /// The earliest instant at which the host should call
    /// [`tick`](super::SyncMachine::tick): the next poll, or the moment the loaded snapshot
    /// expires or goes stale, whichever comes first. `None`: nothing is scheduled.
    pub wake_at: Option<i64>,
}

/// The request the host sends to the snapshot endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The value for `If-None-Match`: the ETag of the loaded snapshot, when there is one.
    pub if_none_match: Option<String>,
    /// Abort the request after this long and report
    /// [`FailureKind::Timeout`](super::FailureKind::Timeout).
    pub timeout_ms: u64,
}

/// What a host keeps in storage between runs: exactly what
/// [`SyncMachine::restore`](super::SyncMachine::restore) takes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Persisted<'a> {
    /// The accepted envelope, byte for byte as it was verified.
    pub envelope: &'a [u8],
    /// The high-water mark: the version and payload digest of that envelope.
    pub high_water: HighWater,
    /// The ETag the backend sent with it, to make the first request after a restart
    /// conditional.
    pub etag: Option<&'a str>,
}
