//! Evaluation: rules, operators, segments, prerequisites, bucketing, schedules, details, in
//! the normative order of SNAPSHOT.md §3. Evaluation never panics and never fails: every
//! problem becomes the caller's default with a reason and an error code.

mod accessors;
pub mod cidr;
mod condition;
mod details;
mod ip;
mod json_out;
pub(crate) mod needle;
#[cfg(feature = "wasm")]
mod outcomes;
#[cfg(feature = "regex")]
pub mod pattern;
mod resolve;
pub mod semver;
mod serve;

pub use details::{Details, ErrorCode, Reason};
#[cfg(feature = "wasm")]
pub(crate) use {outcomes::Outcome, resolve::Served};
