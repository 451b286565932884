//! The JavaScript `Evaluator`: verifies signed snapshots and evaluates flags locally.

use super::context::Context;
use super::error::{from_core, invalid_argument, js_error};
use super::options;
use super::outcome::identity_to_js;
use super::results::Catalogs;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::RefCell;
use edgeflag::sync::{Event, SyncMachine};
use edgeflag::{ContextLimits, Snapshot};
use wasm_bindgen::prelude::*;

/// Verifies snapshot envelopes signed by the owning backend and evaluates flags locally.
///
/// ```js
/// import { Evaluator } from "edgeflag";
/// const ev = new Evaluator({ publicKeys: ["ed25519:..."], owner: "shop", environment: "production" });
/// const info = ev.load(envelopeText, Date.now()); // throws EdgeflagError when refused
/// const ctx = ev.context({ targetingKey: "u1", plan: "pro" });
/// if (ev.bool("new-checkout", ctx, false)) { showNewCheckout(); }
/// ```
///
/// Every method takes `&self` and keeps no borrow of its state while evaluating, so a trap in
/// one call cannot leave the instance unusable for the next.
#[wasm_bindgen]
pub struct Evaluator {
    /// Shared with the flag handles, which read the current snapshot on every call.
    machine: Machine,
    context_limits: ContextLimits,
    /// The loaded snapshot's names and values on the JavaScript side, for results.
    catalogs: Catalogs,
}

/// The sync machine behind an evaluator and its flag handles.
pub(crate) type Machine = Rc<RefCell<SyncMachine>>;

/// The loaded snapshot, shared so that evaluation holds no borrow of the machine.
pub(crate) fn current(machine: &Machine) -> Option<Arc<Snapshot>> {
    machine.try_borrow().ok()?.shared_snapshot()
}

impl Evaluator {
    /// The loaded snapshot, shared so that evaluation holds no borrow of the machine.
    pub(crate) fn snapshot(&self) -> Option<Arc<Snapshot>> {
        current(&self.machine)
    }

    /// The snapshot catalogs results are built with, for flag handles too.
    pub(crate) fn catalogs(&self) -> &Catalogs {
        &self.catalogs
    }

    /// The machine, for flag handles.
    pub(crate) fn machine(&self) -> &Machine {
        &self.machine
    }

    /// Runs one input through the state machine.
    pub(crate) fn drive<R>(&self, f: impl FnOnce(&mut SyncMachine) -> R) -> Result<R, JsValue> {
        let mut machine = self
            .machine
            .try_borrow_mut()
            .map_err(|_| js_error("BUSY", "the evaluator is already handling a call"))?;
        Ok(f(&mut machine))
    }
}

/// The bytes of an envelope given as a string or a `Uint8Array`.
pub(crate) fn envelope_bytes(envelope: &JsValue) -> Result<Vec<u8>, JsValue> {
    if envelope.is_string() {
        return Ok(super::utf8::utf8(envelope));
    }
    if envelope.is_instance_of::<js_sys::Uint8Array>() {
        return Ok(js_sys::Uint8Array::new(envelope).to_vec());
    }
    if envelope.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(js_sys::Uint8Array::new(envelope).to_vec());
    }
    Err(invalid_argument(
        "the envelope must be a string, a Uint8Array or an ArrayBuffer",
    ))
}

/// The host's clock when the caller gave none.
pub(crate) fn now_or(now: Option<f64>) -> i64 {
    now.filter(|n| n.is_finite())
        .unwrap_or_else(js_sys::Date::now) as i64
}

#[wasm_bindgen]
impl Evaluator {
    /// Creates an evaluator for `{ publicKeys, environment, owner?, threshold?, clockSkewMs?,
    /// maxBytes?, pollIntervalMs?, timeoutMs?, minBackoffMs?, maxBackoffMs? }`. Throws an
    /// `EdgeflagError` naming the option that is wrong.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Evaluator, JsValue> {
        let opts = options::parse(&options)?;
        let machine = SyncMachine::new(opts.policy, opts.sync)
            .map_err(|e| js_error(e.code(), &e.message()))?;
        Ok(Evaluator {
            machine: Rc::new(RefCell::new(machine)),
            context_limits: opts.context_limits,
            catalogs: Catalogs::default(),
        })
    }

    /// Verifies and loads an envelope (a string or bytes) at `now` (ms; default `Date.now()`).
    /// Returns `{ version, owner, environment, keyid, issuedAt, expiresAt, sha256, flags,
    /// changed }`; throws an `EdgeflagError` naming the failed check, keeping whatever was
    /// loaded before.
    pub fn load(&self, envelope: JsValue, now: Option<f64>) -> Result<JsValue, JsValue> {
        let bytes = envelope_bytes(&envelope)?;
        let now = now_or(now);
        let outcome = self.drive(|m| m.bootstrap(&bytes, now))?;
        if let Some(err) = outcome.error.as_ref() {
            return Err(match err.snapshot_error() {
                Some(e) => from_core(e),
                None => js_error(err.code(), &err.message()),
            });
        }
        let changed = outcome
            .events
            .iter()
            .any(|e| matches!(e, Event::Ready | Event::Changed { .. }));
        let info = self.info();
        let _ = js_sys::Reflect::set(&info, &"changed".into(), &changed.into());
        Ok(info)
    }

    /// Converts a context once (`{ targetingKey, ...attributes }`) for many evaluations.
    /// Never throws: an invalid context evaluates to defaults with `INVALID_CONTEXT`.
    pub fn context(&self, attributes: JsValue) -> Context {
        Context::from_js(
            &attributes,
            self.snapshot().as_deref(),
            &self.context_limits,
        )
    }

    /// What is loaded: `{ version, owner, environment, keyid, issuedAt, expiresAt, sha256,
    /// flags }`, or `undefined`.
    #[wasm_bindgen(getter)]
    pub fn info(&self) -> JsValue {
        let Ok(machine) = self.machine.try_borrow() else {
            return JsValue::UNDEFINED;
        };
        match (machine.identity(), machine.snapshot()) {
            (Some(id), Some(s)) => identity_to_js(id, s),
            _ => JsValue::UNDEFINED,
        }
    }

    /// `NOT_READY`, `READY`, `STALE` or `ERROR`.
    #[wasm_bindgen(getter)]
    pub fn status(&self) -> String {
        self.machine
            .try_borrow()
            .map(|m| m.status().as_str())
            .unwrap_or("ERROR")
            .into()
    }

    /// The last failure as `{ code, message }`, or `undefined`.
    #[wasm_bindgen(getter, js_name = lastError)]
    pub fn last_error(&self) -> JsValue {
        let Ok(machine) = self.machine.try_borrow() else {
            return JsValue::UNDEFINED;
        };
        match machine.last_error() {
            Some(e) => super::outcome::error_to_js(e),
            None => JsValue::UNDEFINED,
        }
    }

    /// The keys of the loaded flags, in snapshot order.
    #[wasm_bindgen(js_name = flagKeys)]
    pub fn flag_keys(&self) -> js_sys::Array {
        let keys = js_sys::Array::new();
        if let Some(s) = self.snapshot() {
            for key in s.flag_keys() {
                keys.push(&JsValue::from_str(key));
            }
        }
        keys
    }

    /// Whether flag `key` has `trackEvents` (its evaluations are exposures to report).
    #[wasm_bindgen(js_name = tracksEvents)]
    pub fn tracks_events(&self, key: &str) -> bool {
        self.snapshot().is_some_and(|s| s.tracks_events(key))
    }

    /// The variant names of flag `key` in snapshot order, or `undefined` when no snapshot is
    /// loaded or it has no such flag: what a host checks reported exposures against.
    #[wasm_bindgen(js_name = flagVariants)]
    pub fn flag_variants(&self, key: &str) -> Option<js_sys::Array> {
        let s = self.snapshot()?;
        let info = s.flag_info(s.flag_id(key)?)?;
        Some(
            info.variants()
                .map(|(name, _)| JsValue::from_str(name))
                .collect(),
        )
    }

    /// The flags of the loaded snapshot that cannot be evaluated (they answer the caller's
    /// default with `PARSE_ERROR`), as `[{ key, message, needsRegex }]` in snapshot order:
    /// `needsRegex` says the flag needs the build with the `matches` operator.
    #[wasm_bindgen(js_name = degradedFlags)]
    pub fn degraded_flags(&self) -> js_sys::Array {
        let list = js_sys::Array::new();
        if let Some(s) = self.snapshot() {
            for (key, error) in s.degraded_flags() {
                let entry = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&entry, &"key".into(), &key.into());
                let message = JsValue::from_str(&error.message());
                let _ = js_sys::Reflect::set(&entry, &"message".into(), &message);
                let regex = JsValue::from_bool(error.needs_regex());
                let _ = js_sys::Reflect::set(&entry, &"needsRegex".into(), &regex);
                list.push(&entry);
            }
        }
        list
    }

    /// Whether the current snapshot has flags that only the build with the `matches` operator
    /// evaluates (the npm package then loads its companion module): one call, no list built.
    #[wasm_bindgen(js_name = needsRegex)]
    pub fn needs_regex(&self) -> bool {
        self.snapshot().is_some_and(|s| s.needs_regex())
    }

    /// When the next poll is due (ms since the epoch), or `undefined` when polling stopped.
    #[wasm_bindgen(js_name = nextPollAt)]
    pub fn next_poll_at(&self) -> Option<f64> {
        self.machine
            .try_borrow()
            .ok()?
            .next_poll_at()
            .map(|t| t as f64)
    }
}

/// Re-exported for tests and hosts that only need bucketing.
#[wasm_bindgen]
pub fn bucket(salt: &str, value: &str) -> u32 {
    edgeflag::bucket(salt, value)
}
