//! The `rollout_plans` and `flag_guards` tables (migration 0002). A decision is claimed with
//! a conditional update (the row still as the deciding replica read it), so however many
//! replicas run the guard loop, each step is taken once.

use super::StoreResult;
use sqlx::AnyPool;

/// A rollout plan as stored.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PlanRow {
    /// The environment.
    pub(crate) environment: String,
    /// The flag.
    pub(crate) flag: String,
    /// The plan's JSON (as the API answers it).
    pub(crate) plan: String,
    /// `running`, `completed`, `failed` or `cancelled`.
    pub(crate) status: String,
    /// The step in force (index into the plan's steps).
    pub(crate) step: i64,
    /// When it started, ms.
    pub(crate) step_started_at: i64,
    /// The variant's exposed units when it started.
    pub(crate) step_units: i64,
    /// Each rate guard's units and events per variant when it started (JSON).
    pub(crate) baseline: String,
    /// The decisions so far (a JSON array).
    pub(crate) decisions: String,
    /// The token that set the plan.
    pub(crate) created_by: String,
    /// When the row last changed, ms (part of the claim).
    pub(crate) updated_at: i64,
}

type PlanRaw = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    String,
    String,
    i64,
);

fn plan_row(r: PlanRaw) -> PlanRow {
    PlanRow {
        environment: r.0,
        flag: r.1,
        plan: r.2,
        status: r.3,
        step: r.4,
        step_started_at: r.5,
        step_units: r.6,
        baseline: r.7,
        decisions: r.8,
        created_by: r.9,
        updated_at: r.10,
    }
}

const PLAN_COLUMNS: &str = "environment, flag, plan, status, step, step_started_at, step_units, baseline, decisions, created_by, updated_at";

/// Stores `row` (replacing any plan of the flag).
pub(crate) async fn put_plan(pool: &AnyPool, row: &PlanRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO rollout_plans (environment, flag, plan, status, step, step_started_at, step_units, baseline, decisions, created_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (environment, flag) DO UPDATE SET \
         plan = excluded.plan, status = excluded.status, step = excluded.step, step_started_at = excluded.step_started_at, \
         step_units = excluded.step_units, baseline = excluded.baseline, decisions = excluded.decisions, \
         created_by = excluded.created_by, updated_at = excluded.updated_at",
    )
    .bind(&row.environment)
    .bind(&row.flag)
    .bind(&row.plan)
    .bind(&row.status)
    .bind(row.step)
    .bind(row.step_started_at)
    .bind(row.step_units)
    .bind(&row.baseline)
    .bind(&row.decisions)
    .bind(&row.created_by)
    .bind(row.updated_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// The plan of `flag`, if any.
pub(crate) async fn get_plan(
    pool: &AnyPool,
    environment: &str,
    flag: &str,
) -> StoreResult<Option<PlanRow>> {
    let sql =
        format!("SELECT {PLAN_COLUMNS} FROM rollout_plans WHERE environment = $1 AND flag = $2");
    let row: Option<PlanRaw> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(environment)
        .bind(flag)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(plan_row))
}

/// Every running plan.
pub(crate) async fn running_plans(pool: &AnyPool) -> StoreResult<Vec<PlanRow>> {
    let sql = format!("SELECT {PLAN_COLUMNS} FROM rollout_plans WHERE status = 'running' ORDER BY environment, flag");
    let rows: Vec<PlanRaw> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(plan_row).collect())
}

/// Moves `old` to `new` if the stored row is still `old` (same step, status and
/// `updated_at`): `false` when another replica decided first.
pub(crate) async fn claim_plan(pool: &AnyPool, old: &PlanRow, new: &PlanRow) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE rollout_plans SET status = $1, step = $2, step_started_at = $3, step_units = $4, decisions = $5, updated_at = $6, \
         baseline = $12 WHERE environment = $7 AND flag = $8 AND status = $9 AND step = $10 AND updated_at = $11",
    )
    .bind(&new.status)
    .bind(new.step)
    .bind(new.step_started_at)
    .bind(new.step_units)
    .bind(&new.decisions)
    .bind(new.updated_at)
    .bind(&old.environment)
    .bind(&old.flag)
    .bind(&old.status)
    .bind(old.step)
    .bind(old.updated_at)
    .bind(&new.baseline)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

/// A kill guard as stored.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GuardRow {
    /// The environment.
    pub(crate) environment: String,
    /// The flag.
    pub(crate) flag: String,
    /// The guard's JSON.
    pub(crate) guard: String,
    /// `watching`, `triggered` or `removed`.
    pub(crate) status: String,
    /// Units and events per variant when it was set (JSON).
    pub(crate) baseline: String,
    /// The figures it triggered on (JSON), once it has.
    pub(crate) result: Option<String>,
    /// The token that set it.
    pub(crate) created_by: String,
    /// When the row last changed, ms.
    pub(crate) updated_at: i64,
}

type GuardRaw = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
);

fn guard_row(r: GuardRaw) -> GuardRow {
    GuardRow {
        environment: r.0,
        flag: r.1,
        guard: r.2,
        status: r.3,
        baseline: r.4,
        result: r.5,
        created_by: r.6,
        updated_at: r.7,
    }
}

const GUARD_COLUMNS: &str =
    "environment, flag, guard, status, baseline, result, created_by, updated_at";

/// Stores `row` (replacing any guard of the flag).
pub(crate) async fn put_guard(pool: &AnyPool, row: &GuardRow) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO flag_guards (environment, flag, guard, status, baseline, result, created_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (environment, flag) DO UPDATE SET \
         guard = excluded.guard, status = excluded.status, baseline = excluded.baseline, result = excluded.result, \
         created_by = excluded.created_by, updated_at = excluded.updated_at",
    )
    .bind(&row.environment)
    .bind(&row.flag)
    .bind(&row.guard)
    .bind(&row.status)
    .bind(&row.baseline)
    .bind(row.result.clone())
    .bind(&row.created_by)
    .bind(row.updated_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// The guard of `flag`, if any.
pub(crate) async fn get_guard(
    pool: &AnyPool,
    environment: &str,
    flag: &str,
) -> StoreResult<Option<GuardRow>> {
    let sql =
        format!("SELECT {GUARD_COLUMNS} FROM flag_guards WHERE environment = $1 AND flag = $2");
    let row: Option<GuardRaw> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(environment)
        .bind(flag)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(guard_row))
}

/// Every guard still watching.
pub(crate) async fn watching_guards(pool: &AnyPool) -> StoreResult<Vec<GuardRow>> {
    let sql = format!("SELECT {GUARD_COLUMNS} FROM flag_guards WHERE status = 'watching' ORDER BY environment, flag");
    let rows: Vec<GuardRaw> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(guard_row).collect())
}

/// Puts a guard that `trigger_guard` marked back to watching (its kill was not applied).
pub(crate) async fn release_guard(pool: &AnyPool, row: &GuardRow) -> StoreResult<()> {
    sqlx::query(
        "UPDATE flag_guards SET status = 'watching', result = NULL, updated_at = $1 \
         WHERE environment = $2 AND flag = $3 AND status = 'triggered'",
    )
    .bind(row.updated_at)
    .bind(&row.environment)
    .bind(&row.flag)
    .execute(pool)
    .await?;
    Ok(())
}

/// Marks a watching guard triggered with `result`: `false` when another replica did first.
pub(crate) async fn trigger_guard(
    pool: &AnyPool,
    old: &GuardRow,
    result: &str,
    now: i64,
) -> StoreResult<bool> {
    let changed = sqlx::query(
        "UPDATE flag_guards SET status = 'triggered', result = $1, updated_at = $2 \
         WHERE environment = $3 AND flag = $4 AND status = 'watching' AND updated_at = $5",
    )
    .bind(result)
    .bind(now)
    .bind(&old.environment)
    .bind(&old.flag)
    .bind(old.updated_at)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(changed == 1)
}
