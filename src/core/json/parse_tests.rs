use super::*;
use crate::json::Number;
use alloc::format;
use alloc::string::ToString;
use alloc::vec;

fn limits() -> JsonLimits {
    JsonLimits {
        max_depth: 64,
        max_string_bytes: 8192,
    }
}

fn ok(text: &str) -> Value {
    parse(text.as_bytes(), &limits()).unwrap()
}

/// (path, line, column, message) of the error `bytes` must produce under `limits`.
fn err_with(bytes: &[u8], limits: &JsonLimits) -> (String, u32, u32, String) {
    match parse(bytes, limits) {
        Err(Error::Json {
            path,
            line,
            column,
            message,
        }) => (path, line, column, message),
        other => panic!("expected a JSON error for {:?}, got {other:?}", bytes),
    }
}

fn err(text: &str) -> (String, u32, u32, String) {
    err_with(text.as_bytes(), &limits())
}

/// Asserts path and message (and the column, on one-line inputs).
fn rejects(text: &str, path: &str, column: u32, message: &str) {
    let (p, line, c, m) = err(text);
    assert_eq!(
        (p.as_str(), line, c, m.as_str()),
        (path, 1, column, message),
        "{text}"
    );
}

fn int(u: u64) -> Value {
    Value::Number(Number::from_u64(u))
}

#[test]
fn parses_every_kind_of_value() {
    let v = ok(" {\"a\": [true, false, null, 1, -2, 1.5, \"s\"], \"b\": {}, \"c\": []}\r\n\t");
    let expected = Value::Object(vec![
        (
            "a".into(),
            Value::Array(vec![
                Value::Bool(true),
                Value::Bool(false),
                Value::Null,
                int(1),
                Value::Number(Number::from_i64(-2)),
                Value::from(1.5),
                Value::from("s"),
            ]),
        ),
        ("b".into(), Value::Object(vec![])),
        ("c".into(), Value::Array(vec![])),
    ]);
    assert_eq!(v, expected);
    assert_eq!(ok("\"x\""), Value::from("x"));
    assert_eq!(ok("0"), int(0));
}

#[test]
fn numbers_keep_integers_exact() {
    let max = ok("18446744073709551615");
    assert_eq!(max.as_f64(), Some(u64::MAX as f64));
    assert!(matches!(&max, Value::Number(n) if n.as_u64() == Some(u64::MAX)));
    let min = ok("-9223372036854775808");
    assert!(matches!(&min, Value::Number(n) if n.as_i64() == Some(i64::MIN)));
    // One past u64::MAX is a float; so are fractions and exponents.
    let big = ok("18446744073709551616");
    assert!(matches!(&big, Value::Number(n) if !n.is_integer_repr()));
    assert!(matches!(ok("1e2"), Value::Number(n) if !n.is_integer_repr() && n.as_f64() == 100.0));
    assert_eq!(ok("-0.5e-1").as_f64(), Some(-0.05));
    assert_eq!(ok("1E+2").as_f64(), Some(100.0));
    assert_eq!(ok("1e-400").as_f64(), Some(0.0));
    assert_eq!(ok("-0").as_f64(), Some(0.0));
}

#[test]
fn rejects_bad_numbers() {
    rejects("1e400", "(root)", 1, "number out of range");
    rejects("[0, -1e400]", "[1]", 5, "number out of range");
    rejects("01", "(root)", 1, "leading zeros are not allowed");
    rejects("[-01]", "[0]", 2, "leading zeros are not allowed");
    rejects("1.", "(root)", 3, "unexpected end of input");
    rejects("[1.]", "[0]", 4, "expected a digit after '.'");
    rejects("1.e5", "(root)", 3, "expected a digit after '.'");
    rejects(".5", "(root)", 1, "expected a value");
    rejects("+1", "(root)", 1, "expected a value");
    rejects("-", "(root)", 2, "unexpected end of input");
    rejects("[-]", "[0]", 3, "expected a digit after '-'");
    rejects("1e", "(root)", 3, "unexpected end of input");
    rejects("[1e+]", "[0]", 5, "expected a digit in the exponent");
    rejects(
        "0x10",
        "(root)",
        2,
        "trailing characters after the JSON value",
    );
    rejects("NaN", "(root)", 1, "expected a value");
    rejects("[Infinity]", "[0]", 2, "expected a value");
    rejects("-Infinity", "(root)", 2, "expected a digit after '-'");
}

#[test]
fn rejects_bad_literals_and_structure() {
    rejects("", "(root)", 1, "unexpected end of input");
    rejects("  ", "(root)", 3, "unexpected end of input");
    rejects("tru", "(root)", 4, "unexpected end of input");
    rejects("trUe", "(root)", 1, "expected a value");
    rejects("nul1", "(root)", 1, "expected a value");
    rejects(
        "true false",
        "(root)",
        6,
        "trailing characters after the JSON value",
    );
    rejects(
        "[] ]",
        "(root)",
        4,
        "trailing characters after the JSON value",
    );
    rejects("[1 2]", "(root)", 4, "expected ',' or ']'");
    rejects("[1", "(root)", 3, "unexpected end of input");
    rejects("{\"a\" 1}", "(root)", 6, "expected ':'");
    rejects("{\"a\":1 \"b\":2}", "(root)", 8, "expected ',' or '}'");
    rejects("{1:2}", "(root)", 2, "expected a string key");
    rejects("{'a':2}", "(root)", 2, "expected a string key");
    rejects("{\"a\":}", "a", 6, "expected a value");
    rejects("[1,]", "(root)", 3, "trailing comma");
    rejects("{\"a\":1 , }", "(root)", 8, "trailing comma");
    rejects("[,1]", "[0]", 2, "expected a value");
    rejects("// c\n1", "(root)", 1, "expected a value");
    rejects("[1 /* c */]", "(root)", 4, "expected ',' or ']'");
    rejects("\u{feff}1", "(root)", 1, "byte order mark is not allowed");
    // Only space, tab, LF and CR are whitespace.
    rejects("\u{c}1", "(root)", 1, "expected a value");
    rejects("\u{a0}1", "(root)", 1, "expected a value");
}

#[test]
fn error_paths_name_the_value_being_read() {
    let (path, _, _, message) = err("{\"flags\":{\"a\":{\"rules\":[1, x]}}}");
    assert_eq!(
        (path.as_str(), message.as_str()),
        ("flags.a.rules[1]", "expected a value")
    );
    let (path, ..) = err("{\"flags\":{\"new-checkout\":{\"rules\":[0, 1, {\"op\": tru}]}}}");
    assert_eq!(path, "flags.new-checkout.rules[2].op");
    // Keys that would read ambiguously after a dot are quoted.
    rejects("{\"a.b\":[x]}", "[\"a.b\"][0]", 9, "expected a value");
    // Separator errors belong to the container, not to a child.
    rejects("{\"a\":[1 2]}", "a", 9, "expected ',' or ']'");
    // Arrays inside arrays, with objects between: every index counts only its own items.
    let (path, ..) = err("[[7, 8, 9], 1, {\"a\": [2, [3, 4], {\"b\": [[], [5, 6], x]}]}]");
    assert_eq!(path, "[2].a[2].b[2]");
    let (path, ..) = err("[{\"a\": 1, \"b\": [0, {\"c\": 2, \"d\": [1, [2, x]]}]}]");
    assert_eq!(path, "[0].b[1].d[1][1]");
}

#[test]
fn reports_lines_and_columns() {
    let (path, line, column, message) = err("{\n  \"a\": [\n    1,\n    @\n  ]\n}");
    assert_eq!((path.as_str(), line, column), ("a[1]", 4, 5));
    assert_eq!(message, "expected a value");
    let (_, line, column, _) = err("[\r\n1,\r\n]");
    assert_eq!((line, column), (2, 2));
}

#[test]
fn decodes_strings_and_escapes() {
    assert_eq!(
        ok(r#""a\"b\\c\/d\be\ff\ng\rh\ti""#),
        Value::from("a\"b\\c/d\u{8}e\u{c}f\ng\rh\ti")
    );
    assert_eq!(ok(r#""\u0041\u00e9\u4e2D""#), Value::from("Aé中"));
    assert_eq!(ok(r#""\ud83d\ude00!""#), Value::from("😀!"));
    assert_eq!(ok("\"héllo 😀\""), Value::from("héllo 😀"));
    assert_eq!(ok(r#""\u0000""#), Value::from("\u{0}"));
    assert_eq!(ok("{\"k\\u0065y\":1}").get("key"), Some(&int(1)));
}

#[test]
fn rejects_bad_strings() {
    rejects("\"abc", "(root)", 5, "unexpected end of input");
    rejects(
        "[\"a\tb\"]",
        "[0]",
        4,
        "control character in string (must be escaped)",
    );
    rejects(
        "\"a\nb\"",
        "(root)",
        3,
        "control character in string (must be escaped)",
    );
    rejects(
        "\"\u{1f}\"",
        "(root)",
        2,
        "control character in string (must be escaped)",
    );
    rejects(r#"{"a":"\x"}"#, "a", 7, "invalid escape");
    rejects(r#""\'""#, "(root)", 2, "invalid escape");
    rejects(r#""\u12G4""#, "(root)", 2, "invalid \\u escape");
    rejects(r#""\u12""#, "(root)", 2, "invalid \\u escape");
    rejects(
        r#""\ud83d""#,
        "(root)",
        2,
        "unpaired surrogate in \\u escape",
    );
    rejects(
        r#""\ud83dx""#,
        "(root)",
        2,
        "unpaired surrogate in \\u escape",
    );
    rejects(
        r#""\ud83d\u0041""#,
        "(root)",
        2,
        "unpaired surrogate in \\u escape",
    );
    rejects(
        r#"["\ude00"]"#,
        "[0]",
        3,
        "unpaired surrogate in \\u escape",
    );
    // An invalid escape in a key belongs to the object.
    rejects(r#"{"a":{"\q":1}}"#, "a", 8, "invalid escape");
}

#[test]
fn rejects_invalid_utf8_with_its_path() {
    let (path, line, column, message) = err_with(b"{\"a\":[\"ok\", \"b\xff\"]}", &limits());
    assert_eq!((path.as_str(), line, column), ("a[1]", 1, 15));
    assert_eq!(message, "invalid UTF-8");
    // Overlong encodings and lone continuation bytes, in and out of strings.
    for bad in [&b"\"\xc0\xaf\""[..], b"\x80", b"[1]\xff", b"[1, \xe2\x82]"] {
        assert_eq!(err_with(bad, &limits()).3, "invalid UTF-8", "{bad:?}");
    }
    // An encoded surrogate (CESU-8) is not UTF-8 either.
    assert_eq!(err_with(b"\"\xed\xa0\x80\"", &limits()).3, "invalid UTF-8");
}

#[test]
fn enforces_the_string_limit_on_decoded_bytes() {
    let tight = JsonLimits {
        max_depth: 8,
        max_string_bytes: 4,
    };
    assert!(parse(b"\"abcd\"", &tight).is_ok());
    // Nine bytes of text, four decoded.
    assert!(parse(br#""\u0061bcd""#, &tight).is_ok());
    let expected = ("a".into(), 1, 6, "string longer than 4 bytes".into());
    assert_eq!(err_with(br#"{"a":"abcde"}"#, &tight), expected);
    assert_eq!(err_with(br#"{"a":"ab\ncde"}"#, &tight), expected);
    let (path, _, column, message) = err_with(br#"{"a":{"keyed":1}}"#, &tight);
    assert_eq!(
        (path.as_str(), column, message.as_str()),
        ("a", 7, "string longer than 4 bytes")
    );
    assert_eq!(
        err_with("\"ééé\"".as_bytes(), &tight).3,
        "string longer than 4 bytes"
    );
}

#[test]
fn enforces_the_depth_limit() {
    let three = JsonLimits {
        max_depth: 3,
        max_string_bytes: 64,
    };
    assert!(parse(b"[[[1]]]", &three).is_ok());
    assert!(parse(br#"{"a":[{}]}"#, &three).is_ok());
    let expected = ("[0][0][0]".into(), 1, 4, "nesting deeper than 3".into());
    assert_eq!(err_with(b"[[[[1]]]]", &three), expected);
    assert_eq!(err_with(b"[[[[]]]]", &three), expected);
    let (path, ..) = err_with(br#"{"a":{"b":{"c":{}}}}"#, &three);
    assert_eq!(path, "a.b.c");
    let zero = JsonLimits {
        max_depth: 0,
        max_string_bytes: 64,
    };
    assert!(parse(b"1", &zero).is_ok());
    assert_eq!(err_with(b"[]", &zero).3, "nesting deeper than 0");
}

#[test]
fn huge_nesting_fails_without_overflowing_the_stack() {
    for levels in [10_000, 1_000_000] {
        let arrays = "[".repeat(levels) + &"]".repeat(levels);
        assert_eq!(err(&arrays).3, "nesting deeper than 64");
        let objects = "{\"a\":".repeat(levels) + "1" + &"}".repeat(levels);
        let (path, _, column, message) = err(&objects);
        assert_eq!(
            (column, message.as_str()),
            (64 * 5 + 1, "nesting deeper than 64")
        );
        assert_eq!(path.matches('a').count(), 64);
        // Unterminated: the parser must stop at the limit, not read to the end.
        assert_eq!(err(&"[".repeat(levels)).3, "nesting deeper than 64");
    }
    // Within a generous limit the explicit stack handles deep input too.
    let deep = JsonLimits {
        max_depth: 100_000,
        max_string_bytes: 64,
    };
    let unclosed = "[".repeat(100_000);
    assert_eq!(
        err_with(unclosed.as_bytes(), &deep).3,
        "unexpected end of input"
    );
}

#[test]
fn rejects_duplicate_keys() {
    rejects(r#"{"a":1,"a":2}"#, "(root)", 8, "duplicate key \"a\"");
    rejects(
        r#"{"x":{"a":1,"b":2,"a":{}}}"#,
        "x",
        19,
        "duplicate key \"a\"",
    );
    // Same key after unescaping.
    rejects(r#"{"a":1,"\u0061":2}"#, "(root)", 8, "duplicate key \"a\"");
    // The same key in different objects is fine.
    assert!(parse(br#"{"a":{"a":1},"b":{"a":2}}"#, &limits()).is_ok());
}

fn big_object(members: usize, duplicate_of: Option<usize>) -> String {
    let mut text = String::from("{");
    for i in 0..members {
        if i > 0 {
            text.push(',');
        }
        let key = match (duplicate_of, i + 1 == members) {
            (Some(d), true) => d,
            _ => i,
        };
        text.push_str(&format!("\"key-{key}\":{i}"));
    }
    text.push('}');
    text
}

#[test]
fn large_objects_are_checked_for_duplicates_quickly() {
    let clean = big_object(10_000, None);
    let v = ok(&clean);
    assert_eq!(v.as_object().map(<[_]>::len), Some(10_000));
    assert_eq!(v.get("key-9999"), Some(&int(9999)));

    let wrapped = format!("{{\"flags\":{}}}", big_object(10_000, Some(4_321)));
    let (path, _, column, message) = err(&wrapped);
    assert_eq!(path, "flags");
    assert_eq!(message, "duplicate key \"key-4321\"");
    // The column points at the second occurrence, the last member's key.
    let last_key = wrapped.rfind("\"key-4321\"").unwrap();
    assert_eq!(column as usize, last_key + 1);

    // Several duplicates: the first repeated in document order is reported.
    let text = format!("{},\"key-3\":0,\"key-2\":0}}", &clean[..clean.len() - 1]);
    assert_eq!(err(&text).3, "duplicate key \"key-3\"");
    // A duplicate among the first members of a large object is caught right away.
    let early = format!("{{\"z\":0,\"z\":1,{}", &clean[1..]);
    assert_eq!(err(&early).2, 8);
}

#[test]
fn parses_a_four_mebibyte_payload() {
    let item = r#"{"id":"rule-0001","values":["alpha","beta\n",12345,1.5e3,true,null]}"#;
    let count = 4 * 1024 * 1024 / (item.len() + 1);
    let text = format!("[{}]", vec![item; count].join(","));
    let v = ok(&text);
    assert_eq!(v.as_array().map(<[_]>::len), Some(count));
    assert_eq!(parse(v.to_json().as_bytes(), &limits()).unwrap(), v);
}

#[test]
fn round_trips_through_the_writer() {
    let inputs = [
        r#"{"b":[1,-2,0.5,1e+21,1.5e-7,"x\"y\\z\n\u0001é😀"],"a":{"c":null,"d":true}}"#,
        r#"[[],{},[[]],"",0,-9223372036854775808,18446744073709551615]"#,
        "  [ 1 , 2.25 , { \"k\" : \"v\" } ]  ",
    ];
    for input in inputs {
        let v = ok(input);
        let written = v.to_json();
        assert_eq!(ok(&written), v, "{input}");
        assert_eq!(ok(&written).to_json(), written);
    }
    let canonical = r#"{"b":[1,-2,0.5,1e+21,1.5e-7,"x\"y\\z\n\u0001é😀"],"a":{"c":null,"d":true}}"#;
    assert_eq!(ok(canonical).to_json(), canonical);
    assert_eq!(ok("[0.1, 100, 1E2]").to_json(), "[0.1,100,100]");
    assert_eq!(ok("\"a\\/b\"").to_json(), "\"a/b\"");
    assert_eq!(Value::Null.to_json().to_string(), "null");
}

#[test]
fn the_number_grammar_check_agrees_with_the_parser() {
    // Every string the parser reads as exactly one number passes the check, and the check
    // refuses everything else (so the evaluation path never reaches the parser's errors).
    let texts = [
        "0",
        "-0",
        "12",
        "12.5",
        "1e3",
        "1E+3",
        "1e-3",
        "-1.5e10",
        "0.0",
        "10",
        "01",
        "1.",
        ".5",
        "-",
        "-x",
        "1e",
        "1e+",
        "+1",
        " 1",
        "1 ",
        "0x1",
        "NaN",
        "1.e3",
        "00",
        "-01",
        "1e999",
        "",
        "9007199254740993",
        "1.5.5",
        "--1",
        "1ee2",
    ];
    for t in texts {
        let parser_reads = {
            let mut p = Parser {
                text: t,
                full: t.as_bytes(),
                pos: 0,
                truncated: false,
                limits: limits(),
                scratch: String::new(),
                items: Vec::new(),
                members: Vec::new(),
                key_positions: Vec::new(),
            };
            matches!(p.number(&[]), Ok(Value::Number(_))) && p.pos == t.len()
        };
        let grammar = json_number_grammar(t.as_bytes());
        // "1e999" is in the grammar but out of range: the only case the parser refuses after.
        assert_eq!(grammar, parser_reads || t == "1e999", "{t:?}");
    }
}
