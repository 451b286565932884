//! Turning a flags document into the next signed snapshot: validate it like a client would,
//! reserve the next version (durably, before anything carries it), stamp the header and sign.
//!
//! Versions: `max(last + 1, now in ms since the Unix epoch)`. The counter (persisted in
//! `DIR/version` with `--state`) makes versions strictly increase even if the clock steps
//! back; the clock floor makes them increase across restarts even without a state directory
//! (as long as the clock does not step back by more than the downtime). A restart therefore
//! never reuses a version — which every client would refuse as a rollback.
//!
//! Times: `issuedAt` is the signing instant rounded down to the second; `expiresAt` is
//! `issuedAt + --expires-in`.

use super::state::StateDir;
use super::template;
use super::token::hex;
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

/// Why a document was not published.
#[derive(Debug)]
pub(crate) enum PublishError {
    /// The document would not load in a client (the load error, with its path).
    Invalid(String),
    /// The flags file changed on disk since the server last read it (an admin change would
    /// overwrite an edit it has not seen).
    Conflict(String),
    /// A state or flags file could not be written; nothing was published.
    Io(String),
}

impl std::fmt::Display for PublishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublishError::Invalid(m) | PublishError::Conflict(m) | PublishError::Io(m) => {
                f.write_str(m)
            }
        }
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

/// Signs documents with one key.
#[derive(Debug)]
pub(crate) struct Publisher {
    /// The signing key.
    key: SigningKey,
    /// Where the version counter lives, if anywhere.
    state: Option<StateDir>,
    /// The limits clients apply by default (what is signed must load in them).
    limits: Limits,
    /// `--expires-in`, ms.
    expires_in: i64,
}

impl Publisher {
    /// A publisher signing with `key`, reserving versions in `state`.
    pub(crate) fn new(key: SigningKey, state: Option<StateDir>, expires_in: i64) -> Publisher {
        Publisher {
            key,
            state,
            limits: Limits::default(),
            expires_in,
        }
    }

    /// The signing key.
    pub(crate) fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The state directory.
    pub(crate) fn state(&self) -> Option<&StateDir> {
        self.state.as_ref()
    }

    /// The limits documents are checked against.
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Validates `template`, reserves the version after `*last_version` (updating it: a
    /// reserved version is never handed out again, even if what follows fails) and signs.
    pub(crate) fn sign(
        &self,
        template: &Value,
        last_version: &mut u64,
        now: i64,
    ) -> Result<Signed, PublishError> {
        let version = last_version
            .saturating_add(1)
            .max(u64::try_from(now).unwrap_or(0));
        let issued_at = now.saturating_sub(now.rem_euclid(1_000));
        let expires_at = issued_at.saturating_add(self.expires_in);
        let payload = template::stamp(template, version, issued_at, expires_at);
        // Checked before the version is reserved: an invalid document costs no version.
        let snapshot = Snapshot::load(&payload, &self.limits)
            .map_err(|e| PublishError::Invalid(e.to_string()))?;
        let warnings = lint(&snapshot, now);
        if let Some(state) = &self.state {
            state.write_version(version).map_err(|e| {
                PublishError::Io(format!(
                    "{}: cannot write the version counter: {}",
                    state.dir().display(),
                    crate::exit::io_reason(&e)
                ))
            })?;
        }
        *last_version = version;
        let envelope = sign_payload(&payload, &self.key, &self.limits)
            .map_err(|e| PublishError::Invalid(e.to_string()))?;
        let header = snapshot.header();
        Ok(Signed {
            published: Published {
                etag: etag(envelope.as_bytes()),
                sse_event: Bytes::from(format!(
                    "event: snapshot\ndata: {envelope}\nid: {version}\n\n"
                )),
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
    fn versions_never_go_back_even_when_the_clock_does() {
        let publisher = Publisher::new(SigningKey::from_seed([1; 32]), None, 60_000);
        let mut last = 0;
        let now = 1_795_000_000_000;
        let first = publisher.sign(&example(), &mut last, now).unwrap();
        assert_eq!(first.published.version, 1_795_000_000_000);
        assert!(first.warnings.is_empty(), "{:?}", first.warnings);
        let same_ms = publisher.sign(&example(), &mut last, now).unwrap();
        assert_eq!(same_ms.published.version, now as u64 + 1);
        let clock_stepped_back = publisher.sign(&example(), &mut last, now - 5_000).unwrap();
        assert_eq!(clock_stepped_back.published.version, now as u64 + 2);
        assert_eq!(
            clock_stepped_back.published.expires_at,
            now - 5_000 + 60_000
        );
    }

    #[test]
    fn an_invalid_document_costs_no_version() {
        let publisher = Publisher::new(SigningKey::from_seed([1; 32]), None, 60_000);
        let mut last = 41;
        let broken = template::parse(
            br#"{"owner": "o", "environment": "e", "flags": {"x": {}}}"#,
            &Limits::default(),
        )
        .unwrap();
        let Err(PublishError::Invalid(message)) = publisher.sign(&broken, &mut last, 0) else {
            panic!("published an invalid document");
        };
        assert!(message.contains("flags.x"), "{message}");
        assert_eq!(last, 41);
    }

    #[test]
    fn the_etag_is_strong_and_short() {
        let tag = etag(b"{}");
        assert_eq!(tag.len(), 34);
        assert!(tag.starts_with('"') && tag.ends_with('"'));
    }
}
