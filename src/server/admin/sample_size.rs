//! `GET /admin/sample-size?baseline=&mde=&alpha=&power=&dailyUnits=&variants=`: the units an
//! experiment on a conversion rate needs, as `edgeflag sample-size --json` prints them (both
//! answer [`Plan::to_value`](crate::stats::sample_size::Plan::to_value)). Any token may ask:
//! it reads nothing from the store.

use super::query::Query;
use super::reply::bad_request;
use crate::patch::{bad, BadRequest};
use crate::respond::json;
use crate::stats::sample_size::{plan, Parameter, Request};
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::Response;
use edgeflag::Value;

/// The parameters, in the order a refusal checks them.
const PARAMETERS: [Parameter; 6] = [
    Parameter::Baseline,
    Parameter::Mde,
    Parameter::Alpha,
    Parameter::Power,
    Parameter::Variants,
    Parameter::DailyUnits,
];

/// `GET /admin/sample-size`: 200 `{"unitsPerVariant", "totalUnits", "days", "baseline",
/// "mde", "alpha", "power"}`, or 400 naming the parameter that is missing, unknown, not a
/// number or out of range.
pub(crate) async fn sample_size(RawQuery(raw): RawQuery) -> Response {
    match answer(raw.as_deref()) {
        Ok(body) => json(StatusCode::OK, &body),
        Err(refused) => bad_request(&refused),
    }
}

/// The answer to the query string `raw`.
fn answer(raw: Option<&str>) -> Result<Value, BadRequest> {
    let names = PARAMETERS.map(Parameter::query_name);
    let query = Query::parse(raw, &names)?;
    let number = |parameter: Parameter, default: Option<f64>| {
        let name = parameter.query_name();
        match query.get(name) {
            None => default.ok_or_else(|| bad(name, "required")),
            Some(text) => text
                .parse::<f64>()
                .map_err(|_| bad(name, format!("expected a number, found \"{text}\""))),
        }
    };
    let request = Request {
        baseline: number(Parameter::Baseline, None)?,
        mde: number(Parameter::Mde, None)?,
        alpha: number(Parameter::Alpha, Some(Request::DEFAULT_ALPHA))?,
        power: number(Parameter::Power, Some(Request::DEFAULT_POWER))?,
        variants: query
            .number(Parameter::Variants.query_name())?
            .unwrap_or(Request::DEFAULT_VARIANTS),
        daily_units: query.number(Parameter::DailyUnits.query_name())?,
    };
    plan(&request)
        .map(|plan| plan.to_value())
        .map_err(|invalid| bad(invalid.parameter.query_name(), invalid.message))
}

#[cfg(test)]
mod tests {
    use super::answer;

    fn refused_field(raw: &str) -> String {
        answer(Some(raw)).unwrap_err().field
    }

    #[test]
    fn defaults_apply_and_every_refusal_names_its_parameter() {
        let body = answer(Some("baseline=0.05&mde=0.1")).unwrap().to_json();
        assert_eq!(
            body,
            r#"{"unitsPerVariant":31234,"totalUnits":62468,"days":null,"baseline":0.05,"mde":0.1,"alpha":0.05,"power":0.8}"#
        );
        assert_eq!(refused_field("mde=0.1"), "baseline");
        assert_eq!(refused_field("baseline=0.05"), "mde");
        assert_eq!(refused_field("baseline=five&mde=0.1"), "baseline");
        assert_eq!(refused_field("baseline=0.05&mde=0.1&alpha=1"), "alpha");
        assert_eq!(
            refused_field("baseline=0.05&mde=0.1&variants=-2"),
            "variants"
        );
        assert_eq!(
            refused_field("baseline=0.05&mde=0.1&dailyUnits=0"),
            "dailyUnits"
        );
        assert_eq!(
            refused_field("baseline=0.05&mde=0.1&daily_units=9"),
            "daily_units"
        );
    }
}
