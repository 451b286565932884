//! Imports a GrowthBook SDK payload (`{"features": {...}, "savedGroups": {...}}`) as an
//! `edgeflag/v1.1` payload: one flag per feature, its type from `defaultValue`; force rules,
//! experiments, coverage, ranges, namespaces and filters hash with GrowthBook's own FNV-1a
//! (`fnv1a32-v1`/`fnv1a32-v2`) so every unit keeps its bucket. How a result reads as
//! GrowthBook's `evalFeature` (value, on, off, source) is in growthbook/README.md.

mod buckets;
mod condition;
mod dnf;
mod feature;
mod read;
mod rules;
mod static_eval;
mod variants;
mod version;

#[cfg(test)]
mod tests;

use crate::path;
use crate::{Import, ImportError, Note, Options};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use variants::Variants;

/// What translating every feature shares.
pub(crate) struct Ctx<'a> {
    /// `savedGroups`.
    pub(crate) groups: &'a Map<String, Value>,
    /// Every feature definition (prerequisites read them).
    pub(crate) features: &'a Map<String, Value>,
    /// The variants of every importable feature.
    pub(crate) tables: &'a BTreeMap<String, Variants>,
    /// What the import noticed.
    pub(crate) notes: Vec<Note>,
    /// Gates met in the rule being translated that also serves.
    pub(crate) pending_gates: Vec<Value>,
}

/// Imports a GrowthBook document.
pub(crate) fn import(doc: &Value, opts: &Options) -> Result<Import, ImportError> {
    let root = read::object(
        doc,
        "",
        "a GrowthBook SDK payload: an object with a \"features\" member",
    )?;
    let mut notes = Vec::new();
    for k in root
        .keys()
        .filter(|k| !matches!(k.as_str(), "features" | "savedGroups"))
    {
        notes.push(Note {
            path: path::key("", k),
            message: "not a feature definition (only features and savedGroups are imported)".into(),
            lossy: false,
        });
    }
    let empty = Map::new();
    let features = match root.get("features") {
        None => &empty,
        Some(v) => read::object(v, "features", "an object of features (key -> definition)")?,
    };
    let groups = match root.get("savedGroups") {
        None => &empty,
        Some(v) => {
            let m = read::object(
                v,
                "savedGroups",
                "an object of saved groups (id -> array of values)",
            )?;
            for (k, g) in m {
                read::array(g, &path::key("savedGroups", k), "values")?;
            }
            m
        }
    };
    let mut tables = BTreeMap::new();
    for (key, def) in features {
        let p = path::key("features", key);
        if let Some(t) = feature::variants(def, &p, &mut notes)? {
            tables.insert(key.clone(), t);
        }
    }
    let mut ctx = Ctx {
        groups,
        features,
        tables: &tables,
        notes,
        pending_gates: Vec::new(),
    };
    let mut flags = Map::new();
    for (key, def) in features {
        let p = path::key("features", key);
        if let Some(flag) = feature::flag(&mut ctx, key, def, &p)? {
            flags.insert(key.clone(), flag);
        }
    }
    feature::break_cycles(&mut flags, &mut ctx.notes);
    let notes = ctx.notes;
    if opts.strict {
        if let Some(n) = notes.iter().find(|n| n.lossy) {
            return Err(ImportError::new(
                n.path.clone(),
                format!("not expressible exactly (--strict): {}", n.message),
            ));
        }
    }
    let mut payload = Map::new();
    payload.insert("schema".into(), json!("edgeflag/v1.1"));
    payload.insert("owner".into(), json!(opts.owner));
    payload.insert("environment".into(), json!(opts.environment));
    payload.insert("flags".into(), Value::Object(flags));
    let payload = Value::Object(payload);
    Ok(Import { payload, notes })
}
