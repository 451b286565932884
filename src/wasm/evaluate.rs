//! Evaluation methods of the JavaScript `Evaluator` that name a flag by key: typed getters
//! (the context is already compiled, nothing is serialised per call), details and
//! evaluate-all. None of them throws: without a snapshot they answer the default with
//! `PROVIDER_NOT_READY`. `Flag` handles (`flag.rs`) skip the key lookup as well.

use super::clock::{now_for, now_for_all};
use super::context::Context;
use super::evaluator::Evaluator;
use super::results::{self, Catalogs};
use alloc::string::String;
use alloc::sync::Arc;
use edgeflag::{FlagId, FlagType, Snapshot};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Evaluator {
    /// A boolean flag's value, or `defaultValue`.
    pub fn bool(&self, key: &str, ctx: &Context, default_value: bool) -> bool {
        match self.snapshot() {
            Some(s) => match s.flag_id(key) {
                Some(id) => bool_of(&s, id, ctx, default_value),
                None => default_value,
            },
            None => default_value,
        }
    }

    /// A string flag's value, or `defaultValue`.
    pub fn string(&self, key: &str, ctx: &Context, default_value: String) -> String {
        match self.snapshot() {
            Some(s) => match s.flag_id(key) {
                Some(id) => string_of(&s, id, ctx, default_value),
                None => default_value,
            },
            None => default_value,
        }
    }

    /// A number flag's value, or `defaultValue`.
    pub fn number(&self, key: &str, ctx: &Context, default_value: f64) -> f64 {
        match self.snapshot() {
            Some(s) => match s.flag_id(key) {
                Some(id) => number_of(&s, id, ctx, default_value),
                None => default_value,
            },
            None => default_value,
        }
    }

    /// An object flag's value (a fresh plain object), or `defaultValue`.
    pub fn object(&self, key: &str, ctx: &Context, default_value: JsValue) -> JsValue {
        match self.snapshot() {
            Some(s) => match s.flag_id(key) {
                Some(id) => object_of(&s, self.catalogs(), id, ctx, default_value),
                None => default_value,
            },
            None => default_value,
        }
    }

    /// OpenFeature-shaped details of one flag: `{ value, variant, reason, errorCode,
    /// errorMessage, ruleId, ruleIndex, inExperiment, flagMetadata }`. The type is checked
    /// against `defaultValue`'s (boolean, string, number, or object); pass `undefined` or
    /// `null` to accept any type. With `at` (ms since the epoch), the flag as it evaluates at
    /// that instant instead of now: what a scheduled ramp serves tomorrow, for previews.
    pub fn details(
        &self,
        key: &str,
        ctx: &Context,
        default_value: JsValue,
        at: Option<f64>,
    ) -> JsValue {
        match self.snapshot() {
            Some(s) => {
                let now = at.map_or_else(|| now_for(&s, key), |at| at as i64);
                details_of(&s, self.catalogs(), key, ctx, default_value, now)
            }
            None => results::not_ready(default_value),
        }
    }

    /// Details of every flag: `{ [flagKey]: details }` (value `null` where evaluation failed),
    /// as they evaluate now or at the instant `at` (ms since the epoch).
    pub fn all(&self, ctx: &Context, at: Option<f64>) -> JsValue {
        match self.snapshot() {
            Some(s) => {
                let now = at.map_or_else(|| now_for_all(&s), |at| at as i64);
                ctx.with(&s, |c| self.catalogs().all(&s, c, now))
            }
            None => js_sys::Object::new().into(),
        }
    }

    /// The value of every flag: `{ [flagKey]: value }` (`null` where evaluation failed). The
    /// fastest way to evaluate everything for one context.
    pub fn values(&self, ctx: &Context) -> JsValue {
        let Some(s) = self.snapshot() else {
            return js_sys::Object::new().into();
        };
        ctx.with(&s, |c| self.catalogs().values(&s, c, now_for_all(&s)))
    }
}

/// A boolean flag's value, or `default`: shared by the evaluator and flag handles.
#[inline]
pub(crate) fn bool_of(s: &Snapshot, id: FlagId, ctx: &Context, default: bool) -> bool {
    ctx.with(s, |c| s.bool(id, c, default, now_for(s, id)))
}

/// A string flag's value, or `default`.
#[inline]
pub(crate) fn string_of(s: &Snapshot, id: FlagId, ctx: &Context, default: String) -> String {
    ctx.with(s, |c| {
        String::from(s.string(id, c, &default, now_for(s, id)))
    })
}

/// A number flag's value, or `default`.
#[inline]
pub(crate) fn number_of(s: &Snapshot, id: FlagId, ctx: &Context, default: f64) -> f64 {
    ctx.with(s, |c| s.number(id, c, default, now_for(s, id)))
}

/// An object flag's value (a fresh plain object), or `default`.
pub(crate) fn object_of(
    s: &Arc<Snapshot>,
    catalogs: &Catalogs,
    id: FlagId,
    ctx: &Context,
    default: JsValue,
) -> JsValue {
    ctx.with(s, |c| {
        match s
            .outcome(id, c, now_for(s, id), Some(FlagType::Object))
            .result
        {
            Ok((_, served)) => catalogs.value(s, id, &served),
            Err(_) => default,
        }
    })
}

/// Details as a plain object, checked against `default`'s type.
pub(crate) fn details_of(
    s: &Arc<Snapshot>,
    catalogs: &Catalogs,
    key: impl edgeflag::FlagRef,
    ctx: &Context,
    default: JsValue,
    now: i64,
) -> JsValue {
    let want = expected_type(&default);
    ctx.with(s, |c| {
        catalogs.details(s, s.outcome(key, c, now, want), default)
    })
}

/// The flag type a default value implies.
fn expected_type(default: &JsValue) -> Option<FlagType> {
    if default.is_undefined() || default.is_null() {
        None
    } else if default.as_bool().is_some() {
        Some(FlagType::Boolean)
    } else if default.is_string() {
        Some(FlagType::String)
    } else if default.as_f64().is_some() {
        Some(FlagType::Number)
    } else {
        Some(FlagType::Object)
    }
}
