//! Sorting a batch's events into what is counted, tallied the way the store adds it up, and
//! what is rejected (by reason).

use super::{Catalog, Event};
use std::collections::BTreeMap;

/// Events rejected, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rejected {
    /// The environment has no such flag.
    pub(crate) unknown_flag: u64,
    /// The flag has no such variant.
    pub(crate) unknown_variant: u64,
    /// Older than the retention window.
    pub(crate) too_old: u64,
    /// Later than now plus the allowed clock skew.
    pub(crate) future: u64,
}

impl Rejected {
    /// The reasons with their counts, as the store and the answers name them.
    pub(crate) fn reasons(&self) -> [(&'static str, u64); 4] {
        [
            ("unknownFlag", self.unknown_flag),
            ("unknownVariant", self.unknown_variant),
            ("tooOld", self.too_old),
            ("future", self.future),
        ]
    }

    /// Events rejected in all.
    pub(crate) fn total(&self) -> u64 {
        self.unknown_flag + self.unknown_variant + self.too_old + self.future
    }
}

/// A batch's accepted events, tallied.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Sorted {
    /// (flag, unit) -> (variant, at): the first exposure in the batch of each unit to each flag.
    pub(crate) exposures: BTreeMap<(String, String), (String, i64)>,
    /// (unit, event) -> the sum of the values (0 for events without one) and the events.
    pub(crate) tracks: BTreeMap<(String, String), (f64, u64)>,
    /// (flag, variant, minute) -> requests, errors and the latency histogram.
    pub(crate) requests: BTreeMap<(String, String, i64), Requests>,
    /// Events accepted.
    pub(crate) accepted: u64,
    /// Events rejected.
    pub(crate) rejected: Rejected,
}

/// Request metrics of one variant in one minute.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Requests {
    /// Requests.
    pub(crate) count: u64,
    /// Of which the origin answered 5xx.
    pub(crate) errors: u64,
    /// Latency histogram (see [`LATENCY_BOUNDS_MS`](super::LATENCY_BOUNDS_MS)).
    pub(crate) latency: Vec<u64>,
}

impl Requests {
    /// Adds `other` to these.
    pub(crate) fn add(&mut self, count: u64, errors: u64, latency: &[u64]) {
        self.count = self.count.saturating_add(count);
        self.errors = self.errors.saturating_add(errors);
        if self.latency.len() < latency.len() {
            self.latency.resize(latency.len(), 0);
        }
        for (total, n) in self.latency.iter_mut().zip(latency) {
            *total = total.saturating_add(*n);
        }
    }
}

/// What the window of accepted instants is: `now - retention ..= now + skew`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    /// Now, ms since the Unix epoch.
    pub(crate) now: i64,
    /// How far back events are accepted, ms.
    pub(crate) retention_ms: i64,
    /// How far ahead, ms.
    pub(crate) skew_ms: i64,
}

/// Sorts `events` against the environment's `catalog` and the accepted `window`.
pub(crate) fn sort(events: Vec<Event>, catalog: &Catalog, window: Window) -> Sorted {
    let mut sorted = Sorted::default();
    let oldest = window.now.saturating_sub(window.retention_ms);
    let latest = window.now.saturating_add(window.skew_ms);
    for event in events {
        let at = event.at();
        if at < oldest {
            sorted.rejected.too_old += 1;
            continue;
        }
        if at > latest {
            sorted.rejected.future += 1;
            continue;
        }
        let known = |flag: &str, variant: &str| match catalog.variants(flag) {
            None => Err(true),
            Some(variants) if !variants.iter().any(|v| v == variant) => Err(false),
            Some(_) => Ok(()),
        };
        let checked = match &event {
            Event::Exposure { flag, variant, .. } | Event::Requests { flag, variant, .. } => {
                known(flag, variant)
            }
            Event::Track { .. } => Ok(()),
        };
        match checked {
            Err(true) => {
                sorted.rejected.unknown_flag += 1;
                continue;
            }
            Err(false) => {
                sorted.rejected.unknown_variant += 1;
                continue;
            }
            Ok(()) => sorted.accepted += 1,
        }
        match event {
            Event::Exposure {
                flag,
                variant,
                unit,
                at,
            } => {
                sorted
                    .exposures
                    .entry((flag, unit))
                    .or_insert((variant, at));
            }
            Event::Track {
                event, unit, value, ..
            } => {
                let total = sorted.tracks.entry((unit, event)).or_insert((0.0, 0));
                total.0 += value.unwrap_or(0.0);
                total.1 += 1;
            }
            Event::Requests {
                flag,
                variant,
                count,
                errors,
                latency,
                at,
            } => {
                let minute = at.div_euclid(60_000) * 60_000;
                sorted
                    .requests
                    .entry((flag, variant, minute))
                    .or_default()
                    .add(count, errors, &latency);
            }
        }
    }
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use edgeflag::Value;

    fn catalog() -> Catalog {
        let variants = Value::Object(vec![(
            "variants".into(),
            Value::Object(vec![
                ("on".into(), Value::Bool(true)),
                ("off".into(), Value::Bool(false)),
            ]),
        )]);
        Catalog::new(1, [("checkout", &variants)].into_iter())
    }

    fn exposure(flag: &str, variant: &str, unit: &str, at: i64) -> Event {
        Event::Exposure {
            flag: flag.into(),
            variant: variant.into(),
            unit: unit.into(),
            at,
        }
    }

    fn track(unit: &str, value: Option<f64>, at: i64) -> Event {
        Event::Track {
            event: "purchase".into(),
            unit: unit.into(),
            value,
            at,
        }
    }

    const WINDOW: Window = Window {
        now: 1_000_000,
        retention_ms: 100_000,
        skew_ms: 1_000,
    };

    #[test]
    fn unknown_flags_variants_and_instants_are_counted_not_kept() {
        let sorted = sort(
            vec![
                exposure("checkout", "on", "u1", 1_000_000),
                exposure("nope", "on", "u1", 1_000_000),
                exposure("checkout", "maybe", "u1", 1_000_000),
                exposure("checkout", "on", "u2", 899_999),
                exposure("checkout", "on", "u3", 1_001_001),
                exposure("checkout", "off", "u4", 900_000),
                exposure("checkout", "on", "u5", 1_001_000),
            ],
            &catalog(),
            WINDOW,
        );
        assert_eq!(sorted.accepted, 3);
        assert_eq!(
            sorted.rejected,
            Rejected {
                unknown_flag: 1,
                unknown_variant: 1,
                too_old: 1,
                future: 1
            }
        );
        assert_eq!(sorted.exposures.len(), 3);
    }

    #[test]
    fn a_units_first_exposure_wins_and_tracks_add_up() {
        let sorted = sort(
            vec![
                exposure("checkout", "on", "u1", 1_000_000),
                exposure("checkout", "off", "u1", 1_000_000),
                track("u1", Some(2.5), 1_000_000),
                track("u1", None, 1_000_000),
                track("u1", Some(1.0), 1_000_000),
            ],
            &catalog(),
            WINDOW,
        );
        assert_eq!(sorted.exposures[&("checkout".into(), "u1".into())].0, "on");
        assert_eq!(sorted.tracks[&("u1".into(), "purchase".into())], (3.5, 3));
        assert_eq!(sorted.accepted, 5);
    }

    #[test]
    fn requests_are_summed_per_variant_and_minute() {
        let requests = |count, at| Event::Requests {
            flag: "checkout".into(),
            variant: "on".into(),
            count,
            errors: 1,
            latency: vec![count, 0, 1],
            at,
        };
        let sorted = sort(
            vec![
                requests(3, 960_000),
                requests(4, 979_999),
                requests(5, 1_000_000),
            ],
            &catalog(),
            WINDOW,
        );
        let minute = &sorted.requests[&("checkout".into(), "on".into(), 960_000)];
        assert_eq!((minute.count, minute.errors), (12, 3));
        assert_eq!(minute.latency, vec![12, 0, 3]);
    }
}
