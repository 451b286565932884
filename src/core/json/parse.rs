//! The strict JSON parser (RFC 8259, nothing more): one value, no BOM, no comments, no
//! trailing commas, no duplicate keys, bounded nesting and string sizes.
//!
//! It is iterative — open arrays and objects live on an explicit heap stack — so that hostile
//! nesting costs a bounded amount of memory and can never overflow the call stack. Errors name
//! the path of the value being read, so a signed payload that fails to load says where.
//! Scalars (strings, numbers, literals) are read by the helpers in `parse_scalar.rs`.

use super::path::{render_steps, Step};
use super::Value;
use crate::text::Msg;
use crate::Error;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

#[path = "parse_scalar.rs"]
mod scalar;

/// Limits the parser enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonLimits {
    /// Deepest nesting of arrays and objects.
    pub max_depth: usize,
    /// Longest string or key, in bytes after unescaping.
    pub max_string_bytes: usize,
}

impl crate::Limits {
    /// The limits the JSON parser enforces while reading a payload. (Unstable: the JSON
    /// parser is not public API.)
    #[doc(hidden)]
    pub fn json(&self) -> JsonLimits {
        JsonLimits {
            max_depth: self.max_depth,
            max_string_bytes: self.max_string_bytes,
        }
    }
}

/// Parses one strict JSON value from `bytes`.
///
/// `max_depth` N accepts N levels of open arrays/objects and refuses N + 1; strings and keys
/// longer than `max_string_bytes` (after unescaping) are refused. Every refusal is an
/// [`Error::Json`] naming the path, line and column where the parser was.
pub fn parse(bytes: &[u8], limits: &JsonLimits) -> Result<Value, Error> {
    // Validating the whole input once is faster than checking each string, and means every
    // slice taken later is a `str`. Invalid input is parsed up to its first bad byte, so the
    // error still names the path of the value that contains it (see `Parser::eof`).
    let (text, truncated) = match core::str::from_utf8(bytes) {
        Ok(text) => (text, false),
        Err(e) => {
            let valid = bytes.get(..e.valid_up_to()).unwrap_or_default();
            (core::str::from_utf8(valid).unwrap_or_default(), true)
        }
    };
    let mut parser = Parser {
        text,
        full: bytes,
        pos: 0,
        truncated,
        limits: *limits,
        scratch: String::new(),
        items: Vec::new(),
        members: Vec::new(),
        key_positions: Vec::new(),
    };
    parser.run()
}

/// The number `text` is, when it is exactly one JSON number (RFC 8259 grammar, no whitespace
/// around it) that converts to a finite `f64`: the `numericStrings` reading of a string
/// attribute. The payload parser's own number reader decides, so a string compares as a
/// number exactly when the same text in a payload would be that number.
pub(crate) fn number_literal(text: &str) -> Option<f64> {
    // Text outside the grammar fails here, before the parser (whose errors allocate): the
    // evaluation path stays allocation-free for "01", "1." or "-x" (only an out-of-range
    // exponent such as "1e999" still reaches the parser's error).
    if !json_number_grammar(text.as_bytes()) {
        return None;
    }
    let mut parser = Parser {
        text,
        full: text.as_bytes(),
        pos: 0,
        truncated: false,
        limits: JsonLimits {
            max_depth: 0,
            max_string_bytes: 0,
        },
        scratch: String::new(),
        items: Vec::new(),
        members: Vec::new(),
        key_positions: Vec::new(),
    };
    match parser.number(&[]) {
        Ok(Value::Number(n)) if parser.pos == text.len() => Some(n.as_f64()),
        _ => None,
    }
}

/// Whether `b` is exactly RFC 8259's `number`: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn json_number_grammar(b: &[u8]) -> bool {
    let digits = |i: usize| {
        b.get(i..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let mut i = usize::from(b.first() == Some(&b'-'));
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i += digits(i),
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        let n = digits(i + 1);
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(i);
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == b.len()
}

/// Objects up to this many members are checked for duplicates by comparing each new key
/// with the earlier ones; larger ones are checked once, by sorting, when they close.
pub(super) const LINEAR_DUPLICATE_CHECK: usize = 16;

/// Where an error belongs: to the value being read, or to the container around it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The value the parser is reading (the top frame's pending element or member).
    Value,
    /// The innermost open container itself (a separator, a key, a duplicate).
    Container,
}

/// An open array or object. Their children wait on the parser's shared stacks (`items`,
/// `members`) and move into one exactly-sized vector when the container closes: one
/// allocation per container instead of one per doubling, and no copying as vectors grow.
enum Frame {
    /// An open array whose items start at `start` in `Parser::items`.
    Array { start: usize },
    /// An open object whose members start at `start` in `Parser::members`.
    Object {
        start: usize,
        /// The key of the member whose value is being read.
        key: Box<str>,
        key_pos: usize,
    },
}

struct Parser<'a> {
    /// The input, or its valid UTF-8 prefix when `truncated`.
    text: &'a str,
    /// The whole input, for line numbers.
    full: &'a [u8],
    pos: usize,
    /// Whether `text` stops at an invalid UTF-8 sequence rather than at the end of the input.
    truncated: bool,
    limits: JsonLimits,
    /// Reused buffer for strings with escapes, so decoding them allocates once per string.
    scratch: String,
    /// The items read so far of every open array, outermost first.
    items: Vec<Value>,
    /// The members read so far of every open object, outermost first.
    members: Vec<(Box<str>, Value)>,
    /// Byte offset of each member's key in `members`, to point a late-found duplicate at it.
    key_positions: Vec<usize>,
}

impl<'a> Parser<'a> {
    fn run(&mut self) -> Result<Value, Error> {
        let mut stack: Vec<Frame> = Vec::new();
        if self.text.starts_with('\u{feff}') {
            return Err(self.error(&stack, Scope::Value, 0, "byte order mark is not allowed"));
        }
        loop {
            // Read one value; an array or object with content is opened and the loop
            // continues with its first child.
            self.skip_ws();
            let mut value = match self.peek() {
                Some(b'[') => {
                    self.open(&stack)?;
                    self.skip_ws();
                    if self.eat(b']') {
                        Value::Array(Vec::new())
                    } else {
                        stack.push(Frame::Array {
                            start: self.items.len(),
                        });
                        continue;
                    }
                }
                Some(b'{') => {
                    self.open(&stack)?;
                    self.skip_ws();
                    if self.eat(b'}') {
                        Value::Object(Vec::new())
                    } else {
                        // The new object is the value being read, so its path is `Value`.
                        let (key, key_pos) = self.member_key(&stack, Scope::Value)?;
                        stack.push(Frame::Object {
                            start: self.members.len(),
                            key,
                            key_pos,
                        });
                        continue;
                    }
                }
                _ => self.scalar(&stack)?,
            };
            // Hand the finished value to its container; close containers that end here.
            loop {
                match stack.last_mut() {
                    None => return self.finish(&stack, value),
                    Some(Frame::Array { start }) => {
                        let start = *start;
                        self.items.push(value);
                        self.skip_ws();
                        let comma = self.pos;
                        if self.eat(b',') {
                            self.skip_ws();
                            if self.peek() == Some(b']') {
                                return Err(self.trailing_comma(&stack, comma));
                            }
                            break;
                        }
                        if !self.eat(b']') {
                            return Err(self.expected(
                                &stack,
                                Scope::Container,
                                "expected ',' or ']'",
                            ));
                        }
                        value = Value::Array(self.items.split_off(start));
                        stack.pop();
                    }
                    Some(Frame::Object {
                        start,
                        key,
                        key_pos,
                    }) => {
                        let start = *start;
                        self.members.push((core::mem::take(key), value));
                        self.key_positions.push(*key_pos);
                        self.skip_ws();
                        if self.eat(b',') {
                            self.next_member(&mut stack)?;
                            break;
                        }
                        if !self.eat(b'}') {
                            return Err(self.expected(
                                &stack,
                                Scope::Container,
                                "expected ',' or '}'",
                            ));
                        }
                        value = Value::Object(self.close_object(&mut stack, start)?);
                    }
                }
            }
        }
    }

    /// Checks the depth limit and consumes the `[` or `{` of a new container.
    fn open(&mut self, stack: &[Frame]) -> Result<(), Error> {
        if stack.len() >= self.limits.max_depth {
            let message = Msg::new("nesting deeper than ")
                .num(self.limits.max_depth)
                .finish();
            return Err(self.error(stack, Scope::Value, self.pos, message));
        }
        self.pos += 1;
        Ok(())
    }

    /// After a `,` in an object: reads the next key and makes it the pending member.
    fn next_member(&mut self, stack: &mut [Frame]) -> Result<(), Error> {
        let comma = self.pos.saturating_sub(1);
        self.skip_ws();
        if self.peek() == Some(b'}') {
            return Err(self.trailing_comma(stack, comma));
        }
        let (key, key_pos) = self.member_key(stack, Scope::Container)?;
        if let Some(Frame::Object { start, .. }) = stack.last() {
            // Every object opened inside this one has closed: the members from `start` on
            // are this object's.
            let members = self.members.get(*start..).unwrap_or_default();
            if members.len() < LINEAR_DUPLICATE_CHECK && members.iter().any(|(k, _)| *k == key) {
                return Err(self.duplicate(stack, key_pos, &key));
            }
        }
        if let Some(Frame::Object {
            key: pending,
            key_pos: pending_pos,
            ..
        }) = stack.last_mut()
        {
            *pending = key;
            *pending_pos = key_pos;
        }
        Ok(())
    }

    /// At a `}`: checks a large object (its members from `start` on) for duplicates, pops
    /// it and returns its members.
    fn close_object(
        &mut self,
        stack: &mut Vec<Frame>,
        start: usize,
    ) -> Result<Vec<(Box<str>, Value)>, Error> {
        let members = self.members.get(start..).unwrap_or_default();
        if members.len() > LINEAR_DUPLICATE_CHECK {
            let positions = self.key_positions.get(start..).unwrap_or_default();
            let duplicate =
                first_duplicate(members.iter().map(|(k, _)| &**k), positions.iter().copied())
                    .map(|(key, at)| (String::from(key), at));
            if let Some((key, at)) = duplicate {
                return Err(self.duplicate(stack, at, &key));
            }
        }
        stack.pop();
        self.key_positions.truncate(start);
        Ok(self.members.split_off(start))
    }

    /// Reads `"key"` and the `:` after it.
    fn member_key(&mut self, stack: &[Frame], scope: Scope) -> Result<(Box<str>, usize), Error> {
        let key_pos = self.pos;
        if self.peek() != Some(b'"') {
            return Err(self.expected(stack, scope, "expected a string key"));
        }
        let key = self.string(stack, scope)?;
        self.skip_ws();
        if !self.eat(b':') {
            return Err(self.expected(stack, scope, "expected ':'"));
        }
        Ok((key, key_pos))
    }

    /// The root value is complete: only whitespace may follow.
    fn finish(&mut self, stack: &[Frame], value: Value) -> Result<Value, Error> {
        self.skip_ws();
        if self.pos < self.text.len() {
            let message = "trailing characters after the JSON value";
            return Err(self.error(stack, Scope::Value, self.pos, message));
        }
        if self.truncated {
            return Err(self.error(stack, Scope::Value, self.pos, "invalid UTF-8"));
        }
        Ok(value)
    }

    // The three helpers below run for nearly every byte of a payload; the size-first build
    // (opt-level "z") would otherwise call them: about 10% of a wasm load, for 0.3 KB.
    #[inline(always)]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Consumes `byte` if it is next.
    #[inline(always)]
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    /// `message` at the current byte, or the end-of-input error when there is none.
    fn expected(&self, stack: &[Frame], scope: Scope, message: &str) -> Error {
        match self.peek() {
            Some(_) => self.error(stack, scope, self.pos, message),
            None => self.eof(stack, scope),
        }
    }

    /// The input ran out — or reached its first invalid UTF-8 byte, which is reported as such.
    fn eof(&self, stack: &[Frame], scope: Scope) -> Error {
        let message = if self.truncated {
            "invalid UTF-8"
        } else {
            "unexpected end of input"
        };
        self.error(stack, scope, self.text.len(), message)
    }

    fn trailing_comma(&self, stack: &[Frame], at: usize) -> Error {
        self.error(stack, Scope::Container, at, "trailing comma")
    }

    fn duplicate(&self, stack: &[Frame], at: usize, key: &str) -> Error {
        let message = Msg::new("duplicate key ").escaped(key).finish();
        self.error(stack, Scope::Container, at, message)
    }

    /// The steps from the root through the `open` outermost containers of `stack`.
    fn steps<'s>(&'s self, stack: &'s [Frame], open: usize) -> impl Iterator<Item = Step<'s>> {
        stack
            .iter()
            .enumerate()
            .take(open)
            .map(move |(depth, frame)| match frame {
                Frame::Array { start } => {
                    // An array's items end where the next open array's begin.
                    let end = stack
                        .iter()
                        .skip(depth + 1)
                        .find_map(|f| match f {
                            Frame::Array { start } => Some(*start),
                            Frame::Object { .. } => None,
                        })
                        .unwrap_or(self.items.len());
                    Step::Index(end.saturating_sub(*start))
                }
                Frame::Object { key, .. } => Step::Key(key),
            })
    }

    /// Builds an [`Error::Json`] for byte offset `at`. Line and column are computed only
    /// here, so the happy path never counts lines.
    fn error(&self, stack: &[Frame], scope: Scope, at: usize, message: impl Into<String>) -> Error {
        let open = match scope {
            Scope::Value => stack.len(),
            Scope::Container => stack.len().saturating_sub(1),
        };
        let before = self.full.get(..at).unwrap_or(self.full);
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = before.len().saturating_sub(line_start) + 1;
        Error::Json {
            path: render_steps(self.steps(stack, open)),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            message: message.into(),
        }
    }
}

/// The first repeated key in document order and the offset of its second occurrence, found
/// by sorting (O(n log n)) so that a 10,000-member object stays fast. Shared with the serde
/// reader, which passes member indices as positions.
pub(super) fn first_duplicate<'k>(
    keys: impl Iterator<Item = &'k str>,
    positions: impl Iterator<Item = usize>,
) -> Option<(&'k str, usize)> {
    let mut sorted: Vec<(&str, usize)> = keys.zip(positions).collect();
    sorted.sort_unstable();
    sorted
        .windows(2)
        .filter_map(|pair| match pair {
            [(a, _), (b, at)] if a == b => Some((*b, *at)),
            _ => None,
        })
        .min_by_key(|&(_, at)| at)
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
