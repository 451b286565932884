//! Evaluation on structured input: `arbitrary` builds a snapshot payload (flags with
//! prerequisites, targets, rules over every operator, rollouts and schedules; segments that
//! name segments) from pools of values that mostly load, plus contexts of every JSON type.
//! Everything that loads is evaluated through every accessor and `all`, and linted.
//!
//! Checked beyond "no panic": the invariants in `common` and, for bucketing, that a rollout's
//! `by` attribute missing from the context gives TARGETING_KEY_MISSING rather than a value.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use arbitrary::{Arbitrary, Unstructured};
use edgeflag::unstable::time::Rfc3339;
use edgeflag::{Context, ContextLimits, Limits, Snapshot};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value as Json};

const ATTRIBUTES: [&str; 10] = [
    "targetingKey",
    "plan",
    "country",
    "email",
    "age",
    "appVersion",
    "ip",
    "createdAt",
    "tags",
    "beta",
];

const STRINGS: [&str; 16] = [
    "user-1",
    "user-2",
    "pro",
    "free",
    "DE",
    "@example.com",
    "someone@example.com",
    "",
    "1.2.3",
    "10.0.0.0/8",
    "2026-11-22T00:00:00Z",
    "ü",
    "a\u{0}b",
    "🎉",
    "x",
    "user-",
];

const VERSIONS: [&str; 8] = [
    "1.0.0",
    "1.2.3",
    "1.2.3-beta.1",
    "2.0.0-rc.1+build.5",
    "0.0.1",
    "18446744073709551615.0.0",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
];

const CIDRS: [&str; 8] = [
    "10.0.0.0/8",
    "192.168.1.0/24",
    "::/0",
    "2001:db8::/32",
    "10.1.2.3",
    "::ffff:10.0.0.0/104",
    "0.0.0.0/0",
    "fe80::/10",
];

const PATTERNS: [&str; 8] = [
    "^user-[0-9]+$",
    "(?i)@EXAMPLE\\.com$",
    "(a+)+$",
    "^(\\w+\\s?)*$",
    "[",
    "\\d{2,}",
    "^$",
    ".*",
];

const INSTANTS: [&str; 6] = [
    "2026-11-21T10:00:00Z",
    "2026-11-22T00:00:00Z",
    "2026-11-22T00:00:00.123+01:00",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2026-02-30T00:00:00Z",
];

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Kind {
    Boolean,
    String,
    Number,
    Object,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum OpKind {
    In,
    StartsWith,
    EndsWith,
    Contains,
    Lt,
    Lte,
    Gt,
    Gte,
    Before,
    After,
    SemverEq,
    SemverLt,
    SemverLte,
    SemverGt,
    SemverGte,
    Exists,
    InSegment,
    InCidr,
    Matches,
}

impl OpKind {
    fn name(self) -> &'static str {
        match self {
            OpKind::In => "in",
            OpKind::StartsWith => "startsWith",
            OpKind::EndsWith => "endsWith",
            OpKind::Contains => "contains",
            OpKind::Lt => "lt",
            OpKind::Lte => "lte",
            OpKind::Gt => "gt",
            OpKind::Gte => "gte",
            OpKind::Before => "before",
            OpKind::After => "after",
            OpKind::SemverEq => "semverEq",
            OpKind::SemverLt => "semverLt",
            OpKind::SemverLte => "semverLte",
            OpKind::SemverGt => "semverGt",
            OpKind::SemverGte => "semverGte",
            OpKind::Exists => "exists",
            OpKind::InSegment => "inSegment",
            OpKind::InCidr => "inCidr",
            OpKind::Matches => "matches",
        }
    }
}

/// A scalar from a pool, or (rarely) arbitrary.
#[derive(Arbitrary, Debug, Clone)]
enum Scalar {
    Pool(u8),
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
}

#[derive(Arbitrary, Debug)]
struct Cond {
    attribute: u8,
    op: OpKind,
    values: Vec<Scalar>,
    negate: bool,
    /// Below 8 (about 3% of conditions): use the values as given, mostly invalid for the
    /// operator, instead of fitting them.
    raw: u8,
}

#[derive(Arbitrary, Debug)]
enum Serve {
    Variant(u8),
    Rollout {
        by: u8,
        salt: Option<u8>,
        weights: Vec<(u8, u16)>,
    },
    Schedule {
        by: u8,
        variant: u8,
        otherwise: u8,
        start: u8,
        length_ms: u32,
        from: u32,
        to: u32,
        s_curve: bool,
    },
}

#[derive(Arbitrary, Debug)]
struct Rule {
    id: bool,
    conditions: Vec<Cond>,
    serve: Serve,
}

#[derive(Arbitrary, Debug)]
struct Flag {
    kind: Kind,
    enabled: bool,
    variants: u8,
    values: Vec<Scalar>,
    off: u8,
    prerequisites: Vec<(u8, Vec<u8>)>,
    targets: Vec<(u8, Vec<u8>)>,
    rules: Vec<Rule>,
    default_serve: Option<Serve>,
    track_events: bool,
    metadata_expires: Option<u8>,
}

#[derive(Arbitrary, Debug)]
struct Segment {
    included: Vec<u8>,
    excluded: Vec<u8>,
    rules: Vec<Vec<Cond>>,
}

#[derive(Arbitrary, Debug)]
enum Attr {
    Scalar(Scalar),
    Null,
    Array(Vec<Scalar>),
    Object(Vec<(u8, Scalar)>),
}

#[derive(Arbitrary, Debug)]
struct Input {
    flags: Vec<Flag>,
    segments: Vec<Segment>,
    contexts: Vec<Vec<(u8, Attr)>>,
    now_offset_ms: i32,
}

fn pick<'a>(pool: &[&'a str], i: u8) -> &'a str {
    pool[usize::from(i) % pool.len()]
}

fn scalar(s: &Scalar) -> Json {
    match s {
        Scalar::Pool(i) => json!(pick(&STRINGS, *i)),
        Scalar::Int(i) => json!(i),
        Scalar::Float(f) if f.is_finite() => json!(f),
        Scalar::Float(_) => json!(0.5),
        Scalar::Bool(b) => json!(b),
        Scalar::Text(t) => json!(t),
    }
}

fn unit(i: u8) -> String {
    format!("user-{}", i % 8)
}

/// The operands of a condition, fitted to what the operator reads so that most load.
fn operands(op: OpKind, values: &[Scalar], segments: usize) -> Vec<Json> {
    let n = values.len().clamp(1, 4);
    (0..n)
        .map(|i| {
            let s = values.get(i).cloned().unwrap_or(Scalar::Pool(i as u8));
            let k = match &s {
                Scalar::Pool(k) => *k,
                Scalar::Int(v) => *v as u8,
                Scalar::Float(v) => *v as u8,
                Scalar::Bool(b) => u8::from(*b),
                Scalar::Text(t) => t.len() as u8,
            };
            match op {
                OpKind::In => scalar(&s),
                OpKind::StartsWith | OpKind::EndsWith | OpKind::Contains => {
                    json!(pick(&STRINGS, k))
                }
                OpKind::Lt | OpKind::Lte | OpKind::Gt | OpKind::Gte => match s {
                    Scalar::Float(f) if f.is_finite() => json!(f),
                    Scalar::Int(v) => json!(v),
                    _ => json!(i64::from(k) - 100),
                },
                OpKind::Before | OpKind::After => match s {
                    Scalar::Int(v) => json!(v),
                    _ => json!(pick(&INSTANTS, k)),
                },
                OpKind::SemverEq
                | OpKind::SemverLt
                | OpKind::SemverLte
                | OpKind::SemverGt
                | OpKind::SemverGte => json!(pick(&VERSIONS, k)),
                OpKind::Exists => json!(null),
                OpKind::InSegment => json!(format!("s{}", usize::from(k) % segments.max(1))),
                OpKind::InCidr => json!(pick(&CIDRS, k)),
                OpKind::Matches => json!(pick(&PATTERNS, k)),
            }
        })
        .collect()
}

fn condition(c: &Cond, segments: usize) -> Json {
    let mut out = Map::new();
    out.insert("op".into(), json!(c.op.name()));
    if !matches!(c.op, OpKind::InSegment) {
        out.insert(
            "attribute".into(),
            json!(ATTRIBUTES[usize::from(c.attribute) % ATTRIBUTES.len()]),
        );
    }
    if !matches!(c.op, OpKind::Exists) {
        let values = if c.raw < 8 {
            c.values.iter().map(scalar).collect()
        } else {
            operands(c.op, &c.values, segments)
        };
        out.insert("values".into(), Json::Array(values));
    }
    if c.negate {
        out.insert("negate".into(), json!(true));
    }
    Json::Object(out)
}

fn serve(s: &Serve, variants: usize) -> Json {
    let name = |i: u8| format!("v{}", usize::from(i) % variants);
    match s {
        Serve::Variant(i) => json!({ "variant": name(*i) }),
        Serve::Rollout { by, salt, weights } => {
            // Distinct variants; weights scaled to sum to exactly 100000.
            let mut chosen: Vec<(usize, u64)> = Vec::new();
            for (v, w) in weights.iter().take(variants) {
                let v = usize::from(*v) % variants;
                if !chosen.iter().any(|(c, _)| *c == v) {
                    chosen.push((v, u64::from(*w)));
                }
            }
            if chosen.is_empty() {
                chosen.push((0, 1));
            }
            let total: u64 = chosen.iter().map(|(_, w)| w).sum::<u64>().max(1);
            let mut scaled: Vec<(usize, u64)> = chosen
                .iter()
                .map(|(v, w)| (*v, w * 100_000 / total))
                .collect();
            let sum: u64 = scaled.iter().map(|(_, w)| w).sum();
            if let Some(last) = scaled.last_mut() {
                last.1 += 100_000 - sum;
            }
            let weights: Vec<Json> = scaled
                .iter()
                .map(|(v, w)| json!({ "variant": format!("v{v}"), "weight": w }))
                .collect();
            let mut r = json!({ "by": ATTRIBUTES[usize::from(*by) % ATTRIBUTES.len()], "weights": weights });
            if let Some(salt) = salt {
                r["salt"] = json!(format!("salt-{salt}"));
            }
            json!({ "rollout": r })
        }
        Serve::Schedule {
            by,
            variant,
            otherwise,
            start,
            length_ms,
            from,
            to,
            s_curve,
        } => {
            let start_ms = common::NOW - 86_400_000 + i64::from(*start) * 3_600_000;
            json!({ "schedule": {
                "by": ATTRIBUTES[usize::from(*by) % ATTRIBUTES.len()],
                "variant": name(*variant), "otherwise": name(*otherwise),
                "start": Rfc3339(start_ms).to_string(),
                "end": Rfc3339(start_ms + 1 + i64::from(*length_ms)).to_string(),
                "from": from % 100_001, "to": to % 100_001,
                "curve": if *s_curve { "s-curve" } else { "linear" },
            } })
        }
    }
}

fn variant_value(kind: Kind, i: usize, values: &[Scalar]) -> Json {
    let s = values.get(i).cloned().unwrap_or(Scalar::Int(i as i64));
    match kind {
        Kind::Boolean => json!(i.is_multiple_of(2)),
        Kind::String => match s {
            Scalar::Text(t) => json!(t),
            Scalar::Pool(k) => json!(pick(&STRINGS, k)),
            _ => json!(format!("value-{i}")),
        },
        Kind::Number => match s {
            Scalar::Float(f) if f.is_finite() => json!(f),
            Scalar::Int(v) => json!(v),
            _ => json!(i),
        },
        Kind::Object => json!({ "i": i, "v": scalar(&s), "nested": { "list": [i, "x"] } }),
    }
}

fn payload(input: &Input) -> Json {
    let flags_n = input.flags.len().min(8);
    let segments_n = input.segments.len().min(4);
    let mut segments = Map::new();
    for (i, s) in input.segments.iter().take(segments_n).enumerate() {
        let rules: Vec<Json> = s
            .rules
            .iter()
            .take(3)
            .map(|all| {
                Json::Array(
                    all.iter()
                        .take(3)
                        .map(|c| condition(c, segments_n))
                        .collect(),
                )
            })
            .collect();
        let mut seen = Vec::new();
        let mut units = |list: &[u8]| -> Vec<Json> {
            list.iter()
                .take(4)
                .map(|u| unit(*u))
                .filter(|u| {
                    let fresh = !seen.contains(u);
                    seen.push(u.clone());
                    fresh
                })
                .map(Json::from)
                .collect()
        };
        let included = units(&s.included);
        let excluded = units(&s.excluded);
        segments.insert(
            format!("s{i}"),
            json!({ "included": included, "excluded": excluded, "rules": rules }),
        );
    }
    let mut flags = Map::new();
    for (i, f) in input.flags.iter().take(flags_n).enumerate() {
        let n = usize::from(f.variants % 4) + 1;
        let kind = f.kind;
        let variants: Map<String, Json> = (0..n)
            .map(|v| (format!("v{v}"), variant_value(kind, v, &f.values)))
            .collect();
        let mut flag = json!({
            "type": match kind {
                Kind::Boolean => "boolean",
                Kind::String => "string",
                Kind::Number => "number",
                Kind::Object => "object",
            },
            "enabled": f.enabled,
            "variants": variants,
            "offVariant": format!("v{}", usize::from(f.off) % n),
        });
        if !f.prerequisites.is_empty() {
            flag["prerequisites"] = Json::Array(
                f.prerequisites
                    .iter()
                    .take(3)
                    .map(|(p, vs)| {
                        let vs: Vec<Json> = vs
                            .iter()
                            .take(2)
                            .map(|v| json!(format!("v{}", v % 2)))
                            .collect();
                        let vs = if vs.is_empty() { vec![json!("v0")] } else { vs };
                        // Mostly to a later flag (a DAG); one in 16 anywhere, cycles included.
                        let to = if p % 16 == 0 || i + 1 >= flags_n {
                            usize::from(*p) % flags_n
                        } else {
                            i + 1 + usize::from(*p) % (flags_n - i - 1)
                        };
                        json!({ "flag": format!("f{to}"), "variants": vs })
                    })
                    .collect(),
            );
        }
        if !f.targets.is_empty() {
            let mut seen = Vec::new();
            flag["targets"] = Json::Array(
                f.targets
                    .iter()
                    .take(3)
                    .map(|(v, units)| {
                        let values: Vec<Json> = units
                            .iter()
                            .take(3)
                            .map(|u| unit(*u))
                            .filter(|u| {
                                let fresh = !seen.contains(u);
                                seen.push(u.clone());
                                fresh
                            })
                            .map(Json::from)
                            .collect();
                        json!({ "variant": format!("v{}", usize::from(*v) % n), "values": values })
                    })
                    .collect(),
            );
        }
        if !f.rules.is_empty() {
            flag["rules"] = Json::Array(
                f.rules
                    .iter()
                    .take(4)
                    .enumerate()
                    .map(|(r, rule)| {
                        let conditions: Vec<Json> = rule
                            .conditions
                            .iter()
                            .take(4)
                            .map(|c| condition(c, segments_n))
                            .collect();
                        let mut out =
                            json!({ "conditions": conditions, "serve": serve(&rule.serve, n) });
                        if rule.id {
                            out["id"] = json!(format!("r{r}"));
                        }
                        out
                    })
                    .collect(),
            );
        }
        if let Some(d) = &f.default_serve {
            flag["defaultServe"] = serve(d, n);
        }
        if f.track_events {
            flag["trackEvents"] = json!(true);
        }
        if let Some(e) = f.metadata_expires {
            flag["metadata"] = json!({ "team": "fuzz", "n": e, "expiresAt": pick(&INSTANTS, e) });
        }
        flags.insert(format!("f{i}"), flag);
    }
    json!({
        "schema": "edgeflag/v1", "owner": "shop", "environment": "production", "version": 1,
        "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
        "segments": segments, "flags": flags,
    })
}

fn attr_value(a: &Attr) -> Json {
    match a {
        Attr::Scalar(s) => scalar(s),
        Attr::Null => Json::Null,
        Attr::Array(items) => Json::Array(items.iter().take(8).map(scalar).collect()),
        Attr::Object(members) => Json::Object(
            members
                .iter()
                .take(4)
                .map(|(k, v)| (format!("k{k}"), scalar(v)))
                .collect(),
        ),
    }
}

fn context(attrs: &[(u8, Attr)]) -> Json {
    let mut out = Map::new();
    for (name, value) in attrs.iter().take(12) {
        let name = match ATTRIBUTES.get(usize::from(*name)) {
            Some(known) => (*known).to_string(),
            None => format!("other{}", name % 4),
        };
        let value = match (name.as_str(), value) {
            // Mostly realistic values for the typed attributes, so conditions get compared.
            ("appVersion", Attr::Scalar(Scalar::Pool(k))) => json!(pick(&VERSIONS, *k)),
            ("ip", Attr::Scalar(Scalar::Pool(k))) => {
                json!(pick(&CIDRS, *k).split('/').next().unwrap_or(""))
            }
            ("createdAt", Attr::Scalar(Scalar::Pool(k))) => json!(pick(&INSTANTS, *k)),
            ("targetingKey", Attr::Scalar(Scalar::Pool(k))) => json!(unit(*k)),
            _ => attr_value(value),
        };
        out.insert(name, value);
    }
    Json::Object(out)
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(input) = Input::arbitrary(&mut u) else {
        return;
    };
    let payload = serde_json::to_vec(&payload(&input)).unwrap();
    let snapshot = match Snapshot::load(&payload, &Limits::default()) {
        Ok(s) => s,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let mut contexts = Vec::new();
    for attrs in input.contexts.iter().take(4) {
        let text = serde_json::to_vec(&context(attrs)).unwrap();
        // Through the strict context parser, and through serde.
        let from_json = Context::from_json(&text, &ContextLimits::default());
        let value: serde_json::Value = serde_json::from_slice(&text).unwrap();
        let from_serde = Context::deserialize(value, &ContextLimits::default());
        match (from_json, from_serde) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "context parsed two ways differs");
                contexts.push(a);
            }
            (Err(_), Err(_)) => {}
            (a, b) => panic!("context parsers disagree: {a:?} vs {b:?}"),
        }
    }
    let now = common::NOW + i64::from(input.now_offset_ms) * 1000;
    for ctx in &contexts {
        common::evaluate_all(&snapshot, ctx, now);
        // A rollout/schedule unit missing from the context is TARGETING_KEY_MISSING, never a
        // made-up bucket: dropping every attribute gives no SPLIT.
        let empty = Context::new();
        for (key, d) in snapshot.all(&snapshot.context(&empty), now) {
            assert_ne!(
                d.reason,
                edgeflag::Reason::Split,
                "{key} split without a unit"
            );
        }
    }
    common::exercise(&snapshot, &contexts);
});
