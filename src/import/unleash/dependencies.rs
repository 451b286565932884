//! Unleash feature dependencies -> edgeflag prerequisites.
//!
//! Unleash enables a child only when each parent is enabled (or, with `enabled: false`,
//! disabled) and, when `variants` are listed, the parent's variant is one of them. A parent
//! that is missing, or that has dependencies of its own (Unleash evaluates no transitive
//! dependencies, and cycles are a case of that), leaves the child always off.

use super::feature::Feature;
use super::read;
use crate::{ImportError, Note};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Adds `prerequisites` to every flag (or turns a flag off whose dependencies cannot hold).
pub(super) fn resolve(features: &mut [Feature], notes: &mut Vec<Note>) -> Result<(), ImportError> {
    let by_name: HashMap<&str, usize> = features
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.as_str(), i))
        .collect();
    let mut updates = Vec::new();
    for (fi, f) in features.iter().enumerate() {
        let mut prereqs = Vec::new();
        let mut satisfiable = true;
        for (path, d) in &f.dependencies {
            let m = read::object(d, path)?;
            read::note_unknown(m, &["feature", "enabled", "variants"], path, notes);
            let parent = read::req_str(m, "feature", path)?;
            let want_enabled = read::opt_bool(m, "enabled", path)?.unwrap_or(true);
            let wanted = read::opt_strings(m, "variants", path)?;
            let Some(&pi) = by_name.get(parent) else {
                read::note(notes, path, false, format!("feature {parent:?} does not exist: the feature is always off, as in Unleash"));
                satisfiable = false;
                continue;
            };
            let Some(p) = features.get(pi) else { continue };
            if !p.dependencies.is_empty() {
                read::note(notes, path, false, format!(
                    "feature {parent:?} has dependencies of its own, which Unleash does not evaluate: the feature is always off, as in Unleash"
                ));
                satisfiable = false;
                continue;
            }
            let variants: Vec<String> = if !want_enabled {
                vec![p.disabled_variant.clone()]
            } else if wanted.is_empty() {
                std::iter::once(p.enabled_variant.clone())
                    .chain(p.variant_names.iter().cloned())
                    .collect()
            } else {
                let mut v = Vec::new();
                for w in wanted {
                    // Unleash reports an enabled feature without a variant as `disabled`.
                    if w == "disabled" {
                        v.push(p.enabled_variant.clone());
                    }
                    if p.variant_names.contains(w) {
                        v.push(w.to_string());
                    }
                }
                v.dedup();
                v
            };
            if variants.is_empty() {
                read::note(
                    notes,
                    path,
                    false,
                    format!(
                        "feature {parent:?} has none of these variants: the feature is always off"
                    ),
                );
                satisfiable = false;
                continue;
            }
            prereqs.push(json!({ "flag": parent, "variants": variants }));
        }
        updates.push((fi, prereqs, satisfiable));
    }
    for (fi, prereqs, satisfiable) in updates {
        if let Some(f) = features.get_mut(fi) {
            if !satisfiable {
                f.flag.insert("enabled".into(), Value::Bool(false));
            } else if !prereqs.is_empty() {
                f.flag.insert("prerequisites".into(), Value::Array(prereqs));
            }
        }
    }
    Ok(())
}
