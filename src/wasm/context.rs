//! The JavaScript `Context` class: a context converted once and reused for many evaluations.

use alloc::string::String;
use alloc::string::ToString;
use core::cell::RefCell;
use edgeflag::{CompiledContext, Context as CoreContext, ContextLimits, Snapshot};
use wasm_bindgen::prelude::*;

/// An evaluation context compiled against the loaded snapshot. Create it with
/// `evaluator.context({ targetingKey: "u1", plan: "pro" })` and pass it to every getter; it
/// re-indexes itself when a newer snapshot reads other attributes.
///
/// An invalid input (not an object, cyclic, over the limits) still gives a `Context`: every
/// evaluation with it answers the default with `INVALID_CONTEXT`.
#[wasm_bindgen]
pub struct Context {
    inner: RefCell<CompiledContext>,
}

impl Context {
    /// Converts a JavaScript object (never throws).
    pub(crate) fn from_js(
        value: &JsValue,
        snapshot: Option<&Snapshot>,
        limits: &ContextLimits,
    ) -> Context {
        let ctx = super::convert::context_from_js(value, limits).and_then(|v| {
            CoreContext::from_value(v, limits).map_err(|e| match e {
                edgeflag::Error::InvalidContext { message } => message,
                other => other.message(),
            })
        });
        let compiled = match ctx {
            Ok(ctx) => match snapshot {
                Some(s) => CompiledContext::new(ctx, s),
                None => CompiledContext::unbound(ctx),
            },
            Err(message) => CompiledContext::invalid(message),
        };
        Context {
            inner: RefCell::new(compiled),
        }
    }

    /// Runs `f` with the context indexed for `snapshot`. The cache is refreshed when it can
    /// be borrowed; evaluation stays correct (if slower) when it cannot.
    #[inline]
    pub(crate) fn with<R>(&self, snapshot: &Snapshot, f: impl FnOnce(&CompiledContext) -> R) -> R {
        if let Ok(mut c) = self.inner.try_borrow_mut() {
            c.refresh(snapshot);
        }
        match self.inner.try_borrow() {
            Ok(c) => f(&c),
            Err(_) => f(&CompiledContext::invalid("context in use")),
        }
    }
}

#[wasm_bindgen]
impl Context {
    /// Why this context is invalid, or `undefined`.
    #[wasm_bindgen(getter, js_name = invalidReason)]
    pub fn invalid_reason(&self) -> Option<String> {
        self.inner
            .try_borrow()
            .ok()
            .and_then(|c| c.invalid_reason().map(ToString::to_string))
    }
}
