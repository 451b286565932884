//! The store: every environment's flags and segments, the signed snapshots, the audit trail,
//! admin tokens and scheduled changes, in SQLite (embedded, bundled) or PostgreSQL (shared by
//! replicas), behind one interface.
//!
//! Both databases run the same SQL through sqlx's `Any` driver (placeholders `$1`, `$2`, ...;
//! BIGINT and TEXT only), and the same embedded, versioned migrations (`migrations/`), applied
//! at start-up. Every write is one transaction that begins by locking what it orders (the
//! environment's row, then the audit counter, always in that order, so replicas never
//! deadlock): versions come from the database, so they increase strictly across replicas and
//! restarts, and a rolled-back change costs no version.

pub(crate) mod audit;
pub(crate) mod definitions;
pub(crate) mod environments;
pub(crate) mod events;
pub(crate) mod plans;
pub(crate) mod scheduled;
pub(crate) mod snapshots;
pub(crate) mod tokens;

pub(crate) use audit::AuditFilter;
pub(crate) use definitions::{Definition, Kind};
pub(crate) use environments::EnvironmentRow;
pub(crate) use scheduled::ScheduledRow;
pub(crate) use snapshots::SnapshotRow;
pub(crate) use tokens::{Role, TokenRow};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// The PostgreSQL channel a replica notifies after it publishes (payload: the environment).
pub(crate) const CHANNEL: &str = "edgeflag_snapshots";

/// A transaction on the store.
pub(crate) type Tx = Transaction<'static, Any>;

/// Which database the store is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SQLite: a file, or memory.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Where the store is, as `--database` names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Location {
    /// `sqlite:PATH`.
    SqliteFile(std::path::PathBuf),
    /// Nothing given: SQLite in memory, gone at exit.
    Memory,
    /// `postgres://...` or `postgresql://...`.
    Postgres(String),
}

impl Location {
    /// Parses `--database`: `sqlite:PATH`, `postgres://...`, `postgresql://...`.
    pub(crate) fn parse(text: &str) -> Result<Location, String> {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Location::Postgres(text.to_owned()));
        }
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() || path.starts_with(':') || path.contains('?') {
                return Err("expected sqlite:PATH (a file; the server picks the options)".into());
            }
            return Ok(Location::SqliteFile(path.into()));
        }
        Err("expected sqlite:PATH or postgres://USER@HOST:PORT/DATABASE".into())
    }

    /// How the location is shown (a PostgreSQL password is not).
    pub(crate) fn display(&self) -> String {
        match self {
            Location::SqliteFile(path) => format!("sqlite:{}", path.display()),
            Location::Memory => "SQLite in memory".to_owned(),
            Location::Postgres(url) => redact(url),
        }
    }
}

/// A URL without its password.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((user, host)) => {
            let user = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}@{host}")
        }
        None => url.to_owned(),
    }
}

/// Why the store did not do what was asked.
#[derive(Debug)]
pub(crate) enum StoreError {
    /// The database cannot be reached (or timed out): writes get 503, and replicas keep
    /// serving what they have.
    Unavailable(String),
    /// A constraint refused the write (a key that exists, a race lost to another replica).
    Conflict(String),
    /// Anything else the database said.
    Failed(String),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unavailable(m) => write!(f, "database unavailable: {m}"),
            StoreError::Conflict(m) | StoreError::Failed(m) => f.write_str(m),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(error.to_string()),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_owned())
            }
            // PostgreSQL's serialization failures, deadlocks, lock and statement timeouts,
            // shutdowns and lost connections; SQLite's busy and locked database.
            sqlx::Error::Database(db)
                if db.code().is_some_and(|c| {
                    matches!(
                        &*c,
                        "40001"
                            | "40P01"
                            | "55P03"
                            | "57014"
                            | "57P01"
                            | "57P02"
                            | "57P03"
                            | "5"
                            | "6"
                            | "517"
                            | "261"
                            | "262"
                    ) || c.starts_with("08")
                }) =>
            {
                StoreError::Unavailable(db.message().to_owned())
            }
            _ => StoreError::Failed(error.to_string()),
        }
    }
}

/// Result of a store operation.
pub(crate) type StoreResult<T> = Result<T, StoreError>;

/// The store.
#[derive(Clone, Debug)]
pub(crate) struct Store {
    /// The connections.
    pool: AnyPool,
    /// Which database.
    dialect: Dialect,
    /// Where, for messages.
    location: Location,
}

/// How long a request waits for a connection before the store counts as unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

impl Store {
    /// Connects and applies the migrations this build has not applied yet.
    pub(crate) async fn open(location: Location) -> Result<Store, String> {
        sqlx::any::install_default_drivers();
        let (url, dialect, max) = match &location {
            Location::SqliteFile(path) => (
                format!("sqlite://{}?mode=rwc", path.display()),
                Dialect::Sqlite,
                4,
            ),
            // One connection: every connection to `:memory:` would be a database of its own.
            Location::Memory => ("sqlite::memory:".to_owned(), Dialect::Sqlite, 1),
            Location::Postgres(url) => (url.clone(), Dialect::Postgres, 8),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(|e| e.to_string())?;
        let mut pool_options = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(ACQUIRE_TIMEOUT);
        if location == Location::Memory {
            // The one connection *is* the database: it must never be closed for age or
            // idleness (a new one would open an empty database).
            pool_options = pool_options
                .min_connections(1)
                .max_lifetime(None)
                .idle_timeout(None);
        }
        let pool = pool_options
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if dialect == Dialect::Postgres {
                        // A replica whose connection hangs mid-transaction must not hold an
                        // environment's row for ever: the others answer 503 rather than wait.
                        sqlx::query("SET lock_timeout = '5s'")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("SET statement_timeout = '30s'")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("SET idle_in_transaction_session_timeout = '30s'")
                            .execute(&mut *conn)
                            .await?;
                    }
                    if dialect == Dialect::Sqlite {
                        // WAL: readers never wait for the writer; a writer waits for another
                        // (rather than failing) for up to five seconds.
                        sqlx::query("PRAGMA journal_mode = WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout = 5000")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA foreign_keys = ON")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA synchronous = FULL")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| format!("cannot connect: {e}"))?;
        sqlx::migrate!("store/migrations")
            .run(&pool)
            .await
            .map_err(|e| format!("cannot apply the schema migrations: {e}"))?;
        Ok(Store {
            pool,
            dialect,
            location,
        })
    }

    /// Which database this is.
    pub(crate) fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Where the store is, for messages.
    pub(crate) fn location(&self) -> &Location {
        &self.location
    }

    /// The connection pool (for reads outside a transaction).
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction.
    pub(crate) async fn begin(&self) -> StoreResult<Tx> {
        Ok(self.pool.begin().await?)
    }

    /// Tells the other replicas (PostgreSQL) that `environment` has a new snapshot; they
    /// receive it when `tx` commits. SQLite has no other replicas to tell.
    pub(crate) async fn notify(&self, tx: &mut Tx, environment: &str) -> StoreResult<()> {
        if self.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(environment)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Closes every connection.
    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

/// Bumps counter `name` inside `tx` and answers its new value (the bump locks the row until
/// the transaction ends, ordering whatever the counter numbers).
pub(crate) async fn bump(tx: &mut Tx, name: &str) -> StoreResult<i64> {
    let row: (i64,) =
        sqlx::query_as("UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value")
            .bind(name)
            .fetch_one(&mut **tx)
            .await?;
    Ok(row.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_urls_parse_and_passwords_are_not_shown() {
        assert_eq!(
            Location::parse("sqlite:/var/lib/edgeflag.db"),
            Ok(Location::SqliteFile("/var/lib/edgeflag.db".into()))
        );
        assert!(Location::parse("sqlite::memory:").is_err());
        assert!(Location::parse("mysql://x").is_err());
        let pg = Location::parse("postgres://app:secret@db:5432/flags").unwrap();
        assert_eq!(pg.display(), "postgres://app@db:5432/flags");
    }
}
