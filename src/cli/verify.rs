//! `edgeflag verify`: runs the client's verification pipeline on an envelope and prints a
//! one-line summary of what was accepted, or the check that failed.

use crate::args::VerifyArgs;
use crate::exit::{CliResult, Failure};
use crate::inputs::{read_file, trust_policy, warn_degraded, Instant, TrustOptions};
use crate::output::print_line;
use edgeflag::envelope::{verify, Identity, TrustPolicy, Verified};
use edgeflag::unstable::time::Rfc3339;
use edgeflag::Snapshot;
use std::path::Path;

/// Verifies the envelope and prints `ok version ... sha256 ...`.
pub(crate) fn run(args: &VerifyArgs) -> CliResult {
    let policy = trust_policy(&TrustOptions {
        trust: &args.trust,
        threshold: args.threshold,
        environment: &args.env,
        owner: args.owner.as_deref(),
        any_owner: args.any_owner,
        min_version: args.min_version,
        max_age_ms: args.max_age,
    })?;
    let now = Instant::resolve(args.now);
    let envelope = read_file(&args.envelope)?;
    let (snapshot, identity) = verify_envelope(&envelope, &policy, now, &args.envelope)?;
    warn_degraded("verify", &snapshot);
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

/// Verifies `envelope` (read from `file`) as a client with `policy` would at `now`, with no
/// high-water mark: the policy's minimum version and maximum age are its floor.
pub(crate) fn verify_envelope(
    envelope: &[u8],
    policy: &TrustPolicy,
    now: i64,
    file: &Path,
) -> Result<(Snapshot, Identity), Failure> {
    match verify(envelope, policy, None, now) {
        Ok(Verified::Accepted { snapshot, identity }) => Ok((snapshot, identity)),
        // Without a mark the library has nothing to compare with, so it always compiles.
        Ok(Verified::Unchanged(_)) => Err(Failure::refused(
            file.display(),
            "the snapshot was reported unchanged without a high-water mark",
        )),
        Err(e) => Err(Failure::refused(file.display(), e)),
    }
}
