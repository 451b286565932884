//! Instants as integer milliseconds since the Unix epoch, RFC 3339 parsing and formatting.
//! (Placeholder: being written.)

use core::fmt;

/// Formats milliseconds since the Unix epoch as RFC 3339 UTC.
pub struct Rfc3339(pub i64);

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}
