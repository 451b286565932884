//! Evaluation contexts: the attributes of the unit (user, device, request) a flag is evaluated
//! for. A [`Context`] is plain data; a [`CompiledContext`] is that data indexed against one
//! snapshot's attribute table, converted once and reused for many evaluations.

mod compiled;
mod limits_check;

pub(crate) use compiled::Attrs;
pub use compiled::CompiledContext;

use crate::json::{self, Value};
use crate::text::Msg;
use crate::{ContextLimits, Error};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Attributes of the unit being evaluated: top-level names to JSON values. `targetingKey` is
/// the conventional unit of bucketing; `null` counts as missing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Context {
    attrs: Vec<(Box<str>, Value)>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Context::default()
    }

    /// A context from name/value pairs (a later pair replaces an earlier one of the same name).
    ///
    /// ```
    /// let ctx = edgeflag::Context::from_pairs([("targetingKey", "u1".into()), ("age", 42i64.into())]);
    /// assert_eq!(ctx.get("targetingKey").and_then(|v| v.as_str()), Some("u1"));
    /// ```
    pub fn from_pairs<K: Into<Box<str>>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Self {
        let mut ctx = Context::new();
        for (k, v) in pairs {
            ctx.set(k, v);
        }
        ctx
    }

    /// Sets one attribute, replacing any previous value.
    pub fn set(&mut self, name: impl Into<Box<str>>, value: Value) {
        let name = name.into();
        match self.attrs.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.attrs.push((name, value)),
        }
    }

    /// The value of an attribute.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.attrs
            .iter()
            .find(|(k, _)| k.as_ref() == name)
            .map(|(_, v)| v)
    }

    /// The attributes, in insertion order.
    pub fn attributes(&self) -> &[(Box<str>, Value)] {
        &self.attrs
    }

    /// A context from a JSON value, which must be an object within `limits`; anything else
    /// is an [`Error::InvalidContext`] (evaluation then answers `INVALID_CONTEXT`).
    pub fn from_value(value: Value, limits: &ContextLimits) -> Result<Self, Error> {
        match value {
            Value::Object(members) => {
                limits_check::check(&members, limits)?;
                Ok(Context { attrs: members })
            }
            other => Err(Error::InvalidContext {
                message: Msg::new("a context must be an object, not ")
                    .text(other.kind())
                    .finish(),
            }),
        }
    }

    /// A context from JSON text (strict: duplicate keys, over-deep nesting and oversized
    /// strings are refused).
    ///
    /// ```
    /// use edgeflag::{Context, ContextLimits, Error};
    ///
    /// let ctx = Context::from_json(br#"{"targetingKey": "u1", "roles": ["admin"]}"#, &ContextLimits::default())?;
    /// assert_eq!(ctx.get("targetingKey").and_then(|v| v.as_str()), Some("u1"));
    ///
    /// let twice = Context::from_json(br#"{"plan": "pro", "plan": "free"}"#, &ContextLimits::default());
    /// assert!(matches!(twice, Err(Error::InvalidContext { .. })));
    /// # Ok::<(), edgeflag::Error>(())
    /// ```
    pub fn from_json(text: &[u8], limits: &ContextLimits) -> Result<Self, Error> {
        let json_limits = json::JsonLimits {
            // The object itself is one level.
            max_depth: limits.max_depth.saturating_add(1),
            max_string_bytes: limits.max_string_bytes,
        };
        let value = json::parse(text, &json_limits).map_err(|e| Error::InvalidContext {
            message: e.message(),
        })?;
        Context::from_value(value, limits)
    }

    /// A context from any serde deserializer (e.g. a `serde_json::Value`, or a JavaScript
    /// object through serde-wasm-bindgen), read under `limits` so that cyclic or huge inputs
    /// fail fast.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
        limits: &ContextLimits,
    ) -> Result<Self, Error> {
        let seed = json::ValueSeed::new(&ContextLimits {
            max_depth: limits.max_depth.saturating_add(1),
            ..limits.clone()
        });
        let value = serde::de::DeserializeSeed::deserialize(seed, deserializer).map_err(
            |e: D::Error| Error::InvalidContext {
                message: alloc::format!("{e}"),
            },
        )?;
        Context::from_value(value, limits)
    }
}
