//! The client synchronisation state machine, sans-IO: the browser client (through the wasm
//! bindings) and the edge worker both drive it, so src/core/SECURITY.md's "failure behaviour of every
//! client" is written once, here, and tested natively.
//!
//! The machine does no I/O and reads no clock and no randomness. The host feeds it what
//! happened — a response (status, ETag, body), a failed request, a stream event, a stored
//! last-known-good, the time, a random number for the jitter — and every input returns an
//! [`Outcome`]: the events to emit, whether to persist, whether a poll is due and when to
//! wake up next.
//!
//! ```
//! # #[cfg(feature = "sign")] {
//! use edgeflag::envelope::{sign_payload, SigningKey, TrustPolicy};
//! use edgeflag::sync::{Event, Status, SyncConfig, SyncMachine};
//! use edgeflag::Limits;
//!
//! # let key = SigningKey::from_seed([7; 32]);
//! # let body = sign_payload(br#"{"schema": "edgeflag/v1", "owner": "shop",
//! #   "environment": "production", "version": 7, "issuedAt": "2026-11-21T10:00:00Z",
//! #   "expiresAt": "2026-11-28T10:00:00Z", "flags": {}}"#, &key, &Limits::default())?;
//! let policy = TrustPolicy::builder("production")
//!     .public_key(key.public_key())
//!     .owner("shop")
//!     .build()?;
//! let mut sync = SyncMachine::new(policy, SyncConfig::default())?;
//! let now = 1_795_300_000_000; // the host's clock
//!
//! let outcome = sync.start(now);
//! assert!(outcome.poll_due);
//! let request = sync.begin_request(now).expect("nothing in flight yet");
//! assert_eq!(request.if_none_match, None);
//! // ... the host fetches with `request` and reports what came back:
//! let outcome = sync.on_response(200, Some("\"v7\""), body.as_bytes(), now + 80, 0.42);
//! assert_eq!(outcome.events, [Event::Ready]);
//! assert!(outcome.persist); // write `sync.persisted()` to storage
//! assert_eq!(sync.status(), Status::Ready);
//! assert_eq!(outcome.next_poll_at, Some(now + 80 + 30_000));
//! assert_eq!(sync.snapshot().map(|s| s.header().version), Some(7));
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Decisions
//!
//! - **Status.** `READY` and `STALE` both serve a verified snapshot (the last-known-good),
//!   `NOT_READY` and `ERROR` serve defaults. Any failure — a refused envelope, an HTTP error,
//!   the network, a fatal status — makes the client `STALE` if it has a snapshot and `ERROR`
//!   if not; the status always tells whether evaluation has something verified to serve.
//!   [`SyncMachine::last_error`] says why, [`SyncMachine::retries_stopped`] whether it was fatal.
//! - **Expiry.** An expired envelope is never loaded (`verify` refuses it). A loaded one that
//!   expires (beyond the policy's clock skew) is still served, as the best there is, but turns
//!   the client `STALE` on the next [`SyncMachine::tick`] or response; a 304 cannot extend it.
//! - **Events** are transitions: `ready` on the first `READY`; `recovered` on `READY` again
//!   after `STALE`/`ERROR`; `stale` and `error` on entering those; `change` when a loaded
//!   snapshot is replaced (the first load is announced by `ready` only). In one outcome
//!   `change` comes before the status event. Repeating a failure repeats no event, but
//!   [`Outcome::error`] reports each one for logs.
//! - **Backoff.** After `n` consecutive failed polls the next one is due after
//!   `random × min(max_backoff, min_backoff × 2^(n−1))` (full jitter); any success resets
//!   it and polls again one interval later. Fatal statuses (401, 403, 404, 410) stop the
//!   schedule; a manual [`SyncMachine::begin_request`] may still refresh, and its success
//!   resumes polling. An abort by the host is neutral.
//! - **304** counts as fresh only if the request carried `If-None-Match` and a snapshot is
//!   loaded; otherwise it is a failure and the ETag is dropped so the retry is unconditional.
//!   An ETag is kept only for the snapshot it came with.
//! - **Overtaken responses.** A 200 whose snapshot is older than the one loaded, but not
//!   older than the one loaded when the request began, was overtaken by a stream event:
//!   neither loaded nor counted as a failure.
//! - **Streams and bootstrap envelopes** take the same verification path; the same version
//!   with the same bytes is a no-op that confirms freshness, the same version with other
//!   bytes and older versions are refused (status as for any failure). They reset the
//!   backoff but do not otherwise move the poll schedule, and do not resume stopped polling.
//! - **Storage** is untrusted: see [`SyncMachine::restore`].
//! - **In-flight requests** are de-duplicated by [`SyncMachine::begin_request`]; a request not
//!   reported within `request_timeout_ms` stops blocking, so a lost callback cannot wedge
//!   the client.

mod accessors;
mod backoff;
mod config;
mod deliver;
mod error;
mod machine;
mod outcome;
mod restore;
mod status;
mod transitions;

pub use backoff::{backoff_delay_ms, unit_from_u32};
pub use config::SyncConfig;
pub use error::{is_fatal_status, FailureKind, SyncError};
pub use machine::SyncMachine;
pub use outcome::{Outcome, Persisted, Request};
pub use status::{Event, Status};

#[cfg(test)]
#[path = "backoff_tests.rs"]
mod backoff_tests;
#[cfg(test)]
#[path = "config_tests.rs"]
mod config_tests;
#[cfg(test)]
#[cfg(feature = "sign")]
#[path = "events_tests.rs"]
mod events_tests;
#[cfg(test)]
#[cfg(feature = "sign")]
#[path = "expiry_tests.rs"]
mod expiry_tests;
#[cfg(test)]
#[path = "machine_tests.rs"]
mod machine_tests;
#[cfg(test)]
#[path = "names_tests.rs"]
mod names_tests;
#[cfg(test)]
#[cfg(feature = "sign")]
#[path = "response_tests.rs"]
mod response_tests;
#[cfg(test)]
#[cfg(feature = "sign")]
#[path = "restore_tests.rs"]
mod restore_tests;
#[cfg(test)]
#[cfg(feature = "sign")]
#[path = "stream_tests.rs"]
mod stream_tests;
#[cfg(test)]
#[cfg(feature = "sign")]
#[path = "test_support.rs"]
mod test_support;
