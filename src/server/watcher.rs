//! Watching the `--flags` file by polling, which works the same on every platform and file
//! system (network mounts and container volumes included) without another dependency.
//!
//! Every [`POLL`] the file's metadata is compared with the last poll's; when it differs, or
//! the file was modified in the last [`RECENT`] (a second write within one timestamp tick
//! leaves the metadata alone), the contents are hashed. New contents are published once
//! they are the same on two consecutive polls, so an editor's several writes are published
//! once, complete: a valid edit goes out within about half a second. Contents the server
//! wrote itself (admin changes) or already refused are recognised by their hash and ignored;
//! so is an edit that changes only formatting.

use crate::app::{App, Refusal};
use crate::change::{Actor, ChangeError, Request};
use crate::document::Document;
use crate::edit::Edit;
use crate::store::StoreError;
use crate::template;
use crate::{log, now_ms};
use sha2::{Digest, Sha256};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How often the file is looked at.
const POLL: Duration = Duration::from_millis(200);
/// How long after a modification the contents are hashed on every poll.
const RECENT: Duration = Duration::from_secs(2);

/// What identifies one version of the file without reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    /// Device and inode: an editor that saves by renaming changes them.
    dev: u64,
    /// See `dev`.
    ino: u64,
    /// Size in bytes.
    size: u64,
    /// Modification time, ns.
    mtime: i128,
    /// Status change time, ns.
    ctime: i128,
}

/// The watcher's memory between polls.
#[derive(Debug, Default)]
struct Watch {
    /// The metadata at the last poll.
    stamp: Option<Stamp>,
    /// New contents seen once, published if the next poll sees them again.
    pending: Option<[u8; 32]>,
    /// Contents that were refused (not refused again until they change).
    refused: Option<[u8; 32]>,
    /// The file could not be read at the last poll (said once, not every poll).
    unreadable: bool,
    /// Contents waiting for the database to come back (said once).
    waiting: Option<[u8; 32]>,
}

/// Polls the `--flags` file until the server shuts down.
pub(crate) async fn run(app: Arc<App>) {
    let Some(path) = app.flags_path.clone() else {
        return;
    };
    let mut shutdown = app.shutdown_signal();
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut watch = Watch::default();
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tick.tick() => {}
        }
        let (task_app, task_path) = (app.clone(), path.clone());
        let polled = tokio::task::spawn_blocking(move || {
            let edit = poll(&task_app, &task_path, &mut watch);
            (watch, edit)
        });
        // A poll that panicked (it should not) starts over with a clean memory.
        let edit;
        (watch, edit) = polled.await.unwrap_or_default();
        if let Some((bytes, hash)) = edit {
            publish(&app, &path, &bytes, hash, &mut watch).await;
        }
    }
}

/// One look at the file: the new contents, once they are stable and not seen before.
fn poll(app: &App, path: &Path, watch: &mut Watch) -> Option<(Vec<u8>, [u8; 32])> {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => {
            unreadable(app, path, watch, &e);
            return None;
        }
    };
    watch.unreadable = false;
    let stamp = Stamp {
        dev: meta.dev(),
        ino: meta.ino(),
        size: meta.size(),
        mtime: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        ctime: i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec()),
    };
    let recent = meta
        .modified()
        .ok()
        .and_then(|at| SystemTime::now().duration_since(at).ok())
        .is_none_or(|age| age < RECENT);
    if watch.stamp == Some(stamp) && watch.pending.is_none() && !recent {
        return None;
    }
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            unreadable(app, path, watch, &e);
            return None;
        }
    };
    watch.stamp = Some(stamp);
    let hash: [u8; 32] = Sha256::digest(&bytes).into();
    let mut file = app.flags_file();
    if file.hash == Some(hash) {
        // Unchanged, the server's own write, or an edit reverted to what is served.
        file.refused = false;
        watch.pending = None;
        return None;
    }
    if watch.refused == Some(hash) {
        watch.pending = None;
        return None;
    }
    if watch.pending != Some(hash) {
        watch.pending = Some(hash);
        return None;
    }
    watch.pending = None;
    Some((bytes, hash))
}

/// Publishes the file's new contents as the default environment's document, or refuses them
/// (logged, on `/admin/status`, and not tried again until the file changes).
async fn publish(app: &App, path: &Path, bytes: &[u8], hash: [u8; 32], watch: &mut Watch) {
    let Some(environment) = app.default_environment() else {
        return;
    };
    let now = now_ms();
    let document = template::parse(bytes, app.publisher.limits())
        .and_then(|t| Document::from_template(&t))
        .and_then(|d| check_environment(d, &environment.name));
    let result = match document {
        Ok(document) => {
            let edit = Edit::Document(document);
            let request = Request {
                edit: &edit,
                if_match: None,
                actor: Actor {
                    source: "file",
                    token: None,
                },
                now,
                dry_run: false,
                base: None,
                scheduled: None,
                decision: None,
            };
            match app.change(&environment.name, request).await {
                Ok(outcome) => Ok(outcome),
                Err(ChangeError::Store(StoreError::Unavailable(error))) => {
                    // Not the file's fault: tried again at the next polls, said once.
                    if watch.waiting != Some(hash) {
                        watch.waiting = Some(hash);
                        log(&format!(
                            "{}: waiting for the database to publish it: {error}",
                            path.display()
                        ));
                    }
                    return;
                }
                Err(ChangeError::Invalid(m)) => Err(m),
                Err(other) => Err(other.to_string()),
            }
        }
        Err(error) => Err(error),
    };
    watch.waiting = None;
    match result {
        Ok(outcome) => {
            let mut file = app.flags_file();
            file.hash = Some(hash);
            file.refused = false;
            watch.refused = None;
            if outcome.version > outcome.old_version {
                log(&format!(
                    "{}: published version {} ({} change{})",
                    path.display(),
                    outcome.version,
                    outcome.changes.len(),
                    if outcome.changes.len() == 1 { "" } else { "s" }
                ));
                for warning in &outcome.warnings {
                    log(&format!("{}: warning: {warning}", path.display()));
                }
            }
        }
        Err(error) => {
            // Not retried until the file changes again: a failing write would otherwise be
            // logged five times a second.
            watch.refused = Some(hash);
            app.flags_file().refused = true;
            log(&format!(
                "{}: refused: {error}; still serving version {}",
                path.display(),
                environment.current().version
            ));
            app.refuse(Refusal {
                at: now,
                source: "file",
                environment: environment.name.clone(),
                error,
            });
        }
    }
}

/// The file's document, if it names `environment` (or no environment: it is set).
pub(crate) fn check_environment(
    mut document: Document,
    environment: &str,
) -> Result<Document, String> {
    match document.header.text("environment") {
        Some(named) if named != environment => Err(format!(
            "environment: the file names \"{named}\", but it is the document of \"{environment}\" \
             (the default environment; see --environments and --default-environment)"
        )),
        _ => {
            document
                .header
                .set("environment", edgeflag::Value::from(environment));
            Ok(document)
        }
    }
}

/// Says once that the file cannot be read (it may be between an editor's delete and
/// create); the snapshot being served stays.
fn unreadable(app: &App, path: &Path, watch: &mut Watch, error: &std::io::Error) {
    if !std::mem::replace(&mut watch.unreadable, true) {
        let version = app.default_environment().map_or(0, |e| e.current().version);
        log(&format!(
            "{}: cannot read: {}; still serving version {version}",
            path.display(),
            crate::exit::io_reason(error),
        ));
    }
}
