//! String sets and maps tuned for evaluation: a linear scan for a handful of entries (faster
//! than hashing), a hash table beyond that.

use alloc::boxed::Box;
use alloc::vec::Vec;
use hashbrown::HashMap;

/// The hasher of every table in a compiled snapshot (xxh3, already linked for bucketing).
pub(crate) type Hasher = xxhash_rust::xxh3::Xxh3DefaultBuilder;

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
            let mut map = HashMap::with_capacity_and_hasher(entries.len(), Hasher::default());
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
            StrMap::Linear(entries) => entries
                .iter()
                .find(|(k, _)| k.as_ref() == key)
                .map(|(_, v)| *v),
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
