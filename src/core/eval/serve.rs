//! Serving: a fixed variant, a weighted rollout, or a scheduled ramp (FORMAT.md §4, §7).

use crate::bucket::{bucket, UnitText, BUCKETS};
use crate::bucketing::Bucketing;
use crate::context::Attrs;
use crate::json::Value;
use crate::snapshot::model::{BucketTest, Curve, Schedule, Serve, UnitBy, VariantIdx};
use crate::snapshot::AttrId;

/// A split could not run: its unit attribute is missing (or not a string or an integer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MissingUnit(pub(crate) AttrId);

/// The variant `serve` picks and whether it was a split (rollout or schedule), or `None`
/// when a fall-through rollout passes the unit on to the next rule.
#[inline]
pub(crate) fn pick(
    serve: &Serve,
    attrs: &Attrs<'_>,
    now: i64,
) -> Result<Option<(VariantIdx, bool)>, MissingUnit> {
    match serve {
        Serve::Variant(v) => Ok(Some((*v, false))),
        Serve::Rollout(r) => {
            let Some(value) = unit_value(attrs, &r.by, &r.bucketing) else {
                return match r.fall_through {
                    true => Ok(None),
                    false => Err(MissingUnit(r.by.first)),
                };
            };
            let mut text = UnitText::new();
            let unit = text.of(value).unwrap_or_default();
            let b = r.bucketing.bucket_prepared(&r.salt, r.salt_state, unit);
            // Ranges are cumulative and end at the bucket count, so a bucket always falls in
            // one; a gap (`None`) falls through.
            let v = r
                .ranges
                .iter()
                .find(|(end, _)| b < *end)
                .or(r.ranges.last())
                .and_then(|(_, v)| *v);
            Ok(v.map(|v| (v, true)))
        }
        Serve::Schedule(s) => {
            let b = unit_bucket(attrs, s.by, &s.salt)?;
            let v = if b < percent(s, now) {
                s.variant
            } else {
                s.otherwise
            };
            Ok(Some((v, true)))
        }
    }
}

/// The value of the first `by` attribute that is a unit (a string or a safe integer). Under a
/// vendor's bucketing an empty string is no unit, as Unleash (`userId || sessionId`),
/// GrowthBook (`if (!hashValue)`) and flagd read it (FORMAT.md §7); xxh3 keeps §5's rule.
#[inline]
fn unit_value<'a>(attrs: &'a Attrs<'_>, by: &UnitBy, bucketing: &Bucketing) -> Option<&'a Value> {
    let vendor = !matches!(bucketing, Bucketing::Xxh3);
    let is_unit = |v: &&Value| UnitText::is_unit(v) && !(vendor && v.as_str() == Some(""));
    let first = attrs.get(by.first).filter(is_unit);
    if first.is_some() || by.rest.is_empty() {
        return first;
    }
    by.rest.iter().find_map(|id| attrs.get(*id).filter(is_unit))
}

/// `inBucket`: `Some(whether the unit's bucket is in a range)`, `None` without a unit.
pub(crate) fn in_bucket(t: &BucketTest, attrs: &Attrs<'_>) -> Option<bool> {
    let value = unit_value(attrs, &t.by, &t.bucketing)?;
    let mut text = UnitText::new();
    let b = t
        .bucketing
        .bucket_prepared(&t.salt, t.salt_state, text.of(value)?);
    Some(t.ranges.iter().any(|(start, end)| *start <= b && b < *end))
}

fn unit_bucket(attrs: &Attrs<'_>, by: AttrId, salt: &str) -> Result<u32, MissingUnit> {
    let value = attrs.get(by).ok_or(MissingUnit(by))?;
    let mut text = UnitText::new();
    let unit = text.of(value).ok_or(MissingUnit(by))?;
    Ok(bucket(salt, unit))
}

/// `p(now) = floor(from + (to - from) * f(x))`, `x = clamp((now - start) / (end - start), 0, 1)`.
pub(crate) fn percent(s: &Schedule, now: i64) -> u32 {
    let span = s.end.saturating_sub(s.start) as f64;
    let x = (now.saturating_sub(s.start) as f64 / span).clamp(0.0, 1.0);
    let f = match s.curve {
        Curve::Linear => x,
        Curve::SCurve => x * x * (3.0 - 2.0 * x),
    };
    let p = f64::from(s.from) + (f64::from(s.to) - f64::from(s.from)) * f;
    // p lies between from and to, both in 0..=100000: truncation is the floor.
    (p as u32).min(BUCKETS)
}
