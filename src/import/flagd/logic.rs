//! flagd targeting (JsonLogic) as an ordered decision list.
//!
//! A targeting expression answers a variant name, or null (the default variant). It is
//! flattened into entries `(guard, outcome)`, tried in order, where a guard is a list of
//! edgeflag conditions that must all hold. Every list this module builds is *total*: its
//! last entry has an empty guard. That is what makes `if` chains compose: the entries of a
//! branch, each prefixed with one conjunction of the branch's condition, catch every unit
//! for which that conjunction holds, so the next conjunction or branch is only reached when
//! it does not, exactly as JsonLogic evaluates.
//!
//! Conditions are put in disjunctive normal form ([`Dnf`]): `or` yields several
//! conjunctions (several rules), `!` is pushed down to the atoms (De Morgan), and each atom
//! negates as a whole, `whenMissing` included (see [`super::atom`]).

use super::atom;
use super::fractional;
use super::Cx;
use crate::path;
use crate::ImportError;
use serde_json::Value;

/// More conjunctions than this in one condition are not imported (noted as lossy): the
/// rule count would grow past what anyone reviews.
const MAX_TERMS: usize = 64;

/// More comparisons than this in one conjunction are not imported (noted as lossy): no
/// client loads a rule of more than 100 conditions, and `$ref`s that AND one another would
/// otherwise build conjunctions of millions.
const MAX_CONDITIONS: usize = 100;

/// At most this many (guard, outcome) decisions, i.e. edgeflag rules, per `if` chain.
const MAX_DECISIONS: usize = 4096;

/// What an entry answers.
#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    /// This variant.
    Variant(String),
    /// The flag's default variant (targeting answered null).
    Default,
    /// An edgeflag serve object (a rollout).
    Serve(Value),
}

/// One entry of a decision list.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// Edgeflag conditions, all of which must hold (empty: always).
    pub(crate) guard: Vec<Value>,
    /// What the entry answers.
    pub(crate) outcome: Outcome,
}

impl Entry {
    /// An entry that always applies.
    pub(crate) fn always(outcome: Outcome) -> Entry {
        Entry {
            guard: Vec::new(),
            outcome,
        }
    }
}

/// A condition in disjunctive normal form: any of the conjunctions (each a list of edgeflag
/// conditions) holds. `[]` never holds; `[[]]` always does.
pub(crate) type Dnf = Vec<Vec<Value>>;

/// The decision list of the targeting expression `t` at `p` (total).
pub(crate) fn decisions(cx: &mut Cx<'_>, t: &Value, p: &str) -> Result<Vec<Entry>, ImportError> {
    cx.step(p)?;
    match t {
        Value::Null => Ok(vec![Entry::always(Outcome::Default)]),
        Value::String(s) => Ok(vec![Entry::always(variant(cx, s, p))]),
        // flagd reads any other answer as a variant name through its string form.
        Value::Bool(b) => Ok(vec![Entry::always(variant(cx, &b.to_string(), p))]),
        Value::Number(n) => Ok(vec![Entry::always(variant(cx, &n.to_string(), p))]),
        Value::Array(_) => {
            cx.lossy(p, "an array is not a variant name: flagd answers an error");
            Ok(vec![Entry::always(Outcome::Default)])
        }
        Value::Object(m) => {
            let Some((op, args)) = single(m) else {
                return Err(ImportError::new(
                    p,
                    "expected a JsonLogic operation (an object with one member)",
                ));
            };
            let ap = path::key(p, op);
            match op {
                "if" => if_chain(cx, args, &ap),
                "fractional" => fractional::decisions(cx, args, &ap),
                "$ref" => {
                    let (resolved, rp) = cx.evaluator(args, &ap)?;
                    with_ref(cx, args, |cx| decisions(cx, &resolved, &rp))
                }
                "var" | "cat" | "substr" | "merge" | "map" | "reduce" => {
                    cx.lossy(p, format!("a variant chosen by \"{op}\" cannot be expressed; the default variant is served"));
                    Ok(vec![Entry::always(Outcome::Default)])
                }
                // A boolean expression answers "true" or "false" as the variant name.
                _ => {
                    let dnf = condition(cx, t, p, false)?;
                    let yes = variant(cx, "true", p);
                    let no = variant(cx, "false", p);
                    let mut out: Vec<Entry> = dnf
                        .into_iter()
                        .map(|guard| Entry {
                            guard,
                            outcome: yes.clone(),
                        })
                        .collect();
                    out.push(Entry::always(no));
                    Ok(out)
                }
            }
        }
    }
}

/// The one member of a JsonLogic operation.
pub(crate) fn single(m: &serde_json::Map<String, Value>) -> Option<(&str, &Value)> {
    let mut it = m.iter();
    match (it.next(), it.next()) {
        (Some((k, v)), None) => Some((k.as_str(), v)),
        _ => None,
    }
}

/// Runs `f` with the `$ref` named `name` marked as being expanded.
pub(crate) fn with_ref<T>(
    cx: &mut Cx<'_>,
    name: &Value,
    f: impl FnOnce(&mut Cx<'_>) -> Result<T, ImportError>,
) -> Result<T, ImportError> {
    cx.refs.push(name.as_str().unwrap_or_default().to_owned());
    let out = f(cx);
    cx.refs.pop();
    out
}

/// A variant name the targeting answers; one the flag does not have is flagd's error (the
/// caller's default), which edgeflag cannot answer.
fn variant(cx: &mut Cx<'_>, name: &str, p: &str) -> Outcome {
    if cx.variants.contains_key(name) {
        Outcome::Variant(name.to_owned())
    } else {
        cx.lossy(p, format!("\"{name}\" is not a variant of the flag: flagd answers an error, edgeflag the default variant"));
        Outcome::Default
    }
}

/// `{"if": [c1, t1, c2, t2, ..., else]}`.
fn if_chain(cx: &mut Cx<'_>, args: &Value, p: &str) -> Result<Vec<Entry>, ImportError> {
    let Some(args) = args.as_array() else {
        return Err(ImportError::new(p, "expected [condition, then, ..., else]"));
    };
    let mut out = Vec::new();
    let mut i = 0;
    while let (Some(c), Some(then)) = (args.get(i), args.get(i + 1)) {
        let dnf = condition(cx, c, &path::index(p, i), false)?;
        let branch = decisions(cx, then, &path::index(p, i + 1))?;
        // Guards multiply through nested `if`s (an `or` at every level): bound the rules a
        // hostile file can make the import build.
        let adds = dnf.len().saturating_mul(branch.len());
        if out.len().saturating_add(adds) > MAX_DECISIONS {
            return Err(ImportError::new(
                p,
                format!("targeting expands to more than {MAX_DECISIONS} edgeflag rules"),
            ));
        }
        for conj in dnf {
            for e in &branch {
                let mut guard = conj.clone();
                guard.extend(e.guard.iter().cloned());
                out.push(Entry {
                    guard,
                    outcome: e.outcome.clone(),
                });
            }
        }
        i += 2;
    }
    // An odd count ends with the else branch; without one, `if` answers null.
    let rest = match args.get(i) {
        Some(e) => decisions(cx, e, &path::index(p, i))?,
        None => vec![Entry::always(Outcome::Default)],
    };
    out.extend(rest);
    Ok(out)
}

/// The condition `c` at `p` (negated when `negated`) in disjunctive normal form.
pub(crate) fn condition(
    cx: &mut Cx<'_>,
    c: &Value,
    p: &str,
    negated: bool,
) -> Result<Dnf, ImportError> {
    cx.step(p)?;
    let always = |holds: bool| {
        if holds != negated {
            vec![vec![]]
        } else {
            vec![]
        }
    };
    let m = match c {
        Value::Bool(b) => return Ok(always(*b)),
        Value::Null => return Ok(always(false)),
        Value::Number(n) => return Ok(always(n.as_f64().is_some_and(|f| f != 0.0))),
        Value::String(s) => return Ok(always(!s.is_empty())),
        Value::Array(a) => return Ok(always(!a.is_empty())),
        Value::Object(m) => m,
    };
    let Some((op, args)) = single(m) else {
        return Err(ImportError::new(
            p,
            "expected a JsonLogic operation (an object with one member)",
        ));
    };
    let ap = path::key(p, op);
    match op {
        "and" | "or" => {
            let Some(list) = args.as_array() else {
                return Err(ImportError::new(ap, "expected an array of conditions"));
            };
            if list.is_empty() {
                // json-logic-engine answers null for `{"and": []}` as for `{"or": []}`:
                // falsy, whereas the empty conjunction below would always hold.
                return Ok(always(false));
            }
            // Under negation `and` becomes `or` and back (De Morgan).
            let conjunctive = (op == "and") != negated;
            let mut acc: Dnf = if conjunctive { vec![vec![]] } else { vec![] };
            for (i, item) in list.iter().enumerate() {
                let d = condition(cx, item, &path::index(&ap, i), negated)?;
                acc = if conjunctive {
                    product(acc, d)
                } else {
                    union(acc, d)
                };
                if acc.len() > MAX_TERMS {
                    cx.lossy(&ap, format!("more than {MAX_TERMS} alternatives: not imported, the condition never holds"));
                    return Ok(vec![]);
                }
                if acc.iter().any(|conj| conj.len() > MAX_CONDITIONS) {
                    cx.lossy(&ap, format!("more than {MAX_CONDITIONS} comparisons in one conjunction (clients load at most 100 per rule): not imported, the condition never holds"));
                    return Ok(vec![]);
                }
            }
            Ok(acc)
        }
        "!" | "!!" => {
            // JsonLogic negates the first argument and ignores the rest (`{"!": []}` is
            // `!null`, true).
            let inner = match args {
                Value::Array(a) => a.first().unwrap_or(&Value::Null),
                other => other,
            };
            let flip = op == "!";
            condition(cx, inner, &path::index(&ap, 0), negated != flip)
        }
        "$ref" => {
            // Translated once per flag and polarity: `$ref`s that name one another twice per
            // level would otherwise take exponential time (and note each problem as often).
            let key = (args.as_str().unwrap_or_default().to_owned(), negated);
            if let Some(done) = cx.conditions.get(&key) {
                return Ok(done.clone());
            }
            let (resolved, rp) = cx.evaluator(args, &ap)?;
            let dnf = with_ref(cx, args, |cx| condition(cx, &resolved, &rp, negated))?;
            cx.conditions.insert(key, dnf.clone());
            Ok(dnf)
        }
        _ => match atom::atom(cx, op, args, &ap)? {
            Some(conds) => Ok(atom::negate_if(conds, negated)),
            None => Ok(vec![]),
        },
    }
}

/// `a and b`.
fn product(a: Dnf, b: Dnf) -> Dnf {
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in &a {
        for y in &b {
            let mut conj = x.clone();
            // `c and c` is `c`: a condition reached twice (through `$ref`s) is kept once.
            for c in y {
                if !conj.contains(c) {
                    conj.push(c.clone());
                }
            }
            out.push(conj);
        }
    }
    out
}

/// `a or b`.
fn union(mut a: Dnf, b: Dnf) -> Dnf {
    a.extend(b);
    a
}
