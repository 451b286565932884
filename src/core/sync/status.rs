//! The status a client reports and the events it emits when the status or the snapshot
//! changes. The names are those of the JavaScript client (and of OpenFeature's provider
//! statuses), so bindings pass them through unchanged.

/// What a client can serve right now.
///
/// The status describes the snapshot evaluation uses: `READY` and `STALE` both serve a
/// verified snapshot, `NOT_READY` and `ERROR` serve the caller's defaults.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Status {
    /// No snapshot yet and nothing has failed yet (the first fetch is still to come).
    #[default]
    NotReady,
    /// A verified, unexpired snapshot that the last refresh confirmed (or that was just
    /// loaded).
    Ready,
    /// A verified snapshot is served (the last-known-good), but it is not known to be current:
    /// the last refresh failed or was refused, the snapshot expired while loaded, a fatal
    /// status stopped the polling, or `stale_after_ms` passed without confirmation.
    Stale,
    /// No snapshot to serve, and fetching or verifying one failed.
    Error,
}

impl Status {
    /// `NOT_READY`, `READY`, `STALE` or `ERROR`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotReady => "NOT_READY",
            Status::Ready => "READY",
            Status::Stale => "STALE",
            Status::Error => "ERROR",
        }
    }

    /// Whether evaluation has a verified snapshot to serve (`READY` or `STALE`).
    pub fn serves_snapshot(self) -> bool {
        matches!(self, Status::Ready | Status::Stale)
    }
}

impl core::fmt::Display for Status {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something the host should tell its listeners. Each is emitted once per transition, never
/// again while the state lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// The client became `READY` for the first time (resolves a waiting `ready()`).
    Ready,
    /// The served snapshot was replaced by a newer one. Not emitted for the first snapshot,
    /// which [`Event::Ready`] announces.
    Changed {
        /// Version of the snapshot served before.
        from: u64,
        /// Version of the snapshot served now.
        to: u64,
    },
    /// The client turned `STALE`.
    Stale,
    /// The client turned `ERROR`.
    Error,
    /// The client is `READY` again after having been `STALE` or `ERROR` (only after it had
    /// been ready once; the first readiness is [`Event::Ready`]).
    Recovered,
}

impl Event {
    /// The JavaScript event name: `ready`, `change`, `stale`, `error` or `recovered`.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Ready => "ready",
            Event::Changed { .. } => "change",
            Event::Stale => "stale",
            Event::Error => "error",
            Event::Recovered => "recovered",
        }
    }
}
