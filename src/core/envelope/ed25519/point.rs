//! Points of edwards25519 (-x^2 + y^2 = 1 + d x^2 y^2) in extended coordinates
//! (X : Y : Z : T) with x = X/Z, y = Y/Z, x y = T/Z, and their 32-byte encoding (RFC 8032
//! §5.1.2 and §5.1.3).

use super::field::Fe;
use super::scalar::bit;

/// d = -121665 / 121666.
pub(super) const D: Fe = Fe([
    0x78a3, 0x1359, 0x4dca, 0x75eb, 0xd8ab, 0x4141, 0x0a4d, 0x0070, 0xe898, 0x7779, 0x4079, 0x8cc7,
    0xfe73, 0x2b6f, 0x6cee, 0x5203,
]);
/// A square root of -1: 2^((p - 1) / 4).
pub(super) const SQRT_M1: Fe = Fe([
    0xa0b0, 0x4a0e, 0x1b27, 0xc4ee, 0xe478, 0xad2f, 0x1806, 0x2f43, 0xd7a7, 0x3dfb, 0x0099, 0x2b4d,
    0xdf0b, 0x4fc1, 0x2480, 0x2b83,
]);
/// The x-coordinate of the base point B (its y is 4/5).
const BASE_X: Fe = Fe([
    0xd51a, 0x8f25, 0x2d60, 0xc956, 0xa7b2, 0x9525, 0xc760, 0x692c, 0xdc5c, 0xfdd6, 0xe231, 0xc0a4,
    0x53fe, 0xcd6e, 0x36d3, 0x2169,
]);
const BASE_Y: Fe = Fe([
    0x6658, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666, 0x6666,
    0x6666, 0x6666, 0x6666, 0x6666,
]);

/// A point in extended coordinates.
#[derive(Clone, Copy, Debug)]
pub(super) struct Point {
    x: Fe,
    y: Fe,
    z: Fe,
    t: Fe,
}

impl Point {
    /// The neutral element (0, 1).
    pub(super) const IDENTITY: Point = Point {
        x: Fe::ZERO,
        y: Fe::ONE,
        z: Fe::ONE,
        t: Fe::ZERO,
    };

    /// The base point B.
    pub(super) fn base() -> Point {
        Point::affine(BASE_X, BASE_Y)
    }

    fn affine(x: Fe, y: Fe) -> Point {
        Point {
            x,
            y,
            z: Fe::ONE,
            t: x * y,
        }
    }

    /// Decodes a 32-byte encoding, reading y modulo p and accepting x = 0 with the sign bit
    /// set (as curve25519-dalek's decompression does); `None` when no x fits y. Callers that
    /// need the canonical encoding compare [`Point::encode`] with the input.
    pub(super) fn decode(bytes: &[u8; 32]) -> Option<Point> {
        let y = Fe::from_bytes(bytes);
        let sign = bytes[31] >> 7 == 1;
        let yy = y.square();
        let u = yy - Fe::ONE;
        let v = D * yy + Fe::ONE;
        // x = u v^3 (u v^7)^((p - 5) / 8), a square root of u / v if there is one (§5.1.3).
        let v3 = v.square() * v;
        let mut x = u * v3 * (u * v3.square() * v).pow_p58();
        let vxx = v * x.square();
        if !vxx.equals(&u) {
            if !vxx.equals(&-u) {
                return None;
            }
            x = x * SQRT_M1;
        }
        if x.is_negative() != sign {
            x = -x;
        }
        Some(Point::affine(x, y))
    }

    /// The 32-byte encoding: y, with the sign of x in the top bit.
    pub(super) fn encode(&self) -> [u8; 32] {
        let zi = self.z.invert();
        let mut out = (self.y * zi).bytes();
        if (self.x * zi).is_negative() {
            if let Some(top) = out.last_mut() {
                *top |= 0x80;
            }
        }
        out
    }

    /// `-self`.
    pub(super) fn negate(&self) -> Point {
        Point {
            x: -self.x,
            t: -self.t,
            ..*self
        }
    }

    /// `self + other`, by the complete addition formula for a = -1 ("add-2008-hwcd-3").
    pub(super) fn add(&self, other: &Point) -> Point {
        let a = (self.y - self.x) * (other.y - other.x);
        let b = (self.y + self.x) * (other.y + other.x);
        let c = self.t * other.t * (D + D);
        let d = self.z * other.z;
        let d = d + d;
        let (e, f, g, h) = (b - a, d - c, d + c, b + a);
        Point {
            x: e * f,
            y: h * g,
            z: g * f,
            t: e * h,
        }
    }

    /// `self + self` ("dbl-2008-hwcd" for a = -1): four squarings and four multiplications
    /// where the addition formula takes nine multiplications.
    pub(super) fn double(&self) -> Point {
        let a = self.x.square();
        let b = self.y.square();
        let zz = self.z.square();
        let c = zz + zz;
        let e = (self.x + self.y).square() - a - b;
        let g = b - a;
        let f = g - c;
        let h = -(a + b);
        Point {
            x: e * f,
            y: g * h,
            z: f * g,
            t: e * h,
        }
    }

    /// Whether the point has small order (it is in the torsion subgroup of order 8): then
    /// eight times it is the identity, the only point with x = 0 and order dividing 8.
    pub(super) fn has_small_order(&self) -> bool {
        let mut p = *self;
        for _ in 0..3 {
            p = p.double();
        }
        p.x.is_zero()
    }

    /// `[a]self + [b]B` for 256-bit little-endian scalars, double-and-add over both at once
    /// (Straus): variable time, for public inputs only.
    pub(super) fn mul_add_base(&self, a: &[u8; 32], b: &[u8; 32]) -> Point {
        let base = Point::base();
        let both = self.add(&base);
        let mut acc = Point::IDENTITY;
        for i in (0..256).rev() {
            acc = acc.double();
            let term = match (bit(a, i), bit(b, i)) {
                (true, true) => &both,
                (true, false) => self,
                (false, true) => &base,
                (false, false) => continue,
            };
            acc = acc.add(term);
        }
        acc
    }
}
