//! Keeping a replica current: every [`POLL`], and at once when PostgreSQL notifies that
//! another replica published (LISTEN/NOTIFY on [`CHANNEL`](crate::store::CHANNEL)), the
//! replica reads the newest version of each environment and serves any that is newer than
//! its own, the envelope exactly as stored (same bytes, same ETag on every replica). The same
//! poll refreshes the admin tokens and tells whether the store answers (`/admin/status`).

use crate::app::App;
use crate::publisher::Published;
use crate::store::{self, Dialect, Location, CHANNEL};
use crate::{log, now_ms};
use sqlx::postgres::PgListener;
use std::sync::{Arc, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;

/// How often the store is read even without a notification (a notification is lost while
/// the listening connection reconnects; SQLite has none).
pub(crate) const POLL: Duration = Duration::from_secs(1);

/// Keeps this replica current until the server shuts down.
pub(crate) async fn run(app: Arc<App>) {
    let notified = Arc::new(Notify::new());
    if let (Dialect::Postgres, Location::Postgres(url)) =
        (app.store.dialect(), app.store.location())
    {
        tokio::spawn(listen(url.clone(), CHANNEL, notified.clone(), app.clone()));
    }
    let mut shutdown = app.shutdown_signal();
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            () = notified.notified() => {}
            () = tokio::time::sleep(POLL) => {}
        }
        refresh(&app).await;
    }
}

/// Reads what changed in the store.
pub(crate) async fn refresh(app: &App) {
    let pool = app.store.pool();
    let newest = match store::snapshots::newest_versions(pool).await {
        Ok(newest) => newest,
        Err(error) => return app.record_health(Err(&error.to_string()), now_ms()),
    };
    for (name, version) in newest {
        let Some(environment) = app.environment(&name) else {
            continue;
        };
        let current = environment.current();
        if version <= current.version {
            continue;
        }
        match store::snapshots::latest(pool, &name).await {
            Ok(Some(row)) => {
                if environment.offer(Published::from_row(&row, &current.owner)) {
                    log(&format!(
                        "{name}: serving version {} (published by another replica)",
                        row.version
                    ));
                }
            }
            Ok(None) => {}
            Err(error) => return app.record_health(Err(&error.to_string()), now_ms()),
        }
    }
    match store::tokens::list(pool).await {
        Ok(tokens) => *app.tokens.write().unwrap_or_else(PoisonError::into_inner) = tokens,
        Err(error) => return app.record_health(Err(&error.to_string()), now_ms()),
    }
    app.record_health(Ok(()), now_ms());
}

/// Listens on PostgreSQL `channel` until the server shuts down, waking `notified` on each
/// notification and once each time the listening (re)starts (what happened meanwhile is read
/// then); a lost connection is reported to the store's health and retried every [`POLL`].
pub(crate) async fn listen(
    url: String,
    channel: &'static str,
    notified: Arc<Notify>,
    app: Arc<App>,
) {
    let mut shutdown = app.shutdown_signal();
    loop {
        let listener = async {
            let mut listener = PgListener::connect(&url).await?;
            listener.listen(channel).await?;
            notified.notify_one();
            loop {
                listener.recv().await?;
                notified.notify_one();
            }
            #[allow(unreachable_code)]
            Ok::<(), sqlx::Error>(())
        };
        tokio::select! {
            _ = shutdown.changed() => return,
            result = listener => {
                if let Err(error) = result {
                    app.record_health(Err(&format!("listening on {channel}: {error}")), now_ms());
                }
            }
        }
        tokio::select! {
            _ = shutdown.changed() => return,
            () = tokio::time::sleep(POLL) => {}
        }
    }
}
