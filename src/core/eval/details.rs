//! OpenFeature-shaped evaluation details.

use crate::json::Value;
use alloc::boxed::Box;
use alloc::string::String;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Why a flag evaluated to its value (OpenFeature reasons, plus `PREREQUISITE_FAILED`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// A target or a rule serving a variant matched.
    TargetingMatch,
    /// A rollout or schedule picked the variant.
    Split,
    /// No rule matched; the default served a fixed variant.
    Static,
    /// The kill switch is off: `offVariant`.
    Disabled,
    /// A prerequisite did not land on a required variant: `offVariant`.
    PrerequisiteFailed,
    /// Evaluation failed: the caller's default, with an [`ErrorCode`].
    Error,
}

impl Reason {
    /// Every reason, in declaration order (`reason as usize` is its position): how bindings
    /// name reasons by number.
    pub const ALL: [Reason; 6] = [
        Reason::TargetingMatch,
        Reason::Split,
        Reason::Static,
        Reason::Disabled,
        Reason::PrerequisiteFailed,
        Reason::Error,
    ];

    /// The wire name, e.g. `TARGETING_MATCH`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::TargetingMatch => "TARGETING_MATCH",
            Reason::Split => "SPLIT",
            Reason::Static => "STATIC",
            Reason::Disabled => "DISABLED",
            Reason::PrerequisiteFailed => "PREREQUISITE_FAILED",
            Reason::Error => "ERROR",
        }
    }
}

/// OpenFeature error codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No verified snapshot yet.
    ProviderNotReady,
    /// The flag key is not in the snapshot.
    FlagNotFound,
    /// A value could not be parsed.
    ParseError,
    /// The caller asked for another type than the flag's.
    TypeMismatch,
    /// A rollout or schedule's `by` attribute is missing from the context.
    TargetingKeyMissing,
    /// The context is not usable (not an object, over the limits).
    InvalidContext,
    /// Anything else.
    General,
}

impl ErrorCode {
    /// Every code, in declaration order (`code as usize` is its position).
    pub const ALL: [ErrorCode; 7] = [
        ErrorCode::ProviderNotReady,
        ErrorCode::FlagNotFound,
        ErrorCode::ParseError,
        ErrorCode::TypeMismatch,
        ErrorCode::TargetingKeyMissing,
        ErrorCode::InvalidContext,
        ErrorCode::General,
    ];

    /// The wire name, e.g. `FLAG_NOT_FOUND`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ProviderNotReady => "PROVIDER_NOT_READY",
            ErrorCode::FlagNotFound => "FLAG_NOT_FOUND",
            ErrorCode::ParseError => "PARSE_ERROR",
            ErrorCode::TypeMismatch => "TYPE_MISMATCH",
            ErrorCode::TargetingKeyMissing => "TARGETING_KEY_MISSING",
            ErrorCode::InvalidContext => "INVALID_CONTEXT",
            ErrorCode::General => "GENERAL",
        }
    }
}

/// The result of one evaluation, shaped like OpenFeature's evaluation details.
///
/// Serialises (serde) to the wire shape shared by every runtime: `value`, `variant`, `reason`,
/// `errorCode`, `errorMessage`, `ruleId`, `ruleIndex`, `inExperiment`, `flagMetadata`, with
/// absent optional members left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Details<'s, T> {
    /// The value served, or the caller's default on error.
    pub value: T,
    /// The variant served (absent on error).
    pub variant: Option<&'s str>,
    /// Why.
    pub reason: Reason,
    /// What failed, when `reason` is `Error`.
    pub error_code: Option<ErrorCode>,
    /// A human-readable account of the failure.
    pub error_message: Option<String>,
    /// The `id` of the rule that matched, if it has one.
    pub rule_id: Option<&'s str>,
    /// The index of the rule that matched.
    pub rule_index: Option<u32>,
    /// True when the flag has `trackEvents` and a rollout or schedule picked the value.
    pub in_experiment: bool,
    /// The flag's metadata (its primitive members).
    pub flag_metadata: &'s [(Box<str>, Value)],
}

impl<'s, T> Details<'s, T> {
    /// Details of a failed evaluation.
    pub fn error(value: T, code: ErrorCode, message: String) -> Self {
        Details {
            value,
            variant: None,
            reason: Reason::Error,
            error_code: Some(code),
            error_message: Some(message),
            rule_id: None,
            rule_index: None,
            in_experiment: false,
            flag_metadata: &[],
        }
    }

    /// Details for an evaluation before any snapshot was accepted: `PROVIDER_NOT_READY`.
    pub fn not_ready(value: T) -> Self {
        Details::error(
            value,
            ErrorCode::ProviderNotReady,
            String::from("no verified snapshot has been loaded yet"),
        )
    }

    /// The same details with another value (e.g. the caller's default filled in).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Details<'s, U> {
        Details {
            value: f(self.value),
            variant: self.variant,
            reason: self.reason,
            error_code: self.error_code,
            error_message: self.error_message,
            rule_id: self.rule_id,
            rule_index: self.rule_index,
            in_experiment: self.in_experiment,
            flag_metadata: self.flag_metadata,
        }
    }
}

impl<T: Serialize> Serialize for Details<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("value", &self.value)?;
        if let Some(v) = self.variant {
            map.serialize_entry("variant", v)?;
        }
        map.serialize_entry("reason", self.reason.as_str())?;
        if let Some(code) = self.error_code {
            map.serialize_entry("errorCode", code.as_str())?;
        }
        if let Some(message) = &self.error_message {
            map.serialize_entry("errorMessage", message)?;
        }
        if let Some(id) = self.rule_id {
            map.serialize_entry("ruleId", id)?;
        }
        if let Some(index) = self.rule_index {
            map.serialize_entry("ruleIndex", &index)?;
        }
        map.serialize_entry("inExperiment", &self.in_experiment)?;
        map.serialize_entry("flagMetadata", &Metadata(self.flag_metadata))?;
        map.end()
    }
}

struct Metadata<'s>(&'s [(Box<str>, Value)]);

impl Serialize for Metadata<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(&**k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_reasons_and_codes_at_their_discriminants() {
        for (i, r) in Reason::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i, "{}", r.as_str());
        }
        for (i, c) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i, "{}", c.as_str());
        }
    }
}
