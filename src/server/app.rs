//! The server's shared state and the one path every change takes to clients.
//!
//! All changes (start, file edits, admin requests, re-signing) run [`App::publish`] under one
//! lock, in this order, so a crash at any point leaves consistent files behind:
//!
//! 1. validate the document and reserve the next version (`DIR/version`, see
//!    [`publisher`](super::publisher)); an invalid document stops here and costs nothing;
//! 2. sign;
//! 3. append the audit entry (file and admin changes), `fsync`ed;
//! 4. write the document: `DIR/current.json`, and for admin changes the `--flags` file
//!    (both atomically);
//! 5. swap it in and notify every subscriber.
//!
//! A failure in 3 or 4 publishes nothing; the reserved version is simply never used.

use super::audit::{AuditLog, Entry};
use super::files::{mode_or, write_atomic};
use super::publisher::{PublishError, Published, Publisher};
use super::template::{self, Change};
use super::throttle::AuthThrottle;
use super::token::AdminToken;
use crate::exit::io_reason;
use edgeflag::lint::Warning;
use edgeflag::Value;
use sha2::{Digest, Sha256};
use std::fs;
use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::watch;

/// A change that was refused, for `GET /admin/status`.
#[derive(Clone, Debug)]
pub(crate) struct Refusal {
    /// When, ms since the Unix epoch.
    pub(crate) at: i64,
    /// `file` or `admin`.
    pub(crate) source: &'static str,
    /// The load error.
    pub(crate) error: String,
}

/// What the lock guards: the document and the version sequence.
#[derive(Debug)]
pub(crate) struct Core {
    /// The flags document being served.
    pub(crate) template: Value,
    /// The last version reserved.
    pub(crate) last_version: u64,
    /// The snapshot being served.
    pub(crate) current: Arc<Published>,
    /// SHA-256 of the `--flags` file as the server last read or wrote it: a file with this
    /// hash holds nothing new (the watcher ignores the server's own writes).
    pub(crate) file_hash: Option<[u8; 32]>,
    /// The `--flags` file holds a change that was refused.
    pub(crate) file_refused: bool,
    /// The last refused change.
    pub(crate) last_refused: Option<Refusal>,
}

/// Why a document is published.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cause<'a> {
    /// The validity is running out.
    Resign,
    /// The `--flags` file changed.
    File,
    /// An admin request (`patch` or `kill`) on a flag.
    Admin {
        /// `patch` or `kill`.
        action: &'static str,
        /// The flag's key.
        flag: &'a str,
    },
}

/// A published change.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// What is served now.
    pub(crate) published: Arc<Published>,
    /// The version served before.
    pub(crate) old_version: u64,
    /// What changed in the document.
    pub(crate) changes: Vec<Change>,
    /// Lint warnings about the new document.
    pub(crate) warnings: Vec<Warning>,
}

/// Everything the tasks and routes share.
#[derive(Debug)]
pub(crate) struct App {
    /// The document and version sequence.
    core: Mutex<Core>,
    /// The snapshot being served, to every subscriber.
    published: watch::Sender<Arc<Published>>,
    /// Signs documents.
    pub(crate) publisher: Publisher,
    /// The audit log.
    pub(crate) audit: AuditLog,
    /// `--flags`.
    pub(crate) flags_path: Option<PathBuf>,
    /// The admin token.
    pub(crate) token: AdminToken,
    /// Open `/snapshot/stream` connections.
    pub(crate) subscribers: AtomicUsize,
    /// The most streams open at once (`--max-subscribers`).
    pub(crate) max_subscribers: usize,
    /// Failed admin authentications per client address.
    pub(crate) auth_throttle: AuthThrottle,
    /// Becomes `true` when the server is shutting down.
    shutdown: watch::Sender<bool>,
}

impl App {
    /// The shared state, serving `core.current`.
    pub(crate) fn new(
        core: Core,
        publisher: Publisher,
        audit: AuditLog,
        flags_path: Option<PathBuf>,
        token: AdminToken,
        max_subscribers: usize,
        max_auth_failures: u32,
    ) -> Arc<App> {
        let (published, _) = watch::channel(core.current.clone());
        let (shutdown, _) = watch::channel(false);
        Arc::new(App {
            core: Mutex::new(core),
            published,
            publisher,
            audit,
            flags_path,
            token,
            subscribers: AtomicUsize::new(0),
            max_subscribers,
            auth_throttle: AuthThrottle::new(max_auth_failures),
            shutdown,
        })
    }

    /// Locks the document. Holders do blocking file I/O, so async code locks it from
    /// `spawn_blocking` only. A panic while holding it cannot leave it half-changed (every
    /// change is swapped in whole), so poisoning is ignored.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Core> {
        self.core.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The snapshot being served.
    pub(crate) fn current(&self) -> Arc<Published> {
        self.published.borrow().clone()
    }

    /// A receiver that sees every snapshot published from now on.
    pub(crate) fn subscribe(&self) -> watch::Receiver<Arc<Published>> {
        self.published.subscribe()
    }

    /// A receiver that turns `true` when the server shuts down.
    pub(crate) fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Starts the shutdown: streams end, tasks stop, the server stops accepting.
    pub(crate) fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// Publishes `template` as the next version (see the module docs for the order).
    pub(crate) fn publish(
        &self,
        core: &mut Core,
        template: Value,
        cause: Cause<'_>,
        now: i64,
    ) -> Result<Outcome, PublishError> {
        if let Cause::Admin { .. } = cause {
            self.check_flags_file(core)?;
        }
        let changes = template::diff(&core.template, &template);
        let signed = self
            .publisher
            .sign(&template, &mut core.last_version, now)?;
        let old_version = core.current.version;
        let new_version = signed.published.version;
        let audited = match cause {
            Cause::Resign => Ok(()),
            Cause::File => self.audit.append(&Entry {
                at: now,
                source: "file",
                token: None,
                action: "reload",
                flag: None,
                changes: &changes,
                old_version,
                new_version,
            }),
            Cause::Admin { action, flag } => self.audit.append(&Entry {
                at: now,
                source: "admin",
                token: Some(&self.token.fingerprint()),
                action,
                flag: Some(flag),
                changes: &changes,
                old_version,
                new_version,
            }),
        };
        audited.map_err(|e| {
            PublishError::Io(format!("audit log: cannot append: {}", io_reason(&e)))
        })?;
        if !changes.is_empty() {
            let text = template::pretty(&template);
            if let Some(state) = self.publisher.state() {
                state.write_current(text.as_bytes()).map_err(|e| {
                    let path = state.current_path();
                    PublishError::Io(format!(
                        "{}: cannot write: {}",
                        path.display(),
                        io_reason(&e)
                    ))
                })?;
            }
            if let (Cause::Admin { .. }, Some(path)) = (cause, &self.flags_path) {
                // Through a symlink to the file it names (a rename would replace the link).
                let target = fs::canonicalize(path).unwrap_or_else(|_| path.clone());
                write_atomic(&target, text.as_bytes(), mode_or(&target, 0o644)).map_err(|e| {
                    PublishError::Io(format!(
                        "{}: cannot write: {}",
                        path.display(),
                        io_reason(&e)
                    ))
                })?;
                core.file_hash = Some(Sha256::digest(text.as_bytes()).into());
            }
        }
        core.template = template;
        core.current = Arc::new(signed.published);
        self.published.send_replace(core.current.clone());
        Ok(Outcome {
            published: core.current.clone(),
            old_version,
            changes,
            warnings: signed.warnings,
        })
    }

    /// Refuses an admin change that would overwrite an edit of the `--flags` file the server
    /// has not published: a refused one (fix it first), or one the watcher has not seen yet.
    fn check_flags_file(&self, core: &Core) -> Result<(), PublishError> {
        let Some(path) = &self.flags_path else {
            return Ok(());
        };
        if core.file_refused {
            return Err(PublishError::Conflict(format!(
                "{} holds a change that was refused; fix or revert it first",
                path.display()
            )));
        }
        let on_disk: Option<[u8; 32]> = fs::read(path).ok().map(|b| Sha256::digest(b).into());
        if on_disk != core.file_hash {
            return Err(PublishError::Conflict(format!(
                "{} changed on disk and is about to be published; retry after it is",
                path.display()
            )));
        }
        Ok(())
    }
}
