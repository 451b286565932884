//! Message text written without `core::fmt`.
//!
//! Every error message of the library is built here rather than with `format!`: the
//! formatting machinery (`fmt::write`, `Formatter::pad`, `pad_integral`, the `Display` impls of
//! the integers and of `str`'s `Debug`) costs the wasm build about 2 KB gzipped, and error
//! messages are the only thing in it that needs them. The output is byte for byte what the
//! `format!` strings the messages were first written with produced (the tests below compare
//! the two), except that quoted strings escape every non-ASCII character (see [`push_escaped`]).

use alloc::string::String;

/// An error message under construction, appended to piece by piece:
///
/// `Msg::new("flag ").quoted(key).text(" is of type ").text(kind).finish()` writes what
/// `format!("flag \"{key}\" is of type {kind}")` would.
///
/// The pieces are appended through `&mut self` by functions that are never inlined: every
/// piece is then one call whose result feeds the next, the smallest code per message (a
/// builder that moved `self` would copy the string at each step).
pub struct Msg(String);

impl Msg {
    /// A message that starts with `text`.
    #[must_use]
    #[inline(never)]
    pub fn new(text: &str) -> Msg {
        Msg(String::from(text))
    }

    /// Appends `text` as it is (`{text}`).
    #[inline(never)]
    pub fn text(&mut self, text: &str) -> &mut Msg {
        self.0.push_str(text);
        self
    }

    /// Appends an integer in decimal (`{n}`).
    #[inline]
    pub fn num(&mut self, n: impl Integer) -> &mut Msg {
        let (negative, magnitude) = n.split();
        self.decimal(negative, magnitude)
    }

    /// [`Msg::num`] once widened: one copy for every integer type.
    #[inline(never)]
    fn decimal(&mut self, negative: bool, magnitude: u64) -> &mut Msg {
        push_signed(&mut self.0, negative, magnitude);
        self
    }

    /// Appends `text` between double quotes, not escaped (`\"{text}\"`).
    #[inline(never)]
    pub fn quoted(&mut self, text: &str) -> &mut Msg {
        self.0.push('"');
        self.0.push_str(text);
        self.0.push('"');
        self
    }

    /// Appends `text` quoted and escaped (see `push_escaped`): for strings that may hold
    /// anything, so that control, invisible and look-alike characters show as code points.
    #[inline(never)]
    pub fn escaped(&mut self, text: &str) -> &mut Msg {
        push_escaped(&mut self.0, text);
        self
    }

    /// The text so far, to append to in place (for writers of other modules, such as the
    /// instants of `crate::time`, which sits above this module).
    pub(crate) fn buffer(&mut self) -> &mut String {
        &mut self.0
    }

    /// The finished message (the builder is left empty).
    #[must_use]
    #[inline(never)]
    pub fn finish(&mut self) -> String {
        core::mem::take(&mut self.0)
    }
}

/// An integer that [`Msg::num`] and [`push_decimal`] write in decimal.
pub trait Integer {
    /// Whether `self` is negative, and its magnitude.
    fn split(self) -> (bool, u64);
}

impl Integer for u64 {
    fn split(self) -> (bool, u64) {
        (false, self)
    }
}

impl Integer for u32 {
    fn split(self) -> (bool, u64) {
        (false, u64::from(self))
    }
}

impl Integer for u16 {
    fn split(self) -> (bool, u64) {
        (false, u64::from(self))
    }
}

impl Integer for usize {
    fn split(self) -> (bool, u64) {
        // usize is at most 64 bits on every target Rust supports, so this is lossless.
        (false, self as u64)
    }
}

impl Integer for i64 {
    fn split(self) -> (bool, u64) {
        // `unsigned_abs` also covers `i64::MIN`, whose negation does not fit an i64.
        (self < 0, self.unsigned_abs())
    }
}

/// Appends `n` in decimal (`{n}`).
pub(crate) fn push_decimal(out: &mut String, n: impl Integer) {
    let (negative, magnitude) = n.split();
    push_signed(out, negative, magnitude);
}

/// [`push_decimal`] once widened: one copy for every integer type.
fn push_signed(out: &mut String, negative: bool, magnitude: u64) {
    if negative {
        out.push('-');
    }
    push_digits(out, magnitude, 10, 1);
}

/// Appends `n` in decimal, padded with leading zeros to `width` digits (`{n:0width$}`).
pub(crate) fn push_padded(out: &mut String, n: u64, width: usize) {
    push_digits(out, n, 10, width);
}

/// Appends `n` in lowercase hexadecimal, padded with leading zeros to `width` digits
/// (`{n:0width$x}`), e.g. the `00xx` of a `\u00xx` escape.
pub(crate) fn push_hex(out: &mut String, n: u64, width: usize) {
    push_digits(out, n, 16, width);
}

/// Appends `n` in `radix` (10 or 16), with at least `width` digits.
fn push_digits(out: &mut String, mut n: u64, radix: u64, width: usize) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    // 20 digits hold a u64 in decimal (and so in hexadecimal); they fill the buffer from the
    // end, so the last `len` bytes are the number.
    let mut digits = [0u8; 20];
    let mut len = 0;
    for slot in digits.iter_mut().rev() {
        *slot = DIGITS.get((n % radix) as usize).copied().unwrap_or(b'0');
        n /= radix;
        len += 1;
        if n == 0 {
            break;
        }
    }
    for _ in len..width {
        out.push('0');
    }
    let start = digits.len().saturating_sub(len);
    for &digit in digits.get(start..).unwrap_or_default() {
        out.push(char::from(digit));
    }
}

/// Appends `text` between double quotes, escaped so that what reaches a log or a terminal is
/// exactly what was sent: printable ASCII stays as it is (with `\"` and `\\`), `\0`, `\t`, `\r`
/// and `\n` are written as such, and every other character, any non-ASCII one included, as
/// `\u{..}`. For ASCII this is what `{text:?}` writes for a `&str`. Escaping all of non-ASCII
/// (rather than only what Unicode deems invisible, as `Debug` does) needs no Unicode tables,
/// about 3 KB of the wasm, and leaves no look-alike, combining or bidi-reordering character
/// unescaped: a message never renders differently from the bytes that caused it.
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            ' '..='~' => out.push(c),
            _ => {
                out.push_str("\\u{");
                push_hex(out, u64::from(u32::from(c)), 1);
                out.push('}');
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_matches_the_debug_format_of_str_on_ascii() {
        let tricky = [
            "",
            "plain",
            "quote \" backslash \\ apostrophe '",
            "\0\t\r\n\u{7}\u{1b}\u{7f}",
        ];
        for s in tricky {
            let mut out = String::new();
            push_escaped(&mut out, s);
            assert_eq!(out, format!("{s:?}"), "{s:?}");
        }
        // Every ASCII character alone and between letters.
        for c in (0u8..0x80).map(char::from) {
            for s in [format!("{c}"), format!("a{c}b")] {
                let mut out = String::new();
                push_escaped(&mut out, &s);
                assert_eq!(out, format!("{s:?}"));
            }
        }
    }

    #[test]
    fn debug_escapes_every_non_ascii_character_as_its_code_point() {
        let cases = [
            ("caf\u{e9}", r#""caf\u{e9}""#),
            ("\u{1f600}\u{4e2d}", r#""\u{1f600}\u{4e2d}""#),
            // Combining marks, zero-width and bidi controls: the spoofing kinds.
            ("\u{301}e", r#""\u{301}e""#),
            (
                "a\u{200b}b\u{202e}c\u{feff}",
                r#""a\u{200b}b\u{202e}c\u{feff}""#,
            ),
            ("\u{80}\u{a0}\u{10ffff}", r#""\u{80}\u{a0}\u{10ffff}""#),
        ];
        for (s, want) in cases {
            let mut out = String::new();
            push_escaped(&mut out, s);
            assert_eq!(out, want);
        }
        // Whatever the input, the output is printable ASCII.
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            let mut out = String::new();
            push_escaped(&mut out, &format!("a{c}b"));
            assert!(out.bytes().all(|b| (b' '..=b'~').contains(&b)), "{out}");
        }
    }

    #[test]
    fn integers_match_display() {
        let unsigned = [0, 1, 9, 10, 99, 100, 12_345, u64::from(u32::MAX), u64::MAX];
        for n in unsigned {
            let mut out = String::new();
            push_decimal(&mut out, n);
            assert_eq!(out, format!("{n}"));
            let mut padded = String::new();
            push_padded(&mut padded, n, 4);
            assert_eq!(padded, format!("{n:04}"));
            let mut hex = String::new();
            push_hex(&mut hex, n, 4);
            assert_eq!(hex, format!("{n:04x}"));
        }
        for n in [0, -1, 1, -10, 1_795_000_000_000, i64::MIN, i64::MAX] {
            let mut out = String::new();
            push_decimal(&mut out, n);
            assert_eq!(out, format!("{n}"));
        }
        let mut out = String::new();
        push_decimal(&mut out, usize::MAX);
        push_decimal(&mut out, u32::MAX);
        push_decimal(&mut out, u16::MAX);
        assert_eq!(out, format!("{}{}{}", usize::MAX, u32::MAX, u16::MAX));
    }

    #[test]
    fn builds_what_format_writes() {
        let key = "new-checkout";
        let found = "a\"b";
        let msg = Msg::new("flag ")
            .quoted(key)
            .text(" has ")
            .num(3usize)
            .text(", found ")
            .escaped(found)
            .finish();
        assert_eq!(msg, format!("flag \"{key}\" has 3, found {found:?}"));
    }
}
