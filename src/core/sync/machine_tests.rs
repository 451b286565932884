//! The machine without any snapshot (no `sign` feature needed): the schedule, failures
//! before the first snapshot, fatal statuses, backoff, aborts and in-flight de-duplication.

use super::{Event, FailureKind, Status, SyncConfig, SyncError, SyncMachine};
use crate::envelope::TrustPolicy;
use alloc::vec::Vec;

const NOW: i64 = 1_795_305_600_000;
const POLL: i64 = 30_000;

fn machine_with(config: SyncConfig) -> SyncMachine {
    let policy = TrustPolicy::builder("production")
        .key("ed25519:fU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=")
        .owner("shop")
        .build()
        .unwrap();
    SyncMachine::new(policy, config).unwrap()
}

fn machine() -> SyncMachine {
    machine_with(SyncConfig::default())
}

#[test]
fn a_new_machine_is_not_ready_and_schedules_nothing_until_started() {
    let mut m = machine();
    assert_eq!(m.status(), Status::NotReady);
    assert!(m.snapshot().is_none() && m.identity().is_none() && m.persisted().is_none());
    assert_eq!(
        (m.high_water(), m.age_ms(NOW), m.next_poll_at()),
        (None, None, None)
    );
    let out = m.tick(NOW);
    assert_eq!(
        (out.next_poll_at, out.wake_at, out.poll_due),
        (None, None, false)
    );

    let out = m.start(NOW);
    assert_eq!(out.status, Status::NotReady);
    assert!(out.events.is_empty());
    assert_eq!(
        (out.next_poll_at, out.wake_at, out.poll_due),
        (Some(NOW), Some(NOW), true)
    );
    // Starting twice does not move the schedule.
    let out = m.start(NOW + 5);
    assert_eq!(out.next_poll_at, Some(NOW));
}

#[test]
fn failures_before_any_snapshot_turn_error_once() {
    let mut m = machine();
    let _ = m.start(NOW);
    let out = m.on_failure(FailureKind::Network, NOW, 0.5);
    assert_eq!(out.status, Status::Error);
    assert_eq!(out.events, [Event::Error]);
    assert_eq!(out.error, Some(SyncError::Failure(FailureKind::Network)));
    assert_eq!(m.last_error().map(SyncError::code), Some("NETWORK"));
    // The state persists: the failure is reported again, the event is not.
    let out = m.on_failure(FailureKind::Timeout, NOW + 1_000, 0.5);
    assert!(out.events.is_empty());
    assert_eq!(out.error.as_ref().map(SyncError::code), Some("TIMEOUT"));
    let out = m.on_response(503, None, b"", NOW + 2_000, 0.5);
    assert!(out.events.is_empty());
    assert_eq!(out.status, Status::Error);
    assert_eq!(m.consecutive_failures(), 3);
}

#[test]
fn transient_statuses_back_off_and_keep_polling() {
    for status in [429, 500, 502, 503, 504, 204, 206, 302, 400, 408] {
        let mut m = machine();
        let _ = m.start(NOW);
        let out = m.on_response(status, Some("\"x\""), b"{}", NOW, 0.5);
        assert_eq!(out.status, Status::Error, "{status}");
        assert_eq!(out.error, Some(SyncError::Http { status }));
        assert_eq!(out.error.as_ref().map(SyncError::code), Some("HTTP_STATUS"));
        assert_eq!(out.next_poll_at, Some(NOW + 500), "{status}");
        assert!(!m.retries_stopped());
    }
}

#[test]
fn fatal_statuses_stop_retries() {
    for status in [401, 403, 404, 410] {
        let mut m = machine();
        let _ = m.start(NOW);
        let _ = m.begin_request(NOW).unwrap();
        let out = m.on_response(status, None, b"denied", NOW + 10, 0.5);
        assert_eq!(out.status, Status::Error);
        assert_eq!(out.events, [Event::Error]);
        assert_eq!(
            (out.next_poll_at, out.wake_at, out.poll_due),
            (None, None, false)
        );
        assert_eq!(
            out.error.as_ref().map(SyncError::code),
            Some("FATAL_HTTP_STATUS")
        );
        assert!(out.error.as_ref().unwrap().is_fatal());
        assert!(m.retries_stopped());
        // Nothing reschedules it: not time, not start, not another failure.
        assert_eq!(m.tick(NOW + 1_000_000).next_poll_at, None);
        assert_eq!(m.start(NOW + 1_000_000).next_poll_at, None);
        let out = m.on_failure(FailureKind::Network, NOW + 1_000_001, 0.5);
        assert_eq!(out.next_poll_at, None);
        // A manual refresh is still possible.
        assert!(m.begin_request(NOW + 1_000_002).is_some());
    }
}

#[test]
fn backoff_grows_exponentially_with_full_jitter_and_a_cap() {
    for (random, expected) in [
        (0.0, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        (
            0.5,
            [
                500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 150_000, 150_000,
            ],
        ),
        (
            0.999,
            [
                999, 1_998, 3_996, 7_992, 15_984, 31_968, 63_936, 127_872, 255_744, 299_700,
                299_700,
            ],
        ),
    ] {
        let mut m = machine();
        let _ = m.start(NOW);
        let mut now = NOW;
        let mut delays = Vec::new();
        for _ in 0..expected.len() {
            let out = m.on_failure(FailureKind::Network, now, random);
            let next = out.next_poll_at.unwrap();
            delays.push(next - now);
            assert_eq!(out.poll_due, next <= now);
            now = next + 1;
        }
        assert_eq!(delays, expected, "random {random}");
    }
}

#[test]
fn an_abort_is_neutral() {
    let mut m = machine();
    let _ = m.start(NOW);
    let _ = m.begin_request(NOW).unwrap();
    let out = m.on_failure(FailureKind::Aborted, NOW + 5, 0.5);
    assert_eq!(out.status, Status::NotReady);
    assert!(out.events.is_empty() && out.error.is_none());
    assert_eq!(out.next_poll_at, Some(NOW + 5 + POLL));
    assert_eq!(m.consecutive_failures(), 0);
    // In backoff, an abort keeps the backoff level instead of raising or resetting it.
    let _ = m.on_failure(FailureKind::Network, NOW + 10, 0.5);
    let _ = m.on_failure(FailureKind::Network, NOW + 20, 0.5);
    let out = m.on_failure(FailureKind::Aborted, NOW + 30, 0.5);
    assert_eq!(m.consecutive_failures(), 2);
    assert_eq!(out.next_poll_at, Some(NOW + 30 + 1_000));
    assert_eq!(out.status, Status::Error);
}

#[test]
fn requests_in_flight_are_de_duplicated() {
    let mut m = machine();
    let out = m.start(NOW);
    assert!(out.poll_due);
    let request = m.begin_request(NOW).unwrap();
    assert_eq!(request.if_none_match, None);
    assert_eq!(request.timeout_ms, 10_000);
    assert!(m.in_flight(NOW + 1));
    assert!(m.begin_request(NOW + 1).is_none());
    // While it runs no poll is due; the schedule is a watchdog at its timeout.
    let out = m.tick(NOW + 2);
    assert!(!out.poll_due);
    assert_eq!(out.next_poll_at, Some(NOW + 10_000));
    // The answer frees the slot.
    let _ = m.on_response(500, None, b"", NOW + 3, 0.0);
    assert!(!m.in_flight(NOW + 3));
    assert!(m.begin_request(NOW + 3).is_some());
}

#[test]
fn a_request_never_reported_stops_blocking_after_its_timeout() {
    let mut m = machine();
    let _ = m.start(NOW);
    let _ = m.begin_request(NOW).unwrap();
    assert!(m.begin_request(NOW + 9_999).is_none());
    let out = m.tick(NOW + 10_000);
    assert!(out.poll_due);
    assert!(!m.in_flight(NOW + 10_000));
    assert!(m.begin_request(NOW + 10_000).is_some());
}

#[test]
fn not_modified_without_a_snapshot_is_an_error_and_retried() {
    let mut m = machine();
    let _ = m.start(NOW);
    let _ = m.begin_request(NOW).unwrap();
    let out = m.on_response(304, Some("\"x\""), b"", NOW + 1, 0.5);
    assert_eq!(out.status, Status::Error);
    assert_eq!(out.events, [Event::Error]);
    assert_eq!(out.error, Some(SyncError::NotModifiedWithoutSnapshot));
    assert_eq!(out.next_poll_at, Some(NOW + 1 + 500));
    assert_eq!(m.request().if_none_match, None);
}
