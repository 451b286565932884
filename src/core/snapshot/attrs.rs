//! Interned attribute names: conditions and contexts address attributes by a small integer.

use super::sets::StrIndex;

/// The interned id of an attribute name within one snapshot.
pub(crate) type AttrId = u32;

/// `targetingKey` always has id 0: targets, segments and default rollouts read it.
pub(crate) const TARGETING_KEY: AttrId = 0;

/// The attribute names one snapshot reads, each with its id.
#[derive(Clone, Debug)]
pub(crate) struct AttrTable {
    /// The names; a name's position is its id.
    names: StrIndex,
    id: u64,
}

impl AttrTable {
    /// A table holding only `targetingKey`.
    pub(crate) fn new() -> Self {
        let mut table = AttrTable {
            names: StrIndex::default(),
            id: 0,
        };
        table.intern("targetingKey");
        table
    }

    /// The id of `name`, adding it if new.
    pub(crate) fn intern(&mut self, name: &str) -> AttrId {
        // Ids stay far below u32::MAX: the payload size limit bounds the names.
        match self.names.position(name) {
            Some(at) => at as AttrId,
            None => self.names.push(name.into()) as AttrId,
        }
    }

    /// Fixes the table's identity: a digest of its names in order, so that contexts compiled
    /// against one snapshot stay valid for the next when it reads the same attributes.
    pub(crate) fn seal(&mut self) {
        // Each name hashed seeded by the digest so far: the boundaries between names count.
        let mut h = 0;
        for name in self.names.keys() {
            h = xxhash_rust::xxh3::xxh3_64_with_seed(name.as_bytes(), h);
        }
        self.names.shrink();
        // 0 is reserved for "no table" (invalid contexts).
        self.id = h.max(1);
    }

    /// The id of `name`, if the snapshot reads it.
    pub(crate) fn lookup(&self, name: &str) -> Option<AttrId> {
        self.names.position(name).map(|at| at as AttrId)
    }

    /// The names in id order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().iter().map(|k| &**k)
    }

    /// The name of attribute `id`.
    pub(crate) fn name(&self, id: AttrId) -> Option<&str> {
        self.names.key(id as usize)
    }

    /// How many attributes the snapshot reads.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// The table's identity (equal for equal name lists).
    pub(crate) fn id(&self) -> u64 {
        self.id
    }
}
