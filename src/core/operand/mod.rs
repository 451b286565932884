//! Condition operands that are parsed once, when a snapshot compiles, and used on every
//! evaluation: semantic versions, IP addresses and CIDR ranges, `contains` needles, `caseInsensitive` folding and (feature
//! `regex`) `matches` patterns. A leaf below both `snapshot` (which builds them) and `eval`
//! (which compares with them): each is strict, bounded in the work one input can cost, and
//! shared by both so that what compiles is exactly what evaluates.

pub(crate) mod cidr;
pub(crate) mod fold;
mod ip;
pub(crate) mod needle;
#[cfg(feature = "regex")]
pub(crate) mod pattern;
pub(crate) mod semver;
