//! `POST /admin/environments/{env}/import?from=unleash|growthbook|flagd[&dryRun=false][&base=N]`:
//! the body is the vendor's file (`edgeflag import`'s input).
//!
//! By default (`dryRun=true`) it answers the diff against the environment, flag by flag
//! (`added`, `changed`, `unchanged`, with the changes), the segments likewise, the flags the
//! environment has that the file does not (`notImported`: left alone), the importer's notes,
//! and `base`, the version the diff was made against; nothing changes, but the change is
//! checked as applying it would be (422, 409 with a stale `base`). With `dryRun=false`
//! the imported flags and segments replace the environment's of the same keys, as one new
//! signed version, audited as `import` (one entry per definition that changed); with `base`,
//! an environment that has moved on answers 409 and nothing changes. A malformed file is a
//! 400 naming its JSON path; a payload the clients would refuse, a 422.

use super::allow;
use super::query::Query;
use super::reply::{bad_request, refused};
use crate::app::App;
use crate::change::{Actor, Base, ChangeError, Request};
use crate::edit::Edit;
use crate::now_ms;
use crate::patch::bad;
use crate::respond::{error, json};
use crate::store::{Kind, Role};
use crate::token::Principal;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use edgeflag::unstable::json::parse as parse_json;
use edgeflag::{Limits, Number, Value};
use edgeflag_import::{import as run_import, Import, Note, Options, Vendor};
use std::sync::Arc;

/// `POST /admin/environments/{env}/import`.
pub(crate) async fn import(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    Path(env): Path<String>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let query = match Query::parse(raw.as_deref(), &["from", "dryRun", "base"]) {
        Ok(q) => q,
        Err(b) => return bad_request(&b),
    };
    let Some(vendor) = query.get("from").and_then(Vendor::from_name) else {
        return bad_request(&bad("from", "expected unleash, growthbook or flagd"));
    };
    // A dry run unless asked otherwise: the diff comes first.
    let dry_run = query.get("dryRun") != Some("false");
    if let Err(b) = query.flag("dryRun") {
        return bad_request(&b);
    }
    let base = match query.number("base") {
        Ok(b) => b,
        Err(b) => return bad_request(&b),
    };
    if app.environment(&env).is_none() {
        return error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no environment \"{env}\""),
            None,
        );
    }
    let role = if dry_run { Role::Reader } else { Role::Editor };
    if let Err(r) = allow(&who, role, Some(&env)) {
        return r;
    }
    let opts = Options {
        owner: String::new(),
        environment: env.clone(),
        strict: false,
    };
    let imported = match run_import(vendor, &body, &opts) {
        Ok(i) => i,
        Err(e) => return bad_request(&bad(prefixed(&e.path), e.message)),
    };
    let (flags, segments) = match definitions(&imported) {
        Ok(d) => d,
        // Past the JSON limits clients load with (the import can be larger than the file).
        Err(m) => return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_flags", &m, None),
    };
    let (current, version) = match current(&app, &env).await {
        Ok(c) => c,
        Err(e) => return refused(&e),
    };
    let mut answer = vec![
        ("environment".into(), Value::from(env.as_str())),
        (
            "from".into(),
            Value::from(query.get("from").unwrap_or_default()),
        ),
        ("base".into(), Value::Number(Number::from_u64(version))),
        (
            "flags".into(),
            entries(&current, Kind::Flag, &flags, "flags"),
        ),
        (
            "segments".into(),
            entries(&current, Kind::Segment, &segments, "segments"),
        ),
        (
            "notImported".into(),
            Value::Array(
                current
                    .flags
                    .iter()
                    .filter(|(k, _)| !flags.iter().any(|(f, _)| f == k))
                    .map(|(k, _)| Value::from(k.as_str()))
                    .collect(),
            ),
        ),
        (
            "notes".into(),
            Value::Array(imported.notes.iter().map(note).collect()),
        ),
        ("applied".into(), Value::Bool(false)),
    ];
    let edit = Edit::Import { flags, segments };
    let request = Request {
        edit: &edit,
        if_match: None,
        actor: Actor {
            source: "admin",
            token: Some(&who.name),
        },
        now: now_ms(),
        // A dry run is checked as the change would be (422 for a result clients would
        // refuse, 409 for a stale `base`) and then rolled back: the diff never promises an
        // import that applying it refuses.
        dry_run,
        base: base.map(|target| Base {
            target,
            source: None,
        }),
        scheduled: None,
        decision: None,
    };
    match app.change(&env, request).await {
        Ok(_) if dry_run => json(StatusCode::OK, &Value::Object(answer)),
        Ok(outcome) => {
            super::promote::applied(&mut answer, &outcome);
            json(StatusCode::OK, &Value::Object(answer))
        }
        Err(e) => refused(&e),
    }
}

/// The importer's paths are in the file, which is the body.
fn prefixed(path: &str) -> String {
    if path.is_empty() {
        "body".to_owned()
    } else {
        format!("body.{path}")
    }
}

/// The imported flags and segments as the server's JSON values.
#[allow(clippy::type_complexity)]
fn definitions(imported: &Import) -> Result<(Vec<(String, Value)>, Vec<(String, Value)>), String> {
    let text = imported.payload.to_string();
    let doc = parse_json(text.as_bytes(), &Limits::default().json())
        .map_err(|e| format!("the imported payload does not parse: {e}"))?;
    let member = |name: &str| -> Vec<(String, Value)> {
        match doc.get(name) {
            Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            _ => Vec::new(),
        }
    };
    Ok((member("flags"), member("segments")))
}

/// The environment's document as it is and the version it was read at.
async fn current(app: &App, env: &str) -> Result<(crate::document::Document, u64), ChangeError> {
    Ok(super::promote::document_at_version(app.store.pool(), env).await?)
}

/// One diff entry per imported definition of `kind`.
fn entries(
    current: &crate::document::Document,
    kind: Kind,
    imported: &[(String, Value)],
    member: &str,
) -> Value {
    Value::Array(
        imported
            .iter()
            .map(|(key, new)| super::promote::entry(key, current.get(kind, key), new, member))
            .collect(),
    )
}

/// A note as `{"path", "message", "lossy"}` (`path` in the file).
fn note(n: &Note) -> Value {
    Value::Object(vec![
        ("path".into(), Value::from(n.path.as_str())),
        ("message".into(), Value::from(n.message.as_str())),
        ("lossy".into(), Value::Bool(n.lossy)),
    ])
}
