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

/// The members a definition object may have, and those of them holding objects that are
/// checked in turn: `(name, array levels, shape)`, walked in this order (so the error names the
/// first unknown member a depth-first reading meets). A table rather than a function per
/// object and a closure per list: one small walker (0.4 KB less gzipped wasm, measured).
struct Shape {
    names: &'static [&'static str],
    children: &'static [(&'static str, u8, &'static Shape)],
}

static FLAG: Shape = Shape {
    names: &[
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
    ],
    children: &[
        ("prerequisites", 1, &PREREQUISITE),
        ("targets", 1, &TARGET),
        ("rules", 1, &RULE),
        ("defaultServe", 0, &SERVE),
    ],
};
static PREREQUISITE: Shape = leaf(&["flag", "variants"]);
static TARGET: Shape = leaf(&["variant", "values"]);
static RULE: Shape = Shape {
    names: &["id", "conditions", "serve"],
    children: &[("conditions", 1, &CONDITION), ("serve", 0, &SERVE)],
};
/// `by`, `salt` and `bucketing` are those of `inBucket` (v1.1).
static CONDITION: Shape = Shape {
    names: &[
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
    ],
    children: &[("bucketing", 0, &BUCKETING)],
};
static SERVE: Shape = Shape {
    names: &["variant", "rollout", "schedule"],
    children: &[("rollout", 0, &ROLLOUT), ("schedule", 0, &SCHEDULE)],
};
static ROLLOUT: Shape = Shape {
    names: &["by", "salt", "weights", "bucketing", "fallThrough"],
    children: &[("weights", 1, &WEIGHT), ("bucketing", 0, &BUCKETING)],
};
static WEIGHT: Shape = leaf(&["variant", "weight"]);
static BUCKETING: Shape = leaf(&["hash", "seed", "buckets"]);
static SCHEDULE: Shape = leaf(&[
    "by",
    "salt",
    "variant",
    "otherwise",
    "start",
    "end",
    "from",
    "to",
    "curve",
]);
/// A segment's `rules` is a list of AND-lists of conditions.
static SEGMENT: Shape = Shape {
    names: &["included", "excluded", "rules"],
    children: &[("rules", 2, &CONDITION)],
};

/// A shape without nested objects to check.
const fn leaf(names: &'static [&'static str]) -> Shape {
    Shape {
        names,
        children: &[],
    }
}

/// The first unknown member of the flag definition `v` (at `p`), as an error.
pub(crate) fn flag(v: &Value, p: &Path<'_>, schema: &str) -> Result<(), Error> {
    walk(v, p, &FLAG, schema)
}

/// The first unknown member of the segment definition `v` (at `p`), as an error.
pub(crate) fn segment(v: &Value, p: &Path<'_>, schema: &str) -> Result<(), Error> {
    walk(v, p, &SEGMENT, schema)
}

/// Checks the object `v` against `shape`, then its nested objects. Values of the wrong type
/// (not an object, not an array) are skipped.
fn walk(v: &Value, p: &Path<'_>, shape: &Shape, schema: &str) -> Result<(), Error> {
    known(v, p, shape.names, schema)?;
    for &(name, levels, child) in shape.children {
        if let Some(c) = v.get(name) {
            nested(c, &p.key(name), levels, child, schema)?;
        }
    }
    Ok(())
}

/// [`walk`] on `v`, or, `levels` deep, on each element of the arrays `v` holds.
fn nested(v: &Value, p: &Path<'_>, levels: u8, shape: &Shape, schema: &str) -> Result<(), Error> {
    if levels == 0 {
        return walk(v, p, shape, schema);
    }
    let items = v.as_array().unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        nested(item, &p.index(i), levels - 1, shape, schema)?;
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
