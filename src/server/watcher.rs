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

use super::app::{App, Cause, Refusal};
use super::publisher::PublishError;
use super::template;
use super::{log, now_ms};
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
            poll(&task_app, &task_path, &mut watch);
            watch
        });
        // A poll that panicked (it should not) starts over with a clean memory.
        watch = polled.await.unwrap_or_default();
    }
}

/// One look at the file.
fn poll(app: &App, path: &Path, watch: &mut Watch) {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => return unreadable(app, path, watch, &e),
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
        return;
    }
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return unreadable(app, path, watch, &e),
    };
    watch.stamp = Some(stamp);
    let hash: [u8; 32] = Sha256::digest(&bytes).into();
    let mut core = app.lock();
    if core.file_hash == Some(hash) {
        // Unchanged, the server's own write, or an edit reverted to what is served.
        core.file_refused = false;
        watch.pending = None;
        return;
    }
    if watch.refused == Some(hash) {
        watch.pending = None;
        return;
    }
    if watch.pending != Some(hash) {
        watch.pending = Some(hash);
        return;
    }
    watch.pending = None;
    let now = now_ms();
    let result = template::parse(&bytes, app.publisher.limits())
        .map_err(PublishError::Invalid)
        .and_then(|document| {
            if document == core.template {
                return Ok(None);
            }
            app.publish(&mut core, document, Cause::File, now).map(Some)
        });
    match result {
        Ok(outcome) => {
            core.file_hash = Some(hash);
            core.file_refused = false;
            watch.refused = None;
            if let Some(outcome) = outcome {
                log(&format!(
                    "{}: published version {} ({} change{})",
                    path.display(),
                    outcome.published.version,
                    outcome.changes.len(),
                    if outcome.changes.len() == 1 { "" } else { "s" }
                ));
                for warning in &outcome.warnings {
                    log(&format!("{}: warning: {warning}", path.display()));
                }
            }
        }
        Err(error) => {
            // Not retried until the file changes again: a write error would otherwise be
            // logged five times a second.
            watch.refused = Some(hash);
            core.file_refused = true;
            let version = core.current.version;
            log(&format!(
                "{}: refused: {error}; still serving version {version}",
                path.display()
            ));
            core.last_refused = Some(Refusal {
                at: now,
                source: "file",
                error: error.to_string(),
            });
        }
    }
}

/// Says once that the file cannot be read (it may be between an editor's delete and
/// create); the snapshot being served stays.
fn unreadable(app: &App, path: &Path, watch: &mut Watch, error: &std::io::Error) {
    if !std::mem::replace(&mut watch.unreadable, true) {
        log(&format!(
            "{}: cannot read: {}; still serving version {}",
            path.display(),
            crate::exit::io_reason(error),
            app.current().version
        ));
    }
}
