//! The flags an environment has and their variants, which events must name: read from the
//! store once per published version, and shared by every batch until the next one.

use crate::app::App;
use crate::store::{self, Kind, StoreResult};
use edgeflag::Value;
use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

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

impl App {
    /// The catalog of environment `name` as of the version it serves now.
    pub(crate) async fn catalog(&self, name: &str, version: u64) -> StoreResult<Arc<Catalog>> {
        let cached = self
            .catalogs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .filter(|c| c.version == version)
            .cloned();
        if let Some(catalog) = cached {
            return Ok(catalog);
        }
        let definitions = store::definitions::load(self.store.pool(), name, false).await?;
        let catalog = Arc::new(Catalog::new(
            version,
            definitions
                .iter()
                .filter(|d| d.kind == Kind::Flag)
                .map(|d| (d.key.as_str(), &d.document)),
        ));
        self.catalogs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), catalog.clone());
        Ok(catalog)
    }
}
