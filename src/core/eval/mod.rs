//! Evaluation: rules, operators, segments, prerequisites, bucketing, schedules, details, in
//! the normative order of the format's §3 (see [`crate::snapshot`]). Evaluation never panics
//! and never fails: every problem becomes the caller's default with a reason and an error code.

mod accessors;
mod condition;
mod details;
mod outcomes;
mod resolve;
mod serve;

pub use details::{Details, ErrorCode, Reason};
pub use outcomes::{Failed, FlagOutcome};
pub use resolve::Served;
