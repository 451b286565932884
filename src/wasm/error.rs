//! Core errors become JavaScript `EdgeflagError` objects with a stable `code`.

use core::cell::RefCell;
use edgeflag::Error;
use wasm_bindgen::prelude::*;

std::thread_local! {
    /// The package's `EdgeflagError` class, registered once by its entry module.
    static ERROR_CLASS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Registers the JavaScript class used for thrown errors (`class EdgeflagError extends Error`,
/// constructed as `new EdgeflagError(code, message)`). The package's entry modules call this
/// once; without it errors are plain `Error`s with `name` and `code` set.
#[wasm_bindgen(js_name = setErrorClass)]
pub fn set_error_class(class: js_sys::Function) {
    ERROR_CLASS.with(|c| c.replace(Some(class)));
}

/// An `EdgeflagError` with `code` and `message`.
pub(crate) fn js_error(code: &str, message: &str) -> JsValue {
    let registered = ERROR_CLASS.with(|c| c.borrow().clone());
    if let Some(class) = registered {
        let args = js_sys::Array::of2(&JsValue::from_str(code), &JsValue::from_str(message));
        if let Ok(err) = js_sys::Reflect::construct(&class, &args) {
            return err;
        }
    }
    let err = js_sys::Error::new(message);
    err.set_name("EdgeflagError");
    let _ = js_sys::Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

/// Converts a core error.
pub(crate) fn from_core(e: &Error) -> JsValue {
    // `message`, not `to_string`: the wasm build links no `core::fmt` (see `edgeflag::unstable::Msg`).
    js_error(e.code(), &e.message())
}

/// A bad argument or option, code `INVALID_ARGUMENT`.
pub(crate) fn invalid_argument(message: &str) -> JsValue {
    js_error("INVALID_ARGUMENT", message)
}
