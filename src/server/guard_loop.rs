//! The guard loop: every `--guard-interval` it judges each running rollout plan's step and
//! each watching kill guard from the events counted so far, and acts: a plan advances (a new
//! signed version with the next weight), completes, or rolls back (the variant's weight to
//! 0, the plan failed); a kill guard kills its flag. Each action is one change through the
//! usual path, audited with the figures it was taken on; replicas claim each decision in the
//! store first, so it is taken once.

use crate::app::App;
use crate::audit::Entry;
use crate::change::{Actor, Decision, Request};
use crate::document::parse_json;
use crate::edit::Edit;
use crate::experiments::guards::{judge_kill, judge_step, p99, Measured, Rate, Step, Verdict};
use crate::experiments::plan::{with_weight, Guard, KillGuard, Plan};
use crate::patch::Patch;
use crate::store::plans::{GuardRow, PlanRow};
use crate::store::{self, Kind, StoreError, StoreResult};
use edgeflag::{Number, Value};
use std::sync::Arc;

/// Runs until shutdown.
pub(crate) async fn run(app: Arc<App>) {
    let mut shutdown = app.shutdown_signal();
    loop {
        tokio::select! {
            () = tokio::time::sleep(app.guard_interval) => {}
            _ = shutdown.changed() => return,
        }
        if let Err(e) = tick(&app, crate::now_ms()).await {
            if let StoreError::Unavailable(m) = &e {
                app.record_health(Err(m), crate::now_ms());
            } else {
                crate::log(&format!("guards: {e}"));
            }
        }
    }
}

/// One round: every running plan, then every watching guard.
pub(crate) async fn tick(app: &App, now: i64) -> StoreResult<()> {
    let pool = app.store.pool();
    for row in store::plans::running_plans(pool).await? {
        if app.environment(&row.environment).is_some() {
            check_plan(app, row, now).await?;
        }
    }
    for row in store::plans::watching_guards(pool).await? {
        if app.environment(&row.environment).is_some() {
            check_guard(app, row, now).await?;
        }
    }
    Ok(())
}

/// The flag's definition and its `offVariant` (the control).
async fn flag_document(
    app: &App,
    environment: &str,
    flag: &str,
) -> StoreResult<Option<(Value, String)>> {
    let definitions = store::definitions::load(app.store.pool(), environment, false).await?;
    Ok(definitions
        .into_iter()
        .find(|d| d.kind == Kind::Flag && d.key == flag)
        .map(|d| {
            let off = d
                .document
                .get("offVariant")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            (d.document, off)
        }))
}

/// A variant's rate of `event` and the control's.
async fn rates(
    app: &App,
    row_env: &str,
    flag: &str,
    event: &str,
    variant: &str,
    control: &str,
) -> StoreResult<(Rate, Rate)> {
    let figures = store::events::figures(app.store.pool(), row_env, flag, Some(event)).await?;
    let rate = |name: &str| {
        figures
            .iter()
            .find(|f| f.variant == name)
            .map_or(Rate::default(), |f| Rate {
                units: f.units,
                events: f.conversions,
            })
    };
    Ok((rate(variant), rate(control)))
}

async fn check_plan(app: &App, row: PlanRow, now: i64) -> StoreResult<()> {
    let Ok(plan) =
        parse_json(row.plan.as_bytes()).and_then(|v| Plan::from_value(&v).map_err(|b| b.message))
    else {
        return Ok(());
    };
    let Some((document, control)) = flag_document(app, &row.environment, &row.flag).await? else {
        return Ok(());
    };
    let (variant_rate, _) = rates(
        app,
        &row.environment,
        &row.flag,
        "",
        &plan.variant,
        &control,
    )
    .await?;
    let mut measured = Vec::new();
    for guard in &plan.guards {
        measured.push(match guard {
            Guard::MaxIncrease { metric, .. } | Guard::MaxRate { metric, .. } => {
                let (variant, control) = rates(
                    app,
                    &row.environment,
                    &row.flag,
                    metric,
                    &plan.variant,
                    &control,
                )
                .await?;
                Measured::Rates { variant, control }
            }
            Guard::LatencyP99 { .. } => {
                let requests = store::events::requests_since(
                    app.store.pool(),
                    &row.environment,
                    &row.flag,
                    row.step_started_at,
                )
                .await?;
                let mine = requests.get(&plan.variant).cloned().unwrap_or_default();
                Measured::Latency {
                    requests: mine.count,
                    p99: p99(&mine.latency).filter(|p| p.is_finite()),
                }
            }
        });
    }
    let step = Step {
        units: variant_rate.units,
        units_at_start: row.step_units.unsigned_abs(),
        elapsed_ms: now - row.step_started_at,
        measured,
    };
    let (verdict, figures) = judge_step(&plan, &step);
    let index = usize::try_from(row.step).unwrap_or(usize::MAX);
    let (action, status, next, weight) = match verdict {
        Verdict::Wait => return Ok(()),
        Verdict::RollBack => ("rollout-rollback", "failed", row.step, 0),
        Verdict::Advance => match plan.steps.get(index + 1) {
            Some(weight) => ("rollout-advance", "running", row.step + 1, *weight),
            None => (
                "rollout-complete",
                "completed",
                row.step,
                plan.steps.last().copied().unwrap_or(0),
            ),
        },
    };
    let figures = Value::Object(vec![
        ("step".into(), Value::Number(Number::from_i64(next))),
        ("weight".into(), Value::Number(Number::from_u64(weight))),
        ("judged".into(), figures),
    ]);
    let mut decisions = parse_json(row.decisions.as_bytes())
        .ok()
        .and_then(|v| match v {
            Value::Array(items) => Some(items),
            _ => None,
        })
        .unwrap_or_default();
    decisions.push(Value::Object(vec![
        ("at".into(), crate::template::instant(now)),
        ("action".into(), Value::from(action)),
        ("figures".into(), figures.clone()),
    ]));
    let new = PlanRow {
        status: status.to_owned(),
        step: next,
        step_started_at: if next == row.step {
            row.step_started_at
        } else {
            now
        },
        step_units: if next == row.step {
            row.step_units
        } else {
            i64::try_from(variant_rate.units).unwrap_or(i64::MAX)
        },
        decisions: Value::Array(decisions).to_json(),
        updated_at: now.max(row.updated_at + 1),
        ..row.clone()
    };
    if !store::plans::claim_plan(app.store.pool(), &row, &new).await? {
        return Ok(());
    }
    let decision = Decision { action, figures };
    crate::log(&format!(
        "{}/{}: {action} (weight {weight})",
        row.environment, row.flag
    ));
    if action == "rollout-complete" {
        let place = (row.environment.as_str(), row.flag.as_str());
        return audit_only(app, place, ("guard", None), &decision, now).await;
    }
    let edited = match with_weight(&document, &row.flag, &plan.place, &plan.variant, weight) {
        Ok(edited) => edited,
        Err(e) => {
            crate::log(&format!(
                "{}/{}: {action} cannot be applied: {e}",
                row.environment, row.flag
            ));
            return Ok(());
        }
    };
    let edit = Edit::Replace {
        kind: Kind::Flag,
        key: row.flag.clone(),
        document: edited,
    };
    apply(
        app,
        &row.environment,
        &edit,
        &row.created_by,
        &decision,
        now,
    )
    .await
}

async fn check_guard(app: &App, row: GuardRow, now: i64) -> StoreResult<()> {
    let Ok(guard) = parse_json(row.guard.as_bytes())
        .and_then(|v| KillGuard::from_value(&v).map_err(|b| b.message))
    else {
        return Ok(());
    };
    let Some((document, off)) = flag_document(app, &row.environment, &row.flag).await? else {
        return Ok(());
    };
    if document.get("enabled") == Some(&Value::Bool(false)) {
        return Ok(());
    }
    let figures = store::events::figures(
        app.store.pool(),
        &row.environment,
        &row.flag,
        Some(&guard.metric),
    )
    .await?;
    let served: Vec<(String, Rate)> = figures
        .iter()
        .filter(|f| f.variant != off)
        .map(|f| {
            (
                f.variant.clone(),
                Rate {
                    units: f.units,
                    events: f.conversions,
                },
            )
        })
        .collect();
    let Some(figures) = judge_kill(&guard, &served) else {
        return Ok(());
    };
    if !store::plans::trigger_guard(
        app.store.pool(),
        &row,
        &figures.to_json(),
        now.max(row.updated_at + 1),
    )
    .await?
    {
        return Ok(());
    }
    crate::log(&format!(
        "{}/{}: guard-kill ({})",
        row.environment,
        row.flag,
        figures.to_json()
    ));
    let edit = Edit::Patch {
        key: row.flag.clone(),
        patch: Patch::kill(),
    };
    let decision = Decision {
        action: "guard-kill",
        figures,
    };
    apply(
        app,
        &row.environment,
        &edit,
        &row.created_by,
        &decision,
        now,
    )
    .await
}

/// Applies a decision's change, audited with its figures.
async fn apply(
    app: &App,
    environment: &str,
    edit: &Edit,
    by: &str,
    decision: &Decision,
    now: i64,
) -> StoreResult<()> {
    let request = Request {
        edit,
        if_match: None,
        actor: Actor {
            source: "guard",
            token: Some(by),
        },
        now,
        dry_run: false,
        base: None,
        scheduled: None,
        decision: Some(decision),
    };
    if let Err(e) = app.change(environment, request).await {
        crate::log(&format!(
            "{environment}: {} not applied: {e}",
            decision.action
        ));
    }
    Ok(())
}

/// Who records a decision that changes no flag: `source` and the token's name, if any.
pub(crate) type Recorder<'a> = (&'static str, Option<&'a str>);

/// An audit entry for a decision that changes no flag (a plan completing, or cancelled).
pub(crate) async fn audit_only(
    app: &App,
    (environment, flag): (&str, &str),
    (source, token): Recorder<'_>,
    decision: &Decision,
    now: i64,
) -> StoreResult<()> {
    let version = app
        .environment(environment)
        .map_or(0, |e| e.current().version);
    let mut tx = app.store.begin().await?;
    let entry = Entry {
        at: now,
        source,
        token,
        environment,
        action: decision.action,
        kind: Some("flag"),
        key: Some(flag),
        before: None,
        after: None,
        changes: &[],
        old_version: version,
        new_version: version,
        figures: Some(&decision.figures),
    };
    store::audit::append(&mut tx, &entry).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(())
}
