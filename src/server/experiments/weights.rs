//! Which rollout an experiment's units come from, and its weights: the sample-ratio check
//! compares the units per variant with them, and a rollout plan's step sets them
//! ([`with_weight`]: the variant's weight, the rest shared by the other variants of the
//! rollout in their current proportions).

use edgeflag::{Number, Value};

/// The total of a rollout's weights (thousandths of a percent).
pub(crate) const TOTAL_WEIGHT: u64 = 100_000;

/// A rollout's place in a flag: a rule (by id) or the default serve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    /// `defaultServe`.
    Default,
    /// The rule with this id.
    Rule(String),
}

impl Place {
    /// `"default"` or the rule's id, as the API names it.
    pub(crate) fn name(&self) -> &str {
        match self {
            Place::Default => "default",
            Place::Rule(id) => id,
        }
    }

    /// The place a plan names: `"default"` or a rule id.
    pub(crate) fn parse(text: &str) -> Place {
        if text == "default" {
            Place::Default
        } else {
            Place::Rule(text.to_owned())
        }
    }
}

/// The `serve` object at `place` in flag `document`, if there is one.
pub(crate) fn serve_at<'d>(document: &'d Value, place: &Place) -> Option<&'d Value> {
    match place {
        Place::Default => document.get("defaultServe"),
        Place::Rule(id) => document
            .get("rules")?
            .as_array()?
            .iter()
            .find(|r| r.get("id").and_then(Value::as_str) == Some(id.as_str()))?
            .get("serve"),
    }
}

/// The weights of the rollout served at `place`: (variant, weight) in order.
pub(crate) fn weights_at(document: &Value, place: &Place) -> Option<Vec<(String, f64)>> {
    let weights = serve_at(document, place)?
        .get("rollout")?
        .get("weights")?
        .as_array()?;
    weights
        .iter()
        .map(|w| {
            Some((
                w.get("variant")?.as_str()?.to_owned(),
                w.get("weight")?.as_f64()?,
            ))
        })
        .collect()
}

/// The experiment's rollout in `document`: `preferred` if given, else the default serve's
/// rollout, else the first rule that serves one.
pub(crate) fn experiment_rollout(
    document: &Value,
    preferred: Option<&Place>,
) -> Option<(Place, Vec<(String, f64)>)> {
    if let Some(place) = preferred {
        return weights_at(document, place).map(|w| (place.clone(), w));
    }
    if let Some(weights) = weights_at(document, &Place::Default) {
        return Some((Place::Default, weights));
    }
    document
        .get("rules")?
        .as_array()?
        .iter()
        .filter_map(|r| r.get("id").and_then(Value::as_str))
        .map(|id| Place::Rule(id.to_owned()))
        .find_map(|place| weights_at(document, &place).map(|w| (place, w)))
}

/// Flag `document` with the rollout at `place` giving `variant` the weight `weight`: the
/// other variants of the rollout share the rest in their current proportions (all to the
/// flag's `offVariant` when they have none). A place that serves one variant becomes a
/// rollout by `targetingKey`, salted with the flag's key.
pub(crate) fn with_weight(
    document: &Value,
    flag: &str,
    place: &Place,
    variant: &str,
    weight: u64,
) -> Result<Value, String> {
    let variants: Vec<String> = document
        .get("variants")
        .and_then(Value::as_object)
        .map(|v| v.iter().map(|(n, _)| n.to_string()).collect())
        .unwrap_or_default();
    if !variants.iter().any(|v| v == variant) {
        return Err(format!(
            "flag \"{flag}\" has no variant \"{variant}\" (it has: {})",
            variants.join(", ")
        ));
    }
    let serve = serve_at(document, place);
    if serve.is_none() && *place != Place::Default {
        return Err(format!("flag \"{flag}\" has no rule \"{}\"", place.name()));
    }
    if serve.is_some_and(|s| s.get("schedule").is_some()) {
        return Err(format!(
            "the rollout at \"{}\" is a schedule; a plan drives a rollout's weights",
            place.name()
        ));
    }
    let off = document
        .get("offVariant")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if off == variant {
        // The control: the guards would compare it with itself.
        return Err(format!(
            "\"{variant}\" is the flag's offVariant (the control): roll out another variant"
        ));
    }
    let current: Vec<(String, f64)> = weights_at(document, place).unwrap_or_else(|| {
        let served = serve
            .and_then(|s| s.get("variant"))
            .and_then(Value::as_str)
            .unwrap_or(&off);
        vec![(served.to_owned(), TOTAL_WEIGHT as f64)]
    });
    let others: Vec<(String, f64)> = current
        .iter()
        .filter(|(v, _)| v != variant)
        .cloned()
        .collect();
    let others = if others.iter().all(|(_, w)| *w <= 0.0) {
        vec![(off, 1.0)]
    } else {
        others
    };
    let rest = TOTAL_WEIGHT - weight.min(TOTAL_WEIGHT);
    let share: f64 = others.iter().map(|(_, w)| w.max(0.0)).sum();
    // Integer shares that add up to exactly `rest`: the last takes the rounding.
    let mut given = 0u64;
    let mut weights = vec![(variant.to_owned(), weight.min(TOTAL_WEIGHT))];
    for (i, (name, w)) in others.iter().enumerate() {
        let part = if i + 1 == others.len() {
            rest - given
        } else {
            ((rest as f64) * w.max(0.0) / share).floor() as u64
        };
        given += part;
        weights.push((name.clone(), part));
    }
    let by = serve
        .and_then(|s| s.get("rollout"))
        .and_then(|r| r.get("by"))
        .cloned()
        .unwrap_or_else(|| Value::from("targetingKey"));
    let salt = serve
        .and_then(|s| s.get("rollout"))
        .and_then(|r| r.get("salt"))
        .cloned()
        .unwrap_or_else(|| Value::from(flag));
    let rollout = Value::Object(vec![(
        "rollout".into(),
        Value::Object(vec![
            ("by".into(), by),
            ("salt".into(), salt),
            (
                "weights".into(),
                Value::Array(
                    weights
                        .into_iter()
                        .map(|(v, w)| {
                            Value::Object(vec![
                                ("variant".into(), Value::from(v.as_str())),
                                ("weight".into(), Value::Number(Number::from_u64(w))),
                            ])
                        })
                        .collect(),
                ),
            ),
        ]),
    )]);
    Ok(replace_serve(document, place, rollout))
}

/// `document` with the serve at `place` replaced by `serve`.
fn replace_serve(document: &Value, place: &Place, serve: Value) -> Value {
    let Value::Object(members) = document else {
        return document.clone();
    };
    let mut members = members.clone();
    match place {
        Place::Default => match members.iter_mut().find(|(k, _)| &**k == "defaultServe") {
            Some((_, v)) => *v = serve,
            None => members.push(("defaultServe".into(), serve)),
        },
        Place::Rule(id) => {
            if let Some((_, Value::Array(rules))) =
                members.iter_mut().find(|(k, _)| &**k == "rules")
            {
                for rule in rules.iter_mut() {
                    if rule.get("id").and_then(Value::as_str) != Some(id.as_str()) {
                        continue;
                    }
                    if let Value::Object(rule) = rule {
                        if let Some((_, v)) = rule.iter_mut().find(|(k, _)| &**k == "serve") {
                            *v = serve.clone();
                        }
                    }
                }
            }
        }
    }
    Value::Object(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(text: &str) -> Value {
        super::super::parse_test_json(text)
    }

    #[test]
    fn the_default_rollout_comes_first_then_the_first_rule_with_one() {
        let doc = flag(
            r#"{"rules":[{"id":"staff","serve":{"variant":"on"}},
                {"id":"beta","serve":{"rollout":{"weights":[{"variant":"on","weight":25000},{"variant":"off","weight":75000}]}}}],
               "defaultServe":{"variant":"off"}}"#,
        );
        let (place, weights) = experiment_rollout(&doc, None).unwrap();
        assert_eq!(place, Place::Rule("beta".into()));
        assert_eq!(
            weights,
            vec![("on".into(), 25000.0), ("off".into(), 75000.0)]
        );
        assert!(experiment_rollout(&doc, Some(&Place::Rule("staff".into()))).is_none());
        assert!(experiment_rollout(&doc, Some(&Place::Default)).is_none());
    }

    #[test]
    fn a_step_sets_the_weight_and_shares_the_rest() {
        let flag = super::super::parse_test_json(
            r#"{"variants":{"on":true,"off":false,"b":false},"offVariant":"off",
               "rules":[{"id":"beta","serve":{"rollout":{"by":"userId","salt":"s","weights":[{"variant":"on","weight":0},{"variant":"off","weight":60000},{"variant":"b","weight":40000}]}}}],
               "defaultServe":{"variant":"off"}}"#,
        );
        let out = with_weight(&flag, "f", &Place::Rule("beta".into()), "on", 10_000).unwrap();
        let weights = weights_at(&out, &Place::Rule("beta".into())).unwrap();
        assert_eq!(
            weights,
            vec![
                ("on".into(), 10_000.0),
                ("off".into(), 54_000.0),
                ("b".into(), 36_000.0)
            ]
        );
        // A fixed default serve becomes a rollout salted with the flag's key.
        let out = with_weight(&flag, "f", &Place::Default, "on", 1_000).unwrap();
        assert_eq!(
            weights_at(&out, &Place::Default).unwrap(),
            vec![("on".into(), 1_000.0), ("off".into(), 99_000.0)]
        );
        assert_eq!(
            out.get("defaultServe")
                .unwrap()
                .get("rollout")
                .unwrap()
                .get("salt")
                .unwrap()
                .as_str(),
            Some("f")
        );
        assert!(with_weight(&flag, "f", &Place::Rule("nope".into()), "on", 1).is_err());
        assert!(with_weight(&flag, "f", &Place::Default, "maybe", 1).is_err());
        assert!(with_weight(&flag, "f", &Place::Default, "off", 1).is_err());
    }
}
