-- The owning backend's store, version 1. One file for SQLite and PostgreSQL: only types and
-- constructs both read the same way (BIGINT, TEXT, composite primary keys). Times are ms since
-- the Unix epoch; JSON documents are TEXT, written by the server's own serializer.

-- One row per environment: its version sequence and the document members other than its
-- flags and segments (schema, owner, environment, and any others the document has).
CREATE TABLE environments (
    name TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    owner TEXT NOT NULL,
    header TEXT NOT NULL,
    -- The last version reserved: reserved inside the transaction that publishes it, so two
    -- replicas can never hand out the same version, and a rolled-back change costs none.
    last_version BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Flags and segments, one row each: the document as the admin API answers it.
CREATE TABLE definitions (
    environment TEXT NOT NULL REFERENCES environments (name),
    kind TEXT NOT NULL CHECK (kind IN ('flag', 'segment')),
    key TEXT NOT NULL,
    -- Order in the signed document (new definitions go last).
    position BIGINT NOT NULL,
    document TEXT NOT NULL,
    -- An archived definition is out of the snapshot but kept, with its history.
    archived BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (environment, kind, key)
);

-- Every signed envelope, as served: every replica serves these bytes for a version.
CREATE TABLE snapshots (
    environment TEXT NOT NULL REFERENCES environments (name),
    version BIGINT NOT NULL,
    envelope TEXT NOT NULL,
    etag TEXT NOT NULL,
    keyid TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (environment, version)
);

-- The audit trail: each entry's line exactly as hash-chained (the same lines as the JSONL
-- export, which `edgeflag audit verify` checks), and the columns the filters use.
CREATE TABLE audit (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    environment TEXT,
    actor TEXT,
    action TEXT NOT NULL,
    flag TEXT,
    line TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_by_flag ON audit (environment, flag, seq);

-- Counters shared by every replica ('audit': the last audit seq; 'scheduled': the last
-- scheduled change id). Bumping one is the lock that orders what it counts.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('audit', 0);
INSERT INTO counters (name, value) VALUES ('scheduled', 0);

-- Named admin tokens: the SHA-256 of the token, never the token.
CREATE TABLE tokens (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
    -- Comma-separated environment names the token may act on; NULL: every environment.
    environments TEXT,
    hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- Changes stored to be applied at an instant.
CREATE TABLE scheduled (
    id BIGINT PRIMARY KEY,
    environment TEXT NOT NULL REFERENCES environments (name),
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    action TEXT NOT NULL,
    body TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- pending, applied, cancelled or failed
    state TEXT NOT NULL,
    result TEXT
);
CREATE INDEX scheduled_by_due ON scheduled (state, due_at);
