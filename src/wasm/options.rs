//! Reads the `Evaluator` constructor's options bag.

use super::error::{from_core, invalid_argument};
use alloc::string::String;
use alloc::vec::Vec;
use edgeflag::envelope::TrustPolicy;
use edgeflag::sync::SyncConfig;
use edgeflag::unstable::Msg;
use edgeflag::{ContextLimits, Limits, LoadMode};
use wasm_bindgen::prelude::*;

/// What the constructor needs: the trust policy and the limits.
pub(crate) struct Options {
    pub(crate) policy: TrustPolicy,
    pub(crate) context_limits: ContextLimits,
    pub(crate) sync: SyncConfig,
}

fn get(options: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(options, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn string(options: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    match get(options, name) {
        None => Ok(None),
        Some(v) => v.as_string().map(Some).ok_or_else(|| {
            invalid_argument(
                &Msg::new("options.")
                    .text(name)
                    .text(" must be a string")
                    .finish(),
            )
        }),
    }
}

fn number(options: &JsValue, name: &str) -> Result<Option<f64>, JsValue> {
    match get(options, name) {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => Ok(Some(n)),
            _ => Err(invalid_argument(
                &Msg::new("options.")
                    .text(name)
                    .text(" must be a non-negative integer")
                    .finish(),
            )),
        },
    }
}

fn flag(options: &JsValue, name: &str) -> Result<bool, JsValue> {
    match get(options, name) {
        None => Ok(false),
        Some(v) => v.as_bool().ok_or_else(|| {
            invalid_argument(
                &Msg::new("options.")
                    .text(name)
                    .text(" must be a boolean")
                    .finish(),
            )
        }),
    }
}

/// Parses `{ publicKeys, environment, owner | anyOwner, threshold?, clockSkewMs?, minVersion?,
/// maxAge?, maxBytes?, ... }`.
pub(crate) fn parse(options: &JsValue) -> Result<Options, JsValue> {
    if !options.is_object() {
        return Err(invalid_argument(
            "options must be an object: { publicKeys: [\"ed25519:...\"], environment: \"production\" }",
        ));
    }
    let list = get(options, "publicKeys")
        .filter(js_sys::Array::is_array)
        .ok_or_else(|| {
            invalid_argument("options.publicKeys must be an array of \"ed25519:<base64>\" keys")
        })?;
    let mut keys = Vec::new();
    for (i, k) in js_sys::Array::from(&list).iter().enumerate() {
        keys.push(k.as_string().ok_or_else(|| {
            invalid_argument(
                &Msg::new("options.publicKeys[")
                    .num(i)
                    .text("] must be a string")
                    .finish(),
            )
        })?);
    }
    let environment = string(options, "environment")?
        .ok_or_else(|| invalid_argument("options.environment is required (e.g. \"production\")"))?;
    // Clients degrade the one flag whose definition this build cannot evaluate (a newer
    // minor revision, `matches` without the regex build) instead of refusing the snapshot;
    // `refuseRegex` (the package's client, which has the companion module to load) refuses a
    // snapshot that uses `matches` instead, keeping the one it had for the switch.
    let mode = if flag(options, "refuseRegex")? {
        LoadMode::ClientRefusingRegex
    } else {
        LoadMode::Client
    };
    let mut limits = Limits::default().with_mode(mode);
    if let Some(max) = number(options, "maxBytes")? {
        limits.max_bytes = max as usize;
    }
    let mut builder = TrustPolicy::builder(environment)
        .keys(keys)
        .limits(limits.clone());
    // Without either, the policy refuses to build ("no owner"), after the key checks.
    if let Some(owner) = string(options, "owner")? {
        builder = builder.owner(owner);
    }
    if flag(options, "anyOwner")? {
        builder = builder.any_owner();
    }
    if let Some(version) = number(options, "minVersion")? {
        builder = builder.min_version(version as u64);
    }
    if let Some(ms) = number(options, "maxAge")? {
        builder = builder.max_age_ms(ms as u64);
    }
    if let Some(ms) = number(options, "maxValidityMs")? {
        builder = builder.max_validity_ms(ms as u64);
    }
    if let Some(t) = number(options, "threshold")? {
        builder = builder.threshold(t as usize);
    }
    if let Some(skew) = number(options, "clockSkewMs")? {
        builder = builder.clock_skew_ms(skew as u64);
    }
    let policy = builder.build().map_err(|e| from_core(&e))?;
    let mut sync = SyncConfig::default();
    for (name, slot) in [
        ("pollIntervalMs", &mut sync.poll_interval_ms),
        ("timeoutMs", &mut sync.request_timeout_ms),
        ("minBackoffMs", &mut sync.min_backoff_ms),
        ("maxBackoffMs", &mut sync.max_backoff_ms),
    ] {
        if let Some(ms) = number(options, name)? {
            *slot = ms as u64;
        }
    }
    if let Some(ms) = number(options, "staleAfterMs")? {
        sync.stale_after_ms = Some(ms as u64);
    }
    Ok(Options {
        policy,
        context_limits: limits.context,
        sync,
    })
}
