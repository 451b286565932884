use super::*;
use alloc::vec;

fn float(f: f64) -> String {
    let mut out = String::new();
    write_f64(f, &mut out);
    out
}

#[test]
fn formats_floats_like_javascript() {
    // Expected texts are what node prints for `JSON.stringify(x)`.
    let table: &[(f64, &str)] = &[
        (0.1, "0.1"),
        (0.5, "0.5"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (9.999999999999999e20, "999999999999999900000"),
        (1.2345678901234567e21, "1.2345678901234568e+21"),
        (1e-7, "1e-7"),
        (-1e-7, "-1e-7"),
        (1.5e-7, "1.5e-7"),
        (1e-6, "0.000001"),
        (1.5e-6, "0.0000015"),
        (0.000001234, "0.000001234"),
        (1e-5, "0.00001"),
        (123e-20, "1.23e-18"),
        (-123.456e-10, "-1.23456e-8"),
        (123456789.125, "123456789.125"),
        (-0.0, "0"),
        (0.0, "0"),
        (5e-324, "5e-324"),
        (1.5e-323, "1.5e-323"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (-1.7976931348623157e308, "-1.7976931348623157e+308"),
        (9007199254740992.0, "9007199254740992"),
        (18446744073709551616.0, "18446744073709552000"),
        (100.0, "100"),
        (1e300, "1e+300"),
        (0.1 + 0.2, "0.30000000000000004"),
        (4.35, "4.35"),
        (1.0 / 3.0, "0.3333333333333333"),
        (-1.5, "-1.5"),
        // Exactly halfway between two shortest candidates (…297.625, …515.25, …106.625):
        // JavaScript takes the even one.
        (f64::from_bits(0x42eb_c061_3f94_1434), "244104633819297.62"),
        (f64::from_bits(0x4302_c9b1_dbdd_4eda), "661039414487515.2"),
        (-f64::from_bits(0x42d1_5481_55af_f6a8), "-76218579206106.62"),
        (f64::NAN, "null"),
        (f64::INFINITY, "null"),
        (f64::NEG_INFINITY, "null"),
    ];
    for &(f, expected) in table {
        assert_eq!(float(f), expected, "{f:e}");
    }
}

#[test]
fn formatted_floats_parse_back_to_the_same_value() {
    let mut bits: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..20_000 {
        // xorshift: a spread of exponents and mantissas, no external generator needed.
        bits ^= bits << 13;
        bits ^= bits >> 7;
        bits ^= bits << 17;
        let f = f64::from_bits(bits);
        if f.is_finite() {
            let text = float(f);
            assert_eq!(text.parse::<f64>().unwrap(), f, "{text}");
        }
    }
}

#[test]
fn writes_integers_exactly() {
    let cases = [
        (Number::from_u64(u64::MAX), "18446744073709551615"),
        (Number::from_i64(i64::MIN), "-9223372036854775808"),
        (Number::from_i64(-1), "-1"),
        (Number::from_u64(0), "0"),
        (Number::from_f64(42.0), "42"),
        (Number::from_f64(2.5), "2.5"),
    ];
    for (n, expected) in cases {
        let mut out = String::new();
        write_number(&n, &mut out);
        assert_eq!(out, expected);
    }
}

#[test]
fn escapes_strings_like_json_stringify() {
    let v = Value::from("\u{1}\u{1f}\u{7f}\u{8}\u{c}\n\r\t\"\\/é😀\u{2028}\u{0}");
    assert_eq!(
        v.to_json(),
        "\"\\u0001\\u001f\u{7f}\\b\\f\\n\\r\\t\\\"\\\\/é😀\u{2028}\\u0000\""
    );
    assert_eq!(Value::from("").to_json(), "\"\"");
    assert_eq!(Value::from("plain").to_json(), "\"plain\"");
}

#[test]
fn writes_compact_json_in_stored_order() {
    let v = Value::Object(vec![
        (
            "b".into(),
            Value::Array(vec![1i64.into(), Value::Object(vec![])]),
        ),
        ("a".into(), "x".into()),
        (
            "k\"ey".into(),
            Value::Array(vec![Value::Null, true.into(), false.into()]),
        ),
        (
            "e".into(),
            Value::Array(vec![Value::Array(vec![]), Value::Array(vec![])]),
        ),
    ]);
    assert_eq!(
        v.to_json(),
        r#"{"b":[1,{}],"a":"x","k\"ey":[null,true,false],"e":[[],[]]}"#
    );
}

#[test]
fn writes_deep_values_without_recursion() {
    let mut v = Value::Null;
    for _ in 0..10_000 {
        v = Value::Array(vec![v]);
    }
    let expected = "[".repeat(10_000) + "null" + &"]".repeat(10_000);
    assert_eq!(v.to_json(), expected);
    // Dismantle iteratively: `Value`'s own drop recurses.
    while let Value::Array(mut items) = v {
        v = items.pop().unwrap_or(Value::Null);
    }
}
