//! Flags and segments, one at a time, per environment:
//!
//! ```text
//! GET    /admin/environments/{env}/flags             the list: key, ETag, last change and by whom, the document
//! POST   /admin/environments/{env}/flags             {"key": KEY, "flag": {...}}   create (409 if it exists)
//! GET    /admin/environments/{env}/flags/{key}       the document, with its ETag
//! PUT    /admin/environments/{env}/flags/{key}       the whole document            replace
//! PATCH  /admin/environments/{env}/flags/{key}       enabled, variant, rollout, schedule (see `patch`)
//! DELETE /admin/environments/{env}/flags/{key}       archive: out of the snapshot, kept in history
//! POST   /admin/environments/{env}/flags/{key}/kill  enabled: false
//! ```
//!
//! The same for `segments` (`{"key": KEY, "segment": {...}}`; no PATCH or kill), and without
//! `/environments/{env}` for the default environment. Writes honour `If-Match` (412 with the
//! current document when stale); `?dryRun=true` on POST, PUT and PATCH answers the lint
//! warnings and a preview of the effect on a sample of contexts, and publishes nothing.

use super::allow;
use super::query::Query;
use super::reply::{bad_request, changed, refused};
use crate::app::App;
use crate::change::{Actor, Request};
use crate::edit::{definition_etag, Edit};
use crate::now_ms;
use crate::patch::{self, bad, BadRequest};
use crate::preview::preview;
use crate::publisher::etag;
use crate::respond::{error, json, json_text};
use crate::store::{self, Kind, Role};
use crate::template::instant;
use crate::token::Principal;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{ETAG, IF_MATCH};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use edgeflag::unstable::json::parse as parse_json;
use edgeflag::unstable::time::parse_rfc3339;
use edgeflag::{Limits, Number, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// How far in the past an `at` may be and still be applied at once (clock skew).
const PAST_GRACE_MS: i64 = 5_000;

/// How many generated contexts a dry run's preview evaluates.
const PREVIEW_SAMPLE: usize = 1_000;

/// Which definitions a route acts on (set per router: flags or segments).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scope(pub(crate) Kind);

/// The path parameters of a definitions route.
type Params = Option<Path<HashMap<String, String>>>;

/// The environment and key a request names (the default environment when the route has no
/// `{env}`); 404 for an environment not served, 403 when the token may not use it.
fn place(
    app: &App,
    params: &Params,
    who: &Principal,
    role: Role,
) -> Result<(String, Option<String>), Response> {
    let get = |name: &str| params.as_ref().and_then(|p| p.0.get(name).cloned());
    let environment = match get("env") {
        Some(env) => env,
        None => app
            .default_environment()
            .map(|e| e.name.clone())
            .unwrap_or_default(),
    };
    if app.environment(&environment).is_none() {
        return Err(error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no environment \"{environment}\""),
            None,
        ));
    }
    allow(who, role, Some(&environment))?;
    Ok((environment, get("key")))
}

/// `GET .../flags`: every definition of the kind, from the store.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    Extension(Scope(kind)): Extension<Scope>,
    Extension(who): Extension<Principal>,
    params: Params,
    RawQuery(raw): RawQuery,
) -> Response {
    let (environment, _) = match place(&app, &params, &who, Role::Reader) {
        Ok(place) => place,
        Err(response) => return response,
    };
    let query = match Query::parse(raw.as_deref(), &["archived"]) {
        Ok(q) => q,
        Err(b) => return bad_request(&b),
    };
    let archived = match query.flag("archived") {
        Ok(a) => a,
        Err(b) => return bad_request(&b),
    };
    let pool = app.store.pool();
    let stored = match store::definitions::load_raw(pool, &environment, kind, archived).await {
        Ok(stored) => stored,
        Err(e) => return refused(&crate::change::ChangeError::Store(e)),
    };
    let version = app
        .environment(&environment)
        .map_or(0, |e| e.current().version);
    // The stored documents are JSON the server wrote: they go out as they are, and their
    // ETags are the hashes of that text (what `definition_etag` computes of the parsed value).
    let mut text = Value::Object(vec![
        ("environment".into(), Value::from(environment.as_str())),
        ("version".into(), Value::Number(Number::from_u64(version))),
    ])
    .to_json();
    text.pop();
    text.push_str(&format!(",{}:[", Value::from(kind.member()).to_json()));
    for (i, d) in stored.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let mut item = Value::Object(vec![
            ("key".into(), Value::from(d.key.as_str())),
            (
                "etag".into(),
                Value::from(etag(d.document.as_bytes()).as_str()),
            ),
            ("archived".into(), Value::Bool(d.archived)),
            ("updatedAt".into(), instant(d.updated_at)),
            ("updatedBy".into(), Value::from(d.updated_by.as_str())),
        ])
        .to_json();
        item.pop();
        text.push_str(&item);
        text.push_str(&format!(",{}:", Value::from(kind.as_str()).to_json()));
        text.push_str(&d.document);
        text.push('}');
    }
    text.push_str("]}");
    json_text(StatusCode::OK, text)
}

/// `GET .../flags/{key}`: the document, with its `ETag`.
pub(crate) async fn get(
    State(app): State<Arc<App>>,
    Extension(Scope(kind)): Extension<Scope>,
    Extension(who): Extension<Principal>,
    params: Params,
) -> Response {
    let (environment, key) = match place(&app, &params, &who, Role::Reader) {
        Ok(place) => place,
        Err(response) => return response,
    };
    let key = key.unwrap_or_default();
    let stored = match store::definitions::load(app.store.pool(), &environment, false).await {
        Ok(stored) => stored,
        Err(e) => return refused(&crate::change::ChangeError::Store(e)),
    };
    match stored.iter().find(|d| d.kind == kind && d.key == key) {
        Some(d) => (
            [(ETAG, definition_etag(&d.document))],
            json(StatusCode::OK, &d.document),
        )
            .into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("no {} \"{key}\" in {environment}", kind.as_str()),
            None,
        ),
    }
}

/// Removes and parses the `at` member of a change's body: when to apply it (RFC 3339).
fn take_at(members: &mut Vec<(Box<str>, Value)>) -> Result<Option<i64>, BadRequest> {
    let Some(index) = members.iter().position(|(k, _)| &**k == "at") else {
        return Ok(None);
    };
    let (_, value) = members.remove(index);
    instant_of(value.as_str(), "at").map(Some)
}

/// An RFC 3339 instant named `field`.
fn instant_of(text: Option<&str>, field: &str) -> Result<i64, BadRequest> {
    text.and_then(parse_rfc3339).ok_or_else(|| {
        bad(
            field,
            "expected an RFC 3339 instant such as 2026-12-24T18:00:00Z",
        )
    })
}

/// A request body as a JSON object (400 otherwise, naming what is wrong).
pub(crate) fn object(body: &[u8]) -> Result<Vec<(Box<str>, Value)>, BadRequest> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad("body", "empty; expected a JSON object"));
    }
    match parse_json(body, &Limits::default().json()).map_err(|e| bad("body", e.to_string()))? {
        Value::Object(members) => Ok(members),
        other => Err(bad(
            "body",
            format!("expected a JSON object, found {}", other.kind()),
        )),
    }
}

/// `POST .../flags`: `{"key": KEY, "flag": {...}}`.
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    Extension(Scope(kind)): Extension<Scope>,
    Extension(who): Extension<Principal>,
    params: Params,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut at = None;
    let parsed = object(&body).and_then(|mut members| {
        at = take_at(&mut members)?;
        let mut key = None;
        let mut document = None;
        for (name, value) in members {
            match &*name {
                "key" => match value {
                    Value::String(k) if !k.is_empty() => key = Some(k.to_string()),
                    other => {
                        return Err(bad(
                            "key",
                            format!("expected a non-empty string, found {}", other.kind()),
                        ))
                    }
                },
                member if member == kind.as_str() => match value {
                    Value::Object(_) => document = Some(value),
                    other => {
                        return Err(bad(
                            member,
                            format!("expected an object, found {}", other.kind()),
                        ))
                    }
                },
                other => {
                    return Err(bad(
                        other,
                        format!("unknown field (expected key, {} and at)", kind.as_str()),
                    ))
                }
            }
        }
        let key = key.ok_or_else(|| bad("key", "missing"))?;
        let document = document.ok_or_else(|| bad(kind.as_str(), "missing"))?;
        Ok(Edit::Create {
            kind,
            key,
            document,
        })
    });
    match parsed {
        Ok(edit) => run(&app, &who, &params, &raw, &headers, edit, at).await,
        Err(b) => bad_request(&b),
    }
}

/// `PUT .../flags/{key}`: the whole document.
pub(crate) async fn replace(
    State(app): State<Arc<App>>,
    Extension(Scope(kind)): Extension<Scope>,
    Extension(who): Extension<Principal>,
    params: Params,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = key_of(&params);
    match object(&body) {
        Ok(members) => {
            let edit = Edit::Replace {
                kind,
                key,
                document: Value::Object(members),
            };
            run(&app, &who, &params, &raw, &headers, edit, None).await
        }
        Err(b) => bad_request(&b),
    }
}

/// `PATCH .../flags/{key}`.
pub(crate) async fn patch(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    params: Params,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // `at` is taken out first: the rest is the patch (and what a scheduled one stores).
    let parsed = object(&body).and_then(|mut members| {
        let at = take_at(&mut members)?;
        let patch = patch::parse(Value::Object(members).to_json().as_bytes())?;
        Ok((patch, at))
    });
    match parsed {
        Ok((patch, at)) => {
            let edit = Edit::Patch {
                key: key_of(&params),
                patch,
            };
            run(&app, &who, &params, &raw, &headers, edit, at).await
        }
        Err(b) => bad_request(&b),
    }
}

/// `POST .../flags/{key}/kill`; the body is empty or `{"at": RFC3339}`.
pub(crate) async fn kill(
    State(app): State<Arc<App>>,
    Extension(who): Extension<Principal>,
    params: Params,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = if body.iter().all(u8::is_ascii_whitespace) {
        Ok(None)
    } else {
        object(&body).and_then(|mut members| {
            let at = take_at(&mut members)?;
            match members.first() {
                Some((name, _)) => Err(bad(&**name, "unknown field (a kill takes only at)")),
                None => Ok(at),
            }
        })
    };
    let at = match at {
        Ok(at) => at,
        Err(b) => return bad_request(&b),
    };
    let edit = Edit::Patch {
        key: key_of(&params),
        patch: patch::Patch::kill(),
    };
    run(&app, &who, &params, &raw, &headers, edit, at).await
}

/// `DELETE .../flags/{key}`.
pub(crate) async fn archive(
    State(app): State<Arc<App>>,
    Extension(Scope(kind)): Extension<Scope>,
    Extension(who): Extension<Principal>,
    params: Params,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let edit = Edit::Archive {
        kind,
        key: key_of(&params),
    };
    run(&app, &who, &params, &raw, &headers, edit, None).await
}

/// The `{key}` path parameter.
fn key_of(params: &Params) -> String {
    params
        .as_ref()
        .and_then(|p| p.0.get("key").cloned())
        .unwrap_or_default()
}

/// Runs a change for `who` (an editor), honouring `If-Match` and `?dryRun=true`; with an
/// instant to come (`at` in the body, or `?at=`), stores it to be applied then instead.
#[allow(clippy::too_many_arguments)]
async fn run(
    app: &App,
    who: &Principal,
    params: &Params,
    raw: &Option<String>,
    headers: &HeaderMap,
    edit: Edit,
    at: Option<i64>,
) -> Response {
    let (environment, _) = match place(app, params, who, Role::Editor) {
        Ok(place) => place,
        Err(response) => return response,
    };
    let options = Query::parse(raw.as_deref(), &["dryRun", "at"]).and_then(|q| {
        let at = match (at, q.get("at")) {
            (Some(at), _) => Some(at),
            (None, Some(text)) => Some(instant_of(Some(text), "at")?),
            (None, None) => None,
        };
        Ok((q.flag("dryRun")?, at))
    });
    let (dry_run, at) = match options {
        Ok(options) => options,
        Err(b) => return bad_request(&b),
    };
    // A few seconds of clock skew apply now; an instant well past is a mistake (a time zone
    // slip), not a request to change production at once.
    if let Some(at) = at.filter(|at| *at < now_ms() - PAST_GRACE_MS) {
        return bad_request(&bad(
            "at",
            format!("{} is in the past", edgeflag::unstable::time::Rfc3339(at)),
        ));
    }
    if let Some(at) = at.filter(|at| *at > now_ms() && !dry_run) {
        return super::scheduled::schedule(app, who, &environment, &edit, at).await;
    }
    let if_match = match headers.get(IF_MATCH).map(|v| v.to_str()) {
        Some(Ok(v)) => Some(v.to_owned()),
        Some(Err(_)) => return bad_request(&bad("If-Match", "not ASCII")),
        None => None,
    };
    let now = now_ms();
    let request = Request {
        edit: &edit,
        if_match: if_match.as_deref(),
        actor: Actor {
            source: "admin",
            token: Some(&who.name),
        },
        now,
        dry_run,
        base: None,
        scheduled: None,
        decision: None,
    };
    match app.change(&environment, request).await {
        Ok(outcome) => {
            let preview = if dry_run {
                match dry_run_preview(app, &edit, &outcome, now) {
                    Ok(p) => Some((p, try_it(app, &environment, &outcome, now))),
                    Err(m) => {
                        return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_flags", &m, None)
                    }
                }
            } else {
                if outcome.changed {
                    crate::log(&format!(
                        "admin {}: {} {environment}/{}: published version {}",
                        who.name,
                        edit.action(),
                        edit.target().map_or("", |(_, k)| k),
                        outcome.version
                    ));
                }
                None
            };
            changed(&environment, edit.target(), &outcome, preview)
        }
        Err(e) => refused(&e),
    }
}

/// What the admin UI's "Try it" evaluates with the npm package: the environment's document
/// before and after the change, signed by the preview key (pinned by nobody else):
/// `{"publicKey", "owner", "environment", "before", "after"}` (an envelope that cannot be
/// signed is `null`).
fn try_it(app: &App, environment: &str, outcome: &crate::change::Outcome, now: i64) -> Value {
    let key = &app.preview_key;
    // Labelled `preview:ENV`: even a client that pinned the preview key by mistake would not
    // take these for its environment's snapshots.
    let label = format!("preview:{environment}");
    let sign = |template: &Value| {
        let mut document = match crate::document::Document::from_template(template) {
            Ok(document) => document,
            Err(_) => return Value::Null,
        };
        document
            .header
            .set("environment", Value::from(label.as_str()));
        app.publisher
            .sign(&document.to_template(), 1, now, key)
            .map_or(Value::Null, |s| {
                Value::from(String::from_utf8_lossy(&s.published.envelope).as_ref())
            })
    };
    let (before, after) = &outcome.documents;
    let owner = crate::document::Document::from_template(after)
        .ok()
        .and_then(|d| d.header.text("owner").map(str::to_owned))
        .unwrap_or_default();
    Value::Object(vec![
        (
            "publicKey".into(),
            Value::from(key.public_key().to_string().as_str()),
        ),
        ("owner".into(), Value::from(owner.as_str())),
        ("environment".into(), Value::from(label.as_str())),
        ("before".into(), sign(before)),
        ("after".into(), sign(after)),
    ])
}

/// The preview of a dry run: what share of a sample of contexts the change moves.
fn dry_run_preview(
    app: &App,
    edit: &Edit,
    outcome: &crate::change::Outcome,
    now: i64,
) -> Result<Value, String> {
    let (Some((Kind::Flag, key)), (before, after)) = (edit.target(), &outcome.documents) else {
        // A segment change: every flag that uses it may move; preview each.
        return segment_preview(app, edit, outcome, now);
    };
    let before = app.publisher.payload(before, 1, now);
    let after = app.publisher.payload(after, 1, now);
    preview(
        &before,
        &after,
        key,
        &[],
        PREVIEW_SAMPLE,
        now,
        app.publisher.limits(),
    )
    .map(|p| p.to_value())
}

/// A segment change's preview: one per flag whose served values it moves.
fn segment_preview(
    app: &App,
    edit: &Edit,
    outcome: &crate::change::Outcome,
    now: i64,
) -> Result<Value, String> {
    let (before, after) = &outcome.documents;
    let document = crate::document::Document::from_template(after)?;
    let old = app.publisher.payload(before, 1, now);
    let new = app.publisher.payload(after, 1, now);
    let mut flags = Vec::new();
    if edit.target().is_some() {
        for (key, _) in &document.flags {
            let preview = preview(
                &old,
                &new,
                key,
                &[],
                PREVIEW_SAMPLE,
                now,
                app.publisher.limits(),
            )?;
            if preview.changed > 0 {
                flags.push(preview.to_value());
            }
        }
    }
    Ok(Value::Object(vec![("flags".into(), Value::Array(flags))]))
}
