//! GrowthBook's `evalCondition` on a value known at import time: a prerequisite's condition
//! reads `{"value": <the parent flag's value>}`, and a flag has finitely many values, so the
//! importer decides which of the parent's variants satisfy it. `None`: this evaluator does
//! not cover the condition (the rule is then not expressible).

use super::condition::truthy;
use super::version;
use serde_json::Value;

/// Whether `cond` holds for the document `obj`.
pub(crate) fn eval(obj: &Value, cond: &Value) -> Option<bool> {
    let m = cond.as_object()?;
    for (k, v) in m {
        let ok = match k.as_str() {
            "$or" => any(obj, v)?,
            "$nor" => !any(obj, v)?,
            "$and" => {
                let mut all = true;
                for c in v.as_array()? {
                    all &= eval(obj, c)?;
                }
                all
            }
            "$not" => !eval(obj, v)?,
            _ => value(v, get_path(obj, k))?,
        };
        if !ok {
            return Some(false);
        }
    }
    Some(true)
}

fn any(obj: &Value, v: &Value) -> Option<bool> {
    let list = v.as_array()?;
    if list.is_empty() {
        return Some(true);
    }
    let mut found = false;
    for c in list {
        found |= eval(obj, c)?;
    }
    Some(found)
}

fn get_path<'v>(obj: &'v Value, path: &str) -> &'v Value {
    let mut cur = obj;
    for part in path.split('.') {
        match cur.get(part) {
            Some(next) => cur = next,
            None => return &Value::Null,
        }
    }
    cur
}

/// JavaScript `===` between JSON values (distinct objects and arrays are never equal).
fn strict_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => false,
        _ => a == b,
    }
}

fn value(cond: &Value, actual: &Value) -> Option<bool> {
    match cond {
        Value::String(s) => match actual {
            Value::String(a) => Some(a == s),
            Value::Null => Some(s == "null"),
            Value::Bool(b) => Some(&b.to_string() == s),
            _ => None,
        },
        Value::Number(n) => match actual {
            Value::Number(a) => Some(a.as_f64() == n.as_f64()),
            Value::Null => Some(n.as_f64() == Some(0.0)),
            Value::Bool(b) => Some(n.as_f64() == Some(f64::from(u8::from(*b)))),
            _ => None,
        },
        Value::Bool(b) => Some(!actual.is_null() && truthy(actual) == *b),
        Value::Null => Some(actual.is_null()),
        Value::Object(m) if !m.is_empty() && m.keys().all(|k| k.starts_with('$')) => {
            for (op, arg) in m {
                if !operator(op, actual, arg)? {
                    return Some(false);
                }
            }
            Some(true)
        }
        _ => None,
    }
}

fn compare(actual: &Value, expected: &Value) -> Option<core::cmp::Ordering> {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        (Value::Null, Value::Number(b)) => 0.0f64.partial_cmp(&b.as_f64()?),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn operator(op: &str, actual: &Value, arg: &Value) -> Option<bool> {
    use core::cmp::Ordering::{Greater, Less};
    let is_in = |list: &[Value]| match actual {
        Value::Array(a) => a.iter().any(|x| list.iter().any(|e| strict_eq(x, e))),
        _ => list.iter().any(|e| strict_eq(actual, e)),
    };
    let version_of = |v: &Value| match v {
        Value::String(s) if !s.is_empty() => version::padded(s),
        Value::Number(n) => version::padded(&n.to_string()),
        _ => version::padded("0"),
    };
    Some(match op {
        "$eq" => strict_eq(actual, arg) || (actual.is_null() && arg.is_null()),
        "$ne" => !(strict_eq(actual, arg) || (actual.is_null() && arg.is_null())),
        "$lt" => compare(actual, arg)? == Less,
        "$lte" => compare(actual, arg)? != Greater,
        "$gt" => compare(actual, arg)? == Greater,
        "$gte" => compare(actual, arg)? != Less,
        "$exists" => truthy(arg) != actual.is_null(),
        "$in" => arg.as_array().is_some_and(|l| is_in(l)),
        "$nin" => arg.as_array().is_some_and(|l| !is_in(l)),
        "$not" => !value(arg, actual)?,
        "$veq" => version_of(actual) == version_of(arg),
        "$vne" => version_of(actual) != version_of(arg),
        "$vgt" => version_of(actual) > version_of(arg),
        "$vgte" => version_of(actual) >= version_of(arg),
        "$vlt" => version_of(actual) < version_of(arg),
        "$vlte" => version_of(actual) <= version_of(arg),
        "$type" => {
            let t = match actual {
                Value::Null => "null",
                Value::Array(_) => "array",
                Value::Bool(_) => "boolean",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                Value::Object(_) => "object",
            };
            arg == t
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::eval;
    use serde_json::json;

    #[test]
    fn decides_prerequisite_conditions_on_known_values() {
        let v = |x| json!({ "value": x });
        assert_eq!(
            eval(&v(json!("green")), &json!({"value": "green"})),
            Some(true)
        );
        assert_eq!(
            eval(&v(json!(null)), &json!({"value": "green"})),
            Some(false)
        );
        assert_eq!(
            eval(&v(json!(2)), &json!({"value": {"$gt": 1}})),
            Some(true)
        );
        assert_eq!(
            eval(&v(json!(0)), &json!({"value": {"$gt": 1}})),
            Some(false)
        );
        assert_eq!(
            eval(&v(json!(true)), &json!({"value": {"$ne": false}})),
            Some(true)
        );
        assert_eq!(
            eval(&v(json!(null)), &json!({"value": {"$exists": false}})),
            Some(true)
        );
        assert_eq!(eval(&v(json!("a")), &json!({"value": {"$size": 1}})), None);
    }
}
