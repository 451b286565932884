//! The host's clock for schedules. The core never reads one; the bindings read `Date.now()`
//! only for flags that serve a schedule, since a call into JavaScript costs as much as a
//! simple evaluation.

use edgeflag::{FlagRef, Snapshot};

/// `Date.now()` when evaluating `key` in `snapshot` reads the clock, else 0 (unused).
#[inline]
pub(crate) fn now_for(snapshot: &Snapshot, key: impl FlagRef) -> i64 {
    if snapshot.reads_clock(key) {
        now()
    } else {
        0
    }
}

/// `Date.now()` when any flag of `snapshot` reads the clock, else 0 (unused).
pub(crate) fn now_for_all(snapshot: &Snapshot) -> i64 {
    if snapshot.any_reads_clock() {
        now()
    } else {
        0
    }
}

/// `Date.now()` in integer milliseconds.
pub(crate) fn now() -> i64 {
    js_sys::Date::now() as i64
}
