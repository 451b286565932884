//! Evaluation results as JSON text, byte-compatible with `JSON.stringify`: what a binding hands
//! to its host in one piece (one string crossing instead of one call per field).

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
            write_u32(index, out);
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
        let mut out = String::with_capacity(16 * self.len() + 2);
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
            match self.details_typed(id, ctx, now, None).value {
                Some(v) => write_value_as::<F>(v, &mut out),
                None => out.push_str("null"),
            }
        }
        out.push('}');
        out
    }

    /// `{"flagKey": details, ...}` for every flag in payload order (details as
    /// [`Details::write_json`] writes them, with `"value":null` where evaluation failed).
    pub fn all_json<F: FloatText>(&self, ctx: &CompiledContext, now: i64) -> String {
        let mut out = String::with_capacity(96 * self.len() + 2);
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
            self.details_typed(id, ctx, now, None)
                .write_object::<F>(&mut out, true);
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

/// Decimal digits without `core::fmt` (smaller and faster in wasm).
fn write_u32(mut n: u32, out: &mut String) {
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(d) = digits.get_mut(start) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || start == 0 {
            break;
        }
    }
    for d in digits.iter().skip(start) {
        out.push(char::from(*d));
    }
}

#[cfg(test)]
mod tests {
    use super::write_u32;
    use alloc::string::String;

    #[test]
    fn writes_decimal() {
        for n in [0, 7, 10, 99, 100, 4_294_967_295] {
            let mut s = String::new();
            write_u32(n, &mut s);
            assert_eq!(s, alloc::format!("{n}"));
        }
    }
}
