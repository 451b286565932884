//! A feature's possible values as edgeflag variants. The flag's type is the type of
//! `defaultValue` (or of the first non-null value when it has none); GrowthBook's `null` (no
//! value: the SDK's caller falls back to its own default) is a variant whose value is the
//! type's falsy placeholder, named in metadata `growthbook.nullVariant`.

use serde_json::{json, Value};

/// The variants of one flag.
#[derive(Clone, Debug)]
pub(crate) struct Variants {
    /// edgeflag flag type.
    pub(crate) kind: &'static str,
    /// Variant name and GrowthBook value, in order of first use.
    pub(crate) entries: Vec<(String, Value)>,
    /// The variant standing for GrowthBook's `null`, if the flag can answer it.
    pub(crate) null: Option<String>,
}

/// The edgeflag type of a GrowthBook value (`None` for null and arrays).
pub(crate) fn kind_of(v: &Value) -> Option<&'static str> {
    match v {
        Value::Bool(_) => Some("boolean"),
        Value::String(_) => Some("string"),
        Value::Number(_) => Some("number"),
        Value::Object(_) => Some("object"),
        _ => None,
    }
}

impl Variants {
    /// An empty table of type `kind`, with the null variant when `with_null`.
    pub(crate) fn new(kind: &'static str, with_null: bool) -> Variants {
        Variants {
            kind,
            entries: Vec::new(),
            null: with_null.then(|| "null".to_string()),
        }
    }

    /// Adds `v` (when it has the flag's type and is new).
    pub(crate) fn add(&mut self, v: &Value) {
        if v.is_null() {
            if self.null.is_none() {
                self.null = Some("null".into());
            }
            return;
        }
        if kind_of(v) != Some(self.kind) || self.entries.iter().any(|(_, x)| x == v) {
            return;
        }
        let preferred = match v {
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if !s.is_empty() && s.chars().count() <= 64 => Some(s.clone()),
            _ => None,
        };
        let taken = |n: &str| n == "null" || self.entries.iter().any(|(e, _)| e == n);
        let name = match preferred {
            Some(p) if !taken(&p) => p,
            _ => {
                let mut i = self.entries.len();
                while taken(&format!("v{i}")) {
                    i += 1;
                }
                format!("v{i}")
            }
        };
        self.entries.push((name, v.clone()));
    }

    /// The variant serving `v`, or `None` when `v` has another type.
    pub(crate) fn name_of(&self, v: &Value) -> Option<&str> {
        if v.is_null() {
            return self.null.as_deref();
        }
        self.entries
            .iter()
            .find(|(_, x)| x == v)
            .map(|(n, _)| n.as_str())
    }

    /// Every (variant, GrowthBook value) the flag can answer, `null` included.
    pub(crate) fn all(&self) -> Vec<(&str, Value)> {
        let mut out: Vec<(&str, Value)> = self
            .entries
            .iter()
            .map(|(n, v)| (n.as_str(), v.clone()))
            .collect();
        if let Some(n) = &self.null {
            out.push((n.as_str(), Value::Null));
        }
        out
    }

    /// The edgeflag `variants` member.
    pub(crate) fn to_json(&self) -> Value {
        let mut m = serde_json::Map::new();
        for (n, v) in &self.entries {
            m.insert(n.clone(), v.clone());
        }
        if let Some(n) = &self.null {
            let placeholder = match self.kind {
                "boolean" => json!(false),
                "string" => json!(""),
                "number" => json!(0),
                _ => json!({}),
            };
            m.insert(n.clone(), placeholder);
        }
        Value::Object(m)
    }
}
