//! Compiles what a rule or the default serves: a variant, a weighted rollout, or a schedule.

use super::attrs::AttrId;
use super::compile_bucketing as bucketing;
use super::compiler::Compiler;
use super::model::{Curve, Rollout, Schedule, Serve, VariantIdx};
use super::read::{self, Members};
use crate::bucket::BUCKETS;
use crate::json::path::Path;
use crate::json::Value;
use crate::text::Msg;
use crate::Error;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// The flag a serve belongs to: its key (the default salt) and variant names.
pub(crate) struct FlagScope<'a> {
    pub(crate) key: &'a str,
    pub(crate) variants: &'a [&'a str],
}

/// The index of variant `name`, or a load error at `p`.
pub(crate) fn variant(scope: &FlagScope<'_>, v: &Value, p: &Path<'_>) -> Result<VariantIdx, Error> {
    let name = read::string(v, p)?;
    scope
        .variants
        .iter()
        .position(|n| *n == name)
        .map(|i| i as VariantIdx)
        .ok_or_else(|| read::error(p, Msg::new("unknown variant ").quoted(name).finish()))
}

/// Compiles the serve object at `p`: exactly one of `variant`, `rollout`, `schedule`.
pub(crate) fn serve(
    c: &mut Compiler<'_>,
    scope: &FlagScope<'_>,
    v: &Value,
    p: &Path<'_>,
) -> Result<Serve, Error> {
    let m = read::object(v, p)?;
    // The one member present, or None when there are none or several.
    let mut present = None;
    let mut count = 0;
    for k in ["variant", "rollout", "schedule"] {
        if read::optional(m, k).is_some() {
            present = Some(k);
            count += 1;
        }
    }
    match present.filter(|_| count == 1) {
        Some("variant") => {
            let vp = p.key("variant");
            Ok(Serve::Variant(variant(
                scope,
                read::required(m, "variant", p)?,
                &vp,
            )?))
        }
        Some("rollout") => {
            let rp = p.key("rollout");
            Ok(Serve::Rollout(Box::new(rollout(
                c,
                scope,
                read::required(m, "rollout", p)?,
                &rp,
            )?)))
        }
        Some("schedule") => {
            let sp = p.key("schedule");
            Ok(Serve::Schedule(Box::new(schedule(
                c,
                scope,
                read::required(m, "schedule", p)?,
                &sp,
            )?)))
        }
        _ => Err(read::error(
            p,
            "expected exactly one of \"variant\", \"rollout\" or \"schedule\"",
        )),
    }
}

/// `by` (default `targetingKey`) and `salt` (default the flag key).
fn unit(
    c: &mut Compiler<'_>,
    scope: &FlagScope<'_>,
    m: &Members,
    p: &Path<'_>,
) -> Result<(AttrId, Box<str>), Error> {
    let by = match read::optional(m, "by") {
        Some(v) => read::name(v, &p.key("by"))?,
        None => "targetingKey",
    };
    let salt = match read::optional(m, "salt") {
        Some(v) => read::string(v, &p.key("salt"))?,
        None => scope.key,
    };
    Ok((c.attrs.intern(by), salt.into()))
}

/// Compiles `defaultServe`: a serve that cannot fall through (there is no next rule).
pub(crate) fn default_serve(
    c: &mut Compiler<'_>,
    scope: &FlagScope<'_>,
    v: &Value,
    p: &Path<'_>,
) -> Result<Serve, Error> {
    let s = serve(c, scope, v, p)?;
    if let Serve::Rollout(r) = &s {
        if r.fall_through {
            let rp = p.key("rollout");
            return Err(read::error(
                &rp.key("fallThrough"),
                "not allowed in defaultServe (there is no next rule to fall through to)",
            ));
        }
    }
    Ok(s)
}

fn rollout(
    c: &mut Compiler<'_>,
    scope: &FlagScope<'_>,
    v: &Value,
    p: &Path<'_>,
) -> Result<Rollout, Error> {
    let m = read::object(v, p)?;
    let by = bucketing::unit_by(c, m, p)?;
    let salt = bucketing::salt(m, scope.key, p)?;
    let kind = bucketing::bucketing(m, p)?;
    let fall_through = read::flag_or(m, "fallThrough", false, p)?;
    let buckets = u64::from(kind.buckets());
    let wp = p.key("weights");
    // Gap entries sit between variants: a fall-through rollout may have one more gap than
    // variants on each side of them.
    let max_entries = match fall_through {
        true => c
            .limits
            .max_variants_per_flag
            .saturating_mul(2)
            .saturating_add(1),
        false => c.limits.max_variants_per_flag,
    };
    let weights = read::array(read::required(m, "weights", p)?, &wp, max_entries)?;
    if weights.is_empty() {
        return Err(read::error(&wp, "must not be empty"));
    }
    let mut ranges = Vec::with_capacity(weights.len());
    let mut seen: Vec<VariantIdx> = Vec::with_capacity(weights.len());
    let mut total: u64 = 0;
    for (i, w) in weights.iter().enumerate() {
        let ep = wp.index(i);
        let wm = read::object(w, &ep)?;
        let vp = ep.key("variant");
        let idx = match read::optional(wm, "variant") {
            Some(name) => Some(variant(scope, name, &vp)?),
            None if fall_through => None,
            None => {
                return Err(read::error(
                    &ep,
                    "missing field \"variant\" (an entry without one is a gap, which needs \"fallThrough\": true)",
                ))
            }
        };
        if let Some(idx) = idx {
            if seen.contains(&idx) {
                return Err(read::error(&vp, "variant listed twice in one rollout"));
            }
            seen.push(idx);
        }
        let weight = read::integer(
            read::required(wm, "weight", &ep)?,
            &ep.key("weight"),
            buckets,
        )?;
        total += weight;
        if weight > 0 {
            ranges.push((total.min(buckets) as u32, idx));
        }
    }
    if total != buckets {
        return Err(read::error(
            &wp,
            Msg::new("weights sum to ")
                .num(total)
                .text(", they must sum to ")
                .num(buckets)
                .text(" (the bucket count of the rollout's bucketing)")
                .finish(),
        ));
    }
    Ok(Rollout {
        by,
        salt: salt.into(),
        salt_state: kind.prepare(salt),
        bucketing: kind,
        fall_through,
        ranges: ranges.into_boxed_slice(),
    })
}

fn schedule(
    c: &mut Compiler<'_>,
    scope: &FlagScope<'_>,
    v: &Value,
    p: &Path<'_>,
) -> Result<Schedule, Error> {
    let m = read::object(v, p)?;
    let (by, salt) = unit(c, scope, m, p)?;
    let variant_idx = variant(scope, read::required(m, "variant", p)?, &p.key("variant"))?;
    let otherwise = variant(
        scope,
        read::required(m, "otherwise", p)?,
        &p.key("otherwise"),
    )?;
    let start = read::instant(read::required(m, "start", p)?, &p.key("start"))?;
    let end = read::instant(read::required(m, "end", p)?, &p.key("end"))?;
    if end <= start {
        return Err(read::error(&p.key("end"), "must be later than start"));
    }
    let percent = |key: &str, default: u32| -> Result<u32, Error> {
        match read::optional(m, key) {
            Some(v) => Ok(read::integer(v, &p.key(key), u64::from(BUCKETS))? as u32),
            None => Ok(default),
        }
    };
    let from = percent("from", 0)?;
    let to = percent("to", BUCKETS)?;
    let curve = match read::optional(m, "curve") {
        None => Curve::Linear,
        Some(v) => match read::string(v, &p.key("curve"))? {
            "linear" => Curve::Linear,
            "s-curve" => Curve::SCurve,
            other => {
                return Err(read::error(
                    &p.key("curve"),
                    Msg::new("unknown curve ")
                        .quoted(other)
                        .text(" (expected \"linear\" or \"s-curve\")")
                        .finish(),
                ))
            }
        },
    };
    Ok(Schedule {
        by,
        salt,
        variant: variant_idx,
        otherwise,
        start,
        end,
        from,
        to,
        curve,
    })
}
