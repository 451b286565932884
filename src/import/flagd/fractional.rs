//! flagd's `fractional` as an edgeflag rollout with `{"hash": "fractional"}` bucketing.
//!
//! flagd hashes `flagKey + targetingKey` (MurmurHash3 x86_32, seed 0) by default, or the
//! string its first argument evaluates to: `{"var": x}` hashes x alone (salt `""`), and
//! `{"cat": [{"var": "$flagd.flagKey"}, {"var": x}]}` hashes flag key + x (salt = the flag
//! key). Weights are kept as they are (`buckets` = their sum), so every unit keeps its
//! bucket. Where flagd answers null (no bucketing value: a missing or empty targetingKey, a
//! missing `{"var": x}`) it serves the default variant; rules in front of the rollout do the
//! same in edgeflag. Where flagd hashes a string that does not depend on the unit (an empty
//! x; a missing x under `cat`, which writes it as "null"), the importer computes the variant
//! that string lands on and serves it by a rule in front, since edgeflag buckets no empty
//! or missing unit.

use super::atom::cond;
use super::logic::{Entry, Outcome};
use super::Cx;
use crate::path;
use crate::ImportError;
use edgeflag::bucketing::Bucketing;
use serde_json::{json, Value};

/// flagd refuses weights that sum past `i32::MAX`.
const MAX_TOTAL: u64 = 2_147_483_647;

/// The decision list of `{"fractional": args}` at `p`.
pub(crate) fn decisions(cx: &mut Cx<'_>, args: &Value, p: &str) -> Result<Vec<Entry>, ImportError> {
    let default = || vec![Entry::always(Outcome::Default)];
    let Some(args) = args.as_array() else {
        return Err(ImportError::new(
            p,
            "expected an array: [bucketing key?, [variant, weight], ...]",
        ));
    };
    let (unit, buckets) = match args.first() {
        None => {
            cx.ignored(p, "no buckets: flagd always answers the default variant");
            return Ok(default());
        }
        Some(Value::Array(_)) => (Unit::TargetingKey, args.as_slice()),
        Some(first) => match unit(cx, first, &path::index(p, 0)) {
            Some(u) => (u, args.get(1..).unwrap_or_default()),
            None => return Ok(default()),
        },
    };
    let offset = args.len() - buckets.len();
    let Some(weights) = weights(cx, buckets, offset, p)? else {
        return Ok(default());
    };
    // Saturating: weights past 2^64 in total are over the limit all the same.
    let total: u64 = weights
        .iter()
        .fold(0u64, |sum, (_, w)| sum.saturating_add(*w));
    if total == 0 || total > MAX_TOTAL {
        cx.ignored(
            p,
            "the weights sum to 0 or past 2147483647: flagd always answers the default variant",
        );
        return Ok(default());
    }
    let (by, salt) = match &unit {
        Unit::TargetingKey => ("targetingKey".to_owned(), cx.flag.to_owned()),
        Unit::Var(x) => (x.clone(), String::new()),
        Unit::FlagKeyAnd(x) => (x.clone(), cx.flag.to_owned()),
    };
    let bucketing = json!({ "hash": "fractional", "buckets": total });
    // What flagd answers for a context without the unit, and for an empty one (which
    // edgeflag cannot bucket): the default variant where flagd answers null, else the
    // variant of the one string flagd then hashes, decided here.
    let fixed = |unit: &str| Outcome::Variant(pick(&weights, total, &salt, unit));
    let (missing, empty) = match unit {
        // `!targetingKey`: null.
        Unit::TargetingKey => (Outcome::Default, Outcome::Default),
        // A missing var is not a string: null; "" is hashed.
        Unit::Var(_) => (Outcome::Default, fixed("")),
        // `cat` writes a missing var as "null".
        Unit::FlagKeyAnd(_) => (fixed("null"), fixed("")),
    };
    let mut out = vec![
        Entry {
            guard: vec![cond(&by, "exists", vec![], true, false)],
            outcome: missing,
        },
        Entry {
            guard: vec![cond(&by, "in", vec!["".into()], false, false)],
            outcome: empty,
        },
    ];
    out.extend(split(&by, &salt, &bucketing, weights));
    Ok(out)
}

/// What flagd hashes.
enum Unit {
    /// `flagKey + targetingKey` (no bucketing argument).
    TargetingKey,
    /// The attribute alone (`{"var": x}`).
    Var(String),
    /// `flagKey + x` (`{"cat": [{"var": "$flagd.flagKey"}, {"var": x}]}`).
    FlagKeyAnd(String),
}

/// A top-level attribute name read by `{"var": x}`.
fn var_name(v: &Value) -> Option<&str> {
    let name = v
        .as_object()
        .filter(|m| m.len() == 1)?
        .get("var")?
        .as_str()?;
    (!name.is_empty() && !name.contains('.') && !name.starts_with("$flagd")).then_some(name)
}

/// The bucketing argument at `p`; `None` (noted) when edgeflag cannot express it.
fn unit(cx: &mut Cx<'_>, first: &Value, p: &str) -> Option<Unit> {
    if let Some(x) = var_name(first) {
        return Some(Unit::Var(x.to_owned()));
    }
    let cat = first
        .as_object()
        .filter(|m| m.len() == 1)
        .and_then(|m| m.get("cat"))
        .and_then(Value::as_array);
    if let Some([a, b]) = cat.map(Vec::as_slice) {
        let flag_key = a
            .as_object()
            .and_then(|m| m.get("var"))
            .and_then(Value::as_str)
            == Some("$flagd.flagKey");
        if let (true, Some(x)) = (flag_key, var_name(b)) {
            return Some(Unit::FlagKeyAnd(x.to_owned()));
        }
    }
    cx.lossy(
        p,
        "a bucketing key other than {\"var\": x} or {\"cat\": [{\"var\": \"$flagd.flagKey\"}, {\"var\": x}]} cannot be expressed: the default variant is served",
    );
    None
}

/// The `[variant, weight]` entries as (variant name, weight), adjacent repeats merged and
/// empty entries dropped (`offset`: the index of the first in `p`); `None` where flagd answers null for them (noted).
fn weights(
    cx: &mut Cx<'_>,
    buckets: &[Value],
    offset: usize,
    p: &str,
) -> Result<Option<Vec<(String, u64)>>, ImportError> {
    let fallback = cx
        .default_variant
        .or_else(|| cx.variants.keys().next().map(String::as_str))
        .unwrap_or_default()
        .to_owned();
    let mut out: Vec<(String, u64)> = Vec::new();
    for (i, b) in buckets.iter().enumerate() {
        let bp = path::index(p, i + offset);
        let entry = match b.as_array() {
            Some(e) if (1..=2).contains(&e.len()) => e,
            _ => {
                cx.ignored(
                    &bp,
                    "expected [variant] or [variant, weight]: flagd answers the default variant",
                );
                return Ok(None);
            }
        };
        let name = match entry.first() {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Null) => fallback.clone(),
            _ => {
                cx.lossy(&bp, "a variant computed by JsonLogic cannot be expressed: the default variant is served");
                return Ok(None);
            }
        };
        let name = if cx.variants.contains_key(&name) {
            name
        } else {
            cx.lossy(&bp, format!("\"{name}\" is not a variant of the flag: flagd answers an error, edgeflag the default variant"));
            fallback.clone()
        };
        let weight = match entry.get(1) {
            None => 1,
            Some(w) => match w.as_f64() {
                Some(f) if f.fract() == 0.0 && f.is_finite() => f.max(0.0) as u64,
                _ => {
                    cx.ignored(
                        &bp,
                        "the weight is not an integer: flagd answers the default variant",
                    );
                    return Ok(None);
                }
            },
        };
        if weight == 0 {
            continue;
        }
        match out.last_mut() {
            Some((last, w)) if *last == name => *w = w.saturating_add(weight),
            _ => out.push((name, weight)),
        }
    }
    Ok(Some(out))
}

/// The variant flagd's `fractional` picks for the string `salt + unit`, decided at import
/// (`weights`: positive, summing to `total`, at most `i32::MAX`).
fn pick(weights: &[(String, u64)], total: u64, salt: &str, unit: &str) -> String {
    let buckets = u32::try_from(total).unwrap_or(u32::MAX);
    let bucket = u64::from(Bucketing::Fractional { buckets }.bucket(salt, unit));
    let mut sum = 0u64;
    for (name, w) in weights {
        sum = sum.saturating_add(*w);
        if sum > bucket {
            return name.clone();
        }
    }
    // Unreachable: the bucket is below the total.
    weights.last().map(|(n, _)| n.clone()).unwrap_or_default()
}

/// The entries that serve each unit its variant: one rollout, or, when a variant holds
/// several separate ranges (which a rollout cannot list), one `inBucket` rule per variant.
fn split(by: &str, salt: &str, bucketing: &Value, weights: Vec<(String, u64)>) -> Vec<Entry> {
    let distinct = weights
        .iter()
        .enumerate()
        .all(|(i, (n, _))| weights.iter().skip(i + 1).all(|(m, _)| m != n));
    if distinct {
        let w: Vec<Value> = weights
            .iter()
            .map(|(v, w)| json!({ "variant": v, "weight": w }))
            .collect();
        let serve =
            json!({ "rollout": { "by": by, "salt": salt, "bucketing": bucketing, "weights": w } });
        return vec![Entry::always(Outcome::Serve(serve))];
    }
    let mut order: Vec<(String, Vec<Value>)> = Vec::new();
    let mut start = 0u64;
    for (name, w) in weights {
        let range = json!([start, start + w]);
        start += w;
        match order.iter_mut().find(|(n, _)| *n == name) {
            Some((_, ranges)) => ranges.push(range),
            None => order.push((name, vec![range])),
        }
    }
    let last = order.len().saturating_sub(1);
    order
        .into_iter()
        .enumerate()
        .map(|(i, (name, ranges))| Entry {
            guard: if i == last {
                vec![]
            } else {
                vec![json!({ "op": "inBucket", "by": by, "salt": salt, "bucketing": bucketing, "values": ranges })]
            },
            outcome: Outcome::Variant(name),
        })
        .collect()
}
