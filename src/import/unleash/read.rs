//! Reading the vendor document with JSON paths: every accessor names the path and what was
//! expected when the value is malformed, and unknown members become (non-lossy) notes.

use crate::{ImportError, Note};
use serde_json::{Map, Value};

/// A JSON object of the vendor file.
pub(super) type Obj = Map<String, Value>;

/// `path.key` (or `key` at the top).
pub(super) fn key(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

pub(super) use crate::path::index;

/// What a JSON value is, for messages.
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expected(path: &str, what: &str, v: &Value) -> ImportError {
    ImportError::new(path, format!("expected {what}, found {}", kind(v)))
}

/// The value at `path` as an object.
pub(super) fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Obj, ImportError> {
    v.as_object().ok_or_else(|| expected(path, "an object", v))
}

/// A member that is present and not null (Unleash writes `null` for absent optional fields).
pub(super) fn opt<'a>(m: &'a Obj, k: &str) -> Option<&'a Value> {
    m.get(k).filter(|v| !v.is_null())
}

/// An optional string member.
pub(super) fn opt_str<'a>(m: &'a Obj, k: &str, path: &str) -> Result<Option<&'a str>, ImportError> {
    match opt(m, k) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(expected(&key(path, k), "a string", v)),
    }
}

/// A required string member.
pub(super) fn req_str<'a>(m: &'a Obj, k: &str, path: &str) -> Result<&'a str, ImportError> {
    opt_str(m, k, path)?
        .ok_or_else(|| ImportError::new(key(path, k), "expected a string (missing)"))
}

/// An optional boolean member.
pub(super) fn opt_bool(m: &Obj, k: &str, path: &str) -> Result<Option<bool>, ImportError> {
    match opt(m, k) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(expected(&key(path, k), "a boolean", v)),
    }
}

/// An optional array member (absent or null is empty).
pub(super) fn opt_array<'a>(m: &'a Obj, k: &str, path: &str) -> Result<&'a [Value], ImportError> {
    match opt(m, k) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(v) => Err(expected(&key(path, k), "an array", v)),
    }
}

/// An optional array of strings.
pub(super) fn opt_strings<'a>(
    m: &'a Obj,
    k: &str,
    path: &str,
) -> Result<Vec<&'a str>, ImportError> {
    let p = key(path, k);
    opt_array(m, k, path)?
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_str()
                .ok_or_else(|| expected(&index(&p, i), "a string", v))
        })
        .collect()
}

/// A string-or-number member as text: Unleash parameters and constraint values are strings,
/// but hand-written files often carry numbers (`"rollout": 50`).
pub(super) fn opt_text(m: &Obj, k: &str, path: &str) -> Result<Option<String>, ImportError> {
    match opt(m, k) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(v) => Err(expected(&key(path, k), "a string or a number", v)),
    }
}

/// Notes every member of `m` that is not in `known` (ignored, so not lossy).
pub(super) fn note_unknown(m: &Obj, known: &[&str], path: &str, notes: &mut Vec<Note>) {
    for k in m.keys() {
        if !known.contains(&k.as_str()) {
            notes.push(Note {
                path: key(path, k),
                message: "unknown Unleash field, ignored".into(),
                lossy: false,
            });
        }
    }
}

/// A note.
pub(super) fn note(notes: &mut Vec<Note>, path: &str, lossy: bool, message: impl Into<String>) {
    notes.push(Note {
        path: path.to_string(),
        message: message.into(),
        lossy,
    });
}
