//! Placeholder.
use super::Value;
use alloc::string::String;
pub(crate) fn write_value(_v: &Value, _out: &mut String) {}
