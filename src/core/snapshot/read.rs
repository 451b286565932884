//! Reading the payload's JSON with the path of every value at hand, so each load error names
//! exactly where it is: `flags.new-checkout.rules[2].conditions[0].op: ...`.

use crate::json::path::Path;
use crate::json::Value;
use crate::text::Msg;
use crate::Error;
use alloc::boxed::Box;

/// The members of a JSON object.
pub(crate) type Members = [(Box<str>, Value)];

/// The error for `p`.
pub(crate) fn error(p: &Path<'_>, message: impl Into<alloc::string::String>) -> Error {
    Error::invalid(p.render(), message)
}

/// "expected X, found Y".
pub(crate) fn wrong(p: &Path<'_>, expected: &str, found: &Value) -> Error {
    error(
        p,
        Msg::new("expected ")
            .text(expected)
            .text(", found ")
            .text(found.kind())
            .finish(),
    )
}

/// The value as an object.
pub(crate) fn object<'v>(v: &'v Value, p: &Path<'_>) -> Result<&'v Members, Error> {
    v.as_object().ok_or_else(|| wrong(p, "an object", v))
}

/// An optional member; `null` counts as absent.
pub(crate) fn optional<'v>(m: &'v Members, key: &str) -> Option<&'v Value> {
    m.iter()
        .find(|(k, _)| k.as_ref() == key)
        .map(|(_, v)| v)
        .filter(|v| !matches!(v, Value::Null))
}

/// A required member (`p` is the object's path).
pub(crate) fn required<'v>(m: &'v Members, key: &str, p: &Path<'_>) -> Result<&'v Value, Error> {
    optional(m, key).ok_or_else(|| error(p, Msg::new("missing field ").quoted(key).finish()))
}

/// The value as a string.
pub(crate) fn string<'v>(v: &'v Value, p: &Path<'_>) -> Result<&'v str, Error> {
    v.as_str().ok_or_else(|| wrong(p, "a string", v))
}

/// The value as a non-empty string.
pub(crate) fn name<'v>(v: &'v Value, p: &Path<'_>) -> Result<&'v str, Error> {
    let s = string(v, p)?;
    if s.is_empty() {
        return Err(error(p, "must not be empty"));
    }
    Ok(s)
}

/// The value as a boolean.
pub(crate) fn boolean(v: &Value, p: &Path<'_>) -> Result<bool, Error> {
    v.as_bool().ok_or_else(|| wrong(p, "a boolean", v))
}

/// An optional boolean member with a default.
pub(crate) fn flag_or(m: &Members, key: &str, default: bool, p: &Path<'_>) -> Result<bool, Error> {
    match optional(m, key) {
        Some(v) => boolean(v, &p.key(key)),
        None => Ok(default),
    }
}

/// The value as an array of at most `max` elements.
pub(crate) fn array<'v>(v: &'v Value, p: &Path<'_>, max: usize) -> Result<&'v [Value], Error> {
    let items = v.as_array().ok_or_else(|| wrong(p, "an array", v))?;
    if items.len() > max {
        return Err(too_many(p, items.len(), max));
    }
    Ok(items)
}

/// An integer in `0..=max`.
pub(crate) fn integer(v: &Value, p: &Path<'_>, max: u64) -> Result<u64, Error> {
    let n = match v {
        Value::Number(n) => n.as_u64(),
        _ => return Err(wrong(p, "an integer", v)),
    };
    match n {
        Some(n) if n <= max => Ok(n),
        _ => Err(error(
            p,
            Msg::new("expected an integer from 0 to ").num(max).finish(),
        )),
    }
}

/// An RFC 3339 instant, in ms since the Unix epoch.
pub(crate) fn instant(v: &Value, p: &Path<'_>) -> Result<i64, Error> {
    let s = string(v, p)?;
    crate::time::parse_rfc3339(s).ok_or_else(|| {
        error(
            p,
            Msg::new("")
                .escaped(s)
                .text(" is not an RFC 3339 instant")
                .finish(),
        )
    })
}

/// Checks the member count of an object against a limit.
pub(crate) fn at_most(m: &Members, max: usize, p: &Path<'_>) -> Result<(), Error> {
    if m.len() > max {
        return Err(too_many(p, m.len(), max));
    }
    Ok(())
}

/// "N entries, more than the limit of MAX".
fn too_many(p: &Path<'_>, len: usize, max: usize) -> Error {
    error(p, Msg::new("").num(len).text(OVER_LIMIT).num(max).finish())
}

const OVER_LIMIT: &str = " entries, more than the limit of ";

/// The message of a target list over its limit.
pub(crate) const TOO_MANY_TARGETS: &str = "too many target values";

/// The message of `matches` in a build without the `regex` feature.
pub(crate) const NEEDS_REGEX: &str =
    "operator \"matches\" needs edgeflag built with the \"regex\" feature";

/// Whether `e` is a limit error of this module (or the target list's): such messages are all
/// core text (a number first), so no payload string can make one look like another.
pub(crate) fn is_limit(e: &Error) -> bool {
    let Error::Invalid { message, .. } = e else {
        return false;
    };
    if message == TOO_MANY_TARGETS {
        return true;
    }
    let rest = message.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.len() < message.len() && rest.starts_with(OVER_LIMIT)
}
