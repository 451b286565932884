//! **Not public API.** Internals that the workspace's other crates (`edgeflag-wasm`,
//! `edgeflag-cli`), its fuzz targets and its benchmarks reach: the message builder, the strict
//! JSON parser and writer, RFC 3339 instants, base64, and the operand parsers. Hidden from the
//! documentation and outside semantic versioning: anything here may change or go in any
//! release. Everything a Rust user of edgeflag needs is at the crate root or in [`crate::snapshot`],
//! [`crate::envelope`], [`crate::sync`] and [`crate::lint`].

pub use crate::text::Msg;

/// The strict JSON parser and the compact writer.
pub mod json {
    pub use crate::json::path::Path;
    pub use crate::json::write::{write_string, write_value_as, Exact, FloatText, Shortest};
    pub use crate::json::{parse, JsonLimits, ValueSeed};
}

/// RFC 3339 instants and dates, in milliseconds since the Unix epoch.
pub mod time {
    pub use crate::time::{parse_date_or_instant, parse_rfc3339, Rfc3339};
}

/// Standard base64 with padding, strict (as envelopes carry payloads and signatures).
pub mod base64 {
    pub use crate::envelope::base64::{decode, encode};
}

/// The operands parsed when a snapshot compiles.
pub mod operand {
    pub use crate::operand::cidr::{parse_ip, Cidr};
    pub use crate::operand::semver::Version;
}
