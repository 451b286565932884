//! Steps 2 to 6 and 8 of FORMAT.md §3 for one flag: kill switch, prerequisites, targets,
//! rules in order (a fall-through rollout may pass on to the next), default; a rollout
//! without its unit fails with `TARGETING_KEY_MISSING`.

use super::condition::holds;
use super::details::Reason;
use super::serve::{pick, MissingUnit};
use crate::bucket::UnitText;
use crate::context::Attrs;
use crate::snapshot::model::Flag;
use crate::snapshot::{Snapshot, TARGETING_KEY};

/// The variant a flag served and why, by position (see [`Snapshot::outcome`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Served {
    /// The variant's position among the flag's variants ([`FlagInfo::variants`]).
    ///
    /// [`FlagInfo::variants`]: crate::snapshot::FlagInfo::variants
    pub variant: u32,
    /// Why it was served.
    pub reason: Reason,
    /// The position of the rule that decided ([`FlagInfo::rule_ids`]), if a rule did.
    ///
    /// [`FlagInfo::rule_ids`]: crate::snapshot::FlagInfo::rule_ids
    pub rule: Option<u32>,
}

/// Resolves `flag` for the context at `now` (ms since the Unix epoch).
pub(crate) fn resolve(
    snap: &Snapshot,
    flag: &Flag,
    attrs: &Attrs<'_>,
    now: i64,
) -> Result<Served, MissingUnit> {
    let off = |reason| Served {
        variant: flag.off,
        reason,
        rule: None,
    };
    if !flag.enabled {
        return Ok(off(Reason::Disabled));
    }
    for pre in flag.prerequisites.iter() {
        // Load-time checks bound the depth of this recursion and the total work.
        // A degraded prerequisite degrades this flag at load; never resolved here.
        let landed = snap
            .flag_at(pre.flag)
            .filter(|f| f.degraded.is_none())
            .and_then(|f| resolve(snap, f, attrs, now).ok());
        if !landed.is_some_and(|s| pre.variants.contains(&s.variant)) {
            return Ok(off(Reason::PrerequisiteFailed));
        }
    }
    if let Some(targets) = &flag.targets {
        if let Some(key) = attrs.get(TARGETING_KEY) {
            let mut text = UnitText::new();
            if let Some(variant) = text.of(key).and_then(|u| targets.get(u)) {
                return Ok(Served {
                    variant,
                    reason: Reason::TargetingMatch,
                    rule: None,
                });
            }
        }
    }
    for (i, rule) in flag.rules.iter().enumerate() {
        if rule.conditions.iter().all(|c| holds(snap, c, attrs)) {
            // `None`: a fall-through rollout passed the unit on to the next rule.
            let Some((variant, split)) = pick(&rule.serve, attrs, now)? else {
                continue;
            };
            return Ok(Served {
                variant,
                reason: if split {
                    Reason::Split
                } else {
                    Reason::TargetingMatch
                },
                rule: Some(i as u32),
            });
        }
    }
    // The default cannot fall through (refused at load); were it to, the unit gets offVariant.
    let (variant, split) = pick(&flag.default_serve, attrs, now)?.unwrap_or((flag.off, false));
    Ok(Served {
        variant,
        reason: if split { Reason::Split } else { Reason::Static },
        rule: None,
    })
}
