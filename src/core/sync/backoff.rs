//! Retry delays: exponential backoff with full jitter and a cap ("Exponential Backoff and
//! Jitter", AWS Architecture Blog, 2015). Full jitter spreads the retries of many clients that
//! failed together (a backend restart, a CDN outage) over the whole window instead of
//! synchronising them into waves.

/// The delay before retry number `failures` (1 for the first retry after a failure):
/// `random × min(max_ms, min_ms × 2^(failures − 1))`, rounded down.
///
/// `random` is the host's uniform random number in `[0, 1)` (`Math.random()`, or
/// [`unit_from_u32`] of a random `u32`); a value outside `[0, 1]` is clamped and NaN counts
/// as 0, so that a faulty source can neither produce a negative delay nor exceed the cap.
/// With `failures == 0` (nothing failed) the delay is 0.
///
/// ```
/// use edgeflag::sync::backoff_delay_ms;
///
/// assert_eq!(backoff_delay_ms(1, 1_000, 300_000, 0.5), 500);
/// assert_eq!(backoff_delay_ms(4, 1_000, 300_000, 0.5), 4_000);
/// assert_eq!(backoff_delay_ms(40, 1_000, 300_000, 0.5), 150_000);
/// ```
pub fn backoff_delay_ms(failures: u32, min_ms: u64, max_ms: u64, random: f64) -> u64 {
    let Some(doublings) = failures.checked_sub(1) else {
        return 0;
    };
    let ceiling = ceiling_ms(doublings, min_ms, max_ms);
    let random = if random.is_nan() {
        0.0
    } else {
        random.clamp(0.0, 1.0)
    };
    // A float product near the ceiling can round up to it (or, for huge ceilings, past it by
    // a rounding step): the final `min` keeps the cap exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let delay = (random * ceiling as f64) as u64;
    delay.min(ceiling)
}

/// `min(max_ms, min_ms × 2^doublings)` without overflow: once the doubling passes the cap (or
/// the range of `u64`) the cap is the answer.
fn ceiling_ms(doublings: u32, min_ms: u64, max_ms: u64) -> u64 {
    let grown = 1u64
        .checked_shl(doublings)
        .and_then(|factor| min_ms.checked_mul(factor))
        .unwrap_or(u64::MAX);
    grown.min(max_ms)
}

/// Maps a uniformly random `u32` (from `crypto.getRandomValues`, say) to `[0, 1)`.
pub fn unit_from_u32(random: u32) -> f64 {
    f64::from(random) / 4_294_967_296.0
}
