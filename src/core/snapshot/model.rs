//! The compiled, indexed evaluation form of a snapshot. Everything evaluation needs is
//! resolved at load: variants and flags by index, attributes by id, operands pre-parsed and
//! pre-reduced, so evaluation does no parsing and no allocation.

use super::attrs::AttrId;
use super::sets::{StrMap, StrSet};
use crate::bucketing::{Bucketing, SaltState};
use crate::json::Value;
use crate::operand::cidr::Cidr;
use crate::operand::needle::Needle;
#[cfg(feature = "regex")]
use crate::operand::pattern::Pattern;
use crate::operand::semver::Version;
use crate::snapshot::{FlagError, FlagType};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Index of a variant within its flag.
pub(crate) type VariantIdx = u32;

/// One flag, compiled.
#[derive(Debug)]
pub(crate) struct Flag {
    pub(crate) key: Box<str>,
    pub(crate) kind: FlagType,
    pub(crate) enabled: bool,
    pub(crate) variants: Box<[Variant]>,
    pub(crate) off: VariantIdx,
    pub(crate) prerequisites: Box<[Prerequisite]>,
    /// `targetingKey` -> variant; boxed and absent when empty, as for most flags (an index
    /// is several words, a snapshot has thousands of flags).
    pub(crate) targets: Option<Box<StrMap<VariantIdx>>>,
    pub(crate) rules: Box<[Rule]>,
    pub(crate) default_serve: Serve,
    pub(crate) track_events: bool,
    /// The primitive members of `metadata` (OpenFeature flag metadata).
    pub(crate) metadata: Box<[(Box<str>, Value)]>,
    /// `metadata.expiresAt`, when it parses as a date or an instant (read by the linter).
    pub(crate) expires_at: Option<i64>,
    /// Whether evaluating this flag (or a prerequisite) reads `now`: it serves a schedule.
    pub(crate) reads_clock: bool,
    /// Loaded in [`LoadMode::Client`](crate::LoadMode): why this flag cannot be evaluated
    /// (it then answers the caller's default, `PARSE_ERROR`).
    pub(crate) degraded: Option<Box<FlagError>>,
}

/// A named variant value.
#[derive(Debug)]
pub(crate) struct Variant {
    pub(crate) name: Box<str>,
    pub(crate) value: Value,
}

/// A prerequisite: the flag must land on one of `variants`.
#[derive(Debug)]
pub(crate) struct Prerequisite {
    pub(crate) flag: u32,
    pub(crate) variants: Box<[VariantIdx]>,
}

/// A targeting rule: all conditions hold -> serve.
#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) id: Option<Box<str>>,
    pub(crate) conditions: Box<[Condition]>,
    pub(crate) serve: Serve,
}

/// What a rule or the default serves.
#[derive(Debug)]
pub(crate) enum Serve {
    Variant(VariantIdx),
    Rollout(Box<Rollout>),
    Schedule(Box<Schedule>),
}

/// A percentage rollout over weighted variants.
#[derive(Debug)]
pub(crate) struct Rollout {
    pub(crate) by: UnitBy,
    pub(crate) salt: Box<str>,
    /// The salt's share of the hash, computed at load.
    pub(crate) salt_state: SaltState,
    pub(crate) bucketing: Bucketing,
    /// Whether a unit in a gap, or without any `by` attribute, continues with the next rule.
    pub(crate) fall_through: bool,
    /// (exclusive cumulative end, variant or `None` for a gap), zero-weight entries dropped;
    /// the last end is the bucketing's bucket count.
    pub(crate) ranges: Box<[(u32, Option<VariantIdx>)]>,
}

/// The unit attributes of a rollout or `inBucket`: the first present as a unit is used.
/// `rest` is empty (no allocation) for the usual single attribute.
#[derive(Debug)]
pub(crate) struct UnitBy {
    pub(crate) first: AttrId,
    pub(crate) rest: Box<[AttrId]>,
}

/// The operands of `inBucket`: the unit's bucket lies in one of `ranges` (`start..end`).
#[derive(Debug)]
pub(crate) struct BucketTest {
    pub(crate) by: UnitBy,
    pub(crate) salt: Box<str>,
    /// The salt's share of the hash, computed at load.
    pub(crate) salt_state: SaltState,
    pub(crate) bucketing: Bucketing,
    pub(crate) ranges: Box<[(u32, u32)]>,
}

/// A percentage that ramps from `from` to `to` between two instants.
#[derive(Debug)]
pub(crate) struct Schedule {
    pub(crate) by: AttrId,
    pub(crate) salt: Box<str>,
    pub(crate) variant: VariantIdx,
    pub(crate) otherwise: VariantIdx,
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) from: u32,
    pub(crate) to: u32,
    pub(crate) curve: Curve,
}

/// The shape of a scheduled ramp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Curve {
    Linear,
    SCurve,
}

/// A segment: explicit members and non-members, then rules.
#[derive(Debug)]
pub(crate) struct Segment {
    pub(crate) key: Box<str>,
    pub(crate) included: StrSet,
    pub(crate) excluded: StrSet,
    /// OR of AND-lists.
    pub(crate) rules: Box<[Box<[Condition]>]>,
    /// Loaded in [`LoadMode::Client`](crate::LoadMode): why this segment cannot be evaluated
    /// (every flag that uses it is degraded too).
    pub(crate) degraded: Option<Box<FlagError>>,
}

/// One condition of a rule or segment rule.
#[derive(Debug)]
pub(crate) struct Condition {
    pub(crate) attr: AttrId,
    pub(crate) negate: bool,
    /// `whenMissing`: the result when the attribute is missing or has no comparable value.
    pub(crate) when_missing: bool,
    pub(crate) op: Op,
}

/// Appends the segments `conditions` name (`inSegment`) to `out`: for the load-time graph
/// check and the linter. A plain loop: iterator adapters over nested slices cost the
/// size-first wasm build a function each.
pub(crate) fn segment_refs(conditions: &[Condition], out: &mut Vec<u32>) {
    for c in conditions {
        if let Op::InSegment(segs) = &c.op {
            out.extend_from_slice(segs);
        }
    }
}

/// An operator with its operands pre-parsed. "Holds against ANY of values" is pre-reduced
/// where an order exists: `lt` against any value is `lt` against the largest, and so on.
#[derive(Debug)]
pub(crate) enum Op {
    In(Box<ValueSet>),
    StartsWith(Box<[Box<str>]>),
    EndsWith(Box<[Box<str>]>),
    Contains(Box<[Needle]>),
    Lt(f64),
    Lte(f64),
    Gt(f64),
    Gte(f64),
    /// Instants in ms: before the latest / after the earliest value.
    Before(i64),
    After(i64),
    SemverEq(Box<[Version]>),
    SemverLt(Box<Version>),
    SemverLte(Box<Version>),
    SemverGt(Box<Version>),
    SemverGte(Box<Version>),
    Exists,
    InSegment(Box<[u32]>),
    InCidr(Box<[Cidr]>),
    InBucket(Box<BucketTest>),
    #[cfg(feature = "regex")]
    Matches(Box<[Pattern]>),
    /// `caseInsensitive` (v1.1), operands folded at load: apart from the plain string
    /// operators so that their evaluation stays exactly as it was.
    Folded(Box<Folded>),
    /// `numericStrings` (v1.1) on `in` (numbers), `lt`, `lte`, `gt`, `gte`: the inner operator,
    /// applied to a string attribute that is exactly a JSON number as that number.
    Numeric(Box<Op>),
}

/// A `caseInsensitive` operator; its operands are folded (`operand::fold`).
#[derive(Debug)]
pub(crate) enum Folded {
    In(StrSet),
    StartsWith(Box<[Box<str>]>),
    EndsWith(Box<[Box<str>]>),
    Contains(Box<[Needle]>),
}

/// The operands of `in`, split by type.
#[derive(Debug)]
pub(crate) struct ValueSet {
    pub(crate) strings: StrSet,
    pub(crate) numbers: Box<[f64]>,
    pub(crate) has_true: bool,
    pub(crate) has_false: bool,
}
