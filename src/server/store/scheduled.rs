//! The `scheduled` table: changes stored to be applied at an instant. A replica claims a due
//! change inside the transaction that applies it (`state` goes from `pending` to `applied`
//! only if it still is `pending`), so however many replicas see it due, it is applied once.

use super::{bump, StoreResult, Tx};
use sqlx::AnyPool;

/// A scheduled change as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScheduledRow {
    /// Its number.
    pub(crate) id: i64,
    /// The environment it changes.
    pub(crate) environment: String,
    /// `flag` or `segment`.
    pub(crate) kind: String,
    /// The definition's key.
    pub(crate) key: String,
    /// `create`, `replace`, `patch`, `kill` or `archive`.
    pub(crate) action: String,
    /// The request body it carries (a document or a patch; `null` for kill and archive).
    pub(crate) body: String,
    /// When it is due, ms since the Unix epoch.
    pub(crate) due_at: i64,
    /// The token that scheduled it.
    pub(crate) created_by: String,
    /// When it was scheduled, ms.
    pub(crate) created_at: i64,
    /// `pending`, `applied`, `cancelled` or `failed`.
    pub(crate) state: String,
    /// What happened: the version that carries it, or why it failed.
    pub(crate) result: Option<String>,
}

/// A row as sqlx reads it.
type Raw = (
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    String,
    Option<String>,
);

/// The columns, in [`Raw`]'s order.
macro_rules! columns {
    () => {
        "id, environment, kind, key, action, body, due_at, created_by, created_at, state, result"
    };
}

/// Decodes a row.
fn decode(r: Raw) -> ScheduledRow {
    ScheduledRow {
        id: r.0,
        environment: r.1,
        kind: r.2,
        key: r.3,
        action: r.4,
        body: r.5,
        due_at: r.6,
        created_by: r.7,
        created_at: r.8,
        state: r.9,
        result: r.10,
    }
}

/// Stores a new pending change; answers its id.
pub(crate) async fn insert(pool: &AnyPool, row: &ScheduledRow) -> StoreResult<i64> {
    let mut tx = pool.begin().await?;
    let id = bump(&mut tx, "scheduled").await?;
    sqlx::query(concat!(
        "INSERT INTO scheduled (",
        columns!(),
        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', NULL)"
    ))
    .bind(id)
    .bind(&row.environment)
    .bind(&row.kind)
    .bind(&row.key)
    .bind(&row.action)
    .bind(&row.body)
    .bind(row.due_at)
    .bind(&row.created_by)
    .bind(row.created_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The changes of `environment`, newest due first (`pending` only, or every state).
pub(crate) async fn list(
    pool: &AnyPool,
    environment: &str,
    pending_only: bool,
) -> StoreResult<Vec<ScheduledRow>> {
    let rows: Vec<Raw> = sqlx::query_as(concat!(
        "SELECT ", columns!(), " FROM scheduled WHERE environment = $1 AND (state = 'pending' OR $2 = 0) ORDER BY due_at, id"
    ))
    .bind(environment)
    .bind(i64::from(pending_only))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(decode).collect())
}

/// The pending changes due at `now`, oldest first.
pub(crate) async fn due(pool: &AnyPool, now: i64) -> StoreResult<Vec<ScheduledRow>> {
    let rows: Vec<Raw> = sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM scheduled WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at, id"
    ))
    .bind(now)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(decode).collect())
}

/// Marks change `id` as applied in `tx` (the transaction that applies it); `false` when it
/// is no longer pending (another replica applied it, or it was cancelled).
pub(crate) async fn claim(tx: &mut Tx, id: i64, result: &str) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE scheduled SET state = 'applied', result = $2 WHERE id = $1 AND state = 'pending'",
    )
    .bind(id)
    .bind(result)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the result of change `id` (claimed in `tx`).
pub(crate) async fn claim_result(tx: &mut Tx, id: i64, result: &str) -> StoreResult<()> {
    sqlx::query("UPDATE scheduled SET result = $2 WHERE id = $1")
        .bind(id)
        .bind(result)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves pending change `id` of `environment` to `state` (`cancelled`, `failed`) with
/// `result`; `false` when it is not pending.
pub(crate) async fn finish(
    pool: &AnyPool,
    environment: &str,
    id: i64,
    state: &str,
    result: &str,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE scheduled SET state = $3, result = $4 WHERE id = $1 AND environment = $2 AND state = 'pending'",
    )
    .bind(id)
    .bind(environment)
    .bind(state)
    .bind(result)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
