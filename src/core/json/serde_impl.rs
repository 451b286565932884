//! serde support: [`Value`] and [`Number`] serialize as the JSON they stand for, and
//! [`ValueSeed`] builds a [`Value`] from any serde deserializer (a `serde_json` value, a
//! JavaScript object through serde-wasm-bindgen) under the context limits, so that a context
//! from application code is bounded exactly like one parsed from text.

use super::parse::first_duplicate;
use super::{Number, Value};
use crate::ContextLimits;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::Cell;
use core::fmt;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Number(n) => n.serialize(serializer),
            Value::String(s) => serializer.serialize_str(s),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(&**key, value)?;
                }
                map.end()
            }
        }
    }
}

impl Serialize for Number {
    /// Integers as `u64`/`i64` (exact), everything else as `f64`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_integer_repr() {
            if let Some(u) = self.as_u64() {
                return serializer.serialize_u64(u);
            }
            if let Some(i) = self.as_i64() {
                return serializer.serialize_i64(i);
            }
        }
        serializer.serialize_f64(self.as_f64())
    }
}

/// Builds a [`Value`] from any serde deserializer, enforcing [`ContextLimits`]: nesting depth
/// (checked before descending, so cyclic or absurdly deep input fails fast), string length,
/// the total number of values, and distinct object keys.
///
/// Depth counts open arrays and objects, as in the JSON parser: with `max_depth` N, N levels
/// are accepted and N + 1 refused. Every array element and object member counts towards
/// `max_values`; the root value does not.
///
/// ```
/// use edgeflag::{unstable::json::ValueSeed, ContextLimits};
/// use serde::de::DeserializeSeed;
///
/// let mut de = serde_json::Deserializer::from_str(r#"{"plan":"pro","seats":3}"#);
/// let value = ValueSeed::new(&ContextLimits::default()).deserialize(&mut de)?;
/// assert_eq!(value.get("plan").and_then(|v| v.as_str()), Some("pro"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValueSeed {
    max_depth: usize,
    max_string_bytes: usize,
    max_values: usize,
}

impl ValueSeed {
    /// A seed that enforces `limits` (`max_attributes` is left to the caller, who knows
    /// which object holds the attributes).
    pub fn new(limits: &ContextLimits) -> Self {
        ValueSeed {
            max_depth: limits.max_depth,
            max_string_bytes: limits.max_string_bytes,
            max_values: limits.max_values,
        }
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        let budget = Budget {
            limits: self,
            remaining: Cell::new(self.max_values),
        };
        Node {
            budget: &budget,
            depth: 0,
        }
        .deserialize(deserializer)
    }
}

/// The limits and what is left of the value budget, shared by every node of one tree.
struct Budget {
    limits: ValueSeed,
    remaining: Cell<usize>,
}

impl Budget {
    /// Counts one more value against `max_values`.
    fn charge<E: de::Error>(&self) -> Result<(), E> {
        match self.remaining.get().checked_sub(1) {
            Some(left) => {
                self.remaining.set(left);
                Ok(())
            }
            None => Err(E::custom(format_args!(
                "more than {} values",
                self.limits.max_values
            ))),
        }
    }

    fn string<E: de::Error>(&self, s: &str) -> Result<(), E> {
        if s.len() > self.limits.max_string_bytes {
            return Err(E::custom(format_args!(
                "string longer than {} bytes",
                self.limits.max_string_bytes
            )));
        }
        Ok(())
    }

    /// Checks that a container at `depth` may be opened (it would be level `depth + 1`).
    fn open<E: de::Error>(&self, depth: usize) -> Result<usize, E> {
        if depth >= self.limits.max_depth {
            return Err(E::custom(format_args!(
                "nesting deeper than {}",
                self.limits.max_depth
            )));
        }
        Ok(depth + 1)
    }
}

/// One value of the tree: `depth` is the number of arrays/objects around it.
#[derive(Clone, Copy)]
struct Node<'b> {
    budget: &'b Budget,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        if self.depth > 0 {
            self.budget.charge()?;
        }
        deserializer.deserialize_any(self)
    }
}

/// Largest capacity reserved up front from a size hint, which the input controls.
const MAX_PREALLOCATED: usize = 256;

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Number(Number::from_i64(i)))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Number(Number::from_u64(u)))
    }

    fn visit_i128<E: de::Error>(self, i: i128) -> Result<Value, E> {
        // Beyond 64 bits the value can only be approximated, as JSON readers do.
        Ok(Value::Number(match i64::try_from(i) {
            Ok(i) => Number::from_i64(i),
            Err(_) => Number::from_f64(i as f64),
        }))
    }

    fn visit_u128<E: de::Error>(self, u: u128) -> Result<Value, E> {
        Ok(Value::Number(match u64::try_from(u) {
            Ok(u) => Number::from_u64(u),
            Err(_) => Number::from_f64(u as f64),
        }))
    }

    fn visit_f32<E: de::Error>(self, f: f32) -> Result<Value, E> {
        self.visit_f64(f64::from(f))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        if !f.is_finite() {
            return Err(E::custom("non-finite number"));
        }
        Ok(Value::Number(Number::from_f64(f)))
    }

    fn visit_char<E: de::Error>(self, c: char) -> Result<Value, E> {
        let mut buf = [0; 4];
        self.visit_str(c.encode_utf8(&mut buf))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.budget.string(s)?;
        Ok(Value::String(Box::from(s)))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        self.budget.string(&s)?;
        Ok(Value::String(s.into_boxed_str()))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Value, E> {
        Err(E::custom("byte strings are not JSON values"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        // `Some(x)` is `x` itself: same depth, already counted.
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let child = Node {
            budget: self.budget,
            depth: self.budget.open(self.depth)?,
        };
        let hint = seq.size_hint().unwrap_or(0);
        let mut items = Vec::with_capacity(hint.min(MAX_PREALLOCATED));
        while let Some(item) = seq.next_element_seed(child)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let child = Node {
            budget: self.budget,
            depth: self.budget.open(self.depth)?,
        };
        let hint = map.size_hint().unwrap_or(0);
        let mut members: Vec<(Box<str>, Value)> = Vec::with_capacity(hint.min(MAX_PREALLOCATED));
        while let Some(key) = map.next_key_seed(Key(self.budget))? {
            // Small objects: compare with each earlier key; large ones: one sort at the end.
            if members.len() < super::parse::LINEAR_DUPLICATE_CHECK
                && members.iter().any(|(k, _)| *k == key)
            {
                return Err(duplicate(&key));
            }
            let value = map.next_value_seed(child)?;
            members.push((key, value));
        }
        if members.len() > super::parse::LINEAR_DUPLICATE_CHECK {
            if let Some((key, _)) = first_duplicate(members.iter().map(|(k, _)| &**k), 0..) {
                return Err(duplicate(key));
            }
        }
        Ok(Value::Object(members))
    }
}

fn duplicate<E: de::Error>(key: &str) -> E {
    E::custom(format_args!("duplicate key {key:?}"))
}

/// An object key: a string within the length limit.
struct Key<'b>(&'b Budget);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Box<str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Box<str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Box<str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string object key")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Box<str>, E> {
        self.0.string(s)?;
        Ok(Box::from(s))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Box<str>, E> {
        self.0.string(&s)?;
        Ok(s.into_boxed_str())
    }

    fn visit_char<E: de::Error>(self, c: char) -> Result<Box<str>, E> {
        let mut buf = [0; 4];
        self.visit_str(c.encode_utf8(&mut buf))
    }
}

#[cfg(test)]
#[path = "serde_tests.rs"]
mod tests;
