//! The state directory of an older `edgeflag serve` (before the store): `DIR/version` (the
//! last version reserved), `DIR/current.json` (the document last published) and
//! `DIR/audit.jsonl` (the hash-chained audit log). A new store in such a directory starts
//! from them, so an upgrade keeps its flags, never reuses a version a client has seen, and
//! continues the audit chain. The files are left where they are.

use crate::audit::read_legacy;
use crate::document::Document;
use crate::template;
use edgeflag::Limits;
use std::fs;
use std::io;
use std::path::Path;

/// What an older state directory holds.
#[derive(Debug, Default)]
pub(crate) struct Legacy {
    /// The last version it reserved.
    pub(crate) version: Option<u64>,
    /// The document it last published.
    pub(crate) document: Option<Document>,
    /// Its audit lines, chain checked.
    pub(crate) audit: Vec<String>,
}

/// Reads what an older server left in `dir` (nothing: an empty [`Legacy`]). Damaged files
/// are errors naming the file: importing a guess could reuse a version or lose history.
pub(crate) fn read(dir: &Path, limits: &Limits) -> Result<Legacy, String> {
    let mut legacy = Legacy::default();
    let version = dir.join("version");
    if let Some(text) = optional(&version)? {
        let text = String::from_utf8_lossy(&text);
        legacy.version = Some(text.trim().parse::<u64>().map_err(|_| {
            format!(
                "{}: not a version number; fix or remove it only if no client has seen a \
                 version above the one you write there",
                version.display()
            )
        })?);
    }
    let current = dir.join("current.json");
    if let Some(bytes) = optional(&current)? {
        let document = template::parse(&bytes, limits)
            .and_then(|t| Document::from_template(&t))
            .map_err(|e| format!("{}: {e}", current.display()))?;
        legacy.document = Some(document);
    }
    let audit = dir.join("audit.jsonl");
    if audit.exists() {
        legacy.audit = read_legacy(&audit)?;
    }
    Ok(legacy)
}

/// The bytes of `path`, `None` if it does not exist.
fn optional(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!(
            "{}: cannot read: {}",
            path.display(),
            crate::exit::io_reason(&e)
        )),
    }
}
