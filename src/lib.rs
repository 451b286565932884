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
#![no_std]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

mod bucket;
pub mod context;
pub mod envelope;
mod error;
pub mod eval;
pub mod json;
mod limits;
pub mod lint;
pub mod snapshot;
pub mod sync;
mod text;
pub mod time;
#[cfg(feature = "wasm")]
pub mod wasm;

pub use bucket::{bucket, BUCKETS};
pub use context::{CompiledContext, Context};
pub use error::Error;
pub use eval::{Details, ErrorCode, Reason};
pub use json::Value;
pub use limits::{ContextLimits, Limits};
pub use snapshot::{FlagId, FlagRef, FlagType, Header, Snapshot};

/// The DSSE `payloadType` of an edgeflag snapshot (format v1).
pub const PAYLOAD_TYPE: &str = "application/vnd.edgeflag.snapshot.v1+json";

/// The payload `schema` this build reads.
pub const SCHEMA: &str = "edgeflag/v1";
