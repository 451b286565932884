//! Operators. A condition holds when the attribute satisfies the operator against ANY of its
//! values. A missing attribute, or one of a type the operator cannot compare, yields the
//! condition's `whenMissing` (false unless set), negated or not; only `exists` has its own
//! rule (negated, it holds for a missing attribute). A list attribute holds when any of its
//! comparable elements does; a list without one counts as missing.

use super::serve::in_bucket;
use crate::bucket::UnitText;
use crate::context::Attrs;
use crate::json::{Number, Value};
use crate::operand::semver::Version;
use crate::operand::{cidr, fold};
use crate::snapshot::model::{Condition, Folded, Op};
use crate::snapshot::{Snapshot, TARGETING_KEY};

/// Whether `cond` holds for the context.
#[inline]
pub(crate) fn holds(snap: &Snapshot, cond: &Condition, attrs: &Attrs<'_>) -> bool {
    match &cond.op {
        Op::Exists => attrs.get(cond.attr).is_some() != cond.negate,
        Op::InSegment(segments) => segments.iter().any(|s| member(snap, *s, attrs)) != cond.negate,
        Op::InBucket(t) => match in_bucket(t, attrs) {
            Some(result) => result != cond.negate,
            None => cond.when_missing,
        },
        op => match attrs.get(cond.attr).and_then(|v| test(op, v)) {
            Some(result) => result != cond.negate,
            None => cond.when_missing,
        },
    }
}

/// Segment membership: included, else not if excluded, else any AND-list of rules holds.
pub(crate) fn member(snap: &Snapshot, segment: u32, attrs: &Attrs<'_>) -> bool {
    let Some(seg) = snap.segments().get(segment as usize) else {
        return false;
    };
    if let Some(key) = attrs.get(TARGETING_KEY) {
        let mut text = UnitText::new();
        if let Some(unit) = text.of(key) {
            if seg.included.contains(unit) {
                return true;
            }
            if seg.excluded.contains(unit) {
                return false;
            }
        }
    }
    seg.rules
        .iter()
        .any(|all| all.iter().all(|c| holds(snap, c, attrs)))
}

/// `Some(result)` when the operator can compare the value, `None` when it cannot.
#[inline]
fn test(op: &Op, v: &Value) -> Option<bool> {
    let Value::Array(items) = v else {
        return scalar(op, v);
    };
    let mut comparable = false;
    for item in items {
        match scalar(op, item) {
            Some(true) => return Some(true),
            Some(false) => comparable = true,
            None => {}
        }
    }
    comparable.then_some(false)
}

#[inline]
fn scalar(op: &Op, v: &Value) -> Option<bool> {
    match op {
        Op::In(set) => match v {
            Value::String(s) => Some(set.strings.contains_inline(s)),
            Value::Number(n) => {
                let x = n.as_f64();
                Some(set.numbers.contains(&x))
            }
            Value::Bool(true) => Some(set.has_true),
            Value::Bool(false) => Some(set.has_false),
            _ => None,
        },
        Op::StartsWith(list) => v.as_str().map(|s| list.iter().any(|p| s.starts_with(&**p))),
        Op::EndsWith(list) => v.as_str().map(|s| list.iter().any(|p| s.ends_with(&**p))),
        Op::Contains(list) => v.as_str().map(|s| list.iter().any(|n| n.found_in(s))),
        Op::Lt(t) => number(v).map(|x| x < *t),
        Op::Lte(t) => number(v).map(|x| x <= *t),
        Op::Gt(t) => number(v).map(|x| x > *t),
        Op::Gte(t) => number(v).map(|x| x >= *t),
        Op::Before(t) => instant(v).map(|x| x < *t as f64),
        Op::After(t) => instant(v).map(|x| x > *t as f64),
        Op::SemverEq(list) => version(v).map(|x| list.contains(&x)),
        Op::SemverLt(t) => version(v).map(|x| x < **t),
        Op::SemverLte(t) => version(v).map(|x| x <= **t),
        Op::SemverGt(t) => version(v).map(|x| x > **t),
        Op::SemverGte(t) => version(v).map(|x| x >= **t),
        Op::InCidr(ranges) => {
            let ip = cidr::parse_ip(v.as_str()?)?;
            Some(ranges.iter().any(|r| r.contains(&ip)))
        }
        #[cfg(feature = "regex")]
        Op::Matches(patterns) => v.as_str().map(|s| patterns.iter().any(|p| p.is_match(s))),
        Op::Folded(folded) => v.as_str().map(|s| insensitive(folded, s)),
        Op::Numeric(inner) => match v {
            Value::String(s) => {
                let x = crate::json::number_literal(s)?;
                scalar(inner, &Value::Number(Number::from_f64(x)))
            }
            _ => scalar(inner, v),
        },
        // Handled by `holds`; listed so the match stays exhaustive.
        Op::Exists | Op::InSegment(_) | Op::InBucket(_) => None,
    }
}

/// A `caseInsensitive` operator on a string attribute (folded as it is compared).
fn insensitive(op: &Folded, s: &str) -> bool {
    match op {
        Folded::In(set) => fold::with_folded(s, |f| set.contains(f)),
        Folded::StartsWith(list) => list.iter().any(|p| fold::starts_with(s, p)),
        Folded::EndsWith(list) => list.iter().any(|p| fold::ends_with(s, p)),
        Folded::Contains(list) => list.iter().any(|n| n.found_in_bytes(fold::bytes(s))),
    }
}

/// A finite number (NaN and infinities cannot be compared meaningfully).
fn number(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite())
}

/// An instant: an RFC 3339 string or epoch milliseconds.
fn instant(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) => crate::time::parse_rfc3339(s).map(|ms| ms as f64),
        _ => number(v),
    }
}

fn version(v: &Value) -> Option<Version> {
    Version::parse(v.as_str()?)
}
