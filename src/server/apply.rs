//! Applying a checked PATCH body ([`Patch`]) to one flag of the flags document: the kill
//! switch, and what the flag (or one of its rules) serves. A new rollout or schedule without
//! `by`/`salt` inherits them from the rollout or schedule it replaces, so every unit keeps
//! its bucket: raising a percentage moves nobody out of the variant they had.

use super::patch::{bad, BadRequest, Patch, RuleRef};
use edgeflag::Value;

/// Applies `patch` to `flag` (the flag's object in the document).
pub(crate) fn apply(flag: &mut Value, patch: &Patch) -> Result<(), BadRequest> {
    if let Some(enabled) = patch.enabled {
        set(flag, "enabled", Value::Bool(enabled));
    }
    let Some((kind, body)) = &patch.serve else {
        return Ok(());
    };
    let target: &mut Value = match &patch.rule {
        None => flag,
        Some(rule) => find_rule(flag, rule)?,
    };
    let field = if patch.rule.is_some() {
        "serve"
    } else {
        "defaultServe"
    };
    let mut body = body.clone();
    // Inherit the unit of bucketing from what is replaced, so buckets stay where they were.
    if let (Value::Object(new), Some(old)) = (&mut body, target.get(field)) {
        let old = old.get("rollout").or_else(|| old.get("schedule"));
        for key in ["salt", "by"] {
            let inherited = old.and_then(|o| o.get(key));
            if let (Some(value), false) = (inherited, new.iter().any(|(k, _)| &**k == key)) {
                new.insert(0, (key.into(), value.clone()));
            }
        }
    }
    set(target, field, Value::Object(vec![((*kind).into(), body)]));
    Ok(())
}

/// The rule `rule` of `flag`.
fn find_rule<'a>(flag: &'a mut Value, rule: &RuleRef) -> Result<&'a mut Value, BadRequest> {
    let rules = match member_mut(flag, "rules") {
        Some(Value::Array(rules)) => rules,
        _ => return Err(bad("rule", "the flag has no rules")),
    };
    let count = rules.len();
    let found = match rule {
        RuleRef::Index(i) => rules.get_mut(*i),
        RuleRef::Id(id) => rules
            .iter_mut()
            .find(|r| r.get("id").and_then(Value::as_str) == Some(id.as_str())),
    };
    found.ok_or_else(|| match rule {
        RuleRef::Index(i) => bad("rule", format!("no rule {i}: the flag has {count}")),
        RuleRef::Id(id) => bad("rule", format!("the flag has no rule with id \"{id}\"")),
    })
}

/// The member `key` of an object, mutably.
pub(crate) fn member_mut<'a>(value: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    match value {
        Value::Object(members) => members
            .iter_mut()
            .find(|(k, _)| &**k == key)
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Replaces member `key` where it is, or appends it.
fn set(value: &mut Value, key: &str, new: Value) {
    if let Value::Object(members) = value {
        match members.iter_mut().find(|(k, _)| &**k == key) {
            Some(member) => member.1 = new,
            None => members.push((key.into(), new)),
        }
    }
}
