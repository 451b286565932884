//! What an import noticed: something ignored or not expressed exactly.

use core::fmt;

/// One thing the import could not carry over exactly, or ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// JSON path in the vendor file.
    pub path: String,
    /// What happened and why.
    pub message: String,
    /// Whether the imported flag may answer differently from the vendor because of it
    /// (`--strict` refuses these); unknown vendor fields that are ignored are not lossy.
    pub lossy: bool,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.lossy {
            "not expressible"
        } else {
            "ignored"
        };
        write!(f, "{}: {kind}: {}", self.path, self.message)
    }
}
