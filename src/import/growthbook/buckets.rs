//! GrowthBook's float bucket ranges as whole buckets of `fnv1a32-v1` (1,000 buckets, GrowthBook's
//! `n = k / 1000`) or `fnv1a32-v2` (10,000 buckets, `n = k / 10000`). Each bound is computed
//! with the same f64 division GrowthBook's comparison makes, so bucket `k` is inside exactly
//! when GrowthBook's `n >= start && n < end` (or `n <= coverage`) holds.

use serde_json::{json, Value};

/// The number of buckets of GrowthBook hash version `version`, or `None` for a version
/// GrowthBook does not know (it then never includes anyone).
pub(crate) fn count(version: u32) -> Option<u32> {
    match version {
        1 => Some(1000),
        2 => Some(10000),
        _ => None,
    }
}

/// The edgeflag `bucketing` member for hash version `version` (1 or 2).
pub(crate) fn bucketing(version: u32) -> Value {
    json!({ "hash": if version == 2 { "fnv1a32-v2" } else { "fnv1a32-v1" } })
}

/// The smallest bucket `k` in `0..=n` with `k / n >= x` (so `n >= x` holds exactly for the
/// buckets from the result on).
pub(crate) fn lower_bound(x: f64, n: u32) -> u32 {
    let nf = f64::from(n);
    if x.is_nan() || x > 1.0 {
        return n;
    }
    if x <= 0.0 {
        return 0;
    }
    // floor(x * n) is within one of the answer; the loops settle the rounding exactly as
    // GrowthBook's division would.
    let mut k = ((x * nf).floor() as u32).min(n);
    while k > 0 && f64::from(k - 1) / nf >= x {
        k -= 1;
    }
    while k < n && f64::from(k) / nf < x {
        k += 1;
    }
    k
}

/// How many buckets `k` (from 0) satisfy `k / n <= coverage` (a force rule's coverage test).
pub(crate) fn coverage_count(coverage: f64, n: u32) -> u32 {
    let nf = f64::from(n);
    if coverage.is_nan() || coverage < 0.0 {
        return 0;
    }
    let mut k = ((coverage * nf).floor().max(0.0) as u32).min(n);
    while k > 0 && f64::from(k - 1) / nf > coverage {
        k -= 1;
    }
    while k < n && f64::from(k) / nf <= coverage {
        k += 1;
    }
    k
}

/// The whole-bucket range `[start, end)` of GrowthBook's `[s, e)`.
pub(crate) fn range(s: f64, e: f64, n: u32) -> (u32, u32) {
    (lower_bound(s, n), lower_bound(e, n))
}

/// Rollout weights over `0..n` for ranges tried in order (the first range holding a bucket
/// owns it, as GrowthBook's `chooseVariation` does); `None` owners and unowned buckets are
/// gaps (no variant). Adjacent entries with the same owner are merged.
pub(crate) fn weights(ranges: &[(Option<&str>, u32, u32)], n: u32) -> Vec<Value> {
    let mut cuts: Vec<u32> = vec![0, n];
    for &(_, a, b) in ranges {
        cuts.push(a.min(n));
        cuts.push(b.min(n));
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<(Option<&str>, u32)> = Vec::new();
    for w in cuts.windows(2) {
        let (p, q) = match w {
            [p, q] => (*p, *q),
            _ => continue,
        };
        let owner = ranges
            .iter()
            .find(|(_, a, b)| *a <= p && p < *b)
            .and_then(|(v, _, _)| *v);
        match out.last_mut() {
            Some((last, weight)) if *last == owner => *weight += q - p,
            _ => out.push((owner, q - p)),
        }
    }
    out.into_iter()
        .map(|(v, w)| match v {
            Some(v) => json!({ "variant": v, "weight": w }),
            None => json!({ "weight": w }),
        })
        .collect()
}

/// Whether `weights` serve any variant at all.
pub(crate) fn serves_any(weights: &[Value]) -> bool {
    weights.iter().any(|w| w.get("variant").is_some())
}
