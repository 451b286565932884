//! Typed reads of the vendor file with the JSON path and the expectation on failure.

use crate::ImportError;
use serde_json::{Map, Value};

/// A number at `p`.
pub(crate) fn number(v: &Value, p: &str) -> Result<f64, ImportError> {
    v.as_f64()
        .ok_or_else(|| ImportError::new(p, "expected a number"))
}

/// Member `key` of `m` as a number, if present (`null` counts as absent).
pub(crate) fn opt_number(
    m: &Map<String, Value>,
    key: &str,
    p: &str,
) -> Result<Option<f64>, ImportError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => number(v, &crate::path::key(p, key)).map(Some),
    }
}

/// Member `key` of `m` as a string, if present and not empty (GrowthBook's `rule.x || default`).
pub(crate) fn opt_text<'v>(
    m: &'v Map<String, Value>,
    key: &str,
    p: &str,
) -> Result<Option<&'v str>, ImportError> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok((!s.is_empty()).then_some(s.as_str())),
        Some(_) => Err(ImportError::new(
            crate::path::key(p, key),
            "expected a string",
        )),
    }
}

/// A hash version (`hashVersion || default`): 1 or 2, or 0 for one GrowthBook does not know.
pub(crate) fn hash_version(
    m: &Map<String, Value>,
    key: &str,
    default: u32,
    p: &str,
) -> Result<u32, ImportError> {
    // GrowthBook's `hashVersion || default`: 0 (falsy) means the default.
    let x = opt_number(m, key, p)?.unwrap_or(0.0);
    Ok(if x == 0.0 {
        default
    } else if x == 1.0 || x == 2.0 {
        x as u32
    } else {
        0
    })
}

/// A `[start, end]` pair of numbers.
pub(crate) fn pair(v: &Value, p: &str) -> Result<(f64, f64), ImportError> {
    match v.as_array().map(Vec::as_slice) {
        Some([s, e]) => Ok((
            number(s, &crate::path::index(p, 0))?,
            number(e, &crate::path::index(p, 1))?,
        )),
        _ => Err(ImportError::new(
            p,
            "expected a [start, end] pair of numbers",
        )),
    }
}

/// An array at `p`.
pub(crate) fn array<'v>(v: &'v Value, p: &str, what: &str) -> Result<&'v [Value], ImportError> {
    v.as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| ImportError::new(p, format!("expected an array of {what}")))
}

/// An object at `p`.
pub(crate) fn object<'v>(
    v: &'v Value,
    p: &str,
    what: &str,
) -> Result<&'v Map<String, Value>, ImportError> {
    v.as_object()
        .ok_or_else(|| ImportError::new(p, format!("expected {what}")))
}
