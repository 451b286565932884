//! One GrowthBook feature as one edgeflag flag, and the prerequisite cycles GrowthBook
//! answers `null` for (`cyclicPrerequisite`), which edgeflag would refuse.

use super::condition::Fail;
use super::rules::{self, Flag, Outcome};
use super::variants::{kind_of, Variants};
use super::{read, Ctx};
use crate::path;
use crate::{ImportError, Note};
use serde_json::{json, Map, Value};

/// The variants of feature `def` (at `p`); `None` (with a lossy note) when its values cannot
/// be an edgeflag flag.
pub(crate) fn variants(
    def: &Value,
    p: &str,
    notes: &mut Vec<Note>,
) -> Result<Option<Variants>, ImportError> {
    let m = read::object(def, p, "a feature definition object (defaultValue, rules)")?;
    let default = m.get("defaultValue").unwrap_or(&Value::Null);
    let rules: &[Value] = m
        .get("rules")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut values = vec![default];
    let mut gated = false;
    for r in rules {
        if let Some(f) = r.get("force") {
            values.push(f);
        }
        if let Some(vs) = r.get("variations").and_then(Value::as_array) {
            values.extend(vs.iter());
        }
        gated |= r.get("parentConditions").is_some();
    }
    let kind = match default {
        Value::Null => values.iter().find_map(|v| kind_of(v)).unwrap_or("boolean"),
        v => match kind_of(v) {
            Some(k) => k,
            None => {
                notes.push(Note {
                    path: path::key(p, "defaultValue"),
                    message: "an array value: edgeflag flags are booleans, strings, numbers or objects; feature not imported".into(),
                    lossy: true,
                });
                return Ok(None);
            }
        },
    };
    let mut t = Variants::new(kind, gated);
    for v in values {
        t.add(v);
    }
    Ok(Some(t))
}

/// The edgeflag flag for feature `key`; `None` when it was not importable.
pub(crate) fn flag(
    ctx: &mut Ctx<'_>,
    key: &str,
    def: &Value,
    p: &str,
) -> Result<Option<Value>, ImportError> {
    let m = read::object(def, p, "a feature definition object (defaultValue, rules)")?;
    for k in m
        .keys()
        .filter(|k| !matches!(k.as_str(), "defaultValue" | "rules"))
    {
        ctx.notes.push(Note {
            path: path::key(p, k),
            message: "unknown feature member".into(),
            lossy: false,
        });
    }
    let Some(table) = ctx.tables.get(key) else {
        return Ok(None);
    };
    let rp = path::key(p, "rules");
    let list = match m.get("rules") {
        None | Some(Value::Null) => &[][..],
        Some(r) => read::array(r, &rp, "rules")?,
    };
    let mut out_rules = Vec::new();
    let mut prerequisites = Vec::new();
    let mut metadata = Map::new();
    let mut blocked = false;
    for (i, r) in list.iter().enumerate() {
        let ip = path::index(&rp, i);
        let f = Flag {
            key,
            variants: table,
            served: !out_rules.is_empty(),
        };
        ctx.pending_gates.clear();
        match rules::rule(ctx, &f, i, r, &ip) {
            Ok(Outcome::Rules(rs, meta)) => {
                prerequisites.append(&mut ctx.pending_gates);
                out_rules.extend(rs);
                metadata.extend(meta);
            }
            Ok(Outcome::Skip) => prerequisites.append(&mut ctx.pending_gates),
            Ok(Outcome::Gate(g)) => prerequisites.extend(g),
            Ok(Outcome::Blocked) => {
                blocked = true;
                break;
            }
            Err(Fail::Malformed(e)) => return Err(e),
            Err(Fail::Unsupported { path, message }) => ctx.notes.push(Note {
                path,
                message: format!("{message}; rule not imported"),
                lossy: true,
            }),
        }
    }
    let default = m.get("defaultValue").unwrap_or(&Value::Null);
    let default_name = table.name_of(default).unwrap_or_default();
    let off = table.null.as_deref().unwrap_or(default_name);
    let mut flag = Map::new();
    flag.insert("type".into(), json!(table.kind));
    flag.insert("variants".into(), table.to_json());
    flag.insert("offVariant".into(), json!(off));
    if blocked {
        flag.insert("enabled".into(), json!(false));
        metadata.insert("growthbook.disabledSource".into(), json!("prerequisite"));
    }
    if !prerequisites.is_empty() && !blocked {
        flag.insert("prerequisites".into(), Value::Array(prerequisites));
    }
    if !out_rules.is_empty() {
        flag.insert("rules".into(), Value::Array(out_rules));
    }
    flag.insert("defaultServe".into(), json!({ "variant": default_name }));
    if let Some(n) = &table.null {
        metadata.insert("growthbook.nullVariant".into(), json!(n));
    }
    if !metadata.is_empty() {
        flag.insert("metadata".into(), Value::Object(metadata));
    }
    Ok(Some(Value::Object(flag)))
}

/// Flags on a prerequisite cycle answer `null` with source `cyclicPrerequisite` in
/// GrowthBook; edgeflag refuses cycles, so they become disabled flags serving the null variant.
pub(crate) fn break_cycles(flags: &mut Map<String, Value>, notes: &mut Vec<Note>) {
    let parents = |flags: &Map<String, Value>, k: &str| -> Vec<String> {
        flags
            .get(k)
            .and_then(|f| f.get("prerequisites"))
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|p| p.get("flag")?.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let keys: Vec<String> = flags.keys().cloned().collect();
    let mut cyclic = Vec::new();
    for k in &keys {
        // Depth-first from k's parents: k is on a cycle when it reaches itself.
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = parents(flags, k);
        while let Some(n) = stack.pop() {
            if n == *k {
                cyclic.push(k.clone());
                break;
            }
            if seen.insert(n.clone()) {
                stack.extend(parents(flags, &n));
            }
        }
    }
    for k in cyclic {
        if let Some(Value::Object(f)) = flags.get_mut(&k) {
            f.remove("prerequisites");
            f.insert("enabled".into(), json!(false));
            if let Some(Value::Object(meta)) = f.get_mut("metadata") {
                meta.insert(
                    "growthbook.disabledSource".into(),
                    json!("cyclicPrerequisite"),
                );
            }
        }
        notes.push(Note {
            path: path::key("features", &k),
            message: "on a prerequisite cycle: GrowthBook answers null (cyclicPrerequisite); imported as a disabled flag".into(),
            lossy: false,
        });
    }
}
