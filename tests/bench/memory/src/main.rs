//! Memory of a loaded snapshot: the live heap bytes a compiled `Snapshot` retains once loading
//! is done (everything allocated during the load minus everything freed), next to the size of
//! the payload JSON it came from, for the workload's 1,000- and 10,000-flag snapshots. Also the
//! peak during the load, and the same through the signed envelope (verify + parse + compile).
//!
//! Bytes are what the program asked the allocator for (`Layout::size`), not what the
//! allocator's bookkeeping adds on top, so the figure does not depend on the platform's malloc.
//!
//! ```text
//! cargo run --release --manifest-path tests/bench/memory/Cargo.toml -- [workloadDir] [out.json]
//! ```

use edgeflag::envelope::{verify, TrustPolicy, Verified};
use edgeflag::{Limits, Snapshot};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting live bytes and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(live, Relaxed);
}

// SAFETY: every method delegates to `System` with the caller's arguments unchanged; the
// counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// An instant inside the workload's validity (issued 2025, expires 2099).
const NOW: i64 = 1_800_000_000_000;

/// Live bytes retained by what `load` returns, and the peak above the start while loading.
fn measure<T>(load: impl FnOnce() -> T) -> (T, usize, usize) {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let loaded = load();
    let retained = LIVE.load(Relaxed) - before;
    let peak = PEAK.load(Relaxed) - before;
    (loaded, retained, peak)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../target/bench");
    let dir = args
        .next()
        .map_or_else(|| PathBuf::from(root).join("workload"), PathBuf::from);
    let out = args
        .next()
        .map_or_else(|| PathBuf::from(root).join("memory.json"), PathBuf::from);
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("meta.json"))?)?;
    let text = |field: &str| meta[field].as_str().unwrap_or_default().to_owned();
    // The 10,000-flag payload is larger than the default 4 MiB cap.
    let limits = Limits {
        max_bytes: 64 << 20,
        ..Limits::default()
    };
    let policy = TrustPolicy::builder(text("environment"))
        .key(&text("publicKey"))
        .owner(text("owner"))
        .limits(limits.clone())
        .build()?;

    let mut result = serde_json::Map::new();
    for n in [1000, 10_000] {
        let payload = std::fs::read(dir.join(format!("payload-{n}.json")))?;
        let envelope = std::fs::read(dir.join(format!("envelope-{n}.json")))?;
        let (snapshot, retained, peak) = measure(|| Snapshot::load(&payload, &limits));
        let flags = snapshot?.len();
        let (verified, retained_envelope, peak_envelope) =
            measure(|| verify(&envelope, &policy, None, NOW));
        let Verified::Accepted { snapshot, .. } = verified? else {
            return Err("the envelope was not accepted".into());
        };
        assert_eq!(snapshot.len(), flags);
        let ratio = retained as f64 / payload.len() as f64;
        println!(
            "memory, {n} flags: {retained} B retained for {} B of JSON ({ratio:.2}x); \
             peak while loading {peak} B; through the envelope {retained_envelope} B (peak {peak_envelope} B)",
            payload.len()
        );
        let entries = [
            (format!("mem_bytes_{n}"), retained),
            (format!("json_bytes_{n}"), payload.len()),
            (format!("mem_peak_bytes_{n}"), peak),
            (format!("mem_bytes_envelope_{n}"), retained_envelope),
            (format!("mem_peak_bytes_envelope_{n}"), peak_envelope),
        ];
        for (key, value) in entries {
            result.insert(key, value.into());
        }
        result.insert(
            format!("mem_ratio_{n}"),
            ((ratio * 1000.0).round() / 1000.0).into(),
        );
    }
    std::fs::create_dir_all(out.parent().ok_or("no parent folder")?)?;
    std::fs::write(&out, serde_json::to_string_pretty(&result)? + "\n")?;
    Ok(())
}
