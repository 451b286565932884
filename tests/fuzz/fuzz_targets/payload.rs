//! `Snapshot::load` on arbitrary bytes (the payload stage after a valid signature, without
//! the cost of one), then every flag evaluated with several contexts through every accessor.
//!
//! Also checked: loading is monotonic in the limits (what loads under small limits loads under
//! the defaults), the strict JSON parser never accepts what `serde_json` calls malformed, and
//! its writer round-trips every value it parsed.
#![no_main]

#[path = "common/mod.rs"]
mod common;

use edgeflag::unstable::json::{self, JsonLimits};
use edgeflag::{Context, ContextLimits, Limits, Snapshot};
use libfuzzer_sys::fuzz_target;

fn small_limits() -> Limits {
    Limits {
        max_bytes: 4096,
        max_flags: 4,
        max_segments: 2,
        max_rules_per_flag: 3,
        max_conditions_per_rule: 3,
        max_values_per_condition: 4,
        max_string_bytes: 40,
        max_depth: 8,
        max_variants_per_flag: 3,
        max_dependency_depth: 3,
        max_dependency_work: 6,
        ..Limits::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let defaults = Limits::default();

    // The strict JSON layer on its own.
    let json_limits = JsonLimits {
        max_depth: 64,
        max_string_bytes: 8 * 1024,
    };
    if let Ok(value) = json::parse(data, &json_limits) {
        // serde_json (lenient about duplicates, so it accepts a superset) must accept it too,
        // except numbers it cannot represent (it refuses 1e400; edgeflag may saturate).
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(data) {
            assert!(
                e.to_string().contains("number out of range"),
                "edgeflag accepted JSON serde_json refuses: {e}"
            );
        }
        // The writer round-trips.
        let text = value.to_json();
        let again = json::parse(text.as_bytes(), &json_limits)
            .unwrap_or_else(|e| panic!("own output does not parse: {e}: {text}"));
        assert_eq!(again, value, "round trip changed the value: {text}");
        // As a context, too (contexts share the parser).
        let _ = Context::from_json(data, &ContextLimits::default());
    }

    let small = Snapshot::load(data, &small_limits());
    let loaded = Snapshot::load(data, &defaults);
    if let Err(err) = &loaded {
        let _ = err.to_string();
        assert!(
            small.is_err(),
            "loads under small limits but not the defaults: {err}"
        );
        return;
    }
    let snapshot = loaded.unwrap();
    if let Ok(small) = &small {
        assert_eq!(small.header(), snapshot.header());
        assert_eq!(small.len(), snapshot.len());
    }
    // A context from the payload's own JSON (a stress for the context parser and indexing).
    let extra: Vec<Context> = Context::from_json(data, &ContextLimits::default())
        .into_iter()
        .collect();
    common::exercise(&snapshot, &extra);
});
