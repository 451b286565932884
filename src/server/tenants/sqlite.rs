//! The tenant query on SQLite, through sqlx's SQLite driver (the store's `Any` driver has no
//! booleans): declared types give the kinds; expressions, which have none, are typed by
//! their values.

use super::flags::ColumnKind;
use super::{Cell, Described};
use edgeflag::{Number, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions, SqliteRow};
use sqlx::{
    AssertSqlSafe, Column as _, Executor as _, Row as _, SqlSafeStr as _, SqlitePool,
    TypeInfo as _, ValueRef as _,
};
use std::path::Path;

/// A small read-only pool on the store's file.
pub(super) async fn connect(path: &Path) -> Result<SqlitePool, String> {
    let options = SqliteConnectOptions::new().filename(path).read_only(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| format!("--tenant-flags: cannot open {}: {e}", path.display()))
}

/// The kind a declared type gives (`None`: no declared type, or one SQLite's affinity rules
/// leave open).
fn kind(declared: &str) -> Option<ColumnKind> {
    match declared.to_ascii_uppercase().as_str() {
        "BOOLEAN" | "BOOL" => Some(ColumnKind::Bool),
        "INTEGER" | "INT" | "BIGINT" | "REAL" | "FLOAT" | "DOUBLE" | "NUMERIC" => {
            Some(ColumnKind::Number)
        }
        "JSON" | "JSONB" => Some(ColumnKind::Json),
        _ => None,
    }
}

/// Runs `sql`: the columns and every row's cells.
pub(super) async fn run(
    pool: &SqlitePool,
    sql: &str,
) -> Result<(Vec<Described>, Vec<Vec<Cell>>), String> {
    let described = pool
        .describe(AssertSqlSafe(sql.to_owned()).into_sql_str())
        .await
        .map_err(|e| e.to_string())?;
    let columns: Vec<Described> = described
        .columns()
        .iter()
        .map(|c| (c.name().to_owned(), kind(c.type_info().name())))
        .collect();
    let rows: Vec<SqliteRow> = sqlx::query(AssertSqlSafe(sql.to_owned()))
        .fetch_all(pool)
        .await
        .map_err(|e| e.to_string())?;
    let cells = rows
        .iter()
        .map(|row| (0..columns.len()).map(|i| cell(row, i)).collect())
        .collect();
    Ok((columns, cells))
}

/// Cell `i` as JSON, by the value's own storage class.
fn cell(row: &SqliteRow, i: usize) -> Cell {
    let raw = row.try_get_raw(i).ok()?;
    if raw.is_null() {
        return None;
    }
    match raw.type_info().name() {
        "INTEGER" | "BOOLEAN" => row
            .try_get::<i64, _>(i)
            .ok()
            .map(|n| Value::Number(Number::from_i64(n))),
        "REAL" => row
            .try_get::<f64, _>(i)
            .ok()
            .map(|f| Value::Number(Number::from_f64(f))),
        _ => row
            .try_get::<String, _>(i)
            .ok()
            .map(|s| Value::from(s.as_str())),
    }
}
