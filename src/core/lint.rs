//! Warnings about a snapshot that loads but is probably not what its authors mean: flags past
//! their `metadata.expiresAt`, rules that can never match, segments nothing uses, and flags
//! that serve one variant to everybody (candidates for removal). Errors are load errors; a
//! snapshot loaded in client mode also gets one warning per degraded flag.

use crate::json::path::Path;
use crate::snapshot::model::{segment_refs, Flag, Rule, Serve, VariantIdx};
use crate::snapshot::Snapshot;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// One finding: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// Path of the value the warning is about, e.g. `flags.old-banner.metadata.expiresAt`.
    pub path: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl core::fmt::Display for Warning {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Lints a loaded snapshot at `now` (ms since the Unix epoch).
///
/// ```
/// use edgeflag::{lint::lint, Limits, Snapshot};
///
/// let payload = br#"{"schema": "edgeflag/v1", "owner": "shop", "environment": "production",
///   "version": 1, "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
///   "flags": { "old-banner": { "type": "boolean", "variants": { "on": true, "off": false },
///     "offVariant": "off", "metadata": { "expiresAt": "2026-01-31" } } }}"#;
/// let snapshot = Snapshot::load(payload, &Limits::default())?;
/// let warnings = lint(&snapshot, 1_795_000_000_000);
/// assert!(warnings.iter().any(|w| w.path == "flags.old-banner.metadata.expiresAt"));
/// # Ok::<(), edgeflag::Error>(())
/// ```
pub fn lint(snapshot: &Snapshot, now: i64) -> Vec<Warning> {
    let mut out = Vec::new();
    for flag in snapshot.flags() {
        expired(flag, now, &mut out);
        // A flag degraded by a client-mode load is reported as such, and nothing else.
        if let Some(error) = &flag.degraded {
            out.push(Warning {
                path: flag_path(flag, &[]),
                message: format!(
                    "cannot be evaluated by this build (it answers the default with PARSE_ERROR): {}",
                    error.message()
                ),
            });
            continue;
        }
        unreachable_rules(flag, &mut out);
        single_variant(flag, &mut out);
    }
    unused_segments(snapshot, &mut out);
    out
}

fn flag_path(flag: &Flag, tail: &[&str]) -> String {
    let root = Path::ROOT;
    let flags = root.key("flags");
    let mut p = flags.key(&flag.key).render();
    for t in tail {
        p.push_str(t);
    }
    p
}

fn expired(flag: &Flag, now: i64, out: &mut Vec<Warning>) {
    if let Some(at) = flag.expires_at {
        if at < now {
            out.push(Warning {
                path: flag_path(flag, &[".metadata.expiresAt"]),
                message: format!(
                    "flag expired on {}: remove it from code and snapshot, or extend its expiry",
                    crate::time::Rfc3339(at)
                ),
            });
        }
    }
}

fn unreachable_rules(flag: &Flag, out: &mut Vec<Warning>) {
    let Some(catch_all) = flag.rules.iter().position(catches_all) else {
        return;
    };
    for i in catch_all + 1..flag.rules.len() {
        out.push(Warning {
            path: flag_path(flag, &[&format!(".rules[{i}]")]),
            message: format!(
                "unreachable: rules[{catch_all}] has no conditions and always matches first"
            ),
        });
    }
}

/// Whether a rule decides every evaluation that reaches it: no conditions, and not a
/// fall-through rollout (which passes units in its gaps on to the next rule).
fn catches_all(rule: &Rule) -> bool {
    rule.conditions.is_empty() && !matches!(&rule.serve, Serve::Rollout(r) if r.fall_through)
}

/// The variants a serve can produce.
fn served(serve: &Serve, into: &mut Vec<VariantIdx>) {
    match serve {
        Serve::Variant(v) => into.push(*v),
        Serve::Rollout(r) => into.extend(r.ranges.iter().filter_map(|(_, v)| *v)),
        Serve::Schedule(s) => {
            if s.from > 0 || s.to > 0 {
                into.push(s.variant);
            }
            if s.from < crate::BUCKETS || s.to < crate::BUCKETS {
                into.push(s.otherwise);
            }
        }
    }
}

fn single_variant(flag: &Flag, out: &mut Vec<Warning>) {
    let mut variants = Vec::new();
    if !flag.enabled {
        variants.push(flag.off);
    } else {
        if !flag.prerequisites.is_empty() {
            variants.push(flag.off);
        }
        if let Some(targets) = &flag.targets {
            variants.extend_from_slice(targets.values());
        }
        let catch_all = flag.rules.iter().position(catches_all);
        for rule in flag
            .rules
            .iter()
            .take(catch_all.map_or(usize::MAX, |i| i + 1))
        {
            served(&rule.serve, &mut variants);
        }
        if catch_all.is_none() {
            served(&flag.default_serve, &mut variants);
        }
    }
    variants.sort_unstable();
    variants.dedup();
    if let [only] = variants.as_slice() {
        let name = flag.variants.get(*only as usize).map_or("", |v| &*v.name);
        let why = if flag.enabled {
            "every unit"
        } else {
            "every unit (the flag is disabled)"
        };
        out.push(Warning {
            path: flag_path(flag, &[]),
            message: format!("serves variant \"{name}\" to {why}: a candidate for removal"),
        });
    }
}

fn unused_segments(snapshot: &Snapshot, out: &mut Vec<Warning>) {
    let segments = snapshot.segments();
    let mut used = vec![false; segments.len()];
    let mut pending = Vec::new();
    for flag in snapshot.flags() {
        for rule in flag.rules.iter() {
            segment_refs(&rule.conditions, &mut pending);
        }
    }
    // Segments used only by unused segments are unused too: follow references from flags.
    while let Some(s) = pending.pop() {
        match used.get_mut(s as usize) {
            Some(u) if !*u => *u = true,
            _ => continue,
        }
        if let Some(seg) = segments.get(s as usize) {
            for and_list in seg.rules.iter() {
                segment_refs(and_list, &mut pending);
            }
        }
    }
    for (seg, used) in segments.iter().zip(used) {
        if !used {
            let root = Path::ROOT;
            let sp = root.key("segments");
            out.push(Warning {
                path: sp.key(&seg.key).render(),
                message: String::from("unused: no flag refers to this segment"),
            });
        }
    }
}
