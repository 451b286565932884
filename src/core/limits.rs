//! Caps on everything a snapshot or a context may contain (src/core/SECURITY.md "Default limits").
//! Hosts may lower or raise any of them; the defaults are the design's.

/// Limits applied when an envelope or payload is parsed and compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest envelope (and payload) accepted, in bytes, checked before parsing.
    pub max_bytes: usize,
    /// Most flags in one snapshot.
    pub max_flags: usize,
    /// Most segments in one snapshot.
    pub max_segments: usize,
    /// Most rules in one flag (and AND-lists in one segment).
    pub max_rules_per_flag: usize,
    /// Most conditions in one rule.
    pub max_conditions_per_rule: usize,
    /// Most values in one condition, target, prerequisite or segment list.
    pub max_values_per_condition: usize,
    /// Longest string (and object key), in bytes.
    pub max_string_bytes: usize,
    /// Deepest JSON nesting (arrays and objects).
    pub max_depth: usize,
    /// Most variants in one flag.
    pub max_variants_per_flag: usize,
    /// Longest chain of prerequisites or of segments that name segments.
    pub max_dependency_depth: usize,
    /// Most flag and segment evaluations one flag evaluation may cause (prerequisites and
    /// nested segments shared along different paths count each time), so that a diamond of
    /// dependencies cannot make one evaluation exponential.
    pub max_dependency_work: usize,
    /// Limits on contexts supplied by applications.
    pub context: ContextLimits,
    /// What an error inside one flag's definition does: refuse the snapshot
    /// ([`LoadMode::Strict`], the default) or degrade that flag ([`LoadMode::Client`]).
    pub mode: LoadMode,
}

/// How a load treats an error inside one flag's or segment's definition (FORMAT.md §6).
///
/// Structural errors (not JSON, header fields, limits, duplicate keys, cycles, dependency
/// bounds) refuse the whole snapshot in both modes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LoadMode {
    /// Refuse the snapshot, naming the path: what signers, linters and the owning backend use.
    #[default]
    Strict,
    /// Load the rest: the flag (and every flag that depends on it through a prerequisite or a
    /// segment) evaluates to the caller's default with reason `ERROR`, error `PARSE_ERROR`
    /// ([`Snapshot::degraded_flags`](crate::Snapshot::degraded_flags) lists them). What
    /// clients use, so that a payload of a newer minor revision keeps its other flags working.
    Client,
    /// [`Client`](Self::Client), except that a flag or segment that uses `matches` in a build
    /// without the `regex` feature refuses the snapshot (the error [`Strict`](Self::Strict)
    /// gives): for a host that loads the build with `regex` when it sees that refusal, so
    /// that it switches with the snapshot it had still loaded (the npm package's client and
    /// its companion module).
    ClientRefusingRegex,
}

/// Limits on an evaluation context (it comes from application code, maybe from a request).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextLimits {
    /// Most top-level attributes.
    pub max_attributes: usize,
    /// Longest string, in bytes.
    pub max_string_bytes: usize,
    /// Deepest nesting of lists and objects inside an attribute.
    pub max_depth: usize,
    /// Most values in total (every array element and object member counts).
    pub max_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 4 * 1024 * 1024,
            max_flags: 10_000,
            max_segments: 10_000,
            max_rules_per_flag: 1_000,
            max_conditions_per_rule: 100,
            max_values_per_condition: 10_000,
            max_string_bytes: 8 * 1024,
            max_depth: 64,
            max_variants_per_flag: 1_000,
            max_dependency_depth: 32,
            max_dependency_work: 10_000,
            context: ContextLimits::default(),
            mode: LoadMode::Strict,
        }
    }
}

impl Limits {
    /// These limits with `mode`.
    pub fn with_mode(mut self, mode: LoadMode) -> Self {
        self.mode = mode;
        self
    }
}

impl Default for ContextLimits {
    fn default() -> Self {
        ContextLimits {
            max_attributes: 1_000,
            max_string_bytes: 8 * 1024,
            max_depth: 32,
            max_values: 10_000,
        }
    }
}
