//! Compiles one condition: the operator is resolved, the attribute interned, and the operands
//! type-checked and pre-parsed (numbers, instants, versions, CIDRs, patterns, segments).

use super::attrs::TARGETING_KEY;
use super::compiler::Compiler;
use super::model::{Condition, Folded, Op, ValueSet};
use super::read;
use super::sets::StrSet;
use crate::json::path::Path;
use crate::json::Value;
use crate::operand::cidr::Cidr;
use crate::operand::fold::fold;
use crate::operand::needle::Needle;
use crate::operand::semver::Version;
use crate::text::Msg;
use crate::Error;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Every operator name of FORMAT.md §2.
const OPERATORS: [&str; 20] = [
    "in",
    "startsWith",
    "endsWith",
    "contains",
    "lt",
    "lte",
    "gt",
    "gte",
    "before",
    "after",
    "semverEq",
    "semverLt",
    "semverLte",
    "semverGt",
    "semverGte",
    "exists",
    "inSegment",
    "inCidr",
    "inBucket",
    "matches",
];

/// Compiles the condition at `p`.
pub(crate) fn condition(c: &mut Compiler<'_>, v: &Value, p: &Path<'_>) -> Result<Condition, Error> {
    let m = read::object(v, p)?;
    let op_path = p.key("op");
    let op = read::string(read::required(m, "op", p)?, &op_path)?;
    if !OPERATORS.contains(&op) {
        return Err(unknown_operator(&op_path, op));
    }
    let negate = read::flag_or(m, "negate", false, p)?;
    let case_insensitive = read::flag_or(m, "caseInsensitive", false, p)?;
    let numeric_strings = read::flag_or(m, "numericStrings", false, p)?;
    let when_missing = read::flag_or(m, "whenMissing", false, p)?;
    options(op, case_insensitive, numeric_strings, when_missing, p)?;
    if op == "inBucket" {
        // Its unit attributes, salt and bucketing are members of its own (FORMAT.md §7).
        let (attr, op) = super::compile_bucketing::in_bucket(c, m, p)?;
        return Ok(Condition {
            attr,
            negate,
            when_missing,
            op,
        });
    }
    let attr = match op {
        // A segment reads targetingKey and its own conditions.
        "inSegment" => TARGETING_KEY,
        _ => {
            let a = read::name(read::required(m, "attribute", p)?, &p.key("attribute"))?;
            c.attrs.intern(a)
        }
    };
    let values_path = p.key("values");
    let values: &[Value] = match (op, read::optional(m, "values")) {
        ("exists", _) => &[],
        (_, None) => return Err(read::error(p, "missing field \"values\"")),
        (_, Some(vals)) => {
            let vals = read::array(vals, &values_path, c.limits.max_values_per_condition)?;
            if vals.is_empty() {
                return Err(read::error(&values_path, "must not be empty"));
            }
            vals
        }
    };
    let name = op;
    let op = if case_insensitive {
        Op::Folded(Box::new(folded(op, values, &values_path)?))
    } else {
        operands(c, op, values, &values_path, &op_path)?
    };
    let op = if numeric_strings {
        if name == "in" {
            // Only number operands: a string attribute is read as a number or not at all.
            numbers(values, &values_path)?;
        }
        Op::Numeric(Box::new(op))
    } else {
        op
    };
    Ok(Condition {
        attr,
        negate,
        when_missing,
        op,
    })
}

/// The operators each v1.1 option applies to; elsewhere a `true` is an error (at its path),
/// since it would mean nothing there.
fn options(
    op: &str,
    case_insensitive: bool,
    numeric_strings: bool,
    when_missing: bool,
    p: &Path<'_>,
) -> Result<(), Error> {
    let misplaced =
        if case_insensitive && !matches!(op, "in" | "startsWith" | "endsWith" | "contains") {
            Some("caseInsensitive")
        } else if numeric_strings && !matches!(op, "in" | "lt" | "lte" | "gt" | "gte") {
            Some("numericStrings")
        } else if when_missing && matches!(op, "exists" | "inSegment") {
            // `exists` has its own rule for a missing attribute; `inSegment` reads no attribute.
            Some("whenMissing")
        } else {
            None
        };
    if let Some(name) = misplaced {
        return Err(read::error(
            &p.key(name),
            Msg::new(name)
                .text(" does not apply to operator ")
                .quoted(op)
                .finish(),
        ));
    }
    if case_insensitive && numeric_strings {
        return Err(read::error(
            &p.key("numericStrings"),
            "numericStrings cannot be combined with caseInsensitive",
        ));
    }
    Ok(())
}

/// The `caseInsensitive` form of `op` (one of those [`options`] allows), operands folded.
fn folded(op: &str, values: &[Value], vp: &Path<'_>) -> Result<Folded, Error> {
    Ok(match op {
        "in" => {
            let mut set = Vec::with_capacity(values.len());
            for (i, v) in values.iter().enumerate() {
                let s = v.as_str().ok_or_else(|| {
                    read::wrong(
                        &vp.index(i),
                        "a string (caseInsensitive compares strings)",
                        v,
                    )
                })?;
                set.push(fold(s));
            }
            Folded::In(StrSet::set(set))
        }
        "startsWith" => Folded::StartsWith(strings_as(values, vp, fold)?),
        "endsWith" => Folded::EndsWith(strings_as(values, vp, fold)?),
        _ => Folded::Contains(strings_as(values, vp, |s| Needle::new(fold(s)))?),
    })
}

fn operands(
    c: &mut Compiler<'_>,
    op: &str,
    values: &[Value],
    vp: &Path<'_>,
    op_path: &Path<'_>,
) -> Result<Op, Error> {
    Ok(match op {
        "in" => Op::In(Box::new(value_set(values, vp)?)),
        "startsWith" => Op::StartsWith(strings(values, vp)?),
        "endsWith" => Op::EndsWith(strings(values, vp)?),
        "contains" => Op::Contains(needles(values, vp)?),
        "lt" => Op::Lt(extreme(numbers(values, vp)?, f64::max)),
        "lte" => Op::Lte(extreme(numbers(values, vp)?, f64::max)),
        "gt" => Op::Gt(extreme(numbers(values, vp)?, f64::min)),
        "gte" => Op::Gte(extreme(numbers(values, vp)?, f64::min)),
        "before" => Op::Before(instants(values, vp)?.into_iter().max().unwrap_or(i64::MIN)),
        "after" => Op::After(instants(values, vp)?.into_iter().min().unwrap_or(i64::MAX)),
        "semverEq" => Op::SemverEq(versions(values, vp)?.into_boxed_slice()),
        "semverLt" => Op::SemverLt(Box::new(largest(versions(values, vp)?, vp)?)),
        "semverLte" => Op::SemverLte(Box::new(largest(versions(values, vp)?, vp)?)),
        "semverGt" => Op::SemverGt(Box::new(smallest(versions(values, vp)?, vp)?)),
        "semverGte" => Op::SemverGte(Box::new(smallest(versions(values, vp)?, vp)?)),
        "exists" => Op::Exists,
        "inSegment" => Op::InSegment(segments(c, values, vp)?),
        "inCidr" => Op::InCidr(cidrs(values, vp)?),
        _ => matches(values, vp, op_path)?,
    })
}

#[cfg(feature = "regex")]
fn matches(values: &[Value], vp: &Path<'_>, _op_path: &Path<'_>) -> Result<Op, Error> {
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let p = vp.index(i);
        let pattern = read::string(v, &p)?;
        let compiled = crate::operand::pattern::Pattern::compile(pattern).map_err(|e| {
            read::error(
                &p,
                Msg::new("invalid regular expression: ").text(&e).finish(),
            )
        })?;
        out.push(compiled);
    }
    Ok(Op::Matches(out.into_boxed_slice()))
}

#[cfg(not(feature = "regex"))]
fn matches(_values: &[Value], _vp: &Path<'_>, op_path: &Path<'_>) -> Result<Op, Error> {
    Err(read::error(op_path, read::NEEDS_REGEX))
}

fn unknown_operator(p: &Path<'_>, op: &str) -> Error {
    let hint = OPERATORS
        .iter()
        .find(|known| known.eq_ignore_ascii_case(op));
    match hint {
        Some(known) => read::error(
            p,
            Msg::new("unknown operator ")
                .quoted(op)
                .text(" (did you mean ")
                .quoted(known)
                .text("?)")
                .finish(),
        ),
        None => read::error(p, Msg::new("unknown operator ").quoted(op).finish()),
    }
}

fn value_set(values: &[Value], vp: &Path<'_>) -> Result<ValueSet, Error> {
    let mut strings = Vec::new();
    let mut numbers = Vec::new();
    let (mut has_true, mut has_false) = (false, false);
    for (i, v) in values.iter().enumerate() {
        match v {
            Value::String(s) => strings.push(s.clone()),
            Value::Number(n) => numbers.push(n.as_f64()),
            Value::Bool(true) => has_true = true,
            Value::Bool(false) => has_false = true,
            other => {
                return Err(read::wrong(
                    &vp.index(i),
                    "a string, a number or a boolean",
                    other,
                ))
            }
        }
    }
    Ok(ValueSet {
        strings: StrSet::set(strings),
        numbers: numbers.into_boxed_slice(),
        has_true,
        has_false,
    })
}

// The operand readers below are plain loops: a fallible `collect` costs the size-first wasm
// build several functions per call site.
fn strings(values: &[Value], vp: &Path<'_>) -> Result<Box<[Box<str>]>, Error> {
    strings_as(values, vp, |s| s.into())
}

fn needles(values: &[Value], vp: &Path<'_>) -> Result<Box<[Needle]>, Error> {
    strings_as(values, vp, |s| Needle::new(s.into()))
}

/// String operands, each made into a `T`.
fn strings_as<T>(values: &[Value], vp: &Path<'_>, make: fn(&str) -> T) -> Result<Box<[T]>, Error> {
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        out.push(make(read::string(v, &vp.index(i))?));
    }
    Ok(out.into_boxed_slice())
}

fn numbers(values: &[Value], vp: &Path<'_>) -> Result<Vec<f64>, Error> {
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        out.push(
            v.as_f64()
                .ok_or_else(|| read::wrong(&vp.index(i), "a number", v))?,
        );
    }
    Ok(out)
}

fn extreme(values: Vec<f64>, pick: fn(f64, f64) -> f64) -> f64 {
    values.into_iter().reduce(pick).unwrap_or(f64::NAN)
}

/// Operands of `before`/`after`: RFC 3339 instants or integer epoch milliseconds.
fn instants(values: &[Value], vp: &Path<'_>) -> Result<Vec<i64>, Error> {
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let p = vp.index(i);
        let ms = match v {
            Value::Number(n) => n
                .as_i64()
                .ok_or_else(|| read::error(&p, "epoch milliseconds must be an integer"))?,
            Value::String(_) => read::instant(v, &p)?,
            other => {
                return Err(read::wrong(
                    &p,
                    "an RFC 3339 instant or epoch milliseconds",
                    other,
                ))
            }
        };
        out.push(ms);
    }
    Ok(out)
}

fn versions(values: &[Value], vp: &Path<'_>) -> Result<Vec<Version>, Error> {
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let p = vp.index(i);
        let s = read::string(v, &p)?;
        let version = Version::parse(s).ok_or_else(|| {
            read::error(
                &p,
                Msg::new("")
                    .escaped(s)
                    .text(" is not a semantic version")
                    .finish(),
            )
        })?;
        out.push(version);
    }
    Ok(out)
}

fn largest(versions: Vec<Version>, vp: &Path<'_>) -> Result<Version, Error> {
    versions
        .into_iter()
        .max()
        .ok_or_else(|| read::error(vp, "must not be empty"))
}

fn smallest(versions: Vec<Version>, vp: &Path<'_>) -> Result<Version, Error> {
    versions
        .into_iter()
        .min()
        .ok_or_else(|| read::error(vp, "must not be empty"))
}

fn segments(c: &Compiler<'_>, values: &[Value], vp: &Path<'_>) -> Result<Box<[u32]>, Error> {
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let p = vp.index(i);
        let key = read::string(v, &p)?;
        let idx = c
            .segment_index
            .position(key)
            .ok_or_else(|| read::error(&p, Msg::new("unknown segment ").quoted(key).finish()))?;
        out.push(idx as u32);
    }
    Ok(out.into_boxed_slice())
}

fn cidrs(values: &[Value], vp: &Path<'_>) -> Result<Box<[Cidr]>, Error> {
    let mut out = Vec::with_capacity(values.len());
    for (i, v) in values.iter().enumerate() {
        let p = vp.index(i);
        let s = read::string(v, &p)?;
        let cidr = Cidr::parse(s).ok_or_else(|| {
            read::error(
                &p,
                Msg::new("")
                    .escaped(s)
                    .text(" is not a CIDR range")
                    .finish(),
            )
        })?;
        out.push(cidr);
    }
    Ok(out.into_boxed_slice())
}
