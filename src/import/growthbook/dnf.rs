//! edgeflag conditions in disjunctive normal form: GrowthBook's `$or`, `$nor` and `$not` become
//! several edgeflag rules (one per AND-list) that serve the same thing.

use serde_json::{json, Map, Value};

/// At most this many AND-lists per GrowthBook condition (a `$not` over `$or`s multiplies them).
pub(crate) const MAX_TERMS: usize = 64;

/// One edgeflag condition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cond {
    /// `attribute`, or the members that stand for it (`inBucket`'s `by`, `salt`, `bucketing`).
    pub(crate) target: Target,
    pub(crate) op: &'static str,
    pub(crate) values: Vec<Value>,
    pub(crate) negate: bool,
    pub(crate) when_missing: bool,
    pub(crate) case_insensitive: bool,
    pub(crate) numeric_strings: bool,
}

/// What a condition reads.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Target {
    /// A top-level attribute.
    Attribute(String),
    /// `inBucket`: the unit's bucket under `bucketing` with `salt`.
    Bucket {
        by: String,
        salt: String,
        bucketing: Value,
    },
}

impl Cond {
    /// `op` on `attribute` against `values`, not negated, false when missing.
    pub(crate) fn new(attribute: &str, op: &'static str, values: Vec<Value>) -> Cond {
        Cond {
            target: Target::Attribute(attribute.to_string()),
            op,
            values,
            negate: false,
            when_missing: false,
            case_insensitive: false,
            numeric_strings: false,
        }
    }

    /// The condition that holds exactly when this one does not.
    pub(crate) fn negated(mut self) -> Cond {
        self.negate = !self.negate;
        // `exists` keeps its own rule for a missing attribute (negated, it holds).
        if self.op != "exists" {
            self.when_missing = !self.when_missing;
        }
        self
    }

    /// The edgeflag JSON.
    pub(crate) fn to_json(&self) -> Value {
        let mut m = Map::new();
        match &self.target {
            Target::Attribute(a) => {
                m.insert("attribute".into(), json!(a));
            }
            Target::Bucket {
                by,
                salt,
                bucketing,
            } => {
                m.insert("by".into(), json!(by));
                m.insert("salt".into(), json!(salt));
                m.insert("bucketing".into(), bucketing.clone());
            }
        }
        m.insert("op".into(), json!(self.op));
        if self.op != "exists" {
            m.insert("values".into(), Value::Array(self.values.clone()));
        }
        if self.negate {
            m.insert("negate".into(), json!(true));
        }
        if self.when_missing && self.op != "exists" {
            m.insert("whenMissing".into(), json!(true));
        }
        if self.case_insensitive {
            m.insert("caseInsensitive".into(), json!(true));
        }
        if self.numeric_strings {
            m.insert("numericStrings".into(), json!(true));
        }
        Value::Object(m)
    }
}

/// An OR of AND-lists: `[]` never holds, `[[]]` always holds.
pub(crate) type Dnf = Vec<Vec<Cond>>;

/// Always holds.
pub(crate) fn always() -> Dnf {
    vec![Vec::new()]
}

/// One condition.
pub(crate) fn one(c: Cond) -> Dnf {
    vec![vec![c]]
}

/// Both hold; `None` when the result would have more than [`MAX_TERMS`] AND-lists.
pub(crate) fn and(a: &Dnf, b: &Dnf) -> Option<Dnf> {
    if a.len().saturating_mul(b.len()) > MAX_TERMS {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut t = x.clone();
            for c in y {
                if !t.contains(c) {
                    t.push(c.clone());
                }
            }
            out.push(t);
        }
    }
    Some(out)
}

/// Either holds.
pub(crate) fn or(mut a: Dnf, b: Dnf) -> Option<Dnf> {
    a.extend(b);
    (a.len() <= MAX_TERMS).then_some(a)
}

/// Holds exactly when `a` does not: an AND over `a`'s terms of the OR of their negations.
pub(crate) fn not(a: &Dnf) -> Option<Dnf> {
    let mut out = always();
    for term in a {
        let alternatives: Dnf = term.iter().map(|c| vec![c.clone().negated()]).collect();
        out = and(&out, &alternatives)?;
    }
    Some(out)
}
