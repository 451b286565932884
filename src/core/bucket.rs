//! Consistent bucketing (FORMAT.md §4): the same unit lands in the same bucket on every
//! platform, and a bucket never moves when weights or percentages change.

use crate::json::Value;
use alloc::vec;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Number of buckets: weights and percentages are in thousandths of a percent.
pub const BUCKETS: u32 = 100_000;

/// The bucket (`0 <= bucket < 100000`) of `value` under `salt`:
/// `(xxh3_64(salt + "." + value) * 100000) >> 64`.
///
/// Backends use this to reproduce assignments, e.g. to join exposures with analytics.
///
/// ```
/// assert!(edgeflag::bucket("new-checkout", "user-1") < 100_000);
/// assert_eq!(edgeflag::bucket("s", "u"), edgeflag::bucket("s", "u"));
/// ```
pub fn bucket(salt: &str, value: &str) -> u32 {
    // Most salts and units are short: hash them from one small stack buffer, and copy only
    // the rare long ones to the heap (the streaming hasher would avoid the copy but adds
    // ~1 KB to the wasm). Seed 0 is xxh3_64's own definition; the seeded function is the one
    // the snapshot's tables link anyway.
    const SHORT: usize = 64;
    const INLINE: usize = 192;
    let total = salt.len() + 1 + value.len();
    let h = if total <= SHORT {
        let mut buf = [0u8; SHORT];
        xxh3_64_with_seed(join(&mut buf, salt, value), 0)
    } else if total <= INLINE {
        let mut buf = [0u8; INLINE];
        xxh3_64_with_seed(join(&mut buf, salt, value), 0)
    } else {
        let mut buf = vec![0u8; total];
        xxh3_64_with_seed(join(&mut buf, salt, value), 0)
    };
    scale(h)
}

/// The decimal digits of `n` (no leading zeros; "0" for 0), written into the end of `buf`.
pub(crate) fn decimal_digits(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        if let Some(d) = buf.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    buf.get(at..).unwrap_or_default()
}

/// Maps a 64-bit hash onto `0..BUCKETS` without modulo bias: `(h * BUCKETS) >> 64`.
///
/// Computed in two 32-bit halves, because wasm has no 64x64->128 multiply (u128 arithmetic is
/// a library call there): with `h = hi * 2^32 + lo`, `(hi*B + (lo*B >> 32)) >> 32` is exact,
/// as the low 32 bits dropped early cannot carry into bit 64 (both products fit 49 bits).
fn scale(h: u64) -> u32 {
    let b = u64::from(BUCKETS);
    let (hi, lo) = (h >> 32, h & 0xffff_ffff);
    // `hi * b + ...` < 2^50 and the result is below BUCKETS: neither step can overflow.
    ((hi * b + ((lo * b) >> 32)) >> 32) as u32
}

/// Writes `salt.value` into `buf` (the caller guarantees it fits) and returns the used part.
fn join<'b>(buf: &'b mut [u8], salt: &str, value: &str) -> &'b [u8] {
    let (s, v) = (salt.len(), value.len());
    if let Some(dst) = buf.get_mut(..s) {
        dst.copy_from_slice(salt.as_bytes());
    }
    if let Some(dot) = buf.get_mut(s) {
        *dot = b'.';
    }
    if let Some(dst) = buf.get_mut(s + 1..s + 1 + v) {
        dst.copy_from_slice(value.as_bytes());
    }
    buf.get(..s + 1 + v).unwrap_or_default()
}

/// A unit rendered as text: strings as they are, safe integers in plain decimal.
pub(crate) struct UnitText {
    buf: [u8; 21],
    len: u8,
}

impl UnitText {
    pub(crate) fn new() -> Self {
        UnitText {
            buf: [0; 21],
            len: 0,
        }
    }

    /// The unit string of a context value (FORMAT.md §4): a string, or an integer number
    /// (|n| <= 2^53 - 1) in plain decimal; any other type counts as missing.
    pub(crate) fn of<'v>(&'v mut self, value: &'v Value) -> Option<&'v str> {
        match value {
            Value::String(s) => Some(s),
            Value::Number(n) => {
                let i = n.as_safe_integer()?;
                Some(self.decimal(i))
            }
            _ => None,
        }
    }

    /// Whether `value` is a unit (what [`UnitText::of`] renders), without rendering it.
    pub(crate) fn is_unit(value: &Value) -> bool {
        match value {
            Value::String(_) => true,
            Value::Number(n) => n.as_safe_integer().is_some(),
            _ => false,
        }
    }

    fn decimal(&mut self, i: i64) -> &str {
        let mut buf = [0u8; 20];
        let digits = decimal_digits(i.unsigned_abs(), &mut buf);
        let mut len = 0;
        if i < 0 {
            if let Some(b) = self.buf.get_mut(0) {
                *b = b'-';
            }
            len = 1;
        }
        for d in digits {
            if let Some(b) = self.buf.get_mut(len) {
                *b = *d;
            }
            len += 1;
        }
        self.len = len as u8;
        let bytes = self.buf.get(..len).unwrap_or_default();
        core::str::from_utf8(bytes).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Number;

    #[test]
    fn buckets_are_in_range_and_stable() {
        for i in 0..1000 {
            let mut t = UnitText::new();
            let v = Value::Number(Number::from_i64(i));
            let unit = t.of(&v).unwrap_or("");
            let b = bucket("salt", unit);
            assert!(b < BUCKETS);
            assert_eq!(b, bucket("salt", unit));
        }
    }

    #[test]
    fn scale_is_the_high_word_of_the_128_bit_product() {
        let wide = |h: u64| ((u128::from(h) * u128::from(BUCKETS)) >> 64) as u32;
        let mut h: u64 = 1;
        for _ in 0..1_000_000 {
            h = h
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            assert_eq!(scale(h), wide(h), "{h}");
        }
        // The edges: every power of two, its neighbours, and the words' boundaries.
        for bit in 0..64 {
            let p = 1u64 << bit;
            for h in [p - 1, p, p + 1, u64::MAX - p, u64::MAX ^ p] {
                assert_eq!(scale(h), wide(h), "{h}");
            }
        }
        assert_eq!(scale(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn every_path_hashes_salt_dot_value_with_xxh3_64() {
        // The stack buffers, the heap copy and their edges.
        for len in [0, 1, 61, 62, 63, 64, 189, 190, 191, 192, 500, 5000] {
            let long = "x".repeat(len);
            let mut joined = alloc::string::String::from("s.");
            joined.push_str(&long);
            let want = xxhash_rust::xxh3::xxh3_64(joined.as_bytes());
            assert_eq!(bucket("s", &long), scale(want), "{len}");
        }
    }

    #[test]
    fn integers_are_plain_decimal_whatever_their_representation() {
        let cases = [
            (Value::Number(Number::from_i64(42)), Some("42")),
            (Value::Number(Number::from_f64(42.0)), Some("42")),
            (Value::Number(Number::from_i64(-7)), Some("-7")),
            (Value::Number(Number::from_f64(-0.0)), Some("0")),
            (Value::Number(Number::from_f64(0.5)), None),
            (Value::Number(Number::from_u64(u64::MAX)), None),
            (
                Value::Number(Number::from_f64(9_007_199_254_740_991.0)),
                Some("9007199254740991"),
            ),
            (Value::Bool(true), None),
            (Value::String("u-1".into()), Some("u-1")),
        ];
        for (v, want) in cases {
            let mut t = UnitText::new();
            assert_eq!(t.of(&v), want, "{v:?}");
        }
    }
}
