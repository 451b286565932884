//! The guard loop: every `--guard-interval` it forgets batch ids older than the events'
//! retention window, and judges each running rollout plan's step and
//! each watching kill guard from the events counted since the step began (or the guard was
//! set), and acts: a plan advances (a new signed version with the next weight), completes, or
//! rolls back (the variant's weight to 0, the plan failed); a kill guard kills its flag.
//!
//! Each action is one change through the usual path, audited with the figures it was taken
//! on. Replicas claim each decision in the store first, so it is taken once; a change that
//! then fails (the store unavailable, the flag edited meanwhile: the change names the version
//! of the definition it was computed from) gives the claim back, and the next round decides
//! again on fresh figures.

use crate::app::App;
use crate::audit::Entry;
use crate::change::{Actor, Decision, Request};
use crate::document::parse_json;
use crate::edit::{definition_etag, Edit};
use crate::experiments::guards::{
    baseline_from_value, baseline_to_value, judge_kill, judge_step, p99, Baseline, Measured, Rate,
    Step, Verdict,
};
use crate::experiments::plan::{Guard, KillGuard, Plan};
use crate::experiments::weights::with_weight;
use crate::patch::Patch;
use crate::store::plans::{GuardRow, PlanRow};
use crate::store::{self, Kind, StoreError, StoreResult};
use edgeflag::{Number, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Runs until shutdown.
pub(crate) async fn run(app: Arc<App>) {
    let mut shutdown = app.shutdown_signal();
    loop {
        tokio::select! {
            () = tokio::time::sleep(app.guard_interval) => {}
            _ = shutdown.changed() => return,
        }
        tick(&app, crate::now_ms()).await;
    }
}

/// One round: every running plan, then every watching guard; a failure is logged and ends
/// only the round of its own plan or guard.
pub(crate) async fn tick(app: &App, now: i64) {
    let pool = app.store.pool();
    let report = |what: &str, e: StoreError| {
        if let StoreError::Unavailable(m) = &e {
            app.record_health(Err(m), now);
        } else {
            crate::log(&format!("guards: {what}: {e}"));
        }
    };
    match store::plans::running_plans(pool).await {
        Ok(rows) => {
            for row in rows {
                let name = format!("{}/{}", row.environment, row.flag);
                if app.environment(&row.environment).is_some() {
                    if let Err(e) = check_plan(app, row, now).await {
                        report(&name, e);
                    }
                }
            }
        }
        Err(e) => report("rollout plans", e),
    }
    match store::plans::watching_guards(pool).await {
        Ok(rows) => {
            for row in rows {
                let name = format!("{}/{}", row.environment, row.flag);
                if app.environment(&row.environment).is_some() {
                    if let Err(e) = check_guard(app, row, now).await {
                        report(&name, e);
                    }
                }
            }
        }
        Err(e) => report("guards", e),
    }
    // The batch ids kept for de-duplication are needed only while their events could still
    // be accepted.
    let before = now.saturating_sub(app.ingest.retention_ms);
    if let Err(e) = store::events::prune_batches(pool, before).await {
        report("batch ids", e);
    }
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

/// Every variant's units and units with `event` (units only for `None`).
async fn variant_rates(
    app: &App,
    environment: &str,
    flag: &str,
    event: Option<&str>,
) -> StoreResult<BTreeMap<String, Rate>> {
    let figures = store::events::figures(app.store.pool(), environment, flag, event).await?;
    Ok(figures
        .into_iter()
        .map(|f| {
            let rate = Rate {
                units: f.units,
                events: f.conversions,
            };
            (f.variant, rate)
        })
        .collect())
}

/// The figures of each metric in `metrics` now: what a step or a guard starts from.
pub(crate) async fn baseline(
    app: &App,
    environment: &str,
    flag: &str,
    metrics: impl Iterator<Item = &str>,
) -> StoreResult<Baseline> {
    let mut out = Baseline::new();
    for metric in metrics {
        if !out.contains_key(metric) {
            let rates = variant_rates(app, environment, flag, Some(metric)).await?;
            out.insert(metric.to_owned(), rates);
        }
    }
    Ok(out)
}

/// The rate guards' metrics of `plan`.
pub(crate) fn rate_metrics(plan: &Plan) -> impl Iterator<Item = &str> {
    plan.guards.iter().filter_map(|g| match g {
        Guard::MaxIncrease { metric, .. } | Guard::MaxRate { metric, .. } => Some(metric.as_str()),
        Guard::LatencyP99 { .. } => None,
    })
}

/// A plan's baselines as stored: `{"plan": ..., "step": ...}`, the figures when the plan
/// started (the control is judged on what came since) and when its step began (the variant
/// is judged on what came since: an earlier step's errors are not this one's).
pub(crate) fn plan_baselines(plan_start: &Baseline, step_start: &Baseline) -> String {
    Value::Object(vec![
        ("plan".into(), baseline_to_value(plan_start)),
        ("step".into(), baseline_to_value(step_start)),
    ])
    .to_json()
}

/// The two baselines of a stored plan (zeros where unreadable).
fn read_plan_baselines(text: &str) -> (Baseline, Baseline) {
    let value = parse_json(text.as_bytes()).unwrap_or(Value::Null);
    let read = |name: &str| value.get(name).map(baseline_from_value).unwrap_or_default();
    (read("plan"), read("step"))
}

/// A variant's figures in `now` less those in `start`.
fn since(now: &Baseline, start: &Baseline, metric: &str, variant: &str) -> Rate {
    let get = |b: &Baseline| {
        b.get(metric)
            .and_then(|m| m.get(variant))
            .copied()
            .unwrap_or_default()
    };
    get(now).since(get(start))
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
    let units = variant_rates(app, &row.environment, &row.flag, None).await?;
    let current = baseline(app, &row.environment, &row.flag, rate_metrics(&plan)).await?;
    let (plan_start, step_start) = read_plan_baselines(&row.baseline);
    let mut measured = Vec::new();
    for guard in &plan.guards {
        measured.push(match guard {
            Guard::MaxIncrease { metric, .. } | Guard::MaxRate { metric, .. } => Measured::Rates {
                variant: since(&current, &step_start, metric, &plan.variant),
                control: since(&current, &plan_start, metric, &control),
            },
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
    let variant_units = units.get(&plan.variant).map_or(0, |r| r.units);
    let step = Step {
        units: variant_units,
        units_at_start: row.step_units.unsigned_abs(),
        elapsed_ms: now - row.step_started_at,
        measured,
    };
    let (verdict, judged) = judge_step(&plan, &step);
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
    // Computed before the claim: a plan whose flag no longer has its rollout (a rule removed)
    // stays as it is, logged, rather than claim a step it cannot take.
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
    let figures = Value::Object(vec![
        ("step".into(), Value::Number(Number::from_i64(next))),
        ("weight".into(), Value::Number(Number::from_u64(weight))),
        ("judged".into(), judged),
    ]);
    let mut decisions = match parse_json(row.decisions.as_bytes()) {
        Ok(Value::Array(items)) => items,
        _ => Vec::new(),
    };
    decisions.push(Value::Object(vec![
        ("at".into(), crate::template::instant(now)),
        ("action".into(), Value::from(action)),
        ("figures".into(), figures.clone()),
    ]));
    let next_step = next != row.step;
    let new = PlanRow {
        status: status.to_owned(),
        step: next,
        step_started_at: if next_step { now } else { row.step_started_at },
        step_units: if next_step {
            i64::try_from(variant_units).unwrap_or(i64::MAX)
        } else {
            row.step_units
        },
        baseline: if next_step {
            plan_baselines(&plan_start, &current)
        } else {
            row.baseline.clone()
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
    let place = (row.environment.as_str(), row.flag.as_str());
    if action == "rollout-complete" {
        return audit_only(app, place, ("guard", None), &decision, now).await;
    }
    let edit = Edit::Replace {
        kind: Kind::Flag,
        key: row.flag.clone(),
        document: edited,
    };
    // The weights were computed from this version of the definition: an edit made since
    // (a kill, a new rule) must not be overwritten.
    let if_match = definition_etag(&document);
    if !apply(
        app,
        place,
        (&edit, Some(&if_match)),
        &row.created_by,
        &decision,
        now,
    )
    .await
    {
        // Not applied: the plan goes back to the step it was in, decided again next round.
        let mut back = row.clone();
        back.updated_at = new.updated_at + 1;
        store::plans::claim_plan(app.store.pool(), &new, &back).await?;
    }
    Ok(())
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
    let current = baseline(
        app,
        &row.environment,
        &row.flag,
        std::iter::once(guard.metric.as_str()),
    )
    .await?;
    let start = parse_json(row.baseline.as_bytes())
        .map(|v| baseline_from_value(&v))
        .unwrap_or_default();
    let served: Vec<(String, Rate)> = current
        .get(&guard.metric)
        .into_iter()
        .flatten()
        .filter(|(variant, _)| **variant != off)
        .map(|(variant, _)| {
            let rate = since(&current, &start, &guard.metric, variant);
            (variant.clone(), rate)
        })
        .collect();
    let Some(figures) = judge_kill(&guard, &served) else {
        return Ok(());
    };
    let triggered_at = now.max(row.updated_at + 1);
    if !store::plans::trigger_guard(app.store.pool(), &row, &figures.to_json(), triggered_at)
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
    let place = (row.environment.as_str(), row.flag.as_str());
    // A kill applies to the definition as it is: no If-Match.
    if !apply(app, place, (&edit, None), &row.created_by, &decision, now).await {
        let mut back = row.clone();
        back.updated_at = triggered_at + 1;
        store::plans::release_guard(app.store.pool(), &back).await?;
    }
    Ok(())
}

/// Applies a decision's change, audited with its figures: whether it was applied.
async fn apply(
    app: &App,
    (environment, flag): (&str, &str),
    (edit, if_match): (&Edit, Option<&str>),
    by: &str,
    decision: &Decision,
    now: i64,
) -> bool {
    let request = Request {
        edit,
        if_match,
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
    match app.change(environment, request).await {
        Ok(_) => true,
        Err(e) => {
            crate::log(&format!(
                "{environment}/{flag}: {} not applied ({e}); decided again next round",
                decision.action
            ));
            false
        }
    }
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
