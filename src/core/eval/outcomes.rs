//! Evaluation outcomes by position, for hosts that keep a snapshot's names and values on their
//! own side (a binding that writes them once per snapshot, then only numbers per evaluation):
//! what a flag served as variant and rule positions, not as text. The wasm bindings build their
//! JavaScript results this way; [`FlagInfo`] describes what the positions point at.

use super::accessors::Failure;
use super::details::Details;
use super::resolve::Served;
use crate::context::CompiledContext;
use crate::json::Value;
use crate::snapshot::flag_ref::sealed::Lookup;
use crate::snapshot::{FlagId, FlagInfo, FlagRef, FlagType, Snapshot};

/// One flag's outcome from [`Snapshot::outcome`]: the flag's position (`None`: not found),
/// and the flag with what it served, or the failure's details (value `None`).
#[derive(Debug)]
pub struct FlagOutcome<'s> {
    /// Where the flag is in the snapshot, if it is there.
    pub id: Option<FlagId>,
    /// What it served, or why it failed (details with their message; value `None`).
    pub result: Result<(FlagInfo<'s>, Served), Details<'s, Option<&'s Value>>>,
}

/// A failed evaluation of [`Snapshot::each_outcome`]: its message is built only if asked for.
pub struct Failed<'s> {
    snapshot: &'s Snapshot,
    id: FlagId,
    failure: Failure<'s>,
}

impl<'s> Failed<'s> {
    /// The error details (value `None`), message included.
    pub fn details(self) -> Details<'s, Option<&'s Value>> {
        self.snapshot.failed(&self.id, self.failure)
    }
}

impl Snapshot {
    /// One flag's outcome by position, checked against `want` (`None` accepts any type) as
    /// [`Snapshot::details_typed`] checks it.
    ///
    /// ```
    /// use edgeflag::{Context, FlagType, Limits, Reason, Snapshot};
    ///
    /// let payload = br#"{"schema": "edgeflag/v1", "owner": "shop", "environment": "production",
    ///   "version": 1, "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
    ///   "flags": { "color": { "type": "string", "variants": { "red": "r", "blue": "b" },
    ///     "offVariant": "red", "rules": [ { "id": "pro", "serve": { "variant": "blue" },
    ///       "conditions": [ { "attribute": "plan", "op": "in", "values": ["pro"] } ] } ] } }}"#;
    /// let snapshot = Snapshot::load(payload, &Limits::default())?;
    /// let ctx = snapshot.context(&Context::from_pairs([("plan", "pro".into())]));
    ///
    /// let outcome = snapshot.outcome("color", &ctx, 0, Some(FlagType::String));
    /// let (flag, served) = outcome.result.expect("the flag is there and is a string");
    /// assert_eq!((served.variant, served.rule, served.reason), (1, Some(0), Reason::TargetingMatch));
    /// // The positions point into what the flag describes:
    /// assert_eq!(flag.variants().nth(1).map(|(name, _)| name), Some("blue"));
    /// assert_eq!(flag.rule_ids().next(), Some(Some("pro")));
    /// # Ok::<(), edgeflag::Error>(())
    /// ```
    pub fn outcome<'s>(
        &'s self,
        key: impl FlagRef,
        ctx: &CompiledContext,
        now: i64,
        want: Option<FlagType>,
    ) -> FlagOutcome<'s> {
        self.outcome_of(key.id(self), &key, ctx, now, want)
    }

    /// [`Snapshot::outcome`] once the flag is looked up (not generic: compiled once).
    fn outcome_of<'s>(
        &'s self,
        id: Option<FlagId>,
        key: &dyn Lookup,
        ctx: &CompiledContext,
        now: i64,
        want: Option<FlagType>,
    ) -> FlagOutcome<'s> {
        let flag = id.and_then(|id| self.flag_at(id.0));
        let result = match self.run(flag, ctx, now, want) {
            Ok((f, served)) => Ok((FlagInfo::new(f), served)),
            Err(failure) => Err(self.failed(key, failure)),
        };
        FlagOutcome { id, result }
    }

    /// Evaluates every flag in payload order: `f` gets each flag with what it served, or the
    /// failure, whose message is built only if asked for ([`Failed::details`]).
    pub fn each_outcome<'s>(
        &'s self,
        ctx: &CompiledContext,
        now: i64,
        mut f: impl FnMut(FlagInfo<'s>, Result<Served, Failed<'s>>),
    ) {
        for (i, flag) in (0u32..).zip(self.flags()) {
            match self.run(Some(flag), ctx, now, None) {
                Ok((flag, served)) => f(FlagInfo::new(flag), Ok(served)),
                Err(failure) => f(
                    FlagInfo::new(flag),
                    Err(Failed {
                        snapshot: self,
                        id: FlagId(i),
                        failure,
                    }),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::snapshot::test_snapshot;
    use crate::{Context, ErrorCode, FlagType, Reason, Value};
    use alloc::vec::Vec;

    const FLAGS: &str = r#"
      "color":{"type":"string","variants":{"red":"r","blue":"b"},"offVariant":"red",
        "rules":[{"id":"pro","conditions":[{"attribute":"plan","op":"in","values":["pro"]}],
                  "serve":{"variant":"blue"}}]},
      "split":{"type":"boolean","variants":{"on":true,"off":false},"offVariant":"off",
        "defaultServe":{"rollout":{"by":"team","weights":[{"variant":"on","weight":100000}]}}}"#;

    #[test]
    fn an_outcome_names_by_position_what_details_name_by_text() {
        let s = test_snapshot(FLAGS);
        let ctx = s.context(&Context::from_pairs([("plan", Value::from("pro"))]));
        let outcome = s.outcome("color", &ctx, 0, Some(FlagType::String));
        assert_eq!(outcome.id, s.flag_id("color"));
        let (info, served) = outcome.result.unwrap();
        let details = s.details("color", &ctx, 0);
        assert_eq!(
            info.variants().nth(served.variant as usize).map(|v| v.0),
            details.variant
        );
        assert_eq!(served.rule, details.rule_index);
        assert_eq!(served.reason, Reason::TargetingMatch);
        assert_eq!(info.rule_ids().next().flatten(), details.rule_id);
    }

    #[test]
    fn failed_outcomes_carry_the_details_a_typed_call_would_give() {
        let s = test_snapshot(FLAGS);
        let ctx = s.context(&Context::new());
        let missing = s.outcome("nope", &ctx, 0, None);
        assert_eq!(missing.id, None);
        let d = missing.result.unwrap_err();
        assert_eq!(d.error_code, Some(ErrorCode::FlagNotFound));
        let mismatch = s.outcome("color", &ctx, 0, Some(FlagType::Boolean));
        assert_eq!(mismatch.id, s.flag_id("color"));
        let d = mismatch.result.unwrap_err();
        assert_eq!(
            d,
            s.details_typed("color", &ctx, 0, Some(FlagType::Boolean))
        );
    }

    #[test]
    fn each_outcome_visits_every_flag_in_payload_order() {
        let s = test_snapshot(FLAGS);
        let ctx = s.context(&Context::new());
        let mut seen = Vec::new();
        s.each_outcome(&ctx, 0, |info, result| match result {
            Ok(served) => seen.push((info.key(), Ok(served.reason))),
            Err(failed) => seen.push((info.key(), Err(failed.details().error_code))),
        });
        assert_eq!(
            seen,
            [
                ("color", Ok(Reason::Static)),
                ("split", Err(Some(ErrorCode::TargetingKeyMissing)))
            ]
        );
    }
}
