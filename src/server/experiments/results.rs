//! An experiment's results as `GET /admin/environments/{env}/experiments/{flag}` answers them:
//! per variant the units, conversions, rate and its interval; against the control the
//! difference, its interval and the p-value; and the sample-ratio check.

use super::{count, number};
use crate::stats::proportions::two_proportions;
use crate::stats::rate::{rate_interval, Counts};
use crate::stats::srm::{sample_ratio, Observed};
use crate::stats::welch::{welch, Moments};
use crate::stats::{Confidence, Interval};
use crate::store::events::VariantFigures;
use edgeflag::Value;

/// The p-value below which the sample ratio is reported as a mismatch (the threshold
/// experimenters use: a mismatch is a bug in assignment or logging, not chance).
pub(crate) const SRM_THRESHOLD: f64 = 0.001;

/// What is asked.
#[derive(Clone, Debug)]
pub(crate) struct Question<'a> {
    /// The tracked event whose conversions are compared (`None`: exposures only).
    pub(crate) metric: Option<&'a str>,
    /// Compare the per-unit value (Welch's t-test) instead of the conversion rate.
    pub(crate) value: bool,
    /// The control variant.
    pub(crate) control: &'a str,
    /// The intervals' level.
    pub(crate) confidence: Confidence,
}

fn interval(i: Interval) -> Value {
    Value::Array(vec![number(i.low), number(i.high)])
}

/// The per-variant members and, for a treatment, its comparison with `control`.
fn variant(figures: &VariantFigures, control: Option<&VariantFigures>, q: &Question<'_>) -> Value {
    let mut members: Vec<(Box<str>, Value)> = vec![
        ("variant".into(), Value::from(figures.variant.as_str())),
        ("control".into(), Value::Bool(figures.variant == q.control)),
        ("units".into(), count(figures.units)),
    ];
    if q.metric.is_none() {
        return Value::Object(members);
    }
    let counts = Counts {
        units: figures.units,
        conversions: figures.conversions.min(figures.units),
    };
    let estimate = rate_interval(counts, q.confidence);
    members.push(("conversions".into(), count(figures.conversions)));
    members.push((
        "rate".into(),
        estimate.map_or(Value::Null, |e| number(e.rate)),
    ));
    members.push((
        "interval".into(),
        estimate.map_or(Value::Null, |e| interval(e.interval)),
    ));
    members.push(("valueSum".into(), number(figures.value_sum)));
    let mean = (figures.units > 0).then(|| figures.value_sum / figures.units as f64);
    members.push(("valueMean".into(), mean.map_or(Value::Null, number)));
    let comparison = match control {
        Some(control) if figures.variant != control.variant => {
            compare(control, figures, q).unwrap_or(Value::Null)
        }
        _ => Value::Null,
    };
    members.push(("vsControl".into(), comparison));
    Value::Object(members)
}

/// The treatment against the control, as the question asks (`None`: not enough units).
fn compare(
    control: &VariantFigures,
    treatment: &VariantFigures,
    q: &Question<'_>,
) -> Option<Value> {
    if q.value {
        let moments = |f: &VariantFigures| Moments {
            n: f.units,
            sum: f.value_sum,
            sum_squares: f.value_sumsq,
        };
        let test = welch(moments(control), moments(treatment), q.confidence)?;
        let lift = (test.control_mean != 0.0).then(|| test.difference / test.control_mean);
        return Some(Value::Object(vec![
            ("test".into(), Value::from("welch")),
            ("difference".into(), number(test.difference)),
            ("interval".into(), interval(test.interval)),
            ("pValue".into(), number(test.p_value)),
            ("relativeLift".into(), lift.map_or(Value::Null, number)),
            ("degreesOfFreedom".into(), number(test.degrees_of_freedom)),
        ]));
    }
    let counts = |f: &VariantFigures| Counts {
        units: f.units,
        conversions: f.conversions.min(f.units),
    };
    let test = two_proportions(counts(control), counts(treatment), q.confidence)?;
    Some(Value::Object(vec![
        ("test".into(), Value::from("two-proportion z")),
        ("difference".into(), number(test.difference)),
        ("interval".into(), interval(test.interval)),
        ("pValue".into(), number(test.p_value)),
        (
            "relativeLift".into(),
            test.relative_lift.map_or(Value::Null, number),
        ),
    ]))
}

/// The results: `variants` in the rollout's order (then any other exposed variant), each
/// with its figures, and `sampleRatio` against `weights` (`(place, weights)` of the rollout).
pub(crate) fn results(
    figures: &[VariantFigures],
    weights: Option<(&str, &[(String, f64)])>,
    q: &Question<'_>,
) -> Vec<(Box<str>, Value)> {
    let mut ordered: Vec<VariantFigures> = Vec::new();
    if let Some((_, weights)) = weights {
        for (name, _) in weights {
            let found = figures.iter().find(|f| &f.variant == name).cloned();
            ordered.push(found.unwrap_or_else(|| VariantFigures {
                variant: name.clone(),
                ..VariantFigures::default()
            }));
        }
    }
    for f in figures {
        if !ordered.iter().any(|o| o.variant == f.variant) {
            ordered.push(f.clone());
        }
    }
    let control = ordered.iter().find(|f| f.variant == q.control);
    let variants = ordered.iter().map(|f| variant(f, control, q)).collect();
    let ratio = weights.map_or(Value::Null, |(place, weights)| {
        let observed: Vec<Observed> = weights
            .iter()
            .map(|(name, weight)| Observed {
                units: ordered
                    .iter()
                    .find(|f| &f.variant == name)
                    .map_or(0, |f| f.units),
                weight: *weight,
            })
            .collect();
        let check = sample_ratio(&observed);
        Value::Object(vec![
            ("rollout".into(), Value::from(place)),
            (
                "weights".into(),
                Value::Object(
                    weights
                        .iter()
                        .map(|(n, w)| (n.as_str().into(), number(*w)))
                        .collect(),
                ),
            ),
            (
                "statistic".into(),
                check.map_or(Value::Null, |c| number(c.statistic)),
            ),
            (
                "pValue".into(),
                check.map_or(Value::Null, |c| number(c.p_value)),
            ),
            (
                "mismatch".into(),
                Value::Bool(check.is_some_and(|c| c.p_value < SRM_THRESHOLD)),
            ),
        ])
    });
    vec![
        ("control".into(), Value::from(q.control)),
        ("confidence".into(), number(q.confidence.level())),
        ("variants".into(), Value::Array(variants)),
        ("sampleRatio".into(), ratio),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(variant: &str, units: u64, conversions: u64) -> VariantFigures {
        VariantFigures {
            variant: variant.into(),
            units,
            conversions,
            value_sum: conversions as f64 * 10.0,
            value_sumsq: conversions as f64 * 100.0,
        }
    }

    #[test]
    fn treatments_are_compared_with_the_control_in_rollout_order() {
        let q = Question {
            metric: Some("purchase"),
            value: false,
            control: "off",
            confidence: Confidence::new(0.95).unwrap(),
        };
        let weights = vec![("on".to_owned(), 50_000.0), ("off".to_owned(), 50_000.0)];
        let out = Value::Object(results(
            &[figures("off", 1000, 50), figures("on", 1000, 80)],
            Some(("default", &weights)),
            &q,
        ));
        let variants = out.get("variants").unwrap().as_array().unwrap();
        assert_eq!(variants[0].get("variant").unwrap().as_str(), Some("on"));
        let vs = variants[0].get("vsControl").unwrap();
        assert!((vs.get("difference").unwrap().as_f64().unwrap() - 0.03).abs() < 1e-12);
        assert!(vs.get("pValue").unwrap().as_f64().unwrap() < 0.01);
        assert_eq!(variants[1].get("vsControl"), Some(&Value::Null));
        let ratio = out.get("sampleRatio").unwrap();
        assert_eq!(ratio.get("mismatch"), Some(&Value::Bool(false)));
        assert!((ratio.get("pValue").unwrap().as_f64().unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn a_lopsided_split_is_a_mismatch_and_welch_compares_values() {
        let q = Question {
            metric: Some("purchase"),
            value: true,
            control: "off",
            confidence: Confidence::new(0.95).unwrap(),
        };
        let weights = vec![("on".to_owned(), 50_000.0), ("off".to_owned(), 50_000.0)];
        let out = Value::Object(results(
            &[figures("off", 1000, 50), figures("on", 1300, 80)],
            Some(("default", &weights)),
            &q,
        ));
        let ratio = out.get("sampleRatio").unwrap();
        assert_eq!(ratio.get("mismatch"), Some(&Value::Bool(true)));
        let on = &out.get("variants").unwrap().as_array().unwrap()[0];
        assert_eq!(
            on.get("vsControl").unwrap().get("test").unwrap().as_str(),
            Some("welch")
        );
    }
}
