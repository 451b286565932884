//! JsonLogic comparisons as edgeflag conditions.
//!
//! Each comparison becomes one or two edgeflag conditions (all of which must hold) whose
//! `negate` and `whenMissing` reproduce what JavaScript answers, including for a missing
//! attribute (JsonLogic reads it as `null`): `null == "a"` is false, `null != "a"` true,
//! `null < 18` true (null compares as 0). Negating a comparison flips both members, so
//! `!` keeps the missing-attribute answer exact too.

use super::logic::Dnf;
use super::version;
use super::Cx;
use crate::path;
use crate::ImportError;
use serde_json::{Map, Value};

/// A comparison: always/never (both sides known at import), or conditions to AND.
pub(crate) enum Atomic {
    /// Known at import time.
    Const(bool),
    /// Edgeflag conditions, all of which must hold.
    Conds(Vec<Value>),
    /// Edgeflag conditions, any of which must hold.
    Any(Vec<Value>),
}

/// One side of a comparison.
enum Operand {
    /// A context attribute.
    Attr(String),
    /// A value known at import time.
    Const(Value),
}

/// The comparison `op` with arguments `args` at `p`; `None` when edgeflag cannot express it
/// (noted as lossy: the condition is imported as never holding).
pub(crate) fn atom(
    cx: &mut Cx<'_>,
    op: &str,
    args: &Value,
    p: &str,
) -> Result<Option<Atomic>, ImportError> {
    let known = [
        "==",
        "===",
        "!=",
        "!==",
        "in",
        "<",
        "<=",
        ">",
        ">=",
        "starts_with",
        "ends_with",
        "sem_ver",
    ];
    if !known.contains(&op) {
        cx.lossy(
            p,
            format!("JsonLogic \"{op}\" has no edgeflag equivalent: the condition never holds"),
        );
        return Ok(None);
    }
    let Some(list) = args.as_array() else {
        return Err(ImportError::new(p, "expected an array of arguments"));
    };
    let mut operands = Vec::with_capacity(list.len());
    for (i, a) in list.iter().enumerate() {
        match operand(cx, a, &path::index(p, i)) {
            Some(o) => operands.push(o),
            None => return Ok(None),
        }
    }
    let arity = |n: usize| {
        if list.len() == n {
            Ok(())
        } else {
            Err(ImportError::new(p, format!("expected {n} arguments")))
        }
    };
    let out = match op {
        "==" | "===" | "!=" | "!==" => {
            arity(2)?;
            equality(op, &operands)
        }
        "in" => {
            arity(2)?;
            membership(&operands)
        }
        "<" | "<=" | ">" | ">=" => ordering(op, &operands, p)?,
        "starts_with" | "ends_with" => {
            arity(2)?;
            affix(op, &operands)
        }
        _ => {
            arity(3)?;
            version::sem_ver(cx, list, &operands_attr(&operands), p)?
        }
    };
    if out.is_none() {
        cx.lossy(p, format!("\"{op}\" is imported only between an attribute and a constant of a type edgeflag compares: the condition never holds"));
    }
    Ok(out)
}

/// The attribute names of the operands (None for constants), for `sem_ver`.
fn operands_attr(operands: &[Operand]) -> Vec<Option<String>> {
    operands
        .iter()
        .map(|o| match o {
            Operand::Attr(a) => Some(a.clone()),
            Operand::Const(_) => None,
        })
        .collect()
}

/// `{"var": NAME}` or a literal; `None` (noted) for what edgeflag cannot read.
fn operand(cx: &mut Cx<'_>, v: &Value, p: &str) -> Option<Operand> {
    let Value::Object(m) = v else {
        return Some(Operand::Const(v.clone()));
    };
    let name = match m.get("var") {
        Some(Value::String(s)) if m.len() == 1 => s.as_str(),
        Some(Value::Array(a)) if m.len() == 1 && a.len() == 1 => match a.first() {
            Some(Value::String(s)) => s.as_str(),
            _ => "",
        },
        _ => {
            cx.lossy(p, "only {\"var\": NAME} and constants are imported as operands: the condition never holds");
            return None;
        }
    };
    match name {
        "$flagd.flagKey" => Some(Operand::Const(cx.flag.into())),
        "$flagd.timestamp" => {
            cx.lossy(p, "$flagd.timestamp (the evaluation time) cannot be compared in an edgeflag condition: the condition never holds");
            None
        }
        "" => {
            cx.lossy(p, "a var without a name (the whole context) cannot be compared: the condition never holds");
            None
        }
        n if n.contains('.') => {
            cx.lossy(p, format!("\"{n}\" reads a nested member; edgeflag attributes are top-level context keys: the condition never holds"));
            None
        }
        n => Some(Operand::Attr(n.to_owned())),
    }
}

/// A condition `attribute op values`, with `negate` and `whenMissing` as given.
pub(crate) fn cond(
    attribute: &str,
    op: &str,
    values: Vec<Value>,
    negate: bool,
    when_missing: bool,
) -> Value {
    let mut m = Map::new();
    m.insert("attribute".into(), attribute.into());
    m.insert("op".into(), op.into());
    if op != "exists" {
        m.insert("values".into(), Value::Array(values));
    }
    if negate {
        m.insert("negate".into(), true.into());
    }
    if when_missing && op != "exists" {
        m.insert("whenMissing".into(), true.into());
    }
    Value::Object(m)
}

/// The negation of one condition: both `negate` and `whenMissing` flip.
fn negated(c: &Value) -> Value {
    let mut c = c.clone();
    if let Value::Object(m) = &mut c {
        let neg = m.get("negate").and_then(Value::as_bool).unwrap_or(false);
        let wm = m
            .get("whenMissing")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let exists = m.get("op").and_then(Value::as_str) == Some("exists");
        m.remove("negate");
        m.remove("whenMissing");
        if !neg {
            m.insert("negate".into(), true.into());
        }
        if !wm && !exists {
            m.insert("whenMissing".into(), true.into());
        }
    }
    c
}

/// The comparison in disjunctive normal form, negated when `negate` (De Morgan: a negated
/// conjunction is one alternative per negated condition).
pub(crate) fn negate_if(a: Atomic, negate: bool) -> Dnf {
    match (a, negate) {
        (Atomic::Const(b), n) => {
            if b != n {
                vec![vec![]]
            } else {
                vec![]
            }
        }
        (Atomic::Conds(c), false) => vec![c],
        (Atomic::Conds(c), true) => c.iter().map(|x| vec![negated(x)]).collect(),
        (Atomic::Any(c), false) => c.into_iter().map(|x| vec![x]).collect(),
        (Atomic::Any(c), true) => vec![c.iter().map(negated).collect()],
    }
}

/// `==`, `===`, `!=`, `!==` (loose or strict, as JavaScript).
fn equality(op: &str, o: &[Operand]) -> Option<Atomic> {
    let loose = op.len() == 2;
    let negate = op.starts_with('!');
    let (attr, value) = match o {
        [Operand::Const(a), Operand::Const(b)] => {
            let eq = if loose { loose_eq(a, b)? } else { a == b };
            return Some(Atomic::Const(eq != negate));
        }
        [Operand::Attr(a), Operand::Const(v)] | [Operand::Const(v), Operand::Attr(a)] => (a, v),
        _ => return None,
    };
    let c = match value {
        // `x == null` holds when x is missing.
        Value::Null => cond(attr, "exists", vec![], !negate, false),
        Value::Number(_) if loose => {
            let mut c = cond(attr, "in", vec![value.clone()], negate, negate);
            if let Value::Object(m) = &mut c {
                // JavaScript's `"12" == 12` holds.
                m.insert("numericStrings".into(), true.into());
            }
            c
        }
        Value::Number(_) | Value::String(_) | Value::Bool(_) => {
            cond(attr, "in", vec![value.clone()], negate, negate)
        }
        _ => return None,
    };
    // json-logic-engine (flagd-core's) reads a missing attribute (null) as equal to 0 and
    // false under `==` (its compareCheck), unlike JavaScript's own `null == 0`: `x == 0` is
    // `x in [0]` or x missing (not `whenMissing`, which would also take a value of another
    // type), and `x != 0` both negated.
    if loose && !value.is_string() && loose_eq(&Value::Null, value) == Some(true) {
        let missing = cond(attr, "exists", vec![], true, false);
        return Some(if negate {
            Atomic::Conds(vec![c, negated(&missing)])
        } else {
            Atomic::Any(vec![c, missing])
        });
    }
    Some(Atomic::Conds(vec![c]))
}

/// json-logic-engine's `==` on JSON primitives (`None`: arrays and objects): JavaScript's,
/// except that null equals 0 and false.
fn loose_eq(a: &Value, b: &Value) -> Option<bool> {
    let num = |v: &Value| -> Option<f64> {
        match v {
            Value::Number(n) => n.as_f64(),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::String(s) if s.trim().is_empty() => Some(0.0),
            Value::String(s) => Some(s.trim().parse::<f64>().unwrap_or(f64::NAN)),
            _ => None,
        }
    };
    match (a, b) {
        (Value::Null, Value::Null) => Some(true),
        (Value::Null, Value::Number(_) | Value::Bool(_))
        | (Value::Number(_) | Value::Bool(_), Value::Null) => {
            let other = if a.is_null() { b } else { a };
            Some(num(other) == Some(0.0))
        }
        (Value::Null, _) | (_, Value::Null) => Some(false),
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => None,
        _ => Some(num(a)? == num(b)?),
    }
}

/// `in`: value in a constant list, or a constant substring of a string attribute.
fn membership(o: &[Operand]) -> Option<Atomic> {
    match o {
        [Operand::Attr(a), Operand::Const(Value::Array(list))] => {
            let values: Vec<Value> = list
                .iter()
                .filter(|v| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)))
                .cloned()
                .collect();
            if values.is_empty() {
                // `includes` finds nothing edgeflag can compare (a missing attribute is not null).
                return Some(Atomic::Const(false));
            }
            Some(Atomic::Conds(vec![cond(a, "in", values, false, false)]))
        }
        [Operand::Const(Value::String(needle)), Operand::Attr(a)] => {
            if needle.is_empty() {
                // "".includes("") and "abc".includes(""): any string attribute.
                return None;
            }
            Some(Atomic::Conds(vec![cond(
                a,
                "contains",
                vec![needle.as_str().into()],
                false,
                false,
            )]))
        }
        [Operand::Const(item), Operand::Const(Value::Array(list))] => {
            Some(Atomic::Const(list.contains(item)))
        }
        [Operand::Const(Value::String(n)), Operand::Const(Value::String(h))] => {
            Some(Atomic::Const(h.contains(n.as_str())))
        }
        _ => None,
    }
}

/// `<`, `<=`, `>`, `>=` between an attribute and numbers; three arguments are a range
/// (`{"<": [1, {"var": "x"}, 10]}`).
fn ordering(op: &str, o: &[Operand], p: &str) -> Result<Option<Atomic>, ImportError> {
    let pairs: Vec<(&Operand, &Operand)> = match o {
        [a, b] => vec![(a, b)],
        [a, b, c] => vec![(a, b), (b, c)],
        _ => return Err(ImportError::new(p, "expected 2 or 3 arguments")),
    };
    let mut conds = Vec::new();
    for (l, r) in pairs {
        // Written as `attribute OP' n`.
        let (attr, n, op) = match (l, r) {
            (Operand::Attr(a), Operand::Const(Value::Number(n))) => (a, n, op),
            (Operand::Const(Value::Number(n)), Operand::Attr(a)) => (a, n, flipped(op)),
            _ => return Ok(None),
        };
        let Some(x) = n.as_f64() else { return Ok(None) };
        // A missing attribute is null in JsonLogic, which compares as 0.
        let when_missing = compare(0.0, op, x);
        let name = match op {
            "<" => "lt",
            "<=" => "lte",
            ">" => "gt",
            _ => "gte",
        };
        let mut c = cond(
            attr,
            name,
            vec![Value::Number(n.clone())],
            false,
            when_missing,
        );
        if let Value::Object(m) = &mut c {
            // JavaScript compares "12" < 18 as numbers.
            m.insert("numericStrings".into(), true.into());
        }
        conds.push(c);
    }
    Ok(Some(Atomic::Conds(conds)))
}

/// `n OP a` as `a OP' n`.
pub(crate) fn flipped(op: &str) -> &'static str {
    match op {
        "<" => ">",
        "<=" => ">=",
        ">" => "<",
        ">=" => "<=",
        "=" => "=",
        "!=" => "!=",
        _ => "",
    }
}

fn compare(a: f64, op: &str, b: f64) -> bool {
    match op {
        "<" => a < b,
        "<=" => a <= b,
        ">" => a > b,
        _ => a >= b,
    }
}

/// `starts_with` / `ends_with` (flagd's own operators: a string attribute and a string).
fn affix(op: &str, o: &[Operand]) -> Option<Atomic> {
    let name = if op == "starts_with" {
        "startsWith"
    } else {
        "endsWith"
    };
    match o {
        [Operand::Attr(a), Operand::Const(Value::String(s))] => Some(Atomic::Conds(vec![cond(
            a,
            name,
            vec![s.as_str().into()],
            false,
            false,
        )])),
        [Operand::Const(Value::String(x)), Operand::Const(Value::String(s))] => {
            Some(Atomic::Const(if op == "starts_with" {
                x.starts_with(s.as_str())
            } else {
                x.ends_with(s.as_str())
            }))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn loose_equality_is_javascripts_on_primitives() {
        assert_eq!(loose_eq(&json!("12"), &json!(12)), Some(true));
        assert_eq!(loose_eq(&json!(""), &json!(0)), Some(true));
        assert_eq!(loose_eq(&json!(true), &json!(1)), Some(true));
        // json-logic-engine's compareCheck: null == 0 and null == false hold.
        assert_eq!(loose_eq(&json!(null), &json!(0)), Some(true));
        assert_eq!(loose_eq(&json!(false), &json!(null)), Some(true));
        assert_eq!(loose_eq(&json!(null), &json!(1)), Some(false));
        assert_eq!(loose_eq(&json!(null), &json!("")), Some(false));
        assert_eq!(loose_eq(&json!("a"), &json!("b")), Some(false));
        assert_eq!(loose_eq(&json!([1]), &json!(1)), None);
    }

    #[test]
    fn negation_flips_negate_and_when_missing() {
        let c = cond("x", "in", vec![json!("a")], false, false);
        let n = negated(&c);
        assert_eq!(
            n,
            json!({"attribute": "x", "op": "in", "values": ["a"], "negate": true, "whenMissing": true})
        );
        assert_eq!(negated(&n), c);
    }
}
