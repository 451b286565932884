//! Re-reading the tenant query: every `--tenant-poll`, and on PostgreSQL at once when the
//! installed triggers notify (a table the query reads changed). A new result is published
//! to every environment through the change path (unchanged results publish nothing: the
//! store is compared, so replicas publish a change once).

use crate::app::App;
use crate::change::{Actor, Request};
use crate::edit::Edit;
use crate::store::{self, Dialect, Kind, Location};
use crate::sync::listen;
use crate::tenants::is_tenant_flag;
use crate::tenants::CHANNEL;
use crate::{log, now_ms};
use edgeflag::Value;
use std::sync::Arc;
use tokio::sync::Notify;

/// Re-reads the tenant query until the server shuts down.
pub(crate) async fn run(app: Arc<App>) {
    let Some((query, poll)) = app.tenants.clone() else {
        return;
    };
    let notified = Arc::new(Notify::new());
    if let (Dialect::Postgres, Location::Postgres(url)) =
        (app.store.dialect(), app.store.location())
    {
        tokio::spawn(listen(url.clone(), CHANNEL, notified.clone(), app.clone()));
    }
    let mut shutdown = app.shutdown_signal();
    let mut last_error = None;
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            () = notified.notified() => {}
            () = tokio::time::sleep(poll) => {}
        }
        let flags = match query.read().await {
            Ok(flags) => flags,
            Err(error) => {
                if last_error.as_ref() != Some(&error) {
                    log(&format!("{error}; the tenant flags stay as published"));
                    last_error = Some(error);
                }
                continue;
            }
        };
        last_error = None;
        let edit = Edit::Tenants(flags.clone());
        for environment in &app.environments {
            // Compared with the store first (a read): an unchanged result costs no write
            // transaction, and a replica that read an older result than the store has now
            // does not publish it over the newer one.
            if stored_tenant_flags(&app, &environment.name).await.as_ref() == Some(&sorted(&flags))
            {
                continue;
            }
            let request = Request {
                edit: &edit,
                if_match: None,
                actor: Actor {
                    source: "tenants",
                    token: None,
                },
                now: now_ms(),
                dry_run: false,
                base: None,
                scheduled: None,
                decision: None,
            };
            match app.change(&environment.name, request).await {
                Ok(outcome) if outcome.changed => log(&format!(
                    "{}: tenant flags changed: published version {}",
                    environment.name, outcome.version
                )),
                Ok(_) => {}
                Err(error) => log(&format!(
                    "{}: tenant flags refused: {error}",
                    environment.name
                )),
            }
        }
    }
}

/// The tenant flags `environment` has in the store, sorted by key (`None`: unreadable).
async fn stored_tenant_flags(app: &App, environment: &str) -> Option<Vec<(String, Value)>> {
    let stored = store::definitions::load(app.store.pool(), environment, false)
        .await
        .ok()?;
    Some(sorted(
        &stored
            .into_iter()
            .filter(|d| d.kind == Kind::Flag && is_tenant_flag(&d.document))
            .map(|d| (d.key, d.document))
            .collect::<Vec<_>>(),
    ))
}

/// `flags` sorted by key.
fn sorted(flags: &[(String, Value)]) -> Vec<(String, Value)> {
    let mut flags = flags.to_vec();
    flags.sort_by(|a, b| a.0.cmp(&b.0));
    flags
}
