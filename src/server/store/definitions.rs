//! The `definitions` table: flags and segments, one row each.

use super::{StoreResult, Tx};
use crate::document::parse_json;
pub(crate) use crate::document::Kind;
use edgeflag::Value;
use sqlx::{Any, Executor};

/// One definition as stored.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Definition {
    /// Flag or segment.
    pub(crate) kind: Kind,
    /// Its key.
    pub(crate) key: String,
    /// Its place in the signed document.
    pub(crate) position: i64,
    /// The document (a JSON object).
    pub(crate) document: Value,
    /// Out of the snapshot, kept for history.
    pub(crate) archived: bool,
    /// When it last changed, ms since the Unix epoch.
    pub(crate) updated_at: i64,
    /// Who changed it last (a token name, `file`, `schedule`, ...).
    pub(crate) updated_by: String,
}

/// A row as sqlx reads it.
type Raw = (String, String, i64, String, i64, i64, String);

/// Every definition of `environment`, flags and segments, in document order; archived ones
/// only with `archived`.
pub(crate) async fn load<'e, E>(
    executor: E,
    environment: &str,
    archived: bool,
) -> StoreResult<Vec<Definition>>
where
    E: Executor<'e, Database = Any>,
{
    let rows: Vec<Raw> = sqlx::query_as(
        "SELECT kind, key, position, document, archived, updated_at, updated_by \
         FROM definitions WHERE environment = $1 AND (archived = 0 OR $2 = 1) \
         ORDER BY kind, position, key",
    )
    .bind(environment)
    .bind(i64::from(archived))
    .fetch_all(executor)
    .await?;
    rows.into_iter()
        .map(
            |(kind, key, position, document, archived, updated_at, updated_by)| {
                Ok(Definition {
                    kind: if kind == "segment" {
                        Kind::Segment
                    } else {
                        Kind::Flag
                    },
                    key,
                    position,
                    document: parse_json(document.as_bytes()).map_err(super::StoreError::Failed)?,
                    archived: archived != 0,
                    updated_at,
                    updated_by,
                })
            },
        )
        .collect()
}

/// One definition's row as stored, its document as the stored JSON text (for listings, which
/// pass the text through rather than parse and write it again).
#[derive(Clone, Debug)]
pub(crate) struct RawDefinition {
    /// Its key.
    pub(crate) key: String,
    /// The document's JSON text, as the server wrote it.
    pub(crate) document: String,
    /// Out of the snapshot.
    pub(crate) archived: bool,
    /// When it last changed, ms.
    pub(crate) updated_at: i64,
    /// Who changed it last.
    pub(crate) updated_by: String,
}

/// The definitions of one kind, as stored, in document order.
pub(crate) async fn load_raw(
    pool: &sqlx::AnyPool,
    environment: &str,
    kind: Kind,
    archived: bool,
) -> StoreResult<Vec<RawDefinition>> {
    let rows: Vec<(String, String, i64, i64, String)> = sqlx::query_as(
        "SELECT key, document, archived, updated_at, updated_by FROM definitions \
         WHERE environment = $1 AND kind = $2 AND (archived = 0 OR $3 = 1) ORDER BY position, key",
    )
    .bind(environment)
    .bind(kind.as_str())
    .bind(i64::from(archived))
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(key, document, archived, updated_at, updated_by)| RawDefinition {
                key,
                document,
                archived: archived != 0,
                updated_at,
                updated_by,
            },
        )
        .collect())
}

/// Writes `definition` (inserted, or replacing the stored one), inside `tx`.
pub(crate) async fn save(
    tx: &mut Tx,
    environment: &str,
    definition: &Definition,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO definitions \
           (environment, kind, key, position, document, archived, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (environment, kind, key) DO UPDATE SET \
           position = excluded.position, document = excluded.document, \
           archived = excluded.archived, updated_at = excluded.updated_at, \
           updated_by = excluded.updated_by",
    )
    .bind(environment)
    .bind(definition.kind.as_str())
    .bind(&definition.key)
    .bind(definition.position)
    .bind(definition.document.to_json())
    .bind(i64::from(definition.archived))
    .bind(definition.updated_at)
    .bind(&definition.updated_by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
