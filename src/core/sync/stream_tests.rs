//! Stream (SSE) events and bootstrap envelopes: atomic application, de-duplication by
//! version, refusals, and their (small) effect on the poll schedule.

use super::test_support::*;
use super::{Event, FailureKind, Status, SyncConfig, SyncMachine};

#[test]
fn a_newer_stream_event_applies_atomically() {
    let mut m = ready(5);
    let before = m.next_poll_at();
    let out = m.on_stream_event(&envelope(6), NOW + 100);
    assert_eq!(out.events, [Event::Changed { from: 5, to: 6 }]);
    assert!(out.persist && out.error.is_none());
    assert_eq!(out.status, Status::Ready);
    // Snapshot, identity, high-water mark and stored envelope all moved together.
    assert_eq!(served(&m), Some(6));
    assert_eq!(m.identity().unwrap().version, 6);
    assert_eq!(m.high_water(), Some(m.identity().unwrap().high_water()));
    let stored = m.persisted().unwrap();
    assert_eq!(stored.envelope, envelope(6).as_slice());
    // The ETag named version 5: it is dropped, not sent for version 6.
    assert_eq!(stored.etag, None);
    assert_eq!(m.request().if_none_match, None);
    // The poll schedule is untouched; the stream confirmed freshness.
    assert_eq!(out.next_poll_at, before);
    assert_eq!(m.age_ms(NOW + 100), Some(0));
}

#[test]
fn the_same_version_with_the_same_bytes_is_a_no_op() {
    let mut m = ready(5);
    let identity = m.identity().cloned();
    let out = m.on_stream_event(&envelope(5), NOW + 100);
    assert!(out.events.is_empty() && !out.persist && out.error.is_none());
    assert_eq!(out.status, Status::Ready);
    assert_eq!(m.identity().cloned(), identity);
    // It is not a new snapshot, so the ETag of version 5 stays valid.
    assert_eq!(m.request().if_none_match.as_deref(), Some("\"v5\""));
}

#[test]
fn the_envelope_in_use_is_not_verified_or_parsed_again() {
    let mut m = ready(5);
    let before = m.verifications;
    for i in 1..=3 {
        let out = m.on_stream_event(&envelope(5), NOW + 100 * i);
        assert!(out.events.is_empty() && out.error.is_none());
        let out = m.on_response(200, Some("\"v5\""), &envelope(5), NOW + 100 * i + 50, 0.5);
        assert!(out.events.is_empty() && out.error.is_none());
    }
    assert_eq!(m.verifications, before, "six deliveries, no verification");
    // Another envelope of the same version is verified (and refused: other bytes).
    let out = m.on_stream_event(&other_envelope(5), NOW + 1_000);
    assert_eq!(code(&out), "VERSION_CONFLICT");
    assert_eq!(m.verifications, before + 1);
}

#[test]
fn the_envelope_in_use_is_still_held_to_its_expiry() {
    let mut m = ready(5);
    let expires = m.identity().unwrap().expires_at;
    let late = expires + 5 * 60_000 + 1;
    let out = m.on_stream_event(&envelope(5), late);
    assert_eq!(code(&out), "EXPIRED");
    assert_eq!(out.status, Status::Stale);
}

#[test]
fn the_same_version_with_other_bytes_is_refused() {
    let mut m = ready(5);
    let out = m.on_stream_event(&other_envelope(5), NOW + 100);
    assert_eq!(
        (out.status, out.events.as_slice()),
        (Status::Stale, &[Event::Stale][..])
    );
    assert_eq!(code(&out), "VERSION_CONFLICT");
    assert!(!out.persist);
    assert_eq!(m.persisted().unwrap().envelope, envelope(5).as_slice());
}

#[test]
fn an_older_stream_event_is_a_refused_rollback() {
    let mut m = ready(5);
    let before = m.next_poll_at();
    let out = m.on_stream_event(&envelope(3), NOW + 100);
    assert_eq!(code(&out), "ROLLBACK");
    assert_eq!(out.status, Status::Stale);
    assert_eq!(served(&m), Some(5));
    // The stream is not polled: a refusal schedules no retry.
    assert_eq!(out.next_poll_at, before);
    assert_eq!(m.consecutive_failures(), 0);
    // The next good event recovers.
    let out = m.on_stream_event(&envelope(6), NOW + 200);
    assert_eq!(
        out.events,
        [Event::Changed { from: 5, to: 6 }, Event::Recovered]
    );
}

#[test]
fn a_stream_success_resets_the_backoff() {
    let mut m = ready(5);
    let _ = m.on_failure(FailureKind::Network, NOW + POLL, 0.999);
    let _ = m.on_failure(FailureKind::Network, NOW + POLL + 1_000, 0.999);
    assert_eq!(m.consecutive_failures(), 2);
    let t = NOW + POLL + 2_000;
    let out = m.on_stream_event(&envelope(5), t);
    assert_eq!(out.events, [Event::Recovered]);
    assert_eq!(m.consecutive_failures(), 0);
    assert_eq!(out.next_poll_at, Some(t + POLL));
}

#[test]
fn a_stream_event_can_deliver_the_first_snapshot() {
    let mut m = machine();
    let out = m.on_stream_event(&envelope(5), NOW + 1);
    assert_eq!(out.events, [Event::Ready]);
    assert!(out.persist);
    assert_eq!(served(&m), Some(5));
}

#[test]
fn a_stream_success_does_not_resume_stopped_polling() {
    let mut m = ready(5);
    let _ = m.on_response(401, None, b"", NOW + POLL, 0.5);
    let out = m.on_stream_event(&envelope(6), NOW + POLL + 1);
    assert_eq!(
        out.events,
        [Event::Changed { from: 5, to: 6 }, Event::Recovered]
    );
    assert_eq!(out.next_poll_at, None);
    assert!(m.retries_stopped());
}

#[test]
fn a_bootstrap_envelope_makes_the_client_ready_and_defers_the_first_poll() {
    let mut m = SyncMachine::new(policy(), SyncConfig::default()).unwrap();
    let out = m.bootstrap(&envelope(5), NOW);
    assert_eq!(out.events, [Event::Ready]);
    assert!(out.persist);
    assert_eq!(out.next_poll_at, None);
    assert_eq!(m.age_ms(NOW + 7), Some(7));
    let out = m.start(NOW + 10);
    assert_eq!(out.next_poll_at, Some(NOW + POLL));
    assert!(!out.poll_due);
    // Started much later, it polls at once.
    let mut late = SyncMachine::new(policy(), SyncConfig::default()).unwrap();
    let _ = late.bootstrap(&envelope(5), NOW);
    assert_eq!(
        late.start(NOW + 5 * POLL).next_poll_at,
        Some(NOW + 5 * POLL)
    );
}

#[test]
fn a_refused_bootstrap_envelope_leaves_the_first_poll_to_recover() {
    let mut m = SyncMachine::new(policy(), SyncConfig::default()).unwrap();
    let out = m.bootstrap(&sign_with(&payload(5, "staging", EXPIRES, true), 1), NOW);
    assert_eq!(
        (out.status, out.events.as_slice()),
        (Status::Error, &[Event::Error][..])
    );
    assert_eq!(code(&out), "WRONG_ENVIRONMENT");
    let out = m.start(NOW);
    assert!(out.poll_due);
    let out = m.on_response(200, None, &envelope(5), NOW + 50, 0.5);
    assert_eq!(out.events, [Event::Ready]);
}
