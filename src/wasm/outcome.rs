//! Plain JavaScript objects for sync outcomes, requests, identities and errors.

use edgeflag::envelope::Identity;
use edgeflag::sync::{Event, Outcome, Persisted, Request, SyncError};
use edgeflag::Snapshot;
use wasm_bindgen::JsValue;

fn set(obj: &js_sys::Object, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

fn opt_ms(ms: Option<i64>) -> JsValue {
    ms.map_or(JsValue::NULL, |t| JsValue::from_f64(t as f64))
}

/// `{ code, message }`.
pub(crate) fn error_to_js(e: &SyncError) -> JsValue {
    let obj = js_sys::Object::new();
    let code = e
        .snapshot_error()
        .map_or_else(|| e.code(), |inner| inner.code());
    set(&obj, "code", &code.into());
    set(&obj, "message", &e.message().into());
    obj.into()
}

/// `{ status, events, changed?, error?, persist, discardPersisted, nextPollAt, pollDue, wakeAt }`.
pub(crate) fn outcome_to_js(o: &Outcome) -> JsValue {
    let obj = js_sys::Object::new();
    set(&obj, "status", &o.status.as_str().into());
    let events = js_sys::Array::new();
    for e in &o.events {
        events.push(&e.as_str().into());
        if let Event::Changed { from, to } = e {
            let changed = js_sys::Object::new();
            set(&changed, "from", &JsValue::from_f64(*from as f64));
            set(&changed, "to", &JsValue::from_f64(*to as f64));
            set(&obj, "changed", &changed.into());
        }
    }
    set(&obj, "events", &events.into());
    if let Some(e) = &o.error {
        set(&obj, "error", &error_to_js(e));
    }
    set(&obj, "persist", &o.persist.into());
    set(&obj, "discardPersisted", &o.discard_persisted.into());
    set(&obj, "nextPollAt", &opt_ms(o.next_poll_at));
    set(&obj, "pollDue", &o.poll_due.into());
    set(&obj, "wakeAt", &opt_ms(o.wake_at));
    obj.into()
}

/// `{ ifNoneMatch, timeoutMs }`.
pub(crate) fn request_to_js(r: &Request) -> JsValue {
    let obj = js_sys::Object::new();
    if let Some(tag) = &r.if_none_match {
        set(&obj, "ifNoneMatch", &tag.as_str().into());
    }
    set(&obj, "timeoutMs", &JsValue::from_f64(r.timeout_ms as f64));
    obj.into()
}

/// `{ envelope, highWater: { version, sha256 }, etag }`.
pub(crate) fn persisted_to_js(p: &Persisted<'_>) -> JsValue {
    let obj = js_sys::Object::new();
    set(
        &obj,
        "envelope",
        // A persisted envelope was verified, and its JSON parse proved it UTF-8.
        &core::str::from_utf8(p.envelope).unwrap_or_default().into(),
    );
    let mark = js_sys::Object::new();
    set(
        &mark,
        "version",
        &JsValue::from_f64(p.high_water.version as f64),
    );
    set(&mark, "sha256", &hex(&p.high_water.payload_sha256).into());
    set(&obj, "highWater", &mark.into());
    if let Some(tag) = p.etag {
        set(&obj, "etag", &tag.into());
    }
    obj.into()
}

fn hex(bytes: &[u8]) -> alloc::string::String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = alloc::string::String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            out.push(char::from(
                DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0'),
            ));
        }
    }
    out
}

/// `{ version, owner, environment, keyid, issuedAt, expiresAt, sha256, flags }`.
pub(crate) fn identity_to_js(id: &Identity, snapshot: &Snapshot) -> JsValue {
    let obj = js_sys::Object::new();
    set(&obj, "version", &JsValue::from_f64(id.version as f64));
    set(&obj, "owner", &id.owner.as_str().into());
    set(&obj, "environment", &id.environment.as_str().into());
    set(&obj, "keyid", &id.keyid.as_str().into());
    set(&obj, "issuedAt", &JsValue::from_f64(id.issued_at as f64));
    set(&obj, "expiresAt", &JsValue::from_f64(id.expires_at as f64));
    set(&obj, "sha256", &id.payload_sha256_hex().into());
    let flags = js_sys::Array::new();
    for key in snapshot.flag_keys() {
        flags.push(&key.into());
    }
    set(&obj, "flags", &flags.into());
    obj.into()
}
