//! End-to-end tests of `edgeflag serve` through the built binary: each test starts its own
//! server on a free port (`--listen 127.0.0.1:0`, the bound address read from its output),
//! talks HTTP/1.1 to it, and kills it when done. Waiting is polling with a generous timeout,
//! never a fixed sleep.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    unreachable_pub
)]

#[path = "serve/admin.rs"]
mod admin;
#[path = "serve/audit.rs"]
mod audit;
#[path = "serve/client.rs"]
mod client;
#[path = "serve/events.rs"]
mod events;
#[path = "serve/import.rs"]
mod import;
#[path = "serve/limits.rs"]
mod limits;
#[path = "serve/postgres.rs"]
mod postgres;
#[path = "serve/replicas.rs"]
mod replicas;
#[path = "serve/rollouts.rs"]
mod rollouts;
#[path = "serve/sample_size.rs"]
mod sample_size;
#[path = "serve/scheduled.rs"]
mod scheduled;
#[path = "serve/service.rs"]
mod service;
#[path = "serve/service_access.rs"]
mod service_access;
#[path = "serve/service_definitions.rs"]
mod service_definitions;
#[path = "serve/snapshot.rs"]
mod snapshot;
#[path = "serve/state.rs"]
mod state;
#[path = "serve/support.rs"]
mod support;
#[path = "serve/tenants.rs"]
mod tenants;
#[path = "serve/vendor_import.rs"]
mod vendor_import;
#[path = "serve/watch.rs"]
mod watch;
