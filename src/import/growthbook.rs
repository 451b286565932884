//! Imports a growthbook file (being written: see /work/plan/issue21-design.md).

use crate::{Import, ImportError, Options};
use serde_json::Value;

/// Imports a growthbook document.
pub(crate) fn import(_doc: &Value, _opts: &Options) -> Result<Import, ImportError> {
    Err(ImportError::new("", "the growthbook importer is not written yet"))
}
