//! Compiles segments: included and excluded units as hash sets, then OR-ed AND-lists.

use super::compile_condition::condition;
use super::compiler::Compiler;
use super::model::Segment;
use super::read;
use super::sets::StrSet;
use crate::bucket::UnitText;
use crate::json::path::Path;
use crate::json::Value;
use crate::{Error, Limits};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Compiles segment `key` (its JSON at `p`).
pub(crate) fn segment(
    c: &mut Compiler<'_>,
    key: &str,
    v: &Value,
    p: &Path<'_>,
) -> Result<Segment, Error> {
    let m = read::object(v, p)?;
    let list = |name: &str| -> Result<StrSet, Error> {
        match read::optional(m, name) {
            Some(v) => Ok(StrSet::set(units(v, &p.key(name), c.limits)?)),
            None => Ok(StrSet::default()),
        }
    };
    let included = list("included")?;
    let excluded = list("excluded")?;
    let rules = match read::optional(m, "rules") {
        None => Box::new([]) as Box<[_]>,
        Some(v) => {
            let rp = p.key("rules");
            let lists = read::array(v, &rp, c.limits.max_rules_per_flag)?;
            let mut out = Vec::with_capacity(lists.len());
            for (i, and_list) in lists.iter().enumerate() {
                let ap = rp.index(i);
                let conds = read::array(and_list, &ap, c.limits.max_conditions_per_rule)?;
                let mut compiled = Vec::with_capacity(conds.len());
                for (j, cv) in conds.iter().enumerate() {
                    compiled.push(condition(c, cv, &ap.index(j))?);
                }
                out.push(compiled.into_boxed_slice());
            }
            out.into_boxed_slice()
        }
    };
    Ok(Segment {
        key: key.into(),
        included,
        excluded,
        rules,
        degraded: None,
    })
}

/// A list of units (targeting keys): strings, or safe integers written in decimal exactly as
/// bucketing writes them, so `42` and `"42"` name the same unit.
pub(crate) fn units(v: &Value, p: &Path<'_>, limits: &Limits) -> Result<Vec<Box<str>>, Error> {
    let items = read::array(v, p, limits.max_values_per_condition)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let mut text = UnitText::new();
        match text.of(item) {
            Some(unit) => out.push(Box::from(unit)),
            None => return Err(read::wrong(&p.index(i), "a string or an integer", item)),
        }
    }
    Ok(out)
}
