//! Turning a flags document into a signed snapshot: validate it like a client would, stamp
//! the header and sign. The version comes from the store, reserved in the transaction that
//! stores the result (see [`store`](crate::store)): `max(last + 1, now in ms)`.
//!
//! Times: `issuedAt` is the signing instant rounded down to the second; `expiresAt` is
//! `issuedAt + --expires-in`.

use crate::store::SnapshotRow;
use crate::template;
use crate::token::hex;
use axum::body::Bytes;
use edgeflag::envelope::{sign_payload, SigningKey};
use edgeflag::lint::{lint, Warning};
use edgeflag::{Limits, Snapshot, Value};
use sha2::{Digest, Sha256};

/// A signed snapshot as served: the envelope bytes and what the routes and status need.
#[derive(Debug)]
pub(crate) struct Published {
    /// The DSSE envelope JSON, exactly as signed (one line).
    pub(crate) envelope: Bytes,
    /// The envelope as one Server-Sent Event, framed once per version: every stream sends
    /// this buffer (a reference, not a copy), however many subscribers there are.
    pub(crate) sse_event: Bytes,
    /// The strong ETag of the envelope: `"` + 32 hex characters of its SHA-256 + `"`.
    pub(crate) etag: String,
    /// The payload's `version`.
    pub(crate) version: u64,
    /// The payload's `issuedAt`, ms since the Unix epoch.
    pub(crate) issued_at: i64,
    /// The payload's `expiresAt`, ms since the Unix epoch.
    pub(crate) expires_at: i64,
    /// When it was signed, ms since the Unix epoch.
    pub(crate) published_at: i64,
    /// The payload's `owner`.
    pub(crate) owner: String,
    /// The payload's `environment`.
    pub(crate) environment: String,
}

impl Published {
    /// A snapshot as the store holds it (signed by this replica or another).
    pub(crate) fn from_row(row: &SnapshotRow, owner: &str) -> Published {
        Published {
            sse_event: sse_event(&row.envelope, row.version),
            envelope: Bytes::from(row.envelope.clone()),
            etag: row.etag.clone(),
            version: row.version,
            issued_at: row.issued_at,
            expires_at: row.expires_at,
            published_at: row.published_at,
            owner: owner.to_owned(),
            environment: row.environment.clone(),
        }
    }

    /// The row the store keeps for it, signed by `keyid`.
    pub(crate) fn to_row(&self, keyid: &str) -> SnapshotRow {
        SnapshotRow {
            environment: self.environment.clone(),
            version: self.version,
            envelope: String::from_utf8_lossy(&self.envelope).into_owned(),
            etag: self.etag.clone(),
            keyid: keyid.to_owned(),
            issued_at: self.issued_at,
            expires_at: self.expires_at,
            published_at: self.published_at,
        }
    }
}

/// The envelope as one Server-Sent Event.
fn sse_event(envelope: &str, version: u64) -> Bytes {
    Bytes::from(format!(
        "event: snapshot\ndata: {envelope}\nid: {version}\n\n"
    ))
}

/// Why a document cannot be signed: it would not load in a client (the load error, with
/// its path).
#[derive(Debug)]
pub(crate) struct Invalid(pub(crate) String);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A document signed as the next version, not yet published.
#[derive(Debug)]
pub(crate) struct Signed {
    /// The snapshot to serve.
    pub(crate) published: Published,
    /// What `edgeflag lint` would say about it.
    pub(crate) warnings: Vec<Warning>,
}

/// Signs documents.
#[derive(Debug)]
pub(crate) struct Publisher {
    /// The limits clients apply by default (what is signed must load in them).
    limits: Limits,
    /// `--expires-in`, ms.
    expires_in: i64,
}

impl Publisher {
    /// A publisher whose snapshots are valid for `expires_in` ms.
    pub(crate) fn new(expires_in: i64) -> Publisher {
        Publisher {
            limits: Limits::default(),
            expires_in,
        }
    }

    /// The limits documents are checked against.
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The payload `template` becomes as `version`, signed at `now`.
    pub(crate) fn payload(&self, template: &Value, version: u64, now: i64) -> Vec<u8> {
        let issued_at = now.saturating_sub(now.rem_euclid(1_000));
        template::stamp(
            template,
            version,
            issued_at,
            issued_at.saturating_add(self.expires_in),
        )
    }

    /// Validates `template` as a client would and lints it, without signing.
    pub(crate) fn check(&self, template: &Value, now: i64) -> Result<Vec<Warning>, Invalid> {
        let payload = self.payload(template, 1, now);
        let snapshot =
            Snapshot::load(&payload, &self.limits).map_err(|e| Invalid(e.to_string()))?;
        Ok(lint(&snapshot, now))
    }

    /// Validates `template` and signs it as `version` with `key`.
    pub(crate) fn sign(
        &self,
        template: &Value,
        version: u64,
        now: i64,
        key: &SigningKey,
    ) -> Result<Signed, Invalid> {
        let issued_at = now.saturating_sub(now.rem_euclid(1_000));
        let expires_at = issued_at.saturating_add(self.expires_in);
        let payload = template::stamp(template, version, issued_at, expires_at);
        let snapshot =
            Snapshot::load(&payload, &self.limits).map_err(|e| Invalid(e.to_string()))?;
        let warnings = lint(&snapshot, now);
        let envelope =
            sign_payload(&payload, key, &self.limits).map_err(|e| Invalid(e.to_string()))?;
        let header = snapshot.header();
        Ok(Signed {
            published: Published {
                etag: etag(envelope.as_bytes()),
                sse_event: sse_event(&envelope, version),
                envelope: Bytes::from(envelope),
                version,
                issued_at,
                expires_at,
                published_at: now,
                owner: header.owner.to_string(),
                environment: header.environment.to_string(),
            },
            warnings,
        })
    }
}

/// The strong ETag of an envelope.
pub(crate) fn etag(envelope: &[u8]) -> String {
    let digest = Sha256::digest(envelope);
    let short = digest.get(..16).unwrap_or_default();
    format!("\"{}\"", hex(short))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Value {
        template::parse(include_bytes!("example-flags.json"), &Limits::default()).unwrap()
    }

    #[test]
    fn a_signed_snapshot_carries_the_version_and_validity() {
        let publisher = Publisher::new(60_000);
        let key = SigningKey::from_seed([1; 32]);
        let now = 1_795_000_000_123;
        let signed = publisher.sign(&example(), 42, now, &key).unwrap();
        assert_eq!(signed.published.version, 42);
        assert_eq!(signed.published.issued_at, 1_795_000_000_000);
        assert_eq!(signed.published.expires_at, 1_795_000_060_000);
        assert!(signed.warnings.is_empty(), "{:?}", signed.warnings);
        let row = signed.published.to_row(&key.keyid());
        let back = Published::from_row(&row, "demo-shop");
        assert_eq!(back.envelope, signed.published.envelope);
        assert_eq!(back.sse_event, signed.published.sse_event);
    }

    #[test]
    fn an_invalid_document_is_refused_naming_the_path() {
        let publisher = Publisher::new(60_000);
        let broken = template::parse(
            br#"{"owner": "o", "environment": "e", "flags": {"x": {}}}"#,
            &Limits::default(),
        )
        .unwrap();
        let Err(Invalid(message)) = publisher.sign(&broken, 1, 0, &SigningKey::from_seed([1; 32]))
        else {
            panic!("signed an invalid document");
        };
        assert!(message.contains("flags.x"), "{message}");
        assert!(publisher.check(&broken, 0).is_err());
    }

    #[test]
    fn the_etag_is_strong_and_short() {
        let tag = etag(b"{}");
        assert_eq!(tag.len(), 34);
        assert!(tag.starts_with('"') && tag.ends_with('"'));
    }
}
