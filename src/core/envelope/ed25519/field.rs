//! Arithmetic modulo p = 2^255 - 19, in sixteen 16-bit limbs held in `i64`s (the layout of
//! TweetNaCl): products of two limbs and their sums stay far inside 64 bits, so no operation
//! needs 128-bit multiplication, which wasm does not have. Everything here runs on public data
//! (keys, signatures), so nothing needs to be constant-time.

use core::ops::{Add, Mul, Neg, Sub};

/// A field element: limb `i` weighs 2^(16 i). Limbs may be negative or exceed 16 bits between
/// operations; [`Fe::bytes`] gives the one canonical form.
#[derive(Clone, Copy, Debug)]
pub(super) struct Fe(pub(super) [i64; 16]);

impl Fe {
    pub(super) const ZERO: Fe = Fe([0; 16]);
    pub(super) const ONE: Fe = Fe([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

    /// The element of a 32-byte little-endian encoding, its top bit ignored (RFC 8032 §5.1.3:
    /// values from p to 2^255 - 1 are read modulo p; callers that need the canonical encoding
    /// compare [`Fe::bytes`] with the input).
    pub(super) fn from_bytes(bytes: &[u8; 32]) -> Fe {
        let mut out = Fe::ZERO;
        for (limb, pair) in out.0.iter_mut().zip(bytes.chunks_exact(2)) {
            if let [lo, hi] = pair {
                *limb = i64::from(*lo) | i64::from(*hi) << 8;
            }
        }
        if let Some(top) = out.0.last_mut() {
            *top &= 0x7fff;
        }
        out
    }

    /// The canonical 32-byte little-endian encoding (fully reduced below p).
    pub(super) fn bytes(&self) -> [u8; 32] {
        let mut t = *self;
        t.carry();
        t.carry();
        t.carry();
        // Now 0 <= t < 2^256 with every limb in 16 bits; subtract p at most twice.
        for _ in 0..2 {
            let mut m = [0i64; 16];
            let mut borrow = 0;
            for (i, (mi, ti)) in m.iter_mut().zip(t.0).enumerate() {
                let p_limb = match i {
                    0 => 0xffed,
                    15 => 0x7fff,
                    _ => 0xffff,
                };
                let d = ti - p_limb - borrow;
                borrow = (d >> 16) & 1;
                *mi = d & 0xffff;
            }
            // No borrow out of the top limb: t >= p, so t - p is the smaller representative.
            if borrow == 0 {
                t.0 = m;
            }
        }
        let mut out = [0u8; 32];
        for (pair, limb) in out.chunks_exact_mut(2).zip(t.0) {
            // Limbs are in 0..2^16 here: the casts keep exactly their two bytes.
            for (b, shift) in pair.iter_mut().zip([0, 8]) {
                *b = (limb >> shift) as u8;
            }
        }
        out
    }

    /// Whether the element is zero (modulo p).
    pub(super) fn is_zero(&self) -> bool {
        self.bytes() == [0; 32]
    }

    /// The low bit of the canonical encoding: the "sign" of an x-coordinate (RFC 8032).
    pub(super) fn is_negative(&self) -> bool {
        self.bytes()[0] & 1 == 1
    }

    /// Moves each limb's bits above 16 into the next limb; 2^256 = 38 (mod p) carries the top
    /// limb's excess back into limb 0.
    fn carry(&mut self) {
        for i in 0..15 {
            if let Some(limb) = self.0.get_mut(i) {
                // An arithmetic shift: negative limbs borrow from the next one.
                let c = *limb >> 16;
                *limb -= c << 16;
                if let Some(next) = self.0.get_mut(i + 1) {
                    *next += c;
                }
            }
        }
        let c = self.0[15] >> 16;
        self.0[15] -= c << 16;
        self.0[0] += 38 * c;
    }

    /// `self` squared: the products below the diagonal are those above it, so 136 limb
    /// products instead of a multiplication's 256.
    pub(super) fn square(&self) -> Fe {
        let mut t = [0i64; 31];
        for i in 0..16 {
            let a = self.0.get(i).copied().unwrap_or(0);
            if let Some(tk) = t.get_mut(2 * i) {
                *tk += a * a;
            }
            let a2 = 2 * a;
            for j in i + 1..16 {
                if let (Some(tk), Some(b)) = (t.get_mut(i + j), self.0.get(j)) {
                    *tk += a2 * b;
                }
            }
        }
        Fe::fold(&t)
    }

    /// Reduces a 31-limb product: limbs 16.. fold down times 38 (2^256 = 38 mod p).
    #[inline(always)]
    fn fold(t: &[i64; 31]) -> Fe {
        let mut out = Fe::ZERO;
        for i in 0..16 {
            let high = t.get(i + 16).copied().unwrap_or(0);
            if let (Some(o), Some(low)) = (out.0.get_mut(i), t.get(i)) {
                *o = low + 38 * high;
            }
        }
        out.carry();
        out.carry();
        out
    }

    /// `self`^((p - 5) / 8) = `self`^(2^252 - 3), the exponentiation of a square root.
    pub(super) fn pow_p58(&self) -> Fe {
        // 2^252 - 3 in binary: 250 ones, a zero, a one. Square-and-multiply over its bits.
        let mut out = *self;
        for bit in (0..251).rev() {
            out = out.square();
            if bit != 1 {
                out = out * *self;
            }
        }
        out
    }

    /// The multiplicative inverse, `self`^(p - 2) (zero for zero).
    pub(super) fn invert(&self) -> Fe {
        // p - 2 = 2^255 - 21: ones except bits 2 and 4.
        let mut out = *self;
        for bit in (0..254).rev() {
            out = out.square();
            if bit != 2 && bit != 4 {
                out = out * *self;
            }
        }
        out
    }

    /// Whether two elements are equal modulo p.
    pub(super) fn equals(&self, other: &Fe) -> bool {
        self.bytes() == other.bytes()
    }
}

// The operations below index with plain counted loops: the wasm build is optimised for size,
// and at that level iterator adapters (`zip`, `skip`) stay calls per limb, several times slower.

impl Add for Fe {
    type Output = Fe;
    #[inline(always)]
    fn add(mut self, rhs: Fe) -> Fe {
        for i in 0..16 {
            if let (Some(a), Some(b)) = (self.0.get_mut(i), rhs.0.get(i)) {
                *a += b;
            }
        }
        self
    }
}

impl Sub for Fe {
    type Output = Fe;
    #[inline(always)]
    fn sub(mut self, rhs: Fe) -> Fe {
        for i in 0..16 {
            if let (Some(a), Some(b)) = (self.0.get_mut(i), rhs.0.get(i)) {
                *a -= b;
            }
        }
        self
    }
}

impl Neg for Fe {
    type Output = Fe;
    fn neg(self) -> Fe {
        Fe::ZERO - self
    }
}

impl Mul for Fe {
    type Output = Fe;
    fn mul(self, rhs: Fe) -> Fe {
        // Schoolbook product into 31 limbs.
        let mut t = [0i64; 31];
        for i in 0..16 {
            let a = self.0.get(i).copied().unwrap_or(0);
            for j in 0..16 {
                if let (Some(tk), Some(b)) = (t.get_mut(i + j), rhs.0.get(j)) {
                    *tk += a * b;
                }
            }
        }
        Fe::fold(&t)
    }
}
