//! Placeholder.
/// Placeholder.
pub struct ValueSeed;
