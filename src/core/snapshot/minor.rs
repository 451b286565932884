//! The schema minor revision a payload's definitions need: the first v1.1 member found, so
//! that a signer declares (or refuses) what a reader of an older revision must not ignore
//! (FORMAT.md §6). Signers call it; clients never do (it is not part of a load, so the
//! browser build does not carry it).

use crate::json::path::Path;
use crate::json::Value;
use alloc::string::String;

/// Members of conditions that revision 1.1 added.
const CONDITION_V1_1: [&str; 3] = ["caseInsensitive", "numericStrings", "whenMissing"];
/// Members of rollouts that revision 1.1 added.
const ROLLOUT_V1_1: [&str; 2] = ["bucketing", "fallThrough"];

/// The lowest schema minor revision (`edgeflag/v1.N`) whose members `payload` uses, with the
/// path of the first member that needs it (`None` for 0: plain `edgeflag/v1`).
///
/// ```
/// let p = edgeflag::snapshot::parse_payload(br#"{"flags": {"f": {"rules": [
///   {"conditions": [{"attribute": "a", "op": "in", "values": ["x"], "caseInsensitive": true}]}]}}}"#,
///   &edgeflag::Limits::default()).unwrap();
/// let (minor, path) = edgeflag::snapshot::required_schema_minor(&p);
/// assert_eq!((minor, path.as_deref()), (1, Some("flags.f.rules[0].conditions[0].caseInsensitive")));
/// ```
pub fn required_schema_minor(payload: &Value) -> (u32, Option<String>) {
    let (sp, fp) = (Path::ROOT.key("segments"), Path::ROOT.key("flags"));
    let first = entries(payload, "segments")
        .find_map(|(k, v)| segment(v, &sp.key(k)))
        .or_else(|| entries(payload, "flags").find_map(|(k, v)| flag(v, &fp.key(k))));
    match first {
        Some(path) => (1, Some(path)),
        None => (0, None),
    }
}

/// The members of object `key` of `v` (none when it is missing or not an object).
fn entries<'v>(v: &'v Value, key: &str) -> impl Iterator<Item = (&'v str, &'v Value)> {
    v.get(key)
        .and_then(Value::as_object)
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| (&**k, v))
}

/// The elements of array `key` of `v`.
fn items<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key).and_then(Value::as_array).unwrap_or_default()
}

fn segment(v: &Value, p: &Path<'_>) -> Option<String> {
    let rp = p.key("rules");
    items(v, "rules").iter().enumerate().find_map(|(i, all)| {
        let ap = rp.index(i);
        all.as_array()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .find_map(|(j, c)| condition(c, &ap.index(j)))
    })
}

fn flag(v: &Value, p: &Path<'_>) -> Option<String> {
    let rp = p.key("rules");
    items(v, "rules")
        .iter()
        .enumerate()
        .find_map(|(i, rule)| {
            let p = rp.index(i);
            let cp = p.key("conditions");
            items(rule, "conditions")
                .iter()
                .enumerate()
                .find_map(|(j, c)| condition(c, &cp.index(j)))
                .or_else(|| serve(rule.get("serve")?, &p.key("serve")))
        })
        .or_else(|| serve(v.get("defaultServe")?, &p.key("defaultServe")))
}

fn condition(c: &Value, p: &Path<'_>) -> Option<String> {
    if c.get("op").and_then(Value::as_str) == Some("inBucket") {
        return Some(p.key("op").render());
    }
    CONDITION_V1_1
        .iter()
        .find(|k| c.get(k).is_some())
        .map(|k| p.key(k).render())
}

fn serve(s: &Value, p: &Path<'_>) -> Option<String> {
    let r = s.get("rollout")?;
    let p = p.key("rollout");
    if let Some(k) = ROLLOUT_V1_1.iter().find(|k| r.get(k).is_some()) {
        return Some(p.key(k).render());
    }
    if r.get("by").and_then(Value::as_array).is_some() {
        return Some(p.key("by").render());
    }
    // An entry without a variant is a gap (only with fallThrough, itself v1.1).
    let wp = p.key("weights");
    items(r, "weights")
        .iter()
        .position(|w| w.get("variant").is_none())
        .map(|i| wp.index(i).render())
}
