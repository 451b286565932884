//! The `audit` table: entries appended inside the transaction of the change they describe,
//! each chained to the one before it (the `audit` counter's bump orders them across replicas).

use super::{bump, StoreResult, Tx};
use crate::audit::chain::digest;
use crate::audit::Entry;
use sqlx::AnyPool;

/// Which entries `GET /admin/audit` lists.
#[derive(Clone, Debug, Default)]
pub(crate) struct AuditFilter {
    /// Only this environment's.
    pub(crate) environment: Option<String>,
    /// Only these environments' (a token restricted to some environments sees theirs).
    pub(crate) environments: Option<Vec<String>>,
    /// Only this definition key's.
    pub(crate) flag: Option<String>,
    /// Only this token's.
    pub(crate) token: Option<String>,
    /// Only the newest N.
    pub(crate) limit: Option<u64>,
}

/// One stored entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AuditRow {
    /// Its number.
    pub(crate) seq: u64,
    /// The line as chained.
    pub(crate) line: String,
}

/// Appends `entry` inside `tx`; answers its number.
pub(crate) async fn append(tx: &mut Tx, entry: &Entry<'_>) -> StoreResult<u64> {
    let seq = bump(tx, "audit").await?;
    let prev: Option<(String,)> = sqlx::query_as("SELECT hash FROM audit WHERE seq = $1")
        .bind(seq - 1)
        .fetch_optional(&mut **tx)
        .await?;
    let seq_u = u64::try_from(seq).unwrap_or(0);
    let line = entry.to_line(seq_u, prev.as_ref().map(|p| p.0.as_str()));
    insert(
        tx,
        seq,
        entry.at,
        Some(entry.environment),
        entry.token,
        entry.action,
        entry.key,
        &line,
    )
    .await?;
    Ok(seq_u)
}

/// Stores the lines of an older server's audit log, unchanged, so the chain continues.
pub(crate) async fn import(tx: &mut Tx, lines: &[String], now: i64) -> StoreResult<()> {
    for line in lines {
        let seq = bump(tx, "audit").await?;
        insert(tx, seq, now, None, None, "imported", None, line).await?;
    }
    Ok(())
}

/// Inserts one row.
#[allow(clippy::too_many_arguments)]
async fn insert(
    tx: &mut Tx,
    seq: i64,
    at: i64,
    environment: Option<&str>,
    actor: Option<&str>,
    action: &str,
    flag: Option<&str>,
    line: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit (seq, at, environment, actor, action, flag, line, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq)
    .bind(at)
    .bind(environment)
    .bind(actor)
    .bind(action)
    .bind(flag)
    .bind(line)
    .bind(digest(line.as_bytes()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The entries `filter` selects, oldest first (with a limit, the newest N of them).
pub(crate) async fn list(pool: &AnyPool, filter: &AuditFilter) -> StoreResult<Vec<AuditRow>> {
    let mut sql = String::from("SELECT seq, line FROM audit WHERE 1 = 1");
    let mut binds: Vec<String> = Vec::new();
    let param = |value: &str, binds: &mut Vec<String>| {
        binds.push(value.to_owned());
        format!("${}", binds.len())
    };
    if let Some(env) = &filter.environment {
        let p = param(env, &mut binds);
        sql.push_str(&format!(" AND environment = {p}"));
    }
    if let Some(envs) = &filter.environments {
        let list: Vec<String> = envs.iter().map(|e| param(e, &mut binds)).collect();
        if list.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(&format!(" AND environment IN ({})", list.join(", ")));
        }
    }
    if let Some(flag) = &filter.flag {
        let p = param(flag, &mut binds);
        sql.push_str(&format!(" AND flag = {p}"));
    }
    if let Some(token) = &filter.token {
        let p = param(token, &mut binds);
        sql.push_str(&format!(" AND actor = {p}"));
    }
    sql.push_str(" ORDER BY seq DESC");
    if let Some(limit) = filter.limit {
        sql.push_str(&format!(" LIMIT {}", limit.min(i64::MAX as u64)));
    }
    // Only placeholders and a number are formatted into the text; every value is bound.
    let mut query = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql));
    for value in &binds {
        query = query.bind(value.as_str());
    }
    let mut rows: Vec<AuditRow> = query
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|(seq, line)| AuditRow {
            seq: u64::try_from(seq).unwrap_or(0),
            line,
        })
        .collect();
    rows.reverse();
    Ok(rows)
}
