//! How many units an experiment on a conversion rate needs: `edgeflag sample-size` and
//! `GET /admin/sample-size` (both answer [`Plan::to_value`]).
//!
//! The usual normal approximation for a two-sided two-proportion z-test with equal groups:
//!
//! ```text
//! p1 = baseline, p2 = p1 × (1 + mde), p̄ = (p1 + p2) / 2
//! n  = (z(1 - α/2) × √(2 p̄ (1 - p̄)) + z(power) × √(p1 (1 - p1) + p2 (1 - p2)))² / (p2 - p1)²
//! ```
//!
//! per variant, rounded up (z is the standard normal quantile): the first term is the
//! spread under "no difference" that the test must clear at level α, the second the spread
//! under the effect that must clear it with probability `power`. Every variant is compared
//! with control at that n; no correction for several treatments is made.

use super::distributions::normal_quantile;
use edgeflag::{Number, Value};
use std::fmt;

/// The largest count given: 2^53 - 1, the largest integer a JSON reader (JavaScript) keeps
/// exactly.
const MAX_UNITS: u64 = (1 << 53) - 1;

/// A parameter of the calculation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parameter {
    /// The control's conversion rate.
    Baseline,
    /// The minimum detectable effect, relative to the baseline.
    Mde,
    /// The significance level (two-sided).
    Alpha,
    /// The power.
    Power,
    /// The number of variants, control included.
    Variants,
    /// The units per day over all variants.
    DailyUnits,
}

impl Parameter {
    /// Its name in the admin API's query string (`dailyUnits`).
    pub fn query_name(self) -> &'static str {
        match self {
            Parameter::Baseline => "baseline",
            Parameter::Mde => "mde",
            Parameter::Alpha => "alpha",
            Parameter::Power => "power",
            Parameter::Variants => "variants",
            Parameter::DailyUnits => "dailyUnits",
        }
    }

    /// Its option on the command line (`--daily-units`).
    pub fn option_name(self) -> &'static str {
        match self {
            Parameter::Baseline => "--baseline",
            Parameter::Mde => "--mde",
            Parameter::Alpha => "--alpha",
            Parameter::Power => "--power",
            Parameter::Variants => "--variants",
            Parameter::DailyUnits => "--daily-units",
        }
    }
}

/// A request that has no answer: which parameter is wrong, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    /// The parameter to change.
    pub parameter: Parameter,
    /// Why, with the value found (`must be strictly between 0 and 1, found 1.5`).
    pub message: String,
}

impl fmt::Display for Invalid {
    /// `baseline: must be ...` (the query name; the command line puts the option instead).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.parameter.query_name(), self.message)
    }
}

/// Shorthand for an [`Invalid`].
fn invalid(parameter: Parameter, message: String) -> Invalid {
    Invalid { parameter, message }
}

/// What to plan for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    /// The control's conversion rate, in (0, 1).
    pub baseline: f64,
    /// The smallest relative effect worth detecting (0.1: a rate 10% above the baseline);
    /// positive, with `baseline × (1 + mde)` below 1.
    pub mde: f64,
    /// The two-sided significance level, in (0, 1).
    pub alpha: f64,
    /// The probability of detecting the effect if it is there, in (0, 1).
    pub power: f64,
    /// Variants, control included: at least 2.
    pub variants: u64,
    /// Units exposed per day over all variants, for the duration; at least 1.
    pub daily_units: Option<u64>,
}

impl Request {
    /// The default significance level: 5%.
    pub const DEFAULT_ALPHA: f64 = 0.05;
    /// The default power: 80%.
    pub const DEFAULT_POWER: f64 = 0.8;
    /// The default number of variants: control and one treatment.
    pub const DEFAULT_VARIANTS: u64 = 2;
}

/// The answer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan {
    /// What was asked.
    pub request: Request,
    /// The formula's n before rounding up.
    pub exact: f64,
    /// Units needed in each variant (n rounded up).
    pub units_per_variant: u64,
    /// Units over all variants.
    pub total_units: u64,
    /// Days to reach `total_units` at `daily_units` a day (rounded up), if given.
    pub days: Option<u64>,
}

/// Checks `request` and computes the units (and days) it needs; an [`Invalid`] names the
/// first parameter that is out of range.
pub fn plan(request: &Request) -> Result<Plan, Invalid> {
    let Request {
        baseline,
        mde,
        alpha,
        power,
        variants,
        daily_units,
    } = *request;
    let between = |parameter, value: f64| {
        // Written so that NaN fails too.
        if value > 0.0 && value < 1.0 {
            Ok(())
        } else {
            Err(invalid(
                parameter,
                format!("must be strictly between 0 and 1, found {value}"),
            ))
        }
    };
    between(Parameter::Baseline, baseline)?;
    if !(mde > 0.0 && mde.is_finite()) {
        return Err(invalid(
            Parameter::Mde,
            format!("must be a relative effect above 0 (0.1 for +10%), found {mde}"),
        ));
    }
    let (p1, p2) = (baseline, baseline * (1.0 + mde));
    if p2 >= 1.0 {
        return Err(invalid(
            Parameter::Mde,
            format!("baseline × (1 + mde) = {p2} is not a rate below 1"),
        ));
    }
    between(Parameter::Alpha, alpha)?;
    between(Parameter::Power, power)?;
    // z(1 - α/2) as -z(α/2): a small α keeps its digits (1 - α/2 would round to 1).
    let z_alpha = normal_quantile(alpha / 2.0)
        .map(|z| -z)
        .ok_or_else(|| invalid(Parameter::Alpha, format!("{alpha} is too small")))?;
    let z_power = normal_quantile(power)
        .ok_or_else(|| invalid(Parameter::Power, format!("{power} is out of range")))?;
    let mean = (p1 + p2) / 2.0;
    let root = z_alpha * (2.0 * mean * (1.0 - mean)).sqrt()
        + z_power * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    // With a power below about α/2 the root turns negative, and squaring it would answer a
    // large n for a test that asks almost nothing.
    if root <= 0.0 {
        return Err(invalid(
            Parameter::Power,
            format!(
                "must be above about alpha / 2 ({}) for this approximation, found {power}",
                alpha / 2.0
            ),
        ));
    }
    let exact = root * root / ((p2 - p1) * (p2 - p1));
    // Also catches an effect so small that p2 rounds to p1 (n infinite).
    if exact.is_nan() || exact > MAX_UNITS as f64 {
        return Err(invalid(
            Parameter::Mde,
            format!("{mde} is too small to detect: more than {MAX_UNITS} units per variant"),
        ));
    }
    // exact is positive and at most 2^53, so the conversion is exact after ceil.
    let units_per_variant = (exact.ceil() as u64).max(1);
    if variants < 2 {
        return Err(invalid(
            Parameter::Variants,
            format!("must be at least 2 (control and a treatment), found {variants}"),
        ));
    }
    let total_units = units_per_variant
        .checked_mul(variants)
        .filter(|&total| total <= MAX_UNITS)
        .ok_or_else(|| {
            invalid(
                Parameter::Variants,
                format!("{variants} variants need more than {MAX_UNITS} units"),
            )
        })?;
    let days = match daily_units {
        None => None,
        Some(0) => {
            return Err(invalid(
                Parameter::DailyUnits,
                "must be at least 1, found 0".to_owned(),
            ))
        }
        Some(daily) => Some(total_units.div_ceil(daily)),
    };
    Ok(Plan {
        request: *request,
        exact,
        units_per_variant,
        total_units,
        days,
    })
}

impl Plan {
    /// The JSON answer: `{"unitsPerVariant", "totalUnits", "days" (null without daily
    /// units), "baseline", "mde", "alpha", "power"}`.
    pub fn to_value(&self) -> Value {
        let count = |n: u64| Value::Number(Number::from_u64(n));
        let number = |x: f64| Value::Number(Number::from_f64(x));
        Value::Object(vec![
            ("unitsPerVariant".into(), count(self.units_per_variant)),
            ("totalUnits".into(), count(self.total_units)),
            ("days".into(), self.days.map_or(Value::Null, count)),
            ("baseline".into(), number(self.request.baseline)),
            ("mde".into(), number(self.request.mde)),
            ("alpha".into(), number(self.request.alpha)),
            ("power".into(), number(self.request.power)),
        ])
    }
}
