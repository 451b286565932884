//! String sets and maps tuned for evaluation: a linear scan for a handful of entries (faster
//! than hashing), a hash table beyond that.

use alloc::boxed::Box;
use alloc::vec::Vec;
use hashbrown::HashMap;

/// The hasher of every table in a compiled snapshot: one-shot xxh3 (already linked for
/// bucketing) per written slice. The streaming xxh3 state is several hundred bytes to set up
/// for every lookup; keys here are short and written in one piece, so one-shot is far cheaper.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Hasher;

impl core::hash::BuildHasher for Hasher {
    type Hasher = OneShot;

    fn build_hasher(&self) -> OneShot {
        OneShot(0)
    }
}

/// Folds each written slice into the state with xxh3 seeded by the state so far.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OneShot(u64);

impl core::hash::Hasher for OneShot {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxhash_rust::xxh3::xxh3_64_with_seed(bytes, self.0);
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        // `Hash for str` ends every key with 0xff; mixing it cheaply keeps prefixes distinct.
        self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Below this many entries a linear scan beats hashing.
const LINEAR_MAX: usize = 8;

/// A map from strings to small values (variant indexes, flag indexes).
#[derive(Clone, Debug)]
pub(crate) enum StrMap<V> {
    Linear(Box<[(Box<str>, V)]>),
    Hashed(HashMap<Box<str>, V, Hasher>),
}

impl<V: Copy> StrMap<V> {
    /// Builds the map; a key given twice keeps its first value (callers reject duplicates
    /// beforehand where that matters).
    pub(crate) fn build(entries: Vec<(Box<str>, V)>) -> Self {
        if entries.len() <= LINEAR_MAX {
            let mut uniq: Vec<(Box<str>, V)> = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                if !uniq.iter().any(|(u, _)| *u == k) {
                    uniq.push((k, v));
                }
            }
            StrMap::Linear(uniq.into_boxed_slice())
        } else {
            let mut map = HashMap::with_capacity_and_hasher(entries.len(), Hasher);
            for (k, v) in entries {
                map.entry(k).or_insert(v);
            }
            StrMap::Hashed(map)
        }
    }

    /// The value for `key`.
    #[inline]
    pub(crate) fn get(&self, key: &str) -> Option<V> {
        match self {
            StrMap::Linear(entries) => {
                for (k, v) in entries.iter() {
                    if same_str(k, key) {
                        return Some(*v);
                    }
                }
                None
            }
            StrMap::Hashed(map) => map.get(key).copied(),
        }
    }

    /// Whether the map is empty.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            StrMap::Linear(entries) => entries.is_empty(),
            StrMap::Hashed(map) => map.is_empty(),
        }
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        match self {
            StrMap::Linear(entries) => entries.len(),
            StrMap::Hashed(map) => map.len(),
        }
    }
}

/// String equality that compares short strings inline: most keys and attribute values are a
/// few bytes, where calling `memcmp` costs more than the comparison itself. A plain loop,
/// always inlined: the size-first wasm build would otherwise call the function and the
/// iterator adapters of each comparison.
#[inline(always)]
pub(crate) fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 16 {
        return a == b;
    }
    let mut i = 0;
    while let (Some(x), Some(y)) = (a.get(i), b.get(i)) {
        if x != y {
            return false;
        }
        i += 1;
    }
    true
}

/// A set of strings.
pub(crate) type StrSet = StrMap<()>;

impl StrSet {
    /// Builds a set.
    pub(crate) fn of(items: Vec<Box<str>>) -> Self {
        StrMap::build(items.into_iter().map(|k| (k, ())).collect())
    }

    /// Whether `key` is in the set.
    #[inline]
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}
