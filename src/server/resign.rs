//! Re-signing before expiry: a client refuses an expired snapshot, so the server publishes
//! the same document again, as a new version with a fresh validity, once less than half of
//! the current one remains. Half leaves clients that poll rarely, or are offline for a
//! while, plenty of time to pick it up. A re-sign is not a change: no audit entry. With
//! replicas, the first to lock the environment re-signs; the others find the fresh snapshot
//! and serve it. A store that cannot be read is never re-signed from: the replica keeps
//! serving what it has and tries again.

use crate::app::App;
use crate::change::{Actor, Request};
use crate::edit::Edit;
use crate::{log, now_ms};
use std::sync::Arc;
use std::time::Duration;

/// How long to wait before trying again after a failed re-sign (an outage, say).
const RETRY: Duration = Duration::from_secs(5);

/// Re-signs environment `index` until the server shuts down.
pub(crate) async fn run(app: Arc<App>, index: usize) {
    let Some(environment) = app.environments.get(index) else {
        return;
    };
    let mut published = environment.subscribe();
    let mut shutdown = app.shutdown_signal();
    loop {
        let current = published.borrow_and_update().clone();
        let due = current.issued_at + (current.expires_at - current.issued_at) / 2;
        let wait = u64::try_from(due.saturating_sub(now_ms())).unwrap_or(0);
        tokio::select! {
            _ = shutdown.changed() => return,
            // Something else published: its validity is the one to watch now.
            changed = published.changed() => {
                if changed.is_err() {
                    return;
                }
                continue;
            }
            () = tokio::time::sleep(Duration::from_millis(wait)) => {}
        }
        let request = Request {
            edit: &Edit::Resign,
            if_match: None,
            actor: Actor {
                source: "resign",
                token: None,
            },
            now: now_ms(),
            dry_run: false,
            base: None,
            scheduled: None,
            decision: None,
        };
        match app.change(&environment.name, request).await {
            Ok(outcome) if outcome.version > current.version => log(&format!(
                "{}: re-signed before expiry: version {}, expires {}",
                environment.name,
                outcome.version,
                edgeflag::unstable::time::Rfc3339(environment.current().expires_at)
            )),
            Ok(_) => {}
            Err(error) => {
                log(&format!(
                    "{}: cannot re-sign (retrying in {}s): {error}",
                    environment.name,
                    RETRY.as_secs()
                ));
                tokio::select! {
                    _ = shutdown.changed() => return,
                    () = tokio::time::sleep(RETRY) => {}
                }
            }
        }
    }
}
