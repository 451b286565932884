//! Conversions between JavaScript values and the core's values and details.

use crate::json::Value;
use crate::Details;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// Plain objects (not `Map`s) and ordinary numbers, as `JSON.parse` would give.
fn serializer() -> serde_wasm_bindgen::Serializer {
    serde_wasm_bindgen::Serializer::json_compatible()
}

/// A core value as a JavaScript value.
pub(crate) fn value_to_js(v: &Value) -> JsValue {
    v.serialize(&serializer()).unwrap_or(JsValue::NULL)
}

/// Evaluation details as a plain object, with the caller's `default` where evaluation failed.
pub(crate) fn details_to_js(d: &Details<'_, Option<&Value>>, default: &JsValue) -> JsValue {
    let obj = d.serialize(&serializer()).unwrap_or(JsValue::NULL);
    if d.value.is_none() {
        let _ = js_sys::Reflect::set(&obj, &"value".into(), default);
    }
    obj
}
