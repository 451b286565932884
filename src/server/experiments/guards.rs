//! Judging a rollout plan's step and a kill guard from the figures: pure functions of counts
//! (the guard loop in [`guard_loop`](crate::guard_loop) reads the figures and acts).
//!
//! A step is judged once its variant has `minUnits` new exposed units: a guard that fails
//! then rolls the plan back at once; when every guard holds and `minSeconds` have passed, the
//! plan advances. A guard without figures yet (no requests measured, a control without
//! units) does not hold: the plan waits rather than advance blind.

use super::plan::{Guard, KillGuard, Plan};
use super::{count, number as num};
use crate::events::LATENCY_BOUNDS_MS;
use edgeflag::Value;
use std::collections::BTreeMap;

/// One variant's exposed units and how many of them had the guard's event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rate {
    /// Exposed units.
    pub(crate) units: u64,
    /// Of which had the event.
    pub(crate) events: u64,
}

impl Rate {
    /// events / units (`None` without units).
    pub(crate) fn value(self) -> Option<f64> {
        (self.units > 0).then(|| self.events.min(self.units) as f64 / self.units as f64)
    }

    /// What was added since `start` (the units exposed and the events counted since then).
    pub(crate) fn since(self, start: Rate) -> Rate {
        Rate {
            units: self.units.saturating_sub(start.units),
            events: self.events.saturating_sub(start.events),
        }
    }
}

/// Per guard metric, per variant: the units and events when a step began or a guard was set.
pub(crate) type Baseline = BTreeMap<String, BTreeMap<String, Rate>>;

/// A baseline as stored: `{"error": {"on": [units, events], ...}, ...}`.
pub(crate) fn baseline_to_value(baseline: &Baseline) -> Value {
    Value::Object(
        baseline
            .iter()
            .map(|(metric, variants)| {
                let variants = variants
                    .iter()
                    .map(|(v, r)| {
                        (
                            v.as_str().into(),
                            Value::Array(vec![count(r.units), count(r.events)]),
                        )
                    })
                    .collect();
                (metric.as_str().into(), Value::Object(variants))
            })
            .collect(),
    )
}

/// A stored baseline (anything unreadable counts as zeros: judged on the totals).
pub(crate) fn baseline_from_value(value: &Value) -> Baseline {
    let pair = |v: &Value| {
        let a = v.as_array()?;
        let n = |i: usize| a.get(i).and_then(Value::as_f64).map(|f| f.max(0.0) as u64);
        Some(Rate {
            units: n(0)?,
            events: n(1)?,
        })
    };
    value
        .as_object()
        .unwrap_or_default()
        .iter()
        .map(|(metric, variants)| {
            let variants = variants
                .as_object()
                .unwrap_or_default()
                .iter()
                .filter_map(|(v, r)| Some((v.to_string(), pair(r)?)))
                .collect();
            (metric.to_string(), variants)
        })
        .collect()
}

/// What was measured for one guard.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Measured {
    /// The event's rate in the variant and in the control.
    Rates {
        /// The variant rolled out.
        variant: Rate,
        /// The control (the flag's `offVariant`).
        control: Rate,
    },
    /// The variant's request latency since the step began: requests and the p99 (ms; `None`
    /// when above the histogram's last bound).
    Latency {
        /// Requests measured.
        requests: u64,
        /// The 99th percentile's bucket bound.
        p99: Option<f64>,
    },
}

/// The figures a step is judged on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Step {
    /// The variant's exposed units now.
    pub(crate) units: u64,
    /// Its units when the step began.
    pub(crate) units_at_start: u64,
    /// Time since the step began, ms.
    pub(crate) elapsed_ms: i64,
    /// What was measured, guard by guard (in the plan's order).
    pub(crate) measured: Vec<Measured>,
}

/// What to do with a plan now.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Verdict {
    /// Not yet: too few units or too little time, or a guard without figures.
    Wait,
    /// Every guard holds and the step is long enough: go to the next step.
    Advance,
    /// A guard failed: the variant goes back to 0.
    RollBack,
}

/// The upper bound (ms) of the bucket holding the 99th percentile of `histogram`: `None`
/// without requests, infinity when it is above the last bound.
pub(crate) fn p99(histogram: &[u64]) -> Option<f64> {
    let total = histogram.iter().fold(0u64, |a, n| a.saturating_add(*n));
    if total == 0 {
        return None;
    }
    // The smallest bucket bound with at least 99% of the requests at or below it.
    let needed = total - total / 100;
    let mut seen = 0u64;
    for (i, n) in histogram.iter().enumerate() {
        seen = seen.saturating_add(*n);
        if seen >= needed {
            return Some(LATENCY_BOUNDS_MS.get(i).copied().unwrap_or(f64::INFINITY));
        }
    }
    Some(f64::INFINITY)
}

/// One guard judged: `Some(held)`, or `None` without figures; and the figures as audited.
fn judge(guard: &Guard, measured: Option<&Measured>) -> (Option<bool>, Value) {
    let mut members: Vec<(Box<str>, Value)> = Vec::new();
    let held = match (guard, measured) {
        (Guard::MaxIncrease { metric, limit }, Some(Measured::Rates { variant, control })) => {
            members.push(("metric".into(), Value::from(metric.as_str())));
            members.push(("maxIncrease".into(), num(*limit)));
            rates(&mut members, *variant, *control);
            match (variant.value(), control.value()) {
                (Some(v), Some(c)) => {
                    members.push(("increase".into(), num(v - c)));
                    Some(v - c <= *limit)
                }
                _ => None,
            }
        }
        (Guard::MaxRate { metric, limit }, Some(Measured::Rates { variant, control })) => {
            members.push(("metric".into(), Value::from(metric.as_str())));
            members.push(("maxRate".into(), num(*limit)));
            rates(&mut members, *variant, *control);
            variant.value().map(|v| v <= *limit)
        }
        (Guard::LatencyP99 { limit }, Some(Measured::Latency { requests, p99 })) => {
            members.push(("metric".into(), Value::from("latency_p99_ms")));
            members.push(("max".into(), num(*limit)));
            members.push(("requests".into(), count(*requests)));
            members.push(("p99".into(), p99.map_or(Value::Null, num)));
            match p99 {
                _ if *requests == 0 => None,
                Some(p) => Some(*p <= *limit),
                None => Some(false),
            }
        }
        _ => None,
    };
    members.push(("held".into(), held.map_or(Value::Null, Value::Bool)));
    (held, Value::Object(members))
}

fn rates(members: &mut Vec<(Box<str>, Value)>, variant: Rate, control: Rate) {
    members.push(("units".into(), count(variant.units)));
    members.push(("rate".into(), variant.value().map_or(Value::Null, num)));
    members.push(("controlUnits".into(), count(control.units)));
    members.push((
        "controlRate".into(),
        control.value().map_or(Value::Null, num),
    ));
}

/// Judges `plan`'s current step on `step`: the verdict and the figures behind it.
pub(crate) fn judge_step(plan: &Plan, step: &Step) -> (Verdict, Value) {
    let new_units = step.units.saturating_sub(step.units_at_start);
    let judged: Vec<(Option<bool>, Value)> = plan
        .guards
        .iter()
        .enumerate()
        .map(|(i, g)| judge(g, step.measured.get(i)))
        .collect();
    let figures = Value::Object(vec![
        ("units".into(), count(step.units)),
        ("newUnits".into(), count(new_units)),
        ("minUnits".into(), count(plan.min_units)),
        (
            "seconds".into(),
            count(step.elapsed_ms.max(0).unsigned_abs() / 1000),
        ),
        ("minSeconds".into(), count(plan.min_seconds)),
        (
            "guards".into(),
            Value::Array(judged.iter().map(|(_, f)| f.clone()).collect()),
        ),
    ]);
    if new_units < plan.min_units {
        return (Verdict::Wait, figures);
    }
    if judged.iter().any(|(held, _)| *held == Some(false)) {
        return (Verdict::RollBack, figures);
    }
    let long_enough =
        step.elapsed_ms >= i64::try_from(plan.min_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
    if long_enough && judged.iter().all(|(held, _)| *held == Some(true)) {
        return (Verdict::Advance, figures);
    }
    (Verdict::Wait, figures)
}

/// Judges a kill guard on each served variant's rate (`(variant, rate)`, the flag's
/// `offVariant` left out: killing serves it): `Some(figures)` when one exceeds the maximum
/// over at least `min_units` units.
pub(crate) fn judge_kill(guard: &KillGuard, variants: &[(String, Rate)]) -> Option<Value> {
    let (variant, rate) = variants.iter().find(|(_, r)| {
        r.units >= guard.min_units && r.units > 0 && r.value().is_some_and(|v| v > guard.max_rate)
    })?;
    Some(Value::Object(vec![
        ("metric".into(), Value::from(guard.metric.as_str())),
        ("maxRate".into(), num(guard.max_rate)),
        ("minUnits".into(), count(guard.min_units)),
        ("variant".into(), Value::from(variant.as_str())),
        ("units".into(), count(rate.units)),
        ("events".into(), count(rate.events)),
        ("rate".into(), rate.value().map_or(Value::Null, num)),
    ]))
}

#[cfg(test)]
mod tests {
    use super::super::weights::Place;
    use super::*;

    fn plan() -> Plan {
        Plan {
            place: Place::Default,
            variant: "on".into(),
            steps: vec![1000, 100_000],
            min_units: 100,
            min_seconds: 60,
            guards: vec![
                Guard::MaxIncrease {
                    metric: "error".into(),
                    limit: 0.01,
                },
                Guard::LatencyP99 { limit: 500.0 },
            ],
        }
    }

    fn step(variant_errors: u64, p99_bucket: usize, elapsed_s: i64, units: u64) -> Step {
        let mut histogram = vec![0; 17];
        histogram[p99_bucket] = 1000;
        Step {
            units,
            units_at_start: 0,
            elapsed_ms: elapsed_s * 1000,
            measured: vec![
                Measured::Rates {
                    variant: Rate {
                        units,
                        events: variant_errors,
                    },
                    control: Rate {
                        units: 1000,
                        events: 10,
                    },
                },
                Measured::Latency {
                    requests: 1000,
                    p99: p99(&histogram),
                },
            ],
        }
    }

    #[test]
    fn a_step_waits_for_units_and_time_then_advances_or_rolls_back() {
        assert_eq!(judge_step(&plan(), &step(0, 6, 600, 99)).0, Verdict::Wait);
        assert_eq!(judge_step(&plan(), &step(1, 6, 30, 200)).0, Verdict::Wait);
        assert_eq!(
            judge_step(&plan(), &step(1, 6, 60, 200)).0,
            Verdict::Advance
        );
        // 5% errors against the control's 1%: more than one point worse.
        let (verdict, figures) = judge_step(&plan(), &step(10, 6, 5, 200));
        assert_eq!(verdict, Verdict::RollBack);
        assert_eq!(
            figures.get("guards").unwrap().as_array().unwrap()[0].get("held"),
            Some(&Value::Bool(false))
        );
        // p99 in the 750 ms bucket: over 500.
        assert_eq!(
            judge_step(&plan(), &step(0, 11, 600, 200)).0,
            Verdict::RollBack
        );
    }

    #[test]
    fn without_figures_a_guard_does_not_hold() {
        let mut s = step(0, 6, 600, 200);
        s.measured[1] = Measured::Latency {
            requests: 0,
            p99: None,
        };
        assert_eq!(judge_step(&plan(), &s).0, Verdict::Wait);
    }

    #[test]
    fn p99_is_the_bound_of_the_bucket_that_reaches_99_percent() {
        let mut h = vec![0u64; 17];
        h[2] = 98;
        h[9] = 2;
        assert_eq!(p99(&h), Some(400.0));
        h[16] = 5;
        assert_eq!(p99(&h), Some(f64::INFINITY));
        assert_eq!(p99(&[0; 17]), None);
    }

    #[test]
    fn a_kill_guard_needs_its_units_and_a_rate_over_the_maximum() {
        let guard = KillGuard {
            metric: "error".into(),
            max_rate: 0.05,
            min_units: 100,
        };
        let rate = |units, events| Rate { units, events };
        assert!(judge_kill(&guard, &[("on".into(), rate(99, 50))]).is_none());
        assert!(judge_kill(&guard, &[("on".into(), rate(100, 5))]).is_none());
        let figures = judge_kill(&guard, &[("on".into(), rate(100, 6))]).unwrap();
        assert_eq!(figures.get("variant").and_then(Value::as_str), Some("on"));
    }
}
