//! The flags document: a snapshot payload used as a *template*. Its author owns everything
//! but `version`, `issuedAt` and `expiresAt`, which the server sets each time it signs
//! (values in the file are ignored, so a complete payload that passes `edgeflag lint` is a
//! valid flags file, and so is one without them). `schema` defaults to `edgeflag/v1`, and is
//! raised to the minor revision the definitions use (`edgeflag/v1.1` for the v1.1 members).
//!
//! Also here: the difference between two documents (what an audit entry says changed) and
//! the indented JSON the document is written back in, for people to read and edit.

use edgeflag::snapshot::parse_payload;
use edgeflag::snapshot::required_schema_minor;
use edgeflag::unstable::json::Path;
use edgeflag::unstable::time::Rfc3339;
use edgeflag::Number;
use edgeflag::{Limits, Value, SCHEMA};

/// The members the server sets on every signature.
const SERVER_OWNED: [&str; 3] = ["version", "issuedAt", "expiresAt"];

/// Parses a flags document: strict JSON under the snapshot limits, and an object.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Value, String> {
    let document = parse_payload(bytes, limits).map_err(|e| e.to_string())?;
    if !matches!(document, Value::Object(_)) {
        return Err("the flags document must be a JSON object".to_owned());
    }
    Ok(document)
}

/// The payload to sign: the template's members with the server's header. The header comes
/// first (`schema`, `owner`, `environment`, `version`, `issuedAt`, `expiresAt`), then the
/// template's other members in their order, so every payload reads the same way.
pub fn stamp(template: &Value, version: u64, issued_at: i64, expires_at: i64) -> Vec<u8> {
    let members = template.as_object().unwrap_or_default();
    let member = |key: &str| members.iter().find(|(k, _)| &**k == key).map(|(_, v)| v);
    let mut out: Vec<(Box<str>, Value)> = Vec::with_capacity(members.len() + 3);
    let schema = member("schema").cloned().unwrap_or_else(|| SCHEMA.into());
    out.push(("schema".into(), covering(schema, template)));
    for key in ["owner", "environment"] {
        if let Some(value) = member(key) {
            out.push((key.into(), value.clone()));
        }
    }
    out.push(("version".into(), Value::Number(Number::from_u64(version))));
    out.push(("issuedAt".into(), instant(issued_at)));
    out.push(("expiresAt".into(), instant(expires_at)));
    let header = ["schema", "owner", "environment"];
    out.extend(
        members
            .iter()
            .filter(|(k, _)| !header.contains(&&**k) && !SERVER_OWNED.contains(&&**k))
            .cloned(),
    );
    Value::Object(out).to_json().into_bytes()
}

/// `schema`, raised to the minor revision the template's definitions use (an imported
/// `fallThrough` rollout needs `edgeflag/v1.1`): a reader of an older revision then degrades
/// those flags instead of ignoring members that change what they serve (FORMAT.md §6).
fn covering(schema: Value, template: &Value) -> Value {
    let (needed, _) = required_schema_minor(template);
    let declared = schema
        .as_str()
        .and_then(|s| s.strip_prefix("edgeflag/v1"))
        .map(|rest| {
            rest.strip_prefix('.')
                .and_then(|m| m.parse::<u32>().ok())
                .unwrap_or(0)
        });
    match declared {
        Some(minor) if minor < needed => Value::String(format!("edgeflag/v1.{needed}").into()),
        _ => schema,
    }
}

/// An instant as payloads write it (RFC 3339, UTC).
pub(crate) fn instant(ms: i64) -> Value {
    Value::String(Rfc3339(ms).to_string().into())
}

/// One difference between two documents: the path, the value before (`None`: added) and
/// after (`None`: removed).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Change {
    /// Where, as load errors name paths: `flags.new-checkout.enabled`.
    pub(crate) path: String,
    /// The value before.
    pub(crate) old: Option<Value>,
    /// The value after.
    pub(crate) new: Option<Value>,
}

impl Change {
    /// `{"path": ..., "old": ..., "new": ...}`, `null` for a side that does not exist.
    pub(crate) fn to_value(&self) -> Value {
        Value::Object(vec![
            ("path".into(), Value::String(self.path.as_str().into())),
            ("old".into(), self.old.clone().unwrap_or(Value::Null)),
            ("new".into(), self.new.clone().unwrap_or(Value::Null)),
        ])
    }
}

/// What differs between two documents, ignoring the members the server owns. Objects are
/// compared member by member and arrays of equal length element by element, so a change is
/// reported where it happened (`flags.x.rules[1].serve`), not as a whole new flag.
pub(crate) fn diff(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    let strip = |v: &Value| -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .filter(|(k, _)| !SERVER_OWNED.contains(&&**k))
                    .cloned()
                    .collect(),
            ),
            other => other.clone(),
        }
    };
    diff_at(&strip(old), &strip(new), &Path::ROOT, &mut out);
    out
}

/// [`diff`] below `path`.
fn diff_at(old: &Value, new: &Value, path: &Path<'_>, out: &mut Vec<Change>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, av) in a {
                let p = path.key(key);
                match b.iter().find(|(k, _)| k == key) {
                    Some((_, bv)) => diff_at(av, bv, &p, out),
                    None => out.push(change(&p, Some(av), None)),
                }
            }
            for (key, bv) in b.iter().filter(|(k, _)| !a.iter().any(|(ak, _)| ak == k)) {
                out.push(change(&path.key(key), None, Some(bv)));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (av, bv)) in a.iter().zip(b).enumerate() {
                diff_at(av, bv, &path.index(i), out);
            }
        }
        _ => out.push(change(path, Some(old), Some(new))),
    }
}

/// A [`Change`] at `path`.
fn change(path: &Path<'_>, old: Option<&Value>, new: Option<&Value>) -> Change {
    Change {
        path: path.render(),
        old: old.cloned(),
        new: new.cloned(),
    }
}

/// Widest line a container is kept on when written back (indentation included).
const INLINE_WIDTH: usize = 100;

/// The document as indented JSON (two spaces) with a final newline, for files people edit:
/// a container that fits on one line stays on one line.
pub(crate) fn pretty(value: &Value) -> String {
    let mut out = String::new();
    write_pretty(value, 0, &mut out);
    out.push('\n');
    out
}

/// Appends `value` at nesting `depth`; the document's depth is bounded by the JSON limits it
/// was parsed under, so the recursion is too.
fn write_pretty(value: &Value, depth: usize, out: &mut String) {
    let inline = one_line(value);
    if inline.len() + depth * 2 <= INLINE_WIDTH || !is_container(value) {
        out.push_str(&inline);
        return;
    }
    let indent = "  ".repeat(depth + 1);
    let (open, close) = match value {
        Value::Array(_) => ('[', ']'),
        _ => ('{', '}'),
    };
    out.push(open);
    let mut first = true;
    let mut item = |key: Option<&str>, child: &Value, out: &mut String| {
        out.push_str(if first { "\n" } else { ",\n" });
        first = false;
        out.push_str(&indent);
        if let Some(key) = key {
            out.push_str(&Value::from(key).to_json());
            out.push_str(": ");
        }
        write_pretty(child, depth + 1, out);
    };
    match value {
        Value::Array(items) => items.iter().for_each(|v| item(None, v, out)),
        Value::Object(members) => members.iter().for_each(|(k, v)| item(Some(k), v, out)),
        _ => {}
    }
    out.push('\n');
    out.push_str(&"  ".repeat(depth));
    out.push(close);
}

/// Whether `value` is an array or an object.
fn is_container(value: &Value) -> bool {
    matches!(value, Value::Array(_) | Value::Object(_))
}

/// `value` on one line with a space after each `:` and `,`.
fn one_line(value: &Value) -> String {
    match value {
        Value::Array(items) if !items.is_empty() => {
            let parts: Vec<String> = items.iter().map(one_line).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(members) if !members.is_empty() => {
            let parts: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::from(&**k).to_json(), one_line(v)))
                .collect();
            format!("{{ {} }}", parts.join(", "))
        }
        scalar => scalar.to_json(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Value {
        parse(text.as_bytes(), &Limits::default()).unwrap()
    }

    #[test]
    fn the_server_sets_the_header_and_keeps_everything_else_in_order() {
        let template =
            doc(r#"{"flags": {}, "owner": "o", "version": 99, "environment": "e", "x": 1}"#);
        let payload = stamp(&template, 7, 0, 1_000);
        assert_eq!(
            String::from_utf8(payload).unwrap(),
            r#"{"schema":"edgeflag/v1","owner":"o","environment":"e","version":7,"issuedAt":"1970-01-01T00:00:00Z","expiresAt":"1970-01-01T00:00:01Z","flags":{},"x":1}"#
        );
    }

    #[test]
    fn the_schema_is_raised_to_the_minor_revision_the_definitions_use() {
        let gap = r#"{"rollout": {"fallThrough": true, "weights": [{"variant": "on", "weight": 50000}, {"weight": 50000}]}}"#;
        let rules = format!(r#"{{"f": {{"type": "boolean", "rules": [{{"serve": {gap}}}]}}}}"#);
        for (declared, expected) in [
            (None, "edgeflag/v1.1"),
            (Some("edgeflag/v1"), "edgeflag/v1.1"),
            (Some("edgeflag/v1.1"), "edgeflag/v1.1"),
            (Some("edgeflag/v1.4"), "edgeflag/v1.4"),
        ] {
            let schema = declared
                .map(|s| format!(r#""schema": "{s}", "#))
                .unwrap_or_default();
            let template = doc(&format!(r#"{{{schema}"flags": {rules}}}"#));
            let payload = String::from_utf8(stamp(&template, 1, 0, 1)).unwrap();
            assert!(
                payload.starts_with(&format!(r#"{{"schema":"{expected}""#)),
                "{payload}"
            );
        }
        // Plain v1 definitions keep plain v1.
        let plain = doc(
            r#"{"flags": {"f": {"type": "boolean", "rules": [{"serve": {"rollout": {"weights": []}}}]}}}"#,
        );
        let payload = String::from_utf8(stamp(&plain, 1, 0, 1)).unwrap();
        assert!(
            payload.starts_with(r#"{"schema":"edgeflag/v1","#),
            "{payload}"
        );
    }

    #[test]
    fn a_diff_names_the_changed_member_not_the_whole_flag() {
        let old = doc(
            r#"{"version": 1, "flags": {"a": {"enabled": true, "rules": [{"id": "r"}]}, "b": {}}}"#,
        );
        let new = doc(
            r#"{"version": 2, "flags": {"a": {"enabled": false, "rules": [{"id": "s"}]}, "c": {}}}"#,
        );
        let paths: Vec<String> = diff(&old, &new).into_iter().map(|c| c.path).collect();
        assert_eq!(
            paths,
            [
                "flags.a.enabled",
                "flags.a.rules[0].id",
                "flags.b",
                "flags.c"
            ]
        );
        assert!(diff(&old, &old).is_empty());
    }

    #[test]
    fn the_written_back_document_parses_to_the_same_value() {
        let text = include_str!("example-flags.json");
        let value = doc(text);
        let written = pretty(&value);
        assert_eq!(doc(&written), value);
        assert!(written.lines().count() > 20, "{written}");
        assert_eq!(pretty(&doc("{}")), "{}\n");
    }
}
