//! Treatment against control on a conversion rate: the two-proportion z-test.
//!
//! The interval of the difference uses the unpooled (Wald) standard error, each group's own
//! variance, because it estimates how far apart the rates are without assuming they are
//! equal. The test's p-value uses the pooled standard error, the variance under its null
//! hypothesis that both groups share one rate; this is the usual pairing, and the p-value
//! then equals that of the 2×2 chi-square test without continuity correction.

use super::distributions::normal_upper_tail;
use super::rate::Counts;
use super::{Confidence, Interval};

/// The comparison of two conversion rates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ProportionTest {
    /// The control's conversion rate.
    pub(crate) control_rate: f64,
    /// The treatment's conversion rate.
    pub(crate) treatment_rate: f64,
    /// treatment rate - control rate.
    pub(crate) difference: f64,
    /// The difference's interval (unpooled standard error). Zero-width when both rates are 0
    /// or 1, where the groups show no variance at all.
    pub(crate) interval: Interval,
    /// The two-sided p-value of "the rates are equal" (pooled standard error); 1 when every
    /// unit of both groups converted or none did (no variance, no difference, no evidence).
    pub(crate) p_value: f64,
    /// difference / control rate (+0.1 is 10% more conversions); `None` when the control
    /// rate is 0 and a relative change has no meaning.
    pub(crate) relative_lift: Option<f64>,
}

/// Compares `treatment` with `control`; `None` when a group has no units or more conversions
/// than units.
pub(crate) fn two_proportions(
    control: Counts,
    treatment: Counts,
    confidence: Confidence,
) -> Option<ProportionTest> {
    let control_rate = control.rate()?;
    let treatment_rate = treatment.rate()?;
    let (nc, nt) = (control.units as f64, treatment.units as f64);
    let difference = treatment_rate - control_rate;
    let unpooled = (control_rate * (1.0 - control_rate) / nc
        + treatment_rate * (1.0 - treatment_rate) / nt)
        .sqrt();
    // The sums fit f64 exactly up to 2^53 units, far more than any experiment has.
    let pooled_rate = (control.conversions as f64 + treatment.conversions as f64) / (nc + nt);
    let pooled = (pooled_rate * (1.0 - pooled_rate) * (1.0 / nc + 1.0 / nt)).sqrt();
    // The pooled variance is 0 only when every unit converted or none did: then both rates
    // are equal and there is no evidence of a difference.
    let p_value = if pooled > 0.0 {
        normal_upper_tail(difference.abs() / pooled).map_or(1.0, |tail| (2.0 * tail).min(1.0))
    } else {
        1.0
    };
    Some(ProportionTest {
        control_rate,
        treatment_rate,
        difference,
        interval: Interval::around(difference, confidence.z() * unpooled),
        p_value,
        relative_lift: (control_rate > 0.0).then(|| difference / control_rate),
    })
}
