//! Unleash variants (a feature's, or a strategy's) -> the rules that choose among them.
//!
//! Unleash picks a variant with `murmur3_x86_32("{groupId}:{seed}", 86028157) % total + 1`
//! against the cumulative weights, after checking each variant's `overrides` in order. The
//! seed is the stickiness field (`default`: userId, then sessionId, then remoteAddress, then a
//! random number). Here: override rules first, then a rollout with the same hash over the
//! variants with a positive weight (which Unleash skips).

use super::read::{self, Obj};
use crate::{ImportError, Note};
use serde_json::{json, Map, Value};

/// The hash seed Unleash uses for variants.
pub(super) const VARIANT_SEED: u32 = 86_028_157;

/// Unleash's `default` stickiness for variants.
const DEFAULT_VARIANT_BY: &[&str] = &["userId", "sessionId", "remoteAddress"];

/// One variant list, parsed.
#[derive(Clone, Debug, Default)]
pub(super) struct Variants {
    /// `(name, weight)` of each variant with a positive weight, in order.
    pub weighted: Vec<(String, u64)>,
    /// `(variant, contextName, values)` of each override, in order.
    pub overrides: Vec<(String, String, Vec<String>)>,
    /// Every variant name, in order (weight 0 included: overrides can still pick them).
    pub names: Vec<String>,
    /// `(name, type, value)` of each variant payload.
    pub payloads: Vec<(String, String, String)>,
    /// The `stickiness` of the first variant (feature variants use it).
    pub first_stickiness: Option<String>,
}

impl Variants {
    /// Sum of the weights.
    pub(super) fn total(&self) -> u64 {
        self.weighted.iter().map(|(_, w)| w).sum()
    }
}

const KNOWN: &[&str] = &[
    "name",
    "weight",
    "weightType",
    "stickiness",
    "payload",
    "overrides",
];

/// Parses the variant array at `path`.
pub(super) fn parse(
    list: &[Value],
    path: &str,
    notes: &mut Vec<Note>,
) -> Result<Variants, ImportError> {
    let mut out = Variants::default();
    for (i, v) in list.iter().enumerate() {
        let vp = read::index(path, i);
        let m = read::object(v, &vp)?;
        read::note_unknown(m, KNOWN, &vp, notes);
        let name = read::req_str(m, "name", &vp)?;
        if name.is_empty() {
            return Err(ImportError::new(
                read::key(&vp, "name"),
                "expected a non-empty variant name",
            ));
        }
        let weight = match read::opt(m, "weight") {
            None => 0,
            Some(w) => w.as_u64().ok_or_else(|| {
                ImportError::new(
                    read::key(&vp, "weight"),
                    "expected a non-negative integer weight",
                )
            })?,
        };
        if i == 0 {
            out.first_stickiness = read::opt_str(m, "stickiness", &vp)?.map(str::to_string);
        }
        if let Some(p) = read::opt(m, "payload") {
            out.payloads
                .push(payload(name, p, &read::key(&vp, "payload"), notes)?);
        }
        let op = read::key(&vp, "overrides");
        for (j, o) in read::opt_array(m, "overrides", &vp)?.iter().enumerate() {
            let opath = read::index(&op, j);
            let om = read::object(o, &opath)?;
            read::note_unknown(om, &["contextName", "values"], &opath, notes);
            let attr = read::req_str(om, "contextName", &opath)?;
            let values = read::opt_strings(om, "values", &opath)?;
            if !values.is_empty() {
                let values = values.into_iter().map(str::to_string).collect();
                out.overrides
                    .push((name.to_string(), attr.to_string(), values));
            }
        }
        if weight > 0 {
            out.weighted.push((name.to_string(), weight));
        }
        out.names.push(name.to_string());
    }
    Ok(out)
}

fn payload(
    name: &str,
    p: &Value,
    path: &str,
    notes: &mut Vec<Note>,
) -> Result<(String, String, String), ImportError> {
    let m: &Obj = read::object(p, path)?;
    read::note_unknown(m, &["type", "value"], path, notes);
    let ty = read::req_str(m, "type", path)?;
    let value = match read::opt(m, "value") {
        Some(Value::String(s)) => s.clone(),
        // Unleash sends payload values as strings; keep anything else as its JSON text.
        Some(other) => other.to_string(),
        None => String::new(),
    };
    Ok((name.to_string(), ty.to_string(), value))
}

/// What a variant rollout reads as its unit: `(by, whether Unleash falls back to a random
/// number when none is present)`.
pub(super) fn stickiness(s: Option<&str>) -> (Vec<String>, bool) {
    match s {
        None | Some("default") | Some("random") => (
            DEFAULT_VARIANT_BY.iter().map(|s| s.to_string()).collect(),
            true,
        ),
        Some(field) => (vec![field.to_string()], true),
    }
}

/// `by` as the format writes it: a string for one attribute, an array for several.
pub(super) fn by_value(by: &[String]) -> Value {
    match by {
        [one] => json!(one),
        _ => json!(by),
    }
}

/// The rules that serve one of `vs` to a context that reached them with `conds` holding:
/// override rules, the rollout, and (when Unleash would draw at random for a context with no
/// stickiness field) a last rule serving the first variant, noted as lossy.
#[allow(clippy::too_many_arguments)]
pub(super) fn rules(
    vs: &Variants,
    stickiness_of: Option<&str>,
    salt: &str,
    conds: &[Value],
    id: &str,
    path: &str,
    notes: &mut Vec<Note>,
) -> Vec<Value> {
    let mut out = Vec::new();
    for (j, (variant, attr, values)) in vs.overrides.iter().enumerate() {
        let mut c = conds.to_vec();
        c.push(json!({ "attribute": attr, "op": "in", "values": values }));
        out.push(rule(
            &format!("{id}.overrides[{j}]"),
            c,
            json!({ "variant": variant }),
        ));
    }
    let Some((first, _)) = vs.weighted.first() else {
        return out;
    };
    if vs.weighted.iter().all(|(n, _)| n == first) {
        // One variant (possibly listed twice): every unit gets it, random or not.
        out.push(rule(id, conds.to_vec(), json!({ "variant": first })));
        return out;
    }
    let (by, random_fallback) = stickiness(stickiness_of);
    let weights: Vec<Value> = vs
        .weighted
        .iter()
        .map(|(n, w)| json!({ "variant": n, "weight": w }))
        .collect();
    let mut rollout = Map::new();
    rollout.insert("by".into(), by_value(&by));
    rollout.insert("salt".into(), json!(salt));
    rollout.insert(
        "bucketing".into(),
        json!({ "hash": "murmur3", "seed": VARIANT_SEED, "buckets": vs.total() }),
    );
    if random_fallback {
        rollout.insert("fallThrough".into(), Value::Bool(true));
    }
    rollout.insert("weights".into(), Value::Array(weights));
    out.push(rule(id, conds.to_vec(), json!({ "rollout": rollout })));
    if random_fallback {
        read::note(
            notes,
            path,
            true,
            format!(
                "a context without {} gets variant {first:?} (Unleash picks one at random)",
                by.join(", ")
            ),
        );
        out.push(rule(
            &format!("{id}.noUnit"),
            conds.to_vec(),
            json!({ "variant": first }),
        ));
    }
    out
}

/// One edgeflag rule.
pub(super) fn rule(id: &str, conditions: Vec<Value>, serve: Value) -> Value {
    json!({ "id": id, "conditions": conditions, "serve": serve })
}
