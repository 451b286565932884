//! # edgeflag
//!
//! Local evaluation of **signed feature-flag snapshots**, in the browser, at the edge and in
//! the owning backend. The core is `#![no_std]` with `alloc`: it reads no clock, no randomness,
//! no network and no storage — the host passes them in — so the same code runs natively, in
//! WebAssembly under a browser or workerd, and on embedded targets, with identical results.
//!
//! ```
//! use edgeflag::{Context, Snapshot, Limits};
//!
//! let payload = br#"{
//!   "schema": "edgeflag/v1", "owner": "shop", "environment": "production", "version": 1,
//!   "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
//!   "flags": {
//!     "new-checkout": {
//!       "type": "boolean", "enabled": true,
//!       "variants": { "on": true, "off": false }, "offVariant": "off",
//!       "rules": [ { "id": "pro", "conditions": [ { "attribute": "plan", "op": "in", "values": ["pro"] } ],
//!                    "serve": { "variant": "on" } } ]
//!     }
//!   }
//! }"#;
//! let snapshot = Snapshot::load(payload, &Limits::default())?;
//! let ctx = snapshot.context(&Context::from_pairs([("targetingKey", "u1".into()), ("plan", "pro".into())]));
//! let now = 1_795_000_000_000; // the host's clock, in ms since the Unix epoch
//! assert!(snapshot.bool("new-checkout", &ctx, false, now));
//! # Ok::<(), edgeflag::Error>(())
//! ```
//!
//! # Where to start
//!
//! - [`snapshot`]: the snapshot format (the normative contract) and [`Snapshot`], a loaded,
//!   compiled flag set; evaluate with [`Snapshot::bool`], [`Snapshot::bool_details`],
//!   [`Snapshot::all`] and their siblings, for a [`Context`] compiled once per snapshot.
//! - [`envelope`]: signed envelopes, [`envelope::verify`] under a
//!   [`TrustPolicy`](envelope::TrustPolicy), and (feature `sign`) signing.
//! - [`sync`]: the client state machine that decides, given responses and the time, what to
//!   load, what to keep and when to poll.
//! - [`bucketing`]: the vendors' hashes (Unleash, GrowthBook, flagd) a rollout can name, so
//!   imported flags keep every unit's bucket; [`bucket`] is edgeflag's own.
//! - [`lint`]: warnings about a loadable snapshot (expired flags, unreachable rules, ...).
//! - [`Limits`] and [`ContextLimits`]: the bounds every input is checked against.
//!
//! # Cargo features
//!
//! - `std` (default): std for the dependencies; the core itself needs only `alloc`.
//! - `regex`: the `matches` operator (a linear-time engine with size limits).
//! - `sign`: key generation and signing, for the owning backend.
//! - `host-float`: decimal numbers converted by a parser the host registers with
//!   `set_float_parser` (the wasm bindings register JavaScript's `parseFloat`).
//!
//! # Layers
//!
//! Each module uses only the modules below it (`tests/layers.rs` keeps it so):
//!
//! ```text
//! sync                                  the client state machine
//! envelope                              DSSE, Ed25519 verification, trust policy, signing
//! eval, lint                            evaluation and warnings over a compiled snapshot
//! context                               contexts, compiled against a snapshot's attributes
//! snapshot                              the format: parse, validate, compile
//! operand                               semver, CIDR/IP, needles, patterns
//! error, limits                         the shared vocabulary
//! json, bucket, bucketing, time, text   bottom: no dependencies on the rest
//! ```
#![no_std]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

mod bucket;
pub mod bucketing;
mod context;
pub mod envelope;
mod error;
mod eval;
mod json;
mod limits;
pub mod lint;
mod operand;
pub mod snapshot;
pub mod sync;
mod text;
mod time;
#[doc(hidden)]
pub mod unstable;

pub use bucket::{bucket, BUCKETS};
pub use context::{CompiledContext, Context};
pub use error::Error;
pub use eval::{Details, ErrorCode, Failed, FlagOutcome, Reason, Served};
#[cfg(feature = "host-float")]
pub use json::set_float_parser;
pub use json::{Number, Value};
pub use limits::{ContextLimits, Limits, LoadMode};
pub use snapshot::{FlagError, FlagId, FlagRef, FlagType, Header, Snapshot};

/// The DSSE `payloadType` of an edgeflag snapshot (format v1).
pub const PAYLOAD_TYPE: &str = "application/vnd.edgeflag.snapshot.v1+json";

/// The payload `schema` this build reads (and writes by default): `edgeflag/v1` and its minor
/// revisions `edgeflag/v1.N`.
pub const SCHEMA: &str = "edgeflag/v1";

/// The newest minor revision of the schema this build knows (`edgeflag/v1.1`): inside flag and
/// segment definitions of a payload that declares a newer one, unknown members are errors
/// (a degraded flag in [`LoadMode::Client`]) instead of being ignored (FORMAT.md §6).
pub const SCHEMA_MINOR: u32 = 1;
