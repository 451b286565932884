//! The host's float parser (feature `host-float`): a host that already has a correctly
//! rounded decimal-to-binary conversion registers it once, and the JSON parser uses it in
//! place of core's, whose code and tables are then left out of the build (about 14 KB gzipped
//! in wasm). The wasm bindings register JavaScript's `parseFloat`.

use std::sync::OnceLock;

/// The registered parser; set once, read on every number with a fraction or an exponent.
static PARSER: OnceLock<fn(&str) -> f64> = OnceLock::new();

/// Registers the function that converts JSON number literals with a fraction or an exponent
/// (already checked against JSON's grammar, such as `-12.5e3`) to the nearest `f64`. It must
/// round correctly (IEEE 754 round-half-even, as JavaScript's `parseFloat` and Rust's
/// `str::parse` do), or numbers would compare differently than on other hosts.
///
/// Only the first registration counts; it returns whether this call was it. On wasm32, until
/// a parser is registered, such numbers are refused ("number needs the host's float parser");
/// on other targets core's own parser stands in.
pub fn set_float_parser(parse: fn(&str) -> f64) -> bool {
    PARSER.set(parse).is_ok()
}

/// The registered parser's answer for `literal`, or `None` when none is registered.
pub(super) fn parse(literal: &str) -> Option<f64> {
    PARSER.get().map(|parse| parse(literal))
}
