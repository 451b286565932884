//! Locations inside a JSON document, rendered the way load errors name them:
//! `flags.new-checkout.rules[2].conditions[0].op`.

use crate::text;
use alloc::string::String;

/// One step from a JSON value to one of its children.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    /// A member of an object.
    Key(&'a str),
    /// An element of an array.
    Index(usize),
}

/// A location in a JSON document, as a chain of steps borrowed from the callers' stack frames,
/// so that descending into a child costs nothing until an error needs the text.
#[derive(Clone, Copy, Debug)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    step: Option<Step<'a>>,
}

impl<'a> Path<'a> {
    /// The document itself.
    pub const ROOT: Path<'static> = Path {
        parent: None,
        step: None,
    };

    /// The member `key` of the object at this path.
    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Some(Step::Key(key)),
        }
    }

    /// The element `index` of the array at this path.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            step: Some(Step::Index(index)),
        }
    }

    /// The path as text; the document itself is `(root)`.
    pub fn render(&self) -> String {
        let mut steps = alloc::vec::Vec::new();
        let mut at = Some(self);
        while let Some(p) = at {
            if let Some(step) = p.step {
                steps.push(step);
            }
            at = p.parent;
        }
        steps.reverse();
        render_steps(steps.iter().copied())
    }
}

/// Renders a sequence of steps; shared by borrowed paths and the parser's own stack.
pub(crate) fn render_steps<'s>(steps: impl IntoIterator<Item = Step<'s>>) -> String {
    let mut out = String::new();
    for step in steps {
        push_step(&mut out, step);
    }
    if out.is_empty() {
        out.push_str("(root)");
    }
    out
}

/// Appends one step: plain keys as `.key`, keys that would be ambiguous as `["key"]`.
pub(crate) fn push_step(out: &mut String, step: Step<'_>) {
    match step {
        Step::Index(i) => {
            out.push('[');
            text::push_decimal(out, i);
            out.push(']');
        }
        Step::Key(k) if is_plain(k) => {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(k);
        }
        Step::Key(k) => {
            out.push_str("[\"");
            for c in k.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c if (c as u32) < 0x20 => {
                        out.push_str("\\u");
                        text::push_hex(out, u64::from(c), 4);
                    }
                    c => out.push(c),
                }
            }
            out.push_str("\"]");
        }
    }
}

/// Keys made of ASCII letters, digits, `-`, `_`, `:`, `/`, `@` and `$` read unambiguously after a
/// dot (ASCII only: Unicode tables would cost the wasm build several kilobytes).
fn is_plain(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '/' | '@' | '$'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_keys_and_indices_like_load_errors() {
        let root = Path::ROOT;
        let flags = root.key("flags");
        let flag = flags.key("new-checkout");
        let rules = flag.key("rules");
        let rule = rules.index(2);
        assert_eq!(rule.render(), "flags.new-checkout.rules[2]");
    }

    #[test]
    fn quotes_keys_that_would_be_ambiguous() {
        let root = Path::ROOT;
        let flags = root.key("flags");
        let odd = flags.key("a.b \"c\"");
        assert_eq!(odd.render(), "flags[\"a.b \\\"c\\\"\"]");
        assert_eq!(Path::ROOT.render(), "(root)");
    }
}
