//! A whole client life in one sequence: every event is emitted exactly once per transition,
//! whichever input causes it, and never while a state merely persists.

use super::test_support::*;
use super::{Event, FailureKind, Outcome, Status, SyncMachine};
use alloc::vec::Vec;

#[test]
fn events_are_emitted_once_per_transition() {
    let mut m = SyncMachine::new(policy(), super::SyncConfig::default()).unwrap();
    let mut flipped = envelope(9);
    let at = flipped.len() - 10;
    if let Some(byte) = flipped.get_mut(at) {
        *byte ^= 0x01;
    }
    let after_expiry = EXPIRES + SKEW + 1;
    type Step<'a> = (&'a str, &'a dyn Fn(&mut SyncMachine) -> Outcome, Vec<Event>);
    let steps: [Step<'_>; 17] = [
        ("start", &|m| m.start(NOW), alloc::vec![]),
        (
            "network",
            &|m| m.on_failure(FailureKind::Network, NOW + 1, 0.5),
            alloc::vec![Event::Error],
        ),
        (
            "timeout",
            &|m| m.on_failure(FailureKind::Timeout, NOW + 2, 0.5),
            alloc::vec![],
        ),
        (
            "200 v5",
            &|m| m.on_response(200, Some("\"5\""), &envelope(5), NOW + 3, 0.5),
            alloc::vec![Event::Ready],
        ),
        (
            "304",
            &|m| m.on_response(304, None, b"", NOW + 4, 0.5),
            alloc::vec![],
        ),
        (
            "503",
            &|m| m.on_response(503, None, b"", NOW + 5, 0.5),
            alloc::vec![Event::Stale],
        ),
        (
            "bad signature",
            &|m| m.on_response(200, None, &flipped, NOW + 6, 0.5),
            alloc::vec![],
        ),
        (
            "304 again",
            &|m| m.on_response(304, None, b"", NOW + 7, 0.5),
            alloc::vec![Event::Recovered],
        ),
        (
            "200 v6",
            &|m| m.on_response(200, None, &envelope(6), NOW + 8, 0.5),
            alloc::vec![Event::Changed { from: 5, to: 6 }],
        ),
        (
            "stream v6 again",
            &|m| m.on_stream_event(&envelope(6), NOW + 9),
            alloc::vec![],
        ),
        (
            "stream v7",
            &|m| m.on_stream_event(&envelope(7), NOW + 10),
            alloc::vec![Event::Changed { from: 6, to: 7 }],
        ),
        (
            "404",
            &|m| m.on_response(404, None, b"", NOW + 11, 0.5),
            alloc::vec![Event::Stale],
        ),
        ("tick while stopped", &|m| m.tick(NOW + 12), alloc::vec![]),
        (
            "manual 200 v8",
            &|m| m.on_response(200, None, &envelope(8), NOW + 13, 0.5),
            alloc::vec![Event::Changed { from: 7, to: 8 }, Event::Recovered],
        ),
        ("tick", &|m| m.tick(NOW + 14), alloc::vec![]),
        (
            "tick past expiry",
            &|m| m.tick(after_expiry),
            alloc::vec![Event::Stale],
        ),
        ("tick again", &|m| m.tick(after_expiry + 1), alloc::vec![]),
    ];
    for (name, input, expected) in steps {
        let out = input(&mut m);
        assert_eq!(out.events, expected, "{name}");
        assert_eq!(out.status, m.status(), "{name}");
    }
    assert_eq!(m.status(), Status::Stale);
    assert_eq!(served(&m), Some(8));
}
