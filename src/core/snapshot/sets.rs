//! String sets and maps tuned for evaluation: a linear scan for a handful of entries (faster
//! than hashing), an open-addressing hash index beyond that. One index type, not generic,
//! serves every set, map and the attribute table, so the wasm build carries its code once.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;

/// Up to this many keys a linear scan beats hashing.
const LINEAR_MAX: usize = 8;

/// Strings in insertion order, each found by its position.
#[derive(Clone, Debug, Default)]
pub(crate) struct StrIndex {
    keys: Vec<Box<str>>,
    /// Open addressing with linear probing: 0 is a free slot, `i + 1` the key at `i`. Empty
    /// while a scan is faster; otherwise a power of two long and at most three quarters full,
    /// so every probe sequence ends at a free slot.
    slots: Box<[u32]>,
}

impl StrIndex {
    /// An empty index with room for `n` keys.
    pub(crate) fn with_capacity(n: usize) -> Self {
        StrIndex {
            keys: Vec::with_capacity(n),
            slots: if n > LINEAR_MAX {
                vec![0; slots_for(n)].into_boxed_slice()
            } else {
                Box::default()
            },
        }
    }

    /// The index of `keys`, in order; a key given twice is an `Err` naming it.
    pub(crate) fn of(keys: Vec<Box<str>>) -> Result<Self, Box<str>> {
        let mut index = StrIndex::with_capacity(keys.len());
        for key in keys {
            if index.position(&key).is_some() {
                return Err(key);
            }
            index.push(key);
        }
        Ok(index)
    }

    /// The set of `keys`: a key given twice is kept once.
    pub(crate) fn set(keys: Vec<Box<str>>) -> Self {
        let mut index = StrIndex::with_capacity(keys.len());
        for key in keys {
            if index.position(&key).is_none() {
                index.push(key);
            }
        }
        index.shrink();
        index
    }

    /// Appends `key`, which must not be present yet; returns its position.
    pub(crate) fn push(&mut self, key: Box<str>) -> usize {
        let at = self.keys.len();
        self.keys.push(key);
        if self.keys.len() * 4 <= self.slots.len() * 3 {
            self.place(at);
        } else if self.keys.len() > LINEAR_MAX {
            self.slots = vec![0; slots_for(self.keys.len() * 2)].into_boxed_slice();
            for i in 0..self.keys.len() {
                self.place(i);
            }
        }
        at
    }

    /// Enters the key at position `at` into the first free slot of its probe sequence.
    fn place(&mut self, at: usize) {
        let Some(key) = self.keys.get(at) else { return };
        let mask = self.slots.len().wrapping_sub(1);
        let mut s = hash(key) & mask;
        while let Some(slot) = self.slots.get_mut(s) {
            if *slot == 0 {
                // Positions stay far below u32::MAX: the payload size limit bounds them.
                *slot = at as u32 + 1;
                return;
            }
            s = (s + 1) & mask;
        }
    }

    /// The position of `key`.
    pub(crate) fn position(&self, key: &str) -> Option<usize> {
        self.find(key)
    }

    /// The position of `key`: the scan inlined (most sets are small), probing the slots a
    /// call.
    #[inline(always)]
    fn find(&self, key: &str) -> Option<usize> {
        if !self.slots.is_empty() {
            return self.probe(key);
        }
        let mut i = 0;
        while let Some(k) = self.keys.get(i) {
            if same_str(k, key) {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    /// The position of `key`, found through the slots.
    fn probe(&self, key: &str) -> Option<usize> {
        let mask = self.slots.len().wrapping_sub(1);
        let mut s = hash(key) & mask;
        loop {
            let at = (*self.slots.get(s)? as usize).checked_sub(1)?;
            if same_str(self.keys.get(at)?, key) {
                return Some(at);
            }
            s = (s + 1) & mask;
        }
    }

    /// The keys, in insertion order.
    pub(crate) fn keys(&self) -> &[Box<str>] {
        &self.keys
    }

    /// The key at position `at`.
    pub(crate) fn key(&self, at: usize) -> Option<&str> {
        self.keys.get(at).map(|k| &**k)
    }

    /// Whether `key` is present.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Whether `key` is present, the scan inlined: for the `in` operator, the hottest
    /// membership test of evaluation (its lists are mostly a few values).
    #[inline(always)]
    pub(crate) fn contains_inline(&self, key: &str) -> bool {
        self.find(key).is_some()
    }

    /// Number of keys.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the index is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Releases spare capacity once no more keys will come.
    pub(crate) fn shrink(&mut self) {
        self.keys.shrink_to_fit();
    }
}

/// The slot count for `n` keys: a power of two at least 1.5 times `n` (at most 2/3 full).
fn slots_for(n: usize) -> usize {
    (n + n / 2).next_power_of_two()
}

/// The hash of a key: xxh3 through the seeded entry point bucketing already links (the
/// unseeded one would be a second copy in the wasm). Keys come from the signed snapshot or
/// are looked up, never inserted, from contexts: no secret seed against flooding is needed.
fn hash(key: &str) -> usize {
    xxhash_rust::xxh3::xxh3_64_with_seed(key.as_bytes(), 0) as usize
}

/// A set of strings.
pub(crate) type StrSet = StrIndex;

/// A map from strings to small values (variant indexes).
#[derive(Clone, Debug, Default)]
pub(crate) struct StrMap<V> {
    index: StrIndex,
    values: Vec<V>,
}

impl<V: Copy> StrMap<V> {
    /// Adds `key` with `value`; gives the key back if it is already present.
    pub(crate) fn insert(&mut self, key: Box<str>, value: V) -> Result<(), Box<str>> {
        if self.index.position(&key).is_some() {
            return Err(key);
        }
        self.index.push(key);
        self.values.push(value);
        Ok(())
    }

    /// The value for `key`.
    pub(crate) fn get(&self, key: &str) -> Option<V> {
        self.index
            .position(key)
            .and_then(|at| self.values.get(at).copied())
    }

    /// Releases spare capacity once no more entries will come.
    pub(crate) fn shrink(&mut self) {
        self.index.shrink();
        self.values.shrink_to_fit();
    }

    /// The values, in insertion order.
    pub(crate) fn values(&self) -> &[V] {
        &self.values
    }

    /// Whether the map is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.index.is_empty()
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

#[cfg(test)]
mod tests {
    use super::{StrIndex, StrMap, LINEAR_MAX};
    use alloc::boxed::Box;
    use alloc::format;
    use alloc::vec::Vec;

    fn keys(n: usize) -> Vec<Box<str>> {
        (0..n).map(|i| format!("key-{i}").into()).collect()
    }

    #[test]
    fn positions_follow_insertion_order_at_every_size() {
        // Across the switch from scanning to hashing and several growths of the slots.
        for n in [0, 1, LINEAR_MAX, LINEAR_MAX + 1, 25, 100, 1_000] {
            let index = StrIndex::of(keys(n)).unwrap();
            assert_eq!(index.len(), n);
            for (i, k) in keys(n).iter().enumerate() {
                assert_eq!(index.position(k), Some(i), "{k} of {n}");
                assert_eq!(index.key(i), Some(&**k));
            }
            assert_eq!(index.position("absent"), None);
            assert_eq!(index.position(""), None);
            assert_eq!(index.key(n), None);
        }
    }

    #[test]
    fn growing_one_key_at_a_time_keeps_every_key() {
        let mut index = StrIndex::default();
        for (i, k) in keys(300).into_iter().enumerate() {
            assert_eq!(index.push(k), i);
            assert!(index.slots.is_empty() || index.len() * 4 <= index.slots.len() * 3);
        }
        for (i, k) in keys(300).iter().enumerate() {
            assert_eq!(index.position(k), Some(i));
        }
        // Prefixes and near misses are distinct keys.
        assert_eq!(index.position("key-1"), Some(1));
        assert_eq!(index.position("key-10"), Some(10));
        assert_eq!(index.position("key-"), None);
        assert_eq!(index.position("key-3000"), None);
    }

    #[test]
    fn a_key_given_twice_is_named_or_kept_once() {
        for n in [3, 40] {
            let mut list = keys(n);
            list.push("key-2".into());
            list.push("key-1".into());
            assert_eq!(&*StrIndex::of(list.clone()).unwrap_err(), "key-2");
            let set = StrIndex::set(list);
            assert_eq!(set.len(), n);
            assert!(set.contains("key-2") && set.contains("key-1"));
        }
    }

    #[test]
    fn maps_keep_the_first_value_and_refuse_the_second() {
        for n in [4, 50] {
            let mut map = StrMap::default();
            for (i, k) in keys(n).into_iter().enumerate() {
                map.insert(k, i as u32).unwrap();
            }
            assert_eq!(&*map.insert("key-0".into(), 99).unwrap_err(), "key-0");
            assert_eq!(map.get("key-0"), Some(0));
            assert_eq!(map.get(&format!("key-{}", n - 1)), Some(n as u32 - 1));
            assert_eq!(map.get("nope"), None);
            assert_eq!(map.values().len(), n);
        }
    }
}
