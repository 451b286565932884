//! Rollout plans and kill guards as the admin API takes them, checked field by field (what a
//! step does to the flag's weights is [`with_weight`](super::weights::with_weight)).

use super::weights::{Place, TOTAL_WEIGHT};
use crate::patch::{bad, BadRequest};
use edgeflag::{Number, Value};

/// One guard of a plan.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Guard {
    /// A tracked event's rate (`error`: the worker's origin 5xx) may exceed the control's by
    /// at most this much (absolute: 0.01 is one percentage point).
    MaxIncrease {
        /// The event.
        metric: String,
        /// The largest increase allowed.
        limit: f64,
    },
    /// A tracked event's rate may be at most this.
    MaxRate {
        /// The event.
        metric: String,
        /// The largest rate allowed.
        limit: f64,
    },
    /// The 99th percentile of the worker's request latency under the variant may be at most
    /// this many ms (`latency_p99_ms`).
    LatencyP99 {
        /// The largest p99 allowed, ms.
        limit: f64,
    },
}

/// A rollout plan.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plan {
    /// The rollout it drives: a rule or the default serve.
    pub(crate) place: Place,
    /// The variant being rolled out.
    pub(crate) variant: String,
    /// Its weight at each step (increasing, the last at most 100000).
    pub(crate) steps: Vec<u64>,
    /// New exposed units of the variant a step needs before it may advance.
    pub(crate) min_units: u64,
    /// Seconds a step lasts at least.
    pub(crate) min_seconds: u64,
    /// What must hold for a step to advance; one that fails rolls the plan back.
    pub(crate) guards: Vec<Guard>,
}

/// An automatic kill switch: kill the flag when a served variant's rate of `metric` exceeds
/// `max_rate` over at least `min_units` exposed units.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct KillGuard {
    /// The event (`error`).
    pub(crate) metric: String,
    /// The largest rate allowed.
    pub(crate) max_rate: f64,
    /// Units a variant needs before its rate counts.
    pub(crate) min_units: u64,
}

type Members<'v> = &'v [(Box<str>, Value)];

fn member<'v>(members: Members<'v>, name: &str) -> Option<&'v Value> {
    members.iter().find(|(k, _)| &**k == name).map(|(_, v)| v)
}

fn only(members: Members<'_>, known: &[&str]) -> Result<(), BadRequest> {
    match members.iter().find(|(k, _)| !known.contains(&&**k)) {
        Some((k, _)) => Err(bad(
            &**k,
            format!("unknown field (expected {})", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn whole(members: Members<'_>, name: &str, default: Option<u64>) -> Result<u64, BadRequest> {
    match member(members, name) {
        None => default.ok_or_else(|| bad(name, "missing")),
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| bad(name, "expected a whole number of at least 0")),
        Some(_) => Err(bad(name, "expected a whole number of at least 0")),
    }
}

fn rate(members: Members<'_>, name: &str, path: &str) -> Result<Option<f64>, BadRequest> {
    match member(members, name) {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(f) if (0.0..=1.0).contains(&f) => Ok(Some(f)),
            _ => Err(bad(format!("{path}.{name}"), "expected a rate from 0 to 1")),
        },
    }
}

fn metric_name(members: Members<'_>, path: &str) -> Result<String, BadRequest> {
    match member(members, "metric").and_then(Value::as_str) {
        // Tracked events' names, as batches may carry them.
        Some(m)
            if (1..=64).contains(&m.len())
                && m.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.:-".contains(&b)) =>
        {
            Ok(m.to_owned())
        }
        _ => Err(bad(
            format!("{path}.metric"),
            "expected an event name such as \"error\", or \"latency_p99_ms\"",
        )),
    }
}

fn guard(value: &Value, path: &str) -> Result<Guard, BadRequest> {
    let Value::Object(members) = value else {
        return Err(bad(
            path,
            "expected {\"metric\": ..., \"maxIncrease\" | \"maxRate\" | \"max\": ...}",
        ));
    };
    let metric = metric_name(members, path)?;
    if metric == "latency_p99_ms" {
        only(members, &["metric", "max"])
            .map_err(|b| bad(format!("{path}.{}", b.field), b.message))?;
        return match member(members, "max").and_then(Value::as_f64) {
            Some(limit) if limit > 0.0 && limit.is_finite() => Ok(Guard::LatencyP99 { limit }),
            _ => Err(bad(
                format!("{path}.max"),
                "expected the largest p99 latency allowed, in ms (> 0)",
            )),
        };
    }
    only(members, &["metric", "maxIncrease", "maxRate"])
        .map_err(|b| bad(format!("{path}.{}", b.field), b.message))?;
    match (
        rate(members, "maxIncrease", path)?,
        rate(members, "maxRate", path)?,
    ) {
        (Some(limit), None) => Ok(Guard::MaxIncrease { metric, limit }),
        (None, Some(limit)) => Ok(Guard::MaxRate { metric, limit }),
        _ => Err(bad(
            path,
            "expected exactly one of maxIncrease (against the control) and maxRate",
        )),
    }
}

impl Plan {
    /// Reads a plan from the request body `value` (400 naming the field).
    pub(crate) fn from_value(value: &Value) -> Result<Plan, BadRequest> {
        let Value::Object(members) = value else {
            return Err(bad("", "expected a rollout plan object"));
        };
        only(
            members,
            &[
                "rule",
                "variant",
                "steps",
                "minUnits",
                "minSeconds",
                "guards",
            ],
        )?;
        let place = match member(members, "rule") {
            None => Place::Default,
            Some(Value::String(s)) if !s.is_empty() => Place::parse(s),
            Some(_) => {
                return Err(bad(
                    "rule",
                    "expected a rule id, or \"default\" for the default serve",
                ))
            }
        };
        let variant = match member(members, "variant") {
            Some(Value::String(s)) if !s.is_empty() => s.to_string(),
            _ => return Err(bad("variant", "expected the variant to roll out")),
        };
        let steps: Vec<u64> = match member(members, "steps").and_then(Value::as_array) {
            Some(items) if !items.is_empty() && items.len() <= 100 => items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Number(n) => n
                        .as_u64()
                        .filter(|w| (1..=TOTAL_WEIGHT).contains(w))
                        .ok_or_else(|| {
                            bad(format!("steps[{i}]"), "expected a weight from 1 to 100000")
                        }),
                    _ => Err(bad(
                        format!("steps[{i}]"),
                        "expected a weight from 1 to 100000",
                    )),
                })
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(bad(
                    "steps",
                    "expected 1 to 100 weights (thousandths of a percent), increasing",
                ))
            }
        };
        if let Some(i) = steps.windows(2).position(|w| w.first() >= w.get(1)) {
            return Err(bad(format!("steps[{}]", i + 1), "steps must increase"));
        }
        let guards = match member(members, "guards") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, g)| guard(g, &format!("guards[{i}]")))
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(bad("guards", "expected an array of guards")),
        };
        Ok(Plan {
            place,
            variant,
            steps,
            min_units: whole(members, "minUnits", Some(0))?,
            min_seconds: whole(members, "minSeconds", Some(0))?,
            guards,
        })
    }

    /// The plan as the API answers it (and the store keeps it).
    pub(crate) fn to_value(&self) -> Value {
        let n = |n: u64| Value::Number(Number::from_u64(n));
        let f = |f: f64| Value::Number(Number::from_f64(f));
        let guards = self
            .guards
            .iter()
            .map(|g| {
                Value::Object(match g {
                    Guard::MaxIncrease { metric, limit } => vec![
                        ("metric".into(), Value::from(metric.as_str())),
                        ("maxIncrease".into(), f(*limit)),
                    ],
                    Guard::MaxRate { metric, limit } => vec![
                        ("metric".into(), Value::from(metric.as_str())),
                        ("maxRate".into(), f(*limit)),
                    ],
                    Guard::LatencyP99 { limit } => vec![
                        ("metric".into(), Value::from("latency_p99_ms")),
                        ("max".into(), f(*limit)),
                    ],
                })
            })
            .collect();
        Value::Object(vec![
            ("rule".into(), Value::from(self.place.name())),
            ("variant".into(), Value::from(self.variant.as_str())),
            (
                "steps".into(),
                Value::Array(self.steps.iter().map(|s| n(*s)).collect()),
            ),
            ("minUnits".into(), n(self.min_units)),
            ("minSeconds".into(), n(self.min_seconds)),
            ("guards".into(), Value::Array(guards)),
        ])
    }
}

impl KillGuard {
    /// Reads a kill guard from the request body (400 naming the field).
    pub(crate) fn from_value(value: &Value) -> Result<KillGuard, BadRequest> {
        let Value::Object(members) = value else {
            return Err(bad(
                "",
                "expected {\"metric\": \"error\", \"maxRate\": 0.05, \"minUnits\": 100}",
            ));
        };
        only(members, &["metric", "maxRate", "minUnits"])?;
        let metric = metric_name(members, "guard")
            .map_err(|_| bad("metric", "expected an event name such as \"error\""))?;
        let max_rate = rate(members, "maxRate", "guard")
            .map_err(|_| bad("maxRate", "expected a rate from 0 to 1"))?
            .ok_or_else(|| bad("maxRate", "missing: the largest rate allowed"))?;
        Ok(KillGuard {
            metric,
            max_rate,
            min_units: whole(members, "minUnits", Some(100))?,
        })
    }

    /// The guard as the API answers it.
    pub(crate) fn to_value(&self) -> Value {
        Value::Object(vec![
            ("metric".into(), Value::from(self.metric.as_str())),
            (
                "maxRate".into(),
                Value::Number(Number::from_f64(self.max_rate)),
            ),
            (
                "minUnits".into(),
                Value::Number(Number::from_u64(self.min_units)),
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        super::super::parse_test_json(text)
    }

    #[test]
    fn a_plan_is_read_field_by_field() {
        let plan = Plan::from_value(&json(
            r#"{"rule":"default","variant":"on","steps":[1000,5000,25000,100000],"minUnits":200,"minSeconds":600,
               "guards":[{"metric":"error","maxIncrease":0.01},{"metric":"latency_p99_ms","max":500}]}"#,
        ))
        .unwrap();
        assert_eq!(plan.steps, vec![1000, 5000, 25000, 100000]);
        assert_eq!(plan.guards[1], Guard::LatencyP99 { limit: 500.0 });
        assert_eq!(Plan::from_value(&plan.to_value()).unwrap(), plan);
        let field = |text: &str| Plan::from_value(&json(text)).unwrap_err().field;
        assert_eq!(field(r#"{"variant":"on","steps":[5000,1000]}"#), "steps[1]");
        assert_eq!(field(r#"{"variant":"on","steps":[0]}"#), "steps[0]");
        assert_eq!(
            field(r#"{"variant":"on","steps":[1],"guards":[{"metric":"error"}]}"#),
            "guards[0]"
        );
        assert_eq!(
            field(r#"{"variant":"on","steps":[1],"guards":[{"metric":"error","maxRate":2}]}"#),
            "guards[0].maxRate"
        );
        assert_eq!(field(r#"{"variant":"on","steps":[1],"speed":3}"#), "speed");
        assert_eq!(field(r#"{"steps":[1]}"#), "variant");
    }
}
