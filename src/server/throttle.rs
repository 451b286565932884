//! Throttling of failed admin authentications, per client address: after `--max-auth-failures`
//! (default [`DEFAULT_MAX_FAILURES`]) wrong or missing tokens within [`WINDOW`], every admin
//! request from that address is refused (429, with `Retry-After`) until the window has passed, the right token
//! included, so guessing tokens costs a window per few attempts.
//!
//! Memory is bounded: at most [`MAX_TRACKED`] addresses are remembered; when full, windows
//! that have passed are dropped first, and if none has, the oldest is.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Failed attempts an address may make per window unless `--max-auth-failures` says otherwise.
pub(crate) const DEFAULT_MAX_FAILURES: u32 = 10;

/// How long failures are counted, and how long a throttled address waits.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);

/// The most addresses remembered at once.
const MAX_TRACKED: usize = 10_000;

/// Failures of one address since `since`.
#[derive(Clone, Copy, Debug)]
struct Window {
    since: Instant,
    failures: u32,
}

/// The failed attempts per address.
#[derive(Debug)]
pub(crate) struct AuthThrottle {
    windows: Mutex<HashMap<IpAddr, Window>>,
    max_failures: u32,
}

impl AuthThrottle {
    /// A throttle that refuses an address after `max_failures` failures in a window.
    pub(crate) fn new(max_failures: u32) -> Self {
        AuthThrottle {
            windows: Mutex::new(HashMap::new()),
            max_failures,
        }
    }

    /// `Err(wait)` when `address` has failed too often and must wait that long.
    pub(crate) fn check(&self, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        match windows.get(&address) {
            Some(w) if w.failures >= self.max_failures => {
                let passed = now.saturating_duration_since(w.since);
                if passed < WINDOW {
                    Err(WINDOW - passed)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt by `address`.
    pub(crate) fn failed(&self, address: IpAddr, now: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= MAX_TRACKED && !windows.contains_key(&address) {
            windows.retain(|_, w| now.saturating_duration_since(w.since) < WINDOW);
            if windows.len() >= MAX_TRACKED {
                let oldest = windows.iter().min_by_key(|(_, w)| w.since).map(|(a, _)| *a);
                if let Some(oldest) = oldest {
                    windows.remove(&oldest);
                }
            }
        }
        let window = windows.entry(address).or_insert(Window {
            since: now,
            failures: 0,
        });
        if now.saturating_duration_since(window.since) >= WINDOW {
            *window = Window {
                since: now,
                failures: 0,
            };
        }
        window.failures = window.failures.saturating_add(1);
    }

    /// How many addresses are remembered (for tests).
    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ip(n: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(n))
    }

    #[test]
    fn an_address_is_throttled_after_too_many_failures_until_the_window_passes() {
        let throttle = AuthThrottle::new(DEFAULT_MAX_FAILURES);
        let t0 = Instant::now();
        for _ in 0..DEFAULT_MAX_FAILURES - 1 {
            throttle.failed(ip(1), t0);
        }
        assert_eq!(throttle.check(ip(1), t0), Ok(()));
        throttle.failed(ip(1), t0);
        let later = t0 + Duration::from_secs(20);
        assert_eq!(throttle.check(ip(1), later), Err(Duration::from_secs(40)));
        assert_eq!(
            throttle.check(ip(2), later),
            Ok(()),
            "other addresses are not affected"
        );
        assert_eq!(throttle.check(ip(1), t0 + WINDOW), Ok(()));
        // A new window starts from scratch.
        throttle.failed(ip(1), t0 + WINDOW);
        assert_eq!(throttle.check(ip(1), t0 + WINDOW), Ok(()));
    }

    #[test]
    fn memory_stays_bounded_whoever_fails() {
        let throttle = AuthThrottle::new(DEFAULT_MAX_FAILURES);
        let t0 = Instant::now();
        for n in 0..(MAX_TRACKED as u32 + 500) {
            throttle.failed(ip(n), t0 + Duration::from_millis(u64::from(n)));
        }
        assert!(throttle.tracked() <= MAX_TRACKED);
        // The newest address is remembered.
        let last = ip(MAX_TRACKED as u32 + 499);
        for _ in 0..DEFAULT_MAX_FAILURES {
            throttle.failed(last, t0 + Duration::from_secs(20));
        }
        assert!(throttle.check(last, t0 + Duration::from_secs(21)).is_err());
    }
}
