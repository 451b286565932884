use super::*;
use crate::json::{parse, JsonLimits};
use alloc::format;
use alloc::string::ToString;
use alloc::vec;
use serde::de::value::{BytesDeserializer, Error as PlainError};
use serde::de::IntoDeserializer;
use std::string::String;

fn limits(max_depth: usize, max_string_bytes: usize, max_values: usize) -> ContextLimits {
    ContextLimits {
        max_depth,
        max_string_bytes,
        max_values,
        ..ContextLimits::default()
    }
}

fn read_with(text: &str, limits: &ContextLimits) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    ValueSeed::new(limits)
        .deserialize(&mut de)
        .map_err(|e| e.to_string())
}

fn read(text: &str) -> Value {
    read_with(text, &ContextLimits::default()).unwrap()
}

fn parsed(text: &str) -> Value {
    let limits = JsonLimits {
        max_depth: 64,
        max_string_bytes: 8192,
    };
    parse(text.as_bytes(), &limits).unwrap()
}

/// The error message, without serde_json's " at line L column C".
fn rejection(text: &str, limits: &ContextLimits) -> String {
    let message = read_with(text, limits).unwrap_err();
    match message.find(" at line ") {
        Some(at) => message[..at].to_string(),
        None => message,
    }
}

const SAMPLE: &str = r#"{"targetingKey":"u1","plan":"pro","seats":3,"ratio":0.25,"neg":-7,
    "big":18446744073709551615,"tags":["a","b\n",null,true,false],"nested":{"x":[{}],"y":[]},
    "esc":"é😀\u0001","float":1e+21}"#;

#[test]
fn reads_what_the_parser_reads() {
    assert_eq!(read(SAMPLE), parsed(SAMPLE));
    assert_eq!(read("null"), Value::Null);
    assert_eq!(read("\"s\""), Value::from("s"));
}

#[test]
fn round_trips_through_serde_json() {
    let value = parsed(SAMPLE);
    let text = serde_json::to_string(&value).unwrap();
    assert_eq!(read(&text), value);
    // Integers serialize exactly and members keep their order.
    assert!(text.starts_with(r#"{"targetingKey":"u1","plan":"pro","seats":3,"ratio":0.25"#));
    assert!(text.contains(r#""big":18446744073709551615"#));
    // serde_json writes floats its own way; the writer follows JavaScript instead.
    assert!(value.to_json().contains(r#""float":1e+21"#));
}

#[test]
fn reads_serde_json_values_and_numbers_by_representation() {
    let json: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
    let value = ValueSeed::new(&ContextLimits::default())
        .deserialize(&json)
        .unwrap();
    // serde_json's map may reorder keys; compare member by member.
    for (key, member) in parsed(SAMPLE).as_object().unwrap() {
        assert_eq!(value.get(key), Some(member), "{key}");
    }
    let n = read("-7");
    assert!(matches!(n, Value::Number(n) if n.is_integer_repr() && n.as_i64() == Some(-7)));
    let f = read("2.0");
    assert!(matches!(f, Value::Number(n) if !n.is_integer_repr() && n.as_f64() == 2.0));
    assert_eq!(
        serde_json::to_string(&Number::from_f64(2.5)).unwrap(),
        "2.5"
    );
    assert_eq!(serde_json::to_string(&Number::from_i64(-3)).unwrap(), "-3");
}

/// A deserializer that presents `Some(inner)`, which serde_json never does on its own.
struct SomeOf<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for SomeOf<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        visitor.visit_some(self.0)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

fn primitive<'de, D: Deserializer<'de, Error = PlainError>>(d: D) -> Result<Value, String> {
    ValueSeed::new(&ContextLimits::default())
        .deserialize(d)
        .map_err(|e| e.to_string())
}

#[test]
fn accepts_every_serde_primitive() {
    assert_eq!(primitive(true.into_deserializer()), Ok(Value::Bool(true)));
    assert_eq!(primitive(7u8.into_deserializer()), Ok(Value::from(7i64)));
    assert_eq!(
        primitive((-5i128).into_deserializer()),
        Ok(Value::from(-5i64))
    );
    assert_eq!(primitive(5u128.into_deserializer()), Ok(Value::from(5i64)));
    // Beyond 64 bits: approximated as f64.
    assert_eq!(
        primitive(i128::MAX.into_deserializer()),
        Ok(Value::from(i128::MAX as f64))
    );
    assert_eq!(
        primitive(i128::MIN.into_deserializer()),
        Ok(Value::from(i128::MIN as f64))
    );
    assert_eq!(
        primitive(u128::MAX.into_deserializer()),
        Ok(Value::from(u128::MAX as f64))
    );
    assert_eq!(primitive(1.5f32.into_deserializer()), Ok(Value::from(1.5)));
    assert_eq!(primitive('é'.into_deserializer()), Ok(Value::from("é")));
    assert_eq!(primitive(().into_deserializer()), Ok(Value::Null));
    assert_eq!(
        primitive("own".to_string().into_deserializer()),
        Ok(Value::from("own"))
    );
    assert_eq!(
        primitive(SomeOf("in".into_deserializer())),
        Ok(Value::from("in"))
    );
    assert_eq!(primitive(SomeOf(().into_deserializer())), Ok(Value::Null));
}

#[test]
fn rejects_non_finite_numbers_and_bytes() {
    for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(
            primitive(f.into_deserializer()),
            Err("non-finite number".into())
        );
    }
    let bytes = primitive(BytesDeserializer::new(b"ab"));
    assert_eq!(bytes, Err("byte strings are not JSON values".into()));
    let keyed: std::collections::BTreeMap<i32, i32> = [(1, 2)].into_iter().collect();
    let message = primitive(keyed.into_deserializer()).unwrap_err();
    assert!(message.contains("a string object key"), "{message}");
}

#[test]
fn enforces_depth_before_descending() {
    let three = limits(3, 64, 1_000);
    assert!(read_with("[[[1]]]", &three).is_ok());
    assert!(read_with(r#"{"a":{"b":[]}}"#, &three).is_ok());
    assert_eq!(rejection("[[[[1]]]]", &three), "nesting deeper than 3");
    assert_eq!(
        rejection(r#"{"a":{"b":{"c":{}}}}"#, &three),
        "nesting deeper than 3"
    );
    // Far deeper than serde_json's own recursion limit: ours must fire first.
    let deep = "[".repeat(1_000_000);
    assert_eq!(
        rejection(&deep, &ContextLimits::default()),
        "nesting deeper than 32"
    );
}

#[test]
fn enforces_the_string_limit_on_values_and_keys() {
    let four = limits(8, 4, 1_000);
    assert!(read_with(r#"{"abcd":"wxyz"}"#, &four).is_ok());
    assert_eq!(
        rejection(r#"{"a":"abcde"}"#, &four),
        "string longer than 4 bytes"
    );
    assert_eq!(
        rejection(r#"{"abcde":1}"#, &four),
        "string longer than 4 bytes"
    );
    assert_eq!(
        rejection(r#"["ab\ncde"]"#, &four),
        "string longer than 4 bytes"
    );
}

#[test]
fn shares_one_value_budget_across_the_tree() {
    let five = limits(8, 64, 5);
    // Five values below the root: the array under "a", its three elements, and "b".
    assert!(read_with(r#"{"a":[1,2,3],"b":null}"#, &five).is_ok());
    assert_eq!(
        rejection(r#"{"a":[1,2,3,4],"b":null}"#, &five),
        "more than 5 values"
    );
    assert_eq!(rejection(r#"[[1,2],[3,4]]"#, &five), "more than 5 values");
    let many = format!("[{}]", vec!["0"; 10_001].join(","));
    assert_eq!(
        rejection(&many, &ContextLimits::default()),
        "more than 10000 values"
    );
    let exactly = format!("[{}]", vec!["0"; 10_000].join(","));
    assert!(read_with(&exactly, &ContextLimits::default()).is_ok());
}

#[test]
fn rejects_duplicate_keys_small_and_large() {
    assert_eq!(
        rejection(r#"{"a":1,"b":2,"a":3}"#, &ContextLimits::default()),
        "duplicate key \"a\""
    );
    assert_eq!(
        rejection(r#"{"x":{"k":1,"k":1}}"#, &ContextLimits::default()),
        "duplicate key \"k\""
    );
    let mut members: Vec<String> = (0..9_000).map(|i| format!("\"k{i}\":{i}")).collect();
    let clean = format!("{{{}}}", members.join(","));
    assert!(read_with(&clean, &ContextLimits::default()).is_ok());
    members.push("\"k1234\":0".into());
    let dup = format!("{{{}}}", members.join(","));
    assert_eq!(
        rejection(&dup, &ContextLimits::default()),
        "duplicate key \"k1234\""
    );
}
