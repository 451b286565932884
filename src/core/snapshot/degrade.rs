//! Per-flag degradation ([`LoadMode::Client`](crate::LoadMode), FORMAT.md §6): a flag or
//! segment whose definition has an error becomes a placeholder that evaluation answers with
//! the caller's default (`PARSE_ERROR`); flags and segments that depend on one are degraded
//! too, once the dependency graph has been checked. Structural errors (limits among them)
//! still refuse the snapshot: [`structural`] tells them apart.

use super::attrs::TARGETING_KEY;
use super::compiler::Compiler;
use super::model::{segment_refs, Condition, Flag, Op, Prerequisite, Segment, Serve};
use super::read;
use super::sets::StrSet;
use super::FlagType;
use crate::json::path::Path;
use crate::json::Value;
use crate::text::Msg;
use crate::Error;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// Why a flag of a snapshot loaded in [`LoadMode::Client`](crate::LoadMode) cannot be
/// evaluated: the load error of its definition (or of a prerequisite or segment it uses),
/// with its path. Such a flag evaluates to the caller's default, reason `ERROR`, error
/// `PARSE_ERROR`, with this error's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlagError {
    error: Error,
    needs_regex: bool,
}

impl FlagError {
    /// The error, an [`Error::Invalid`] naming the path of the offending value.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The text evaluation details carry as `errorMessage`: `path: what is wrong`.
    pub fn message(&self) -> String {
        self.error.message()
    }

    /// Whether the flag uses the `matches` operator (itself, or through a prerequisite or a
    /// segment) and this build lacks it (cargo feature `regex`): a host that can load a build
    /// with it (the npm package's companion regex module) should, and load the snapshot again.
    pub fn needs_regex(&self) -> bool {
        self.needs_regex
    }

    pub(crate) fn new(error: Error) -> Self {
        let needs_regex = needs_regex(&error);
        FlagError { error, needs_regex }
    }
}

/// Whether `e` is `matches` met by a build without the `regex` feature.
pub(crate) fn needs_regex(e: &Error) -> bool {
    matches!(e, Error::Invalid { message, .. } if message == read::NEEDS_REGEX)
}

/// Whether `e`, met inside a flag or segment definition, still refuses the whole snapshot in
/// client mode: a limit (the caps protect the client, whatever flag they are in).
pub(crate) fn structural(e: &Error) -> bool {
    read::is_limit(e)
}

/// The placeholder of flag `key` (JSON `v`), degraded by `error`: its declared type when it
/// can be read (boolean otherwise), its metadata when it is valid, and its prerequisites as
/// far as they name flags, so that the graph check still sees every cycle.
pub(crate) fn flag(c: &Compiler<'_>, key: &str, v: &Value, p: &Path<'_>, error: Error) -> Flag {
    let kind = match v.get("type").and_then(Value::as_str) {
        Some("string") => FlagType::String,
        Some("number") => FlagType::Number,
        Some("object") => FlagType::Object,
        _ => FlagType::Boolean,
    };
    let (metadata, expires_at) = v
        .as_object()
        .and_then(|m| super::compile_flag::metadata(m, p).ok())
        .unwrap_or_default();
    let mut prerequisites = Vec::new();
    let list = v.get("prerequisites").and_then(Value::as_array);
    for item in list.unwrap_or_default() {
        let named = item.get("flag").and_then(Value::as_str);
        if let Some(i) = named.and_then(|k| c.flag_index.position(k)) {
            prerequisites.push(Prerequisite {
                flag: i as u32,
                variants: Box::new([]),
            });
        }
    }
    Flag {
        key: key.into(),
        kind,
        enabled: false,
        variants: Box::new([]),
        off: 0,
        prerequisites: prerequisites.into_boxed_slice(),
        targets: None,
        rules: Box::new([]),
        default_serve: Serve::Variant(0),
        track_events: false,
        metadata,
        expires_at,
        reads_clock: false,
        degraded: Some(Box::new(FlagError::new(error))),
    }
}

/// The placeholder of segment `key` (JSON `v`), degraded by `error`: the segments its rules
/// name are kept (as one never-evaluated condition) so that the graph check sees every cycle.
pub(crate) fn segment(c: &Compiler<'_>, key: &str, v: &Value, error: Error) -> Segment {
    let mut refs = Vec::new();
    let lists = v.get("rules").and_then(Value::as_array).unwrap_or_default();
    for cond in lists.iter().filter_map(Value::as_array).flatten() {
        if cond.get("op").and_then(Value::as_str) != Some("inSegment") {
            continue;
        }
        let values = cond.get("values").and_then(Value::as_array);
        for name in values.unwrap_or_default().iter().filter_map(Value::as_str) {
            if let Some(i) = c.segment_index.position(name) {
                refs.push(i as u32);
            }
        }
    }
    let rules: Box<[Box<[Condition]>]> = if refs.is_empty() {
        Box::new([])
    } else {
        let named = Condition {
            attr: TARGETING_KEY,
            negate: false,
            when_missing: false,
            op: Op::InSegment(refs.into_boxed_slice()),
        };
        Box::new([Box::new([named]) as Box<[Condition]>])
    };
    Segment {
        key: key.into(),
        included: StrSet::default(),
        excluded: StrSet::default(),
        rules,
        degraded: Some(Box::new(FlagError::new(error))),
    }
}

/// Degrades every segment that names a degraded segment, then every flag that has a degraded
/// prerequisite or uses a degraded segment, until nothing changes. The graph is acyclic and
/// bounded (checked before), so the passes end.
pub(crate) fn propagate(flags: &mut [Flag], segments: &mut [Segment]) {
    let root = Path::ROOT;
    let (fp, sp) = (root.key("flags"), root.key("segments"));
    let mut refs = Vec::new();
    loop {
        let mut changed = false;
        for i in 0..segments.len() {
            let Some(s) = segments.get(i).filter(|s| s.degraded.is_none()) else {
                continue;
            };
            let mut found = None;
            for (r, list) in s.rules.iter().enumerate() {
                refs.clear();
                segment_refs(list, &mut refs);
                if let Some(bad) = first_degraded(&refs, segments) {
                    found = Some((r, bad));
                    break;
                }
            }
            if let Some((r, (name, cause))) = found {
                let p = sp.key(&s.key);
                let e = uses(&p.key("rules").index(r), "segment", name, cause);
                if let Some(s) = segments.get_mut(i) {
                    s.degraded = Some(Box::new(e));
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    loop {
        let mut changed = false;
        for i in 0..flags.len() {
            let Some(f) = flags.get(i).filter(|f| f.degraded.is_none()) else {
                continue;
            };
            let p = fp.key(&f.key);
            let mut found = None;
            for (n, pre) in f.prerequisites.iter().enumerate() {
                let bad = flags.get(pre.flag as usize).and_then(|d| {
                    let cause = d.degraded.as_deref()?;
                    Some((&*d.key, cause))
                });
                if let Some((name, cause)) = bad {
                    let pp = p.key("prerequisites");
                    found = Some(uses(&pp.index(n), "prerequisite", name, cause));
                    break;
                }
            }
            for (r, rule) in f.rules.iter().enumerate() {
                if found.is_some() {
                    break;
                }
                refs.clear();
                segment_refs(&rule.conditions, &mut refs);
                if let Some((name, cause)) = first_degraded(&refs, segments) {
                    let rp = p.key("rules");
                    found = Some(uses(&rp.index(r), "segment", name, cause));
                }
            }
            if let (Some(e), Some(f)) = (found, flags.get_mut(i)) {
                f.degraded = Some(Box::new(e));
                f.reads_clock = false;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// The first of `refs` that is degraded: its key and its error.
fn first_degraded<'s>(refs: &[u32], segments: &'s [Segment]) -> Option<(&'s str, &'s FlagError)> {
    refs.iter().find_map(|&s| {
        let seg = segments.get(s as usize)?;
        Some((&*seg.key, seg.degraded.as_deref()?))
    })
}

/// "`what` "`name`" cannot be evaluated", at `p`; needing regex is inherited. The cause is
/// not copied in: `name` has its own entry with it, and copying whole chains into every
/// dependent made the messages grow with the depth times the width of the dependencies (a
/// 900 KB payload held ~1 GB of them).
fn uses(p: &Path<'_>, what: &str, name: &str, cause: &FlagError) -> FlagError {
    let message = Msg::new(what)
        .text(" ")
        .quoted(name)
        .text(" cannot be evaluated")
        .finish();
    FlagError {
        error: Error::invalid(p.render(), message),
        needs_regex: cause.needs_regex,
    }
}
