//! The `environments` table: one row per environment, its version sequence and the members
//! of its document other than flags and segments.

use super::{StoreResult, Tx};
use crate::document::{parse_json, Header};
use sqlx::AnyPool;

/// One environment as stored.
#[derive(Clone, Debug)]
pub(crate) struct EnvironmentRow {
    /// Its name (`production`).
    pub(crate) name: String,
    /// The owner its snapshots name.
    pub(crate) owner: String,
    /// The document's other members (schema, owner, environment, ...).
    pub(crate) header: Header,
    /// The last version reserved.
    pub(crate) last_version: u64,
}

/// A row as sqlx reads it.
type Raw = (String, String, String, i64);

/// Decodes a row.
fn decode((name, owner, header, last_version): Raw) -> StoreResult<EnvironmentRow> {
    let header =
        Header::from_value(parse_json(header.as_bytes()).map_err(super::StoreError::Failed)?)
            .map_err(|e| super::StoreError::Failed(format!("environment {name}: header: {e}")))?;
    Ok(EnvironmentRow {
        name,
        owner,
        header,
        last_version: u64::try_from(last_version).unwrap_or(0),
    })
}

/// Every environment, in the order they were created.
pub(crate) async fn list(pool: &AnyPool) -> StoreResult<Vec<EnvironmentRow>> {
    let rows: Vec<Raw> = sqlx::query_as(
        "SELECT name, owner, header, last_version FROM environments ORDER BY position, name",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(decode).collect()
}

/// Creates an environment (inside `tx`); `last_version` floors its sequence.
pub(crate) async fn insert(tx: &mut Tx, row: &EnvironmentRow, now: i64) -> StoreResult<()> {
    let position: (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(position), 0) + 1 FROM environments")
            .fetch_one(&mut **tx)
            .await?;
    sqlx::query(
        "INSERT INTO environments (name, position, owner, header, last_version, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&row.name)
    .bind(position.0)
    .bind(&row.owner)
    .bind(row.header.to_value().to_json())
    .bind(i64::try_from(row.last_version).unwrap_or(i64::MAX))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Locks the environment's row for the rest of `tx` and reserves its next version:
/// `max(last + 1, now)`, so versions also stay above the clock in ms (what a client stored
/// from a server that had no database before is never higher). `None`: no such environment.
pub(crate) async fn reserve_version(
    tx: &mut Tx,
    name: &str,
    now: i64,
) -> StoreResult<Option<EnvironmentRow>> {
    let row: Option<Raw> = sqlx::query_as(
        "UPDATE environments SET last_version = \
           CASE WHEN last_version + 1 > $2 THEN last_version + 1 ELSE $2 END \
         WHERE name = $1 RETURNING name, owner, header, last_version",
    )
    .bind(name)
    .bind(now.max(0))
    .fetch_optional(&mut **tx)
    .await?;
    row.map(decode).transpose()
}

/// Replaces the environment's header (inside `tx`, after [`reserve_version`] locked it).
pub(crate) async fn set_header(tx: &mut Tx, name: &str, header: &Header) -> StoreResult<()> {
    sqlx::query("UPDATE environments SET header = $2 WHERE name = $1")
        .bind(name)
        .bind(header.to_value().to_json())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
