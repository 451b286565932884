//! Vendor bucketing (FORMAT.md §7): the hashes Unleash, GrowthBook and flagd assign units
//! with, so a flag imported from them keeps every unit in the bucket it had. edgeflag's own
//! hash (§4, [`crate::bucket`]) stays the default.
//!
//! ```
//! use edgeflag::bucketing::Bucketing;
//!
//! // Unleash's gradual rollout: normalizedValue("123", "gr1") = 1 + murmur3("gr1:123") % 100.
//! let unleash = Bucketing::Murmur3 { seed: 0, buckets: 100 };
//! assert!(unleash.bucket("gr1", "123") < 100);
//! // GrowthBook's hash("seed", "a", 2) = 0.0505.
//! assert_eq!(Bucketing::Fnv1aV2.bucket("seed", "a"), 505);
//! ```

use crate::bucket::{bucket as xxh3_bucket, BUCKETS};

/// How a rollout or an `inBucket` condition turns (salt, unit) into a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bucketing {
    /// edgeflag's own (FORMAT.md §4): `(xxh3_64(salt + "." + unit) * 100000) >> 64`.
    Xxh3,
    /// Unleash: `murmur3_x86_32(utf8(salt + ":" + unit), seed) % buckets`.
    Murmur3 {
        /// The hash seed: 0 for gradual rollouts, 86028157 for variants.
        seed: u32,
        /// The bucket count: 100 for gradual rollouts, the total weight for variants.
        buckets: u32,
    },
    /// GrowthBook hashVersion 1: `fnv1a32(utf16(unit + salt)) % 1000`.
    Fnv1aV1,
    /// GrowthBook hashVersion 2: `fnv1a32(utf16(decimal(fnv1a32(utf16(salt + unit))))) % 10000`.
    Fnv1aV2,
    /// flagd's `fractional`: `(murmur3_x86_32(utf8(salt + unit), 0) * buckets) >> 32`.
    Fractional {
        /// The bucket count: the sum of the fractional weights.
        buckets: u32,
    },
}

/// GrowthBook's hashVersion 1 bucket count.
pub const FNV1A_V1_BUCKETS: u32 = 1000;
/// GrowthBook's hashVersion 2 bucket count.
pub const FNV1A_V2_BUCKETS: u32 = 10_000;
/// Unleash's seed for variant assignment (its `normalizedVariantValue`).
pub const UNLEASH_VARIANT_SEED: u32 = 86_028_157;

impl Bucketing {
    /// The number of buckets: weights of a rollout under this bucketing sum to it.
    pub fn buckets(&self) -> u32 {
        match *self {
            Bucketing::Xxh3 => BUCKETS,
            Bucketing::Murmur3 { buckets, .. } | Bucketing::Fractional { buckets } => buckets,
            Bucketing::Fnv1aV1 => FNV1A_V1_BUCKETS,
            Bucketing::Fnv1aV2 => FNV1A_V2_BUCKETS,
        }
    }

    /// The bucket (`0 <= bucket < self.buckets()`) of `unit` under `salt`. A bucket count of
    /// zero (which a snapshot cannot declare) yields bucket 0.
    #[inline]
    pub fn bucket(&self, salt: &str, unit: &str) -> u32 {
        match *self {
            Bucketing::Xxh3 => xxh3_bucket(salt, unit),
            Bucketing::Murmur3 { seed, buckets } => murmur3_joined(salt, b":", unit, seed)
                .checked_rem(buckets)
                .unwrap_or(0),
            Bucketing::Fnv1aV1 => fnv1a32_utf16_parts(&[unit, salt])
                .checked_rem(FNV1A_V1_BUCKETS)
                .unwrap_or(0),
            Bucketing::Fnv1aV2 => growthbook_v2(salt, unit),
            Bucketing::Fractional { buckets } => {
                let h = murmur3_joined(salt, b"", unit, 0);
                // h * buckets < 2^64, so the high word is below `buckets`.
                ((u64::from(h) * u64::from(buckets)) >> 32) as u32
            }
        }
    }
}

/// What a rollout can compute from its salt once, at load: the FNV state after the salt for
/// GrowthBook's hashVersion 2 (0, unused, for the others).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SaltState(u32);

impl Bucketing {
    /// The salt's share of the work, done once.
    pub(crate) fn prepare(&self, salt: &str) -> SaltState {
        SaltState(match self {
            Bucketing::Fnv1aV2 => fnv1a32_utf16_parts(&[salt]),
            _ => 0,
        })
    }

    /// [`bucket`](Self::bucket) with the salt's state from [`prepare`](Self::prepare).
    #[inline]
    pub(crate) fn bucket_prepared(&self, salt: &str, state: SaltState, unit: &str) -> u32 {
        match self {
            Bucketing::Fnv1aV2 => growthbook_v2_after(state.0, unit),
            _ => self.bucket(salt, unit),
        }
    }
}

/// MurmurHash3 x86_32 of `bytes` (Austin Appleby's reference `MurmurHash3_x86_32`).
///
/// ```
/// assert_eq!(edgeflag::bucketing::murmur3_x86_32(b"hello", 0), 0x248b_fa47);
/// ```
pub fn murmur3_x86_32(bytes: &[u8], seed: u32) -> u32 {
    mur3::murmurhash3_x86_32(bytes, seed)
}

/// FNV-1a 32 over the UTF-16 code units of `text`, as GrowthBook's JavaScript computes it:
/// from 2166136261, each code unit is XORed in, then the state multiplied by 16777619 mod 2^32.
///
/// ```
/// assert_eq!(edgeflag::bucketing::fnv1a32_utf16(""), 2_166_136_261);
/// ```
pub fn fnv1a32_utf16(text: &str) -> u32 {
    fnv1a32_utf16_parts(&[text])
}

/// GrowthBook's `hash(seed, value, version)` as an integer bucket: `n * 1000` for version 1,
/// `n * 10000` for version 2, `None` for any other version (GrowthBook returns `null`).
///
/// ```
/// assert_eq!(edgeflag::bucketing::growthbook_hash("", "a", 1), Some(220)); // 0.22
/// ```
pub fn growthbook_hash(seed: &str, value: &str, version: u32) -> Option<u32> {
    match version {
        1 => Some(Bucketing::Fnv1aV1.bucket(seed, value)),
        2 => Some(Bucketing::Fnv1aV2.bucket(seed, value)),
        _ => None,
    }
}

/// Unleash's `normalizedValue(id, groupId, normalizer, seed)`:
/// `murmur3_x86_32(utf8(groupId + ":" + id), seed) % normalizer + 1`, in `1..=normalizer`
/// (0 when `normalizer` is 0). A gradual rollout of `p` percent enables the unit when this is
/// at most `p`, i.e. when its bucket (this minus one) is below `p`.
pub fn unleash_normalized_value(id: &str, group_id: &str, normalizer: u32, seed: u32) -> u32 {
    match normalizer {
        0 => 0,
        n => Bucketing::Murmur3 { seed, buckets: n }.bucket(group_id, id) + 1,
    }
}

const FNV_OFFSET: u32 = 2_166_136_261;
const FNV_PRIME: u32 = 16_777_619;

fn fnv1a32_utf16_parts(parts: &[&str]) -> u32 {
    fnv1a32_utf16_extend(FNV_OFFSET, parts)
}

/// FNV-1a over the UTF-16 code units of `parts`, continuing from state `h`.
fn fnv1a32_utf16_extend(mut h: u32, parts: &[&str]) -> u32 {
    for part in parts {
        // An ASCII byte is its own UTF-16 code unit: hash bytes until the first non-ASCII
        // one (a char boundary, as every byte before it is ASCII), and only the rest through
        // the UTF-16 encoder, which costs several times more per character.
        let bytes = part.as_bytes();
        let ascii = bytes
            .iter()
            .position(|b| !b.is_ascii())
            .unwrap_or(bytes.len());
        for b in bytes.get(..ascii).unwrap_or_default() {
            h = (h ^ u32::from(*b)).wrapping_mul(FNV_PRIME);
        }
        for unit in part.get(ascii..).unwrap_or_default().encode_utf16() {
            h = (h ^ u32::from(unit)).wrapping_mul(FNV_PRIME);
        }
    }
    h
}

/// hashVersion 2: the decimal digits of the first hash are ASCII, so their UTF-16 code units
/// are their bytes; they are hashed from a stack buffer.
fn growthbook_v2(salt: &str, unit: &str) -> u32 {
    growthbook_v2_after(fnv1a32_utf16_parts(&[salt]), unit)
}

/// hashVersion 2 from the state after the salt (the salt comes first, so a rollout hashes its
/// salt once, when the snapshot loads).
fn growthbook_v2_after(salt_state: u32, unit: &str) -> u32 {
    let first = fnv1a32_utf16_extend(salt_state, &[unit]);
    let mut buf = [0u8; 20];
    let mut h = FNV_OFFSET;
    for d in crate::bucket::decimal_digits(u64::from(first), &mut buf) {
        h = (h ^ u32::from(*d)).wrapping_mul(FNV_PRIME);
    }
    h % FNV1A_V2_BUCKETS
}

/// MurmurHash3 x86_32 of `salt + sep + unit` without allocating, through the streaming
/// hasher only: joining short inputs on the stack for the one-shot hash as well put a second
/// copy of the hash into the wasm for little speed.
fn murmur3_joined(salt: &str, sep: &[u8], unit: &str, seed: u32) -> u32 {
    // One hasher for both paths (a second, one-shot copy of MurmurHash3 cost 173 bytes of
    // wasm), but short inputs joined on the stack and written at once: each `write` pays the
    // hasher's buffering, and three writes per unit made vendor rollouts 1.25x xxh3's cost.
    const SHORT: usize = 64;
    let mut h = mur3::Hasher32::with_seed(seed);
    let parts = [salt.as_bytes(), sep, unit.as_bytes()];
    let total = salt.len() + sep.len() + unit.len();
    if total <= SHORT {
        let mut buf = [0u8; SHORT];
        let mut at = 0;
        for part in parts {
            if let Some(dst) = buf.get_mut(at..at + part.len()) {
                dst.copy_from_slice(part);
            }
            at += part.len();
        }
        core::hash::Hasher::write(&mut h, buf.get(..total).unwrap_or_default());
    } else {
        for part in parts {
            core::hash::Hasher::write(&mut h, part);
        }
    }
    h.finish32()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prepared_salt_gives_the_same_buckets() {
        let kinds = [
            Bucketing::Xxh3,
            Bucketing::Murmur3 {
                seed: 3,
                buckets: 97,
            },
            Bucketing::Fnv1aV1,
            Bucketing::Fnv1aV2,
            Bucketing::Fractional { buckets: 7 },
        ];
        for b in kinds {
            for salt in ["", "exp-1", "sälzchen 🧂"] {
                let state = b.prepare(salt);
                for unit in ["", "u", "user-12345", "ünït 🙂"] {
                    assert_eq!(b.bucket_prepared(salt, state, unit), b.bucket(salt, unit));
                }
            }
        }
    }

    #[test]
    fn the_streaming_hash_of_the_parts_is_the_hash_of_the_joined_text() {
        for len in [0usize, 1, 3, 4, 5, 60, 61, 62, 63, 64, 65, 200] {
            let unit = "u".repeat(len);
            let mut joined = alloc::string::String::from("s:");
            joined.push_str(&unit);
            assert_eq!(
                murmur3_joined("s", b":", &unit, 7),
                murmur3_x86_32(joined.as_bytes(), 7),
                "{len}"
            );
        }
    }

    #[test]
    fn every_bucket_is_below_the_count() {
        let kinds = [
            Bucketing::Xxh3,
            Bucketing::Murmur3 {
                seed: 0,
                buckets: 100,
            },
            Bucketing::Murmur3 {
                seed: 1,
                buckets: 1,
            },
            Bucketing::Fnv1aV1,
            Bucketing::Fnv1aV2,
            Bucketing::Fractional { buckets: 7 },
            Bucketing::Fractional { buckets: u32::MAX },
        ];
        for k in kinds {
            for i in 0..2000 {
                let unit = alloc::format!("user-{i}");
                assert!(k.bucket("salt", &unit) < k.buckets(), "{k:?} {unit}");
            }
        }
        assert_eq!(
            Bucketing::Murmur3 {
                seed: 0,
                buckets: 0
            }
            .bucket("a", "b"),
            0
        );
        assert_eq!(Bucketing::Fractional { buckets: 0 }.bucket("a", "b"), 0);
    }

    #[test]
    fn fnv_hashes_utf16_code_units_not_bytes() {
        // U+00E9 is one code unit (0xE9) but two UTF-8 bytes; U+1F600 is a surrogate pair.
        let by_hand = |units: &[u16]| {
            units.iter().fold(FNV_OFFSET, |h, u| {
                (h ^ u32::from(*u)).wrapping_mul(FNV_PRIME)
            })
        };
        assert_eq!(fnv1a32_utf16("é"), by_hand(&[0xe9]));
        assert_eq!(fnv1a32_utf16("😀"), by_hand(&[0xd83d, 0xde00]));
        assert_ne!(fnv1a32_utf16("é"), by_hand(&[0xc3, 0xa9]));
    }
}
