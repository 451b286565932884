//! Evaluation results as JSON text written with the core's own JSON writer (the one the wasm
//! bindings write their catalogs with), in both float styles: the vector harness checks that
//! it writes what serde writes, byte for byte where the float style is `JSON.stringify`'s.

use edgeflag::unstable::json::{write_string, write_value_as, FloatText};
use edgeflag::{CompiledContext, Details, Snapshot, Value};
use std::format;
use std::string::String;

/// `{"flagKey": value, ...}` for every flag in payload order, `null` where evaluation failed.
pub(crate) fn values_json<F: FloatText>(s: &Snapshot, ctx: &CompiledContext, now: i64) -> String {
    each_flag_json(s, |key, out| match s.details(key, ctx, now).value {
        Some(v) => write_value_as::<F>(v, out),
        None => out.push_str("null"),
    })
}

/// `{"flagKey": details, ...}` for every flag in payload order, `"value":null` where
/// evaluation failed.
pub(crate) fn all_json<F: FloatText>(s: &Snapshot, ctx: &CompiledContext, now: i64) -> String {
    each_flag_json(s, |key, out| {
        write_details::<F>(&s.details(key, ctx, now), out)
    })
}

/// A JSON object with one member per flag, its value written by `member`.
fn each_flag_json(s: &Snapshot, mut member: impl FnMut(&str, &mut String)) -> String {
    let mut out = String::from("{");
    for (i, key) in s.flag_keys().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(key, &mut out);
        out.push(':');
        member(key, &mut out);
    }
    out.push('}');
    out
}

/// The fields of [`Details`] in camelCase, as serde writes them (`"value":null` on failure).
fn write_details<F: FloatText>(d: &Details<'_, Option<&Value>>, out: &mut String) {
    out.push('{');
    out.push_str("\"value\":");
    match d.value {
        Some(v) => write_value_as::<F>(v, out),
        None => out.push_str("null"),
    }
    out.push(',');
    if let Some(variant) = d.variant {
        member(out, "variant", variant);
    }
    member(out, "reason", d.reason.as_str());
    if let Some(code) = d.error_code {
        member(out, "errorCode", code.as_str());
    }
    if let Some(message) = &d.error_message {
        member(out, "errorMessage", message);
    }
    if let Some(id) = d.rule_id {
        member(out, "ruleId", id);
    }
    if let Some(index) = d.rule_index {
        out.push_str(&format!("\"ruleIndex\":{index},"));
    }
    out.push_str(if d.in_experiment {
        "\"inExperiment\":true,\"flagMetadata\":{"
    } else {
        "\"inExperiment\":false,\"flagMetadata\":{"
    });
    for (i, (k, v)) in d.flag_metadata.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(k, out);
        out.push(':');
        write_value_as::<F>(v, out);
    }
    out.push_str("}}");
}

fn member(out: &mut String, name: &str, text: &str) {
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
    write_string(text, out);
    out.push(',');
}
