//! The last-known-good from storage: re-verified on every restore, discarded when corrupt,
//! expired, foreign or inconsistent with its mark (src/core/SECURITY.md, adversarial case 13).

use super::test_support::*;
use super::{Event, FailureKind, Status, SyncConfig, SyncMachine};
use crate::envelope::HighWater;
use alloc::vec::Vec;

fn fresh() -> SyncMachine {
    SyncMachine::new(policy(), SyncConfig::default()).unwrap()
}

/// What `ready(version)` would have stored.
fn stored(version: u64) -> (Vec<u8>, HighWater) {
    let m = ready(version);
    let p = m.persisted().unwrap();
    (p.envelope.to_vec(), p.high_water)
}

#[test]
fn a_persisted_snapshot_restores_and_makes_the_next_request_conditional() {
    let source = ready(5);
    let p = source.persisted().unwrap();
    let mut m = fresh();
    let out = m.restore(p.envelope, Some(p.high_water), p.etag, NOW + 1);
    assert_eq!(out.status, Status::Ready);
    assert_eq!(out.events, [Event::Ready]);
    assert!(!out.persist && !out.discard_persisted && out.error.is_none());
    assert_eq!(m.identity(), source.identity());
    assert_eq!(m.high_water(), Some(p.high_water));
    // Storage is not the backend: not a confirmation, so the first poll is immediate.
    assert_eq!(m.age_ms(NOW + 1), None);
    assert!(m.start(NOW + 2).poll_due);
    let request = m.begin_request(NOW + 2).unwrap();
    assert_eq!(request.if_none_match.as_deref(), Some("\"v5\""));
    let out = m.on_response(304, None, b"", NOW + 3, 0.5);
    assert!(out.events.is_empty());
    assert_eq!(m.age_ms(NOW + 3), Some(0));
}

#[test]
fn corrupt_foreign_or_expired_copies_are_discarded_and_defaults_served() {
    let (good, mark) = stored(5);
    let mut flipped = good.clone();
    let at = good.len() / 2;
    flipped[at] ^= 0x04;
    let cases: Vec<(&str, Vec<u8>, i64, &str)> = alloc::vec![
        (
            "truncated",
            good[..good.len() - 3].to_vec(),
            NOW,
            "INVALID_ENVELOPE"
        ),
        ("flipped bit", flipped, NOW, "BAD_SIGNATURE"),
        (
            "other environment",
            sign_with(&payload(5, "staging", EXPIRES, true), 1),
            NOW,
            "WRONG_ENVIRONMENT"
        ),
        (
            "unpinned key",
            sign_with(&payload(5, "production", EXPIRES, true), 3),
            NOW,
            "BAD_SIGNATURE"
        ),
        ("expired", good.clone(), EXPIRES + SKEW + 1, "EXPIRED"),
        (
            "garbage",
            b"\xff\xfe not json".to_vec(),
            NOW,
            "INVALID_ENVELOPE"
        ),
    ];
    for (case, bytes, now, expected) in cases {
        let mut m = fresh();
        let out = m.restore(&bytes, Some(mark), Some("\"v5\""), now);
        assert_eq!(out.status, Status::NotReady, "{case}");
        assert!(out.events.is_empty(), "{case}");
        assert!(out.discard_persisted && !out.persist, "{case}");
        assert_eq!(code(&out), expected, "{case}: {:?}", out.error);
        assert!(m.snapshot().is_none() && m.high_water().is_none(), "{case}");
        assert!(
            m.last_error().is_none(),
            "{case}: not a failure of the backend"
        );
        assert_eq!(m.request().if_none_match, None, "{case}");
        // The network still delivers.
        let _ = m.start(now);
        let out = m.on_response(200, None, &envelope_expiring(5, now + 1_000_000), now, 0.5);
        assert_eq!(out.events, [Event::Ready], "{case}");
    }
}

#[test]
fn a_copy_inconsistent_with_its_mark_is_discarded() {
    let (five, mark5) = stored(5);
    let (_, mark7) = stored(7);
    // The mark says 7 was accepted, the envelope is 5: a rollback.
    let mut m = fresh();
    let out = m.restore(&five, Some(mark7), None, NOW);
    assert_eq!(code(&out), "ROLLBACK");
    assert!(out.discard_persisted && m.snapshot().is_none());
    // Same version, other bytes than the mark's digest.
    let mut m = fresh();
    let out = m.restore(&other_envelope(5), Some(mark5), None, NOW);
    assert_eq!(code(&out), "VERSION_CONFLICT");
    assert!(m.snapshot().is_none());
    // A mark older than the envelope (written before it) is fine, and so is none.
    let mut m = fresh();
    let (seven, _) = stored(7);
    assert!(m.restore(&seven, Some(mark5), None, NOW).error.is_none());
    assert_eq!(m.high_water(), Some(mark7));
    let mut m = fresh();
    assert_eq!(m.restore(&five, None, None, NOW).events, [Event::Ready]);
}

#[test]
fn an_unbacked_mark_is_not_adopted() {
    let mut m = fresh();
    let huge = HighWater {
        version: u64::MAX,
        payload_sha256: [0; 32],
    };
    let out = m.restore(b"not an envelope", Some(huge), None, NOW);
    assert!(out.discard_persisted);
    assert_eq!(m.high_water(), None);
    // Otherwise no snapshot could ever be accepted again.
    let out = m.on_response(200, None, &envelope(5), NOW, 0.5);
    assert_eq!(out.events, [Event::Ready]);
}

#[test]
fn restoring_against_what_is_loaded() {
    let (five, mark5) = stored(5);
    // The very snapshot already loaded: nothing happens.
    let mut m = ready(5);
    let out = m.restore(&five, Some(mark5), None, NOW + 1);
    assert!(out.events.is_empty() && out.error.is_none() && !out.discard_persisted);
    assert_eq!(m.request().if_none_match.as_deref(), Some("\"v5\""));
    // An older copy than what is loaded: discarded, and what is loaded should replace it.
    let mut m = ready(6);
    let out = m.restore(&five, Some(mark5), None, NOW + 1);
    assert_eq!(code(&out), "ROLLBACK");
    assert!(out.discard_persisted && out.persist);
    assert_eq!(served(&m), Some(6));
    // A newer copy replaces it like any newer snapshot.
    let (seven, mark7) = stored(7);
    let out = m.restore(&seven, Some(mark7), Some("\"v7\""), NOW + 2);
    assert_eq!(out.events, [Event::Changed { from: 6, to: 7 }]);
    assert_eq!(served(&m), Some(7));
}

#[test]
fn a_restore_after_a_failed_refresh_is_stale() {
    let (five, mark5) = stored(5);
    let mut m = machine();
    let out = m.on_failure(FailureKind::Network, NOW, 0.5);
    assert_eq!(out.events, [Event::Error]);
    let out = m.restore(&five, Some(mark5), None, NOW + 1);
    assert_eq!(
        (out.status, out.events.as_slice()),
        (Status::Stale, &[Event::Stale][..])
    );
    assert_eq!(served(&m), Some(5));
    // The first confirmation is the first readiness.
    let out = m.on_response(200, None, &envelope(5), NOW + 600, 0.5);
    assert_eq!(out.events, [Event::Ready]);
}
