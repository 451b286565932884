//! Scheduled changes: a change given an instant to come (`"at": RFC3339`) is stored (see
//! [`store::scheduled`](crate::store::scheduled)) and applied by the backend at that instant,
//! through the same path as any change (audited as `source: "schedule"`, naming the token
//! that scheduled it). Every [`POLL`] each replica applies what is due; the claim in the
//! applying transaction makes it happen once. A change that no longer applies (the flag was
//! archived, the result would not load) is marked `failed` with the reason, and logged.

use crate::app::{App, Refusal};
use crate::change::{Actor, ChangeError, Request};
use crate::edit::{Edit, Refused};
use crate::patch::{self, Patch};
use crate::store::{self, Kind, ScheduledRow, StoreError};
use crate::{log, now_ms};
use edgeflag::unstable::json::parse;
use edgeflag::{Limits, Value};
use std::sync::Arc;
use std::time::Duration;

/// How often due changes are looked for.
const POLL: Duration = Duration::from_secs(1);

/// What a scheduled row stores of an edit: kind, key, action and body.
pub(crate) fn stored(edit: &Edit) -> Option<(Kind, String, &'static str, String)> {
    match edit {
        Edit::Create {
            kind,
            key,
            document,
        } => Some((*kind, key.clone(), "create", document.to_json())),
        Edit::Replace {
            kind,
            key,
            document,
        } => Some((*kind, key.clone(), "replace", document.to_json())),
        Edit::Patch { key, patch } if patch.is_kill() => {
            Some((Kind::Flag, key.clone(), "kill", "null".to_owned()))
        }
        Edit::Patch { key, patch } => {
            Some((Kind::Flag, key.clone(), "patch", patch.source.clone()))
        }
        Edit::Archive { kind, key } => Some((*kind, key.clone(), "archive", "null".to_owned())),
        Edit::Document(_)
        | Edit::Promote { .. }
        | Edit::Import { .. }
        | Edit::Tenants(_)
        | Edit::Resign => None,
    }
}

/// The edit a scheduled row describes.
pub(crate) fn edit_of(row: &ScheduledRow) -> Result<Edit, String> {
    let kind = if row.kind == "segment" {
        Kind::Segment
    } else {
        Kind::Flag
    };
    let key = row.key.clone();
    let document = || {
        parse(row.body.as_bytes(), &Limits::default().json())
            .map_err(|e| format!("stored body: {e}"))
    };
    Ok(match row.action.as_str() {
        "create" => Edit::Create {
            kind,
            key,
            document: document()?,
        },
        "replace" => Edit::Replace {
            kind,
            key,
            document: document()?,
        },
        "patch" => Edit::Patch {
            key,
            patch: patch::parse(row.body.as_bytes())
                .map_err(|b| format!("{}: {}", b.field, b.message))?,
        },
        "kill" => Edit::Patch {
            key,
            patch: Patch::kill(),
        },
        "archive" => Edit::Archive { kind, key },
        other => return Err(format!("unknown scheduled action {other}")),
    })
}

/// Applies due changes until the server shuts down.
pub(crate) async fn run(app: Arc<App>) {
    let mut shutdown = app.shutdown_signal();
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            () = tokio::time::sleep(POLL) => {}
        }
        let Ok(due) = store::scheduled::due(app.store.pool(), now_ms()).await else {
            // The outage is reported by the sync task; due changes wait for the store.
            continue;
        };
        for row in due
            .iter()
            .filter(|r| app.environment(&r.environment).is_some())
        {
            apply(&app, row).await;
        }
    }
}

/// Applies one due change.
async fn apply(app: &App, row: &ScheduledRow) {
    let edit = match edit_of(row) {
        Ok(edit) => edit,
        Err(error) => return failed(app, row, &error).await,
    };
    let request = Request {
        edit: &edit,
        if_match: None,
        actor: Actor {
            source: "schedule",
            token: Some(&row.created_by),
        },
        now: now_ms(),
        dry_run: false,
        base: None,
        scheduled: Some(row.id),
        decision: None,
    };
    match app.change(&row.environment, request).await {
        Ok(outcome) => log(&format!(
            "{}: scheduled change {} ({} {}) applied as version {}",
            row.environment, row.id, row.action, row.key, outcome.version
        )),
        // Applied by another replica, or cancelled meanwhile.
        Err(ChangeError::Refused(Refused::NotFound(m))) if m.contains("no longer pending") => {}
        // Tried again at the next poll: the store is away, the --flags file holds an edit
        // about to be published, or the file could not be written.
        Err(
            ChangeError::Store(StoreError::Unavailable(_))
            | ChangeError::Conflict(_)
            | ChangeError::Io(_),
        ) => {}
        Err(error) => failed(app, row, &error.to_string()).await,
    }
}

/// Marks a change that cannot be applied.
async fn failed(app: &App, row: &ScheduledRow, error: &str) {
    log(&format!(
        "{}: scheduled change {} ({} {}) failed: {error}",
        row.environment, row.id, row.action, row.key
    ));
    let _ =
        store::scheduled::finish(app.store.pool(), &row.environment, row.id, "failed", error).await;
    app.refuse(Refusal {
        at: now_ms(),
        source: "schedule",
        environment: row.environment.clone(),
        error: error.to_owned(),
    });
}

/// A scheduled row as the admin API shows it.
pub(crate) fn to_value(row: &ScheduledRow) -> Value {
    let text = |s: &str| Value::from(s);
    Value::Object(vec![
        (
            "id".into(),
            Value::Number(edgeflag::Number::from_u64(
                u64::try_from(row.id).unwrap_or(0),
            )),
        ),
        ("environment".into(), text(&row.environment)),
        ("kind".into(), text(&row.kind)),
        ("key".into(), text(&row.key)),
        ("action".into(), text(&row.action)),
        ("at".into(), crate::template::instant(row.due_at)),
        ("createdBy".into(), text(&row.created_by)),
        ("createdAt".into(), crate::template::instant(row.created_at)),
        ("state".into(), text(&row.state)),
        (
            "result".into(),
            row.result.as_deref().map_or(Value::Null, Value::from),
        ),
        (
            "body".into(),
            parse(row.body.as_bytes(), &Limits::default().json()).unwrap_or(Value::Null),
        ),
    ])
}
