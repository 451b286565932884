//! Flags from database columns (`--tenant-flags 'SELECT ...'`): the pattern where "a feature
//! flag is a database column". The query returns one row per tenant: the first column is the
//! tenant key, each further column a flag named after the column, targeted by the
//! `--tenant-attribute` context attribute (`tenantId`); see [`flags`] for the documents.
//!
//! The flags are stored like any other (marked `metadata.source: "tenant column"`), so
//! replicas compare the query's result with the store, and a change of the result is
//! published once, as a new version of every environment, audited as `source: "tenants"`.
//! The server re-reads the result every `--tenant-poll`, and on PostgreSQL also at once when
//! a table the query reads changes: it installs a statement trigger on each of them that
//! notifies channel [`CHANNEL`]. Admin changes to these flags are refused (409): the column
//! is their source. A flag defined both ways is refused at start-up, naming the key.

pub(crate) mod flags;

mod postgres;
mod sqlite;

use crate::store::Location;
use edgeflag::unstable::json::parse;
use edgeflag::{Limits, Value};
use flags::{Column, ColumnKind, Row};

/// The PostgreSQL channel the installed triggers notify.
pub(crate) const CHANNEL: &str = "edgeflag_tenants";

/// What `metadata.source` says of a flag made from a column.
pub(crate) const SOURCE: &str = "tenant column";

/// Whether a flag document was made from a column.
pub(crate) fn is_tenant_flag(document: &Value) -> bool {
    document
        .get("metadata")
        .and_then(|m| m.get("source"))
        .and_then(Value::as_str)
        == Some(SOURCE)
}

/// `--tenant-flags` and `--tenant-attribute`, with a connection of the database's own driver
/// (its types: booleans, JSON), separate from the store's.
#[derive(Clone, Debug)]
pub(crate) struct TenantQuery {
    /// The query.
    pub(crate) sql: String,
    /// The context attribute that carries the tenant key.
    pub(crate) attribute: String,
    /// Where it runs.
    source: Source,
}

/// The database the query runs on.
#[derive(Clone, Debug)]
enum Source {
    /// The store's SQLite file.
    Sqlite(sqlx::SqlitePool),
    /// The store's PostgreSQL database.
    Postgres(sqlx::PgPool),
}

/// A cell read by a driver, as JSON (`None`: NULL).
pub(crate) type Cell = Option<Value>;

/// A column read by a driver: its name and kind (`None`: decided by its values).
pub(crate) type Described = (String, Option<ColumnKind>);

impl TenantQuery {
    /// Connects to the store's database for `sql` (an in-memory store has no tables to read).
    pub(crate) async fn connect(
        location: &Location,
        sql: &str,
        attribute: &str,
    ) -> Result<TenantQuery, String> {
        let source = match location {
            Location::SqliteFile(path) => Source::Sqlite(sqlite::connect(path).await?),
            Location::Postgres(url) => Source::Postgres(postgres::connect(url).await?),
            Location::Memory => {
                return Err(
                    "--tenant-flags reads the store's database: give --database or --state"
                        .to_owned(),
                )
            }
        };
        Ok(TenantQuery {
            sql: sql.to_owned(),
            attribute: attribute.to_owned(),
            source,
        })
    }

    /// Runs the query and makes its flags.
    pub(crate) async fn read(&self) -> Result<Vec<(String, Value)>, String> {
        let (columns, rows) = match &self.source {
            Source::Sqlite(pool) => sqlite::run(pool, &self.sql).await,
            Source::Postgres(pool) => postgres::run(pool, &self.sql).await,
        }
        .map_err(|e| format!("--tenant-flags: {e}"))?;
        make(columns, rows, &self.attribute).map_err(|e| format!("--tenant-flags: {e}"))
    }

    /// On PostgreSQL, installs the change triggers (see [`postgres::install_triggers`]);
    /// answers the tables watched.
    pub(crate) async fn install_triggers(&self) -> Result<Vec<String>, String> {
        match &self.source {
            Source::Postgres(pool) => postgres::install_triggers(pool, &self.sql)
                .await
                .map_err(|e| format!("--tenant-flags: installing the change trigger: {e}")),
            Source::Sqlite(_) => Ok(Vec::new()),
        }
    }
}

/// The flags from what a driver read: the tenant key column first, then the flag columns.
fn make(
    columns: Vec<Described>,
    rows: Vec<Vec<Cell>>,
    attribute: &str,
) -> Result<Vec<(String, Value)>, String> {
    if columns.len() < 2 {
        return Err("the query must return the tenant key and at least one flag column".to_owned());
    }
    let mut tenants = Vec::with_capacity(rows.len());
    for row in rows {
        let mut cells = row.into_iter();
        let tenant = match cells.next().flatten() {
            Some(Value::String(key)) => key.to_string(),
            Some(Value::Number(n)) if n.as_i64().is_some() => Value::Number(n).to_json(),
            _ => {
                return Err(
                    "the first column (the tenant key) must be text or an integer, never NULL"
                        .to_owned(),
                )
            }
        };
        tenants.push(Row {
            tenant,
            cells: cells.collect(),
        });
    }
    let columns: Vec<Column> = columns
        .into_iter()
        .enumerate()
        .skip(1)
        .map(|(i, (name, kind))| Column {
            kind: kind.unwrap_or_else(|| kind_of_values(&tenants, i - 1)),
            name,
        })
        .collect();
    for row in &mut tenants {
        for (cell, column) in row.cells.iter_mut().zip(&columns) {
            *cell = cell.take().and_then(|value| convert(value, column.kind));
        }
    }
    flags::tenant_flags(&columns, &tenants, attribute)
}

/// A column's kind from its values (SQLite expressions have no declared type): all booleans,
/// all numbers, all JSON-object text, else text.
fn kind_of_values(rows: &[Row], index: usize) -> ColumnKind {
    let values = || {
        rows.iter()
            .filter_map(move |r| r.cells.get(index).and_then(Option::as_ref))
    };
    let all = |test: fn(&Value) -> bool| values().next().is_some() && values().all(test);
    if all(|v| matches!(v, Value::Bool(_))) {
        ColumnKind::Bool
    } else if all(|v| matches!(v, Value::Number(_))) {
        ColumnKind::Number
    } else if all(|v| v.as_str().is_some_and(is_json_object)) {
        ColumnKind::Json
    } else {
        ColumnKind::Text
    }
}

/// Whether `text` is a JSON object.
fn is_json_object(text: &str) -> bool {
    text.trim_start().starts_with('{') && parse(text.as_bytes(), &Limits::default().json()).is_ok()
}

/// A cell's value as its column's kind wants it (`None`: NULL, or it cannot be one).
fn convert(value: Value, kind: ColumnKind) -> Option<Value> {
    match (kind, value) {
        (ColumnKind::Bool, Value::Number(n)) => Some(Value::Bool(n.as_f64() != 0.0)),
        (ColumnKind::Json, Value::String(text)) => {
            parse(text.as_bytes(), &Limits::default().json()).ok()
        }
        (ColumnKind::Text, Value::Number(n)) => {
            Some(Value::from(Value::Number(n).to_json().as_str()))
        }
        (ColumnKind::Text, Value::Bool(b)) => Some(Value::from(if b { "true" } else { "false" })),
        (_, value) => Some(value),
    }
}
