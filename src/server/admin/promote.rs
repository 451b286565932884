//! `POST /admin/promote`: `{"from": ENV, "to": ENV, "flags": [KEY, ...] (optional: every flag
//! of `from`), "apply": false, "base": {"from": VERSION, "to": VERSION} (optional)}`.
//!
//! Without `apply` (or with `false`) it answers the diff, flag by flag (`added`, `changed`,
//! `unchanged`, with the changes), the segments the promoted flags use that the target lacks
//! or has otherwise, and `base`: the versions the diff was made against. With `"apply": true`
//! the promoted flags (and those segments) replace the target's, as one new version of the
//! target, audited as `promote`; with `base` given, a store where either side has moved on
//! answers 409 and changes nothing. Flags only the target has are left alone (listed as
//! `onlyInTarget`).

use super::allow;
use super::reply::{bad_request, refused};
use crate::app::App;
use crate::change::{assemble, Actor, Base, ChangeError, Request};
use crate::edit::Edit;
use crate::now_ms;
use crate::patch::{bad, BadRequest};
use crate::respond::{error, json};
use crate::store::{self, Kind, Role};
use crate::template::diff;
use crate::token::Principal;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use edgeflag::unstable::json::parse as parse_json;
use edgeflag::{Limits, Number, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A checked promotion request.
#[derive(Debug)]
struct Promotion {
    /// The source environment.
    from: String,
    /// The target environment.
    to: String,
    /// The flags to promote (`None`: all of `from`'s).
    flags: Option<Vec<String>>,
    /// Apply, or only diff.
    apply: bool,
    /// The versions the diff was made against.
    base: Option<(u64, u64)>,
}

/// Checks the body.
fn parse(body: &[u8]) -> Result<Promotion, BadRequest> {
    let value =
        parse_json(body, &Limits::default().json()).map_err(|e| bad("body", e.to_string()))?;
    let Value::Object(members) = value else {
        return Err(bad(
            "body",
            "expected a JSON object such as {\"from\": \"staging\", \"to\": \"production\"}",
        ));
    };
    let mut promotion = Promotion {
        from: String::new(),
        to: String::new(),
        flags: None,
        apply: false,
        base: None,
    };
    for (name, value) in members {
        match (&*name, value) {
            ("from", Value::String(s)) => promotion.from = s.to_string(),
            ("to", Value::String(s)) => promotion.to = s.to_string(),
            ("apply", Value::Bool(b)) => promotion.apply = b,
            ("flags", Value::Array(keys)) => {
                let mut list = Vec::new();
                for (i, key) in keys.iter().enumerate() {
                    let key = key
                        .as_str()
                        .ok_or_else(|| bad(format!("flags[{i}]"), "expected a flag key"))?;
                    list.push(key.to_owned());
                }
                promotion.flags = Some(list);
            }
            ("base", Value::Object(sides)) => {
                let side = |key: &str| {
                    sides
                        .iter()
                        .find(|(k, _)| &**k == key)
                        .and_then(|(_, v)| match v {
                            Value::Number(n) => n.as_u64(),
                            _ => None,
                        })
                        .ok_or_else(|| bad(format!("base.{key}"), "expected a version number"))
                };
                promotion.base = Some((side("from")?, side("to")?));
            }
            (field @ ("from" | "to" | "apply" | "flags" | "base"), other) => {
                return Err(bad(field, format!("unexpected {}", other.kind())))
            }
            (other, _) => {
                return Err(bad(
                    other,
                    "unknown field (expected from, to, flags, apply, base)",
                ))
            }
        }
    }
    if promotion.from.is_empty() {
        return Err(bad("from", "missing"));
    }
    if promotion.to.is_empty() {
        return Err(bad("to", "missing"));
    }
    if promotion.from == promotion.to {
        return Err(bad("to", "must differ from from"));
    }
    Ok(promotion)
}

/// The segments a flag document names in `inSegment` conditions.
fn segments_used(flag: &Value, out: &mut BTreeSet<String>) {
    match flag {
        Value::Object(members) => {
            let in_segment = members
                .iter()
                .any(|(k, v)| &**k == "op" && v.as_str() == Some("inSegment"));
            for (key, value) in members {
                if in_segment && &**key == "values" {
                    if let Value::Array(names) = value {
                        out.extend(names.iter().filter_map(|n| n.as_str().map(str::to_owned)));
                    }
                }
                segments_used(value, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| segments_used(i, out)),
        _ => {}
    }
}

/// `POST /admin/promote`.
pub(crate) async fn promote(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    body: Bytes,
) -> Response {
    let promotion = match parse(&body) {
        Ok(p) => p,
        Err(b) => return bad_request(&b),
    };
    for (side, name) in [("from", &promotion.from), ("to", &promotion.to)] {
        if app.environment(name).is_none() {
            return error(
                StatusCode::NOT_FOUND,
                "not_found",
                &format!("{side}: no environment \"{name}\""),
                Some(side),
            );
        }
    }
    let role = if promotion.apply {
        Role::Editor
    } else {
        Role::Reader
    };
    if let Err(r) = allow(&who, Role::Reader, Some(&promotion.from))
        .and_then(|()| allow(&who, role, Some(&promotion.to)))
    {
        return r;
    }
    let pool = app.store.pool();
    let read = async {
        let mut documents = Vec::new();
        for name in [&promotion.from, &promotion.to] {
            documents.push(document_at_version(pool, name).await?);
        }
        Ok::<_, store::StoreError>(documents)
    };
    let mut documents = match read.await {
        Ok(d) => d,
        Err(e) => return refused(&ChangeError::Store(e)),
    };
    let (Some((target, to_version)), Some((source, from_version))) =
        (documents.pop(), documents.pop())
    else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "environments vanished",
            None,
        );
    };
    let keys: Vec<String> = match &promotion.flags {
        Some(keys) => keys.clone(),
        None => source.flags.iter().map(|(k, _)| k.clone()).collect(),
    };
    let mut promoted_flags = Vec::new();
    let mut promoted_segments = Vec::new();
    let mut flags = Vec::new();
    let mut used = BTreeSet::new();
    for (i, key) in keys.iter().enumerate() {
        let Some(flag) = source.get(Kind::Flag, key) else {
            return bad_request(&bad(
                format!("flags[{i}]"),
                format!("no flag \"{key}\" in {}", promotion.from),
            ));
        };
        segments_used(flag, &mut used);
        flags.push(entry(key, target.get(Kind::Flag, key), flag, "flags"));
        promoted_flags.push((key.clone(), flag.clone()));
    }
    let mut segments = Vec::new();
    for name in &used {
        if let Some(segment) = source.get(Kind::Segment, name) {
            segments.push(entry(
                name,
                target.get(Kind::Segment, name),
                segment,
                "segments",
            ));
            promoted_segments.push((name.clone(), segment.clone()));
        }
    }
    let only_in_target: Vec<Value> = target
        .flags
        .iter()
        .filter(|(k, _)| source.get(Kind::Flag, k).is_none())
        .map(|(k, _)| Value::from(k.as_str()))
        .collect();
    let number = |n: u64| Value::Number(Number::from_u64(n));
    let mut answer = vec![
        ("from".into(), Value::from(promotion.from.as_str())),
        ("to".into(), Value::from(promotion.to.as_str())),
        (
            "base".into(),
            Value::Object(vec![
                ("from".into(), number(from_version)),
                ("to".into(), number(to_version)),
            ]),
        ),
        ("flags".into(), Value::Array(flags)),
        ("segments".into(), Value::Array(segments)),
        ("onlyInTarget".into(), Value::Array(only_in_target)),
        ("applied".into(), Value::Bool(false)),
    ];
    if !promotion.apply {
        return json(StatusCode::OK, &Value::Object(answer));
    }
    let edit = Edit::Promote {
        flags: promoted_flags,
        segments: promoted_segments,
    };
    apply(&app, &who, &promotion, edit, answer.as_mut()).await
}

/// Applies a promotion as one change of the target environment.
async fn apply(
    app: &App,
    who: &Principal,
    promotion: &Promotion,
    edit: Edit,
    answer: &mut Vec<(Box<str>, Value)>,
) -> Response {
    let base = promotion.base.map(|(from, to)| Base {
        target: to,
        source: Some((promotion.from.as_str(), from)),
    });
    let request = Request {
        edit: &edit,
        if_match: None,
        actor: Actor {
            source: "admin",
            token: Some(&who.name),
        },
        now: now_ms(),
        dry_run: false,
        base,
        scheduled: None,
        decision: None,
    };
    match app.change(&promotion.to, request).await {
        Ok(outcome) => {
            applied(answer, &outcome);
            json(StatusCode::OK, &Value::Object(std::mem::take(answer)))
        }
        Err(e) => refused(&e),
    }
}

/// One promoted definition: its key, `added`/`changed`/`unchanged`, and the changes.
pub(super) fn entry(key: &str, old: Option<&Value>, new: &Value, member: &str) -> Value {
    let status = match old {
        None => "added",
        Some(old) if old == new => "unchanged",
        Some(_) => "changed",
    };
    let wrap = |v: Option<&Value>| {
        Value::Object(vec![(
            member.into(),
            Value::Object(v.map(|v| vec![(key.into(), v.clone())]).unwrap_or_default()),
        )])
    };
    let changes = diff(&wrap(old), &wrap(Some(new)));
    Value::Object(vec![
        ("key".into(), Value::from(key)),
        ("status".into(), Value::from(status)),
        (
            "changes".into(),
            Value::Array(
                changes
                    .iter()
                    .map(crate::template::Change::to_value)
                    .collect(),
            ),
        ),
    ])
}

/// Marks a diff answer as applied by `outcome`: `applied` (whether it changed anything) and the
/// `version` it published.
pub(super) fn applied(answer: &mut Vec<(Box<str>, Value)>, outcome: &crate::change::Outcome) {
    for (key, value) in answer.iter_mut() {
        if &**key == "applied" {
            *value = Value::Bool(outcome.changed);
        }
    }
    answer.push((
        "version".into(),
        Value::Number(Number::from_u64(outcome.version)),
    ));
}

/// An environment's flags document and the version it is that of (0: never signed). A change
/// commits its definitions and its snapshot together, so the same newest version before and
/// after reading the definitions means they are that version's (a few retries under writes).
pub(super) async fn document_at_version(
    pool: &sqlx::AnyPool,
    env: &str,
) -> Result<(crate::document::Document, u64), store::StoreError> {
    let rows = store::environments::list(pool).await?;
    let row = rows.iter().find(|r| r.name == env).cloned();
    let newest = || async {
        Ok::<_, store::StoreError>(
            store::snapshots::latest(pool, env)
                .await?
                .map_or(0, |s| s.version),
        )
    };
    let (mut stored, mut version) = (Vec::new(), 0);
    for _ in 0..5 {
        version = newest().await?;
        stored = store::definitions::load(pool, env, false).await?;
        if newest().await? == version {
            break;
        }
    }
    Ok((
        row.map(|r| assemble(&r, &stored)).unwrap_or_default(),
        version,
    ))
}
