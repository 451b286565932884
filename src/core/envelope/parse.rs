//! The shape of a DSSE envelope (FORMAT.md §1): an object with a string `payloadType`, a
//! string `payload` and a non-empty array `signatures` of objects with a string `sig` and an
//! optional string `keyid`. Unknown fields are ignored so that envelope producers may add
//! their own. Nothing is decoded or trusted here; this only names what is where, so that every
//! refusal points at the field at fault (`signatures[1].sig: expected a string, found null`).

use super::MAX_SIGNATURES;
use crate::json::path::Path;
use crate::json::{self, JsonLimits, Value};
use crate::text::Msg;
use crate::{Error, Limits};
use alloc::string::String;
use alloc::vec::Vec;

/// An envelope whose shape is right, borrowing its strings from the parsed document.
#[derive(Debug)]
pub(crate) struct RawEnvelope<'a> {
    pub(crate) payload_type: &'a str,
    pub(crate) payload: &'a str,
    pub(crate) signatures: Vec<RawSignature<'a>>,
}

/// One entry of `signatures`.
#[derive(Debug)]
pub(crate) struct RawSignature<'a> {
    /// The signer's hint; `null` counts as absent, since the hint is never trusted anyway.
    pub(crate) keyid: Option<&'a str>,
    pub(crate) sig: &'a str,
}

/// Parses the envelope text as strict JSON. A JSON error becomes an [`Error::Envelope`] so
/// that a host can tell a broken envelope from a broken payload inside a valid one.
pub(crate) fn parse_json(bytes: &[u8], limits: &Limits) -> Result<Value, Error> {
    let json_limits = JsonLimits {
        max_depth: limits.max_depth,
        // The payload travels as one base64 string, bounded only by the byte cap already
        // checked; the payload's own strings meet `max_string_bytes` when it is parsed.
        max_string_bytes: limits.max_bytes,
    };
    json::parse(bytes, &json_limits).map_err(|err| match err {
        Error::Json {
            path,
            line,
            column,
            message,
        } => Error::Envelope {
            path,
            message: Msg::new(&message)
                .text(" (line ")
                .num(line)
                .text(", column ")
                .num(column)
                .text(")")
                .finish(),
        },
        other => other,
    })
}

/// Checks the envelope's shape and borrows its fields.
pub(crate) fn read(document: &Value) -> Result<RawEnvelope<'_>, Error> {
    let root = Path::ROOT;
    if document.as_object().is_none() {
        return Err(wrong_type(&root, "an object", document));
    }
    let payload_type = string_field(document, &root, "payloadType")?;
    let payload = string_field(document, &root, "payload")?;

    let list_path = root.key("signatures");
    let list = document
        .get("signatures")
        .ok_or_else(|| envelope(&list_path, "missing"))?;
    let list = list
        .as_array()
        .ok_or_else(|| wrong_type(&list_path, "an array", list))?;
    if list.is_empty() {
        return Err(envelope(&list_path, "no signatures"));
    }
    // Each signature may cost a verification per pinned key, so their number is bounded
    // before any of them is looked at.
    if list.len() > MAX_SIGNATURES {
        return Err(envelope(
            &list_path,
            Msg::new("")
                .num(list.len())
                .text(" signatures, more than the ")
                .num(MAX_SIGNATURES)
                .text(" a verifier will try")
                .finish(),
        ));
    }
    let mut signatures = Vec::with_capacity(list.len());
    for (i, entry) in list.iter().enumerate() {
        let path = list_path.index(i);
        if entry.as_object().is_none() {
            return Err(wrong_type(&path, "an object", entry));
        }
        let sig = string_field(entry, &path, "sig")?;
        let keyid = match entry.get("keyid") {
            None | Some(Value::Null) => None,
            Some(Value::String(hint)) => Some(hint.as_ref()),
            Some(other) => return Err(wrong_type(&path.key("keyid"), "a string", other)),
        };
        signatures.push(RawSignature { keyid, sig });
    }
    Ok(RawEnvelope {
        payload_type,
        payload,
        signatures,
    })
}

fn string_field<'v>(object: &'v Value, at: &Path<'_>, key: &str) -> Result<&'v str, Error> {
    let path = at.key(key);
    match object.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(wrong_type(&path, "a string", other)),
        None => Err(envelope(&path, "missing")),
    }
}

fn wrong_type(path: &Path<'_>, expected: &str, found: &Value) -> Error {
    envelope(
        path,
        Msg::new("expected ")
            .text(expected)
            .text(", found ")
            .text(found.kind())
            .finish(),
    )
}

/// An [`Error::Envelope`] at `path`.
pub(crate) fn envelope(path: &Path<'_>, message: impl Into<String>) -> Error {
    Error::Envelope {
        path: path.render(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::boxed::Box;
    use alloc::vec;

    fn s(text: &str) -> Value {
        Value::String(text.into())
    }

    fn object(members: Vec<(&str, Value)>) -> Value {
        Value::Object(
            members
                .into_iter()
                .map(|(k, v)| (Box::<str>::from(k), v))
                .collect(),
        )
    }

    fn signature(keyid: Option<Value>, sig: Value) -> Value {
        let mut members = vec![("sig", sig)];
        if let Some(keyid) = keyid {
            members.push(("keyid", keyid));
        }
        object(members)
    }

    fn envelope_with(signatures: Vec<Value>) -> Value {
        object(vec![
            ("payloadType", s("t")),
            ("payload", s("e30=")),
            ("signatures", Value::Array(signatures)),
            ("extension", object(vec![("anything", Value::Null)])),
        ])
    }

    fn err_at(document: &Value) -> (String, String) {
        match read(document).unwrap_err() {
            Error::Envelope { path, message } => (path, message),
            other => panic!("expected an envelope error, got {other:?}"),
        }
    }

    #[test]
    fn reads_fields_and_ignores_unknown_ones() {
        let doc = envelope_with(vec![
            signature(Some(s("abcd")), s("c2ln")),
            signature(Some(Value::Null), s("c2ln")),
            signature(None, s("c2ln")),
        ]);
        let raw = read(&doc).unwrap();
        assert_eq!(raw.payload_type, "t");
        assert_eq!(raw.payload, "e30=");
        assert_eq!(raw.signatures.len(), 3);
        assert_eq!(raw.signatures[0].keyid, Some("abcd"));
        assert_eq!(raw.signatures[1].keyid, None);
        assert_eq!(raw.signatures[2].sig, "c2ln");
    }

    #[test]
    fn names_the_field_at_fault() {
        let not_object = Value::Array(Vec::new());
        assert_eq!(
            err_at(&not_object),
            ("(root)".into(), "expected an object, found an array".into())
        );
        let missing_type = object(vec![("payload", s(""))]);
        assert_eq!(
            err_at(&missing_type),
            ("payloadType".into(), "missing".into())
        );
        let numeric_payload = object(vec![("payloadType", s("t")), ("payload", 1i64.into())]);
        assert_eq!(
            err_at(&numeric_payload),
            ("payload".into(), "expected a string, found a number".into())
        );
        let no_signatures = envelope_with(Vec::new());
        assert_eq!(
            err_at(&no_signatures),
            ("signatures".into(), "no signatures".into())
        );
        let bad_sig = envelope_with(vec![signature(None, s("")), signature(None, Value::Null)]);
        assert_eq!(
            err_at(&bad_sig),
            (
                "signatures[1].sig".into(),
                "expected a string, found null".into()
            )
        );
        let bad_keyid = envelope_with(vec![signature(Some(7i64.into()), s(""))]);
        assert_eq!(err_at(&bad_keyid).0, "signatures[0].keyid");
        let not_entry = envelope_with(vec![s("sig")]);
        assert_eq!(err_at(&not_entry).0, "signatures[0]");
    }

    #[test]
    fn bounds_the_number_of_signatures() {
        let many = vec![signature(None, s("")); MAX_SIGNATURES];
        assert!(read(&envelope_with(many)).is_ok());
        let too_many = vec![signature(None, s("")); MAX_SIGNATURES + 1];
        assert_eq!(err_at(&envelope_with(too_many)).0, "signatures");
    }
}
