//! Scalars modulo the group order L = 2^252 + 27742317777372353535851937790883648493, as
//! 32-byte little-endian numbers.

/// L in 64-bit little-endian limbs.
const L: [u64; 4] = [
    0x5812_631a_5cf5_d3ed,
    0x14de_f9de_a2f7_9cd6,
    0,
    0x1000_0000_0000_0000,
];

/// Whether `s` is below L: the canonical `S` half of a signature (RFC 8032 §5.1.7 step 1).
pub(super) fn is_canonical(s: &[u8; 32]) -> bool {
    less_than_l(&limbs(s))
}

/// `digest` (a 64-byte little-endian number, a SHA-512 output) reduced modulo L.
pub(super) fn reduce(digest: &[u8; 64]) -> [u8; 32] {
    // Long division one bit at a time, most significant first: the remainder stays below L,
    // so doubling it plus one bit never leaves 254 bits. Slow (512 steps) but tiny and plainly
    // right, and it runs once per signature check.
    let mut r = [0u64; 4];
    for i in (0..512).rev() {
        let mut carry = u64::from(bit(digest, i));
        for limb in r.iter_mut() {
            let next = *limb >> 63;
            *limb = *limb << 1 | carry;
            carry = next;
        }
        if !less_than_l(&r) {
            let mut borrow = false;
            for (limb, l) in r.iter_mut().zip(L) {
                let (d, b1) = limb.overflowing_sub(l);
                let (d, b2) = d.overflowing_sub(u64::from(borrow));
                *limb = d;
                borrow = b1 || b2;
            }
        }
    }
    let mut out = [0u8; 32];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(r) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

/// Bit `i` (0 = least significant) of a little-endian number.
pub(super) fn bit(bytes: &[u8], i: usize) -> bool {
    bytes.get(i / 8).is_some_and(|b| b >> (i % 8) & 1 == 1)
}

fn limbs(bytes: &[u8; 32]) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (limb, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut le = [0u8; 8];
        le.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(le);
    }
    out
}

fn less_than_l(x: &[u64; 4]) -> bool {
    // Compare from the most significant limb down.
    for (a, l) in x.iter().rev().zip(L.iter().rev()) {
        if a != l {
            return a < l;
        }
    }
    false
}
