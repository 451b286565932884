//! The `snapshots` table: every signed envelope, exactly as served.

use super::{StoreResult, Tx};
use sqlx::{Any, Executor};

/// A signed snapshot as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SnapshotRow {
    /// Its environment.
    pub(crate) environment: String,
    /// Its version.
    pub(crate) version: u64,
    /// The envelope JSON.
    pub(crate) envelope: String,
    /// Its strong ETag.
    pub(crate) etag: String,
    /// The keyid of the key that signed it.
    pub(crate) keyid: String,
    /// `issuedAt`, ms.
    pub(crate) issued_at: i64,
    /// `expiresAt`, ms.
    pub(crate) expires_at: i64,
    /// When it was signed, ms.
    pub(crate) published_at: i64,
}

/// A row as sqlx reads it.
type Raw = (String, i64, String, String, String, i64, i64, i64);

/// Stores a signed snapshot, inside the transaction that reserved its version.
pub(crate) async fn insert(tx: &mut Tx, row: &SnapshotRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO snapshots \
           (environment, version, envelope, etag, keyid, issued_at, expires_at, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&row.environment)
    .bind(i64::try_from(row.version).unwrap_or(i64::MAX))
    .bind(&row.envelope)
    .bind(&row.etag)
    .bind(&row.keyid)
    .bind(row.issued_at)
    .bind(row.expires_at)
    .bind(row.published_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The newest snapshot of `environment`, if it has one.
pub(crate) async fn latest<'e, E>(
    executor: E,
    environment: &str,
) -> StoreResult<Option<SnapshotRow>>
where
    E: Executor<'e, Database = Any>,
{
    let row: Option<Raw> = sqlx::query_as(
        "SELECT environment, version, envelope, etag, keyid, issued_at, expires_at, published_at \
         FROM snapshots WHERE environment = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(environment)
    .fetch_optional(executor)
    .await?;
    Ok(row.map(
        |(environment, version, envelope, etag, keyid, issued_at, expires_at, published_at)| {
            SnapshotRow {
                environment,
                version: u64::try_from(version).unwrap_or(0),
                envelope,
                etag,
                keyid,
                issued_at,
                expires_at,
                published_at,
            }
        },
    ))
}

/// The newest version of every environment that has a snapshot (what a replica compares
/// with what it serves).
pub(crate) async fn newest_versions<'e, E>(executor: E) -> StoreResult<Vec<(String, u64)>>
where
    E: Executor<'e, Database = Any>,
{
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT environment, MAX(version) FROM snapshots GROUP BY environment")
            .fetch_all(executor)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(env, v)| (env, u64::try_from(v).unwrap_or(0)))
        .collect())
}
