//! Unleash constraints -> edgeflag conditions.
//!
//! Unleash evaluates an operator, then flips it when `inverted` (a plain boolean NOT). A
//! missing context field makes every operator false except `NOT_IN`, which is true; so the
//! final answer for a missing field is `negate` itself, and every condition carries
//! `whenMissing` equal to its `negate`. Operands that Unleash cannot use are handled here,
//! statically, as Unleash's engine (Yggdrasil) does at evaluation: an invalid number, date,
//! version or regular expression, or an unknown operator, makes the constraint false whatever
//! `inverted` says ([`Term::Never`]); invalid `IN_CIDR` entries are dropped and the rest kept.

use super::read::{self, Obj};
use crate::{ImportError, Note};
use edgeflag::unstable::operand::{Cidr, Version};
use serde_json::{json, Map, Value};

/// One constraint, translated.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Term {
    /// Holds for every context (e.g. `NOT_IN []`): contributes no condition.
    Always,
    /// Holds for no context: the strategy (or segment) holding it never matches.
    Never,
    /// An edgeflag condition.
    Cond(Value),
}

const KNOWN: &[&str] = &[
    "contextName",
    "operator",
    "values",
    "value",
    "inverted",
    "caseInsensitive",
];

/// Translates the constraint at `path`.
pub(super) fn constraint(
    v: &Value,
    path: &str,
    notes: &mut Vec<Note>,
) -> Result<Term, ImportError> {
    let m = read::object(v, path)?;
    read::note_unknown(m, KNOWN, path, notes);
    let attr = read::req_str(m, "contextName", path)?;
    let op = read::req_str(m, "operator", path)?;
    let inverted = read::opt_bool(m, "inverted", path)?.unwrap_or(false);
    let ci = read::opt_bool(m, "caseInsensitive", path)?.unwrap_or(false);
    let values = read::opt_strings(m, "values", path)?;
    let cond = |op: &str, values: Value, negate: bool| {
        let mut c = Map::new();
        c.insert("attribute".into(), json!(attr));
        c.insert("op".into(), json!(op));
        c.insert("values".into(), values);
        if negate {
            c.insert("negate".into(), Value::Bool(true));
            c.insert("whenMissing".into(), Value::Bool(true));
        }
        c
    };
    // An operator over an empty list matches nothing; negated, everything (even a context
    // without the field).
    let empty = |negate: bool| if negate { Term::Always } else { Term::Never };
    let term = match op {
        "IN" | "NOT_IN" => {
            let negate = (op == "NOT_IN") != inverted;
            if values.is_empty() {
                empty(negate)
            } else {
                Term::Cond(Value::Object(cond("in", json!(values), negate)))
            }
        }
        "STR_STARTS_WITH" | "STR_ENDS_WITH" | "STR_CONTAINS" => {
            let name = match op {
                "STR_STARTS_WITH" => "startsWith",
                "STR_ENDS_WITH" => "endsWith",
                _ => "contains",
            };
            if values.is_empty() {
                empty(inverted)
            } else {
                let mut c = cond(name, json!(values), inverted);
                if ci {
                    c.insert("caseInsensitive".into(), Value::Bool(true));
                }
                Term::Cond(Value::Object(c))
            }
        }
        "NUM_EQ" | "NUM_GT" | "NUM_GTE" | "NUM_LT" | "NUM_LTE" => {
            let name = match op {
                "NUM_EQ" => "in",
                "NUM_GT" => "gt",
                "NUM_GTE" => "gte",
                "NUM_LT" => "lt",
                _ => "lte",
            };
            match single(m, &values, path)?.as_deref().and_then(number) {
                Some(n) => {
                    let mut c = cond(name, json!([n]), inverted);
                    c.insert("numericStrings".into(), Value::Bool(true));
                    Term::Cond(Value::Object(c))
                }
                None => invalid(notes, path, "not a number"),
            }
        }
        "DATE_AFTER" | "DATE_BEFORE" => {
            let name = if op == "DATE_AFTER" {
                "after"
            } else {
                "before"
            };
            match single(m, &values, path)? {
                Some(t) if edgeflag::unstable::time::parse_rfc3339(&t).is_some() => {
                    Term::Cond(Value::Object(cond(name, json!([t]), inverted)))
                }
                _ => invalid(notes, path, "not an RFC 3339 date-time"),
            }
        }
        "SEMVER_EQ" | "SEMVER_GT" | "SEMVER_GTE" | "SEMVER_LT" | "SEMVER_LTE" => {
            let name = match op {
                "SEMVER_EQ" => "semverEq",
                "SEMVER_GT" => "semverGt",
                "SEMVER_GTE" => "semverGte",
                "SEMVER_LT" => "semverLt",
                _ => "semverLte",
            };
            match single(m, &values, path)? {
                Some(s) if Version::parse(&s).is_some() => {
                    Term::Cond(Value::Object(cond(name, json!([s]), inverted)))
                }
                _ => invalid(notes, path, "not a Semantic Versioning 2.0.0 version"),
            }
        }
        "REGEX" => match single(m, &values, path)? {
            Some(p) => {
                // Unleash's caseInsensitive on REGEX is the pattern's own `(?i)` flag.
                let p = if ci { format!("(?i){p}") } else { p };
                match crate::regex::check(&p) {
                    Ok(()) => Term::Cond(Value::Object(cond("matches", json!([p]), inverted))),
                    Err(e) => invalid(
                        notes,
                        path,
                        &format!("a regular expression edgeflag refuses ({e})"),
                    ),
                }
            }
            None => invalid(notes, path, "missing"),
        },
        "IN_CIDR" => {
            let vp = read::key(path, "values");
            let mut ranges = Vec::with_capacity(values.len());
            for (i, s) in values.iter().enumerate() {
                if Cidr::parse(s).is_some() {
                    ranges.push(*s);
                } else {
                    read::note(
                        notes,
                        &read::index(&vp, i),
                        false,
                        format!("{s:?} is not an IP address or CIDR range: dropped, as Unleash ignores it"),
                    );
                }
            }
            if ranges.is_empty() {
                empty(inverted)
            } else {
                Term::Cond(Value::Object(cond("inCidr", json!(ranges), inverted)))
            }
        }
        other => {
            read::note(
                notes,
                &read::key(path, "operator"),
                true,
                format!("unknown operator {other:?}: Unleash evaluates it as false, and so does the import"),
            );
            Term::Never
        }
    };
    Ok(term)
}

/// The single operand of a scalar operator: `value`, or a one-element `values`.
fn single(m: &Obj, values: &[&str], path: &str) -> Result<Option<String>, ImportError> {
    match read::opt_text(m, "value", path)? {
        Some(v) => Ok(Some(v)),
        None => Ok(match values {
            [one] => Some((*one).to_string()),
            _ => None,
        }),
    }
}

/// The constraint's operand is unusable: Unleash's engine evaluates such a constraint as false
/// (whatever `inverted` says), which the import reproduces exactly.
fn invalid(notes: &mut Vec<Note>, path: &str, why: &str) -> Term {
    read::note(
        notes,
        &read::key(path, "value"),
        false,
        format!("operand is {why}: the constraint never holds, as in Unleash"),
    );
    Term::Never
}

/// An Unleash numeric operand (parsed as Rust's f64 parser does, like Unleash's engine) as a
/// JSON number: integral values are written as integers.
fn number(s: &str) -> Option<Value> {
    let f: f64 = s.parse().ok()?;
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        #[allow(clippy::cast_possible_truncation)]
        return Some(json!(f as i64));
    }
    serde_json::Number::from_f64(f).map(Value::Number)
}
