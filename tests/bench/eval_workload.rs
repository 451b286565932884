//! The native figures of `tests/bench/run`: criterion benchmarks on the generated workload
//! (the same flags and contexts the Node harness gives edgeflag's wasm package and its peers).
//! `tests/bench/workload.mjs` writes the workload into `target/bench/workload/` (or the folder
//! in `EDGEFLAG_BENCH_WORKLOAD`); without it these benchmarks are skipped with a note, so
//! `cargo bench --bench eval -- --test` needs no generated files.
//!
//! - `workload/bool-fixed-context`: `flag-0000` of the 200-flag snapshot for the fixed context,
//!   which fails its five rules (string, suffix, numeric, list, string), then the rollout.
//! - `workload/bool-fixed-context-flag-id`: the same through a `FlagId` resolved once (what
//!   the wasm package's flag handles use), skipping the key lookup.
//! - `workload/all-200-new-context`: compile a context not seen before (a different one of
//!   the 10,000 each time, already parsed) and evaluate all 200 flags (`snapshot.all`).
//! - `workload/load-1000-envelope`: verify + parse + compile the signed 1,000-flag envelope
//!   (`envelope::verify` with a pinned key, as a client loads it).
//! - `workload/load-1000-payload`: parse + compile the payload alone (`Snapshot::load`).

use criterion::{black_box, Criterion};
use edgeflag::envelope::{verify, TrustPolicy, Verified};
use edgeflag::{Context, ContextLimits, Limits, Reason, Snapshot};
use std::path::PathBuf;

/// An instant inside the workload's validity (issued 2025, expires 2099).
const NOW: i64 = 1_800_000_000_000;

struct Workload {
    dir: PathBuf,
    meta: serde_json::Value,
}

impl Workload {
    fn find() -> Option<Workload> {
        let dir = std::env::var_os("EDGEFLAG_BENCH_WORKLOAD")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/target/bench/workload"
                ))
            });
        let meta = std::fs::read(dir.join("meta.json")).ok()?;
        let meta = serde_json::from_slice(&meta).expect("meta.json is JSON");
        Some(Workload { dir, meta })
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn str(&self, field: &str) -> &str {
        self.meta[field].as_str().expect(field)
    }

    fn context(value: &serde_json::Value) -> Context {
        Context::from_json(
            &serde_json::to_vec(value).unwrap(),
            &ContextLimits::default(),
        )
        .expect("a valid context")
    }
}

pub(crate) fn benches(c: &mut Criterion) {
    let Some(w) = Workload::find() else {
        eprintln!(
            "workload benchmarks skipped: no target/bench/workload/meta.json \
             (tests/bench/run generates it)"
        );
        return;
    };
    let limits = Limits::default();
    let snapshot = Snapshot::load(&w.read("payload-200.json"), &limits).unwrap();
    let key = w.str("benchFlag").to_owned();
    let fixed = snapshot.context(&Workload::context(&w.meta["fixedContext"]));
    let d = snapshot.bool_details(key.as_str(), &fixed, false, NOW);
    assert_eq!(
        d.reason,
        Reason::Split,
        "the fixed context must reach the rollout: {d:?}"
    );
    let mut group = c.benchmark_group("workload");
    group.bench_function("bool-fixed-context", |b| {
        b.iter(|| snapshot.bool(black_box(key.as_str()), black_box(&fixed), false, NOW))
    });

    let id = snapshot.flag_id(&key).unwrap();
    group.bench_function("bool-fixed-context-flag-id", |b| {
        b.iter(|| snapshot.bool(black_box(id), black_box(&fixed), false, NOW))
    });

    let contexts: Vec<serde_json::Value> =
        serde_json::from_slice(&w.read("contexts.json")).unwrap();
    let contexts: Vec<Context> = contexts.iter().map(Workload::context).collect();
    let mut i = 0;
    group.bench_function("all-200-new-context", |b| {
        b.iter(|| {
            let ctx = snapshot.context(&contexts[i % contexts.len()]);
            i += 1;
            snapshot.all(black_box(&ctx), NOW).len()
        })
    });

    let envelope = w.read("envelope-1000.json");
    let payload = w.read("payload-1000.json");
    let policy = TrustPolicy::builder(w.str("environment"))
        .key(w.str("publicKey"))
        .owner(w.str("owner"))
        .build()
        .unwrap();
    assert!(matches!(
        verify(&envelope, &policy, None, NOW).unwrap(),
        Verified::Accepted { .. }
    ));
    group.sample_size(20);
    group.bench_function("load-1000-envelope", |b| {
        b.iter(|| verify(black_box(&envelope), &policy, None, NOW).unwrap())
    });
    group.bench_function("load-1000-payload", |b| {
        b.iter(|| Snapshot::load(black_box(&payload), &limits).unwrap())
    });
    group.finish();
}
