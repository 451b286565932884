//! The edge cases of every function, swept: nothing panics and no figure is NaN, whatever the
//! counts (none, all converting, one unit, no variance, sums near the float limits).

use super::proportions::two_proportions;
use super::rate::{rate_interval, Counts};
use super::sample_size::{plan, Request};
use super::srm::{sample_ratio, Observed};
use super::welch::{welch, Moments};
use super::Confidence;

const UNITS: [u64; 7] = [0, 1, 2, 3, 100, 1 << 40, u64::MAX];

fn levels() -> Vec<Confidence> {
    [1e-9, 0.5, 0.95, 0.999_999_999]
        .into_iter()
        .map(|level| Confidence::new(level).unwrap())
        .collect()
}

/// Every pair (units, conversions) with conversions in {0, 1, units - 1, units, units + 1}.
fn counts() -> Vec<Counts> {
    let mut all = Vec::new();
    for units in UNITS {
        for conversions in [
            0,
            1,
            units.saturating_sub(1),
            units,
            units.saturating_add(1),
        ] {
            all.push(Counts { units, conversions });
        }
    }
    all
}

#[test]
fn rates_and_proportions_are_never_nan() {
    for confidence in levels() {
        for a in counts() {
            if let Some(r) = rate_interval(a, confidence) {
                assert!(
                    0.0 <= r.interval.low && r.interval.low <= r.rate,
                    "{a:?} {r:?}"
                );
                assert!(
                    r.rate <= r.interval.high && r.interval.high <= 1.0,
                    "{a:?} {r:?}"
                );
            }
            for b in counts() {
                if let Some(t) = two_proportions(a, b, confidence) {
                    let figures = [t.difference, t.interval.low, t.interval.high, t.p_value];
                    assert!(figures.iter().all(|x| x.is_finite()), "{a:?} {b:?} {t:?}");
                    assert!((0.0..=1.0).contains(&t.p_value));
                    assert!(t.relative_lift.is_none_or(f64::is_finite));
                }
            }
        }
    }
}

#[test]
fn welch_is_never_nan() {
    let moments = [
        Moments {
            n: 0,
            sum: 0.0,
            sum_squares: 0.0,
        },
        Moments {
            n: 1,
            sum: 5.0,
            sum_squares: 25.0,
        },
        Moments {
            n: 2,
            sum: 0.0,
            sum_squares: 0.0,
        },
        Moments {
            n: 2,
            sum: 1.0,
            sum_squares: 1.0,
        },
        Moments {
            n: 10,
            sum: 1.0,
            sum_squares: 0.0,
        }, // impossible: a negative variance
        Moments {
            n: 3,
            sum: 0.3,
            sum_squares: 0.03,
        }, // constant 0.1: rounding
        Moments {
            n: 5,
            sum: 1e200,
            sum_squares: 1e300,
        },
        Moments {
            n: 5,
            sum: f64::NAN,
            sum_squares: 1.0,
        },
        Moments {
            n: 5,
            sum: 1.0,
            sum_squares: f64::INFINITY,
        },
        Moments {
            n: u64::MAX,
            sum: 1e10,
            sum_squares: 1e12,
        },
    ];
    for confidence in levels() {
        for a in moments {
            for b in moments {
                if let Some(t) = welch(a, b, confidence) {
                    let figures = [t.difference, t.degrees_of_freedom, t.interval.low];
                    assert!(figures.iter().all(|x| !x.is_nan()), "{a:?} {b:?} {t:?}");
                    assert!(!t.interval.high.is_nan() && (0.0..=1.0).contains(&t.p_value));
                    assert!(t.degrees_of_freedom >= 1.0, "{a:?} {b:?} {t:?}");
                }
            }
        }
    }
}

#[test]
fn sample_ratio_is_never_nan() {
    let cases: [&[(u64, f64)]; 7] = [
        &[],
        &[(0, 0.0), (0, 0.0)],
        &[(10, 1.0), (0, 0.0)],
        &[(10, 1e308), (0, 1e-320)],
        &[(10, 1.0), (10, -1.0)],
        &[(10, f64::NAN), (10, 1.0)],
        &[(u64::MAX, 1.0), (0, 1.0), (7, 0.0)],
    ];
    for case in cases {
        let observed: Vec<Observed> = case
            .iter()
            .map(|&(units, weight)| Observed { units, weight })
            .collect();
        if let Some(s) = sample_ratio(&observed) {
            assert!(
                !s.statistic.is_nan() && (0.0..=1.0).contains(&s.p_value),
                "{case:?}"
            );
        }
    }
}

#[test]
fn sample_size_refuses_what_is_out_of_range_rather_than_answering_nan() {
    let values = [f64::NAN, f64::INFINITY, -1.0, 0.0, 1e-300, 0.5, 1.0, 1e300];
    for baseline in values {
        for mde in values {
            for alpha in values {
                let request = Request {
                    baseline,
                    mde,
                    alpha,
                    power: 0.8,
                    variants: 2,
                    daily_units: Some(1),
                };
                if let Ok(p) = plan(&request) {
                    assert!(p.exact.is_finite() && p.units_per_variant >= 1, "{p:?}");
                    assert!(baseline == 0.5 && mde == 0.5, "{p:?}");
                }
            }
        }
    }
}
