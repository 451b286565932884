//! Events: what units were served (exposures), what they did afterwards (`track`), and the
//! edge worker's request metrics per variant, received from the worker at
//! `POST /ingest/{env}/events` (the route is [`ingest`](crate::ingest)) and counted per flag, variant and event as they arrive, so
//! an experiment's results and a guard's figures are a read of a few rows.
//!
//! A batch is refused whole when it is malformed (400, naming the field), too large (413) or
//! unauthenticated (401: `Authorization: Bearer` the ingest key); otherwise each event is
//! accepted or counted as rejected: a flag the environment does not have (`unknownFlag`), a
//! variant the flag does not have (`unknownVariant`), older than the retention window
//! (`tooOld`), or later than now plus the allowed clock skew (`future`). A batch id is
//! counted once, so the worker may retry a forward it is unsure of.
//!
//! Attribution: a unit is analysed under the variant of its first exposure to a flag; a
//! tracked event counts for every flag the unit had been exposed to when the event arrived
//! (events of a unit never exposed count for nothing).

mod batch;
mod catalog;
mod ingest;

pub(crate) use batch::{parse_batch, Event};
pub(crate) use catalog::{Catalog, Catalogs};
pub(crate) use ingest::{sort, Requests, Sorted, Window};

/// The upper bounds (ms) of the latency histogram's buckets, as the worker and the backend
/// agree (the contract in `worker/README.md`); one more bucket counts what is above the last.
pub(crate) const LATENCY_BOUNDS_MS: [f64; 16] = [
    1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 300.0, 400.0, 500.0, 750.0, 1000.0, 2000.0,
    5000.0, 10000.0,
];

/// The largest ingest request body accepted (413 beyond).
pub(crate) const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// What the ingest route needs to know.
#[derive(Debug)]
pub(crate) struct IngestSettings {
    /// SHA-256 of the ingest key (`--ingest-key`, or generated and printed at start).
    pub(crate) key_digest: [u8; 32],
    /// Events older than this (ms before now) are rejected as `tooOld`.
    pub(crate) retention_ms: i64,
    /// Events later than now by more than this (ms) are rejected as `future`.
    pub(crate) skew_ms: i64,
}
