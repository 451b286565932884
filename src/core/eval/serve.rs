//! Serving: a fixed variant, a weighted rollout, or a scheduled ramp (FORMAT.md §4).

use crate::bucket::{bucket, UnitText, BUCKETS};
use crate::context::Attrs;
use crate::snapshot::model::{Curve, Schedule, Serve, VariantIdx};
use crate::snapshot::AttrId;

/// A split could not run: its unit attribute is missing (or not a string or an integer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MissingUnit(pub(crate) AttrId);

/// The variant `serve` picks, and whether it was a split (rollout or schedule).
#[inline]
pub(crate) fn pick(
    serve: &Serve,
    attrs: &Attrs<'_>,
    now: i64,
) -> Result<(VariantIdx, bool), MissingUnit> {
    match serve {
        Serve::Variant(v) => Ok((*v, false)),
        Serve::Rollout(r) => {
            let b = unit_bucket(attrs, r.by, &r.salt)?;
            // Ranges are cumulative and end at 100000, so a bucket always falls in one.
            let v = r
                .ranges
                .iter()
                .find(|(end, _)| b < *end)
                .or(r.ranges.last())
                .map_or(0, |(_, v)| *v);
            Ok((v, true))
        }
        Serve::Schedule(s) => {
            let b = unit_bucket(attrs, s.by, &s.salt)?;
            let v = if b < percent(s, now) {
                s.variant
            } else {
                s.otherwise
            };
            Ok((v, true))
        }
    }
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
