//! Compiles what rollouts and `inBucket` conditions share (FORMAT.md §7): the unit
//! attributes (`by`, one name or a list), the `bucketing` object, and `inBucket` itself.

use super::compiler::Compiler;
use super::model::{BucketTest, Op, UnitBy};
use super::read::{self, Members};
use crate::bucketing::Bucketing;
use crate::json::path::Path;
use crate::json::Value;
use crate::text::Msg;
use crate::Error;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// The largest bucket count a bucketing may declare (flagd's limit on a weight sum).
const MAX_BUCKETS: u64 = 2_147_483_647;

/// The hash names of `bucketing.hash`.
const HASHES: &str = "\"xxh3\", \"murmur3\", \"fnv1a32-v1\", \"fnv1a32-v2\" or \"fractional\"";

/// `by`: a name or a non-empty list of names (default `targetingKey`).
pub(crate) fn unit_by(c: &mut Compiler<'_>, m: &Members, p: &Path<'_>) -> Result<UnitBy, Error> {
    let bp = p.key("by");
    let Some(v) = read::optional(m, "by") else {
        return Ok(UnitBy {
            first: super::TARGETING_KEY,
            rest: Box::default(),
        });
    };
    if let Value::Array(_) = v {
        let names = read::array(v, &bp, c.limits.max_values_per_condition)?;
        let mut ids = Vec::with_capacity(names.len());
        for (i, n) in names.iter().enumerate() {
            ids.push(c.attrs.intern(read::name(n, &bp.index(i))?));
        }
        let Some((first, rest)) = ids.split_first() else {
            return Err(read::error(&bp, "must not be empty"));
        };
        return Ok(UnitBy {
            first: *first,
            rest: rest.into(),
        });
    }
    let name = match v {
        Value::String(_) => read::name(v, &bp)?,
        _ => return Err(read::wrong(&bp, "an attribute name or a list of them", v)),
    };
    Ok(UnitBy {
        first: c.attrs.intern(name),
        rest: Box::default(),
    })
}

/// `bucketing` (default `{"hash": "xxh3"}`).
pub(crate) fn bucketing(m: &Members, p: &Path<'_>) -> Result<Bucketing, Error> {
    let Some(v) = read::optional(m, "bucketing") else {
        return Ok(Bucketing::Xxh3);
    };
    let bp = p.key("bucketing");
    let bm = read::object(v, &bp)?;
    let hp = bp.key("hash");
    let count = |key: &str| -> Result<u32, Error> {
        let kp = bp.key(key);
        let n = read::integer(read::required(bm, key, &bp)?, &kp, MAX_BUCKETS)?;
        if n == 0 {
            return Err(read::error(&kp, "must be at least 1"));
        }
        Ok(n as u32)
    };
    Ok(match read::string(read::required(bm, "hash", &bp)?, &hp)? {
        "xxh3" => Bucketing::Xxh3,
        "murmur3" => Bucketing::Murmur3 {
            seed: read::integer(
                read::required(bm, "seed", &bp)?,
                &bp.key("seed"),
                u64::from(u32::MAX),
            )? as u32,
            buckets: count("buckets")?,
        },
        "fnv1a32-v1" => Bucketing::Fnv1aV1,
        "fnv1a32-v2" => Bucketing::Fnv1aV2,
        "fractional" => Bucketing::Fractional {
            buckets: count("buckets")?,
        },
        other => {
            return Err(read::error(
                &hp,
                Msg::new("unknown hash ")
                    .quoted(other)
                    .text(" (expected ")
                    .text(HASHES)
                    .text(")")
                    .finish(),
            ))
        }
    })
}

/// `salt` (default `default`).
pub(crate) fn salt<'v>(m: &'v Members, default: &'v str, p: &Path<'_>) -> Result<&'v str, Error> {
    match read::optional(m, "salt") {
        Some(v) => read::string(v, &p.key("salt")),
        None => Ok(default),
    }
}

/// The `inBucket` operator: `by`, `salt` (required: a condition has no flag key to default
/// to, and segments are shared), `bucketing`, and `values`, a list of `[start, end]` pairs
/// with `start < end <= ` the bucket count.
pub(crate) fn in_bucket(
    c: &mut Compiler<'_>,
    m: &Members,
    p: &Path<'_>,
) -> Result<(super::AttrId, Op), Error> {
    let by = unit_by(c, m, p)?;
    let salt = read::string(read::required(m, "salt", p)?, &p.key("salt"))?;
    let bucketing = bucketing(m, p)?;
    let n = u64::from(bucketing.buckets());
    let vp = p.key("values");
    let values = read::array(
        read::required(m, "values", p)?,
        &vp,
        c.limits.max_values_per_condition,
    )?;
    if values.is_empty() {
        return Err(read::error(&vp, "must not be empty"));
    }
    let mut ranges = Vec::with_capacity(values.len());
    for (i, pair) in values.iter().enumerate() {
        let ip = vp.index(i);
        // Not `read::array`'s length limit: a pair of three is a bad operand (it degrades
        // its flag in a client), not a count limit (which refuses the snapshot).
        let (start, end) = match read::array(pair, &ip, usize::MAX)? {
            [s, e] => (
                read::integer(s, &ip.index(0), n)?,
                read::integer(e, &ip.index(1), n)?,
            ),
            _ => return Err(read::error(&ip, "expected a pair [start, end]")),
        };
        if start >= end {
            return Err(read::error(&ip, "start must be below end"));
        }
        ranges.push((start as u32, end as u32));
    }
    let attr = by.first;
    let test = BucketTest {
        by,
        salt: salt.into(),
        salt_state: bucketing.prepare(salt),
        bucketing,
        ranges: ranges.into_boxed_slice(),
    };
    Ok((attr, Op::InBucket(Box::new(test))))
}
