//! Evaluation results built as JavaScript objects by `results.js`: the module writes a few
//! numbers per flag, and the host combines them with the snapshot's catalog (its names and
//! values, parsed once per snapshot). Parsing the same objects from JSON text cost several
//! times more than evaluating the flags.

use super::convert::parse_json;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;
use core::cell::RefCell;
use edgeflag::snapshot::FlagInfo;
use edgeflag::unstable::json::{write_string, write_value_as, Exact};
use edgeflag::{
    CompiledContext, Details, ErrorCode, FlagId, FlagOutcome, Reason, Served, Snapshot, Value,
};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/results.js")]
extern "C" {
    #[wasm_bindgen(js_name = valuesObject)]
    fn values_object(catalog: &JsValue, codes: &[u32]) -> JsValue;

    #[wasm_bindgen(js_name = detailsObject)]
    fn details_object(catalog: &JsValue, codes: &[u32], messages: &str) -> JsValue;

    #[wasm_bindgen(js_name = detailOf)]
    fn detail_of(
        catalog: &JsValue,
        flag: i32,
        codes: &[u32],
        message: Option<&str>,
        fallback: JsValue,
    ) -> JsValue;

    #[wasm_bindgen(js_name = valueOf)]
    fn value_of(catalog: &JsValue, flag: u32, variant: u32) -> JsValue;
}

/// The catalog of the snapshot last evaluated, shared by an evaluator and its flag handles.
/// The weak reference tells whose it is (and keeps that address from being reused).
#[derive(Clone, Default)]
pub(crate) struct Catalogs(Rc<RefCell<Option<Cached>>>);

/// A catalog and the snapshot it describes.
type Cached = (Weak<Snapshot>, JsValue);

impl Catalogs {
    /// The catalog of `snapshot`, built on first use.
    fn of(&self, snapshot: &Arc<Snapshot>) -> JsValue {
        if let Ok(cache) = self.0.try_borrow() {
            if let Some((of, catalog)) = cache.as_ref() {
                if core::ptr::eq(of.as_ptr(), Arc::as_ptr(snapshot)) {
                    return catalog.clone();
                }
            }
        }
        let catalog = parse_json(&catalog_json(Some(snapshot)));
        if let Ok(mut cache) = self.0.try_borrow_mut() {
            *cache = Some((Arc::downgrade(snapshot), catalog.clone()));
        }
        catalog
    }

    /// `{ [flagKey]: value }` for every flag, `null` where evaluation failed.
    pub(crate) fn values(&self, s: &Arc<Snapshot>, ctx: &CompiledContext, now: i64) -> JsValue {
        let mut codes = Vec::with_capacity(s.len());
        s.each_outcome(ctx, now, |_, outcome| {
            codes.push(outcome.map_or(0, |served| served.variant + 1));
        });
        values_object(&self.of(s), &codes)
    }

    /// `{ [flagKey]: details }` for every flag, `value: null` where evaluation failed.
    pub(crate) fn all(&self, s: &Arc<Snapshot>, ctx: &CompiledContext, now: i64) -> JsValue {
        let mut codes = Vec::with_capacity(3 * s.len());
        let mut messages = String::from("[");
        s.each_outcome(ctx, now, |flag, outcome| match outcome {
            Ok(served) => codes.extend_from_slice(&served_codes(flag, &served)),
            Err(failed) => {
                let d = failed.details();
                codes.extend_from_slice(&failed_codes(&d));
                if messages.len() > 1 {
                    messages.push(',');
                }
                write_string(d.error_message.as_deref().unwrap_or(""), &mut messages);
            }
        });
        messages.push(']');
        details_object(&self.of(s), &codes, &messages)
    }

    /// Details of one flag, checked against `default`'s type (`want`), with `default` as
    /// the value where evaluation failed.
    pub(crate) fn details(
        &self,
        s: &Arc<Snapshot>,
        outcome: FlagOutcome<'_>,
        default: JsValue,
    ) -> JsValue {
        let FlagOutcome { id, result } = outcome;
        let flag = id.map_or(-1, |id| id.index() as i32);
        let catalog = self.of(s);
        match result {
            Ok((f, served)) => detail_of(&catalog, flag, &served_codes(f, &served), None, default),
            Err(d) => {
                let message = d.error_message.as_deref();
                detail_of(&catalog, flag, &failed_codes(&d), message, default)
            }
        }
    }

    /// A fresh copy of the value flag `id` serves as `variant`.
    pub(crate) fn value(&self, s: &Arc<Snapshot>, id: FlagId, served: &Served) -> JsValue {
        value_of(&self.of(s), id.index(), served.variant)
    }
}

/// Details before any snapshot was accepted: `PROVIDER_NOT_READY`, with `default`.
pub(crate) fn not_ready(default: JsValue) -> JsValue {
    let d = Details::not_ready(None);
    let catalog = parse_json(&catalog_json(None));
    detail_of(
        &catalog,
        -1,
        &failed_codes(&d),
        d.error_message.as_deref(),
        default,
    )
}

/// Variant + 1, reason | inExperiment << 8, rule + 1 (0: none).
fn served_codes(flag: FlagInfo<'_>, served: &Served) -> [u32; 3] {
    let experiment = flag.tracks_events() && served.reason == Reason::Split;
    [
        served.variant + 1,
        served.reason as u32 | u32::from(experiment) << 8,
        served.rule.map_or(0, |r| r + 1),
    ]
}

/// 0, reason | (error code + 1) << 4, 0.
fn failed_codes(d: &Details<'_, Option<&Value>>) -> [u32; 3] {
    let code = d.error_code.unwrap_or(ErrorCode::General) as u32;
    [0, d.reason as u32 | (code + 1) << 4, 0]
}

/// `{ keys, variants, values, rules, metadata, reasons, errors }`: per flag of `snapshot` (none
/// without one) its key, variant names, variant values, rule ids (`null` without one) and
/// metadata; then the names of reasons and error codes by number.
fn catalog_json(snapshot: Option<&Snapshot>) -> String {
    let flags = || snapshot.into_iter().flat_map(Snapshot::flag_infos);
    let mut out = String::with_capacity(128 * snapshot.map_or(0, Snapshot::len) + 256);
    let mut a = JsonArray::open(&mut out, "{\"keys\":[");
    for f in flags() {
        write_string(f.key(), a.next());
    }
    a.close("],\"variants\":[");
    for f in flags() {
        let mut b = JsonArray::open(a.next(), "[");
        for (name, _) in f.variants() {
            write_string(name, b.next());
        }
        b.close("]");
    }
    a.close("],\"values\":[");
    for f in flags() {
        let mut b = JsonArray::open(a.next(), "[");
        for (_, value) in f.variants() {
            write_value_as::<Exact>(value, b.next());
        }
        b.close("]");
    }
    a.close("],\"rules\":[");
    for f in flags() {
        let mut b = JsonArray::open(a.next(), "[");
        for id in f.rule_ids() {
            match id {
                Some(id) => write_string(id, b.next()),
                None => b.next().push_str("null"),
            }
        }
        b.close("]");
    }
    a.close("],\"metadata\":[");
    for f in flags() {
        let mut b = JsonArray::open(a.next(), "{");
        for (k, v) in f.metadata() {
            let o = b.next();
            write_string(k, o);
            o.push(':');
            write_value_as::<Exact>(v, o);
        }
        b.close("}");
    }
    a.close("],\"reasons\":[");
    for r in Reason::ALL {
        write_string(r.as_str(), a.next());
    }
    a.close("],\"errors\":[");
    for c in ErrorCode::ALL {
        write_string(c.as_str(), a.next());
    }
    a.close("]}");
    out
}

/// A JSON array (or object) written element by element: commas between elements.
struct JsonArray<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> JsonArray<'a> {
    /// Writes `open` and starts a list. (Not inlined: the catalog writes 15 lists.)
    #[inline(never)]
    fn open(out: &'a mut String, open: &str) -> Self {
        out.push_str(open);
        JsonArray { out, empty: true }
    }

    /// Where the next element goes (after a comma unless it is the first).
    #[inline(never)]
    fn next(&mut self) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out
    }

    /// Writes `text` (the closing bracket and whatever follows) and starts a new list.
    #[inline(never)]
    fn close(&mut self, text: &str) {
        self.out.push_str(text);
        self.empty = true;
    }
}
