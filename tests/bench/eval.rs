//! Evaluation benchmarks (criterion).
//!
//! ```text
//! cargo bench --bench eval              # measure
//! cargo bench --bench eval -- --test    # run each benchmark once, as a smoke test
//! ```
//!
//! - `bool/5-rules-then-rollout`: one boolean flag whose 5 rules (string, numeric and list
//!   conditions) all fail, then a percentage rollout as `defaultServe`, on a pre-compiled
//!   context: the time of one `snapshot.bool(..)`.
//! - `bool_details/5-rules-then-rollout`: the same through `bool_details`.
//! - `all/200-flags`: `snapshot.all(..)` over 200 flags; the throughput line is per flag.
//! - `load/1000-flags`: `Snapshot::load` of a 1,000-flag payload.
//! - `context/6-attributes`: `snapshot.context(..)` of a 6-attribute context.
//! - `bucketing/{xxh3,murmur3,fnv1a32-v2,fractional}`: `bool/5-rules-then-rollout` with the
//!   rollout under each bucketing (FORMAT.md §6). With the filter `bucketing`
//!   (`cargo bench --bench eval -- bucketing`) it also prints ns per evaluation and each vendor
//!   hash's ratio to xxh3 (the goal: at most 1.2x), measured interleaved.
//! - `workload/...`: the same operations on the generated workload that `tests/bench/run`
//!   compares with other engines (see `eval_workload.rs`); skipped when it is not generated.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod eval_workload;

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use edgeflag::{Context, Limits, Reason, Snapshot, Value};
use serde_json::json;

const NOW: i64 = 1_795_000_000_000;

fn payload(flags: serde_json::Map<String, serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "schema": "edgeflag/v1", "owner": "bench", "environment": "production", "version": 1,
        "issuedAt": "2026-11-21T10:00:00Z", "expiresAt": "2026-11-28T10:00:00Z",
        "segments": {
            "beta-testers": {
                "included": ["user-1", "user-7"],
                "rules": [[ { "attribute": "plan", "op": "in", "values": ["enterprise"] } ]]
            }
        },
        "flags": flags,
    }))
    .unwrap()
}

/// Five rules that the benchmark context fails, in the order evaluation tries them: string
/// equality, string suffix, numeric, list membership, and a two-condition rule.
fn five_failing_rules(i: usize) -> serde_json::Value {
    json!([
        { "id": format!("countries-{i}"),
          "conditions": [ { "attribute": "country", "op": "in", "values": ["DE", "FR", "IT", "ES", "NL"] } ],
          "serve": { "variant": "on" } },
        { "id": "staff",
          "conditions": [ { "attribute": "email", "op": "endsWith", "values": ["@example.com", "@example.org"] } ],
          "serve": { "variant": "on" } },
        { "id": "seniors",
          "conditions": [ { "attribute": "age", "op": "gte", "values": [65] } ],
          "serve": { "variant": "on" } },
        { "id": "beta-tags",
          "conditions": [ { "attribute": "tags", "op": "in", "values": ["beta", "internal", "dogfood"] } ],
          "serve": { "variant": "on" } },
        { "id": "young-pro",
          "conditions": [ { "attribute": "plan", "op": "startsWith", "values": ["pro"] },
                          { "attribute": "age", "op": "lt", "values": [18] } ],
          "serve": { "variant": "on" } }
    ])
}

fn rollout(salt: &str, on: u32) -> serde_json::Value {
    json!({ "rollout": { "by": "targetingKey", "salt": salt, "weights": [
        { "variant": "on", "weight": on }, { "variant": "off", "weight": 100_000 - on } ] } })
}

fn boolean_flag(i: usize) -> serde_json::Value {
    json!({
        "type": "boolean", "enabled": true,
        "variants": { "on": true, "off": false }, "offVariant": "off",
        "rules": five_failing_rules(i),
        "defaultServe": rollout(&format!("flag-{i}"), 25_000),
        "trackEvents": true,
        "metadata": { "team": "bench", "description": "a benchmark flag" }
    })
}

/// A mix of flag shapes, deterministic in `i`.
fn mixed_flag(i: usize) -> serde_json::Value {
    match i % 5 {
        0 => boolean_flag(i),
        1 => json!({
            "type": "string", "variants": { "a": "control", "b": "treatment", "c": "holdout" },
            "offVariant": "a",
            "targets": [ { "variant": "c", "values": ["user-1", "user-2", "user-3"] } ],
            "rules": [ { "conditions": [ { "op": "inSegment", "values": ["beta-testers"] } ],
                         "serve": { "variant": "b" } } ],
            "defaultServe": { "rollout": { "salt": format!("exp-{i}"), "weights": [
                { "variant": "a", "weight": 45_000 }, { "variant": "b", "weight": 45_000 },
                { "variant": "c", "weight": 10_000 } ] } }
        }),
        2 => json!({
            "type": "number", "variants": { "low": 10, "high": 100 }, "offVariant": "low",
            "rules": [ { "conditions": [ { "attribute": "version", "op": "semverGte", "values": ["3.0.0"] } ],
                         "serve": { "variant": "high" } } ],
            "defaultServe": { "variant": "low" }
        }),
        3 => json!({
            "type": "boolean", "variants": { "on": true, "off": false }, "offVariant": "off",
            "defaultServe": { "schedule": { "salt": format!("ramp-{i}"), "variant": "on", "otherwise": "off",
                "start": "2026-11-01T00:00:00Z", "end": "2027-01-01T00:00:00Z", "curve": "s-curve" } }
        }),
        _ => json!({
            "type": "object",
            "variants": { "small": { "limit": 10, "label": "small" }, "large": { "limit": 1000, "label": "large" } },
            "offVariant": "small",
            "rules": [ { "conditions": [ { "attribute": "country", "op": "in", "values": ["US", "CA"] },
                                         { "attribute": "age", "op": "gte", "values": [21] } ],
                         "serve": { "variant": "large" } } ]
        }),
    }
}

fn flags(
    n: usize,
    make: fn(usize) -> serde_json::Value,
) -> serde_json::Map<String, serde_json::Value> {
    (0..n).map(|i| (format!("flag-{i}"), make(i))).collect()
}

/// Six attributes: a string key, a string, an email, a number, a list and a version.
fn context() -> Context {
    Context::from_pairs([
        ("targetingKey", Value::from("user-123456")),
        ("country", Value::from("US")),
        ("email", Value::from("someone@customer.net")),
        ("age", Value::from(42i64)),
        (
            "tags",
            Value::Array(vec![Value::from("mobile"), Value::from("eu-west")]),
        ),
        ("version", Value::from("2.7.1")),
    ])
}

fn single_flag(c: &mut Criterion) {
    let snapshot = Snapshot::load(&payload(flags(1, boolean_flag)), &Limits::default()).unwrap();
    let ctx = snapshot.context(&context());
    // Every rule is tried and fails; the rollout decides.
    let d = snapshot.bool_details("flag-0", &ctx, false, NOW);
    assert_eq!(d.reason, Reason::Split, "{d:?}");
    assert_eq!(d.rule_index, None);

    c.bench_function("bool/5-rules-then-rollout", |b| {
        b.iter(|| snapshot.bool(black_box("flag-0"), black_box(&ctx), false, black_box(NOW)))
    });
    c.bench_function("bool_details/5-rules-then-rollout", |b| {
        b.iter(|| {
            snapshot.bool_details(black_box("flag-0"), black_box(&ctx), false, black_box(NOW))
        })
    });
}

fn all_flags(c: &mut Criterion) {
    const N: usize = 200;
    let snapshot = Snapshot::load(&payload(flags(N, mixed_flag)), &Limits::default()).unwrap();
    let ctx = snapshot.context(&context());
    let all = snapshot.all(&ctx, NOW);
    assert_eq!(all.len(), N);
    assert!(all.iter().all(|(_, d)| d.error_code.is_none()));

    let mut group = c.benchmark_group("all");
    group.throughput(Throughput::Elements(N as u64));
    group.bench_function("200-flags", |b| {
        b.iter(|| snapshot.all(black_box(&ctx), black_box(NOW)))
    });
    group.finish();
}

fn load(c: &mut Criterion) {
    const N: usize = 1000;
    let bytes = payload(flags(N, mixed_flag));
    assert_eq!(Snapshot::load(&bytes, &Limits::default()).unwrap().len(), N);
    let limits = Limits::default();

    let mut group = c.benchmark_group("load");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("1000-flags", |b| {
        b.iter(|| Snapshot::load(black_box(&bytes), black_box(&limits)).unwrap())
    });
    group.finish();
}

fn compile_context(c: &mut Criterion) {
    let snapshot = Snapshot::load(&payload(flags(200, mixed_flag)), &Limits::default()).unwrap();
    let ctx = context();
    assert_eq!(ctx.attributes().len(), 6);
    c.bench_function("context/6-attributes", |b| {
        b.iter(|| snapshot.context(black_box(&ctx)))
    });
    // The same, dropping the result outside the measurement.
    c.bench_function("context/6-attributes-no-drop", |b| {
        b.iter_batched(
            || (),
            |()| snapshot.context(black_box(&ctx)),
            BatchSize::SmallInput,
        )
    });
}

/// The bucketings compared, with the `bucketing` member and weights that sum to its count.
fn bucketings() -> [(&'static str, serde_json::Value, u32); 4] {
    [
        ("xxh3", json!({ "hash": "xxh3" }), 100_000),
        (
            "murmur3",
            json!({ "hash": "murmur3", "seed": 0, "buckets": 100 }),
            100,
        ),
        ("fnv1a32-v2", json!({ "hash": "fnv1a32-v2" }), 10_000),
        (
            "fractional",
            json!({ "hash": "fractional", "buckets": 100 }),
            100,
        ),
    ]
}

fn vendor_bucketing(c: &mut Criterion) {
    let mut flags = serde_json::Map::new();
    for (name, bucketing, n) in bucketings() {
        let mut flag = boolean_flag(0);
        flag["defaultServe"] = json!({ "rollout": { "by": "targetingKey", "salt": "flag-0",
            "bucketing": bucketing, "weights": [
                { "variant": "on", "weight": n / 4 }, { "variant": "off", "weight": n - n / 4 } ] } });
        flags.insert(name.to_owned(), flag);
    }
    let snapshot = Snapshot::load(&payload(flags), &Limits::default()).unwrap();
    let ctx = snapshot.context(&context());
    let mut group = c.benchmark_group("bucketing");
    for (name, _, _) in bucketings() {
        let d = snapshot.bool_details(name, &ctx, false, NOW);
        assert_eq!(d.reason, Reason::Split, "{name}: {d:?}");
        group.bench_function(name, |b| {
            b.iter(|| snapshot.bool(black_box(name), black_box(&ctx), false, black_box(NOW)))
        });
    }
    group.finish();
    // Only when asked for by name (`-- bucketing`): not in smoke runs or other filters.
    if !std::env::args().any(|a| a == "bucketing") || std::env::args().any(|a| a == "--test") {
        return;
    }
    // The figure the goal is stated in, measured interleaved so that drift hits every kind
    // alike: the median over rounds of ns per evaluation, and the ratio to xxh3.
    const ROUNDS: usize = 31;
    const ITERS: u32 = 200_000;
    let names: Vec<&str> = bucketings().iter().map(|(n, _, _)| *n).collect();
    let mut samples = vec![Vec::with_capacity(ROUNDS); names.len()];
    for _ in 0..ROUNDS {
        for (i, name) in names.iter().enumerate() {
            let start = std::time::Instant::now();
            for _ in 0..ITERS {
                black_box(snapshot.bool(black_box(*name), black_box(&ctx), false, NOW));
            }
            samples[i].push(start.elapsed().as_nanos() as f64 / f64::from(ITERS));
        }
    }
    let medians: Vec<f64> = samples
        .iter_mut()
        .map(|s| {
            s.sort_by(f64::total_cmp);
            s[ROUNDS / 2]
        })
        .collect();
    println!("\nvendor bucketing, ns per evaluation (median of {ROUNDS} interleaved rounds):");
    for (name, ns) in names.iter().zip(&medians) {
        let ratio = ns / medians[0];
        let verdict = if ratio <= 1.2 { "meets" } else { "MISSES" };
        println!("  {name:<11} {ns:7.1} ns  {ratio:.2}x xxh3 ({verdict} the 1.2x goal)");
    }
}

criterion_group!(
    benches,
    vendor_bucketing,
    single_flag,
    all_flags,
    load,
    compile_context,
    eval_workload::benches
);
criterion_main!(benches);
