//! The flags an environment has and their variants, which events must name, and the cache
//! that keeps one per environment for its served version (read from the store once per
//! version by the ingest route, shared by every batch until the next one).

use edgeflag::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// An environment's flags and their variants, as of a version.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    /// The version it was read for.
    pub(crate) version: u64,
    /// Flag key -> variant names.
    flags: HashMap<String, Vec<String>>,
}

impl Catalog {
    /// A catalog of `flags` (key, definition document).
    pub(crate) fn new<'a>(
        version: u64,
        flags: impl Iterator<Item = (&'a str, &'a Value)>,
    ) -> Catalog {
        let flags = flags
            .map(|(key, document)| {
                let variants = document
                    .get("variants")
                    .and_then(Value::as_object)
                    .map(|v| v.iter().map(|(name, _)| name.to_string()).collect())
                    .unwrap_or_default();
                (key.to_owned(), variants)
            })
            .collect();
        Catalog { version, flags }
    }

    /// The variants of flag `key`, if the environment has it.
    pub(crate) fn variants(&self, key: &str) -> Option<&[String]> {
        self.flags.get(key).map(Vec::as_slice)
    }
}

/// One catalog per environment, the newest read.
#[derive(Debug, Default)]
pub(crate) struct Catalogs(Mutex<HashMap<String, Arc<Catalog>>>);

impl Catalogs {
    /// Environment `name`'s catalog if it was read for `version`.
    pub(crate) fn get(&self, name: &str, version: u64) -> Option<Arc<Catalog>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .filter(|c| c.version == version)
            .cloned()
    }

    /// Keeps `catalog` as environment `name`'s.
    pub(crate) fn put(&self, name: &str, catalog: Arc<Catalog>) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), catalog);
    }
}
