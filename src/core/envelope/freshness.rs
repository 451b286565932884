//! The header checks of the pipeline: whose snapshot it is (owner, environment, exact and
//! case-sensitive), whether it is fresh by the host's clock (issued not in the future, valid
//! for no longer than the policy allows, not expired, not older than the maximum age), and
//! whether its version is at least the policy's floor. Every instant comparison forgives the
//! policy's clock skew, the same allowance in both directions.

use super::policy::TrustPolicy;
use crate::snapshot::Header;
use crate::Error;

/// Owner, environment and freshness; the first that fails names the check.
pub(super) fn check_header(
    header: &Header,
    policy: &TrustPolicy,
    now_ms: i64,
) -> Result<(), Error> {
    if let Some(owner) = policy.owner() {
        if *header.owner != *owner {
            return Err(Error::Owner {
                expected: owner.into(),
                found: header.owner.as_ref().into(),
            });
        }
    }
    if *header.environment != *policy.environment() {
        return Err(Error::Environment {
            expected: policy.environment().into(),
            found: header.environment.as_ref().into(),
        });
    }
    check_fresh(header, policy, now_ms)
}

/// Issued not in the future, valid for at most the maximum validity, not expired, and issued
/// within the maximum age. Saturating arithmetic keeps instants near the ends of time from
/// wrapping around.
fn check_fresh(header: &Header, policy: &TrustPolicy, now_ms: i64) -> Result<(), Error> {
    let skew = ms(policy.clock_skew_ms());
    if header.issued_at > now_ms.saturating_add(skew) {
        return Err(Error::IssuedInFuture {
            issued_at: header.issued_at,
            now: now_ms,
        });
    }
    // Header::read guarantees expiresAt > issuedAt; the span can still exceed i64.
    let validity = u64::try_from(i128::from(header.expires_at) - i128::from(header.issued_at));
    if validity.map_or(true, |v| v > policy.max_validity_ms()) {
        return Err(Error::ValidityTooLong {
            issued_at: header.issued_at,
            expires_at: header.expires_at,
            max_ms: policy.max_validity_ms(),
        });
    }
    check_still_fresh(header.issued_at, header.expires_at, policy, now_ms)
}

/// The checks of an accepted snapshot (issued at `issued_at`, expiring at `expires_at`) that
/// the clock alone can change, expiry and age: what an envelope byte-identical to the one
/// accepted is held to instead of a second verification.
pub(crate) fn check_still_fresh(
    issued_at: i64,
    expires_at: i64,
    policy: &TrustPolicy,
    now_ms: i64,
) -> Result<(), Error> {
    let skew = ms(policy.clock_skew_ms());
    if now_ms > expires_at.saturating_add(skew) {
        return Err(Error::Expired {
            expires_at,
            now: now_ms,
        });
    }
    match policy.max_age_ms() {
        Some(max_age) if issued_at < now_ms.saturating_sub(ms(max_age)).saturating_sub(skew) => {
            Err(Error::TooOld {
                issued_at,
                max_age_ms: max_age,
                now: now_ms,
            })
        }
        _ => Ok(()),
    }
}

/// The policy's version floor.
pub(super) fn check_version(header: &Header, policy: &TrustPolicy) -> Result<(), Error> {
    if header.version < policy.min_version() {
        return Err(Error::BelowMinVersion {
            version: header.version,
            min_version: policy.min_version(),
        });
    }
    Ok(())
}

/// A duration in ms as an instant offset; beyond `i64` it saturates (such a bound is "never").
fn ms(duration: u64) -> i64 {
    i64::try_from(duration).unwrap_or(i64::MAX)
}
