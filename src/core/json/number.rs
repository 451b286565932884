//! JSON numbers: exact for 64-bit integers, `f64` otherwise.

/// A JSON number. Integers that fit `u64`/`i64` stay exact (a snapshot `version` is a u64);
/// everything else is an `f64`.
#[derive(Clone, Copy, Debug)]
pub struct Number(Repr);

#[derive(Clone, Copy, Debug)]
enum Repr {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

/// 2^53 - 1: the largest integer every platform (and JavaScript) represents exactly.
pub(crate) const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

impl Number {
    /// A number from an `f64` (kept as a float).
    pub fn from_f64(f: f64) -> Self {
        Number(Repr::Float(f))
    }

    /// A number from a signed integer.
    pub fn from_i64(i: i64) -> Self {
        match u64::try_from(i) {
            Ok(u) => Number(Repr::Unsigned(u)),
            Err(_) => Number(Repr::Signed(i)),
        }
    }

    /// A number from an unsigned integer.
    pub fn from_u64(u: u64) -> Self {
        Number(Repr::Unsigned(u))
    }

    /// The value as `f64` (rounded for integers beyond 2^53).
    pub fn as_f64(&self) -> f64 {
        match self.0 {
            Repr::Unsigned(u) => u as f64,
            Repr::Signed(i) => i as f64,
            Repr::Float(f) => f,
        }
    }

    /// The value as `u64`, if it is a non-negative integer that fits exactly.
    pub fn as_u64(&self) -> Option<u64> {
        match self.0 {
            Repr::Unsigned(u) => Some(u),
            Repr::Signed(_) => None,
            Repr::Float(f) if (0.0..=MAX_SAFE_INTEGER).contains(&f) && f == (f as u64) as f64 => {
                Some(f as u64)
            }
            Repr::Float(_) => None,
        }
    }

    /// The value as `i64`, if it is an integer that fits exactly.
    pub fn as_i64(&self) -> Option<i64> {
        match self.0 {
            Repr::Unsigned(u) => i64::try_from(u).ok(),
            Repr::Signed(i) => Some(i),
            Repr::Float(f) if f.abs() <= MAX_SAFE_INTEGER && f == (f as i64) as f64 => {
                Some(f as i64)
            }
            Repr::Float(_) => None,
        }
    }

    /// The integer this number denotes when it is a *safe* integer (|n| <= 2^53 - 1), whatever
    /// its representation. This is the rule bucketing and unit matching use, so that `42`,
    /// `42.0` and a JavaScript `42` are the same unit on every platform.
    pub fn as_safe_integer(&self) -> Option<i64> {
        let i = self.as_i64()?;
        if (i as f64).abs() <= MAX_SAFE_INTEGER {
            Some(i)
        } else {
            None
        }
    }

    /// Whether this was written (or built) as an integer rather than a float.
    pub fn is_integer_repr(&self) -> bool {
        !matches!(self.0, Repr::Float(_))
    }
}

impl PartialEq for Number {
    /// Numbers compare by value: `1`, `1.0` and `1e0` are equal.
    fn eq(&self, other: &Self) -> bool {
        match (self.0, other.0) {
            (Repr::Unsigned(a), Repr::Unsigned(b)) => a == b,
            (Repr::Signed(a), Repr::Signed(b)) => a == b,
            _ => self.as_f64() == other.as_f64(),
        }
    }
}
