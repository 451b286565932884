//! The compact JSON writer. Its output is byte-for-byte what JavaScript's `JSON.stringify`
//! produces for the same value (members in stored order, the same string escapes, the same
//! number formatting), so Rust and JS results can be compared as text.

use super::{Number, Value};
use crate::text;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// An array or object whose children are being written.
enum Open<'a> {
    Array(core::slice::Iter<'a, Value>),
    Object(core::slice::Iter<'a, (Box<str>, Value)>),
}

/// How floats that are not integers are written.
pub trait FloatText: sealed::Sealed {
    #[doc(hidden)]
    fn write(f: f64, out: &mut String);
}

/// Floats as `JSON.stringify` writes them: the shortest digits that read back the same.
#[derive(Clone, Copy, Debug)]
pub struct Shortest;

/// Floats as their exact decimal expansion: reads back the same, linking no float
/// formatting (for text that a host parses at once, as the wasm bindings do).
#[derive(Clone, Copy, Debug)]
pub struct Exact;

impl FloatText for Shortest {
    fn write(f: f64, out: &mut String) {
        write_f64(f, out);
    }
}

impl FloatText for Exact {
    fn write(f: f64, out: &mut String) {
        super::exact::write_exact(f, out);
    }
}

mod sealed {
    /// Only the two styles above exist.
    pub trait Sealed {}
    impl Sealed for super::Shortest {}
    impl Sealed for super::Exact {}
}

/// Appends the compact JSON text of `v` to `out`, byte-for-byte as `JSON.stringify` would.
pub(crate) fn write_value(v: &Value, out: &mut String) {
    write_value_as::<Shortest>(v, out);
}

/// Appends the compact JSON text of `v` to `out`, floats written in style `F`.
///
/// Iterative, like the parser, so the depth of a value never turns into call-stack depth.
pub fn write_value_as<F: FloatText>(v: &Value, out: &mut String) {
    // Each open container and whether its next child is the first (no comma before it).
    let mut stack: Vec<(Open<'_>, bool)> = Vec::new();
    let mut next = Some(v);
    loop {
        match next.take() {
            Some(Value::Array(items)) => {
                out.push('[');
                stack.push((Open::Array(items.iter()), true));
            }
            Some(Value::Object(members)) => {
                out.push('{');
                stack.push((Open::Object(members.iter()), true));
            }
            Some(scalar) => write_scalar::<F>(scalar, out),
            None => {}
        }
        let Some((open, first)) = stack.last_mut() else {
            return;
        };
        let child = match open {
            Open::Array(items) => items.next().map(|item| (None, item)),
            Open::Object(members) => members.next().map(|(k, v)| (Some(k), v)),
        };
        match child {
            Some((key, child)) => {
                if !core::mem::take(first) {
                    out.push(',');
                }
                if let Some(key) = key {
                    write_string(key, out);
                    out.push(':');
                }
                next = Some(child);
            }
            None => {
                out.push(match open {
                    Open::Array(_) => ']',
                    Open::Object(_) => '}',
                });
                stack.pop();
            }
        }
    }
}

fn write_scalar<F: FloatText>(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number_as::<F>(n, out),
        Value::String(s) => write_string(s, out),
        // Containers are handled by `write_value`; writing them here would recurse.
        Value::Array(_) | Value::Object(_) => {}
    }
}

/// Writes a number: integers exactly, floats as JavaScript would.
#[cfg(test)]
pub(crate) fn write_number(n: &Number, out: &mut String) {
    write_number_as::<Shortest>(n, out);
}

/// Writes a number: integers exactly, floats in style `F`.
fn write_number_as<F: FloatText>(n: &Number, out: &mut String) {
    if n.is_integer_repr() {
        // Integers without `core::fmt`, which the wasm build does not link (`crate::text`).
        if let Some(u) = n.as_u64() {
            text::push_decimal(out, u);
            return;
        }
        if let Some(i) = n.as_i64() {
            text::push_decimal(out, i);
            return;
        }
    }
    F::write(n.as_f64(), out);
}

/// Writes `f` the way ECMAScript's `Number::toString` does (which `JSON.stringify` uses),
/// with `null` for NaN and the infinities as `JSON.stringify` writes them.
pub(crate) fn write_f64(f: f64, out: &mut String) {
    if !f.is_finite() {
        out.push_str("null");
        return;
    }
    if f == 0.0 {
        // Both zeros: JavaScript writes -0 as "0".
        out.push('0');
        return;
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as ECMAScript requires; only
    // their layout differs. `digits` is d1 d2 ... dk and the value is 0.d1...dk * 10^n.
    let mut scientific = Buffer::new();
    let _ = write!(scientific, "{:e}", f.abs());
    let (mantissa, exponent) = scientific.as_str().split_once('e').unwrap_or(("0", "0"));
    let mut buffer = Buffer::new();
    for c in mantissa.chars().filter(|&c| c != '.') {
        let _ = buffer.write_char(c);
    }
    let mut k = buffer.len as i64;
    let mut n = exponent.parse::<i64>().unwrap_or(0) + 1;
    if let Some((even, exp)) = buffer
        .as_str()
        .parse::<u64>()
        .ok()
        .and_then(|odd| even_tie_neighbour(f.abs(), odd, n - k))
    {
        buffer = Buffer::new();
        let _ = write!(buffer, "{even}");
        k = buffer.len as i64;
        n = exp + k;
    }
    let digits = buffer.as_str();
    if f < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        // An integer: the digits, then n - k zeros.
        out.push_str(digits);
        push_zeros(out, n - k);
    } else if 0 < n && n <= 21 {
        // The decimal point falls inside the digits.
        let (int, frac) = digits.split_at_checked(n as usize).unwrap_or((digits, ""));
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        // A small number: "0." then -n zeros, then the digits.
        out.push_str("0.");
        push_zeros(out, -n);
        out.push_str(digits);
    } else {
        // Exponent form: d1[.d2...dk]e(+|-)(n-1).
        let mut chars = digits.chars();
        if let Some(first) = chars.next() {
            out.push(first);
        }
        let rest = chars.as_str();
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let e = n - 1;
        let _ = write!(out, "e{}{}", if e < 0 { '-' } else { '+' }, e.abs());
    }
}

/// When `f` lies exactly halfway between the shortest digits `digits × 10^exp` and a
/// neighbour one unit away in the last digit, ECMAScript takes the even one, while Rust's
/// shortest formatting may take the odd one (it gives `…297.63` for `…297.625`, JavaScript
/// `…297.62`). Returns the even neighbour, without trailing zeros, in that case.
fn even_tie_neighbour(f: f64, digits: u64, exp: i64) -> Option<(u64, i64)> {
    if digits % 2 == 0 {
        return None;
    }
    // f = odd × 2^e2, exactly.
    let bits = f.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    let (mantissa, e2) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    let zeros = mantissa.trailing_zeros();
    let (odd, e2) = (mantissa >> zeros, e2 + i64::from(zeros));
    for up in [true, false] {
        // The midpoint (digits ± ½) × 10^exp = t × 5^exp × 2^(exp - 1), with t odd.
        let t = if up { 2 * digits + 1 } else { 2 * digits - 1 };
        if e2 != exp - 1 || !odd_parts_match(odd, t, exp) {
            continue;
        }
        let mut neighbour = if up { digits + 1 } else { digits - 1 };
        let mut exp = exp;
        // Both are equally close; use the neighbour only if it still reads back as `f`.
        let mut text = Buffer::new();
        let _ = write!(text, "{neighbour}e{exp}");
        if text.as_str().parse::<f64>() != Ok(f) {
            return None;
        }
        while neighbour % 10 == 0 && neighbour != 0 {
            neighbour /= 10;
            exp += 1;
        }
        return Some((neighbour, exp));
    }
    None
}

/// Whether `odd` = `t` × 5^`exp` (for `exp` ≥ 0), or `odd` × 5^-`exp` = `t` (for `exp` < 0).
fn odd_parts_match(odd: u64, t: u64, exp: i64) -> bool {
    let power = |e: i64| u32::try_from(e).ok().and_then(|e| 5u128.checked_pow(e));
    if exp >= 0 {
        power(exp).and_then(|p| p.checked_mul(u128::from(t))) == Some(u128::from(odd))
    } else {
        power(-exp).and_then(|p| p.checked_mul(u128::from(odd))) == Some(u128::from(t))
    }
}

/// Room for one float's text (`{:e}` needs at most 23 bytes), so formatting never allocates.
struct Buffer {
    bytes: [u8; 32],
    len: usize,
}

impl Buffer {
    fn new() -> Self {
        Buffer {
            bytes: [0; 32],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..self.len).unwrap_or_default();
        core::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl Write for Buffer {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for b in s.bytes() {
            *self.bytes.get_mut(self.len).ok_or(core::fmt::Error)? = b;
            self.len += 1;
        }
        Ok(())
    }
}

fn push_zeros(out: &mut String, count: i64) {
    for _ in 0..count {
        out.push('0');
    }
}

/// Writes `s` as a JSON string with `JSON.stringify`'s escapes: the short forms for `"`,
/// `\`, backspace, form feed, newline, carriage return and tab, `\u00xx` for other control
/// characters, everything else as UTF-8.
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    let mut run_start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        // Unescaped bytes are copied in runs; `i` is an ASCII byte, so a char boundary.
        out.push_str(s.get(run_start..i).unwrap_or_default());
        if escape.is_empty() {
            out.push_str("\\u");
            text::push_hex(out, u64::from(b), 4);
        } else {
            out.push_str(escape);
        }
        run_start = i + 1;
    }
    out.push_str(s.get(run_start..).unwrap_or_default());
    out.push('"');
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;
