//! One Unleash activation strategy -> edgeflag rules, in order.
//!
//! A strategy enables the feature when its constraints and segments hold and its own test
//! (user list, percentage, IP list) passes; otherwise evaluation moves on to the next strategy.
//! Percentages hash like Unleash (`murmur3_x86_32("{groupId}:{unit}", 0) % 100 + 1 <= p`, so
//! bucket `b` of 100 is in when `b < p`) and fall through when the unit is outside.

use super::constraint::{self, Term};
use super::read;
use super::segments::{SegState, Segments};
use super::variants::{self, Variants};
use crate::{ImportError, Note};
use edgeflag::unstable::operand::Cidr;
use serde_json::{json, Value};

/// What the strategy's own test becomes.
enum Gate {
    /// Passes for everyone (`default`, or a 100% rollout that Unleash completes at random).
    Always,
    /// Passes for no one.
    Never,
    /// A condition.
    Cond(Value),
    /// A percentage of the units read from `by`.
    Rollout {
        by: Vec<String>,
        salt: String,
        percent: u64,
    },
}

/// The feature-level facts a strategy needs.
pub(super) struct FeatureCtx<'a> {
    /// The feature name (Unleash's default groupId).
    pub name: &'a str,
    /// The feature's variants.
    pub variants: &'a Variants,
    /// The edgeflag variant served when the feature is on without a variant.
    pub enabled_variant: &'a str,
    /// The segments of the document.
    pub segments: &'a Segments,
}

const KNOWN: &[&str] = &[
    "name",
    "parameters",
    "constraints",
    "segments",
    "variants",
    "id",
    "sortOrder",
    "title",
    "disabled",
];

/// The rules of the strategy at `path` (`i` is its index in the feature), and its parsed
/// variants (for the flag's variant set).
pub(super) fn rules(
    s: &Value,
    i: usize,
    path: &str,
    f: &FeatureCtx<'_>,
    notes: &mut Vec<Note>,
) -> Result<(Vec<Value>, Variants), ImportError> {
    let m = read::object(s, path)?;
    read::note_unknown(m, KNOWN, path, notes);
    let name = read::req_str(m, "name", path)?;
    let pp = read::key(path, "parameters");
    let params = match read::opt(m, "parameters") {
        Some(p) => Some(read::object(p, &pp)?),
        None => None,
    };
    let param = |k: &str| match params {
        Some(p) => read::opt_text(p, k, &pp),
        None => Ok(None),
    };
    let vs = variants::parse(
        read::opt_array(m, "variants", path)?,
        &read::key(path, "variants"),
        notes,
    )?;

    // Constraints and segments, all parsed (so a malformed one is reported) before deciding.
    let mut never = false;
    let mut conds = Vec::new();
    let cp = read::key(path, "constraints");
    for (j, c) in read::opt_array(m, "constraints", path)?.iter().enumerate() {
        match constraint::constraint(c, &read::index(&cp, j), notes)? {
            Term::Always => {}
            Term::Never => never = true,
            Term::Cond(c) => conds.push(c),
        }
    }
    let sp = read::key(path, "segments");
    for (j, id) in read::opt_array(m, "segments", path)?.iter().enumerate() {
        let ip = read::index(&sp, j);
        let id = id
            .as_i64()
            .ok_or_else(|| ImportError::new(&ip, "expected an integer segment id"))?;
        match f.segments.get(id) {
            None => {
                read::note(
                    notes,
                    &ip,
                    false,
                    format!(
                        "segment {id} does not exist: the strategy never matches, as in Unleash"
                    ),
                );
                never = true;
            }
            Some(SegState::Never) => never = true,
            Some(SegState::Always) => {}
            Some(SegState::Key(k)) => conds.push(json!({ "op": "inSegment", "values": [k] })),
        }
    }
    if read::opt_bool(m, "disabled", path)? == Some(true) {
        read::note(
            notes,
            path,
            false,
            "disabled strategy, skipped as Unleash does",
        );
        return Ok((Vec::new(), vs));
    }

    let percent = |k: &str| -> Result<Option<u64>, ImportError> {
        // Unleash's engine reads percentages as unsigned integers; anything else disables the
        // strategy.
        Ok(param(k)?
            .and_then(|p| p.parse::<u64>().ok())
            .map(|p| p.min(100)))
    };
    let group = |p: Option<String>| p.unwrap_or_else(|| f.name.to_string());
    let attrs = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut random_fallback = false;
    let gate = match name {
        "default" => Gate::Always,
        "userWithId" => match param("userIds")? {
            Some(ids) => {
                let ids: Vec<&str> = ids.split(',').map(str::trim).collect();
                Gate::Cond(json!({ "attribute": "userId", "op": "in", "values": ids }))
            }
            None => Gate::Never,
        },
        "gradualRolloutUserId" | "gradualRolloutSessionId" => {
            let attr = if name == "gradualRolloutUserId" {
                "userId"
            } else {
                "sessionId"
            };
            match (percent("percentage")?, param("groupId")?) {
                (Some(p), Some(g)) => Gate::Rollout {
                    by: attrs(&[attr]),
                    salt: g,
                    percent: p,
                },
                _ => Gate::Never,
            }
        }
        "gradualRolloutRandom" => match percent("percentage")? {
            Some(p) => {
                random_fallback = true;
                Gate::Rollout {
                    by: attrs(&["userId", "sessionId"]),
                    salt: f.name.to_string(),
                    percent: p,
                }
            }
            None => Gate::Never,
        },
        "flexibleRollout" => match percent("rollout")? {
            Some(p) => {
                let by = match param("stickiness")?.as_deref() {
                    None | Some("default") => {
                        random_fallback = true;
                        attrs(&["userId", "sessionId"])
                    }
                    Some("random") => {
                        random_fallback = true;
                        attrs(&["userId", "sessionId"])
                    }
                    Some(field) => vec![field.to_string()],
                };
                Gate::Rollout {
                    by,
                    salt: group(param("groupId")?),
                    percent: p,
                }
            }
            None => Gate::Never,
        },
        "remoteAddress" => match param("IPs")? {
            Some(ips) => {
                let ipp = read::key(&pp, "IPs");
                let mut ok = Vec::new();
                for ip in ips.split(',').map(str::trim) {
                    if Cidr::parse(ip).is_some() {
                        ok.push(ip);
                    } else {
                        read::note(notes, &ipp, false, format!("{ip:?} is not an IP address or range: dropped, as Unleash ignores it"));
                    }
                }
                if ok.is_empty() {
                    Gate::Never
                } else {
                    Gate::Cond(
                        json!({ "attribute": "remoteAddress", "op": "inCidr", "values": ok }),
                    )
                }
            }
            None => Gate::Never,
        },
        "applicationHostname" => {
            read::note(notes, path, true, "applicationHostname depends on the host's name, not on the context: the strategy is left out (never matches)");
            Gate::Never
        }
        other => {
            read::note(notes, path, true, format!("custom strategy {other:?}: Unleash evaluates it as false unless the application registers it; left out (never matches)"));
            Gate::Never
        }
    };
    let gate = match gate {
        Gate::Rollout { percent: 0, .. } => Gate::Never,
        // Everyone is in, and Unleash draws a random unit for a context without one.
        Gate::Rollout { percent: 100, .. } if random_fallback => Gate::Always,
        g => g,
    };
    if never || matches!(gate, Gate::Never) {
        return Ok((Vec::new(), vs));
    }
    if random_fallback {
        if let Gate::Rollout { percent, .. } = &gate {
            let what = if name == "gradualRolloutRandom" {
                "Unleash draws at random on every evaluation; imported as a sticky rollout on userId, then sessionId, which a context with neither is outside of"
            } else {
                "a context with neither userId nor sessionId is outside the rollout (Unleash draws at random)"
            };
            read::note(notes, path, true, format!("{percent}% rollout: {what}"));
        }
    }

    // Which variants this strategy serves: its own, else the feature's.
    let id = format!("strategies[{i}]");
    let (chosen, stickiness, salt) = if vs.names.is_empty() {
        let st = f.variants.first_stickiness.clone();
        (f.variants, st, f.name.to_string())
    } else {
        (&vs, param("stickiness")?, group(param("groupId")?))
    };
    let bucketing = json!({ "hash": "murmur3", "seed": 0, "buckets": 100 });
    let mut out = Vec::new();
    if chosen.total() > 0 {
        match gate {
            Gate::Cond(c) => conds.push(c),
            Gate::Rollout { by, salt, percent } => conds.push(json!({
                "op": "inBucket", "by": variants::by_value(&by), "salt": salt,
                "bucketing": bucketing, "values": [[0, percent]],
            })),
            Gate::Always | Gate::Never => {}
        }
        out.extend(variants::rules(
            chosen,
            stickiness.as_deref(),
            &salt,
            &conds,
            &id,
            path,
            notes,
        ));
    } else {
        let serve = match gate {
            Gate::Cond(c) => {
                conds.push(c);
                json!({ "variant": f.enabled_variant })
            }
            Gate::Rollout { by, salt, percent } => {
                let mut weights = vec![json!({ "variant": f.enabled_variant, "weight": percent })];
                if percent < 100 {
                    weights.push(json!({ "weight": 100 - percent }));
                }
                json!({ "rollout": {
                    "by": variants::by_value(&by), "salt": salt, "bucketing": bucketing,
                    "fallThrough": true, "weights": weights,
                } })
            }
            Gate::Always | Gate::Never => json!({ "variant": f.enabled_variant }),
        };
        out.push(variants::rule(&id, conds, serve));
    }
    Ok((out, vs))
}
