//! Unknown members inside flag and segment definitions of a payload whose schema minor is newer
//! than this build's ([`crate::SCHEMA_MINOR`]). Elsewhere, and in payloads of this build's
//! minor or older, unknown members are ignored (forward compatibility); inside a definition of
//! a newer revision one may change what the flag means (`fallThrough`, `caseInsensitive` to a
//! v1.0 client), so it is an error of that flag (FORMAT.md §6).
//!
//! A separate walk over the JSON, before the flag compiles, so that the compilers stay as they
//! are; values of the wrong type are skipped here (the compiler names them).

use crate::json::path::Path;
use crate::json::Value;
use crate::text::Msg;
use crate::Error;

const FLAG: &[&str] = &[
    "type",
    "enabled",
    "variants",
    "offVariant",
    "prerequisites",
    "targets",
    "rules",
    "defaultServe",
    "trackEvents",
    "metadata",
];
const PREREQUISITE: &[&str] = &["flag", "variants"];
const TARGET: &[&str] = &["variant", "values"];
const RULE: &[&str] = &["id", "conditions", "serve"];
/// `by`, `salt` and `bucketing` are those of `inBucket` (v1.1).
const CONDITION: &[&str] = &[
    "attribute",
    "op",
    "values",
    "negate",
    "caseInsensitive",
    "numericStrings",
    "whenMissing",
    "by",
    "salt",
    "bucketing",
];
const SERVE: &[&str] = &["variant", "rollout", "schedule"];
const ROLLOUT: &[&str] = &["by", "salt", "weights", "bucketing", "fallThrough"];
const WEIGHT: &[&str] = &["variant", "weight"];
const BUCKETING: &[&str] = &["hash", "seed", "buckets"];
const SCHEDULE: &[&str] = &[
    "by",
    "salt",
    "variant",
    "otherwise",
    "start",
    "end",
    "from",
    "to",
    "curve",
];
const SEGMENT: &[&str] = &["included", "excluded", "rules"];

/// The first unknown member of the flag definition `v` (at `p`), as an error.
pub(crate) fn flag(v: &Value, p: &Path<'_>, schema: &str) -> Result<(), Error> {
    known(v, p, FLAG, schema)?;
    each(
        v.get("prerequisites"),
        &p.key("prerequisites"),
        |item, ip| known(item, ip, PREREQUISITE, schema),
    )?;
    each(v.get("targets"), &p.key("targets"), |item, ip| {
        known(item, ip, TARGET, schema)
    })?;
    each(v.get("rules"), &p.key("rules"), |rule, rp| {
        known(rule, rp, RULE, schema)?;
        each(rule.get("conditions"), &rp.key("conditions"), |c, cp| {
            condition(c, cp, schema)
        })?;
        serve(rule.get("serve"), &rp.key("serve"), schema)
    })?;
    serve(v.get("defaultServe"), &p.key("defaultServe"), schema)
}

/// The first unknown member of the segment definition `v` (at `p`), as an error.
pub(crate) fn segment(v: &Value, p: &Path<'_>, schema: &str) -> Result<(), Error> {
    known(v, p, SEGMENT, schema)?;
    each(v.get("rules"), &p.key("rules"), |and_list, ap| {
        each(Some(and_list), ap, |c, cp| condition(c, cp, schema))
    })
}

fn condition(c: &Value, p: &Path<'_>, schema: &str) -> Result<(), Error> {
    known(c, p, CONDITION, schema)?;
    bucketing(c.get("bucketing"), &p.key("bucketing"), schema)
}

fn serve(v: Option<&Value>, p: &Path<'_>, schema: &str) -> Result<(), Error> {
    let Some(v) = v else { return Ok(()) };
    known(v, p, SERVE, schema)?;
    if let Some(r) = v.get("rollout") {
        let rp = p.key("rollout");
        known(r, &rp, ROLLOUT, schema)?;
        each(r.get("weights"), &rp.key("weights"), |w, wp| {
            known(w, wp, WEIGHT, schema)
        })?;
        bucketing(r.get("bucketing"), &rp.key("bucketing"), schema)?;
    }
    if let Some(s) = v.get("schedule") {
        known(s, &p.key("schedule"), SCHEDULE, schema)?;
    }
    Ok(())
}

fn bucketing(v: Option<&Value>, p: &Path<'_>, schema: &str) -> Result<(), Error> {
    match v {
        Some(b) => known(b, p, BUCKETING, schema),
        None => Ok(()),
    }
}

/// Runs `f` on each element of `list`, when it is an array.
fn each(
    list: Option<&Value>,
    p: &Path<'_>,
    mut f: impl FnMut(&Value, &Path<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let items = list.and_then(Value::as_array).unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        f(item, &p.index(i))?;
    }
    Ok(())
}

/// An error for the first member of the object `v` not in `names`.
fn known(v: &Value, p: &Path<'_>, names: &[&str], schema: &str) -> Result<(), Error> {
    let members = v.as_object().unwrap_or_default();
    match members.iter().find(|(k, _)| !names.contains(&&**k)) {
        Some((k, _)) => Err(Error::invalid(
            p.key(k).render(),
            Msg::new("unknown member of schema ")
                .escaped(schema)
                .text(", newer than this build's \"edgeflag/v1.")
                .num(crate::SCHEMA_MINOR)
                .text("\"")
                .finish(),
        )),
        None => Ok(()),
    }
}
