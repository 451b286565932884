//! The confidence level of an interval, checked once so that the quantiles computed from it
//! are always finite.

use super::distributions::{normal_quantile, t_quantile};

/// A two-sided confidence level strictly between 0 and 1 (0.95 for a 95% interval), with its
/// normal critical value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Confidence {
    /// The level, in (0, 1).
    level: f64,
    /// The standard normal's two-sided critical value, finite and positive.
    z: f64,
}

impl Confidence {
    /// `level` if it is strictly between 0 and 1 and its critical value is finite (0 and 1
    /// would make an interval of nothing or of everything; so would a level within 1e-16 of 1,
    /// whose upper quantile rounds to 1).
    pub(crate) fn new(level: f64) -> Option<Confidence> {
        if !(level > 0.0 && level < 1.0) {
            return None;
        }
        let z = normal_quantile(upper(level))?;
        (z.is_finite() && z > 0.0).then_some(Confidence { level, z })
    }

    /// The level, in (0, 1).
    pub(crate) fn level(self) -> f64 {
        self.level
    }

    /// The standard normal's two-sided critical value (1.96 at 95%).
    pub(crate) fn z(self) -> f64 {
        self.z
    }

    /// Student's t two-sided critical value with `df` degrees of freedom, or `None` for
    /// fewer than 1 degree of freedom.
    pub(crate) fn t(self, df: f64) -> Option<f64> {
        t_quantile(upper(self.level), df)
    }
}

/// The upper quantile of a two-sided interval at `level`: `1 - (1 - level) / 2`.
fn upper(level: f64) -> f64 {
    1.0 - (1.0 - level) / 2.0
}

#[cfg(test)]
mod tests {
    use super::Confidence;

    #[test]
    fn only_levels_strictly_between_0_and_1_are_accepted() {
        assert!(Confidence::new(0.0).is_none());
        assert!(Confidence::new(1.0).is_none());
        // The largest f64 below 1: its upper quantile rounds to 1.
        assert!(Confidence::new(1.0 - f64::EPSILON / 2.0).is_none());
        assert!(Confidence::new(f64::NAN).is_none());
        assert!(Confidence::new(-0.5).is_none());
        let c = Confidence::new(0.95).unwrap();
        assert_eq!(c.level(), 0.95);
        assert!((c.z() - 1.959_963_984_540_054).abs() < 1e-15);
        // statrs alone never returned here (see distributions.rs).
        assert!((c.t(1e9).unwrap() - c.z()).abs() < 1e-8);
        assert_eq!(c.t(0.0), None);
    }
}
