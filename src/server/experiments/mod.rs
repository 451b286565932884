//! Experiments and guarded rollouts, from the counts that [`events`](crate::events) keeps:
//! results per variant against a control ([`results`]), the rollout whose weights the units
//! should follow ([`weights`]), rollout plans that advance or roll back by themselves and
//! automatic kill switches ([`guards`]).

pub(crate) mod guards;
pub(crate) mod plan;
pub(crate) mod results;
pub(crate) mod weights;

use edgeflag::{Number, Value};

/// A figure as JSON: `null` when it is not finite (an answer never carries NaN).
pub(crate) fn number(f: f64) -> Value {
    if f.is_finite() {
        Value::Number(Number::from_f64(f))
    } else {
        Value::Null
    }
}

/// A count as JSON.
pub(crate) fn count(n: u64) -> Value {
    Value::Number(Number::from_u64(n))
}

/// JSON text of the unit tests, parsed.
#[cfg(test)]
pub(crate) fn parse_test_json(text: &str) -> Value {
    use edgeflag::unstable::json::{parse, JsonLimits};
    let limits = JsonLimits {
        max_depth: 32,
        max_string_bytes: 1 << 16,
    };
    parse(text.as_bytes(), &limits).unwrap_or(Value::Null)
}
