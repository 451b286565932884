//! Re-signing before expiry: a client refuses an expired snapshot, so the server publishes
//! the same document again, as a new version with a fresh validity, once less than half of
//! the current one remains. Half leaves clients that poll rarely, or are offline for a
//! while, plenty of time to pick it up. A re-sign is not a change: no audit entry.

use super::app::{App, Cause};
use super::{log, now_ms};
use std::sync::Arc;
use std::time::Duration;

/// How long to wait before trying again after a failed re-sign (a full disk, say).
const RETRY: Duration = Duration::from_secs(10);

/// Re-signs until the server shuts down.
pub(crate) async fn run(app: Arc<App>) {
    let mut published = app.subscribe();
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
        let task_app = app.clone();
        let resigned = tokio::task::spawn_blocking(move || {
            let mut core = task_app.lock();
            if core.current.version != current.version {
                // Published by another path while this one waited for the lock.
                return Ok(None);
            }
            let template = core.template.clone();
            task_app
                .publish(&mut core, template, Cause::Resign, now_ms())
                .map(Some)
        })
        .await;
        match resigned {
            Ok(Ok(Some(outcome))) => log(&format!(
                "re-signed before expiry: version {}, expires {}",
                outcome.published.version,
                edgeflag::unstable::time::Rfc3339(outcome.published.expires_at)
            )),
            Ok(Ok(None)) => {}
            failed => {
                let error = match failed {
                    Ok(Err(error)) => error.to_string(),
                    _ => "the signing task failed".to_owned(),
                };
                log(&format!(
                    "cannot re-sign (retrying in {}s): {error}",
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
