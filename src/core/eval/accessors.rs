//! The public evaluation API on [`Snapshot`]: typed getters (the fast path: no allocation),
//! typed and untyped details, and evaluate-all. Steps 1 and 7 of FORMAT.md §3 live here.

use super::details::{Details, ErrorCode, Reason};
use super::resolve::{resolve, Served};
use super::serve::MissingUnit;
use crate::context::CompiledContext;
use crate::json::Value;
use crate::snapshot::flag_ref::sealed::Lookup;
use crate::snapshot::model::Flag;
use crate::snapshot::{FlagError, FlagId, FlagRef, FlagType, Snapshot};
use crate::text::Msg;
use alloc::string::String;
use alloc::vec::Vec;

/// Why an evaluation fell back to the caller's default (the message is built only on demand).
pub(super) enum Failure<'s> {
    NotFound,
    /// Degraded at load (client mode): the flag's definition could not be compiled.
    Degraded(&'s Flag, &'s FlagError),
    TypeMismatch(&'s Flag, FlagType),
    InvalidContext(&'s Flag, String),
    MissingUnit(&'s Flag, MissingUnit),
}

impl Failure<'_> {
    fn code(&self) -> ErrorCode {
        match self {
            Failure::NotFound => ErrorCode::FlagNotFound,
            Failure::Degraded(..) => ErrorCode::ParseError,
            Failure::TypeMismatch(..) => ErrorCode::TypeMismatch,
            Failure::InvalidContext(..) => ErrorCode::InvalidContext,
            Failure::MissingUnit(..) => ErrorCode::TargetingKeyMissing,
        }
    }
}

impl Snapshot {
    pub(super) fn run<'s>(
        &'s self,
        flag: Option<&'s Flag>,
        ctx: &CompiledContext,
        now: i64,
        want: Option<FlagType>,
    ) -> Result<(&'s Flag, Served), Failure<'s>> {
        let flag = flag.ok_or(Failure::NotFound)?;
        // Before the type check: a degraded flag answers PARSE_ERROR whatever is asked.
        if let Some(error) = &flag.degraded {
            return Err(Failure::Degraded(flag, error));
        }
        if let Some(want) = want {
            if want != flag.kind {
                return Err(Failure::TypeMismatch(flag, want));
            }
        }
        let mut scratch = Vec::new();
        let attrs = ctx
            .attrs(self, &mut scratch)
            .map_err(|reason| Failure::InvalidContext(flag, reason.into()))?;
        resolve(self, flag, &attrs, now)
            .map(|served| (flag, served))
            .map_err(|missing| Failure::MissingUnit(flag, missing))
    }

    fn served_value<'s>(flag: &'s Flag, served: &Served) -> Option<&'s Value> {
        flag.variants.get(served.variant as usize).map(|v| &v.value)
    }

    /// The value served for `flag` when it has type `want` (`None` accepts any type): the one
    /// path behind the getters and `values_json`. A failure is `None`, with no message built.
    pub(crate) fn value_of<'s>(
        &'s self,
        flag: Option<&'s Flag>,
        ctx: &CompiledContext,
        now: i64,
        want: Option<FlagType>,
    ) -> Option<&'s Value> {
        self.run(flag, ctx, now, want)
            .ok()
            .and_then(|(f, s)| Self::served_value(f, &s))
    }

    /// A boolean flag's value, or `default` on any failure.
    pub fn bool(&self, key: impl FlagRef, ctx: &CompiledContext, default: bool, now: i64) -> bool {
        self.value_of(self.find(&key), ctx, now, Some(FlagType::Boolean))
            .and_then(Value::as_bool)
            .unwrap_or(default)
    }

    /// A string flag's value, or `default` on any failure.
    pub fn string<'a>(
        &'a self,
        key: impl FlagRef,
        ctx: &CompiledContext,
        default: &'a str,
        now: i64,
    ) -> &'a str {
        self.value_of(self.find(&key), ctx, now, Some(FlagType::String))
            .and_then(Value::as_str)
            .unwrap_or(default)
    }

    /// A number flag's value, or `default` on any failure.
    pub fn number(&self, key: impl FlagRef, ctx: &CompiledContext, default: f64, now: i64) -> f64 {
        self.value_of(self.find(&key), ctx, now, Some(FlagType::Number))
            .and_then(Value::as_f64)
            .unwrap_or(default)
    }

    /// An object flag's value, or `default` on any failure.
    pub fn object<'a>(
        &'a self,
        key: impl FlagRef,
        ctx: &CompiledContext,
        default: &'a Value,
        now: i64,
    ) -> &'a Value {
        self.value_of(self.find(&key), ctx, now, Some(FlagType::Object))
            .unwrap_or(default)
    }

    /// Details of a boolean flag.
    pub fn bool_details(
        &self,
        key: impl FlagRef,
        ctx: &CompiledContext,
        default: bool,
        now: i64,
    ) -> Details<'_, bool> {
        self.typed(key, ctx, now, FlagType::Boolean)
            .map(|v| v.and_then(Value::as_bool).unwrap_or(default))
    }

    /// Details of a string flag.
    pub fn string_details<'a>(
        &'a self,
        key: impl FlagRef,
        ctx: &CompiledContext,
        default: &'a str,
        now: i64,
    ) -> Details<'a, &'a str> {
        self.typed(key, ctx, now, FlagType::String)
            .map(|v| v.and_then(Value::as_str).unwrap_or(default))
    }

    /// Details of a number flag.
    pub fn number_details(
        &self,
        key: impl FlagRef,
        ctx: &CompiledContext,
        default: f64,
        now: i64,
    ) -> Details<'_, f64> {
        self.typed(key, ctx, now, FlagType::Number)
            .map(|v| v.and_then(Value::as_f64).unwrap_or(default))
    }

    /// Details of an object flag.
    pub fn object_details<'a>(
        &'a self,
        key: impl FlagRef,
        ctx: &CompiledContext,
        default: &'a Value,
        now: i64,
    ) -> Details<'a, &'a Value> {
        self.typed(key, ctx, now, FlagType::Object)
            .map(|v| v.unwrap_or(default))
    }

    /// Details of a flag of any type; `value` is `None` when evaluation failed (the caller
    /// substitutes its default).
    pub fn details(
        &self,
        key: impl FlagRef,
        ctx: &CompiledContext,
        now: i64,
    ) -> Details<'_, Option<&Value>> {
        self.details_typed(key, ctx, now, None)
    }

    /// Details of every flag, in payload order.
    pub fn all(&self, ctx: &CompiledContext, now: i64) -> Vec<(&str, Details<'_, Option<&Value>>)> {
        (0..self.len() as u32)
            .filter_map(|i| {
                let key = self.flag_key(FlagId(i))?;
                Some((key, self.details_typed(FlagId(i), ctx, now, None)))
            })
            .collect()
    }

    fn typed(
        &self,
        key: impl FlagRef,
        ctx: &CompiledContext,
        now: i64,
        want: FlagType,
    ) -> Details<'_, Option<&Value>> {
        self.details_typed(key, ctx, now, Some(want))
    }

    /// Details checked against an expected type (`None` accepts any type): the one entry point
    /// behind every other details method, for bindings whose callers state the type at run time.
    pub fn details_typed(
        &self,
        key: impl FlagRef,
        ctx: &CompiledContext,
        now: i64,
        want: Option<FlagType>,
    ) -> Details<'_, Option<&Value>> {
        self.details_of(self.find(&key), &key, ctx, now, want)
    }

    /// [`Snapshot::details_typed`] once the flag is looked up (not generic, so that it is
    /// compiled once whatever names the flag).
    fn details_of<'s>(
        &'s self,
        flag: Option<&'s Flag>,
        key: &dyn Lookup,
        ctx: &CompiledContext,
        now: i64,
        want: Option<FlagType>,
    ) -> Details<'s, Option<&'s Value>> {
        match self.run(flag, ctx, now, want) {
            Ok((flag, served)) => Details {
                value: Self::served_value(flag, &served),
                variant: flag.variants.get(served.variant as usize).map(|v| &*v.name),
                reason: served.reason,
                error_code: None,
                error_message: None,
                rule_id: served
                    .rule
                    .and_then(|i| flag.rules.get(i as usize))
                    .and_then(|r| r.id.as_deref()),
                rule_index: served.rule,
                in_experiment: flag.track_events && served.reason == Reason::Split,
                flag_metadata: &flag.metadata,
            },
            Err(failure) => self.failed(key, failure),
        }
    }

    /// Details of a failed evaluation: the code, the message, the flag's metadata if known.
    pub(super) fn failed<'s>(
        &'s self,
        key: &dyn Lookup,
        failure: Failure<'s>,
    ) -> Details<'s, Option<&'s Value>> {
        let code = failure.code();
        let (message, flag) = self.describe(key, failure);
        let mut details = Details::error(None, code, message);
        if let Some(flag) = flag {
            details.flag_metadata = &flag.metadata;
        }
        details
    }

    fn describe<'s>(
        &'s self,
        name: &dyn Lookup,
        failure: Failure<'s>,
    ) -> (String, Option<&'s Flag>) {
        match failure {
            Failure::NotFound => (
                Msg::new(&name.describe())
                    .text(" is not in the snapshot")
                    .finish(),
                None,
            ),
            Failure::Degraded(flag, error) => (error.message(), Some(flag)),
            Failure::TypeMismatch(flag, want) => (
                Msg::new("flag ")
                    .quoted(&flag.key)
                    .text(" is of type ")
                    .text(flag.kind.as_str())
                    .text(", not ")
                    .text(want.as_str())
                    .finish(),
                Some(flag),
            ),
            Failure::InvalidContext(flag, reason) => (
                Msg::new("invalid context: ").text(&reason).finish(),
                Some(flag),
            ),
            Failure::MissingUnit(flag, MissingUnit(attr)) => {
                let unit = self.attr_table().name(attr).unwrap_or("targetingKey");
                (
                    Msg::new("flag ")
                        .quoted(&flag.key)
                        .text(" splits by ")
                        .quoted(unit)
                        .text(", which the context lacks (a string or an integer is needed)")
                        .finish(),
                    Some(flag),
                )
            }
        }
    }
}
