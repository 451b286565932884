//! Sample-ratio mismatch: did the units reach the variants in the ratio the rollout asked
//! for? A chi-square goodness-of-fit test of the observed units against the weights. A tiny
//! p-value (experimenters use 0.001) means the assignment or the exposure logging is broken,
//! and the experiment's other figures cannot be trusted.

use super::distributions::chi_square_upper_tail;

/// One variant: its units and its weight in the rollout.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Observed {
    /// Units exposed to the variant.
    pub(crate) units: u64,
    /// Its weight, in any scale (edgeflag's rollout weights sum to 100000; 1:1 works too).
    pub(crate) weight: f64,
}

/// The outcome of the check.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SampleRatio {
    /// Σ (observed - expected)² / expected; infinite when a variant of weight 0 has units.
    pub(crate) statistic: f64,
    /// The variants compared, less one.
    pub(crate) degrees_of_freedom: usize,
    /// P(a statistic this large | the ratio holds); 0 when a variant of weight 0 has units
    /// (no chance could have put them there).
    pub(crate) p_value: f64,
}

/// Checks the units of `variants` against their weights. A variant with weight 0 and no
/// units is left out (a rollout can switch a variant off). `None` when fewer than 2 variants
/// are left, there are no units, or a weight is negative or not finite.
pub(crate) fn sample_ratio(variants: &[Observed]) -> Option<SampleRatio> {
    let kept: Vec<Observed> = variants
        .iter()
        .copied()
        .filter(|v| !(v.units == 0 && v.weight == 0.0))
        .collect();
    if kept.iter().any(|v| !v.weight.is_finite() || v.weight < 0.0) {
        return None;
    }
    let total: f64 = kept.iter().map(|v| v.units as f64).sum();
    let weights: f64 = kept.iter().map(|v| v.weight).sum();
    if kept.len() < 2 || total <= 0.0 || weights <= 0.0 {
        return None;
    }
    let degrees_of_freedom = kept.len() - 1;
    if kept.iter().any(|v| v.weight == 0.0) {
        return Some(SampleRatio {
            statistic: f64::INFINITY,
            degrees_of_freedom,
            p_value: 0.0,
        });
    }
    let statistic: f64 = kept
        .iter()
        .map(|v| {
            let expected = total * v.weight / weights;
            let gap = v.units as f64 - expected;
            // An expectation that underflows to 0 (a weight of 1e-320 beside 1e308) must not
            // give 0/0.
            if expected > 0.0 {
                gap * gap / expected
            } else if gap == 0.0 {
                0.0
            } else {
                f64::INFINITY
            }
        })
        .sum();
    let p_value = chi_square_upper_tail(statistic, degrees_of_freedom as f64)?;
    Some(SampleRatio {
        statistic,
        degrees_of_freedom,
        p_value,
    })
}
