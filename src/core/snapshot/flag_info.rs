//! A read-only view of one compiled flag: what a host needs to describe a flag without
//! evaluating it (its type, variants, rule ids and metadata), for example a binding that keeps
//! names and values on its own side, or a tool that writes type declarations.

use super::model::Flag;
use super::{FlagId, FlagType, Snapshot};
use crate::json::Value;
use alloc::boxed::Box;

/// One flag of a [`Snapshot`], described: borrowed from the snapshot, cheap to copy.
#[derive(Clone, Copy, Debug)]
pub struct FlagInfo<'s> {
    flag: &'s Flag,
}

impl<'s> FlagInfo<'s> {
    pub(crate) fn new(flag: &'s Flag) -> Self {
        FlagInfo { flag }
    }

    /// The flag's key.
    pub fn key(&self) -> &'s str {
        &self.flag.key
    }

    /// The type of the flag's values.
    pub fn flag_type(&self) -> FlagType {
        self.flag.kind
    }

    /// The number of variants.
    pub fn variant_count(&self) -> usize {
        self.flag.variants.len()
    }

    /// The variants as (name, value), in payload order: a variant's position here is the
    /// `variant` of a [`Served`](crate::Served).
    pub fn variants(&self) -> impl ExactSizeIterator<Item = (&'s str, &'s Value)> + 's {
        self.flag.variants.iter().map(|v| (&*v.name, &v.value))
    }

    /// The rules' ids in order (`None` for a rule without one): a rule's position here is the
    /// `rule` of a [`Served`](crate::Served).
    pub fn rule_ids(&self) -> impl ExactSizeIterator<Item = Option<&'s str>> + 's {
        self.flag.rules.iter().map(|r| r.id.as_deref())
    }

    /// The flag's metadata (its primitive members), as evaluation details carry it.
    pub fn metadata(&self) -> &'s [(Box<str>, Value)] {
        &self.flag.metadata
    }

    /// Whether the flag has `trackEvents`: its split evaluations are experiment exposures.
    pub fn tracks_events(&self) -> bool {
        self.flag.track_events
    }

    /// Why the flag cannot be evaluated, when it was degraded by a
    /// [`LoadMode::Client`](crate::LoadMode) load. A flag degraded by an error in its own
    /// definition has no variants and no rules; one degraded through a prerequisite or a
    /// segment keeps them, but is not evaluated either.
    pub fn error(&self) -> Option<&'s super::FlagError> {
        self.flag.degraded.as_deref()
    }
}

impl Snapshot {
    /// The flag at `id`, described.
    pub fn flag_info(&self, id: FlagId) -> Option<FlagInfo<'_>> {
        self.flag_at(id.0).map(FlagInfo::new)
    }

    /// Every flag, described, in payload order (the n-th is the flag whose
    /// [`FlagId::index`] is n).
    pub fn flag_infos(&self) -> impl ExactSizeIterator<Item = FlagInfo<'_>> {
        self.flags.iter().map(FlagInfo::new)
    }
}

#[cfg(test)]
mod tests {
    use crate::snapshot::test_snapshot;
    use crate::{FlagType, Value};
    use alloc::vec::Vec;

    const FLAGS: &str = r#"
      "color":{"type":"string","variants":{"red":"r","blue":"b"},"offVariant":"red",
        "rules":[{"id":"pro","conditions":[{"attribute":"plan","op":"in","values":["pro"]}],
                  "serve":{"variant":"blue"}},
                 {"conditions":[{"attribute":"country","op":"in","values":["DE"]}],
                  "serve":{"variant":"blue"}}],
        "trackEvents":true,"metadata":{"team":"web","nested":{"dropped":true}}},
      "plain":{"type":"boolean","variants":{"on":true,"off":false},"offVariant":"off"}"#;

    #[test]
    fn a_flag_is_described_by_position_as_payload_order_gives_it() {
        let s = test_snapshot(FLAGS);
        let infos: Vec<_> = s.flag_infos().collect();
        assert_eq!(infos.len(), 2);
        let color = infos[0];
        assert_eq!(color.key(), "color");
        assert_eq!(color.flag_type(), FlagType::String);
        let variants: Vec<_> = color.variants().collect();
        assert_eq!(
            variants,
            [("red", &Value::from("r")), ("blue", &Value::from("b"))]
        );
        assert_eq!(color.variant_count(), 2);
        assert_eq!(color.rule_ids().collect::<Vec<_>>(), [Some("pro"), None]);
        assert_eq!(color.metadata().len(), 1, "only primitive members");
        assert!(color.tracks_events());
        let plain = s.flag_info(s.flag_id("plain").unwrap()).unwrap();
        assert_eq!(plain.key(), "plain");
        assert!(!plain.tracks_events());
        assert!(s.flag_info(crate::FlagId(2)).is_none());
    }

    #[test]
    fn attribute_names_are_what_the_conditions_read_targeting_key_first() {
        let s = test_snapshot(FLAGS);
        let names: Vec<&str> = s.attribute_names().collect();
        assert_eq!(names, ["targetingKey", "plan", "country"]);
    }
}
