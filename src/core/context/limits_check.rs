//! Checks a context against [`ContextLimits`] without recursion.

use crate::json::Value;
use crate::text::Msg;
use crate::{ContextLimits, Error};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Refuses contexts with too many attributes, values, nesting or bytes.
pub(super) fn check(members: &[(Box<str>, Value)], limits: &ContextLimits) -> Result<(), Error> {
    let fail = |message| Err(Error::InvalidContext { message });
    if members.len() > limits.max_attributes {
        return fail(
            Msg::new("")
                .num(members.len())
                .text(" attributes, more than the limit of ")
                .num(limits.max_attributes)
                .finish(),
        );
    }
    let mut values = 0usize;
    // (value, depth): depth counts the lists and objects around a value inside an attribute.
    let mut stack: Vec<(&Value, usize)> = Vec::new();
    for (name, value) in members {
        if name.len() > limits.max_string_bytes {
            return fail(
                Msg::new("an attribute name is longer than ")
                    .num(limits.max_string_bytes)
                    .text(" bytes")
                    .finish(),
            );
        }
        stack.push((value, 0));
        while let Some((v, depth)) = stack.pop() {
            values += 1;
            if values > limits.max_values {
                return fail(
                    Msg::new("more than ")
                        .num(limits.max_values)
                        .text(" values")
                        .finish(),
                );
            }
            match v {
                Value::String(s) if s.len() > limits.max_string_bytes => {
                    return fail(
                        Msg::new("attribute ")
                            .escaped(name)
                            .text(": a string is longer than ")
                            .num(limits.max_string_bytes)
                            .text(" bytes")
                            .finish(),
                    );
                }
                Value::Array(_) | Value::Object(_) if depth >= limits.max_depth => {
                    return fail(
                        Msg::new("attribute ")
                            .escaped(name)
                            .text(": nesting deeper than ")
                            .num(limits.max_depth)
                            .finish(),
                    );
                }
                Value::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
                Value::Object(m) => stack.extend(m.iter().map(|(_, i)| (i, depth + 1))),
                _ => {}
            }
        }
    }
    Ok(())
}
