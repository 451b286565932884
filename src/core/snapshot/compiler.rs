//! State shared while one payload is compiled.

use super::attrs::AttrTable;
use super::sets::StrIndex;
use crate::Limits;
use alloc::vec::Vec;

/// What the compile passes share: limits, the growing attribute table, and the indexes that
/// let conditions and prerequisites refer to segments and flags declared anywhere.
pub(crate) struct Compiler<'a> {
    pub(crate) limits: &'a Limits,
    pub(crate) attrs: AttrTable,
    pub(crate) segment_index: StrIndex,
    pub(crate) flag_index: StrIndex,
    /// Variant names per flag, in declaration order (the variant indexes).
    pub(crate) variant_names: Vec<Vec<&'a str>>,
}
