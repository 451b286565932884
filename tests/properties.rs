//! Properties of bucketing and evaluation (FORMAT.md §3, §4), and robustness: no payload,
//! context or byte string makes loading or evaluation panic.
// proptest is a native-only dev-dependency; the wasm suites run the shared vectors instead.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use edgeflag::{CompiledContext, Context, ErrorCode, FlagType, Limits, Reason, Snapshot, Value};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::json;
use std::cell::Cell;

const NOW: i64 = 1_795_000_000_000;
const DAY: i64 = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Do not write regression files into the source tree.
        failure_persistence: None,
        ..Config::default()
    }
}

fn payload(flags: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "schema": "edgeflag/v1", "owner": "tests", "environment": "test", "version": 1,
        "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
        "flags": flags,
    }))
    .unwrap()
}

fn load(flags: serde_json::Value) -> Snapshot {
    Snapshot::load(&payload(flags), &Limits::default()).expect("the snapshot loads")
}

fn unit_ctx(snapshot: &Snapshot, unit: &str) -> CompiledContext {
    snapshot.context(&Context::from_pairs([("targetingKey", Value::from(unit))]))
}

/// A boolean flag `f` serving `serve` by default.
fn on_off(serve: serde_json::Value) -> Snapshot {
    load(json!({
        "f": { "type": "boolean", "variants": { "on": true, "off": false }, "offVariant": "off",
               "defaultServe": serve }
    }))
}

fn variant_of<'s>(snapshot: &'s Snapshot, unit: &str, now: i64) -> Option<&'s str> {
    let d = snapshot.bool_details("f", &unit_ctx(snapshot, unit), false, now);
    assert_eq!(d.error_code, None, "{d:?}");
    d.variant
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for ms since the Unix epoch (Howard Hinnant's civil_from_days),
/// written independently of the crate's own formatter.
fn rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(DAY);
    let rem = ms.rem_euclid(DAY);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let text = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    );
    assert_eq!(
        edgeflag::unstable::time::parse_rfc3339(&text),
        Some(ms),
        "{text}"
    );
    text
}

/// The normative schedule percentage of FORMAT.md §4, computed here from the spec's words.
fn expected_percent(from: u32, to: u32, start: i64, end: i64, now: i64, s_curve: bool) -> u32 {
    let x = ((now - start) as f64 / (end - start) as f64).clamp(0.0, 1.0);
    let f = if s_curve { x * x * (3.0 - 2.0 * x) } else { x };
    let p = f64::from(from) + (f64::from(to) - f64::from(from)) * f;
    p.floor() as u32
}

// ---------------------------------------------------------------------------------------------
// Bucketing properties
// ---------------------------------------------------------------------------------------------

fn any_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..max).prop_map(String::from_iter)
}

/// A rollout over 100 variants of 1% each: the variant served is `bucket / 1000`.
fn hundred_way(salt: &str) -> Snapshot {
    let variants: serde_json::Map<String, serde_json::Value> =
        (0..100).map(|i| (format!("v{i}"), json!(i))).collect();
    let weights: Vec<serde_json::Value> = (0..100)
        .map(|i| json!({ "variant": format!("v{i}"), "weight": 1000 }))
        .collect();
    load(json!({
        "f": { "type": "number", "variants": variants, "offVariant": "v0",
               "defaultServe": { "rollout": { "salt": salt, "weights": weights } } }
    }))
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn same_unit_always_gets_the_same_bucket(salt in any_text(40), unit in any_text(120)) {
        let b = edgeflag::bucket(&salt, &unit);
        prop_assert!(b < edgeflag::BUCKETS);
        // Fresh copies (other addresses, other lengths of the backing buffers).
        let (salt2, unit2) = (salt.clone(), unit.clone());
        prop_assert_eq!(edgeflag::bucket(&salt2, &unit2), b);
        // Through two independently loaded snapshots and contexts: the variant follows the
        // bucket, and nothing about the snapshot or the context changes it.
        let want = f64::from(b / 1000);
        for _ in 0..2 {
            let snapshot = hundred_way(&salt);
            let ctx = snapshot.context(&Context::from_pairs([
                ("targetingKey", Value::from(unit.as_str())),
                ("unrelated", Value::from(1.5)),
            ]));
            prop_assert_eq!(snapshot.number("f", &ctx, -1.0, NOW), want);
            prop_assert_eq!(snapshot.number("f", &ctx, -1.0, NOW + 1), want);
        }
    }

    #[test]
    fn an_integer_unit_buckets_like_its_decimal_text(
        salt in any_text(20),
        n in -9_007_199_254_740_991i64..=9_007_199_254_740_991,
    ) {
        let snapshot = hundred_way(&salt);
        let want = f64::from(edgeflag::bucket(&salt, &n.to_string()) / 1000);
        for v in [Value::from(n), Value::from(n as f64), Value::from(n.to_string().as_str())] {
            let ctx = snapshot.context(&Context::from_pairs([("targetingKey", v.clone())]));
            prop_assert_eq!(snapshot.number("f", &ctx, -1.0, NOW), want, "{:?}", v);
        }
    }

    #[test]
    fn raising_a_rollout_weight_never_moves_a_unit_out_of_its_variant(
        (w1, w2) in (0u32..=100_000).prop_flat_map(|w1| (Just(w1), w1..=100_000)),
        on_first in any::<bool>(),
        salt in "[a-z0-9.-]{0,16}",
        prefix in "[a-z]{1,8}",
    ) {
        let rollout = |w: u32| {
            let on = json!({ "variant": "on", "weight": w });
            let off = json!({ "variant": "off", "weight": 100_000 - w });
            let weights = if on_first { json!([on, off]) } else { json!([off, on]) };
            on_off(json!({ "rollout": { "salt": salt, "weights": weights } }))
        };
        let (low, high) = (rollout(w1), rollout(w2));
        let (mut on_low, mut on_high) = (0u32, 0u32);
        for i in 0..300 {
            let unit = format!("{prefix}-{i}");
            let before = variant_of(&low, &unit, NOW) == Some("on");
            let after = variant_of(&high, &unit, NOW) == Some("on");
            on_low += u32::from(before);
            on_high += u32::from(after);
            prop_assert!(!before || after, "{} left \"on\" when its weight rose from {} to {}", unit, w1, w2);
            // And the variant is the one the normative walk gives.
            let b = edgeflag::bucket(&salt, &unit);
            let want = if on_first { b < w1 } else { b >= 100_000 - w1 };
            prop_assert_eq!(before, want);
        }
        prop_assert!(on_low <= on_high);
        if w1 == 0 { prop_assert_eq!(on_low, 0); }
        if w2 == 100_000 { prop_assert_eq!(on_high, 300); }
    }

    #[test]
    fn raising_a_schedule_percentage_never_moves_a_unit_out(
        (from, to) in (0u32..=100_000, 0u32..=100_000).prop_map(|(a, b)| (a.min(b), a.max(b))),
        start in 1_700_000_000_000i64..1_900_000_000_000,
        length in 1i64..=60 * DAY,
        (t1, t2) in (-0.5f64..1.5, -0.5f64..1.5).prop_map(|(a, b)| (a.min(b), a.max(b))),
        s_curve in any::<bool>(),
        salt in "[a-z0-9.-]{0,16}",
        prefix in "[a-z]{1,8}",
    ) {
        let end = start + length;
        let now1 = start + (t1 * length as f64) as i64;
        let now2 = (start + (t2 * length as f64) as i64).max(now1);
        let snapshot = on_off(json!({ "schedule": {
            "by": "targetingKey", "salt": salt, "variant": "on", "otherwise": "off",
            "start": rfc3339(start), "end": rfc3339(end), "from": from, "to": to,
            "curve": if s_curve { "s-curve" } else { "linear" } } }));
        let p1 = expected_percent(from, to, start, end, now1, s_curve);
        let p2 = expected_percent(from, to, start, end, now2, s_curve);
        prop_assert!(p1 <= p2, "the percentage fell from {} to {}", p1, p2);
        for i in 0..300 {
            let unit = format!("{prefix}-{i}");
            let before = variant_of(&snapshot, &unit, now1) == Some("on");
            let after = variant_of(&snapshot, &unit, now2) == Some("on");
            prop_assert!(!before || after, "{} left \"on\" between {} and {}", unit, now1, now2);
            let b = edgeflag::bucket(&salt, &unit);
            prop_assert_eq!(before, b < p1, "{} (bucket {}) at {}: p = {}", unit, b, now1, p1);
            prop_assert_eq!(after, b < p2, "{} (bucket {}) at {}: p = {}", unit, b, now2, p2);
        }
    }
}

/// Before the start a schedule serves `from`, after the end `to`, whatever the curve.
#[test]
fn a_schedule_holds_its_end_points_outside_its_window() {
    let start = 1_800_000_000_000;
    let end = start + 7 * DAY;
    for curve in ["linear", "s-curve"] {
        let snapshot = on_off(json!({ "schedule": {
            "salt": "ramp", "variant": "on", "otherwise": "off",
            "start": rfc3339(start), "end": rfc3339(end), "from": 20_000, "to": 70_000,
            "curve": curve } }));
        for i in 0..2000 {
            let unit = format!("user-{i}");
            let b = edgeflag::bucket("ramp", &unit);
            for now in [i64::MIN, start - 1, start] {
                assert_eq!(
                    variant_of(&snapshot, &unit, now) == Some("on"),
                    b < 20_000,
                    "{curve} {now}"
                );
            }
            for now in [end, end + 1, i64::MAX] {
                assert_eq!(
                    variant_of(&snapshot, &unit, now) == Some("on"),
                    b < 70_000,
                    "{curve} {now}"
                );
            }
        }
    }
}

/// Chi-square statistic of observed counts against equal expected counts.
fn chi_square(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    let expected = total as f64 / counts.len() as f64;
    counts
        .iter()
        .map(|c| {
            let d = *c as f64 - expected;
            d * d / expected
        })
        .sum()
}

#[test]
fn different_salts_bucket_independently() {
    let pairs = [
        ("new-checkout", "new-checkout-v2"),
        ("a", "b"),
        ("flag-1", "flag-2"),
        ("", "x"),
        ("exp", "exp."),
        ("pricing", "Pricing"),
        ("checkout", "checkout "),
    ];
    const UNITS: u32 = 40_000;
    for (s1, s2) in pairs {
        // The 2x2 table of (in the first half under s1, in the first half under s2).
        let mut halves = [0u64; 4];
        // And a finer 10x10 table of deciles.
        let mut deciles = [0u64; 100];
        for i in 0..UNITS {
            let unit = format!("user-{i}");
            let (b1, b2) = (edgeflag::bucket(s1, &unit), edgeflag::bucket(s2, &unit));
            halves[usize::from(b1 < 50_000) * 2 + usize::from(b2 < 50_000)] += 1;
            deciles[(b1 / 10_000 * 10 + b2 / 10_000) as usize] += 1;
        }
        // Chi-square critical values at p = 1e-6: 30.7 for 3 degrees of freedom, 182 for 99.
        let x4 = chi_square(&halves);
        assert!(
            x4 < 30.7,
            "salts {s1:?}/{s2:?}: chi2 = {x4:.1} over 2x2 {halves:?}"
        );
        let x100 = chi_square(&deciles);
        assert!(
            x100 < 182.0,
            "salts {s1:?}/{s2:?}: chi2 = {x100:.1} over 10x10"
        );
        // Every cell of the 2x2 table within 5 standard deviations of a quarter.
        let sd = (f64::from(UNITS) * 0.25 * 0.75).sqrt();
        for c in halves {
            assert!(
                (c as f64 - f64::from(UNITS) / 4.0).abs() < 5.0 * sd,
                "{s1:?}/{s2:?}: {halves:?}"
            );
        }
    }
}

#[test]
fn hundred_thousand_units_land_within_statistical_bounds_of_the_weights() {
    const UNITS: u32 = 100_000;
    let configs: [&[(&str, u32)]; 2] = [
        &[("small", 10_000), ("medium", 30_000), ("large", 60_000)],
        &[("x", 33_333), ("y", 1_000), ("z", 65_667)],
    ];
    for weights in configs {
        let variants: serde_json::Map<String, serde_json::Value> = weights
            .iter()
            .map(|(n, _)| ((*n).to_owned(), json!(n)))
            .collect();
        let list: Vec<serde_json::Value> = weights
            .iter()
            .map(|(n, w)| json!({ "variant": n, "weight": w }))
            .collect();
        let snapshot = load(json!({
            "split": { "type": "string", "variants": variants, "offVariant": weights[0].0,
                       "defaultServe": { "rollout": { "salt": "split-test", "weights": list } } }
        }));
        let mut counts = vec![0u32; weights.len()];
        for i in 0..UNITS {
            let ctx = unit_ctx(&snapshot, &format!("user-{i}"));
            let got = snapshot.string("split", &ctx, "default", NOW);
            let at = weights
                .iter()
                .position(|(n, _)| *n == got)
                .expect("a variant of the rollout");
            counts[at] += 1;
        }
        for ((name, w), count) in weights.iter().zip(&counts) {
            let p = f64::from(*w) / 100_000.0;
            let expected = f64::from(UNITS) * p;
            let sd = (f64::from(UNITS) * p * (1.0 - p)).sqrt();
            let off = (f64::from(*count) - expected).abs() / sd;
            assert!(
                off < 5.0,
                "{name}: {count} units, expected {expected:.0} ± {sd:.0} ({off:.1} sd)"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Robustness: random snapshots, contexts and bytes
// ---------------------------------------------------------------------------------------------

/// Weights of the generators: a well-formed choice against a damaged one, so that each
/// element is rarely broken and a good share of whole snapshots loads.
const GOOD: u32 = 300;
const BAD: u32 = 1;

const FLAG_KEYS: [&str; 5] = ["f0", "f1", "f2", "f3", "f4"];
const SEGMENT_KEYS: [&str; 3] = ["s0", "s1", "s2"];
const VARIANTS: [&str; 3] = ["a", "b", "c"];
const ATTRS: [&str; 10] = [
    "targetingKey",
    "country",
    "age",
    "email",
    "version",
    "ip",
    "created",
    "tags",
    "plan",
    "orgId",
];
const OPERATORS: [&str; 19] = [
    "in",
    "startsWith",
    "endsWith",
    "contains",
    "lt",
    "lte",
    "gt",
    "gte",
    "before",
    "after",
    "semverEq",
    "semverLt",
    "semverLte",
    "semverGt",
    "semverGte",
    "exists",
    "inSegment",
    "inCidr",
    "matches",
];
const STRINGS: [&str; 40] = [
    "",
    "DE",
    "FR",
    "pro",
    "enterprise",
    "user-1",
    "user-7",
    "42",
    "-7",
    "0",
    "1.2.3",
    "1.2.3-beta.1+build.5",
    "v1.2.3",
    "1.2",
    "01.2.3",
    "1.2.3-",
    "10.0.0.1",
    "10.0.0.0/8",
    "::1",
    "::ffff:10.1.2.3",
    "2001:db8::/32",
    "2001:db8::1",
    "fe80::1%eth0",
    "10.0.0.0/33",
    "2026-11-21T10:00:00Z",
    "2026-11-21",
    "2026-13-01T00:00:00Z",
    "9999-12-31T23:59:60.999+23:59",
    "@example.com",
    "a@example.com",
    "^user-[0-9]+$",
    "(a|b)*c",
    "[",
    "\\p{L}+",
    "(?i)PRO",
    "a{1000}{1000}",
    "\u{0}",
    "日本語",
    "é",
    "🇩🇪",
];
/// In chronological order.
const INSTANTS: [&str; 6] = [
    "0000-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "2026-11-21T10:00:00Z",
    "2026-12-01T00:00:00Z",
    "2026-12-08T00:00:00Z",
    "9999-12-31T23:59:59.999Z",
];

fn json_string() -> BoxedStrategy<serde_json::Value> {
    prop_oneof![
        4 => select(&STRINGS[..]).prop_map(|s| json!(s)),
        1 => any_text(12).prop_map(|s| json!(s)),
    ]
    .boxed()
}

fn json_number() -> BoxedStrategy<serde_json::Value> {
    prop_oneof![
        3 => (-5i64..100).prop_map(|n| json!(n)),
        1 => Just(json!(9_007_199_254_740_993i64)),
        1 => any::<i64>().prop_map(|n| json!(n)),
        1 => prop_oneof![Just(0.5f64), Just(-0.0), Just(1e300), any::<f64>()].prop_map(|f| json!(f)),
        1 => Just(json!(u64::MAX)),
    ]
    .boxed()
}

/// Any JSON value, biased towards the strings the operators read.
fn json_any() -> BoxedStrategy<serde_json::Value> {
    let leaf = prop_oneof![
        1 => Just(serde_json::Value::Null),
        1 => any::<bool>().prop_map(|b| json!(b)),
        3 => json_number(),
        5 => json_string(),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(select(&ATTRS[..]).prop_map(String::from), inner, 0..3)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Mostly one of `valid`, now and then one of `invalid`, as JSON strings.
fn mostly(
    valid: &'static [&'static str],
    invalid: &'static [&'static str],
) -> BoxedStrategy<serde_json::Value> {
    prop_oneof![GOOD / 4 => select(valid), BAD => select(invalid)]
        .prop_map(|s| json!(s))
        .boxed()
}

fn values_for(op: &'static str) -> BoxedStrategy<serde_json::Value> {
    let list = |s: BoxedStrategy<serde_json::Value>| {
        prop::collection::vec(s, 1..4)
            .prop_map(serde_json::Value::Array)
            .boxed()
    };
    let typed = match op {
        "in" => list(
            prop_oneof![
                json_string(),
                json_number(),
                any::<bool>().prop_map(|b| json!(b))
            ]
            .boxed(),
        ),
        "lt" | "lte" | "gt" | "gte" => list(json_number()),
        "before" | "after" => list(
            prop_oneof![
                GOOD => select(&INSTANTS[..]).prop_map(|s| json!(s)),
                GOOD => (-4_000_000_000_000i64..4_000_000_000_000).prop_map(|n| json!(n)),
                BAD => json_number(),
                BAD => json_string(),
            ]
            .boxed(),
        ),
        "semverEq" | "semverLt" | "semverLte" | "semverGt" | "semverGte" => list(mostly(
            &[
                "1.0.0",
                "1.2.3",
                "2.0.0-rc.1",
                "0.0.1",
                "1.2.3-beta.1+build.5",
                "10.20.30-alpha.0.x",
            ],
            &["1.2", "x", "01.2.3", "1.2.3-", ""],
        )),
        "inSegment" => list(mostly(&["s0", "s1", "s2"], &["nope", ""])),
        "inCidr" => list(mostly(
            &[
                "10.0.0.0/8",
                "0.0.0.0/0",
                "::/0",
                "2001:db8::/32",
                "192.168.1.1/32",
                "::ffff:10.0.0.0/104",
                "10.1.2.3",
            ],
            &["10.0.0.0/33", "x", "10.0.0.0/", "::/129"],
        )),
        "matches" => list(mostly(
            &[
                "^user-[0-9]+$",
                "(?i)pro",
                "a|b",
                "\\d+",
                ".*",
                "\\p{L}+",
                "^$",
            ],
            &["[", "(", "a{99999}{99999}"],
        )),
        _ => list(json_string()),
    };
    prop_oneof![
        GOOD => typed,
        BAD => prop::collection::vec(json_any(), 0..3).prop_map(serde_json::Value::Array),
        BAD => json_any(),
    ]
    .boxed()
}

fn condition() -> BoxedStrategy<serde_json::Value> {
    (
        prop_oneof![
            // `matches` loads only with the `regex` feature: ask for it less often.
            GOOD * 18 => select(&OPERATORS[..18]),
            if cfg!(feature = "regex") { GOOD } else { GOOD / 10 } => Just("matches"),
            BAD => Just("nope"),
            BAD => Just("STARTSWITH"),
        ],
        select(&ATTRS[..]),
        prop::option::weighted(0.3, any::<bool>()),
        any::<u16>(),
    )
        .prop_flat_map(|(op, attr, negate, shape)| {
            values_for(op).prop_map(move |values| {
                let mut c = serde_json::Map::new();
                c.insert("op".into(), json!(op));
                if shape % 1000 != 0 {
                    c.insert("attribute".into(), json!(attr));
                }
                if shape % 1000 != 1 && !(op == "exists" && shape % 2 == 0) {
                    c.insert("values".into(), values);
                }
                if let Some(n) = negate {
                    c.insert("negate".into(), json!(n));
                }
                serde_json::Value::Object(c)
            })
        })
        .boxed()
}

fn variant_name() -> BoxedStrategy<serde_json::Value> {
    prop_oneof![GOOD => select(&VARIANTS[..2]).prop_map(|s| json!(s)), GOOD / 20 => Just(json!("c")), BAD => Just(json!("zz"))]
        .boxed()
}

/// Rollout weights, mostly summing to 100000 over distinct variants.
fn weights() -> BoxedStrategy<serde_json::Value> {
    (
        prop::collection::vec(0u32..=100_000, 0..3),
        any::<bool>(),
        0u16..300,
    )
        .prop_map(|(mut cuts, reversed, damage)| {
            cuts.sort_unstable();
            let mut bounds = vec![0];
            bounds.extend(cuts);
            bounds.push(100_000);
            let mut out: Vec<serde_json::Value> = bounds
                .windows(2)
                .zip(VARIANTS)
                .map(|(w, v)| json!({ "variant": v, "weight": w[1] - w[0] }))
                .collect();
            if reversed {
                out.reverse();
            }
            match damage {
                0 => out.push(json!({ "variant": "a", "weight": 0 })),
                1 => out[0]["weight"] = json!(100_001),
                2 => out[0]["weight"] = json!(-1),
                3 => out[0]["weight"] = json!(0.5),
                4 => out.clear(),
                _ => {}
            }
            serde_json::Value::Array(out)
        })
        .boxed()
}

fn serve() -> BoxedStrategy<serde_json::Value> {
    let by = prop::option::weighted(
        0.3,
        prop_oneof![GOOD => select(&ATTRS[..]).prop_map(|s| json!(s)), BAD => Just(json!(""))],
    );
    let salt = prop::option::weighted(0.7, json_string());
    let rollout = (by.clone(), salt.clone(), weights()).prop_map(|(by, salt, weights)| {
        let mut r = serde_json::Map::new();
        r.insert("weights".into(), weights);
        if let Some(by) = by {
            r.insert("by".into(), by);
        }
        if let Some(salt) = salt {
            r.insert("salt".into(), salt);
        }
        json!({ "rollout": r })
    });
    let schedule = (
        by,
        salt,
        (variant_name(), variant_name()),
        prop_oneof![
            GOOD => (0..INSTANTS.len(), 0..INSTANTS.len())
                .prop_filter("distinct", |(a, b)| a != b)
                .prop_map(|(a, b)| (INSTANTS[a.min(b)], INSTANTS[a.max(b)])),
            BAD => (select(&INSTANTS[..]), select(&INSTANTS[..])),
        ],
        (
            prop::option::weighted(0.8, 0u32..=100_001),
            prop::option::weighted(0.8, 0u32..=100_000),
        ),
        prop::option::weighted(
            0.7,
            prop_oneof![GOOD => select(&["linear", "s-curve"][..]), BAD => Just("cubic")],
        ),
    )
        .prop_map(
            |(by, salt, (variant, otherwise), (start, end), (from, to), curve)| {
                let mut s = serde_json::Map::new();
                s.insert("variant".into(), variant);
                s.insert("otherwise".into(), otherwise);
                s.insert("start".into(), json!(start));
                s.insert("end".into(), json!(end));
                for (k, v) in [("by", by), ("salt", salt)] {
                    if let Some(v) = v {
                        s.insert(k.into(), v);
                    }
                }
                if let Some(from) = from {
                    s.insert("from".into(), json!(from));
                }
                if let Some(to) = to {
                    s.insert("to".into(), json!(to));
                }
                if let Some(curve) = curve {
                    s.insert("curve".into(), json!(curve));
                }
                json!({ "schedule": s })
            },
        );
    prop_oneof![
        GOOD * 4 => variant_name().prop_map(|v| json!({ "variant": v })),
        GOOD * 3 => rollout,
        GOOD * 2 => schedule,
        BAD => prop_oneof![
            variant_name().prop_map(|v| json!({ "variant": v, "rollout": {} })),
            json_any(),
        ],
    ]
    .boxed()
}

fn units() -> BoxedStrategy<serde_json::Value> {
    prop::collection::vec(
        prop_oneof![
            GOOD => select(&["user-1", "user-2", "user-7", "user-9", "42", ""][..]).prop_map(|s| json!(s)),
            GOOD / 3 => (-3i64..50).prop_map(|n| json!(n)),
            BAD => json_any(),
        ],
        0..4,
    )
    .prop_map(serde_json::Value::Array)
    .boxed()
}

fn rule() -> BoxedStrategy<serde_json::Value> {
    (
        prop::option::weighted(
            0.4,
            prop_oneof![
                GOOD => (0u32..10_000).prop_map(|n| format!("rule-{n}")),
                BAD => Just(String::new()),
            ],
        ),
        prop::option::weighted(0.9, prop::collection::vec(condition(), 0..4)),
        serve(),
    )
        .prop_map(|(id, conditions, serve)| {
            let mut r = serde_json::Map::new();
            if let Some(id) = id {
                r.insert("id".into(), json!(id));
            }
            if let Some(c) = conditions {
                r.insert("conditions".into(), serde_json::Value::Array(c));
            }
            r.insert("serve".into(), serve);
            serde_json::Value::Object(r)
        })
        .boxed()
}

fn variant_value(kind: &'static str) -> BoxedStrategy<serde_json::Value> {
    let right: BoxedStrategy<serde_json::Value> = match kind {
        "boolean" => any::<bool>().prop_map(|b| json!(b)).boxed(),
        "string" => json_string(),
        "number" => json_number(),
        _ => {
            prop::collection::btree_map(select(&ATTRS[..]).prop_map(String::from), json_any(), 0..3)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect()))
                .boxed()
        }
    };
    prop_oneof![GOOD => right, BAD => json_any()].boxed()
}

fn flag() -> BoxedStrategy<serde_json::Value> {
    prop_oneof![
        GOOD => select(&["boolean", "string", "number", "object"][..]),
        BAD => Just("integer"),
    ]
    .prop_flat_map(|kind| {
        (
            (
                variant_value(kind),
                variant_value(kind),
                prop::option::weighted(0.95, variant_value(kind)),
            ),
            prop::option::weighted(0.2, any::<bool>()),
            variant_name(),
            prop::option::weighted(
                0.15,
                prop::collection::vec(
                    (
                        select(&FLAG_KEYS[..]),
                        prop::collection::vec(variant_name(), 1..3),
                    ),
                    0..3,
                ),
            ),
            prop::option::weighted(0.2, prop::collection::vec((variant_name(), units()), 0..3)),
            prop::option::weighted(0.8, prop::collection::vec(rule(), 0..5)),
            prop::option::weighted(0.7, serve()),
            (
                prop::option::of(any::<bool>()),
                prop::option::weighted(
                    0.3,
                    prop_oneof![
                        GOOD => prop::collection::btree_map(
                            select(&["team", "description", "expiresAt", "nested"][..]).prop_map(String::from),
                            json_any(),
                            0..3,
                        )
                        .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
                        BAD => json_any(),
                    ],
                ),
            ),
        )
            .prop_map(
                move |(
                    (a, b, c),
                    enabled,
                    off,
                    prerequisites,
                    targets,
                    rules,
                    default,
                    (track, metadata),
                )| {
                    let mut variants = serde_json::Map::new();
                    variants.insert("a".into(), a);
                    variants.insert("b".into(), b);
                    if let Some(c) = c {
                        variants.insert("c".into(), c);
                    }
                    let mut f = serde_json::Map::new();
                    f.insert("type".into(), json!(kind));
                    f.insert("variants".into(), serde_json::Value::Object(variants));
                    f.insert("offVariant".into(), off);
                    if let Some(e) = enabled {
                        f.insert("enabled".into(), json!(e));
                    }
                    if let Some(p) = prerequisites {
                        let list: Vec<_> = p
                            .into_iter()
                            .map(|(flag, variants)| json!({ "flag": flag, "variants": variants }))
                            .collect();
                        f.insert("prerequisites".into(), json!(list));
                    }
                    if let Some(t) = targets {
                        let list: Vec<_> = t
                            .into_iter()
                            .map(
                                |(variant, values)| json!({ "variant": variant, "values": values }),
                            )
                            .collect();
                        f.insert("targets".into(), json!(list));
                    }
                    if let Some(r) = rules {
                        f.insert("rules".into(), serde_json::Value::Array(r));
                    }
                    if let Some(d) = default {
                        f.insert("defaultServe".into(), d);
                    }
                    if let Some(t) = track {
                        f.insert("trackEvents".into(), json!(t));
                    }
                    if let Some(m) = metadata {
                        f.insert("metadata".into(), m);
                    }
                    serde_json::Value::Object(f)
                },
            )
    })
    .boxed()
}

fn segment() -> BoxedStrategy<serde_json::Value> {
    (
        prop::option::weighted(0.6, units()),
        prop::option::weighted(0.4, units()),
        prop::option::weighted(
            0.7,
            prop::collection::vec(prop::collection::vec(condition(), 0..3), 0..3),
        ),
    )
        .prop_map(|(included, excluded, rules)| {
            let mut s = serde_json::Map::new();
            for (k, v) in [("included", included), ("excluded", excluded)] {
                if let Some(v) = v {
                    s.insert(k.into(), v);
                }
            }
            if let Some(r) = rules {
                s.insert("rules".into(), json!(r));
            }
            serde_json::Value::Object(s)
        })
        .boxed()
}

/// A payload, mostly of a valid shape (so that a good share loads), sometimes damaged.
fn payload_json() -> BoxedStrategy<serde_json::Value> {
    (
        prop::collection::vec(flag(), 0..=FLAG_KEYS.len()),
        prop::collection::vec(segment(), SEGMENT_KEYS.len()),
        0u8..10,
        prop::bool::weighted(0.85),
        0u16..200,
    )
        .prop_map(|(flags, segments, segment_count, repair, damage)| {
            let n = flags.len();
            let mut flags: serde_json::Map<String, serde_json::Value> = flags
                .into_iter()
                .zip(FLAG_KEYS)
                .map(|(f, k)| (k.to_owned(), f))
                .collect();
            // Prerequisites mostly name flags that exist (they may still form cycles).
            if n > 0 && repair {
                for f in flags.values_mut() {
                    if let Some(list) = f.get_mut("prerequisites").and_then(|p| p.as_array_mut()) {
                        for pre in list {
                            let k: usize = pre["flag"].as_str().unwrap()[1..].parse().unwrap();
                            pre["flag"] = json!(FLAG_KEYS[k % n]);
                        }
                    }
                }
            }
            let mut p = json!({
                "schema": "edgeflag/v1", "owner": "fuzz", "environment": "test", "version": 7,
                "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
                "flags": serde_json::Value::Object(std::mem::take(&mut flags)),
                "futureField": { "ignored": [1, 2, 3] },
            });
            // Mostly every segment exists; sometimes fewer, or none.
            let keep = match segment_count {
                0 => 0,
                1 => 2,
                _ => SEGMENT_KEYS.len(),
            };
            if keep > 0 {
                p["segments"] = serde_json::Value::Object(
                    segments
                        .into_iter()
                        .zip(SEGMENT_KEYS)
                        .take(keep)
                        .map(|(s, k)| (k.to_owned(), s))
                        .collect(),
                );
            }
            match damage {
                0 => p["schema"] = json!("edgeflag/v2"),
                1 => p["schema"] = json!("edgeflag/v1.3"),
                2 => p["version"] = json!(-1),
                3 => p["expiresAt"] = json!("2026-11-20T10:00:00Z"),
                4 => p["flags"] = json!([]),
                5 => p["flags"] = serde_json::Value::Null,
                6 => p["segments"] = json!({ "": {} }),
                7 => {
                    p["flags"][""] =
                        json!({ "type": "boolean", "variants": { "on": true }, "offVariant": "on" })
                }
                _ => {}
            }
            p
        })
        .boxed()
}

/// A context value of any type, including the ones JSON cannot carry (NaN, infinities).
fn context_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        2 => prop_oneof![-5i64..100, any::<i64>(), Just(9_007_199_254_740_993)].prop_map(Value::from),
        2 => prop_oneof![
            Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY), Just(-0.0), Just(42.0),
            Just(0.5), Just(1.8e12), any::<f64>()
        ].prop_map(Value::from),
        1 => Just(Value::Number(edgeflag::Number::from_u64(u64::MAX))),
        6 => select(&STRINGS[..]).prop_map(Value::from),
        1 => any_text(16).prop_map(|s| Value::from(s.as_str())),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((select(&ATTRS[..]).prop_map(Box::<str>::from), inner), 0..3)
                .prop_map(Value::Object),
        ]
    })
    .boxed()
}

#[derive(Clone, Debug)]
enum ContextKind {
    /// Compiled against the snapshot evaluated.
    Own,
    /// Compiled against another snapshot (evaluation re-indexes on the fly).
    Foreign,
    /// Refreshed after being compiled against another snapshot.
    Refreshed,
    /// An invalid context.
    Invalid,
}

fn contexts() -> BoxedStrategy<Vec<(Context, ContextKind, i64)>> {
    let attrs = prop::collection::vec(
        (
            prop_oneof![8 => select(&ATTRS[..]).prop_map(String::from), 1 => any_text(6)],
            context_value(),
        ),
        0..8,
    )
    .prop_map(|pairs| Context::from_pairs(pairs.into_iter().map(|(k, v)| (k.into_boxed_str(), v))));
    let kind = prop_oneof![
        8 => Just(ContextKind::Own),
        1 => Just(ContextKind::Foreign),
        1 => Just(ContextKind::Refreshed),
        1 => Just(ContextKind::Invalid),
    ];
    let now = prop_oneof![
        6 => 1_790_000_000_000i64..1_800_000_000_000,
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
        1 => any::<i64>(),
    ];
    prop::collection::vec((attrs, kind, now), 1..4).boxed()
}

fn limits() -> BoxedStrategy<Limits> {
    prop_oneof![
        20 => Just(Limits::default()),
        1 => Just(Limits {
            max_flags: 2,
            max_segments: 1,
            max_rules_per_flag: 2,
            max_conditions_per_rule: 1,
            max_values_per_condition: 2,
            max_string_bytes: 64,
            max_depth: 12,
            max_variants_per_flag: 2,
            max_dependency_depth: 1,
            max_dependency_work: 2,
            ..Limits::default()
        }),
    ]
    .boxed()
}

/// Evaluates every flag (and two missing keys) through every accessor, checking the
/// invariants that hold whatever the snapshot: typed getters agree with their details, errors
/// have a code and no variant, successes have a variant and no code, `all` agrees with
/// `details`, and details serialise.
fn evaluate_everything(snapshot: &Snapshot, ctx: &CompiledContext, now: i64) {
    let keys: Vec<String> = snapshot
        .flag_keys()
        .map(String::from)
        .chain(["missing".to_owned(), String::new()])
        .collect();
    let default_object = Value::Object(vec![("default".into(), Value::from(true))]);
    for key in &keys {
        let kind = snapshot.flag_type(key);

        let b = snapshot.bool(key, ctx, false, now);
        let bd = snapshot.bool_details(key, ctx, false, now);
        assert_eq!(b, bd.value);
        assert_eq!(
            b,
            snapshot.bool(key, ctx, false, now),
            "evaluation is deterministic"
        );
        check(&bd, kind, FlagType::Boolean);
        // The default shows through exactly when evaluation failed.
        if bd.reason == Reason::Error {
            assert!(snapshot.bool(key, ctx, true, now));
        }

        let s = snapshot.string(key, ctx, "default", now);
        let sd = snapshot.string_details(key, ctx, "default", now);
        assert_eq!(s, sd.value);
        check(&sd, kind, FlagType::String);

        let n = snapshot.number(key, ctx, -1.0, now);
        let nd = snapshot.number_details(key, ctx, -1.0, now);
        assert_eq!(n.to_bits(), nd.value.to_bits());
        check(&nd, kind, FlagType::Number);

        let o = snapshot.object(key, ctx, &default_object, now);
        let od = snapshot.object_details(key, ctx, &default_object, now);
        assert_eq!(o, od.value);
        check(&od, kind, FlagType::Object);

        let d = snapshot.details(key, ctx, now);
        assert_eq!(d.reason == Reason::Error, d.value.is_none(), "{d:?}");
        assert_eq!(d.error_code.is_some(), d.reason == Reason::Error, "{d:?}");
        assert_ne!(d.error_code, Some(ErrorCode::TypeMismatch));
        if kind.is_none() {
            assert_eq!(d.error_code, Some(ErrorCode::FlagNotFound));
        }
        // The typed details of the flag's own type agree with the untyped ones.
        let typed = match kind {
            Some(FlagType::Boolean) => Some((bd.variant, bd.reason, bd.error_code)),
            Some(FlagType::String) => Some((sd.variant, sd.reason, sd.error_code)),
            Some(FlagType::Number) => Some((nd.variant, nd.reason, nd.error_code)),
            Some(FlagType::Object) => Some((od.variant, od.reason, od.error_code)),
            None => None,
        };
        if let Some(typed) = typed {
            assert_eq!(typed, (d.variant, d.reason, d.error_code), "{key}");
        }
        serde_json::to_string(&d).unwrap();
        serde_json::to_string(&bd).unwrap();
        serde_json::to_string(&od).unwrap();
    }
    let all = snapshot.all(ctx, now);
    assert_eq!(all.len(), snapshot.len());
    for ((key, details), expected) in all.iter().zip(snapshot.flag_keys()) {
        assert_eq!(*key, expected);
        assert_eq!(*details, snapshot.details(key, ctx, now));
    }
}

fn check<T: std::fmt::Debug>(
    d: &edgeflag::Details<'_, T>,
    kind: Option<FlagType>,
    asked: FlagType,
) {
    match kind {
        None => assert_eq!(d.error_code, Some(ErrorCode::FlagNotFound), "{d:?}"),
        Some(k) if k != asked => assert_eq!(d.error_code, Some(ErrorCode::TypeMismatch), "{d:?}"),
        Some(_) => assert_ne!(d.error_code, Some(ErrorCode::TypeMismatch), "{d:?}"),
    }
    if d.reason == Reason::Error {
        assert!(d.error_code.is_some() && d.error_message.is_some(), "{d:?}");
        assert_eq!(d.variant, None, "{d:?}");
        assert!(!d.in_experiment, "{d:?}");
    } else {
        assert!(d.error_code.is_none() && d.error_message.is_none(), "{d:?}");
        assert!(d.variant.is_some(), "{d:?}");
    }
    if d.in_experiment {
        assert_eq!(d.reason, Reason::Split, "{d:?}");
    }
    if d.rule_id.is_some() {
        assert!(d.rule_index.is_some(), "{d:?}");
    }
    if d.rule_index.is_some() {
        assert!(
            matches!(d.reason, Reason::TargetingMatch | Reason::Split),
            "{d:?}"
        );
    }
}

fn deterministic_runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        config(cases),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    )
}

#[test]
fn arbitrary_snapshots_and_contexts_never_panic() {
    let foreign = load(json!({
        "other": { "type": "boolean", "variants": { "on": true, "off": false }, "offVariant": "off",
                   "rules": [ { "conditions": [ { "attribute": "zeta", "op": "exists" } ], "serve": { "variant": "on" } } ] }
    }));
    let cases = Cell::new(0u32);
    let loaded = Cell::new(0u32);
    let evaluated_flags = Cell::new(0u32);
    let strategy = (payload_json(), limits(), contexts());
    deterministic_runner(600)
        .run(&strategy, |(payload, limits, contexts)| {
            cases.set(cases.get() + 1);
            let bytes = serde_json::to_vec(&payload).unwrap();
            let Ok(snapshot) = Snapshot::load(&bytes, &limits) else {
                return Ok(());
            };
            loaded.set(loaded.get() + 1);
            evaluated_flags.set(evaluated_flags.get() + snapshot.len() as u32);
            for (ctx, kind, now) in contexts {
                let compiled = match kind {
                    ContextKind::Own => snapshot.context(&ctx),
                    ContextKind::Foreign => foreign.context(&ctx),
                    ContextKind::Refreshed => {
                        let mut c = foreign.context(&ctx);
                        c.refresh(&snapshot);
                        c
                    }
                    ContextKind::Invalid => CompiledContext::invalid("not an object"),
                };
                evaluate_everything(&snapshot, &compiled, now);
                if let ContextKind::Invalid = kind {
                    for key in snapshot.flag_keys() {
                        let d = snapshot.details(key, &compiled, now);
                        assert_eq!(d.error_code, Some(ErrorCode::InvalidContext));
                    }
                }
            }
            Ok(())
        })
        .unwrap();
    let (cases, loaded) = (cases.get(), loaded.get());
    println!(
        "{loaded} of {cases} random snapshots loaded; {} flags evaluated",
        evaluated_flags.get()
    );
    assert!(
        loaded * 4 >= cases,
        "only {loaded} of {cases} random snapshots loaded"
    );
    assert!(
        loaded < cases,
        "every random snapshot loaded: the generator is too tame"
    );
}

/// A valid payload to damage byte by byte.
fn base_payload() -> Vec<u8> {
    br#"{"schema":"edgeflag/v1","owner":"o","environment":"e","version":1,"issuedAt":"2026-11-21T10:00:00Z","expiresAt":"2026-11-28T10:00:00Z","segments":{"s":{"included":["u1",42],"rules":[[{"attribute":"plan","op":"in","values":["pro",1,true]}]]}},"flags":{"f":{"type":"boolean","variants":{"on":true,"off":false},"offVariant":"off","prerequisites":[{"flag":"g","variants":["x"]}],"targets":[{"variant":"on","values":["u2"]}],"rules":[{"id":"r","conditions":[{"attribute":"v","op":"semverGte","values":["1.2.3"]},{"op":"inSegment","values":["s"]},{"attribute":"ip","op":"inCidr","values":["10.0.0.0/8"],"negate":true}],"serve":{"rollout":{"weights":[{"variant":"on","weight":25000},{"variant":"off","weight":75000}]}}}],"defaultServe":{"schedule":{"variant":"on","otherwise":"off","start":"2026-12-01T00:00:00Z","end":"2026-12-08T00:00:00Z","curve":"s-curve"}}},"g":{"type":"string","variants":{"x":"\u00e9\ud83d\ude00","y":"\\"},"offVariant":"y"}}}"#.to_vec()
}

fn damaged_payload() -> BoxedStrategy<Vec<u8>> {
    const TOKENS: [&[u8]; 16] = [
        b"{", b"}", b"[", b"]", b",", b":", b"\"", b"\\", b"\\u", b"\\ud800", b"null", b"1e999",
        b"-0", b"\xff", b"\xc3", b"\x00",
    ];
    prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            0u8..4,
            any::<u8>(),
            select(&TOKENS[..]),
        ),
        1..6,
    )
    .prop_map(|edits| {
        let mut bytes = base_payload();
        for (at, kind, byte, token) in edits {
            let i = at.index(bytes.len() + 1);
            match kind {
                0 => bytes.truncate(i),
                1 => bytes.insert(i, byte),
                2 if i < bytes.len() => bytes[i] = byte,
                _ => {
                    let tail = bytes.split_off(i);
                    bytes.extend_from_slice(token);
                    bytes.extend_from_slice(&tail);
                }
            }
        }
        bytes
    })
    .boxed()
}

fn token_soup() -> BoxedStrategy<Vec<u8>> {
    const TOKENS: [&str; 28] = [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"schema\"",
        "\"edgeflag/v1\"",
        "\"flags\"",
        "\"f\"",
        "\"variants\"",
        "\"type\"",
        "\"boolean\"",
        "true",
        "false",
        "null",
        "0",
        "-1",
        "1e400",
        "0.0000001",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "\"\\udc00\\ud800\"",
        "\"\\\"\"",
        " ",
        "\n",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "\"2026-11-21T10:00:00Z\"",
    ];
    prop::collection::vec(select(&TOKENS[..]), 0..64)
        .prop_map(|t| t.concat().into_bytes())
        .boxed()
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arbitrary_bytes_never_panic_the_loader(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            damaged_payload(),
            token_soup(),
        ],
        tight in any::<bool>(),
    ) {
        let limits = if tight {
            Limits { max_bytes: 256, max_depth: 8, max_string_bytes: 16, ..Limits::default() }
        } else {
            Limits::default()
        };
        if let Ok(snapshot) = Snapshot::load(&bytes, &limits) {
            let ctx = snapshot.context(&Context::from_pairs([
                ("targetingKey", Value::from("u1")),
                ("v", Value::from("1.2.3")),
                ("plan", Value::from("pro")),
            ]));
            evaluate_everything(&snapshot, &ctx, NOW);
        }
        // The same bytes as a context never panic either.
        let _ = Context::from_json(&bytes, &limits.context);
    }

    #[test]
    fn arbitrary_strings_never_panic_the_operand_parsers(s in prop_oneof![
        any_text(48),
        "[0-9a-fA-F:.%/]{0,48}",
        "[0-9.+a-z-]{0,32}",
    ]) {
        let _ = edgeflag::unstable::operand::Version::parse(&s);
        let _ = edgeflag::unstable::operand::Cidr::parse(&s);
        let _ = edgeflag::unstable::operand::parse_ip(&s);
        let _ = edgeflag::unstable::time::parse_rfc3339(&s);
        let _ = edgeflag::unstable::time::parse_date_or_instant(&s);
    }
}

/// The base payload of the damage test loads, so damage starts from a valid snapshot.
#[test]
fn the_undamaged_base_payload_loads() {
    let snapshot = Snapshot::load(&base_payload(), &Limits::default()).unwrap();
    assert_eq!(snapshot.len(), 2);
}
