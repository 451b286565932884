//! Conversions between JavaScript values and the core's values, written against
//! js-sys directly: serde's generic (de)serialisers cost more wasm than the whole evaluator.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use edgeflag::unstable::Msg;
use edgeflag::{ContextLimits, Number, Value};
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Parses JSON text this crate wrote (so it cannot fail; an empty object if it ever did).
pub(crate) fn parse_json(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap_or_else(|_| Object::new().into())
}

/// Reads a context object under `limits`: nesting, string sizes and the total number of
/// values are bounded, so cyclic or huge inputs fail fast instead of exhausting the stack.
pub(crate) fn context_from_js(v: &JsValue, limits: &ContextLimits) -> Result<Value, String> {
    if !v.is_object() || Array::is_array(v) {
        let kind = if Array::is_array(v) {
            "an array".into()
        } else {
            js_type(v)
        };
        return Err(Msg::new("a context must be an object, not ")
            .text(&kind)
            .finish());
    }
    let mut budget = limits.max_values;
    // The object itself is one level; attributes may nest `max_depth` more.
    read(v, limits.max_depth + 1, limits, &mut budget)
}

fn js_type(v: &JsValue) -> String {
    v.js_typeof()
        .as_string()
        .unwrap_or_else(|| "unknown".into())
}

fn read(
    v: &JsValue,
    depth: usize,
    limits: &ContextLimits,
    budget: &mut usize,
) -> Result<Value, String> {
    *budget = budget.checked_sub(1).ok_or_else(|| {
        Msg::new("more than ")
            .num(limits.max_values)
            .text(" values")
            .finish()
    })?;
    if v.is_null() || v.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(n) = v.as_f64() {
        if !n.is_finite() {
            return Err(String::from("non-finite number"));
        }
        return Ok(Value::Number(Number::from_f64(n)));
    }
    if let Some(s) = v.as_string() {
        if s.len() > limits.max_string_bytes {
            return Err(Msg::new("a string is longer than ")
                .num(limits.max_string_bytes)
                .text(" bytes")
                .finish());
        }
        return Ok(Value::String(s.into()));
    }
    if let Some(date) = v.dyn_ref::<js_sys::Date>() {
        // Dates compare with before/after as RFC 3339 instants.
        return match date.to_iso_string().as_string() {
            Some(s) if !date.get_time().is_nan() => Ok(Value::String(s.into())),
            _ => Err(String::from("invalid Date")),
        };
    }
    if !v.is_object() {
        return Err(Msg::new("unsupported value of type ")
            .text(&js_type(v))
            .finish());
    }
    let depth = depth.checked_sub(1).filter(|d| *d > 0).ok_or_else(|| {
        Msg::new("nesting deeper than ")
            .num(limits.max_depth)
            .finish()
    })?;
    if let Some(array) = v.dyn_ref::<Array>() {
        let mut items = Vec::new();
        for item in array.iter() {
            items.push(read(&item, depth, limits, budget)?);
        }
        return Ok(Value::Array(items));
    }
    let mut members: Vec<(Box<str>, Value)> = Vec::new();
    for key in Object::keys(v.unchecked_ref::<Object>()).iter() {
        let name = key.as_string().unwrap_or_default();
        if name.len() > limits.max_string_bytes {
            return Err(Msg::new("a key is longer than ")
                .num(limits.max_string_bytes)
                .text(" bytes")
                .finish());
        }
        let value =
            Reflect::get(v, &key).map_err(|_| Msg::new("cannot read ").escaped(&name).finish())?;
        members.push((name.into(), read(&value, depth, limits, budget)?));
    }
    Ok(Value::Object(members))
}
