//! The retry delay: exponential growth, full jitter, the cap, and robustness against odd
//! random numbers and counts.

use super::{backoff_delay_ms, unit_from_u32};

const MIN: u64 = 1_000;
const MAX: u64 = 300_000;

#[test]
fn nothing_failed_means_no_delay() {
    assert_eq!(backoff_delay_ms(0, MIN, MAX, 0.999), 0);
}

#[test]
fn the_ceiling_doubles_per_failure_until_the_cap() {
    // random 0.5 shows half the ceiling: 1 s, 2 s, 4 s, ... 256 s, then the 300 s cap.
    let halves: alloc::vec::Vec<u64> = (1..=11)
        .map(|n| backoff_delay_ms(n, MIN, MAX, 0.5))
        .collect();
    assert_eq!(
        halves,
        [500, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 150_000, 150_000]
    );
}

#[test]
fn full_jitter_spans_zero_to_just_under_the_ceiling() {
    for n in 1..=12 {
        let ceiling = (MIN << (n - 1)).min(MAX);
        assert_eq!(backoff_delay_ms(n, MIN, MAX, 0.0), 0);
        let high = backoff_delay_ms(n, MIN, MAX, 0.999);
        assert_eq!(high, ceiling * 999 / 1000, "failure {n}");
        assert!(high < ceiling);
    }
}

#[test]
fn huge_failure_counts_neither_overflow_nor_exceed_the_cap() {
    for n in [63, 64, 65, 1_000, u32::MAX] {
        assert_eq!(backoff_delay_ms(n, MIN, MAX, 0.5), MAX / 2);
    }
    assert_eq!(
        backoff_delay_ms(u32::MAX, u64::MAX, u64::MAX, 1.0),
        u64::MAX
    );
}

#[test]
fn odd_random_numbers_are_clamped() {
    assert_eq!(backoff_delay_ms(3, MIN, MAX, f64::NAN), 0);
    assert_eq!(backoff_delay_ms(3, MIN, MAX, -1.0), 0);
    assert_eq!(backoff_delay_ms(3, MIN, MAX, f64::NEG_INFINITY), 0);
    assert_eq!(backoff_delay_ms(3, MIN, MAX, 7.0), 4_000);
    assert_eq!(backoff_delay_ms(3, MIN, MAX, f64::INFINITY), 4_000);
}

#[test]
fn a_random_u32_maps_into_the_unit_interval() {
    assert_eq!(unit_from_u32(0), 0.0);
    assert_eq!(unit_from_u32(1 << 31), 0.5);
    let top = unit_from_u32(u32::MAX);
    assert!(top < 1.0 && top > 0.999_999_999);
    assert!(backoff_delay_ms(20, MIN, MAX, top) < MAX);
}
