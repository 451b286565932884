//! The body of `PATCH /admin/flags/{key}`, checked field by field (an error names the field,
//! as `rollout.weights[1].weight`), and applied to a flag of the document.
//!
//! ```json
//! {"enabled": false}
//! {"rollout": {"weights": [{"variant": "on", "weight": 50000}, {"variant": "off", "weight": 50000}]}}
//! {"schedule": {"variant": "on", "otherwise": "off", "start": "...", "end": "...", "curve": "s-curve"}}
//! {"variant": "on", "rule": "beta"}
//! ```
//!
//! - `enabled`: the kill switch.
//! - `variant`, `rollout` or `schedule` (at most one) replaces what the flag serves by
//!   default (`defaultServe`) or, with `rule` (a rule's `id`, or its index), what that rule
//!   serves. A rollout or schedule without `by`/`salt` keeps those of the rollout or schedule
//!   it replaces, so units keep their buckets (raising a percentage moves nobody out).
//! - Unknown fields and wrong types are refused (400). Whether the result is a valid flag
//!   (variant names, weights summing to 100000) is the loader's call (422).

use edgeflag::unstable::json::parse as parse_json;
use edgeflag::unstable::json::Path;
use edgeflag::unstable::time::parse_rfc3339;
use edgeflag::Number;
use edgeflag::{Limits, Value, BUCKETS};

/// A malformed request: which field, and what is wrong with it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadRequest {
    /// The field (`enabled`, `rollout.weights[0].weight`; `body` for the body as a whole).
    pub(crate) field: String,
    /// What is wrong.
    pub(crate) message: String,
}

/// Shorthand for a [`BadRequest`].
pub(crate) fn bad(field: impl Into<String>, message: impl Into<String>) -> BadRequest {
    BadRequest {
        field: field.into(),
        message: message.into(),
    }
}

/// Which rule a serve change targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RuleRef {
    /// The rule with this `id`.
    Id(String),
    /// The rule at this index.
    Index(usize),
}

/// A checked PATCH body.
#[derive(Clone, Debug, Default)]
pub(crate) struct Patch {
    /// Made by `POST .../kill` (audited as `kill`, not `patch`).
    pub(crate) kill: bool,
    /// The body it was parsed from (what a scheduled patch stores).
    pub(crate) source: String,
    /// The new `enabled`.
    pub(crate) enabled: Option<bool>,
    /// The new serve, as `{"variant": ...}`, `{"rollout": {...}}` or `{"schedule": {...}}`
    /// (without inherited `by`/`salt`, which [`apply`](super::apply::apply) adds).
    pub(crate) serve: Option<(&'static str, Value)>,
    /// The rule whose serve changes (default: `defaultServe`).
    pub(crate) rule: Option<RuleRef>,
}

impl Patch {
    /// What `POST /admin/flags/{key}/kill` applies.
    pub(crate) fn kill() -> Patch {
        Patch {
            kill: true,
            enabled: Some(false),
            ..Patch::default()
        }
    }

    /// Whether this is the kill switch.
    pub(crate) fn is_kill(&self) -> bool {
        self.kill
    }
}

/// Checks a PATCH body.
pub(crate) fn parse(body: &[u8]) -> Result<Patch, BadRequest> {
    const EXAMPLE: &str = "expected a JSON object such as {\"enabled\": false}";
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad("body", format!("empty; {EXAMPLE}")));
    }
    let value =
        parse_json(body, &Limits::default().json()).map_err(|e| bad("body", e.to_string()))?;
    let Value::Object(members) = value else {
        return Err(bad("body", format!("{}; {EXAMPLE}", value.kind())));
    };
    let root = Path::ROOT;
    let mut patch = Patch {
        source: String::from_utf8_lossy(body).into_owned(),
        ..Patch::default()
    };
    for (key, v) in members {
        let p = root.key(&key);
        let serve = match &*key {
            "enabled" => {
                patch.enabled = Some(
                    v.as_bool()
                        .ok_or_else(|| expected(&p, "true or false", &v))?,
                );
                None
            }
            "rule" => {
                patch.rule = Some(match &v {
                    Value::String(id) => RuleRef::Id(id.to_string()),
                    Value::Number(n) => RuleRef::Index(
                        n.as_u64()
                            .and_then(|i| usize::try_from(i).ok())
                            .ok_or_else(|| expected(&p, "a rule id or index", &v))?,
                    ),
                    other => return Err(expected(&p, "a rule id or index", other)),
                });
                None
            }
            "variant" => Some(("variant", string(&v, &p)?)),
            "rollout" => Some(("rollout", rollout(&v, &p)?)),
            "schedule" => Some(("schedule", schedule(&v, &p)?)),
            _ => {
                return Err(bad(
                    p.render(),
                    "unknown field (expected enabled, variant, rollout, schedule or rule)",
                ))
            }
        };
        if let Some(serve) = serve {
            if patch.serve.is_some() {
                return Err(bad(
                    p.render(),
                    "only one of variant, rollout and schedule may be given",
                ));
            }
            patch.serve = Some(serve);
        }
    }
    if patch.enabled.is_none() && patch.serve.is_none() {
        return Err(bad(
            "body",
            "nothing to change: give enabled, variant, rollout or schedule",
        ));
    }
    if patch.rule.is_some() && patch.serve.is_none() {
        return Err(bad(
            "rule",
            "names a rule whose serve changes: give variant, rollout or schedule",
        ));
    }
    Ok(patch)
}

/// The refusal for a value of the wrong type.
fn expected(p: &Path<'_>, what: &str, found: &Value) -> BadRequest {
    bad(
        p.render(),
        format!("expected {what}, found {}", found.kind()),
    )
}

/// A string value.
fn string(v: &Value, p: &Path<'_>) -> Result<Value, BadRequest> {
    match v {
        Value::String(_) => Ok(v.clone()),
        other => Err(expected(p, "a string", other)),
    }
}

/// An integer from 0 to 100000 (a weight or a schedule percentage, in thousandths).
fn buckets(v: &Value, p: &Path<'_>) -> Result<Value, BadRequest> {
    match v {
        Value::Number(n) if n.as_u64().is_some_and(|w| w <= u64::from(BUCKETS)) => Ok(
            Value::Number(Number::from_u64(n.as_u64().unwrap_or_default())),
        ),
        other => Err(expected(p, "an integer from 0 to 100000", other)),
    }
}

/// The members of an object at `p`, each checked by `check` (which knows the field names),
/// the `required` ones present.
fn object(
    v: &Value,
    p: &Path<'_>,
    required: &[&str],
    check: impl Fn(&str, &Value, &Path<'_>) -> Option<Result<Value, BadRequest>>,
) -> Result<Vec<(Box<str>, Value)>, BadRequest> {
    let members = v.as_object().ok_or_else(|| expected(p, "an object", v))?;
    let mut out = Vec::with_capacity(members.len());
    for (key, value) in members {
        let kp = p.key(key);
        match check(key, value, &kp) {
            Some(checked) => out.push((key.clone(), checked?)),
            None => return Err(bad(kp.render(), "unknown field")),
        }
    }
    if let Some(missing) = required
        .iter()
        .find(|r| !members.iter().any(|(k, _)| &**k == **r))
    {
        return Err(bad(p.key(missing).render(), "missing"));
    }
    Ok(out)
}

/// `{"weights": [{"variant", "weight"}...], "by"?, "salt"?}`.
fn rollout(v: &Value, p: &Path<'_>) -> Result<Value, BadRequest> {
    let members = object(v, p, &["weights"], |key, value, kp| match key {
        "by" | "salt" => Some(string(value, kp)),
        "weights" => Some(weights(value, kp)),
        _ => None,
    })?;
    Ok(Value::Object(members))
}

/// A non-empty array of `{"variant": NAME, "weight": N}`.
fn weights(v: &Value, p: &Path<'_>) -> Result<Value, BadRequest> {
    let items = match v {
        Value::Array(items) if !items.is_empty() => items,
        other => return Err(expected(p, "a non-empty array of {variant, weight}", other)),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let ip = p.index(i);
        let members = object(
            item,
            &ip,
            &["variant", "weight"],
            |key, value, kp| match key {
                "variant" => Some(string(value, kp)),
                "weight" => Some(buckets(value, kp)),
                _ => None,
            },
        )?;
        out.push(Value::Object(members));
    }
    Ok(Value::Array(out))
}

/// A schedule as the snapshot format has it; instants must be RFC 3339.
fn schedule(v: &Value, p: &Path<'_>) -> Result<Value, BadRequest> {
    let members = object(
        v,
        p,
        &["variant", "otherwise", "start", "end"],
        |key, value, kp| match key {
            "by" | "salt" | "variant" | "otherwise" => Some(string(value, kp)),
            "from" | "to" => Some(buckets(value, kp)),
            "start" | "end" => Some(match value.as_str().map(parse_rfc3339) {
                Some(Some(_)) => Ok(value.clone()),
                _ => Err(expected(
                    kp,
                    "an RFC 3339 instant such as 2026-12-01T00:00:00Z",
                    value,
                )),
            }),
            "curve" => Some(match value.as_str() {
                Some("linear" | "s-curve") => Ok(value.clone()),
                _ => Err(bad(kp.render(), "expected \"linear\" or \"s-curve\"")),
            }),
            _ => None,
        },
    )?;
    Ok(Value::Object(members))
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
