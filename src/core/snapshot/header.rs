//! The identity fields of a payload, read (and checked) before the flags are compiled: the
//! verification order checks schema, owner, environment, expiry and version first.

use super::read::{self, Members};
use crate::json::path::Path;
use crate::json::Value;
use crate::Error;
use alloc::boxed::Box;

/// Who a snapshot belongs to and when it is valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// `schema`, e.g. `edgeflag/v1`.
    pub schema: Box<str>,
    /// The owning deployment boundary.
    pub owner: Box<str>,
    /// The environment the snapshot is bound to.
    pub environment: Box<str>,
    /// Strictly increasing per (owner, environment).
    pub version: u64,
    /// `issuedAt`, ms since the Unix epoch.
    pub issued_at: i64,
    /// `expiresAt`, ms since the Unix epoch.
    pub expires_at: i64,
}

impl Header {
    /// Reads and checks the header fields of a parsed payload.
    pub fn read(payload: &Value) -> Result<Header, Error> {
        let root = Path::ROOT;
        let m: &Members = read::object(payload, &root)?;
        let schema = read::string(read::required(m, "schema", &root)?, &root.key("schema"))?;
        if !schema_supported(schema) {
            return Err(Error::Schema {
                found: schema.into(),
            });
        }
        let owner = read::name(read::required(m, "owner", &root)?, &root.key("owner"))?;
        let environment = read::name(
            read::required(m, "environment", &root)?,
            &root.key("environment"),
        )?;
        let version = read::integer(
            read::required(m, "version", &root)?,
            &root.key("version"),
            u64::MAX,
        )?;
        let issued_at =
            read::instant(read::required(m, "issuedAt", &root)?, &root.key("issuedAt"))?;
        let expires_at = read::instant(
            read::required(m, "expiresAt", &root)?,
            &root.key("expiresAt"),
        )?;
        if expires_at <= issued_at {
            return Err(read::error(
                &root.key("expiresAt"),
                "must be later than issuedAt",
            ));
        }
        Ok(Header {
            schema: schema.into(),
            owner: owner.into(),
            environment: environment.into(),
            version,
            issued_at,
            expires_at,
        })
    }
}

impl Header {
    /// The minor revision `schema` declares: 0 for `edgeflag/v1`, N for `edgeflag/v1.N`
    /// (saturating at `u32::MAX`).
    pub fn schema_minor(&self) -> u32 {
        schema_minor(&self.schema)
    }
}

/// The minor revision of a supported schema name (0 when it has none).
fn schema_minor(schema: &str) -> u32 {
    let digits = schema
        .strip_prefix("edgeflag/v1.")
        .unwrap_or_default()
        .bytes();
    digits.fold(0u32, |n, d| {
        n.saturating_mul(10)
            .saturating_add(u32::from(d.wrapping_sub(b'0')))
    })
}

/// `edgeflag/v1` and any minor revision `edgeflag/v1.N` (additive by definition: unknown fields
/// are ignored); any other major is refused.
fn schema_supported(schema: &str) -> bool {
    match schema.strip_prefix("edgeflag/v1") {
        Some("") => true,
        Some(minor) => minor
            .strip_prefix('.')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{schema_minor, schema_supported};

    #[test]
    fn the_minor_revision_is_read_saturating() {
        assert_eq!(schema_minor("edgeflag/v1"), 0);
        assert_eq!(schema_minor("edgeflag/v1.1"), 1);
        assert_eq!(schema_minor("edgeflag/v1.12"), 12);
        assert_eq!(schema_minor("edgeflag/v1.99999999999"), u32::MAX);
    }

    #[test]
    fn accepts_v1_and_its_minors_only() {
        assert!(schema_supported("edgeflag/v1"));
        assert!(schema_supported("edgeflag/v1.2"));
        assert!(!schema_supported("edgeflag/v2"));
        assert!(!schema_supported("edgeflag/v10"));
        assert!(!schema_supported("edgeflag/v1."));
        assert!(!schema_supported("other/v1"));
    }
}
