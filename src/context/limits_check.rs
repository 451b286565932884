//! Checks a context against [`ContextLimits`] without recursion.

use crate::json::Value;
use crate::{ContextLimits, Error};
use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;

/// Refuses contexts with too many attributes, values, nesting or bytes.
pub(super) fn check(members: &[(Box<str>, Value)], limits: &ContextLimits) -> Result<(), Error> {
    let fail = |message| Err(Error::InvalidContext { message });
    if members.len() > limits.max_attributes {
        return fail(format!(
            "{} attributes, more than the limit of {}",
            members.len(),
            limits.max_attributes
        ));
    }
    let mut values = 0usize;
    // (value, depth): depth counts the lists and objects around a value inside an attribute.
    let mut stack: Vec<(&Value, usize)> = Vec::new();
    for (name, value) in members {
        if name.len() > limits.max_string_bytes {
            return fail(format!(
                "an attribute name is longer than {} bytes",
                limits.max_string_bytes
            ));
        }
        stack.push((value, 0));
        while let Some((v, depth)) = stack.pop() {
            values += 1;
            if values > limits.max_values {
                return fail(format!("more than {} values", limits.max_values));
            }
            match v {
                Value::String(s) if s.len() > limits.max_string_bytes => {
                    return fail(format!(
                        "attribute {name:?}: a string is longer than {} bytes",
                        limits.max_string_bytes
                    ));
                }
                Value::Array(items) => {
                    if depth >= limits.max_depth {
                        return fail(format!(
                            "attribute {name:?}: nesting deeper than {}",
                            limits.max_depth
                        ));
                    }
                    stack.extend(items.iter().map(|i| (i, depth + 1)));
                }
                Value::Object(m) => {
                    if depth >= limits.max_depth {
                        return fail(format!(
                            "attribute {name:?}: nesting deeper than {}",
                            limits.max_depth
                        ));
                    }
                    stack.extend(m.iter().map(|(_, i)| (i, depth + 1)));
                }
                _ => {}
            }
        }
    }
    Ok(())
}
