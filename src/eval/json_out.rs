//! Evaluation results as JSON text, byte-compatible with `JSON.stringify`, for hosts that hand
//! them on as text in one piece (an HTTP answer, a log line).

use super::details::Details;
use crate::context::CompiledContext;
use crate::json::write::{write_string, write_value_as, FloatText};
use crate::json::Value;
use crate::snapshot::{FlagId, Snapshot};
use alloc::string::String;

impl Details<'_, Option<&Value>> {
    /// Appends this result to `out` as a JSON object with the fields of [`Details`] in
    /// camelCase, floats in style `F` ([`crate::json::Shortest`] is what `JSON.stringify`
    /// writes). `value` is left out when evaluation failed: the caller's default goes there.
    pub fn write_json<F: FloatText>(&self, out: &mut String) {
        self.write_object::<F>(out, false);
    }

    /// `write_json`, with `"value":null` for a failed evaluation when `null_value`.
    fn write_object<F: FloatText>(&self, out: &mut String, null_value: bool) {
        out.push('{');
        match self.value {
            Some(v) => {
                out.push_str("\"value\":");
                write_value_as::<F>(v, out);
                out.push(',');
            }
            None if null_value => out.push_str("\"value\":null,"),
            None => {}
        }
        if let Some(variant) = self.variant {
            member(out, "variant", variant);
        }
        member(out, "reason", self.reason.as_str());
        if let Some(code) = self.error_code {
            member(out, "errorCode", code.as_str());
        }
        if let Some(message) = &self.error_message {
            member(out, "errorMessage", message);
        }
        if let Some(id) = self.rule_id {
            member(out, "ruleId", id);
        }
        if let Some(index) = self.rule_index {
            out.push_str("\"ruleIndex\":");
            crate::text::push_decimal(out, index);
            out.push(',');
        }
        out.push_str(if self.in_experiment {
            "\"inExperiment\":true,\"flagMetadata\":{"
        } else {
            "\"inExperiment\":false,\"flagMetadata\":{"
        });
        for (i, (k, v)) in self.flag_metadata.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(k, out);
            out.push(':');
            write_value_as::<F>(v, out);
        }
        out.push_str("}}");
    }
}

impl Snapshot {
    /// `{"flagKey": value, ...}` for every flag in payload order, `null` where evaluation
    /// failed, floats in style `F`: the cheapest evaluate-all for hosts that need only values.
    pub fn values_json<F: FloatText>(&self, ctx: &CompiledContext, now: i64) -> String {
        self.each_flag_json(16, |id, out| {
            match self.value_of(self.flag_at(id.0), ctx, now, None) {
                Some(v) => write_value_as::<F>(v, out),
                None => out.push_str("null"),
            }
        })
    }

    /// `{"flagKey": details, ...}` for every flag in payload order (details as
    /// [`Details::write_json`] writes them, with `"value":null` where evaluation failed).
    pub fn all_json<F: FloatText>(&self, ctx: &CompiledContext, now: i64) -> String {
        self.each_flag_json(96, |id, out| {
            self.details_typed(id, ctx, now, None)
                .write_object::<F>(out, true);
        })
    }

    /// A JSON object with one member per flag, its value written by `member`.
    fn each_flag_json(
        &self,
        per_flag: usize,
        mut member: impl FnMut(FlagId, &mut String),
    ) -> String {
        let mut out = String::with_capacity(per_flag * self.len() + 2);
        out.push('{');
        for i in 0..self.len() as u32 {
            let id = FlagId(i);
            let Some(key) = self.flag_key(id) else {
                continue;
            };
            if i > 0 {
                out.push(',');
            }
            write_string(key, &mut out);
            out.push(':');
            member(id, &mut out);
        }
        out.push('}');
        out
    }
}

fn member(out: &mut String, name: &str, text: &str) {
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
    write_string(text, out);
    out.push(',');
}
