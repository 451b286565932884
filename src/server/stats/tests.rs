//! Every function of the module against the reference values scipy computed
//! (`tests/vectors/stats.json`, written by `tests/vectors/stats.py`).
//!
//! Tolerances: 1e-9 relative for rates, means, differences, intervals, degrees of freedom and
//! the sample size before rounding; p-values absolute, [`P_VALUE`]; counts exactly.

use super::proportions::two_proportions;
use super::rate::{rate_interval, Counts};
use super::sample_size::{plan, Request};
use super::srm::{sample_ratio, Observed};
use super::welch::{welch, Moments};
use super::{Confidence, Interval};
use serde_json::Value as Json;

/// The vectors, compiled in (a change to the file rebuilds the tests).
const VECTORS: &str = include_str!("../../../tests/vectors/stats.json");

/// Relative tolerance of everything but p-values.
const RELATIVE: f64 = 1e-9;

/// Absolute tolerance of p-values and tails: far below the 1e-6 an experiment report needs.
/// The largest gaps measured are 5e-11 (statrs's normal tail, its erfc) and 4e-11 (the t
/// tail at 1e5 degrees of freedom); each test prints its own with `--nocapture`.
const P_VALUE: f64 = 1e-10;

/// The cases of one section, at least `minimum` of them (a truncated file fails).
fn section(name: &str, minimum: usize) -> Vec<Json> {
    let document: Json = serde_json::from_str(VECTORS).unwrap();
    let cases = document[name].as_array().unwrap().clone();
    assert!(cases.len() >= minimum, "{name}: {} cases", cases.len());
    cases
}

fn f(value: &Json) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

fn u(value: &Json) -> u64 {
    value
        .as_u64()
        .unwrap_or_else(|| panic!("not a count: {value}"))
}

/// Whether `actual` is within `RELATIVE` of `expected` (exactly, when that is 0).
fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= RELATIVE * expected.abs().max(actual.abs())
}

fn assert_close(what: &str, actual: f64, expected: &Json, case: &Json) {
    let expected = f(expected);
    assert!(
        close(actual, expected),
        "{what}: {actual} != {expected} in {case}"
    );
}

fn assert_interval(actual: Interval, expected: &Json, case: &Json) {
    assert_close("low", actual.low, &expected["low"], case);
    assert_close("high", actual.high, &expected["high"], case);
}

fn assert_p(actual: f64, expected: &Json, case: &Json) -> f64 {
    let gap = (actual - f(expected)).abs();
    assert!(gap <= P_VALUE, "p-value {actual} != {expected} in {case}");
    assert!((0.0..=1.0).contains(&actual));
    gap
}

fn confidence(case: &Json) -> Confidence {
    Confidence::new(f(&case["confidence"])).unwrap()
}

fn counts(value: &Json) -> Counts {
    Counts {
        units: u(&value["units"]),
        conversions: u(&value["conversions"]),
    }
}

fn moments(value: &Json) -> Moments {
    Moments {
        n: u(&value["n"]),
        sum: f(&value["sum"]),
        sum_squares: f(&value["sumSquares"]),
    }
}

#[test]
fn rate_intervals_match_scipy() {
    for case in section("rate", 30) {
        let got = rate_interval(counts(&case), confidence(&case));
        let expected = &case["expected"];
        let Some(got) = got else {
            assert!(expected.is_null(), "None for {case}");
            continue;
        };
        assert_close("rate", got.rate, &expected["rate"], &case);
        assert_interval(got.interval, expected, &case);
    }
}

#[test]
fn two_proportion_tests_match_scipy() {
    let mut largest = 0.0_f64;
    for case in section("proportions", 30) {
        let got = two_proportions(
            counts(&case["control"]),
            counts(&case["treatment"]),
            confidence(&case),
        );
        let expected = &case["expected"];
        let Some(got) = got else {
            assert!(expected.is_null(), "None for {case}");
            continue;
        };
        assert_close("control", got.control_rate, &expected["controlRate"], &case);
        assert_close(
            "treatment",
            got.treatment_rate,
            &expected["treatmentRate"],
            &case,
        );
        assert_close("difference", got.difference, &expected["difference"], &case);
        assert_interval(got.interval, expected, &case);
        largest = largest.max(assert_p(got.p_value, &expected["pValue"], &case));
        match (got.relative_lift, &expected["relativeLift"]) {
            (None, Json::Null) => {}
            (Some(lift), value) => assert_close("lift", lift, value, &case),
            (None, value) => panic!("no lift, expected {value} in {case}"),
        }
    }
    eprintln!("two proportions: largest p-value gap {largest:e}");
}

#[test]
fn welch_tests_match_scipy() {
    let mut largest = 0.0_f64;
    for case in section("welch", 25) {
        let got = welch(
            moments(&case["control"]),
            moments(&case["treatment"]),
            confidence(&case),
        );
        let expected = &case["expected"];
        let Some(got) = got else {
            assert!(expected.is_null(), "None for {case}");
            continue;
        };
        assert_close("control", got.control_mean, &expected["controlMean"], &case);
        assert_close(
            "treatment",
            got.treatment_mean,
            &expected["treatmentMean"],
            &case,
        );
        assert_close("difference", got.difference, &expected["difference"], &case);
        let df = &expected["degreesOfFreedom"];
        assert_close("df", got.degrees_of_freedom, df, &case);
        assert_interval(got.interval, expected, &case);
        largest = largest.max(assert_p(got.p_value, &expected["pValue"], &case));
    }
    eprintln!("welch: largest p-value gap {largest:e}");
}

#[test]
fn sample_ratio_checks_match_scipy() {
    let mut largest = 0.0_f64;
    for case in section("srm", 30) {
        let observed: Vec<Observed> = case["units"]
            .as_array()
            .unwrap()
            .iter()
            .zip(case["weights"].as_array().unwrap())
            .map(|(units, weight)| Observed {
                units: u(units),
                weight: f(weight),
            })
            .collect();
        let expected = &case["expected"];
        let Some(got) = sample_ratio(&observed) else {
            assert!(expected.is_null(), "None for {case}");
            continue;
        };
        match &expected["statistic"] {
            Json::Null => assert!(got.statistic.is_infinite(), "{case}"),
            value => assert_close("statistic", got.statistic, value, &case),
        }
        assert_eq!(
            got.degrees_of_freedom as u64,
            u(&expected["degreesOfFreedom"])
        );
        largest = largest.max(assert_p(got.p_value, &expected["pValue"], &case));
    }
    eprintln!("srm: largest p-value gap {largest:e}");
}

/// The request of a sample-size case.
fn request(case: &Json) -> Request {
    Request {
        baseline: f(&case["baseline"]),
        mde: f(&case["mde"]),
        alpha: f(&case["alpha"]),
        power: f(&case["power"]),
        variants: u(&case["variants"]),
        daily_units: case["dailyUnits"].as_u64(),
    }
}

#[test]
fn sample_sizes_match_scipy() {
    for case in section("sampleSize", 30) {
        let got = plan(&request(&case)).unwrap_or_else(|e| panic!("{e} for {case}"));
        let expected = &case["expected"];
        assert_close("n", got.exact, &expected["n"], &case);
        assert_eq!(
            got.units_per_variant,
            u(&expected["unitsPerVariant"]),
            "{case}"
        );
        assert_eq!(got.total_units, u(&expected["totalUnits"]), "{case}");
        assert_eq!(got.days, expected["days"].as_u64(), "{case}");
    }
}

#[test]
fn invalid_sample_size_requests_name_the_parameter() {
    for case in section("sampleSizeInvalid", 15) {
        let refused = plan(&request(&case)).expect_err(&case.to_string());
        assert_eq!(
            refused.parameter.query_name(),
            case["field"].as_str().unwrap(),
            "{refused} for {case}"
        );
    }
}

/// The comparisons above can fail: the same vectors checked against a plausible wrong
/// formula (Wald's interval for a rate, the pooled error for the z-test's interval, the
/// normal quantile for Welch's) do not pass.
#[test]
fn the_vectors_tell_a_wrong_formula_from_the_right_one() {
    let rate = &section("rate", 30)[6];
    assert_eq!((u(&rate["units"]), u(&rate["conversions"])), (10, 3));
    let z = confidence(rate).z();
    let wald_low = 0.3 - z * (0.3_f64 * 0.7 / 10.0).sqrt();
    assert!(!close(wald_low, f(&rate["expected"]["low"])));

    let test = &section("proportions", 30)[7];
    let (c, t) = (counts(&test["control"]), counts(&test["treatment"]));
    assert_eq!((c.conversions, t.conversions), (50, 65));
    let pooled = 115.0 / 2000.0;
    let error = (pooled * (1.0 - pooled) * (2.0 / 1000.0_f64)).sqrt();
    let pooled_high = 0.015 + confidence(test).z() * error;
    assert!(!close(pooled_high, f(&test["expected"]["high"])));

    let case = section("welch", 25)
        .into_iter()
        .find(|c| c["note"] == "two units each: df near 1")
        .unwrap();
    let got = welch(
        moments(&case["control"]),
        moments(&case["treatment"]),
        confidence(&case),
    )
    .unwrap();
    let error = (got.interval.high - got.difference) / confidence(&case).t(1.000_002).unwrap();
    let normal_high = got.difference + confidence(&case).z() * error;
    assert!(close(got.interval.high, f(&case["expected"]["high"])));
    assert!(!close(normal_high, f(&case["expected"]["high"])));
}

#[test]
fn t_quantiles_match_scipy_at_every_degree_of_freedom() {
    for case in section("tQuantile", 90) {
        let got = super::distributions::t_quantile(f(&case["p"]), f(&case["df"])).unwrap();
        assert_close("quantile", got, &case["quantile"], &case);
    }
}

#[test]
fn t_tails_match_scipy_at_every_degree_of_freedom() {
    let mut largest = 0.0_f64;
    for case in section("tUpperTail", 90) {
        let got = super::distributions::t_upper_tail(f(&case["x"]), f(&case["df"])).unwrap();
        largest = largest.max(assert_p(got, &case["upperTail"], &case));
    }
    eprintln!("t tails: largest gap {largest:e}");
}
