//! Imports a flagd file (being written: see /work/plan/issue21-design.md).

use crate::{Import, ImportError, Options};
use serde_json::Value;

/// Imports a flagd document.
pub(crate) fn import(_doc: &Value, _opts: &Options) -> Result<Import, ImportError> {
    Err(ImportError::new("", "the flagd importer is not written yet"))
}
