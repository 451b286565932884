//! A vendor file that cannot be imported: where and what was expected.

use core::fmt;

/// A malformed vendor file: the JSON path and what was expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// JSON path in the vendor file, e.g. `features[3].strategies[0].parameters.rollout`
    /// (empty for the document itself).
    pub path: String,
    /// What was expected or what is wrong.
    pub message: String,
}

impl ImportError {
    /// An error at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ImportError {
            path: path.into(),
            message: message.into(),
        }
    }

    pub(crate) fn from_json(e: serde_json::Error) -> Self {
        ImportError::new(
            "",
            format!("not JSON: {e} (line {}, column {})", e.line(), e.column()),
        )
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ImportError {}
