//! The sans-IO sync methods of the JavaScript `Evaluator`: the package's client and the edge
//! worker do the fetching, streaming, storage and timers, and report what happened here; the
//! Rust state machine decides what to load, the status, and when to poll next.

use super::error::invalid_argument;
use super::evaluator::{envelope_bytes, Evaluator};
use super::outcome::{outcome_to_js, request_to_js};
use alloc::string::String;
use edgeflag::envelope::HighWater;
use edgeflag::sync::FailureKind;
use edgeflag::unstable::Msg;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Evaluator {
    /// Starts the schedule: the outcome says a poll is due now.
    pub fn start(&self, now: f64) -> Result<JsValue, JsValue> {
        self.drive(|m| outcome_to_js(&m.start(now as i64)))
    }

    /// Restores a persisted last-known-good (`envelope`, `highWater` as `{ version, sha256 }`,
    /// optional `etag`), re-verifying it: a corrupt or expired one is discarded and the
    /// outcome says so (`discardPersisted`).
    pub fn restore(
        &self,
        envelope: JsValue,
        high_water: JsValue,
        etag: Option<String>,
        now: f64,
    ) -> Result<JsValue, JsValue> {
        let bytes = envelope_bytes(&envelope)?;
        let mark = high_water_from_js(&high_water)?;
        self.drive(|m| outcome_to_js(&m.restore(&bytes, mark, etag.as_deref(), now as i64)))
    }

    /// Begins a poll: `{ ifNoneMatch, timeoutMs }`, or `undefined` while one is in flight.
    #[wasm_bindgen(js_name = beginRequest)]
    pub fn begin_request(&self, now: f64) -> Result<JsValue, JsValue> {
        self.drive(|m| match m.begin_request(now as i64) {
            Some(r) => request_to_js(&r),
            None => JsValue::UNDEFINED,
        })
    }

    /// Reports the response to the poll in flight; `random` is `Math.random()` (backoff jitter).
    #[wasm_bindgen(js_name = onResponse)]
    pub fn on_response(
        &self,
        status: u16,
        etag: Option<String>,
        body: &[u8],
        now: f64,
        random: f64,
    ) -> Result<JsValue, JsValue> {
        self.drive(|m| {
            outcome_to_js(&m.on_response(status, etag.as_deref(), body, now as i64, random))
        })
    }

    /// Reports a poll that failed without a response: `"network"`, `"timeout"` or `"aborted"`.
    #[wasm_bindgen(js_name = onFailure)]
    pub fn on_failure(&self, kind: &str, now: f64, random: f64) -> Result<JsValue, JsValue> {
        let kind = match kind {
            "network" => FailureKind::Network,
            "timeout" => FailureKind::Timeout,
            "aborted" => FailureKind::Aborted,
            other => {
                return Err(invalid_argument(
                    &Msg::new("unknown failure kind ")
                        .escaped(other)
                        .text(" (expected \"network\", \"timeout\" or \"aborted\")")
                        .finish(),
                ))
            }
        };
        self.drive(|m| outcome_to_js(&m.on_failure(kind, now as i64, random)))
    }

    /// Applies an envelope pushed by the server (Server-Sent Events).
    #[wasm_bindgen(js_name = onStreamEvent)]
    pub fn on_stream_event(&self, envelope: JsValue, now: f64) -> Result<JsValue, JsValue> {
        let bytes = envelope_bytes(&envelope)?;
        self.drive(|m| outcome_to_js(&m.on_stream_event(&bytes, now as i64)))
    }

    /// Notices time passing: a loaded snapshot that expired turns the status `STALE`.
    pub fn tick(&self, now: f64) -> Result<JsValue, JsValue> {
        self.drive(|m| outcome_to_js(&m.tick(now as i64)))
    }

    /// What to write to storage after an outcome with `persist`: `{ envelope, highWater:
    /// { version, sha256 }, etag }`, or `undefined`.
    pub fn persisted(&self) -> Result<JsValue, JsValue> {
        self.drive(|m| match m.persisted() {
            Some(p) => super::outcome::persisted_to_js(&p),
            None => JsValue::UNDEFINED,
        })
    }
}

/// `{ version, sha256 }` (a decimal version and a hex digest), or nothing.
fn high_water_from_js(v: &JsValue) -> Result<Option<HighWater>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    let bad = || invalid_argument("highWater must be { version: number, sha256: hex string }");
    let version = js_sys::Reflect::get(v, &"version".into())
        .ok()
        .and_then(|x| x.as_f64())
        .filter(|x| *x >= 0.0 && x.fract() == 0.0)
        .ok_or_else(bad)?;
    let hex = js_sys::Reflect::get(v, &"sha256".into())
        .ok()
        .and_then(|x| x.as_string())
        .ok_or_else(bad)?;
    let mut digest = [0u8; 32];
    if hex.len() != 64 {
        return Err(bad());
    }
    for (i, byte) in digest.iter_mut().enumerate() {
        let pair = hex.get(2 * i..2 * i + 2).ok_or_else(bad)?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    Ok(Some(HighWater {
        version: version as u64,
        payload_sha256: digest,
    }))
}
