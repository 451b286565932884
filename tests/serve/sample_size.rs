//! `GET /admin/sample-size`: the calculator of `edgeflag sample-size --json` behind the admin
//! API, for any token (a reader's too), with its figures checked against scipy's
//! (`tests/vectors/stats.json`) and every refusal a 400 naming the parameter.

use super::support::{edgeflag, Scratch, Server};
use serde_json::{json, Value as Json};

/// The query string of a vector (the parameters it gives).
fn query(case: &Json) -> String {
    [
        "baseline",
        "mde",
        "alpha",
        "power",
        "variants",
        "dailyUnits",
    ]
    .into_iter()
    .filter(|key| !case[*key].is_null())
    .map(|key| format!("{key}={}", case[key]))
    .collect::<Vec<_>>()
    .join("&")
}

#[test]
fn sample_size_answers_any_token_with_scipys_figures_and_names_bad_parameters() {
    let scratch = Scratch::new("sample-size");
    let state = scratch.s("state");
    let (code, stdout, stderr) = edgeflag(&[
        "serve", "token", "create", "--name", "analyst", "--role", "reader", "--state", &state,
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let reader = stdout
        .lines()
        .find_map(|l| l.strip_prefix("token "))
        .unwrap()
        .to_owned();
    let server = Server::start(&["--state", &state]);

    let vectors: Json = serde_json::from_str(include_str!("../vectors/stats.json")).unwrap();
    for case in vectors["sampleSize"].as_array().unwrap() {
        let path = format!("/admin/sample-size?{}", query(case));
        let response = server.admin_as(&reader, "GET", &path, &[], None);
        assert_eq!(response.status, 200, "{path}: {}", response.text());
        let body = response.json();
        let expected = &case["expected"];
        for key in ["unitsPerVariant", "totalUnits", "days"] {
            assert_eq!(body[key], expected[key], "{key} of {path}");
        }
    }

    // Defaults: alpha 0.05, power 0.8, 2 variants; the same JSON as the command's --json.
    let response = server.admin("GET", "/admin/sample-size?baseline=0.05&mde=0.1", None);
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        response.json(),
        json!({"unitsPerVariant": 31234, "totalUnits": 62468, "days": null,
            "baseline": 0.05, "mde": 0.1, "alpha": 0.05, "power": 0.8})
    );
    let (_, cli, _) = edgeflag(&[
        "sample-size",
        "--baseline",
        "0.05",
        "--mde",
        "0.1",
        "--json",
    ]);
    assert_eq!(cli.trim_end(), response.text());

    for case in vectors["sampleSizeInvalid"].as_array().unwrap() {
        let path = format!("/admin/sample-size?{}", query(case));
        let response = server.admin_as(&reader, "GET", &path, &[], None);
        assert_eq!(response.status, 400, "{path}: {}", response.text());
        assert_eq!(response.json()["field"], case["field"], "{path}");
    }
    for (path, field) in [
        ("/admin/sample-size?mde=0.1", "baseline"),
        ("/admin/sample-size?baseline=five&mde=0.1", "baseline"),
        (
            "/admin/sample-size?baseline=0.05&mde=0.1&daily_units=3",
            "daily_units",
        ),
    ] {
        let response = server.admin("GET", path, None);
        assert_eq!(response.status, 400, "{path}");
        assert_eq!(response.json()["field"], field, "{path}");
    }

    let anonymous = server.get("/admin/sample-size?baseline=0.05&mde=0.1");
    assert_eq!(anonymous.status, 401);
}
