//! The JavaScript `Flag` handle: `evaluator.flag("new-checkout")` looks the key up once per
//! loaded snapshot, so evaluating through it passes no string into wasm and skips the key's
//! hash lookup: the fastest path for flags read often (render loops, per-request checks).

use super::clock::now_for;
use super::context::Context;
use super::evaluate::{bool_of, details_of, number_of, object_of, string_of};
use super::evaluator::{current, Evaluator, Machine};
use super::results::{not_ready, Catalogs};
use alloc::string::String;
use alloc::sync::{Arc, Weak};
use core::cell::RefCell;
use edgeflag::{FlagId, Snapshot};
use wasm_bindgen::prelude::*;

/// One flag of an evaluator, by key, resolved again whenever a new snapshot loads: a handle
/// taken before the first load, or kept across updates, always reads the current snapshot.
///
/// ```js
/// const checkout = ev.flag("new-checkout");
/// if (checkout.bool(ctx, false)) { showNewCheckout(); }
/// ```
#[wasm_bindgen]
pub struct Flag {
    machine: Machine,
    catalogs: Catalogs,
    key: String,
    /// The snapshot the id was found in, and the id. Weak, so that a handle does not keep an
    /// old snapshot's flags alive; it still reserves the address, so a newer snapshot can
    /// never be mistaken for the one cached.
    resolved: RefCell<Option<(Weak<Snapshot>, Option<FlagId>)>>,
}

impl Flag {
    /// The current snapshot and this flag's id in it (`None`: not in that snapshot).
    #[inline]
    fn resolve(&self) -> Option<(Arc<Snapshot>, Option<FlagId>)> {
        let s = current(&self.machine)?;
        let Ok(mut cache) = self.resolved.try_borrow_mut() else {
            let id = s.flag_id(&self.key);
            return Some((s, id));
        };
        if let Some((snapshot, id)) = cache.as_ref() {
            if core::ptr::eq(snapshot.as_ptr(), Arc::as_ptr(&s)) {
                return Some((s, *id));
            }
        }
        let id = s.flag_id(&self.key);
        *cache = Some((Arc::downgrade(&s), id));
        Some((s, id))
    }
}

#[wasm_bindgen]
impl Evaluator {
    /// A handle on flag `key` for fast repeated evaluation. Never throws; a key that is not
    /// (yet) in the snapshot answers defaults until a snapshot that has it loads.
    pub fn flag(&self, key: String) -> Flag {
        Flag {
            machine: self.machine().clone(),
            catalogs: self.catalogs().clone(),
            key,
            resolved: RefCell::new(None),
        }
    }
}

#[wasm_bindgen]
impl Flag {
    /// The flag's key.
    #[wasm_bindgen(getter)]
    pub fn key(&self) -> String {
        self.key.clone()
    }

    /// The value if this is a boolean flag, else `defaultValue`.
    pub fn bool(&self, ctx: &Context, default_value: bool) -> bool {
        match self.resolve() {
            Some((s, Some(id))) => bool_of(&s, id, ctx, default_value),
            _ => default_value,
        }
    }

    /// The value if this is a string flag, else `defaultValue`.
    pub fn string(&self, ctx: &Context, default_value: String) -> String {
        match self.resolve() {
            Some((s, Some(id))) => string_of(&s, id, ctx, default_value),
            _ => default_value,
        }
    }

    /// The value if this is a number flag, else `defaultValue`.
    pub fn number(&self, ctx: &Context, default_value: f64) -> f64 {
        match self.resolve() {
            Some((s, Some(id))) => number_of(&s, id, ctx, default_value),
            _ => default_value,
        }
    }

    /// The value (a fresh plain object) if this is an object flag, else `defaultValue`.
    pub fn object(&self, ctx: &Context, default_value: JsValue) -> JsValue {
        match self.resolve() {
            Some((s, Some(id))) => object_of(&s, &self.catalogs, id, ctx, default_value),
            _ => default_value,
        }
    }

    /// OpenFeature-shaped details, as `Evaluator.details` gives them.
    pub fn details(&self, ctx: &Context, default_value: JsValue) -> JsValue {
        match self.resolve() {
            Some((s, Some(id))) => {
                let now = now_for(&s, id);
                details_of(&s, &self.catalogs, id, ctx, default_value, now)
            }
            // By key, so that the error message names the missing flag; no clock is read.
            Some((s, None)) => {
                details_of(&s, &self.catalogs, self.key.as_str(), ctx, default_value, 0)
            }
            None => not_ready(default_value),
        }
    }
}
