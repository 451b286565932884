//! Loading the last-known-good from the host's storage (browser storage, an edge cache).
//! Storage is not trusted: whatever comes back is verified in full again — signature, owner,
//! environment, expiry against the current clock — and anything that fails is discarded so
//! the client serves defaults until the network delivers (src/core/SECURITY.md, adversarial case 13).

use super::deliver::clean_etag;
use super::error::SyncError;
use super::machine::{Pending, SyncMachine};
use super::outcome::Outcome;
use super::status::Status;
use crate::envelope::{verify, HighWater, Identity, Verified};
use crate::{Error, Snapshot};

impl SyncMachine {
    /// Loads what the host stored from [`persisted`](Self::persisted): the envelope, the
    /// high-water mark stored with it and the ETag.
    ///
    /// A restored snapshot makes the client `READY` (it is signed and unexpired; expiry is
    /// the freshness bound its owner chose) unless a refresh already failed, then `STALE`.
    /// It does not count as a confirmation by the backend ([`age_ms`](Self::age_ms) stays
    /// `None`), so [`start`](Self::start) polls at once.
    ///
    /// A stored copy that fails verification, is older than its own stored mark or than what
    /// is loaded, or claims the mark's version with other bytes is not loaded: the outcome
    /// carries the error and `discard_persisted`, and the status does not change (a broken
    /// cache is not a failure of the backend). The stored mark is only a consistency check:
    /// nobody signed it, so it is never adopted on its own — a corrupted mark must not lock
    /// the client out of every future snapshot.
    pub fn restore(
        &mut self,
        envelope: &[u8],
        high_water: Option<HighWater>,
        etag: Option<&str>,
        now_ms: i64,
    ) -> Outcome {
        let mut pending = Pending::default();
        match self.check_stored(envelope, high_water.as_ref(), now_ms) {
            Ok(Some((snapshot, identity))) => {
                self.swap(snapshot, identity, envelope, &mut pending.events);
                self.etag = clean_etag(etag);
                self.fresh_since = Some(now_ms);
                // Loading from storage says nothing about the backend: a client that already
                // failed to refresh stays (or becomes) STALE rather than claiming READY.
                let to = match self.status {
                    Status::NotReady | Status::Ready => Status::Ready,
                    Status::Stale | Status::Error => Status::Stale,
                };
                self.transition(to, &mut pending.events);
            }
            // The very snapshot already loaded: nothing to do.
            Ok(None) => {}
            Err(error) => {
                pending.error = Some(SyncError::snapshot(error));
                pending.discard_persisted = true;
                // If something newer is loaded, it should take the broken copy's place.
                pending.persist = self.current.is_some();
            }
        }
        self.finish(now_ms, pending)
    }

    /// Verifies a stored envelope and checks it against the stored mark and the loaded
    /// snapshot; `Ok(None)` when it is the snapshot already loaded.
    fn check_stored(
        &self,
        envelope: &[u8],
        stored_mark: Option<&HighWater>,
        now_ms: i64,
    ) -> Result<Option<(Snapshot, Identity)>, Error> {
        // Verified without a mark, because the snapshot itself is needed even when it is the
        // one the mark names; the marks are checked below.
        let (snapshot, identity) = match verify(envelope, &self.policy, None, now_ms)? {
            Verified::Accepted { snapshot, identity } => (snapshot, identity),
            Verified::Unchanged(_) => return Ok(None),
        };
        if let Some(mark) = stored_mark {
            check_mark(&identity, mark)?;
        }
        if let Some(mark) = &self.high_water {
            check_mark(&identity, mark)?;
            if identity.version == mark.version {
                return Ok(None);
            }
        }
        Ok(Some((snapshot, identity)))
    }
}

/// The rollback rules of `verify`, for a mark checked after verification: older is a
/// rollback, the same version must have the same payload.
fn check_mark(identity: &Identity, mark: &HighWater) -> Result<(), Error> {
    if identity.version < mark.version {
        return Err(Error::Rollback {
            version: identity.version,
            high_water: mark.version,
        });
    }
    if identity.version == mark.version && identity.payload_sha256 != mark.payload_sha256 {
        return Err(Error::VersionConflict {
            version: identity.version,
        });
    }
    Ok(())
}
