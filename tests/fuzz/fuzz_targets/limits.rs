//! Payloads at every limit: one dimension of `Limits` (bytes, flags, segments, rules per flag,
//! conditions per rule, values per condition, variants per flag, string bytes, nesting depth,
//! prerequisite depth) set just below, at, or just above its limit, the others small, and
//! the fuzzer's choice of names, values and padding around them. A payload loads exactly when
//! it is within every limit; over one it is refused with the error that names it, without
//! panicking and in bounded time.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use arbitrary::Arbitrary;
use edgeflag::{Error, Limits, Snapshot};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Case {
    dimension: u8,
    /// 0: one below the limit, 1: at it, 2: one above.
    offset: u8,
    /// Characters the generated strings are made of (filtered to [a-z0-9-]).
    alphabet: Vec<u8>,
}

fn limits() -> Limits {
    Limits {
        max_bytes: 4_096,
        max_flags: 5,
        max_segments: 3,
        max_rules_per_flag: 4,
        max_conditions_per_rule: 3,
        max_values_per_condition: 5,
        max_string_bytes: 40,
        max_depth: 12,
        max_variants_per_flag: 4,
        max_dependency_depth: 3,
        max_dependency_work: 10_000,
        ..Limits::default()
    }
}

/// A flag whose variants, rules, conditions and values are counted by the arguments.
fn flag(
    variants: usize,
    rules: usize,
    conditions: usize,
    values: usize,
    value: &str,
    pre: Option<&str>,
) -> String {
    let names: Vec<String> = (0..variants)
        .map(|i| format!(r#""v{i}":"{value}""#))
        .collect();
    let vals: Vec<String> = (0..values).map(|i| format!(r#""{value}{i}""#)).collect();
    let cond = format!(
        r#"{{"attribute":"plan","op":"in","values":[{}]}}"#,
        vals.join(",")
    );
    let conds = vec![cond; conditions].join(",");
    let rule =
        |i: usize| format!(r#"{{"id":"r{i}","conditions":[{conds}],"serve":{{"variant":"v0"}}}}"#);
    let rules: Vec<String> = (0..rules).map(rule).collect();
    let pre = pre.map_or(String::new(), |p| {
        format!(r#","prerequisites":[{{"flag":"{p}","variants":["v0"]}}]"#)
    });
    format!(
        r#"{{"type":"string","variants":{{{}}},"offVariant":"v0","rules":[{}]{pre}}}"#,
        names.join(","),
        rules.join(",")
    )
}

fn payload(flags: &[String], segments: usize, extra: &str) -> String {
    let flags: Vec<String> = flags
        .iter()
        .enumerate()
        .map(|(i, f)| format!(r#""f{i}":{f}"#))
        .collect();
    let segs: Vec<String> = (0..segments)
        .map(|i| format!(r#""s{i}":{{"included":["u{i}"]}}"#))
        .collect();
    format!(
        r#"{{"schema":"edgeflag/v1","owner":"o","environment":"e","version":1,"issuedAt":"2026-11-21T10:00:00Z","expiresAt":"2026-11-28T10:00:00Z","segments":{{{}}},"flags":{{{}}}{extra}}}"#,
        segs.join(","),
        flags.join(",")
    )
}

fuzz_target!(|case: Case| {
    let l = limits();
    let word: String = case
        .alphabet
        .iter()
        .map(|b| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789-"[usize::from(*b) % 37]))
        .take(8)
        .collect();
    let word = if word.is_empty() {
        "x".to_owned()
    } else {
        word
    };
    let offset = usize::from(case.offset % 3);
    // n: the count under test; `limit` what it is held to.
    let n_of = |limit: usize| (limit + offset).saturating_sub(1);
    let one = |variants, rules, conditions, values| {
        vec![flag(variants, rules, conditions, values, &word, None)]
    };
    let (text, limit, n, what): (String, usize, usize, &str) = match case.dimension % 10 {
        0 => {
            let base = payload(&one(1, 0, 0, 0), 0, r#","pad":[]"#).len();
            let n = n_of(l.max_bytes);
            // Fill with strings of at most `max_string_bytes` to reach exactly n bytes.
            let mut pad = Vec::new();
            let mut len = base;
            while len < n {
                let room = n - len;
                let comma = usize::from(!pad.is_empty());
                let fit = room.saturating_sub(2 + comma).min(l.max_string_bytes);
                pad.push(format!("\"{}\"", "p".repeat(fit)));
                len += fit + 2 + comma;
                if fit == 0 {
                    break;
                }
            }
            let text = payload(
                &one(1, 0, 0, 0),
                0,
                &format!(r#","pad":[{}]"#, pad.join(",")),
            );
            (text.clone(), l.max_bytes, text.len(), "payload bytes")
        }
        1 => {
            let n = n_of(l.max_flags);
            let flags: Vec<String> = (0..n.max(1))
                .map(|_| flag(1, 0, 0, 0, &word, None))
                .collect();
            (payload(&flags, 0, ""), l.max_flags, n.max(1), "flags")
        }
        2 => {
            let n = n_of(l.max_segments);
            (
                payload(&one(1, 0, 0, 0), n, ""),
                l.max_segments,
                n,
                "segments",
            )
        }
        3 => {
            let n = n_of(l.max_rules_per_flag);
            (
                payload(&one(1, n, 1, 1), 0, ""),
                l.max_rules_per_flag,
                n,
                "rules",
            )
        }
        4 => {
            let n = n_of(l.max_conditions_per_rule);
            (
                payload(&one(1, 1, n, 1), 0, ""),
                l.max_conditions_per_rule,
                n,
                "conditions",
            )
        }
        5 => {
            let n = n_of(l.max_values_per_condition).max(1);
            (
                payload(&one(1, 1, 1, n), 0, ""),
                l.max_values_per_condition,
                n,
                "values",
            )
        }
        6 => {
            let n = n_of(l.max_variants_per_flag).max(1);
            (
                payload(&one(n, 0, 0, 0), 0, ""),
                l.max_variants_per_flag,
                n,
                "variants",
            )
        }
        7 => {
            let n = n_of(l.max_string_bytes);
            let value: String = word.chars().cycle().take(n).collect();
            let flags = vec![flag(1, 0, 0, 0, &value, None)];
            (
                payload(&flags, 0, ""),
                l.max_string_bytes,
                value.len(),
                "string bytes",
            )
        }
        8 => {
            // The root object is one level; `"x"` adds n - 1 nested arrays.
            let n = n_of(l.max_depth);
            let nest = format!("{}{}", "[".repeat(n - 1), "]".repeat(n - 1));
            (
                payload(&one(1, 0, 0, 0), 0, &format!(r#","x":{nest}"#)),
                l.max_depth,
                n,
                "depth",
            )
        }
        _ => {
            // f0 requires f1 requires ... requires fn: n prerequisites, n + 1 flags deep (a
            // flag alone is 1 deep).
            let n = n_of(l.max_dependency_depth - 1).max(1);
            let flags: Vec<String> = (0..=n)
                .map(|i| {
                    let next = format!("f{}", i + 1);
                    flag(1, 0, 0, 0, &word, (i < n).then_some(next.as_str()))
                })
                .collect();
            let mut lim = l.clone();
            lim.max_flags = n + 1;
            let text = payload(&flags, 0, "");
            let loaded = Snapshot::load(text.as_bytes(), &lim);
            assert_eq!(
                loaded.is_ok(),
                n < l.max_dependency_depth,
                "{n} prerequisites: {loaded:?}"
            );
            if let Ok(snapshot) = &loaded {
                common::exercise(snapshot, &[]);
            }
            return;
        }
    };
    let loaded = Snapshot::load(text.as_bytes(), &l);
    let within = n <= limit;
    match &loaded {
        Ok(snapshot) => {
            assert!(within, "{what}: {n} over the limit of {limit} loaded");
            common::exercise(snapshot, &[]);
        }
        Err(err) => {
            assert!(
                !within,
                "{what}: {n} within the limit of {limit} refused: {err}"
            );
            let named = match err {
                Error::TooLarge {
                    limit: l, actual, ..
                } => *l == limit && *actual == n,
                Error::Json { message, .. } => {
                    message.contains("deep")
                        || message.contains("long")
                        || message.contains("bytes")
                }
                Error::Invalid { message, .. } => message.contains(&limit.to_string()),
                _ => false,
            };
            assert!(named, "{what}: the refusal does not name the limit: {err}");
        }
    }
});
