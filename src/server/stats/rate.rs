//! A conversion rate (conversions / units) and its confidence interval.
//!
//! The interval is Wilson's score interval, not the textbook Wald interval `p ± z·√(p(1-p)/n)`:
//! conversion rates are often a few percent and early counts small, and there Wald's interval
//! undercovers badly, shrinks to a single point at 0 or at every unit converting (claiming
//! certainty from 0 of 20), and can reach below 0. Wilson's stays inside [0, 1], has a width
//! at 0 and n conversions, and covers close to the stated level even for small counts.

use super::{Confidence, Interval};

/// The units exposed to one variant and how many of them converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Units (users, sessions) exposed to the variant.
    pub(crate) units: u64,
    /// Units among them that converted (at most `units`).
    pub(crate) conversions: u64,
}

impl Counts {
    /// The conversion rate, or `None` without units or with more conversions than units.
    pub(crate) fn rate(self) -> Option<f64> {
        (self.units > 0 && self.conversions <= self.units)
            .then(|| self.conversions as f64 / self.units as f64)
    }
}

/// A conversion rate and its interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RateEstimate {
    /// conversions / units.
    pub(crate) rate: f64,
    /// Wilson's score interval, within [0, 1].
    pub(crate) interval: Interval,
}

/// The rate of `counts` and its Wilson score interval at `confidence`; `None` without units
/// (nothing to estimate) or with more conversions than units.
pub(crate) fn rate_interval(counts: Counts, confidence: Confidence) -> Option<RateEstimate> {
    let rate = counts.rate()?;
    let n = counts.units as f64;
    let z = confidence.z();
    let z2 = z * z;
    // The score interval solves |p̂ - p| = z·√(p(1-p)/n) for p:
    // (p̂ + z²/2n ± z·√(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n).
    let denominator = 1.0 + z2 / n;
    let centre = (rate + z2 / (2.0 * n)) / denominator;
    let half = z / denominator * (rate * (1.0 - rate) / n + z2 / (4.0 * n * n)).sqrt();
    // At 0 conversions the lower end is 0 exactly, and at n the upper end 1; the formula gets
    // there only up to rounding (±1e-17), so those ends are set rather than computed.
    let low = if counts.conversions == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if counts.conversions == counts.units {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some(RateEstimate {
        rate,
        interval: Interval { low, high },
    })
}
