//! Time passing over a loaded snapshot: expiry and `stale_after_ms` turn the client STALE
//! while the last-known-good is still served; only a newer snapshot (or, for staleness, a
//! confirmation) makes it READY again.

use super::test_support::*;
use super::{Event, Status, SyncConfig};

#[test]
fn a_loaded_snapshot_that_expires_turns_stale_on_tick_and_is_still_served() {
    let expires = NOW + 100_000;
    let mut m = machine_with(SyncConfig {
        poll_interval_ms: 1_000_000,
        ..SyncConfig::default()
    });
    let _ = m.on_response(200, Some("\"e\""), &envelope_expiring(5, expires), NOW, 0.5);
    // Awake for the expiry, which comes before the next poll.
    let out = m.tick(NOW + 1);
    assert_eq!(out.wake_at, Some(expires + SKEW + 1));
    assert!(m.tick(expires + SKEW).events.is_empty());
    let out = m.tick(expires + SKEW + 1);
    assert_eq!(
        (out.status, out.events.as_slice()),
        (Status::Stale, &[Event::Stale][..])
    );
    assert_eq!(code(&out), "EXPIRED");
    assert_eq!(out.wake_at, out.next_poll_at);
    assert!(m.tick(expires + SKEW + 2).events.is_empty());
    assert_eq!(served(&m), Some(5));
    // A 304 cannot make it fresh again; a newer snapshot can.
    let out = m.on_response(304, None, b"", expires + SKEW + 3, 0.5);
    assert_eq!((out.status, out.events.len()), (Status::Stale, 0));
    assert_eq!(m.last_error().map(|e| e.code()), Some("EXPIRED"));
    let out = m.on_response(200, None, &envelope(6), expires + SKEW + 4, 0.5);
    assert_eq!(
        out.events,
        [Event::Changed { from: 5, to: 6 }, Event::Recovered]
    );
}

#[test]
fn an_unconfirmed_snapshot_turns_stale_after_stale_after_ms() {
    let config = SyncConfig {
        stale_after_ms: Some(60_000),
        ..SyncConfig::default()
    };
    let mut m = machine_with(config);
    let _ = m.on_response(200, Some("\"v5\""), &envelope(5), NOW, 0.5);
    // The host stops polling (say, the stream is supposed to carry updates).
    assert!(m.tick(NOW + 59_999).events.is_empty());
    let out = m.tick(NOW + 60_000);
    assert_eq!(
        (out.status, out.events.as_slice()),
        (Status::Stale, &[Event::Stale][..])
    );
    assert!(out.error.is_none() && m.last_error().is_none());
    let out = m.on_response(304, None, b"", NOW + 70_000, 0.5);
    assert_eq!(out.events, [Event::Recovered]);
    assert_eq!(m.tick(NOW + 70_001).wake_at, Some(NOW + 70_000 + POLL));
}
