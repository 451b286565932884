//! The document and each flag's own members: state, variants, default variant, metadata.

use super::logic::{self, Outcome};
use super::Cx;
use crate::path;
use crate::{ImportError, Note};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Members of a flag that are imported (anything else is noted and ignored).
const FLAG_MEMBERS: [&str; 5] = [
    "state",
    "variants",
    "defaultVariant",
    "targeting",
    "metadata",
];

/// The edgeflag flags of a flagd document.
pub(crate) fn flags(doc: &Value, notes: &mut Vec<Note>) -> Result<Map<String, Value>, ImportError> {
    let Some(root) = doc.as_object() else {
        return Err(ImportError::new(
            "",
            "expected a flagd flag configuration (a JSON object with \"flags\")",
        ));
    };
    let Some(flags) = root.get("flags") else {
        return Err(ImportError::new(
            "flags",
            "missing: a flagd configuration has a \"flags\" object",
        ));
    };
    let Some(flags) = flags.as_object() else {
        return Err(ImportError::new(
            "flags",
            "expected an object of flag key -> flag",
        ));
    };
    let evaluators = match root.get("$evaluators") {
        None => None,
        Some(Value::Object(m)) => Some(m),
        Some(_) => {
            return Err(ImportError::new(
                "$evaluators",
                "expected an object of name -> JsonLogic",
            ))
        }
    };
    for k in root.keys() {
        match k.as_str() {
            "flags" | "$evaluators" | "$schema" => {}
            "metadata" => notes.push(ignored(
                "metadata",
                "flag-set metadata is not part of an edgeflag payload (flag metadata is kept)",
            )),
            other => notes.push(ignored(&path::key("", other), "unknown member")),
        }
    }
    let mut out = Map::new();
    let mut steps = 0;
    for (key, flag) in flags {
        let p = path::key("flags", key);
        let converted = one(key, flag, evaluators, notes, &mut steps, &p)?;
        out.insert(key.clone(), converted);
    }
    Ok(out)
}

fn ignored(path: &str, message: &str) -> Note {
    Note {
        path: path.to_owned(),
        message: message.to_owned(),
        lossy: false,
    }
}

/// One flag.
fn one(
    key: &str,
    flag: &Value,
    evaluators: Option<&Map<String, Value>>,
    notes: &mut Vec<Note>,
    steps: &mut usize,
    p: &str,
) -> Result<Value, ImportError> {
    let Some(m) = flag.as_object() else {
        return Err(ImportError::new(
            p,
            "expected a flag object (state, variants, defaultVariant, targeting)",
        ));
    };
    for k in m.keys().filter(|k| !FLAG_MEMBERS.contains(&k.as_str())) {
        notes.push(ignored(&path::key(p, k), "unknown member"));
    }
    let enabled = match m.get("state").and_then(Value::as_str) {
        Some("ENABLED") => true,
        Some("DISABLED") => false,
        _ => {
            return Err(ImportError::new(
                path::key(p, "state"),
                "expected \"ENABLED\" or \"DISABLED\"",
            ))
        }
    };
    let vp = path::key(p, "variants");
    let variants = match m.get("variants") {
        Some(Value::Object(v)) if !v.is_empty() => v,
        _ => {
            return Err(ImportError::new(
                vp,
                "expected an object of at least one variant name -> value",
            ))
        }
    };
    let kind = flag_type(variants, &vp)?;
    let dp = path::key(p, "defaultVariant");
    let default_variant = match m.get("defaultVariant") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if variants.contains_key(s) => Some(s.as_str()),
        Some(Value::String(s)) => {
            return Err(ImportError::new(
                dp,
                format!("\"{s}\" is not one of the flag's variants"),
            ))
        }
        Some(_) => return Err(ImportError::new(dp, "expected a variant name or null")),
    };
    let mut cx = Cx {
        flag: key,
        evaluators,
        variants,
        default_variant,
        notes,
        refs: Vec::new(),
        steps,
        conditions: HashMap::new(),
    };
    // flagd answers the caller's default where there is no default variant; edgeflag always
    // serves a variant, so the first one stands in.
    let fallback = match default_variant.or_else(|| variants.keys().next().map(String::as_str)) {
        Some(v) => v.to_owned(),
        None => return Err(ImportError::new(vp, "expected at least one variant")),
    };
    if default_variant.is_none() {
        cx.lossy(
            &dp,
            format!("no default variant: flagd answers the caller's default, edgeflag serves \"{fallback}\""),
        );
    }
    let mut out = Map::new();
    out.insert("type".into(), kind.into());
    if !enabled {
        cx.lossy(
            &path::key(p, "state"),
            format!("DISABLED: flagd answers the caller's default, edgeflag serves offVariant \"{fallback}\" (reason DISABLED)"),
        );
        out.insert("enabled".into(), false.into());
    }
    out.insert("variants".into(), Value::Object(variants.clone()));
    out.insert("offVariant".into(), fallback.as_str().into());
    let targeting = m.get("targeting").filter(|t| !is_empty_object(t));
    let entries = match targeting {
        Some(t) => logic::decisions(&mut cx, t, &path::key(p, "targeting"))?,
        None => vec![],
    };
    let (rules, default_serve) = rules(entries, &fallback);
    if !rules.is_empty() {
        out.insert("rules".into(), Value::Array(rules));
    }
    out.insert("defaultServe".into(), default_serve);
    if let Some(meta) = m.get("metadata") {
        let Some(meta) = meta.as_object() else {
            return Err(ImportError::new(
                path::key(p, "metadata"),
                "expected an object",
            ));
        };
        let mut kept = Map::new();
        for (k, v) in meta {
            if matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)) {
                kept.insert(k.clone(), v.clone());
            } else {
                let mp = path::key(&path::key(p, "metadata"), k);
                cx.ignored(
                    &mp,
                    "flag metadata holds strings, numbers and booleans only",
                );
            }
        }
        if !kept.is_empty() {
            out.insert("metadata".into(), Value::Object(kept));
        }
    }
    Ok(Value::Object(out))
}

/// `{}` is flagd's "no targeting".
fn is_empty_object(v: &Value) -> bool {
    v.as_object().is_some_and(Map::is_empty)
}

/// The flag type all variant values share.
fn flag_type(variants: &Map<String, Value>, vp: &str) -> Result<&'static str, ImportError> {
    let mut kind = None;
    for (name, v) in variants {
        let this = match v {
            Value::Bool(_) => "boolean",
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Object(_) => "object",
            _ => {
                return Err(ImportError::new(
                    path::key(vp, name),
                    "expected a boolean, string, number or object variant value",
                ))
            }
        };
        match kind {
            None => kind = Some(this),
            Some(k) if k == this => {}
            Some(k) => {
                return Err(ImportError::new(
                    path::key(vp, name),
                    format!("expected a {k} like the flag's other variants (one type per flag)"),
                ))
            }
        }
    }
    kind.ok_or_else(|| ImportError::new(vp, "expected at least one variant"))
}

/// The decision list as edgeflag rules and a default serve: the first unconditional entry
/// becomes `defaultServe` (anything after it can never be reached).
fn rules(entries: Vec<logic::Entry>, fallback: &str) -> (Vec<Value>, Value) {
    let mut rules = Vec::new();
    for e in entries {
        let serve = match e.outcome {
            Outcome::Variant(v) => serde_json::json!({ "variant": v }),
            Outcome::Default => serde_json::json!({ "variant": fallback }),
            Outcome::Serve(s) => s,
        };
        if e.guard.is_empty() {
            return (rules, serve);
        }
        rules.push(serde_json::json!({ "conditions": e.guard, "serve": serve }));
    }
    (rules, serde_json::json!({ "variant": fallback }))
}
