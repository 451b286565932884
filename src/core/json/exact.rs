//! Exact decimal text of a binary float. Every finite `f64` is `m * 2^e`, whose decimal
//! expansion is finite; written out in full, any correct parser (`JSON.parse` included) reads
//! back the very same `f64`. The wasm bindings write floats this way: the shortest
//! round-trip digits (what `JSON.stringify` prints) need core's float formatting, about 10 KiB
//! of gzipped wasm, for text that is parsed again at once.

use alloc::string::String;
use alloc::vec::Vec;

/// Appends the exact decimal expansion of `f` (`null` for NaN and the infinities, as
/// `JSON.stringify` writes them).
pub(crate) fn write_exact(f: f64, out: &mut String) {
    if !f.is_finite() {
        out.push_str("null");
        return;
    }
    if f == 0.0 {
        out.push('0');
        return;
    }
    if f.is_sign_negative() {
        out.push('-');
    }
    let bits = f.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    let (mut m, mut e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    // m is not 0 (f is not), so this strips at most 63 bits.
    let tz = m.trailing_zeros();
    m >>= tz;
    e += tz as i32;
    let mut n = Big::from(m);
    // The value is n / 10^point.
    let point = if e >= 0 {
        n.shl(e.unsigned_abs());
        0
    } else {
        // m * 2^-k = m * 5^k / 10^k.
        let k = e.unsigned_abs();
        for _ in 0..k / 13 {
            n.mul(1_220_703_125); // 5^13, the largest power of 5 in a u32
        }
        n.mul(5u32.pow(k % 13));
        k as usize
    };
    let digits = n.decimal();
    match digits.len().checked_sub(point) {
        Some(int_len) if int_len > 0 => {
            let (int, frac) = digits.split_at(int_len);
            push_digits(int, out);
            if !frac.is_empty() {
                out.push('.');
                push_digits(frac, out);
            }
        }
        _ => {
            out.push_str("0.");
            for _ in digits.len()..point {
                out.push('0');
            }
            push_digits(&digits, out);
        }
    }
}

fn push_digits(digits: &[u8], out: &mut String) {
    for d in digits {
        out.push(char::from(b'0' + d));
    }
}

/// An unsigned big integer, little-endian base-2^32 limbs.
struct Big(Vec<u32>);

impl From<u64> for Big {
    fn from(v: u64) -> Self {
        Big(alloc::vec![v as u32, (v >> 32) as u32])
    }
}

impl Big {
    /// `self *= x`.
    fn mul(&mut self, x: u32) {
        let mut carry = 0u64;
        for limb in self.0.iter_mut() {
            let p = u64::from(*limb) * u64::from(x) + carry;
            *limb = p as u32;
            carry = p >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    /// `self <<= bits`.
    fn shl(&mut self, bits: u32) {
        let limbs = (bits / 32) as usize;
        self.0.splice(0..0, core::iter::repeat_n(0, limbs));
        self.mul(1 << (bits % 32));
    }

    /// The decimal digits (0..=9), most significant first.
    fn decimal(mut self) -> Vec<u8> {
        let mut digits = Vec::new();
        while self.0.iter().any(|l| *l != 0) {
            // Divide by 10^9, keeping the remainder: nine digits at a time.
            let mut rem = 0u64;
            for limb in self.0.iter_mut().rev() {
                let cur = (rem << 32) | u64::from(*limb);
                *limb = (cur / 1_000_000_000) as u32;
                rem = cur % 1_000_000_000;
            }
            for _ in 0..9 {
                digits.push((rem % 10) as u8);
                rem /= 10;
            }
            while self.0.last() == Some(&0) {
                self.0.pop();
            }
        }
        while digits.len() > 1 && digits.last() == Some(&0) {
            digits.pop();
        }
        digits.reverse();
        digits
    }
}

#[cfg(test)]
mod tests {
    use super::write_exact;
    use alloc::string::String;

    fn exact(f: f64) -> String {
        let mut s = String::new();
        write_exact(f, &mut s);
        s
    }

    #[test]
    fn small_cases_are_exact() {
        assert_eq!(exact(0.5), "0.5");
        assert_eq!(exact(-2.25), "-2.25");
        assert_eq!(exact(1.0), "1");
        assert_eq!(exact(1024.0), "1024");
        assert_eq!(exact(0.0), "0");
        assert_eq!(exact(-0.0), "0");
        assert_eq!(exact(f64::NAN), "null");
        assert_eq!(
            exact(0.1),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        assert_eq!(exact(2f64.powi(70)), "1180591620717411303424");
        assert_eq!(exact(2f64.powi(-3)), "0.125");
    }

    #[test]
    fn reads_back_as_the_same_float() {
        // A deterministic spread over every exponent, subnormals and extremes included.
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let check = |f: f64| {
            if f.is_finite() {
                let text = exact(f);
                assert_eq!(text.parse::<f64>().ok(), Some(f), "{text}");
            }
        };
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            check(f64::from_bits(x));
        }
        for f in [
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            1e-300,
            123.456,
            1e21,
            1e22,
        ] {
            check(f);
        }
    }
}
