//! One Unleash feature -> one boolean edgeflag flag (without its prerequisites, which need
//! every feature: see `dependencies`).

use super::read;
use super::segments::Segments;
use super::strategy::{self, FeatureCtx};
use super::variants::{self, Variants};
use crate::{ImportError, Note};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// A feature, translated.
pub(super) struct Feature {
    /// The flag key (the feature name).
    pub name: String,
    /// The flag, without `prerequisites`.
    pub flag: Map<String, Value>,
    /// The edgeflag variant for "on, no variant" (Unleash reports it as `disabled`).
    pub enabled_variant: String,
    /// The edgeflag variant for "off".
    pub disabled_variant: String,
    /// Every Unleash variant name of the feature and its strategies.
    pub variant_names: BTreeSet<String>,
    /// The raw dependencies, with their path.
    pub dependencies: Vec<(String, Value)>,
}

const KNOWN: &[&str] = &[
    "name",
    "enabled",
    "strategies",
    "variants",
    "dependencies",
    "description",
    "type",
    "project",
    "stale",
    "impressionData",
    "createdAt",
    "lastSeenAt",
];

/// Translates the feature at `path`.
pub(super) fn feature(
    v: &Value,
    path: &str,
    segments: &Segments,
    notes: &mut Vec<Note>,
) -> Result<Feature, ImportError> {
    let m = read::object(v, path)?;
    read::note_unknown(m, KNOWN, path, notes);
    let name = read::req_str(m, "name", path)?;
    if name.is_empty() {
        return Err(ImportError::new(
            read::key(path, "name"),
            "expected a non-empty feature name",
        ));
    }
    let enabled = read::opt_bool(m, "enabled", path)?.ok_or_else(|| {
        ImportError::new(read::key(path, "enabled"), "expected a boolean (missing)")
    })?;
    let fvs = variants::parse(
        read::opt_array(m, "variants", path)?,
        &read::key(path, "variants"),
        notes,
    )?;

    // Every variant name (feature and strategies) before choosing the two reserved names.
    let sp = read::key(path, "strategies");
    let strategies = read::opt_array(m, "strategies", path)?;
    let mut names: BTreeSet<String> = fvs.names.iter().cloned().collect();
    for (i, s) in strategies.iter().enumerate() {
        if let Some(list) = s.get("variants").and_then(Value::as_array) {
            for v in list {
                if let Some(n) = v.get("name").and_then(Value::as_str) {
                    names.insert(n.to_string());
                }
            }
        } else if s.get("variants").is_some_and(|v| !v.is_null()) {
            return Err(ImportError::new(
                read::key(&read::index(&sp, i), "variants"),
                "expected an array",
            ));
        }
    }
    let enabled_variant = reserved("enabled", &names);
    let disabled_variant = reserved("disabled", &names);
    for (want, got) in [
        ("enabled", &enabled_variant),
        ("disabled", &disabled_variant),
    ] {
        if want != got {
            read::note(notes, &read::key(path, "variants"), false, format!(
                "a variant is named {want:?}: the edgeflag variant for {want} is {got:?} (metadata unleash.{want}Variant)"
            ));
        }
    }

    let ctx = FeatureCtx {
        name,
        variants: &fvs,
        enabled_variant: &enabled_variant,
        segments,
    };
    let mut rules = Vec::new();
    let mut all_variants = vec![fvs.clone()];
    if strategies.is_empty() {
        // Unleash enables a feature without strategies for everyone.
        let (r, _) = strategy::rules(&json!({ "name": "default" }), 0, path, &ctx, notes)?;
        rules.extend(r);
    }
    for (i, s) in strategies.iter().enumerate() {
        let (r, vs) = strategy::rules(s, i, &read::index(&sp, i), &ctx, notes)?;
        rules.extend(r);
        all_variants.push(vs);
    }

    let mut vmap = Map::new();
    vmap.insert(disabled_variant.clone(), Value::Bool(false));
    vmap.insert(enabled_variant.clone(), Value::Bool(true));
    for n in &names {
        vmap.insert(n.clone(), Value::Bool(true));
    }
    let mut meta = Map::new();
    if let Some(d) = read::opt_str(m, "description", path).ok().flatten() {
        meta.insert("description".into(), json!(d));
    }
    if enabled_variant != "enabled" {
        meta.insert("unleash.enabledVariant".into(), json!(enabled_variant));
    }
    if disabled_variant != "disabled" {
        meta.insert("unleash.disabledVariant".into(), json!(disabled_variant));
    }
    payload_metadata(&all_variants, &mut meta, path, notes);

    let mut flag = Map::new();
    flag.insert("type".into(), json!("boolean"));
    flag.insert("enabled".into(), Value::Bool(enabled));
    flag.insert("variants".into(), Value::Object(vmap));
    flag.insert("offVariant".into(), json!(disabled_variant));
    flag.insert("rules".into(), Value::Array(rules));
    flag.insert(
        "defaultServe".into(),
        json!({ "variant": disabled_variant }),
    );
    if !meta.is_empty() {
        flag.insert("metadata".into(), Value::Object(meta));
    }
    let dp = read::key(path, "dependencies");
    let dependencies = read::opt_array(m, "dependencies", path)?
        .iter()
        .enumerate()
        .map(|(i, d)| (read::index(&dp, i), d.clone()))
        .collect();
    Ok(Feature {
        name: name.to_string(),
        flag,
        enabled_variant,
        disabled_variant,
        variant_names: names,
        dependencies,
    })
}

/// `want`, or `want_1`, `want_2`, ... whichever no Unleash variant is named.
fn reserved(want: &str, names: &BTreeSet<String>) -> String {
    let mut n = 0u32;
    let mut candidate = want.to_string();
    while names.contains(&candidate) {
        n += 1;
        candidate = format!("{want}_{n}");
    }
    candidate
}

/// `payload.<variant>` and `payloadType.<variant>`; a variant name given two different payloads
/// (by the feature and a strategy) keeps the first, noted.
fn payload_metadata(
    all: &[Variants],
    meta: &mut Map<String, Value>,
    path: &str,
    notes: &mut Vec<Note>,
) {
    for vs in all {
        for (name, ty, value) in &vs.payloads {
            let (vk, tk) = (format!("payload.{name}"), format!("payloadType.{name}"));
            match (meta.get(&vk), meta.get(&tk)) {
                (None, _) => {
                    meta.insert(vk, json!(value));
                    meta.insert(tk, json!(ty));
                }
                (Some(v), Some(t)) if v == value && t == ty => {}
                _ => read::note(
                    notes,
                    path,
                    true,
                    format!(
                    "variant {name:?} has different payloads in different places: the first is kept"
                ),
                ),
            }
        }
    }
}
