//! The server's shared state: the store, each environment's signing key and the snapshot it
//! serves, the admin tokens, and what `GET /admin/status` reports. Changes go through
//! [`change`](crate::change); replicas learn of each other's through [`sync`](crate::sync).

use crate::events::{Catalogs, IngestSettings};
use crate::publisher::{Published, Publisher};
use crate::store::{Store, TokenRow};
use crate::tenants::TenantQuery;
use crate::throttle::AuthThrottle;
use crate::token::OperatorToken;
use edgeflag::envelope::SigningKey;
use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;
use tokio::sync::watch;

/// A change that was refused, for `GET /admin/status`.
#[derive(Clone, Debug)]
pub(crate) struct Refusal {
    /// When, ms since the Unix epoch.
    pub(crate) at: i64,
    /// `file`, `admin` or `schedule`.
    pub(crate) source: &'static str,
    /// The environment.
    pub(crate) environment: String,
    /// The load error.
    pub(crate) error: String,
}

/// One environment this server serves.
#[derive(Debug)]
pub(crate) struct Environment {
    /// Its name.
    pub(crate) name: String,
    /// Its signing key.
    pub(crate) key: SigningKey,
    /// The snapshot being served, to every subscriber.
    published: watch::Sender<Arc<Published>>,
}

impl Environment {
    /// An environment serving `current`.
    pub(crate) fn new(name: String, key: SigningKey, current: Published) -> Environment {
        let (published, _) = watch::channel(Arc::new(current));
        Environment {
            name,
            key,
            published,
        }
    }

    /// The snapshot being served.
    pub(crate) fn current(&self) -> Arc<Published> {
        self.published.borrow().clone()
    }

    /// A receiver that sees every snapshot published from now on.
    pub(crate) fn subscribe(&self) -> watch::Receiver<Arc<Published>> {
        self.published.subscribe()
    }

    /// Serves `published` if it is newer than what is served (a replica may learn of a
    /// version from its own write and from the database; the older never replaces the newer).
    pub(crate) fn offer(&self, published: Published) -> bool {
        self.published.send_if_modified(|current| {
            if published.version > current.version {
                *current = Arc::new(published);
                true
            } else {
                false
            }
        })
    }
}

/// The `--flags` file, when the default environment's document comes from one.
#[derive(Debug, Default)]
pub(crate) struct FlagsFile {
    /// SHA-256 of the file as the server last read or wrote it: a file with this hash holds
    /// nothing new (the watcher ignores the server's own writes).
    pub(crate) hash: Option<[u8; 32]>,
    /// The file holds a change that was refused.
    pub(crate) refused: bool,
}

/// Whether the store answers, for `GET /admin/status` and for refusing writes fast.
#[derive(Clone, Debug, Default)]
pub(crate) struct Health {
    /// The last error, and since when it lasts (ms); `None`: the store answers.
    pub(crate) outage: Option<(String, i64)>,
}

/// Everything the tasks and routes share.
#[derive(Debug)]
pub(crate) struct App {
    /// The store.
    pub(crate) store: Store,
    /// The environments served, the default first.
    pub(crate) environments: Vec<Environment>,
    /// Signs documents.
    pub(crate) publisher: Publisher,
    /// `--flags`: the default environment's document comes from this file.
    pub(crate) flags_path: Option<PathBuf>,
    /// The state of the `--flags` file.
    pub(crate) flags_file: Mutex<FlagsFile>,
    /// The operator's token (`--admin-token`, or generated), an admin that is never stored.
    pub(crate) operator: Option<OperatorToken>,
    /// The stored tokens, refreshed from the store (so authentication survives an outage).
    pub(crate) tokens: RwLock<Vec<TokenRow>>,
    /// One change at a time in this process (the database orders replicas).
    pub(crate) writer: tokio::sync::Mutex<()>,
    /// Whether the store answers.
    pub(crate) health: Mutex<Health>,
    /// The last refused change.
    pub(crate) last_refused: Mutex<Option<Refusal>>,
    /// Open stream connections.
    pub(crate) subscribers: AtomicUsize,
    /// The most streams open at once (`--max-subscribers`).
    pub(crate) max_subscribers: usize,
    /// Failed admin authentications per client address.
    pub(crate) auth_throttle: AuthThrottle,
    /// `--tenant-flags` and `--tenant-poll`.
    pub(crate) tenants: Option<(TenantQuery, Duration)>,
    /// Signs the admin UI's "Try it" envelopes: made at start, in memory only, trusted by no
    /// client of any environment (only the UI's own evaluator pins it).
    pub(crate) preview_key: SigningKey,
    /// The ingest route's key and windows.
    pub(crate) ingest: IngestSettings,
    /// Each environment's flags and variants as of its served version, for checking events.
    pub(crate) catalogs: Catalogs,
    /// How often rollout plans and guards are checked.
    pub(crate) guard_interval: Duration,
    /// Becomes `true` when the server is shutting down.
    shutdown: watch::Sender<bool>,
}

/// What [`App::new`] needs besides the environments.
#[derive(Debug)]
pub(crate) struct Settings {
    /// `--flags`.
    pub(crate) flags_path: Option<PathBuf>,
    /// The `--flags` file's hash as loaded.
    pub(crate) flags_hash: Option<[u8; 32]>,
    /// The operator's token.
    pub(crate) operator: Option<OperatorToken>,
    /// `--max-subscribers`.
    pub(crate) max_subscribers: usize,
    /// `--max-auth-failures`.
    pub(crate) max_auth_failures: u32,
    /// `--tenant-flags` and `--tenant-poll`.
    pub(crate) tenants: Option<(TenantQuery, Duration)>,
    /// The "Try it" key.
    pub(crate) preview_key: SigningKey,
    /// The ingest route's key and windows.
    pub(crate) ingest: IngestSettings,
    /// `--guard-interval`.
    pub(crate) guard_interval: Duration,
}

impl App {
    /// The shared state.
    pub(crate) fn new(
        store: Store,
        environments: Vec<Environment>,
        publisher: Publisher,
        tokens: Vec<TokenRow>,
        settings: Settings,
    ) -> Arc<App> {
        let (shutdown, _) = watch::channel(false);
        Arc::new(App {
            store,
            environments,
            publisher,
            flags_path: settings.flags_path,
            flags_file: Mutex::new(FlagsFile {
                hash: settings.flags_hash,
                refused: false,
            }),
            operator: settings.operator,
            tokens: RwLock::new(tokens),
            writer: tokio::sync::Mutex::new(()),
            health: Mutex::new(Health::default()),
            last_refused: Mutex::new(None),
            subscribers: AtomicUsize::new(0),
            max_subscribers: settings.max_subscribers,
            auth_throttle: AuthThrottle::new(settings.max_auth_failures),
            tenants: settings.tenants,
            preview_key: settings.preview_key,
            ingest: settings.ingest,
            catalogs: Catalogs::default(),
            guard_interval: settings.guard_interval,
            shutdown,
        })
    }

    /// The default environment (the first of `--environments`): what `/snapshot` and the
    /// `/admin/flags` routes serve.
    pub(crate) fn default_environment(&self) -> Option<&Environment> {
        self.environments.first()
    }

    /// Environment `name`, if served.
    pub(crate) fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    /// A receiver that turns `true` when the server shuts down.
    pub(crate) fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Starts the shutdown: streams end, tasks stop, the server stops accepting.
    pub(crate) fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// The `--flags` file's state.
    pub(crate) fn flags_file(&self) -> MutexGuard<'_, FlagsFile> {
        self.flags_file
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Records whether the store answered (`Err`: what it said), at `now`.
    pub(crate) fn record_health(&self, result: Result<(), &str>, now: i64) {
        let mut health = self.health.lock().unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok(()) => {
                if let Some((_, since)) = health.outage.take() {
                    crate::log(&format!(
                        "database available again (after {} s)",
                        (now - since) / 1_000
                    ));
                }
            }
            Err(error) => {
                let since = health.outage.as_ref().map_or(now, |(_, since)| *since);
                if health.outage.is_none() {
                    crate::log(&format!(
                        "database unavailable: {error}; serving the last signed snapshots"
                    ));
                }
                health.outage = Some((error.to_owned(), since));
            }
        }
    }

    /// What the store's health is.
    pub(crate) fn health(&self) -> Health {
        self.health
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Records a refused change.
    pub(crate) fn refuse(&self, refusal: Refusal) {
        *self
            .last_refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(refusal);
    }
}
