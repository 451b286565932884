//! The tenant query on PostgreSQL, through sqlx's PostgreSQL driver: booleans, integers,
//! floats, text and JSON by their types (anything else is refused, naming the column and a
//! cast that works), and the statement triggers that make a change of a table the query reads
//! re-publish at once.

use super::flags::ColumnKind;
use super::{Cell, Described, CHANNEL};
use edgeflag::unstable::json::parse;
use edgeflag::{Limits, Number, Value};
use sqlx::postgres::{PgPoolOptions, PgRow};
use sqlx::{
    AssertSqlSafe, Column as _, Executor as _, PgPool, Row as _, SqlSafeStr as _, TypeInfo as _,
    ValueRef as _,
};

/// A small pool on the store's database.
pub(super) async fn connect(url: &str) -> Result<PgPool, String> {
    PgPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .map_err(|e| format!("--tenant-flags: cannot connect: {e}"))
}

/// The kind a PostgreSQL type gives, or why it cannot be a flag column.
fn kind(name: &str, type_name: &str) -> Result<ColumnKind, String> {
    match type_name {
        "BOOL" => Ok(ColumnKind::Bool),
        "INT2" | "INT4" | "INT8" | "FLOAT4" | "FLOAT8" => Ok(ColumnKind::Number),
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "CHAR" => Ok(ColumnKind::Text),
        "JSON" | "JSONB" => Ok(ColumnKind::Json),
        other => Err(format!(
            "column {name}: type {other} is not a flag value (cast it: {name}::float8, {name}::text or {name}::jsonb)"
        )),
    }
}

/// Runs `sql`: the columns and every row's cells.
pub(super) async fn run(
    pool: &PgPool,
    sql: &str,
) -> Result<(Vec<Described>, Vec<Vec<Cell>>), String> {
    let described = pool
        .describe(AssertSqlSafe(sql.to_owned()).into_sql_str())
        .await
        .map_err(|e| e.to_string())?;
    let mut columns = Vec::new();
    for (i, column) in described.columns().iter().enumerate() {
        let type_name = column.type_info().name();
        // The tenant key may be text or an integer; the flags are checked by kind.
        let kind = if i == 0 {
            None
        } else {
            Some(kind(column.name(), type_name)?)
        };
        columns.push((column.name().to_owned(), kind));
    }
    let rows: Vec<PgRow> = sqlx::query(AssertSqlSafe(sql.to_owned()))
        .fetch_all(pool)
        .await
        .map_err(|e| e.to_string())?;
    let cells = rows
        .iter()
        .map(|row| (0..columns.len()).map(|i| cell(row, i)).collect())
        .collect();
    Ok((columns, cells))
}

/// Cell `i` as JSON.
fn cell(row: &PgRow, i: usize) -> Cell {
    let raw = row.try_get_raw(i).ok()?;
    if raw.is_null() {
        return None;
    }
    let type_name = raw.type_info().name().to_owned();
    match type_name.as_str() {
        "BOOL" => row.try_get::<bool, _>(i).ok().map(Value::Bool),
        "INT2" => row
            .try_get::<i16, _>(i)
            .ok()
            .map(|n| Value::Number(Number::from_i64(n.into()))),
        "INT4" => row
            .try_get::<i32, _>(i)
            .ok()
            .map(|n| Value::Number(Number::from_i64(n.into()))),
        "INT8" => row
            .try_get::<i64, _>(i)
            .ok()
            .map(|n| Value::Number(Number::from_i64(n))),
        "FLOAT4" => row
            .try_get::<f32, _>(i)
            .ok()
            .map(|f| Value::Number(Number::from_f64(f.into()))),
        "FLOAT8" => row
            .try_get::<f64, _>(i)
            .ok()
            .map(|f| Value::Number(Number::from_f64(f))),
        "JSON" | "JSONB" => {
            // Binary results: JSONB carries a version byte (1) before the text; JSON is text.
            let bytes = raw.as_bytes().ok()?;
            let text = if type_name == "JSONB" {
                bytes.get(1..)?
            } else {
                bytes
            };
            parse(text, &Limits::default().json()).ok()
        }
        _ => row
            .try_get::<String, _>(i)
            .ok()
            .map(|s| Value::from(s.as_str())),
    }
}

/// A statement trigger on every table the query reads, notifying [`CHANNEL`] (the tables are
/// found through a temporary view's dependencies); answers the tables.
pub(super) async fn install_triggers(pool: &PgPool, sql: &str) -> Result<Vec<String>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    conn.execute(AssertSqlSafe(format!(
        "CREATE TEMPORARY VIEW edgeflag_tenant_probe AS {sql}"
    )))
    .await?;
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT d.refobjid::regclass::text FROM pg_depend d \
         JOIN pg_rewrite r ON d.objid = r.oid \
         JOIN pg_class c ON c.oid = d.refobjid \
         WHERE r.ev_class = 'edgeflag_tenant_probe'::regclass \
           AND d.refobjid <> r.ev_class AND c.relkind IN ('r', 'p')",
    )
    .fetch_all(&mut *conn)
    .await?;
    conn.execute("DROP VIEW edgeflag_tenant_probe").await?;
    conn.execute(AssertSqlSafe(format!(
        "CREATE OR REPLACE FUNCTION edgeflag_tenant_notify() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$"
    )))
    .await?;
    for (table,) in &tables {
        // `regclass::text` quotes the name where it needs quoting.
        conn.execute(AssertSqlSafe(format!(
            "DROP TRIGGER IF EXISTS edgeflag_tenant_notify ON {table}"
        )))
        .await?;
        conn.execute(AssertSqlSafe(format!(
            "CREATE TRIGGER edgeflag_tenant_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE \
             ON {table} FOR EACH STATEMENT EXECUTE FUNCTION edgeflag_tenant_notify()"
        )))
        .await?;
    }
    Ok(tables.into_iter().map(|(t,)| t).collect())
}
