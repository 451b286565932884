//! Poll responses with real signed envelopes: readiness, 304, refusals that keep the
//! last-known-good, recovery, fatal statuses, backoff reset, overtaken responses, ETags.

use super::test_support::*;
use super::{Event, FailureKind, Status, SyncConfig};
use crate::envelope::TrustPolicy;
use crate::Limits;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

#[test]
fn the_first_200_makes_the_client_ready() {
    let mut m = machine();
    let request = m.begin_request(NOW).unwrap();
    assert_eq!(request.if_none_match, None);
    let out = m.on_response(200, Some("\"v5\""), &envelope(5), NOW + 40, 0.5);
    assert_eq!(out.status, Status::Ready);
    assert_eq!(out.events, [Event::Ready]);
    assert!(out.persist && !out.discard_persisted && out.error.is_none());
    assert_eq!(out.next_poll_at, Some(NOW + 40 + POLL));
    assert_eq!(out.wake_at, out.next_poll_at);
    assert_eq!(served(&m), Some(5));
    assert_eq!(m.identity().unwrap().version, 5);
    assert_eq!(m.high_water(), Some(m.identity().unwrap().high_water()));
    let stored = m.persisted().unwrap();
    assert_eq!(stored.envelope, envelope(5).as_slice());
    assert_eq!(stored.etag, Some("\"v5\""));
    assert_eq!(m.age_ms(NOW + 1_040), Some(1_000));
    assert_eq!(m.request().if_none_match.as_deref(), Some("\"v5\""));
    assert!(m.last_error().is_none());
}

#[test]
fn a_304_keeps_the_snapshot_and_counts_as_fresh() {
    let mut m = ready(5);
    let later = NOW + POLL;
    assert!(m.tick(later).poll_due);
    let request = m.begin_request(later).unwrap();
    assert_eq!(request.if_none_match.as_deref(), Some("\"v5\""));
    let out = m.on_response(304, None, b"", later + 20, 0.5);
    assert_eq!(out.status, Status::Ready);
    assert!(out.events.is_empty() && !out.persist && out.error.is_none());
    assert_eq!(out.next_poll_at, Some(later + 20 + POLL));
    assert_eq!(m.age_ms(later + 20), Some(0));
    assert_eq!(served(&m), Some(5));
    assert_eq!(m.persisted().unwrap().etag, Some("\"v5\""));
}

#[test]
fn a_304_to_an_unconditional_request_is_not_fresh() {
    let mut m = machine();
    // No ETag with the 200: the next request is unconditional, so a 304 answers nothing.
    let _ = m.on_response(200, None, &envelope(5), NOW, 0.5);
    let request = m.begin_request(NOW + POLL).unwrap();
    assert_eq!(request.if_none_match, None);
    let out = m.on_response(304, None, b"", NOW + POLL, 0.5);
    assert_eq!(out.status, Status::Stale);
    assert_eq!(code(&out), "UNEXPECTED_NOT_MODIFIED");
    assert_eq!(served(&m), Some(5));
}

#[test]
fn a_newer_200_changes_the_snapshot_atomically() {
    let mut m = ready(5);
    let out = m.on_response(200, Some("\"v6\""), &envelope(6), NOW + POLL, 0.5);
    assert_eq!(out.events, [Event::Changed { from: 5, to: 6 }]);
    assert!(out.persist);
    assert_eq!(served(&m), Some(6));
    assert_eq!(m.identity().unwrap().version, 6);
    assert_eq!(m.high_water().unwrap().version, 6);
    let stored = m.persisted().unwrap();
    assert_eq!(stored.envelope, envelope(6).as_slice());
    assert_eq!(
        (stored.high_water.version, stored.etag),
        (6, Some("\"v6\""))
    );
}

#[test]
fn the_same_200_again_changes_nothing_but_the_etag() {
    let mut m = ready(5);
    let out = m.on_response(200, Some("\"v5\""), &envelope(5), NOW + POLL, 0.5);
    assert!(out.events.is_empty() && !out.persist && out.error.is_none());
    // Another cache node names the same bytes differently: keep (and persist) its ETag.
    let out = m.on_response(200, Some("W/\"node-2\""), &envelope(5), NOW + 2 * POLL, 0.5);
    assert!(out.events.is_empty() && out.persist);
    assert_eq!(m.request().if_none_match.as_deref(), Some("W/\"node-2\""));
}

/// Bodies every client must refuse while a snapshot of version 5 is loaded, with the code.
fn refused_bodies() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let good = envelope(6);
    let mut flipped = good.clone();
    // A bit inside the base64 signature near the end of the envelope.
    let at = flipped.len() - 10;
    flipped[at] ^= 0x01;
    let oversized_payload = payload(6, "production", EXPIRES, true).replacen(
        "\"flags\"",
        &format!("\"padding\":\"{}\",\"flags\"", "x".repeat(5_000)),
        1,
    );
    alloc::vec![
        ("flipped bit", flipped, "BAD_SIGNATURE"),
        (
            "unpinned key",
            sign_with(&payload(6, "production", EXPIRES, true), 2),
            "BAD_SIGNATURE"
        ),
        ("rollback", envelope(4), "ROLLBACK"),
        (
            "same version, other bytes",
            other_envelope(5),
            "VERSION_CONFLICT"
        ),
        ("expired", envelope_expiring(6, NOW - SKEW - 1), "EXPIRED"),
        ("oversized", sign_with(&oversized_payload, 1), "TOO_LARGE"),
        (
            "truncated",
            good[..good.len() / 2].to_vec(),
            "INVALID_ENVELOPE"
        ),
        (
            "other environment",
            sign_with(&payload(6, "staging", EXPIRES, true), 1),
            "WRONG_ENVIRONMENT"
        ),
        ("empty", Vec::new(), "INVALID_ENVELOPE"),
        (
            "not an envelope",
            b"{\"flags\":{}}".to_vec(),
            "INVALID_ENVELOPE"
        ),
    ]
}

/// A machine like [`ready`] whose policy caps envelopes at 4 KiB (the oversized case).
fn ready_capped(version: u64) -> super::SyncMachine {
    let policy = TrustPolicy::builder("production")
        .public_key(key(1).public_key())
        .owner("shop")
        .limits(Limits {
            max_bytes: 4_096,
            ..Limits::default()
        })
        .build()
        .unwrap();
    let mut m = super::SyncMachine::new(policy, SyncConfig::default()).unwrap();
    let _ = m.start(NOW);
    let _ = m.on_response(200, Some("\"v5\""), &envelope(version), NOW, 0.5);
    assert_eq!(m.status(), Status::Ready);
    m
}

#[test]
fn refused_bodies_keep_the_last_known_good_and_a_later_success_recovers_once() {
    for (case, body, expected) in refused_bodies() {
        let mut m = ready_capped(5);
        let mark = m.high_water();
        let t = NOW + POLL;
        let out = m.on_response(200, Some("\"bad\""), &body, t, 0.5);
        assert_eq!(out.status, Status::Stale, "{case}");
        assert_eq!(out.events, [Event::Stale], "{case}");
        assert_eq!(code(&out), expected, "{case}: {:?}", out.error);
        assert!(!out.persist, "{case}");
        assert_eq!(out.next_poll_at, Some(t + 500), "{case}: backoff");
        assert_eq!(served(&m), Some(5), "{case}");
        assert_eq!(m.high_water(), mark, "{case}");
        assert_eq!(
            m.request().if_none_match.as_deref(),
            Some("\"v5\""),
            "{case}: ETag kept"
        );
        assert_eq!(m.last_error().map(|e| e.code()), Some(expected), "{case}");
        // Failing again: reported, but no second event.
        let out = m.on_response(200, None, &body, t + 600, 0.5);
        assert!(out.events.is_empty(), "{case}");
        assert_eq!(
            out.next_poll_at,
            Some(t + 600 + 1_000),
            "{case}: backoff grows"
        );
        // A good response recovers, once.
        let out = m.on_response(304, None, b"", t + 2_000, 0.5);
        assert_eq!(out.events, [Event::Recovered], "{case}");
        assert_eq!(out.status, Status::Ready);
        assert!(m.last_error().is_none());
        let out = m.on_response(200, Some("\"v7\""), &envelope(7), t + 3_000, 0.5);
        assert_eq!(out.events, [Event::Changed { from: 5, to: 7 }], "{case}");
    }
}

#[test]
fn a_refused_first_body_is_an_error_and_the_first_success_is_ready_not_recovered() {
    let mut m = machine();
    let out = m.on_response(200, None, &envelope_expiring(5, NOW - SKEW - 1), NOW, 0.5);
    assert_eq!(
        (out.status, out.events.as_slice()),
        (Status::Error, &[Event::Error][..])
    );
    assert_eq!(code(&out), "EXPIRED");
    assert!(m.snapshot().is_none());
    let out = m.on_response(200, None, &envelope(5), NOW + 500, 0.5);
    assert_eq!(out.events, [Event::Ready]);
}

#[test]
fn a_fatal_status_with_a_snapshot_keeps_serving_it_as_stale() {
    for status in [401, 403, 404, 410] {
        let mut m = ready(5);
        let out = m.on_response(status, None, b"", NOW + POLL, 0.5);
        assert_eq!(out.status, Status::Stale);
        assert_eq!(out.events, [Event::Stale]);
        assert_eq!(out.next_poll_at, None);
        assert_eq!(code(&out), "FATAL_HTTP_STATUS");
        assert!(m.retries_stopped());
        assert_eq!(served(&m), Some(5));
        // A manual refresh that succeeds resumes polling and recovers.
        let t = NOW + 10 * POLL;
        let _ = m.begin_request(t).unwrap();
        let out = m.on_response(304, None, b"", t + 5, 0.5);
        assert_eq!(out.events, [Event::Recovered]);
        assert!(!m.retries_stopped());
        assert_eq!(out.next_poll_at, Some(t + 5 + POLL));
    }
}

#[test]
fn a_network_failure_or_5xx_with_a_snapshot_turns_stale() {
    let mut m = ready(5);
    let out = m.on_failure(FailureKind::Timeout, NOW + POLL, 0.5);
    assert_eq!(
        (out.status, out.events.as_slice()),
        (Status::Stale, &[Event::Stale][..])
    );
    let out = m.on_response(503, None, b"", NOW + POLL + 600, 0.5);
    assert!(out.events.is_empty());
    assert_eq!(code(&out), "HTTP_STATUS");
    assert_eq!(served(&m), Some(5));
}

#[test]
fn backoff_resets_after_a_success() {
    let mut m = ready(5);
    let mut t = NOW + POLL;
    for _ in 0..4 {
        t = m
            .on_failure(FailureKind::Network, t, 0.999)
            .next_poll_at
            .unwrap();
    }
    assert_eq!(m.consecutive_failures(), 4);
    let out = m.on_response(304, None, b"", t, 0.999);
    assert_eq!(out.next_poll_at, Some(t + POLL));
    assert_eq!(m.consecutive_failures(), 0);
    // The next failure starts again from the first ceiling (1 s).
    let out = m.on_failure(FailureKind::Network, t + POLL, 0.999);
    assert_eq!(out.next_poll_at, Some(t + POLL + 999));
}

#[test]
fn a_response_overtaken_by_a_stream_event_is_neither_loaded_nor_a_failure() {
    let mut m = ready(5);
    let _ = m.begin_request(NOW + POLL).unwrap();
    let _ = m.on_stream_event(&envelope(7), NOW + POLL + 1);
    let out = m.on_response(200, Some("\"v6\""), &envelope(6), NOW + POLL + 2, 0.5);
    assert_eq!(out.status, Status::Ready);
    assert!(out.events.is_empty() && out.error.is_none() && !out.persist);
    assert_eq!(out.next_poll_at, Some(NOW + POLL + 2 + POLL));
    assert_eq!(served(&m), Some(7));
    // But a response older than what was loaded when the request began is a rollback.
    let _ = m.begin_request(NOW + 3 * POLL).unwrap();
    let out = m.on_response(200, None, &envelope(6), NOW + 3 * POLL, 0.5);
    assert_eq!(code(&out), "ROLLBACK");
    assert_eq!(out.status, Status::Stale);
}

#[test]
fn unusable_etags_are_dropped() {
    let long = String::from("\"") + &"a".repeat(2_000) + "\"";
    for etag in [
        "",
        "\"caf\u{e9}\"",
        "\"a b\"",
        "\"line\nbreak\"",
        long.as_str(),
    ] {
        let mut m = machine();
        let _ = m.on_response(200, Some(etag), &envelope(5), NOW, 0.5);
        assert_eq!(m.request().if_none_match, None, "{etag:?}");
        assert_eq!(m.persisted().unwrap().etag, None);
    }
}
