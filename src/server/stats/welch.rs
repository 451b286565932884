//! Treatment against control on a per-unit value (revenue, items bought): Welch's t-test.
//!
//! Welch's test rather than Student's: it does not assume both groups share a variance, which
//! a treatment that changes who buys (and so the spread of revenue) would break. Every
//! exposed unit counts, with 0 when it had no event, so the means are "per exposed unit" and
//! both groups are compared on the same footing.

use super::distributions::t_upper_tail;
use super::{Confidence, Interval};

/// What is kept per group: enough to give the mean and the variance without the values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Moments {
    /// Units exposed to the variant (including those without the event, whose value is 0).
    pub(crate) n: u64,
    /// The sum of the units' values.
    pub(crate) sum: f64,
    /// The sum of the squares of the units' values.
    pub(crate) sum_squares: f64,
}

impl Moments {
    /// The mean and the sample variance (divisor n - 1); `None` with fewer than 2 units (no
    /// variance to estimate) or sums that are not finite or negative squares.
    fn mean_variance(self) -> Option<(f64, f64)> {
        if self.n < 2
            || !self.sum.is_finite()
            || !self.sum_squares.is_finite()
            || self.sum_squares < 0.0
        {
            return None;
        }
        let n = self.n as f64;
        let mean = self.sum / n;
        // Σx² - (Σx)²/n loses digits when the values barely vary; a variance of 0 rounded
        // to a tiny negative number is 0.
        let variance = ((self.sum_squares - self.sum * mean) / (n - 1.0)).max(0.0);
        Some((mean, variance))
    }
}

/// The comparison of two means.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct WelchTest {
    /// The control's mean per unit.
    pub(crate) control_mean: f64,
    /// The treatment's mean per unit.
    pub(crate) treatment_mean: f64,
    /// treatment mean - control mean.
    pub(crate) difference: f64,
    /// The Welch–Satterthwaite degrees of freedom (at least the smaller group's n - 1);
    /// n_control + n_treatment - 2 when neither group varies.
    pub(crate) degrees_of_freedom: f64,
    /// The difference's interval (Student t quantile at those degrees of freedom).
    pub(crate) interval: Interval,
    /// The two-sided p-value of "the means are equal". When neither group varies it is 1
    /// without a difference (no evidence) and 0 with one (a certain difference).
    pub(crate) p_value: f64,
}

/// Compares `treatment` with `control`; `None` when a group has fewer than 2 units or sums
/// that are not finite.
pub(crate) fn welch(
    control: Moments,
    treatment: Moments,
    confidence: Confidence,
) -> Option<WelchTest> {
    let (control_mean, control_variance) = control.mean_variance()?;
    let (treatment_mean, treatment_variance) = treatment.mean_variance()?;
    let (nc, nt) = (control.n as f64, treatment.n as f64);
    let difference = treatment_mean - control_mean;
    let (a, b) = (control_variance / nc, treatment_variance / nt);
    let squared_error = a + b;
    if squared_error <= 0.0 {
        return Some(WelchTest {
            control_mean,
            treatment_mean,
            difference,
            degrees_of_freedom: nc + nt - 2.0,
            interval: Interval::around(difference, 0.0),
            p_value: if difference == 0.0 { 1.0 } else { 0.0 },
        });
    }
    // (a + b)² / (a²/(nc-1) + b²/(nt-1)), written with the shares a/(a+b) and b/(a+b) so
    // that tiny variances cannot underflow the squares to 0/0.
    let (share_a, share_b) = (a / squared_error, b / squared_error);
    let degrees_of_freedom =
        1.0 / (share_a * share_a / (nc - 1.0) + share_b * share_b / (nt - 1.0));
    let error = squared_error.sqrt();
    let quantile = confidence.t(degrees_of_freedom)?;
    let tail = t_upper_tail((difference / error).abs(), degrees_of_freedom)?;
    Some(WelchTest {
        control_mean,
        treatment_mean,
        difference,
        degrees_of_freedom,
        interval: Interval::around(difference, quantile * error),
        p_value: (2.0 * tail).min(1.0),
    })
}
