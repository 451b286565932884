//! Scalars for the strict parser: strings (with escapes and surrogate pairs), numbers (exact
//! 64-bit integers, otherwise `f64`) and the literals `true`, `false`, `null`.

use super::{Frame, Parser, Scope};
use crate::json::{Number, Value};
use crate::text::Msg;
use crate::Error;
use alloc::boxed::Box;

impl Parser<'_> {
    /// Reads a string, number or literal at the current position.
    pub(super) fn scalar(&mut self, stack: &[Frame]) -> Result<Value, Error> {
        match self.peek() {
            Some(b'"') => Ok(Value::String(self.string(stack, Scope::Value)?)),
            Some(b't') => self.literal(stack, "true", Value::Bool(true)),
            Some(b'f') => self.literal(stack, "false", Value::Bool(false)),
            Some(b'n') => self.literal(stack, "null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(stack),
            _ => Err(self.expected(stack, Scope::Value, "expected a value")),
        }
    }

    fn literal(&mut self, stack: &[Frame], word: &str, value: Value) -> Result<Value, Error> {
        let start = self.pos;
        for expected in word.bytes() {
            match self.peek() {
                Some(b) if b == expected => self.pos += 1,
                Some(_) => return Err(self.error(stack, Scope::Value, start, "expected a value")),
                None => return Err(self.eof(stack, Scope::Value)),
            }
        }
        Ok(value)
    }

    /// Reads a string whose opening quote is the current byte. Runs without escapes are
    /// copied as whole slices; only strings with escapes go through the scratch buffer.
    pub(super) fn string(&mut self, stack: &[Frame], scope: Scope) -> Result<Box<str>, Error> {
        let text = self.text;
        let start = self.pos;
        self.pos += 1;
        let mut run_start = self.pos;
        let mut escaped = false;
        self.scratch.clear();
        loop {
            let rest = text.as_bytes().get(self.pos..).unwrap_or_default();
            let Some(offset) = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            else {
                self.pos = text.len();
                return Err(self.eof(stack, scope));
            };
            self.pos += offset;
            // Both ends of the run are ASCII bytes, hence character boundaries.
            let run = text.get(run_start..self.pos).unwrap_or_default();
            match self.peek() {
                Some(b'"') => {
                    let decoded = if escaped {
                        self.scratch.push_str(run);
                        self.scratch.as_str()
                    } else {
                        run
                    };
                    if decoded.len() > self.limits.max_string_bytes {
                        return Err(self.too_long(stack, scope, start));
                    }
                    let decoded = Box::from(decoded);
                    self.pos += 1;
                    return Ok(decoded);
                }
                Some(b'\\') => {
                    escaped = true;
                    self.scratch.push_str(run);
                    self.escape(stack, scope)?;
                    // Stop early rather than decode megabytes past the limit.
                    if self.scratch.len() > self.limits.max_string_bytes {
                        return Err(self.too_long(stack, scope, start));
                    }
                    run_start = self.pos;
                }
                _ => {
                    let message = "control character in string (must be escaped)";
                    return Err(self.error(stack, scope, self.pos, message));
                }
            }
        }
    }

    fn too_long(&self, stack: &[Frame], scope: Scope, start: usize) -> Error {
        let message = Msg::new("string longer than ")
            .num(self.limits.max_string_bytes)
            .text(" bytes")
            .finish();
        self.error(stack, scope, start, message)
    }

    /// Decodes the escape at the current `\` into the scratch buffer.
    fn escape(&mut self, stack: &[Frame], scope: Scope) -> Result<(), Error> {
        let at = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let c = self.unicode_escape(stack, scope, at)?;
                self.scratch.push(c);
                return Ok(());
            }
            Some(_) => return Err(self.error(stack, scope, at, "invalid escape")),
            None => return Err(self.eof(stack, scope)),
        };
        self.pos += 1;
        self.scratch.push(c);
        Ok(())
    }

    /// The code point of `\uXXXX` (its hex digits are next), combining a surrogate pair.
    fn unicode_escape(&mut self, stack: &[Frame], scope: Scope, at: usize) -> Result<char, Error> {
        let unpaired = |p: &Self| p.error(stack, scope, at, "unpaired surrogate in \\u escape");
        let unit = self.hex4(stack, scope, at)?;
        let code = match unit {
            0xD800..=0xDBFF => {
                if !(self.eat(b'\\') && self.eat(b'u')) {
                    return Err(unpaired(self));
                }
                let low = self.hex4(stack, scope, at)?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(unpaired(self));
                }
                0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(unpaired(self)),
            _ => unit,
        };
        char::from_u32(code).ok_or_else(|| unpaired(self))
    }

    fn hex4(&mut self, stack: &[Frame], scope: Scope, at: usize) -> Result<u32, Error> {
        let mut unit = 0;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b) => char::from(b).to_digit(16),
                None => return Err(self.eof(stack, scope)),
            };
            let Some(digit) = digit else {
                return Err(self.error(stack, scope, at, "invalid \\u escape"));
            };
            unit = unit * 16 + digit;
            self.pos += 1;
        }
        Ok(unit)
    }

    /// Reads a number: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)?.
    pub(super) fn number(&mut self, stack: &[Frame]) -> Result<Value, Error> {
        let start = self.pos;
        let negative = self.eat(b'-');
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    let message = "leading zeros are not allowed";
                    return Err(self.error(stack, Scope::Value, start, message));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.expected(stack, Scope::Value, "expected a digit after '-'")),
        }
        let mut integer = true;
        if self.eat(b'.') {
            integer = false;
            self.required_digits(stack, "expected a digit after '.'")?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            integer = false;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.required_digits(stack, "expected a digit in the exponent")?;
        }
        let literal = self.text.get(start..self.pos).unwrap_or_default();
        if integer {
            // Integers stay exact when they fit 64 bits; larger ones fall through to f64.
            // The literal is `-`? and digits (checked above), so a plain loop reads it.
            let digits = literal.strip_prefix('-').unwrap_or(literal);
            let magnitude = digits.bytes().try_fold(0u64, |m, d| {
                m.checked_mul(10)?
                    .checked_add(u64::from(d.wrapping_sub(b'0')))
            });
            match (magnitude, negative) {
                (Some(m), false) => return Ok(Value::Number(Number::from_u64(m))),
                (Some(m), true) => {
                    if let Some(i) = 0i64.checked_sub_unsigned(m) {
                        return Ok(Value::Number(Number::from_i64(i)));
                    }
                }
                (None, _) => {}
            }
        }
        match parse_f64(literal) {
            Ok(f) if f.is_finite() => Ok(Value::Number(Number::from_f64(f))),
            Ok(_) => Err(self.error(stack, Scope::Value, start, "number out of range")),
            Err(message) => Err(self.error(stack, Scope::Value, start, message)),
        }
    }

    fn required_digits(&mut self, stack: &[Frame], message: &str) -> Result<(), Error> {
        match self.peek() {
            Some(b'0'..=b'9') => {
                self.digits();
                Ok(())
            }
            _ => Err(self.expected(stack, Scope::Value, message)),
        }
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }
}

/// The `f64` nearest to a literal that already matched JSON's number grammar, from the
/// parser the host registered (feature `host-float`); on wasm32 there is no other, so that
/// the module carries no float parser.
#[cfg(all(feature = "host-float", target_arch = "wasm32"))]
fn parse_f64(literal: &str) -> Result<f64, &'static str> {
    crate::json::host_float::parse(literal).ok_or(NO_HOST_PARSER)
}

/// The message for a fractional number before the host registered its float parser.
#[cfg(all(feature = "host-float", target_arch = "wasm32"))]
const NO_HOST_PARSER: &str =
    "number needs the host's float parser, and none is registered (edgeflag::set_float_parser)";

/// The `f64` nearest to a literal that already matched JSON's number grammar: the host's
/// parser when one is registered (feature `host-float`), else core's.
#[cfg(not(all(feature = "host-float", target_arch = "wasm32")))]
fn parse_f64(literal: &str) -> Result<f64, &'static str> {
    #[cfg(feature = "host-float")]
    if let Some(f) = crate::json::host_float::parse(literal) {
        return Ok(f);
    }
    literal.parse::<f64>().map_err(|_| "number out of range")
}
