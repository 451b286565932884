//! The distributions the tests need, from `statrs`, behind functions that cannot panic:
//! statrs asserts on a probability outside [0, 1] and refuses degrees of freedom that are not
//! positive, so every argument is checked here and a bad one gives `None`. Two of its
//! Student t functions are inaccurate at the degrees of freedom experiments have; there the
//! t distribution's expansion around the normal takes over (see the thresholds below).

use statrs::distribution::{ChiSquared, Continuous, ContinuousCDF, Normal, StudentsT};

/// Whether `p` is a probability strictly between 0 and 1 (a quantile there is finite).
fn open_probability(p: f64) -> bool {
    p > 0.0 && p < 1.0
}

/// The standard normal quantile: `x` with `P(Z <= x) = p`, for `p` in (0, 1).
pub(super) fn normal_quantile(p: f64) -> Option<f64> {
    open_probability(p).then(|| Normal::standard().inverse_cdf(p))
}

/// The standard normal upper tail `P(Z > x)`; `x` must not be NaN.
pub(super) fn normal_upper_tail(x: f64) -> Option<f64> {
    // The survival function, not 1 - cdf: far in the tail 1 - cdf is 0 by cancellation,
    // while sf keeps p-values like 1e-20 that tell a huge effect from a large one.
    (!x.is_nan()).then(|| Normal::standard().sf(x))
}

/// From this many degrees of freedom on, the t quantile comes from its expansion around the
/// normal quantile rather than from statrs. Measured against scipy: statrs's
/// `StudentsT::inverse_cdf` is within 1e-11 (relative) below 800 degrees of freedom, then
/// off by 2.8e-9 at 800 to 2000, 3.5e-6 at 1e5, 1e-4 at 1e6, 7% at 1e7, and does not return
/// at 1e9 (its inverse incomplete beta iterates on ever larger parameters); an experiment's
/// Welch test easily has 1e5. The expansion is within 3e-11 of scipy from 500 on (4e-12
/// for confidence levels up to 99.99%), and within 1e-15 from 1e4.
const T_QUANTILE_EXPANSION_FROM: f64 = 500.0;

/// From this many degrees of freedom on, the t tail comes from the normal tail plus its
/// first correction in 1/df. Measured against scipy: statrs's `StudentsT::sf` drifts from
/// 3e-11 (absolute) at 1e5 to 7e-9 at 1e7 and 5e-7 at 1e9, the expansion from 2e-11 at 1e5
/// down to 1e-16.
const T_TAIL_EXPANSION_FROM: f64 = 1e5;

/// Student's t quantile with `df` degrees of freedom (at least 1: Welch's never has fewer),
/// for `p` in (0, 1).
pub(super) fn t_quantile(p: f64, df: f64) -> Option<f64> {
    if !open_probability(p) || df.is_nan() || df < 1.0 {
        return None;
    }
    let q = if df >= T_QUANTILE_EXPANSION_FROM {
        t_quantile_expansion(normal_quantile(p)?, df)
    } else {
        StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(p)
    };
    q.is_finite().then_some(q)
}

/// The Cornish–Fisher expansion of the t quantile in powers of 1/df around the normal
/// quantile `x` (Abramowitz and Stegun 26.7.5, four terms).
fn t_quantile_expansion(x: f64, df: f64) -> f64 {
    let x2 = x * x;
    let g1 = (x2 + 1.0) * x / 4.0;
    let g2 = ((5.0 * x2 + 16.0) * x2 + 3.0) * x / 96.0;
    let g3 = (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) * x / 384.0;
    let g4 = ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) * x / 92160.0;
    x + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df
}

/// Student's t upper tail `P(T > x)` with `df` degrees of freedom (at least 1).
pub(super) fn t_upper_tail(x: f64, df: f64) -> Option<f64> {
    if x.is_nan() || df.is_nan() || df < 1.0 {
        return None;
    }
    let tail = if df >= T_TAIL_EXPANSION_FROM {
        // P(T > x) = P(Z > x) + φ(x)·(x³ + x)/(4·df) + O(1/df²).
        let normal = Normal::standard();
        let correction = normal.pdf(x) * (x * x + 1.0) * x / (4.0 * df);
        // At an infinite x, pdf is 0 and the product NaN: the tail is the normal one, 0.
        normal.sf(x) + if correction.is_nan() { 0.0 } else { correction }
    } else {
        StudentsT::new(0.0, 1.0, df).ok()?.sf(x)
    };
    (!tail.is_nan()).then(|| tail.clamp(0.0, 1.0))
}

/// The chi-square upper tail `P(X > x)` with `df` degrees of freedom.
pub(super) fn chi_square_upper_tail(x: f64, df: f64) -> Option<f64> {
    if x.is_nan() {
        return None;
    }
    let chi = ChiSquared::new(df).ok()?;
    Some(chi.sf(x)).filter(|p| !p.is_nan())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_outside_the_domain_give_none_instead_of_a_panic() {
        assert_eq!(normal_quantile(0.0), None);
        assert_eq!(normal_quantile(1.0), None);
        assert_eq!(normal_quantile(f64::NAN), None);
        assert_eq!(normal_upper_tail(f64::NAN), None);
        assert_eq!(t_quantile(1.5, 3.0), None);
        assert_eq!(t_quantile(0.5, 0.0), None);
        assert_eq!(t_quantile(0.5, f64::NAN), None);
        assert_eq!(t_upper_tail(1.0, -1.0), None);
        assert_eq!(t_upper_tail(1.0, 0.5), None);
        assert_eq!(chi_square_upper_tail(1.0, 0.0), None);
        assert_eq!(chi_square_upper_tail(f64::NAN, 1.0), None);
    }

    #[test]
    fn known_values() {
        let z = normal_quantile(0.975).unwrap();
        assert!((z - 1.959_963_984_540_054).abs() < 1e-15, "{z}");
        assert_eq!(normal_upper_tail(0.0), Some(0.5));
        assert_eq!(chi_square_upper_tail(0.0, 2.0), Some(1.0));
        assert_eq!(chi_square_upper_tail(f64::INFINITY, 2.0), Some(0.0));
    }
}
