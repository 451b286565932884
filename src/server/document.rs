//! An environment's flags document, split the way the store keeps it: the header (every
//! member but `flags` and `segments`: schema, owner, environment, and whatever else the
//! author wrote), the segments and the flags, each in document order. The server owns
//! `version`, `issuedAt` and `expiresAt` (see [`template`](crate::template)), which are
//! never kept.

use edgeflag::unstable::json::{parse, JsonLimits};
use edgeflag::Value;

/// Limits for JSON the server reads back from its own store and request bodies: definitions
/// are checked against the snapshot limits when a document is signed.
pub(crate) const STORED_LIMITS: JsonLimits = JsonLimits {
    max_depth: 256,
    max_string_bytes: 1 << 20,
};

/// Parses JSON the store holds.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, String> {
    parse(bytes, &STORED_LIMITS).map_err(|e| format!("stored JSON is damaged: {e}"))
}

/// A flag or a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    /// A flag (`flags.KEY`).
    Flag,
    /// A segment (`segments.KEY`).
    Segment,
}

impl Kind {
    /// The `kind` column's value, and the word in messages.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Flag => "flag",
            Kind::Segment => "segment",
        }
    }

    /// The document member that holds this kind (`flags`, `segments`).
    pub(crate) fn member(self) -> &'static str {
        match self {
            Kind::Flag => "flags",
            Kind::Segment => "segments",
        }
    }
}

/// The members the server sets on every signature, never stored.
const SERVER_OWNED: [&str; 3] = ["version", "issuedAt", "expiresAt"];

/// The document's members other than its flags and segments.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Header {
    /// In document order.
    members: Vec<(Box<str>, Value)>,
}

impl Header {
    /// A header from a JSON object (its `flags`, `segments` and server-owned members are
    /// dropped).
    pub(crate) fn from_value(value: Value) -> Result<Header, String> {
        let Value::Object(members) = value else {
            return Err("a document header must be a JSON object".to_owned());
        };
        Ok(Header {
            members: members
                .into_iter()
                .filter(|(k, _)| !is_definitions(k) && !SERVER_OWNED.contains(&&**k))
                .collect(),
        })
    }

    /// A header for `owner`/`environment` and nothing else.
    pub(crate) fn new(owner: &str, environment: &str) -> Header {
        Header {
            members: vec![
                ("owner".into(), Value::from(owner)),
                ("environment".into(), Value::from(environment)),
            ],
        }
    }

    /// The header as a JSON object.
    pub(crate) fn to_value(&self) -> Value {
        Value::Object(self.members.clone())
    }

    /// Member `key` as a string.
    pub(crate) fn text(&self, key: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|(k, _)| &**k == key)
            .and_then(|(_, v)| v.as_str())
    }

    /// Sets member `key` (in place, or last).
    pub(crate) fn set(&mut self, key: &str, value: Value) {
        match self.members.iter_mut().find(|(k, _)| &**k == key) {
            Some(member) => member.1 = value,
            None => self.members.push((key.into(), value)),
        }
    }
}

/// Whether a top-level member holds definitions.
fn is_definitions(key: &str) -> bool {
    key == "flags" || key == "segments"
}

/// A flags document in its parts.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Document {
    /// Everything but the definitions.
    pub(crate) header: Header,
    /// The segments, in order.
    pub(crate) segments: Vec<(String, Value)>,
    /// The flags, in order.
    pub(crate) flags: Vec<(String, Value)>,
}

impl Document {
    /// Splits a flags document (a JSON object; `flags` and `segments` must be objects).
    pub(crate) fn from_template(template: &Value) -> Result<Document, String> {
        let Value::Object(members) = template else {
            return Err("the flags document must be a JSON object".to_owned());
        };
        let mut document = Document {
            header: Header::from_value(template.clone())?,
            ..Document::default()
        };
        for (key, value) in members {
            let kind = match &**key {
                "flags" => Kind::Flag,
                "segments" => Kind::Segment,
                _ => continue,
            };
            let Value::Object(entries) = value else {
                return Err(format!("{key}: expected an object, found {}", value.kind()));
            };
            *document.list_mut(kind) = entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
        }
        Ok(document)
    }

    /// The flags document: the header, then `segments` (when there are any), then `flags`.
    pub(crate) fn to_template(&self) -> Value {
        let Value::Object(mut members) = self.header.to_value() else {
            return Value::Null;
        };
        let object = |list: &[(String, Value)]| {
            Value::Object(
                list.iter()
                    .map(|(k, v)| (k.as_str().into(), v.clone()))
                    .collect(),
            )
        };
        if !self.segments.is_empty() {
            members.push(("segments".into(), object(&self.segments)));
        }
        members.push(("flags".into(), object(&self.flags)));
        Value::Object(members)
    }

    /// The definitions of one kind.
    pub(crate) fn list(&self, kind: Kind) -> &[(String, Value)] {
        match kind {
            Kind::Flag => &self.flags,
            Kind::Segment => &self.segments,
        }
    }

    /// The definitions of one kind, mutably.
    fn list_mut(&mut self, kind: Kind) -> &mut Vec<(String, Value)> {
        match kind {
            Kind::Flag => &mut self.flags,
            Kind::Segment => &mut self.segments,
        }
    }

    /// Definition `key` of `kind`.
    pub(crate) fn get(&self, kind: Kind, key: &str) -> Option<&Value> {
        self.list(kind)
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Definition `key` of `kind`, mutably.
    pub(crate) fn get_mut(&mut self, kind: Kind, key: &str) -> Option<&mut Value> {
        self.list_mut(kind)
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Sets definition `key` (in place, or last).
    pub(crate) fn set(&mut self, kind: Kind, key: &str, value: Value) {
        match self.get_mut(kind, key) {
            Some(slot) => *slot = value,
            None => self.list_mut(kind).push((key.to_owned(), value)),
        }
    }

    /// Removes definition `key`, answering it.
    pub(crate) fn remove(&mut self, kind: Kind, key: &str) -> Option<Value> {
        let list = self.list_mut(kind);
        let at = list.iter().position(|(k, _)| k == key)?;
        Some(list.remove(at).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_splits_and_joins_in_order() {
        let text = br#"{"schema":"edgeflag/v1","owner":"o","environment":"e","version":3,"segments":{"s":{"included":["a"]}},"flags":{"b":{"type":"boolean"},"a":{"type":"boolean"}},"note":"x"}"#;
        let value = parse(text, &STORED_LIMITS).unwrap();
        let document = Document::from_template(&value).unwrap();
        assert_eq!(document.header.text("owner"), Some("o"));
        assert_eq!(
            document
                .flags
                .iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>(),
            ["b", "a"]
        );
        assert_eq!(
            document.to_template().to_json(),
            r#"{"schema":"edgeflag/v1","owner":"o","environment":"e","note":"x","segments":{"s":{"included":["a"]}},"flags":{"b":{"type":"boolean"},"a":{"type":"boolean"}}}"#
        );
        let mut changed = document.clone();
        changed.set(Kind::Flag, "c", Value::Bool(true));
        assert!(changed.remove(Kind::Flag, "b").is_some());
        assert_eq!(
            changed
                .flags
                .iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>(),
            ["a", "c"]
        );
        assert!(Document::from_template(&Value::Bool(true)).is_err());
    }
}
