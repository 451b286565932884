//! GrowthBook targeting conditions (MongoDB-like, evaluated by its `evalCondition`) as edgeflag
//! conditions. What maps exactly is translated; close approximations are translated with a
//! lossy note; the rest is refused with its path ([`Fail::Unsupported`]) so the rule is dropped.

use super::dnf::{self, Cond, Dnf};
use super::version;
use crate::path;
use crate::{ImportError, Note};
use serde_json::{json, Map, Value};

/// Why a condition was not translated.
#[derive(Debug)]
pub(crate) enum Fail {
    /// The vendor file is malformed here.
    Malformed(ImportError),
    /// Well-formed, but not expressible: where and why.
    Unsupported { path: String, message: String },
}

fn unsupported(path: &str, message: impl Into<String>) -> Fail {
    Fail::Unsupported {
        path: path.to_string(),
        message: message.into(),
    }
}

fn malformed(path: &str, expected: impl Into<String>) -> Fail {
    Fail::Malformed(ImportError::new(path, expected))
}

fn too_big(path: &str) -> Fail {
    unsupported(
        path,
        format!(
            "expands to more than {} alternatives of edgeflag conditions",
            dnf::MAX_TERMS
        ),
    )
}

/// Translates conditions against the payload's saved groups.
pub(crate) struct Translator<'a> {
    /// `savedGroups` of the payload (`$inGroup`).
    pub(crate) groups: &'a Map<String, Value>,
    /// Where approximations are reported.
    pub(crate) notes: &'a mut Vec<Note>,
}

impl Translator<'_> {
    fn approximate(&mut self, path: &str, message: impl Into<String>) {
        self.notes.push(Note {
            path: path.to_string(),
            message: message.into(),
            lossy: true,
        });
    }

    /// A whole condition object (`{attribute: value-or-operators, "$or": [...], ...}`).
    pub(crate) fn condition(&mut self, c: &Value, p: &str) -> Result<Dnf, Fail> {
        let m = c
            .as_object()
            .ok_or_else(|| malformed(p, "a condition object"))?;
        let mut out = dnf::always();
        for (k, v) in m {
            let kp = path::key(p, k);
            let part = match k.as_str() {
                "$or" => self.any(v, &kp)?,
                "$nor" => dnf::not(&self.any(v, &kp)?).ok_or_else(|| too_big(&kp))?,
                "$and" => {
                    let list = v
                        .as_array()
                        .ok_or_else(|| malformed(&kp, "an array of conditions"))?;
                    let mut all = dnf::always();
                    for (i, c) in list.iter().enumerate() {
                        let d = self.condition(c, &path::index(&kp, i))?;
                        all = dnf::and(&all, &d).ok_or_else(|| too_big(&kp))?;
                    }
                    all
                }
                "$not" => dnf::not(&self.condition(v, &kp)?).ok_or_else(|| too_big(&kp))?,
                _ => self.attribute(k, v, &kp)?,
            };
            out = dnf::and(&out, &part).ok_or_else(|| too_big(p))?;
        }
        Ok(out)
    }

    /// `$or`: any of the conditions (an empty list holds, as GrowthBook's `evalOr` says).
    fn any(&mut self, v: &Value, p: &str) -> Result<Dnf, Fail> {
        let list = v
            .as_array()
            .ok_or_else(|| malformed(p, "an array of conditions"))?;
        if list.is_empty() {
            return Ok(dnf::always());
        }
        let mut out = Vec::new();
        for (i, c) in list.iter().enumerate() {
            let d = self.condition(c, &path::index(p, i))?;
            out = dnf::or(out, d).ok_or_else(|| too_big(p))?;
        }
        Ok(out)
    }

    /// One attribute's condition: a literal (equality) or an operator object.
    fn attribute(&mut self, attr: &str, v: &Value, p: &str) -> Result<Dnf, Fail> {
        if attr.contains('.') {
            return Err(unsupported(
                p,
                "a nested attribute path: edgeflag conditions read top-level attributes only",
            ));
        }
        match v {
            // `value + "" === s`: a number attribute matches its decimal text too.
            Value::String(s) => {
                let mut values = vec![json!(s)];
                if let Some(n) = integer_text(s) {
                    values.push(json!(n));
                }
                Ok(dnf::one(Cond::new(attr, "in", values)))
            }
            // `value * 1 === n`: numeric strings compare as numbers, and the values JavaScript
            // turns into 0 or 1 (null, false, true, "") match too.
            Value::Number(n) => {
                let mut c = Cond::new(attr, "in", vec![v.clone()]);
                c.numeric_strings = true;
                let want = n.as_f64();
                dnf::or(dnf::one(c), coerced_to_number(attr, |x| want == Some(x)))
                    .ok_or_else(|| too_big(p))
            }
            // `value !== null && !!value === b`: JavaScript truthiness, not equality.
            Value::Bool(b) => {
                let falsy = Cond::new(attr, "in", vec![json!(false), json!(0), json!("")]);
                Ok(if *b {
                    // Present (an empty list or an object is truthy too) and not falsy.
                    vec![vec![Cond::new(attr, "exists", vec![]), falsy.negated()]]
                } else {
                    dnf::one(falsy)
                })
            }
            Value::Null => Ok(dnf::one(Cond::new(attr, "exists", vec![]).negated())),
            Value::Array(_) => Err(unsupported(
                p,
                "equality with an array (edgeflag compares scalar values only)",
            )),
            Value::Object(m) if !m.is_empty() && m.keys().all(|k| k.starts_with('$')) => {
                let mut out = dnf::always();
                for (op, arg) in m {
                    let d = self.operator(attr, op, arg, &path::key(p, op))?;
                    out = dnf::and(&out, &d).ok_or_else(|| too_big(p))?;
                }
                Ok(out)
            }
            Value::Object(_) => Err(unsupported(
                p,
                "equality with an object (edgeflag compares scalar values only)",
            )),
        }
    }

    fn operator(&mut self, attr: &str, op: &str, arg: &Value, p: &str) -> Result<Dnf, Fail> {
        let never: Dnf = Vec::new();
        Ok(match op {
            "$eq" | "$ne" => {
                let eq = match arg {
                    Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                        dnf::one(Cond::new(attr, "in", vec![arg.clone()]))
                    }
                    Value::Null => dnf::one(Cond::new(attr, "exists", vec![]).negated()),
                    // `actual === {...}` is never true in JavaScript.
                    _ => never,
                };
                if op == "$ne" {
                    dnf::not(&eq).ok_or_else(|| too_big(p))?
                } else {
                    eq
                }
            }
            "$lt" | "$lte" | "$gt" | "$gte" => {
                let Some(n) = arg.as_f64() else {
                    return Err(unsupported(
                        p,
                        "a comparison with a non-number: GrowthBook compares strings alphabetically, edgeflag's lt/lte/gt/gte compare numbers only",
                    ));
                };
                let name = match op {
                    "$lt" => "lt",
                    "$lte" => "lte",
                    "$gt" => "gt",
                    _ => "gte",
                };
                // Numbers and numeric strings compare as numbers; other strings, lists and
                // objects are NaN to JavaScript (never holds); null, false, true and "" are 0
                // or 1.
                let mut c = Cond::new(attr, name, vec![arg.clone()]);
                c.numeric_strings = true;
                let holds = |x: f64| match op {
                    "$lt" => x < n,
                    "$lte" => x <= n,
                    "$gt" => x > n,
                    _ => x >= n,
                };
                dnf::or(dnf::one(c), coerced_to_number(attr, holds)).ok_or_else(|| too_big(p))?
            }
            "$exists" => {
                let c = Cond::new(attr, "exists", vec![]);
                dnf::one(if truthy(arg) { c } else { c.negated() })
            }
            "$in" | "$nin" | "$ini" | "$nini" => {
                let Some(list) = arg.as_array() else {
                    // GrowthBook answers false for both when the operand is not an array.
                    return Ok(never);
                };
                self.membership(attr, list, op.starts_with("$n"), op.ends_with('i'), p)?
            }
            "$inGroup" | "$notInGroup" => {
                let group = arg
                    .as_str()
                    .and_then(|g| self.groups.get(g))
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                self.membership(attr, &group, op == "$notInGroup", false, p)?
            }
            "$not" => {
                let inner = self.attribute(attr, arg, p)?;
                dnf::not(&inner).ok_or_else(|| too_big(p))?
            }
            "$regex" | "$regexi" => {
                let Some(pattern) = arg.as_str() else {
                    return Err(unsupported(p, "a regular expression that is not a string"));
                };
                // GrowthBook answers false when `new RegExp` throws; a pattern edgeflag's
                // `matches` refuses never holds here either.
                if crate::regex::check(pattern).is_err() {
                    return Ok(never);
                }
                if pattern.contains('\\') || pattern.contains("(?") {
                    self.approximate(
                        p,
                        "a JavaScript regular expression with escapes or groups runs as edgeflag's `matches` (Rust regex syntax, Unicode classes)",
                    );
                }
                let pattern = if op == "$regexi" {
                    format!("(?i){pattern}")
                } else {
                    pattern.to_string()
                };
                dnf::one(Cond::new(attr, "matches", vec![json!(pattern)]))
            }
            "$veq" | "$vne" | "$vgt" | "$vgte" | "$vlt" | "$vlte" => {
                self.version(attr, op, arg, p)?
            }
            "$elemMatch" => {
                let inner = match arg {
                    Value::Object(m) if !m.is_empty() && m.keys().all(|k| k.starts_with('$')) => {
                        self.attribute(attr, arg, p)?
                    }
                    _ => {
                        return Err(unsupported(
                            p,
                            "$elemMatch with a nested condition on list elements",
                        ))
                    }
                };
                // A list attribute satisfies an edgeflag condition when one element does:
                // that is $elemMatch for a single positive condition.
                if inner
                    .iter()
                    .any(|t| t.len() != 1 || t.iter().any(|c| c.negate))
                {
                    return Err(unsupported(
                        p,
                        "$elemMatch with several or negated conditions on one element",
                    ));
                }
                self.approximate(
                    p,
                    "$elemMatch also holds in edgeflag for a single (non-list) value that matches",
                );
                inner
            }
            "$all" | "$alli" => {
                let list = match arg.as_array() {
                    Some(l)
                        if !l.is_empty()
                            && l.iter()
                                .all(|v| v.is_string() || v.is_number() || v.is_boolean()) =>
                    {
                        l
                    }
                    _ => {
                        return Err(unsupported(
                            p,
                            "$all with an empty list or non-scalar values",
                        ))
                    }
                };
                if op == "$alli" && !list.iter().all(Value::is_string) {
                    return Err(unsupported(p, "$alli with non-string values"));
                }
                self.approximate(
                    p,
                    "$all also holds in edgeflag for a single (non-list) value equal to its one operand",
                );
                let mut out = dnf::always();
                for v in list {
                    let mut c = Cond::new(attr, "in", vec![v.clone()]);
                    c.case_insensitive = op == "$alli";
                    out = dnf::and(&out, &dnf::one(c)).ok_or_else(|| too_big(p))?;
                }
                out
            }
            "$type" if arg == "null" => dnf::one(Cond::new(attr, "exists", vec![]).negated()),
            "$type" => {
                return Err(unsupported(p, "$type: edgeflag has no type test"));
            }
            "$size" => return Err(unsupported(p, "$size: edgeflag has no list length test")),
            _ => {
                // GrowthBook logs an unknown operator and answers false.
                self.notes.push(Note {
                    path: p.to_string(),
                    message: format!("unknown operator {op}: GrowthBook treats it as false"),
                    lossy: false,
                });
                never
            }
        })
    }

    /// `$in`/`$nin` (and their case-insensitive forms) against `list`.
    fn membership(
        &mut self,
        attr: &str,
        list: &[Value],
        negated: bool,
        insensitive: bool,
        p: &str,
    ) -> Result<Dnf, Fail> {
        if list.is_empty() {
            return Ok(if negated { dnf::always() } else { Vec::new() });
        }
        let scalar = |v: &Value| v.is_string() || v.is_number() || v.is_boolean();
        if !list.iter().all(scalar) {
            return Err(unsupported(p, "a list with null, list or object members"));
        }
        if insensitive && !list.iter().all(Value::is_string) {
            return Err(unsupported(
                p,
                "a case-insensitive list with non-string members",
            ));
        }
        let mut c = Cond::new(attr, "in", list.to_vec());
        c.case_insensitive = insensitive;
        Ok(dnf::one(if negated { c.negated() } else { c }))
    }

    /// `$veq`..`$vlte` as edgeflag's `semver*` operators.
    fn version(&mut self, attr: &str, op: &str, arg: &Value, p: &str) -> Result<Dnf, Fail> {
        let Some(text) = arg.as_str() else {
            return Err(unsupported(p, "a version that is not a string"));
        };
        let Some(semver) = version::strict(text) else {
            return Err(unsupported(
                p,
                "a version that is not SemVer 2.0.0 (edgeflag's semver operators take strict SemVer)",
            ));
        };
        self.approximate(
            p,
            "GrowthBook compares loose versions (a leading v, 1-2-3, parts beyond three); edgeflag's semver operators treat an attribute that is not strict SemVer as not matching",
        );
        let (name, negate) = match op {
            "$veq" => ("semverEq", false),
            "$vne" => ("semverEq", true),
            "$vgt" => ("semverGt", false),
            "$vgte" => ("semverGte", false),
            "$vlt" => ("semverLt", false),
            _ => ("semverLte", false),
        };
        // A missing attribute reads as version "0" in GrowthBook.
        let zero = version::padded("0");
        let want = version::padded(text);
        let missing = match op {
            "$veq" => zero == want,
            "$vne" => zero != want,
            "$vgt" => zero > want,
            "$vgte" => zero >= want,
            "$vlt" => zero < want,
            _ => zero <= want,
        };
        let mut c = Cond::new(attr, name, vec![json!(semver)]);
        c.negate = negate;
        c.when_missing = missing;
        Ok(dnf::one(c))
    }
}

/// The alternative for the attribute values that are not numbers but that JavaScript turns
/// into one (`null` and a missing attribute, `false`, `""` and an empty list are 0, `true` is
/// 1), when `holds` says the coerced number satisfies the comparison: one condition, so that
/// `$and`s of comparisons stay small.
fn coerced_to_number(attr: &str, holds: impl Fn(f64) -> bool) -> Dnf {
    let (zero, one) = (holds(0.0), holds(1.0));
    let mut values = Vec::new();
    if zero {
        values.extend([json!(false), json!("")]);
    }
    if one {
        values.push(json!(true));
    }
    if values.is_empty() {
        return Vec::new();
    }
    let mut c = Cond::new(attr, "in", values);
    // Missing, null and a list without scalars read as 0.
    c.when_missing = zero;
    dnf::one(c)
}

/// JavaScript truthiness of a JSON value.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// The integer whose JavaScript decimal text is exactly `s` (so `n + ""` equals `s`).
fn integer_text(s: &str) -> Option<i64> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let canonical = !digits.is_empty()
        && digits.len() <= 15
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && s != "-0";
    canonical.then(|| s.parse().ok()).flatten()
}
