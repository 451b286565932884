-- Events, experiments and guarded rollouts (version 2). Counts are kept per variant as events
-- arrive, so an experiment's results are a read of a few rows however many units it has;
-- the per-unit tables exist to count each unit once and to keep its value total exact.

-- Batches already counted: a batch the worker retries (same id) counts once.
CREATE TABLE event_batches (
    environment TEXT NOT NULL,
    batch TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    events BIGINT NOT NULL,
    PRIMARY KEY (environment, batch)
);
CREATE INDEX event_batches_by_age ON event_batches (received_at);

-- A unit's first exposure to a flag: the variant it is analysed under from then on.
CREATE TABLE exposures (
    environment TEXT NOT NULL,
    flag TEXT NOT NULL,
    unit TEXT NOT NULL,
    variant TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (environment, flag, unit)
);
-- A tracked event finds the flags its unit was exposed to.
CREATE INDEX exposures_by_unit ON exposures (environment, unit);

-- An exposed unit's total of a tracked event since its exposure, under the variant it is
-- analysed under (value: the sum of the events' values, 0 for events without one; events:
-- how many). Written by one upsert per batch that joins the events to their exposures and
-- returns the new totals, from which the per-variant sums are updated.
CREATE TABLE conversions (
    environment TEXT NOT NULL,
    flag TEXT NOT NULL,
    event TEXT NOT NULL,
    unit TEXT NOT NULL,
    variant TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    events BIGINT NOT NULL,
    PRIMARY KEY (environment, flag, event, unit)
);

-- Units exposed, per variant.
CREATE TABLE variant_units (
    environment TEXT NOT NULL,
    flag TEXT NOT NULL,
    variant TEXT NOT NULL,
    units BIGINT NOT NULL,
    PRIMARY KEY (environment, flag, variant)
);

-- Per variant and tracked event: units that converted, and the sum and sum of squares of the
-- per-unit totals (units without the event count as 0, which these sums need not store).
CREATE TABLE variant_metrics (
    environment TEXT NOT NULL,
    flag TEXT NOT NULL,
    variant TEXT NOT NULL,
    event TEXT NOT NULL,
    conversions BIGINT NOT NULL,
    value_sum DOUBLE PRECISION NOT NULL,
    value_sumsq DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (environment, flag, variant, event)
);

-- The worker's request metrics per variant and minute: requests, origin 5xx, and the latency
-- histogram (buckets as `events::LATENCY_BOUNDS_MS`, one column each, the last above them).
CREATE TABLE variant_requests (
    environment TEXT NOT NULL,
    flag TEXT NOT NULL,
    variant TEXT NOT NULL,
    minute BIGINT NOT NULL,
    requests BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    latency TEXT NOT NULL,
    PRIMARY KEY (environment, flag, variant, minute)
);

-- Rejected events per environment and reason, for GET /admin/environments/{env}/events.
CREATE TABLE event_rejections (
    environment TEXT NOT NULL,
    reason TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (environment, reason)
);

-- Rollout plans and automatic kill switches: one each per flag at most. `state` is the JSON
-- the guard loop advances (the step, since when, the figures at the step's start).
CREATE TABLE rollout_plans (
    environment TEXT NOT NULL,
    flag TEXT NOT NULL,
    plan TEXT NOT NULL,
    status TEXT NOT NULL,
    step BIGINT NOT NULL,
    step_started_at BIGINT NOT NULL,
    step_units BIGINT NOT NULL,
    -- Each rate guard's units and events per variant when the step began (JSON): a step is
    -- judged on what happened since, not on the totals of earlier steps.
    baseline TEXT NOT NULL,
    decisions TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (environment, flag)
);

CREATE TABLE flag_guards (
    environment TEXT NOT NULL,
    flag TEXT NOT NULL,
    guard TEXT NOT NULL,
    status TEXT NOT NULL,
    -- Units and events per variant when the guard was set (JSON): it judges what came since.
    baseline TEXT NOT NULL,
    result TEXT,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (environment, flag)
);
