//! The events tables (migration 0002): a batch's tallies added to the per-variant counts, in
//! one transaction that first records the batch id (a batch already recorded adds nothing).
//!
//! Replicas may ingest at once: on PostgreSQL the transaction takes an advisory lock per
//! environment first, so the read-then-write of a unit's value total cannot interleave; on
//! SQLite the first statement (the batch's insert) takes the database's write lock.

use super::{Dialect, StoreResult, Tx};
use crate::events::Sorted;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Rows per multi-row statement: well under both databases' bound-parameter limits.
const CHUNK: usize = 400;

/// A bound value of a generated statement.
#[derive(Clone, Debug)]
enum Bind {
    Text(String),
    Int(i64),
    Real(f64),
}

/// Runs `head VALUES (...), (...) tail` over `rows` in chunks, each row `width` values.
async fn insert_rows(
    tx: &mut Tx,
    head: &str,
    tail: &str,
    rows: &[Vec<Bind>],
) -> StoreResult<Vec<sqlx::any::AnyRow>> {
    let mut out = Vec::new();
    for chunk in rows.chunks(CHUNK) {
        let mut sql = String::from(head);
        sql.push_str(" VALUES ");
        let mut n = 0;
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for j in 0..row.len() {
                if j > 0 {
                    sql.push(',');
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        sql.push(' ');
        sql.push_str(tail);
        // Only placeholders and this module's own SQL text are in `sql`: no value is spliced in.
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in chunk.iter().flatten() {
            query = match value {
                Bind::Text(s) => query.bind(s.clone()),
                Bind::Int(i) => query.bind(*i),
                Bind::Real(f) => query.bind(*f),
            };
        }
        out.extend(query.fetch_all(&mut **tx).await?);
    }
    Ok(out)
}

/// Serialises ingestion of `environment` across replicas (PostgreSQL) until `tx` ends.
async fn lock(tx: &mut Tx, dialect: Dialect, environment: &str) -> StoreResult<()> {
    if dialect == Dialect::Postgres {
        let digest = Sha256::digest(format!("edgeflag-ingest:{environment}").as_bytes());
        let mut key = [0u8; 8];
        key.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(i64::from_be_bytes(key))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Records batch `batch` of `environment`: `false` (and nothing added) when it was recorded
/// before. The caller commits.
pub(crate) async fn record(
    tx: &mut Tx,
    dialect: Dialect,
    environment: &str,
    batch: &str,
    now: i64,
    sorted: &Sorted,
) -> StoreResult<bool> {
    lock(tx, dialect, environment).await?;
    let events = i64::try_from(sorted.accepted + sorted.rejected.total()).unwrap_or(i64::MAX);
    let inserted = sqlx::query(
        "INSERT INTO event_batches (environment, batch, received_at, events) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (environment, batch) DO NOTHING",
    )
    .bind(environment)
    .bind(batch)
    .bind(now)
    .bind(events)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(false);
    }
    let env = || Bind::Text(environment.to_owned());
    exposures(tx, environment, sorted, env).await?;
    tracks(tx, environment, sorted).await?;
    requests(tx, environment, sorted).await?;
    let rejections: Vec<Vec<Bind>> = sorted
        .rejected
        .reasons()
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(reason, n)| {
            vec![
                env(),
                Bind::Text((*reason).to_owned()),
                Bind::Int(*n as i64),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "INSERT INTO event_rejections (environment, reason, count)",
        "ON CONFLICT (environment, reason) DO UPDATE SET count = event_rejections.count + excluded.count",
        &rejections,
    )
    .await?;
    Ok(true)
}

/// New exposures, and the units they add per variant.
async fn exposures(
    tx: &mut Tx,
    environment: &str,
    sorted: &Sorted,
    env: impl Fn() -> Bind,
) -> StoreResult<()> {
    let rows: Vec<Vec<Bind>> = sorted
        .exposures
        .iter()
        .map(|((flag, unit), (variant, at))| {
            vec![
                env(),
                Bind::Text(flag.clone()),
                Bind::Text(unit.clone()),
                Bind::Text(variant.clone()),
                Bind::Int(*at),
            ]
        })
        .collect();
    let new = insert_rows(
        tx,
        "INSERT INTO exposures (environment, flag, unit, variant, at)",
        "ON CONFLICT (environment, flag, unit) DO NOTHING RETURNING flag, variant",
        &rows,
    )
    .await?;
    let mut units: BTreeMap<(String, String), i64> = BTreeMap::new();
    for row in &new {
        use sqlx::Row;
        let key: (String, String) = (row.try_get(0)?, row.try_get(1)?);
        *units.entry(key).or_insert(0) += 1;
    }
    let rows: Vec<Vec<Bind>> = units
        .into_iter()
        .map(|((flag, variant), n)| {
            vec![
                Bind::Text(environment.to_owned()),
                Bind::Text(flag),
                Bind::Text(variant),
                Bind::Int(n),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "INSERT INTO variant_units (environment, flag, variant, units)",
        "ON CONFLICT (environment, flag, variant) DO UPDATE SET units = variant_units.units + excluded.units",
        &rows,
    )
    .await?;
    Ok(())
}

/// Tracked events: each unit's total per flag it was exposed to, and the per-variant sums.
///
/// One statement per chunk joins the events to the units' exposures and adds them to the
/// units' totals, returning the new totals: a total whose event count is the batch's own is
/// a new conversion, and the total before is the new one less the batch's values, so the sum
/// of squares moves by new² - before² without reading anything first.
async fn tracks(tx: &mut Tx, environment: &str, sorted: &Sorted) -> StoreResult<()> {
    let rows: Vec<_> = sorted.tracks.iter().collect();
    // (flag, variant, event) -> (new converted units, sum delta, sum of squares delta).
    let mut metrics: BTreeMap<(String, String, String), (i64, f64, f64)> = BTreeMap::new();
    for chunk in rows.chunks(CHUNK) {
        let mut sql = String::from(
            "INSERT INTO conversions (environment, flag, event, unit, variant, value, events) \
             SELECT e.environment, e.flag, v.column2, v.column1, e.variant, v.column3, v.column4 FROM (VALUES ",
        );
        for i in 0..chunk.len() {
            let n = 2 + i * 4;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("(${n},${},${},${})", n + 1, n + 2, n + 3));
        }
        // CROSS JOIN: SQLite then loops over the events and looks each unit up in the
        // exposures' index (left to itself, without statistics, it may scan the exposures for
        // every event); PostgreSQL plans it as any join. The WHERE clause also keeps SQLite
        // from reading ON CONFLICT as a join's ON.
        sql.push_str(
            ") AS v CROSS JOIN exposures e WHERE e.environment = $1 AND e.unit = v.column1 \
             ON CONFLICT (environment, flag, event, unit) DO UPDATE SET \
             value = conversions.value + excluded.value, events = conversions.events + excluded.events \
             RETURNING flag, variant, event, unit, value, events",
        );
        // As in `insert_rows`: only placeholders are generated.
        let mut query = sqlx::query_as::<_, (String, String, String, String, f64, i64)>(
            sqlx::AssertSqlSafe(sql),
        )
        .bind(environment.to_owned());
        for ((unit, event), (value, count)) in chunk {
            query = query
                .bind(unit.clone())
                .bind(event.clone())
                .bind(*value)
                .bind(i64::try_from(*count).unwrap_or(i64::MAX));
        }
        for (flag, variant, event, unit, total, events) in query.fetch_all(&mut **tx).await? {
            let Some((value, count)) = sorted.tracks.get(&(unit, event.clone())) else {
                continue;
            };
            let new = events.unsigned_abs() == *count;
            let before = if new { 0.0 } else { total - value };
            let entry = metrics
                .entry((flag, variant, event))
                .or_insert((0, 0.0, 0.0));
            entry.0 += i64::from(new);
            entry.1 += value;
            entry.2 += total * total - before * before;
        }
    }
    let rows: Vec<Vec<Bind>> = metrics
        .into_iter()
        .map(|((flag, variant, event), (n, sum, sumsq))| {
            vec![
                Bind::Text(environment.to_owned()),
                Bind::Text(flag),
                Bind::Text(variant),
                Bind::Text(event),
                Bind::Int(n),
                Bind::Real(sum),
                Bind::Real(sumsq),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "INSERT INTO variant_metrics (environment, flag, variant, event, conversions, value_sum, value_sumsq)",
        "ON CONFLICT (environment, flag, variant, event) DO UPDATE SET \
         conversions = variant_metrics.conversions + excluded.conversions, \
         value_sum = variant_metrics.value_sum + excluded.value_sum, \
         value_sumsq = variant_metrics.value_sumsq + excluded.value_sumsq",
        &rows,
    )
    .await?;
    Ok(())
}

/// The worker's request metrics, added to each variant's minute.
async fn requests(tx: &mut Tx, environment: &str, sorted: &Sorted) -> StoreResult<()> {
    for ((flag, variant, minute), add) in &sorted.requests {
        let stored: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT requests, errors, latency FROM variant_requests \
             WHERE environment = $1 AND flag = $2 AND variant = $3 AND minute = $4",
        )
        .bind(environment)
        .bind(flag)
        .bind(variant)
        .bind(*minute)
        .fetch_optional(&mut **tx)
        .await?;
        let mut total = crate::events::Requests::default();
        if let Some((count, errors, latency)) = stored {
            total.add(
                count.unsigned_abs(),
                errors.unsigned_abs(),
                &parse_histogram(&latency),
            );
        }
        total.add(add.count, add.errors, &add.latency);
        let histogram: Vec<String> = total.latency.iter().map(u64::to_string).collect();
        sqlx::query(
            "INSERT INTO variant_requests (environment, flag, variant, minute, requests, errors, latency) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (environment, flag, variant, minute) \
             DO UPDATE SET requests = excluded.requests, errors = excluded.errors, latency = excluded.latency",
        )
        .bind(environment)
        .bind(flag)
        .bind(variant)
        .bind(*minute)
        .bind(i64::try_from(total.count).unwrap_or(i64::MAX))
        .bind(i64::try_from(total.errors).unwrap_or(i64::MAX))
        .bind(histogram.join(","))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A stored latency histogram (comma-separated counts).
pub(crate) fn parse_histogram(text: &str) -> Vec<u64> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap_or(0))
        .collect()
}

/// Forgets the ids of batches received before `before` (ms): a retry of one of them could only
/// carry events older than the retention window, which are rejected anyway. Answers how many.
pub(crate) async fn prune_batches(pool: &sqlx::AnyPool, before: i64) -> StoreResult<u64> {
    Ok(
        sqlx::query("DELETE FROM event_batches WHERE received_at < $1")
            .bind(before)
            .execute(pool)
            .await?
            .rows_affected(),
    )
}

/// One variant's exposure and metric figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct VariantFigures {
    /// The variant.
    pub(crate) variant: String,
    /// Units exposed.
    pub(crate) units: u64,
    /// Units that had the metric's event since their exposure.
    pub(crate) conversions: u64,
    /// The sum of the units' values of the event.
    pub(crate) value_sum: f64,
    /// The sum of their squares.
    pub(crate) value_sumsq: f64,
}

/// Every exposed variant of `flag`, with the figures of tracked event `event` (zeros when
/// `None` or when no unit had it).
pub(crate) async fn figures(
    pool: &sqlx::AnyPool,
    environment: &str,
    flag: &str,
    event: Option<&str>,
) -> StoreResult<Vec<VariantFigures>> {
    let units: Vec<(String, i64)> = sqlx::query_as(
        "SELECT variant, units FROM variant_units WHERE environment = $1 AND flag = $2 ORDER BY variant",
    )
    .bind(environment)
    .bind(flag)
    .fetch_all(pool)
    .await?;
    let metrics: Vec<(String, i64, f64, f64)> = match event {
        Some(event) => {
            sqlx::query_as(
                "SELECT variant, conversions, value_sum, value_sumsq FROM variant_metrics \
                 WHERE environment = $1 AND flag = $2 AND event = $3",
            )
            .bind(environment)
            .bind(flag)
            .bind(event)
            .fetch_all(pool)
            .await?
        }
        None => Vec::new(),
    };
    Ok(units
        .into_iter()
        .map(|(variant, units)| {
            let metric = metrics.iter().find(|m| m.0 == variant);
            VariantFigures {
                units: units.unsigned_abs(),
                conversions: metric.map_or(0, |m| m.1.unsigned_abs()),
                value_sum: metric.map_or(0.0, |m| m.2),
                value_sumsq: metric.map_or(0.0, |m| m.3),
                variant,
            }
        })
        .collect())
}

/// The tracked events counted for `flag`'s exposed units, by name.
pub(crate) async fn metric_names(
    pool: &sqlx::AnyPool,
    environment: &str,
    flag: &str,
) -> StoreResult<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT event FROM variant_metrics WHERE environment = $1 AND flag = $2 ORDER BY event",
    )
    .bind(environment)
    .bind(flag)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Events rejected in `environment`, by reason.
pub(crate) async fn rejections(
    pool: &sqlx::AnyPool,
    environment: &str,
) -> StoreResult<Vec<(String, u64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT reason, count FROM event_rejections WHERE environment = $1 ORDER BY reason",
    )
    .bind(environment)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(r, n)| (r, n.unsigned_abs()))
        .collect())
}

/// The worker's request metrics of `flag` per variant from minute `since` on: requests,
/// errors and the summed latency histogram.
pub(crate) async fn requests_since(
    pool: &sqlx::AnyPool,
    environment: &str,
    flag: &str,
    since: i64,
) -> StoreResult<BTreeMap<String, crate::events::Requests>> {
    let rows: Vec<(String, i64, i64, String)> = sqlx::query_as(
        "SELECT variant, requests, errors, latency FROM variant_requests \
         WHERE environment = $1 AND flag = $2 AND minute >= $3",
    )
    .bind(environment)
    .bind(flag)
    .bind(since.div_euclid(60_000) * 60_000)
    .fetch_all(pool)
    .await?;
    let mut out: BTreeMap<String, crate::events::Requests> = BTreeMap::new();
    for (variant, requests, errors, latency) in rows {
        out.entry(variant).or_default().add(
            requests.unsigned_abs(),
            errors.unsigned_abs(),
            &parse_histogram(&latency),
        );
    }
    Ok(out)
}
