//! `edgeflag verify`: runs the client's verification pipeline on an envelope and prints a
//! one-line summary of what was accepted, or the check that failed.

use crate::args::VerifyArgs;
use crate::exit::{CliResult, Failure};
use crate::inputs::{read_file, trust_policy, Instant, TrustOptions};
use crate::output::print_line;
use edgeflag::envelope::{verify, HighWater, Identity, TrustPolicy, Verified};
use edgeflag::unstable::time::Rfc3339;
use edgeflag::{Error, Snapshot};
use std::path::Path;

/// Verifies the envelope and prints `ok version ... sha256 ...`.
pub(crate) fn run(args: &VerifyArgs) -> CliResult {
    let policy = trust_policy(&TrustOptions {
        trust: &args.trust,
        threshold: args.threshold,
        environment: &args.env,
        owner: args.owner.as_deref(),
    })?;
    let now = Instant::resolve(args.now);
    let envelope = read_file(&args.envelope)?;
    let (snapshot, identity) =
        verify_envelope(&envelope, &policy, args.min_version, now, &args.envelope)?;
    print_line(&format!(
        "ok version {} owner {} environment {} keyid {} flags {} expires {} sha256 {}",
        identity.version,
        identity.owner,
        identity.environment,
        identity.keyid,
        snapshot.len(),
        Rfc3339(identity.expires_at),
        identity.payload_sha256_hex(),
    ))
}

/// Verifies `envelope` (read from `file`) as a client with `policy` would at `now`.
///
/// `min_version` N is the version the client already accepted, without the digest of its
/// bytes: versions below N are refused as rollbacks (the library's [`HighWater`] check, so
/// the error and the order of checks are the client's), and version N itself is accepted
/// like a newer one. The library would call an equal version with unknown bytes a conflict;
/// here N stands for "nothing older than N", so that case is verified again without a mark
/// (signature, owner, environment and expiry included) and accepted.
pub(crate) fn verify_envelope(
    envelope: &[u8],
    policy: &TrustPolicy,
    min_version: Option<u64>,
    now: i64,
    file: &Path,
) -> Result<(Snapshot, Identity), Failure> {
    let refused = |e: Error| Failure::refused(file.display(), e);
    // An all-zero digest stands for "bytes unknown": no payload hashes to it in practice,
    // so the library never mistakes it for the snapshot in hand.
    let mark = min_version.map(|version| HighWater {
        version,
        payload_sha256: [0; 32],
    });
    let verified = match verify(envelope, policy, mark.as_ref(), now) {
        Ok(Verified::Unchanged(_)) | Err(Error::VersionConflict { .. }) => {
            verify(envelope, policy, None, now).map_err(refused)?
        }
        other => other.map_err(refused)?,
    };
    match verified {
        Verified::Accepted { snapshot, identity } => Ok((snapshot, identity)),
        // Without a mark the library has nothing to compare with, so it always compiles.
        Verified::Unchanged(_) => Err(Failure::refused(
            file.display(),
            "the snapshot was reported unchanged without a high-water mark",
        )),
    }
}
