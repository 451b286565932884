//! Compiles one flag: type, variants, kill switch, prerequisites, targets, rules, default.

use super::compile_condition::condition;
use super::compile_serve::{default_serve, serve, variant, FlagScope};
use super::compiler::Compiler;
use super::model::{Flag, Prerequisite, Rule, Serve, Variant, VariantIdx};
use super::read;
use super::sets::StrMap;
use super::FlagType;
use crate::json::path::Path;
use crate::json::Value;
use crate::text::Msg;
use crate::Error;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Compiles flag `key` (its JSON at `p`); `index` is its position in the snapshot.
pub(crate) fn flag(
    c: &mut Compiler<'_>,
    index: usize,
    key: &str,
    v: &Value,
    p: &Path<'_>,
) -> Result<Flag, Error> {
    let m = read::object(v, p)?;
    let tp = p.key("type");
    let kind = match read::string(read::required(m, "type", p)?, &tp)? {
        "boolean" => FlagType::Boolean,
        "string" => FlagType::String,
        "number" => FlagType::Number,
        "object" => FlagType::Object,
        other => {
            return Err(read::error(
                &tp,
                Msg::new("unknown flag type ")
                    .quoted(other)
                    .text(" (expected boolean, string, number or object)")
                    .finish(),
            ))
        }
    };
    let enabled = read::flag_or(m, "enabled", true, p)?;
    let variants = variants(c, kind, m, p)?;
    let names: Vec<&str> = c.variant_names.get(index).cloned().unwrap_or_default();
    let scope = FlagScope {
        key,
        variants: &names,
    };
    let off = variant(
        &scope,
        read::required(m, "offVariant", p)?,
        &p.key("offVariant"),
    )?;
    let prerequisites = prerequisites(c, m, p)?;
    let targets = targets(c, &scope, m, p)?;
    let rules = rules(c, &scope, m, p)?;
    let default_serve = match read::optional(m, "defaultServe") {
        Some(d) => default_serve(c, &scope, d, &p.key("defaultServe"))?,
        None => Serve::Variant(off),
    };
    let track_events = read::flag_or(m, "trackEvents", false, p)?;
    let (metadata, expires_at) = metadata(m, p)?;
    // Prerequisites that read the clock are added once every flag has compiled.
    let reads_clock = rules
        .iter()
        .map(|r| &r.serve)
        .chain(core::iter::once(&default_serve))
        .any(|s| matches!(s, Serve::Schedule(_)));
    Ok(Flag {
        key: key.into(),
        kind,
        enabled,
        variants,
        off,
        prerequisites,
        targets,
        rules,
        default_serve,
        track_events,
        metadata,
        expires_at,
        reads_clock,
        degraded: None,
    })
}

/// The variant names of the flag at `v`, in order (read before any flag compiles, so that
/// prerequisites can name variants of flags declared later).
pub(crate) fn variant_names(v: &Value) -> Vec<&str> {
    let members = v
        .get("variants")
        .and_then(Value::as_object)
        .unwrap_or_default();
    let mut names = Vec::with_capacity(members.len());
    for (k, _) in members {
        names.push(&**k);
    }
    names
}

fn variants(
    c: &Compiler<'_>,
    kind: FlagType,
    m: &read::Members,
    p: &Path<'_>,
) -> Result<Box<[Variant]>, Error> {
    let vp = p.key("variants");
    let vm = read::object(read::required(m, "variants", p)?, &vp)?;
    read::at_most(vm, c.limits.max_variants_per_flag, &vp)?;
    if vm.is_empty() {
        return Err(read::error(&vp, "a flag needs at least one variant"));
    }
    let mut out = Vec::with_capacity(vm.len());
    for (name, value) in vm {
        let ok = matches!(
            (kind, value),
            (FlagType::Boolean, Value::Bool(_))
                | (FlagType::String, Value::String(_))
                | (FlagType::Number, Value::Number(_))
                | (FlagType::Object, Value::Object(_))
        );
        if !ok {
            return Err(read::wrong(&vp.key(name), kind.expected(), value));
        }
        if name.is_empty() {
            return Err(read::error(&vp, "a variant name must not be empty"));
        }
        out.push(Variant {
            name: name.clone(),
            value: value.clone(),
        });
    }
    Ok(out.into_boxed_slice())
}

fn prerequisites(
    c: &Compiler<'_>,
    m: &read::Members,
    p: &Path<'_>,
) -> Result<Box<[Prerequisite]>, Error> {
    let Some(list) = read::optional(m, "prerequisites") else {
        return Ok(Box::new([]));
    };
    let lp = p.key("prerequisites");
    let list = read::array(list, &lp, c.limits.max_values_per_condition)?;
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let ip = lp.index(i);
        let im = read::object(item, &ip)?;
        let fp = ip.key("flag");
        let key = read::string(read::required(im, "flag", &ip)?, &fp)?;
        let flag = c
            .flag_index
            .position(key)
            .ok_or_else(|| read::error(&fp, Msg::new("unknown flag ").quoted(key).finish()))?;
        let names = c
            .variant_names
            .get(flag)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let scope = FlagScope {
            key,
            variants: names,
        };
        let vp = ip.key("variants");
        let wanted = read::array(
            read::required(im, "variants", &ip)?,
            &vp,
            c.limits.max_variants_per_flag,
        )?;
        if wanted.is_empty() {
            return Err(read::error(&vp, "must not be empty"));
        }
        let mut variants = Vec::with_capacity(wanted.len());
        for (j, w) in wanted.iter().enumerate() {
            variants.push(variant(&scope, w, &vp.index(j))?);
        }
        out.push(Prerequisite {
            flag: flag as u32,
            variants: variants.into_boxed_slice(),
        });
    }
    Ok(out.into_boxed_slice())
}

fn targets(
    c: &Compiler<'_>,
    scope: &FlagScope<'_>,
    m: &read::Members,
    p: &Path<'_>,
) -> Result<Option<Box<StrMap<VariantIdx>>>, Error> {
    let mut map = StrMap::default();
    let mut count = 0usize;
    if let Some(list) = read::optional(m, "targets") {
        let lp = p.key("targets");
        let list = read::array(list, &lp, c.limits.max_variants_per_flag)?;
        for (i, item) in list.iter().enumerate() {
            let ip = lp.index(i);
            let im = read::object(item, &ip)?;
            let idx = variant(
                scope,
                read::required(im, "variant", &ip)?,
                &ip.key("variant"),
            )?;
            let vp = ip.key("values");
            let units =
                super::compile_segment::units(read::required(im, "values", &ip)?, &vp, c.limits)?;
            count += units.len();
            if count > c.limits.max_values_per_condition.saturating_mul(4) {
                return Err(read::error(&lp, read::TOO_MANY_TARGETS));
            }
            for unit in units {
                // A unit two targets claim: serving it would depend on their order.
                map.insert(unit, idx).map_err(|dup| {
                    read::error(
                        &lp,
                        Msg::new("")
                            .quoted(&dup)
                            .text(" is targeted more than once")
                            .finish(),
                    )
                })?;
            }
        }
    }
    if map.is_empty() {
        return Ok(None);
    }
    map.shrink();
    Ok(Some(Box::new(map)))
}

fn rules(
    c: &mut Compiler<'_>,
    scope: &FlagScope<'_>,
    m: &read::Members,
    p: &Path<'_>,
) -> Result<Box<[Rule]>, Error> {
    let Some(list) = read::optional(m, "rules") else {
        return Ok(Box::new([]));
    };
    let lp = p.key("rules");
    let list = read::array(list, &lp, c.limits.max_rules_per_flag)?;
    let mut out: Vec<Rule> = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let rp = lp.index(i);
        let rm = read::object(item, &rp)?;
        let id = match read::optional(rm, "id") {
            Some(v) => {
                let idp = rp.key("id");
                let id = read::name(v, &idp)?;
                if out.iter().any(|r| r.id.as_deref() == Some(id)) {
                    return Err(read::error(
                        &idp,
                        Msg::new("duplicate rule id ").quoted(id).finish(),
                    ));
                }
                Some(Box::from(id))
            }
            None => None,
        };
        let conditions = match read::optional(rm, "conditions") {
            Some(v) => {
                let cp = rp.key("conditions");
                let list = read::array(v, &cp, c.limits.max_conditions_per_rule)?;
                let mut conds = Vec::with_capacity(list.len());
                for (j, cv) in list.iter().enumerate() {
                    conds.push(condition(c, cv, &cp.index(j))?);
                }
                conds.into_boxed_slice()
            }
            None => Box::new([]),
        };
        let serve = serve(
            c,
            scope,
            read::required(rm, "serve", &rp)?,
            &rp.key("serve"),
        )?;
        out.push(Rule {
            id,
            conditions,
            serve,
        });
    }
    Ok(out.into_boxed_slice())
}

/// A flag's primitive metadata members.
type Metadata = Box<[(Box<str>, Value)]>;

/// OpenFeature flag metadata is a flat map of primitives: keep those members, and parse
/// `expiresAt` (a date or an instant) for the linter.
pub(crate) fn metadata(m: &read::Members, p: &Path<'_>) -> Result<(Metadata, Option<i64>), Error> {
    let Some(v) = read::optional(m, "metadata") else {
        return Ok((Box::new([]), None));
    };
    let mm = read::object(v, &p.key("metadata"))?;
    let mut kept = Vec::new();
    for (k, v) in mm.iter() {
        if matches!(v, Value::Bool(_) | Value::Number(_) | Value::String(_)) {
            kept.push((k.clone(), v.clone()));
        }
    }
    let expires_at = read::optional(mm, "expiresAt")
        .and_then(Value::as_str)
        .and_then(crate::time::parse_date_or_instant);
    Ok((kept.into_boxed_slice(), expires_at))
}
