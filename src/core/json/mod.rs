//! Strict JSON for signed payloads and envelopes: a bounded, iterative parser that rejects
//! duplicate keys, invalid UTF-8 and over-deep nesting, and names the path of every error; a
//! compact writer; and the [`Value`] type that flag variants and contexts are made of.

mod exact;
#[cfg(feature = "host-float")]
pub(crate) mod host_float;
mod number;
mod parse;
pub(crate) mod path;
mod serde_impl;
pub(crate) mod write;

#[cfg(feature = "host-float")]
pub use host_float::set_float_parser;
pub use number::Number;
pub(crate) use parse::number_literal;
pub use parse::{parse, JsonLimits};
pub use serde_impl::ValueSeed;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// A JSON value: a variant's value, a context attribute, or a node of a parsed document.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept exact when it is an integer that fits 64 bits.
    Number(Number),
    /// A string.
    String(Box<str>),
    /// An array.
    Array(Vec<Value>),
    /// An object; the parser guarantees its keys are distinct and keeps their order.
    Object(Vec<(Box<str>, Value)>),
}

impl Value {
    /// The member `key` of an object, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members
                .iter()
                .find(|(k, _)| k.as_ref() == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as `f64`, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(n.as_f64()),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[(Box<str>, Value)]> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The JSON type name, for error messages (`"a string"`, `"an object"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// Compact JSON text of this value.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write::write_value(self, &mut out);
        out
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.into())
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(Number::from_f64(n))
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(Number::from_i64(n))
    }
}
