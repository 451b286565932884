//! `edgeflag sample-size`: its figures against scipy's (`tests/vectors/stats.json`, written
//! by `tests/vectors/stats.py`), its text and JSON output, and its refusals (exit 2, naming
//! the option).

use super::support::edgeflag;
use serde_json::Value as Json;

/// The reference vectors.
fn vectors() -> Json {
    serde_json::from_str(include_str!("../vectors/stats.json")).unwrap()
}

/// The command line of a vector: every option given explicitly.
fn arguments(case: &Json) -> Vec<String> {
    let mut args = vec!["sample-size".to_owned()];
    for (option, key) in [
        ("--baseline", "baseline"),
        ("--mde", "mde"),
        ("--alpha", "alpha"),
        ("--power", "power"),
        ("--variants", "variants"),
        ("--daily-units", "dailyUnits"),
    ] {
        if !case[key].is_null() {
            args.extend([option.to_owned(), case[key].to_string()]);
        }
    }
    args
}

fn run(args: &[String]) -> super::support::Run {
    edgeflag(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn sample_sizes_match_scipy() {
    let cases = vectors()["sampleSize"].as_array().unwrap().clone();
    assert!(cases.len() >= 30);
    for case in &cases {
        let mut args = arguments(case);
        args.push("--json".to_owned());
        let out = run(&args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        let got: Json = serde_json::from_str(&out.stdout).unwrap();
        let expected = &case["expected"];
        assert_eq!(
            got["unitsPerVariant"], expected["unitsPerVariant"],
            "{args:?}"
        );
        assert_eq!(got["totalUnits"], expected["totalUnits"], "{args:?}");
        assert_eq!(got["days"], expected["days"], "{args:?}");
        for key in ["baseline", "mde", "alpha", "power"] {
            // As numbers: the answer writes 2.0 as 2, like JavaScript.
            assert_eq!(
                got[key].as_f64(),
                case[key].as_f64(),
                "{key} echoed for {args:?}"
            );
        }
    }
}

#[test]
fn sample_size_text_output_and_defaults() {
    // 5% baseline, +10% relative, alpha 0.05, power 0.8, 2 variants: the textbook 31234.
    let out = edgeflag(&["sample-size", "--baseline", "0.05", "--mde", "0.1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "units per variant: 31234\ntotal units: 62468 (2 variants)\n"
    );
    let out = edgeflag(&[
        "sample-size",
        "--baseline",
        "0.05",
        "--mde",
        "0.1",
        "--daily-units",
        "1000",
        "--variants",
        "3",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "units per variant: 31234\ntotal units: 93702 (3 variants)\ndays: 94 (at 1000 units a day)\n"
    );
    let out = edgeflag(&[
        "sample-size",
        "--baseline",
        "0.05",
        "--mde",
        "0.1",
        "--json",
    ]);
    assert_eq!(
        out.stdout,
        "{\"unitsPerVariant\":31234,\"totalUnits\":62468,\"days\":null,\"baseline\":0.05,\"mde\":0.1,\"alpha\":0.05,\"power\":0.8}\n"
    );
}

#[test]
fn sample_size_refusals_name_the_option_and_exit_2() {
    let cases = vectors()["sampleSizeInvalid"].as_array().unwrap().clone();
    assert!(cases.len() >= 15);
    for case in &cases {
        let args = arguments(case);
        let out = run(&args);
        let option = match case["field"].as_str().unwrap() {
            "dailyUnits" => "--daily-units".to_owned(),
            field => format!("--{field}"),
        };
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
        assert!(
            out.stderr
                .starts_with(&format!("edgeflag sample-size: {option}: ")),
            "{args:?}: {}",
            out.stderr
        );
        assert_eq!(out.stdout, "");
    }
    // Not a number at all: clap's own usage error, naming the option too.
    let out = edgeflag(&["sample-size", "--baseline", "five", "--mde", "0.1"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--baseline"), "{}", out.stderr);
    let out = edgeflag(&["sample-size", "--baseline", "0.05"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--mde"), "{}", out.stderr);
}
