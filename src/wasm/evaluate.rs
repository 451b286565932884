//! Evaluation methods of the JavaScript `Evaluator`: typed getters (the fast path: the context
//! is already compiled, nothing is serialised per call), details and evaluate-all. None of
//! them throws: without a snapshot they answer the default with `PROVIDER_NOT_READY`.

use super::context::Context;
use super::convert::{details_to_js, value_to_js};
use super::evaluator::Evaluator;
use crate::{Details, Value};
use alloc::string::String;
use wasm_bindgen::prelude::*;

/// The host's clock for schedules: the core never reads one, the binding passes `Date.now()`.
fn now() -> i64 {
    js_sys::Date::now() as i64
}

#[wasm_bindgen]
impl Evaluator {
    /// A boolean flag's value, or `defaultValue`.
    pub fn bool(&self, key: &str, ctx: &Context, default_value: bool) -> bool {
        match self.snapshot() {
            Some(s) => ctx.with(&s, |c| s.bool(key, c, default_value, now())),
            None => default_value,
        }
    }

    /// A string flag's value, or `defaultValue`.
    pub fn string(&self, key: &str, ctx: &Context, default_value: String) -> String {
        match self.snapshot() {
            Some(s) => ctx.with(&s, |c| {
                String::from(s.string(key, c, &default_value, now()))
            }),
            None => default_value,
        }
    }

    /// A number flag's value, or `defaultValue`.
    pub fn number(&self, key: &str, ctx: &Context, default_value: f64) -> f64 {
        match self.snapshot() {
            Some(s) => ctx.with(&s, |c| s.number(key, c, default_value, now())),
            None => default_value,
        }
    }

    /// An object flag's value (a fresh plain object), or `defaultValue`.
    pub fn object(&self, key: &str, ctx: &Context, default_value: JsValue) -> JsValue {
        let Some(s) = self.snapshot() else {
            return default_value;
        };
        ctx.with(&s, |c| {
            let d = s.object_details(key, c, &Value::Null, now());
            match d.error_code {
                None => value_to_js(d.value),
                Some(_) => default_value,
            }
        })
    }

    /// OpenFeature-shaped details of one flag: `{ value, variant, reason, errorCode,
    /// errorMessage, ruleId, ruleIndex, inExperiment, flagMetadata }`. The type is checked
    /// against `defaultValue`'s (boolean, string, number, or object); pass `undefined` or
    /// `null` to accept any type.
    pub fn details(&self, key: &str, ctx: &Context, default_value: JsValue) -> JsValue {
        self.details_at(key, ctx, default_value, js_sys::Date::now())
    }

    /// Details of every flag: `{ [flagKey]: details }` (value `null` where evaluation failed).
    pub fn all(&self, ctx: &Context) -> JsValue {
        self.all_at(ctx, js_sys::Date::now())
    }

    /// Details of one flag as it evaluates at the instant `at` (ms since the epoch) instead of
    /// now: what a scheduled ramp serves tomorrow, for previews and charts.
    #[wasm_bindgen(js_name = detailsAt)]
    pub fn details_at(&self, key: &str, ctx: &Context, default_value: JsValue, at: f64) -> JsValue {
        let Some(s) = self.snapshot() else {
            return details_to_js(&Details::not_ready(None), &default_value);
        };
        ctx.with(&s, |c| {
            let d = s.details_typed(key, c, at as i64, expected_type(&default_value));
            details_to_js(&d, &default_value)
        })
    }

    /// Every flag as it evaluates at the instant `at` (ms since the epoch).
    #[wasm_bindgen(js_name = allAt)]
    pub fn all_at(&self, ctx: &Context, at: f64) -> JsValue {
        let out = js_sys::Object::new();
        if let Some(s) = self.snapshot() {
            ctx.with(&s, |c| {
                for (key, d) in s.all(c, at as i64) {
                    let _ =
                        js_sys::Reflect::set(&out, &key.into(), &details_to_js(&d, &JsValue::NULL));
                }
            });
        }
        out.into()
    }
}

/// The flag type a default value implies.
fn expected_type(default: &JsValue) -> Option<crate::FlagType> {
    if default.is_undefined() || default.is_null() {
        None
    } else if default.as_bool().is_some() {
        Some(crate::FlagType::Boolean)
    } else if default.is_string() {
        Some(crate::FlagType::String)
    } else if default.as_f64().is_some() {
        Some(crate::FlagType::Number)
    } else {
        Some(crate::FlagType::Object)
    }
}
