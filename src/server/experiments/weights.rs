//! Which rollout an experiment's units come from, and its weights: the sample-ratio check
//! compares the units per variant with them, and a rollout plan changes them.

use edgeflag::Value;

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
}
