//! One GrowthBook rule as edgeflag rules: a force rule (with coverage or range as a
//! fall-through rollout), an experiment (variations, weights, coverage, ranges, namespace as a
//! fall-through rollout over the vendor's hash), filters, prerequisites.

use super::buckets;
use super::condition::{truthy, Fail, Translator};
use super::dnf::{self, Cond, Dnf, Target};
use super::read;
use super::static_eval;
use super::variants::Variants;
use super::Ctx;
use crate::path;
use crate::{ImportError, Note};
use serde_json::{json, Map, Value};

/// Members of a rule the importer reads or knows to be irrelevant to the value.
const KNOWN: &[&str] = &[
    "id",
    "condition",
    "force",
    "coverage",
    "hashAttribute",
    "fallbackAttribute",
    "hashVersion",
    "seed",
    "range",
    "ranges",
    "variations",
    "weights",
    "key",
    "namespace",
    "parentConditions",
    "filters",
    "tracks",
    "meta",
    "name",
    "phase",
    "disableStickyBucketing",
    "bucketVersion",
    "minBucketVersion",
];

/// What one GrowthBook rule became.
pub(crate) enum Outcome {
    /// edgeflag rules (already with ids) to append, and their metadata.
    Rules(Vec<Value>, Vec<(String, Value)>),
    /// Never applies (or serves nothing): no edgeflag rule.
    Skip,
    /// A leading prerequisite gate that can pass: a flag-level prerequisite.
    Gate(Vec<Value>),
    /// A leading prerequisite gate that can never pass: the flag always answers null.
    Blocked,
}

/// The flag being translated.
pub(crate) struct Flag<'a> {
    pub(crate) key: &'a str,
    pub(crate) variants: &'a Variants,
    /// Whether an earlier rule already serves something (gates after it are not leading).
    pub(crate) served: bool,
}

fn unsupported(p: &str, m: impl Into<String>) -> Fail {
    Fail::Unsupported {
        path: p.to_string(),
        message: m.into(),
    }
}

impl From<ImportError> for Fail {
    fn from(e: ImportError) -> Fail {
        Fail::Malformed(e)
    }
}

/// Translates rule `i` of `flag` (at `p`).
pub(crate) fn rule(
    ctx: &mut Ctx<'_>,
    flag: &Flag<'_>,
    i: usize,
    r: &Value,
    p: &str,
) -> Result<Outcome, Fail> {
    let m = read::object(r, p, "a rule object")?;
    for k in m.keys().filter(|k| !KNOWN.contains(&k.as_str())) {
        let lossy = k == "contextualVariations";
        let message = if lossy {
            "a contextual bandit rule: edgeflag has no contextual bandits"
        } else {
            "unknown rule member"
        };
        if lossy {
            return Err(unsupported(&path::key(p, k), message));
        }
        ctx.notes.push(Note {
            path: path::key(p, k),
            message: message.into(),
            lossy,
        });
    }
    let mut gates = Vec::new();
    if let Some(pcs) = m.get("parentConditions") {
        let pp = path::key(p, "parentConditions");
        for (j, pc) in read::array(pcs, &pp, "prerequisite conditions")?
            .iter()
            .enumerate()
        {
            match parent(ctx, flag, pc, &path::index(&pp, j))? {
                Parent::Passes => {}
                Parent::Never => return Ok(Outcome::Skip),
                Parent::Blocks => return Ok(Outcome::Blocked),
                Parent::Gate(g) => gates.push(g),
            }
        }
    }
    let mut conds = dnf::always();
    if let Some(fs) = m.get("filters") {
        let fp = path::key(p, "filters");
        for (j, f) in read::array(fs, &fp, "filters")?.iter().enumerate() {
            match filter(f, &path::index(&fp, j))? {
                Some(c) => {
                    conds = dnf::and(&conds, &dnf::one(c))
                        .ok_or_else(|| unsupported(&fp, "too many alternatives"))?
                }
                None => return Ok(Outcome::Skip),
            }
        }
    }
    let is_force = m.contains_key("force");
    if !is_force && m.get("variations").is_none() {
        // A gate-only rule (or an empty one) serves nothing: GrowthBook moves on.
        return Ok(if gates.is_empty() {
            Outcome::Skip
        } else {
            Outcome::Gate(gates)
        });
    }
    if !gates.is_empty() {
        // The gate is checked first, then the same rule may serve: keep both.
        ctx.pending_gates.extend(gates);
    }
    if let Some(c) = m.get("condition").filter(|c| !c.is_null()) {
        let mut t = Translator {
            groups: ctx.groups,
            notes: &mut ctx.notes,
        };
        let d = t.condition(c, &path::key(p, "condition"))?;
        conds = dnf::and(&conds, &d).ok_or_else(|| unsupported(p, "too many alternatives"))?;
    }
    if m.contains_key("fallbackAttribute") {
        ctx.notes.push(Note {
            path: path::key(p, "fallbackAttribute"),
            message: "used by GrowthBook only with sticky bucketing, which edgeflag does not have"
                .into(),
            lossy: false,
        });
    }
    let gb_id = read::opt_text(m, "id", p)?.unwrap_or("");
    let (serve, experiment) = if is_force {
        match force(flag, m, p)? {
            Some(s) => (s, None),
            None => return Ok(Outcome::Skip),
        }
    } else {
        match experiment(flag, m, p, &mut conds)? {
            Some((s, key)) => (s, Some(key)),
            None => return Ok(Outcome::Skip),
        }
    };
    if conds.is_empty() {
        return Ok(Outcome::Skip);
    }
    let mut rules = Vec::with_capacity(conds.len());
    let mut meta = Vec::new();
    for (j, term) in conds.iter().enumerate() {
        let id = if conds.len() == 1 {
            format!("r{i}")
        } else {
            format!("r{i}.{j}")
        };
        let mut rule = Map::new();
        rule.insert("id".into(), json!(id));
        if !term.is_empty() {
            rule.insert(
                "conditions".into(),
                Value::Array(term.iter().map(Cond::to_json).collect()),
            );
        }
        rule.insert("serve".into(), serve.clone());
        rules.push(Value::Object(rule));
        if !gb_id.is_empty() {
            meta.push((format!("growthbook.rule.{id}"), json!(gb_id)));
        }
        if let Some(k) = &experiment {
            meta.push((format!("growthbook.experiment.{id}"), json!(k)));
        }
    }
    Ok(Outcome::Rules(rules, meta))
}

enum Parent {
    Passes,
    Never,
    Blocks,
    Gate(Value),
}

/// One prerequisite (`parentConditions[j]`), decided over the parent flag's possible values.
fn parent(ctx: &Ctx<'_>, flag: &Flag<'_>, pc: &Value, p: &str) -> Result<Parent, Fail> {
    let m = read::object(pc, p, "a prerequisite object (id, condition, gate)")?;
    let id = m.get("id").and_then(Value::as_str).ok_or_else(|| {
        ImportError::new(
            path::key(p, "id"),
            "expected the parent feature's key (a string)",
        )
    })?;
    let empty = json!({});
    let cond = m
        .get("condition")
        .filter(|c| !c.is_null())
        .unwrap_or(&empty);
    read::object(cond, &path::key(p, "condition"), "a condition object")?;
    let gate = m.get("gate").is_some_and(truthy);
    let values: Vec<(Option<&str>, Value)> =
        match (ctx.features.contains_key(id), ctx.tables.get(id)) {
            (false, _) => vec![(None, Value::Null)],
            (true, Some(t)) => t.all().into_iter().map(|(n, v)| (Some(n), v)).collect(),
            (true, None) => {
                return Err(unsupported(
                    p,
                    format!("the parent feature {id:?} could not be imported"),
                ))
            }
        };
    let mut passing = Vec::new();
    for (name, v) in &values {
        match static_eval::eval(&json!({ "value": v }), cond) {
            Some(true) => passing.push(*name),
            Some(false) => {}
            None => {
                return Err(unsupported(
                    &path::key(p, "condition"),
                    "a prerequisite condition this importer cannot decide",
                ))
            }
        }
    }
    if passing.len() == values.len() {
        return Ok(Parent::Passes);
    }
    if !gate {
        if passing.is_empty() {
            return Ok(Parent::Never);
        }
        return Err(unsupported(
            p,
            "a prerequisite on one rule: edgeflag prerequisites apply to the whole flag",
        ));
    }
    if flag.served {
        return Err(unsupported(p, "a prerequisite gate after rules that serve values: edgeflag checks prerequisites first"));
    }
    if passing.is_empty() {
        return Ok(Parent::Blocks);
    }
    let names: Vec<&str> = passing.into_iter().flatten().collect();
    Ok(Parent::Gate(json!({ "flag": id, "variants": names })))
}

/// A filter as an `inBucket` condition; `None` when it never includes anyone.
fn filter(f: &Value, p: &str) -> Result<Option<Cond>, Fail> {
    let m = read::object(f, p, "a filter object (attribute, seed, ranges)")?;
    let attr = read::opt_text(m, "attribute", p)?.unwrap_or("id");
    let seed = m
        .get("seed")
        .and_then(Value::as_str)
        .ok_or_else(|| ImportError::new(path::key(p, "seed"), "expected a string"))?;
    let version = read::hash_version(m, "hashVersion", 2, p)?;
    let Some(n) = buckets::count(version) else {
        return Ok(None);
    };
    let rp = path::key(p, "ranges");
    let ranges = read::array(
        m.get("ranges").unwrap_or(&Value::Null),
        &rp,
        "[start, end] pairs",
    )?;
    let mut values = Vec::new();
    for (i, r) in ranges.iter().enumerate() {
        let (s, e) = read::pair(r, &path::index(&rp, i))?;
        let (a, b) = buckets::range(s, e, n);
        if a < b {
            values.push(json!([a, b]));
        }
    }
    if values.is_empty() {
        return Ok(None);
    }
    Ok(Some(Cond {
        target: Target::Bucket {
            by: attr.into(),
            salt: seed.into(),
            bucketing: buckets::bucketing(version),
        },
        op: "inBucket",
        values,
        negate: false,
        when_missing: false,
        case_insensitive: false,
        numeric_strings: false,
    }))
}

fn wrong_type(flag: &Flag<'_>, p: &str) -> Fail {
    unsupported(
        p,
        format!(
            "a value that is not of the flag's type ({})",
            flag.variants.kind
        ),
    )
}

/// A force rule's serve; `None` when it never applies.
fn force(flag: &Flag<'_>, m: &Map<String, Value>, p: &str) -> Result<Option<Value>, Fail> {
    let value = m.get("force").unwrap_or(&Value::Null);
    let name = flag
        .variants
        .name_of(value)
        .ok_or_else(|| wrong_type(flag, &path::key(p, "force")))?;
    let range = match m.get("range").filter(|r| !r.is_null()) {
        Some(r) => Some(read::pair(r, &path::key(p, "range"))?),
        None => None,
    };
    let coverage = read::opt_number(m, "coverage", p)?;
    if range.is_none() && coverage.is_none() {
        return Ok(Some(json!({ "variant": name })));
    }
    if range.is_none() && coverage == Some(0.0) {
        return Ok(None);
    }
    let version = read::hash_version(m, "hashVersion", 1, p)?;
    let Some(n) = buckets::count(version) else {
        return Ok(None);
    };
    let (a, b) = match (range, coverage) {
        (Some((s, e)), _) => buckets::range(s, e, n),
        (None, c) => (0, buckets::coverage_count(c.unwrap_or(1.0), n)),
    };
    if a >= b {
        return Ok(None);
    }
    let by = read::opt_text(m, "hashAttribute", p)?.unwrap_or("id");
    let salt = read::opt_text(m, "seed", p)?.unwrap_or(flag.key);
    Ok(Some(rollout(
        by,
        salt,
        version,
        buckets::weights(&[(Some(name), a, b)], n),
    )))
}

fn rollout(by: &str, salt: &str, version: u32, weights: Vec<Value>) -> Value {
    json!({ "rollout": {
        "by": by, "salt": salt, "bucketing": buckets::bucketing(version),
        "fallThrough": true, "weights": weights,
    } })
}

/// An experiment rule's serve and experiment key; `None` when nobody can be in it.
fn experiment(
    flag: &Flag<'_>,
    m: &Map<String, Value>,
    p: &str,
    conds: &mut Dnf,
) -> Result<Option<(Value, String)>, Fail> {
    let vp = path::key(p, "variations");
    let variations = read::array(m.get("variations").unwrap_or(&Value::Null), &vp, "values")?;
    if variations.len() < 2 {
        return Ok(None);
    }
    let mut names = Vec::with_capacity(variations.len());
    for (i, v) in variations.iter().enumerate() {
        names.push(
            flag.variants
                .name_of(v)
                .ok_or_else(|| wrong_type(flag, &path::index(&vp, i)))?,
        );
    }
    let key = read::opt_text(m, "key", p)?.unwrap_or(flag.key);
    let salt = read::opt_text(m, "seed", p)?.unwrap_or(key);
    let by = read::opt_text(m, "hashAttribute", p)?.unwrap_or("id");
    let version = read::hash_version(m, "hashVersion", 1, p)?;
    let Some(n) = buckets::count(version) else {
        return Ok(None);
    };
    let ranges = match m.get("ranges").filter(|r| !r.is_null()) {
        Some(r) => {
            let rp = path::key(p, "ranges");
            let list = read::array(r, &rp, "[start, end] pairs")?;
            let mut out = Vec::with_capacity(list.len());
            for (i, x) in list.iter().enumerate() {
                out.push(read::pair(x, &path::index(&rp, i))?);
            }
            out
        }
        None => bucket_ranges(m, names.len(), p)?,
    };
    let meta = m.get("meta").and_then(Value::as_array);
    let passthrough = |i: usize| {
        meta.and_then(|l| l.get(i))
            .and_then(|x| x.get("passthrough"))
            .is_some_and(truthy)
    };
    let owners: Vec<(Option<&str>, u32, u32)> = ranges
        .iter()
        .enumerate()
        .filter_map(|(i, (s, e))| {
            let (a, b) = buckets::range(*s, *e, n);
            let owner = if passthrough(i) {
                None
            } else {
                Some(*names.get(i)?)
            };
            Some((owner, a, b))
        })
        .collect();
    let weights = buckets::weights(&owners, n);
    if !buckets::serves_any(&weights) {
        return Ok(None);
    }
    if m.get("filters").is_none() {
        if let Some(ns) = m.get("namespace").filter(|x| !x.is_null()) {
            let np = path::key(p, "namespace");
            let (id, s, e) = match ns.as_array().map(Vec::as_slice) {
                Some([Value::String(id), s, e]) => (
                    id,
                    read::number(s, &path::index(&np, 1))?,
                    read::number(e, &path::index(&np, 2))?,
                ),
                _ => {
                    return Err(
                        ImportError::new(np, "expected a [id, start, end] namespace").into(),
                    )
                }
            };
            let (a, b) = buckets::range(s, e, 1000);
            if a >= b {
                return Ok(None);
            }
            let c = Cond {
                target: Target::Bucket {
                    by: by.into(),
                    salt: format!("__{id}"),
                    bucketing: buckets::bucketing(1),
                },
                op: "inBucket",
                values: vec![json!([a, b])],
                negate: false,
                when_missing: false,
                case_insensitive: false,
                numeric_strings: false,
            };
            *conds = dnf::and(conds, &dnf::one(c))
                .ok_or_else(|| unsupported(p, "too many alternatives"))?;
        }
    }
    Ok(Some((rollout(by, salt, version, weights), key.to_string())))
}

/// GrowthBook's `getBucketRanges`: coverage clamped to [0, 1], weights that do not fit
/// replaced by equal ones.
fn bucket_ranges(m: &Map<String, Value>, count: usize, p: &str) -> Result<Vec<(f64, f64)>, Fail> {
    let coverage = read::opt_number(m, "coverage", p)?
        .unwrap_or(1.0)
        .clamp(0.0, 1.0);
    let equal = vec![1.0 / count as f64; count];
    let weights = match m.get("weights").filter(|w| !w.is_null()) {
        Some(w) => {
            let wp = path::key(p, "weights");
            let list = read::array(w, &wp, "numbers")?;
            let mut out = Vec::with_capacity(list.len());
            for (i, x) in list.iter().enumerate() {
                out.push(read::number(x, &path::index(&wp, i))?);
            }
            out
        }
        None => equal.clone(),
    };
    let total: f64 = weights.iter().sum();
    let weights = if weights.len() != count || !(0.99..=1.01).contains(&total) {
        equal
    } else {
        weights
    };
    let mut cumulative = 0.0;
    Ok(weights
        .iter()
        .map(|w| {
            let start = cumulative;
            cumulative += w;
            (start, start + coverage * w)
        })
        .collect())
}
