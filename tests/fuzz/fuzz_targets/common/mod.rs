//! What every target does with a snapshot that loaded: evaluate every flag through every
//! accessor with several contexts, `all`, details serialisation and `lint`, checking the
//! invariants evaluation promises (FORMAT.md §3: never panics, a value exactly when the
//! reason is not ERROR, typed getters agree with details, the same answer whether the context
//! was compiled against the snapshot or not).
#![allow(dead_code)]

use edgeflag::{CompiledContext, Context, Details, FlagType, Reason, Snapshot, Value};

/// 2026-11-22T00:00:00Z.
pub const NOW: i64 = 1_795_305_600_000;

/// Values a rich context gives the attributes a snapshot reads, rotated per attribute so that
/// each attribute sees different types across contexts.
fn sample(i: usize) -> Value {
    let samples: [fn() -> Value; 16] = [
        || "user-1".into(),
        || 42i64.into(),
        || 3.5f64.into(),
        || true.into(),
        || "1.2.3".into(),
        || "10.1.2.3".into(),
        || "2026-11-22T00:00:00Z".into(),
        || Value::Array(vec!["pro".into(), "beta".into(), 7i64.into()]),
        || "pro".into(),
        || "DE".into(),
        || "someone@example.com".into(),
        || "2001:db8::1".into(),
        || 1_795_305_600_000i64.into(),
        || (-1.0e300f64).into(),
        || "".into(),
        || Value::Object(vec![("a".into(), 1i64.into())]),
    ];
    samples[i % samples.len()]()
}

/// The contexts a snapshot is evaluated with.
pub fn contexts(snapshot: &Snapshot, extra: &[Context]) -> Vec<Context> {
    let names: Vec<String> = snapshot.attribute_names().map(String::from).collect();
    let mut out = vec![
        Context::new(),
        Context::from_pairs([("targetingKey", "user-1".into())]),
    ];
    for shift in 0..3 {
        out.push(Context::from_pairs(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.as_str(), sample(i + shift * 5))),
        ));
    }
    out.extend(extra.iter().cloned());
    out
}

fn check_typed<T: PartialEq + core::fmt::Debug>(
    what: &str,
    key: &str,
    typed: Details<'_, T>,
    untyped: &Details<'_, Option<&Value>>,
    expected: Option<T>,
) {
    assert_eq!(typed.reason == Reason::Error, typed.error_code.is_some());
    if let Some(expected) = expected {
        assert_eq!(typed.value, expected, "{what} {key}");
        assert_eq!(typed.variant, untyped.variant, "{what} {key}");
        assert_eq!(typed.reason, untyped.reason, "{what} {key}");
        assert_eq!(typed.rule_index, untyped.rule_index, "{what} {key}");
    }
}

/// Evaluates everything in `snapshot` with `ctx` at `now`.
pub fn evaluate_all(snapshot: &Snapshot, ctx: &Context, now: i64) {
    let compiled = snapshot.context(ctx);
    let unbound = CompiledContext::unbound(ctx.clone());
    let default_object = Value::Object(Vec::new());
    let keys: Vec<String> = snapshot
        .flag_keys()
        .map(String::from)
        .chain(["no-such-flag".to_string()])
        .collect();
    for key in &keys {
        let d = snapshot.details(key, &compiled, now);
        // A value exactly when evaluation did not fail; an error code exactly on ERROR.
        assert_eq!(d.value.is_some(), d.reason != Reason::Error, "{key}: {d:?}");
        assert_eq!(d.error_code.is_some(), d.reason == Reason::Error, "{key}");
        // Compiled against the snapshot or not, the same answer.
        assert_eq!(d, snapshot.details(key, &unbound, now), "{key}");
        // Deterministic.
        assert_eq!(d, snapshot.details(key, &compiled, now), "{key}");
        let _ = serde_json::to_string(&d).unwrap();

        let kind = snapshot.flag_type(key);
        let ok = d.value.filter(|_| d.reason != Reason::Error);
        let b = snapshot.bool(key, &compiled, false, now);
        let b2 = snapshot.bool(key, &compiled, true, now);
        let s = snapshot.string(key, &compiled, "\u{1}default", now);
        let n = snapshot.number(key, &compiled, -0.5, now);
        let o = snapshot.object(key, &compiled, &default_object, now);
        match (kind, ok) {
            (Some(FlagType::Boolean), Some(v)) => {
                assert_eq!(Some(b), v.as_bool(), "{key}");
                assert_eq!(b, b2, "{key}");
            }
            (Some(FlagType::String), Some(v)) => assert_eq!(Some(s), v.as_str(), "{key}"),
            (Some(FlagType::Number), Some(v)) => {
                assert_eq!(Some(n.to_bits()), v.as_f64().map(f64::to_bits), "{key}")
            }
            (Some(FlagType::Object), Some(v)) => assert_eq!(o, v, "{key}"),
            _ => {
                // Failed: every getter answers its default.
                assert!(!b && b2, "{key}");
                assert_eq!(s, "\u{1}default", "{key}");
                assert_eq!(n.to_bits(), (-0.5f64).to_bits(), "{key}");
                assert_eq!(o, &default_object, "{key}");
            }
        }
        // Wrong-typed getters answer the default with TYPE_MISMATCH (or FLAG_NOT_FOUND).
        check_typed(
            "bool",
            key,
            snapshot.bool_details(key, &compiled, false, now),
            &d,
            (kind == Some(FlagType::Boolean)).then_some(b),
        );
        check_typed(
            "string",
            key,
            snapshot.string_details(key, &compiled, "\u{1}default", now),
            &d,
            (kind == Some(FlagType::String)).then_some(s),
        );
        check_typed(
            "number",
            key,
            snapshot
                .number_details(key, &compiled, -0.5, now)
                .map(f64::to_bits),
            &d,
            (kind == Some(FlagType::Number)).then_some(n.to_bits()),
        );
        check_typed(
            "object",
            key,
            snapshot.object_details(key, &compiled, &default_object, now),
            &d,
            (kind == Some(FlagType::Object)).then_some(o),
        );
        if kind.is_none() {
            assert!(!b && b2);
        }
    }
    let all = snapshot.all(&compiled, now);
    assert_eq!(all.len(), snapshot.len());
    for (key, details) in &all {
        assert_eq!(details, &snapshot.details(key, &compiled, now), "{key}");
    }
}

/// Evaluates `snapshot` with the built-in contexts plus `extra`, at several instants, and
/// lints it.
pub fn exercise(snapshot: &Snapshot, extra: &[Context]) {
    let header = snapshot.header();
    assert!(header.expires_at > header.issued_at);
    for ctx in contexts(snapshot, extra) {
        for now in [NOW, header.issued_at, header.expires_at] {
            evaluate_all(snapshot, &ctx, now);
        }
    }
    for now in [NOW, i64::MIN, i64::MAX] {
        for warning in edgeflag::lint::lint(snapshot, now) {
            assert!(!warning.path.is_empty());
            let _ = warning.to_string();
        }
    }
}
