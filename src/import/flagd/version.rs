//! flagd's `sem_ver` as edgeflag's `semver*` operators.
//!
//! flagd (flagd-core) reads a version leniently: a leading `v`/`V` is dropped and `1` or
//! `1.2` stand for `1.0.0` and `1.2.0`. The constant side is normalised that way here; the
//! context side is read by edgeflag as strict Semantic Versioning 2.0.0 (a context version
//! written `v1.2.3` or `1.2` does not compare in edgeflag, where flagd accepts it: see the
//! crate README). `^` and `~` (same major; same major and minor) become a range from the
//! lowest version of that major (minor) line, `M.0.0-0`, up to the next one.

use super::atom::{cond, flipped, Atomic};
use super::Cx;
use crate::ImportError;
use serde_json::Value;

/// `{"sem_ver": [a, op, b]}` where one side is an attribute (`attrs[i]` is its name).
pub(crate) fn sem_ver(
    cx: &mut Cx<'_>,
    list: &[Value],
    attrs: &[Option<String>],
    p: &str,
) -> Result<Option<Atomic>, ImportError> {
    let (Some(left), Some(op), Some(right)) = (list.first(), list.get(1), list.get(2)) else {
        return Err(ImportError::new(p, "expected [version, operator, version]"));
    };
    let Some(op) = op.as_str() else {
        // flagd answers null (falsy) for an operator that is not a string.
        return Ok(Some(Atomic::Const(false)));
    };
    let (attr, constant, op) = match (attrs.first(), attrs.get(2)) {
        (Some(Some(a)), Some(None)) => (a, right, op),
        (Some(None), Some(Some(a))) => (a, left, flipped(op)),
        _ => return Ok(None),
    };
    let raw = match constant {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Ok(Some(Atomic::Const(false))),
    };
    let Some(v) = normalise(&raw) else {
        cx.ignored(
            p,
            format!("\"{raw}\" is not a version: flagd never matches it"),
        );
        return Ok(Some(Atomic::Const(false)));
    };
    let one = |name: &str, version: String, negate: bool| {
        cond(attr, name, vec![version.into()], negate, false)
    };
    let conds = match op {
        "=" => vec![one("semverEq", v.text(), false)],
        "!=" => vec![one("semverEq", v.text(), true)],
        "<" => vec![one("semverLt", v.text(), false)],
        "<=" => vec![one("semverLte", v.text(), false)],
        ">" => vec![one("semverGt", v.text(), false)],
        ">=" => vec![one("semverGte", v.text(), false)],
        "^" => vec![
            one("semverGte", format!("{}.0.0-0", v.major), false),
            one(
                "semverLt",
                format!("{}.0.0-0", v.major.saturating_add(1)),
                false,
            ),
        ],
        "~" => vec![
            one("semverGte", format!("{}.{}.0-0", v.major, v.minor), false),
            one(
                "semverLt",
                format!("{}.{}.0-0", v.major, v.minor.saturating_add(1)),
                false,
            ),
        ],
        // flagd answers null (falsy) for an unknown operator.
        _ => return Ok(Some(Atomic::Const(false))),
    };
    Ok(Some(Atomic::Conds(conds)))
}

/// A version as flagd reads it.
#[derive(Debug, PartialEq, Eq)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Option<String>,
}

impl Version {
    /// The strict Semantic Versioning 2.0.0 text (build metadata dropped: it has no
    /// precedence).
    fn text(&self) -> String {
        match &self.pre {
            Some(pre) => format!("{}.{}.{}-{pre}", self.major, self.minor, self.patch),
            None => format!("{}.{}.{}", self.major, self.minor, self.patch),
        }
    }
}

/// `v1.2.3-rc.1+b`, `1.2.3`, `1.2`, `1` as flagd-core normalises them; `None` for anything
/// else.
fn normalise(raw: &str) -> Option<Version> {
    let s = raw.strip_prefix(['v', 'V']).unwrap_or(raw);
    let (s, build) = match s.split_once('+') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    if let Some(b) = build {
        if !identifiers(b, false) {
            return None;
        }
    }
    let (core, pre) = match s.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    if let Some(p) = pre {
        if !identifiers(p, true) {
            return None;
        }
    }
    let parts: Vec<&str> = core.split('.').collect();
    let nums: Option<Vec<u64>> = parts.iter().map(|p| number(p)).collect();
    let nums = nums?;
    match (nums.as_slice(), pre, build) {
        ([major, minor, patch], _, _) => Some(Version {
            major: *major,
            minor: *minor,
            patch: *patch,
            pre: pre.map(str::to_owned),
        }),
        // Partial versions are coerced only when they are bare numbers.
        ([major], None, None) => Some(Version {
            major: *major,
            minor: 0,
            patch: 0,
            pre: None,
        }),
        ([major, minor], None, None) => Some(Version {
            major: *major,
            minor: *minor,
            patch: 0,
            pre: None,
        }),
        _ => None,
    }
}

/// A numeric identifier: digits, no leading zero.
fn number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

/// Dot-separated identifiers of `[0-9A-Za-z-]`; in a pre-release, numeric ones have no
/// leading zero.
fn identifiers(s: &str, pre: bool) -> bool {
    s.split('.').all(|id| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !(pre
                && id.len() > 1
                && id.starts_with('0')
                && id.bytes().all(|b| b.is_ascii_digit()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_as_flagd_reads_them() {
        let text = |s: &str| normalise(s).map(|v| v.text());
        assert_eq!(text("1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(text("v1.2.3-rc.1+build.5").as_deref(), Some("1.2.3-rc.1"));
        assert_eq!(text("1.2").as_deref(), Some("1.2.0"));
        assert_eq!(text("V2").as_deref(), Some("2.0.0"));
        assert_eq!(text("1.2-rc"), None);
        assert_eq!(text("01.2.3"), None);
        assert_eq!(text("1.2.3.4"), None);
        assert_eq!(text("1.2.3-01"), None);
        assert_eq!(text("not-a-version"), None);
    }
}
