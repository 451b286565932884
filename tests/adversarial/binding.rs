//! Cases 6, 7, 8: owner and environment binding, the version high-water mark, expiry.

use super::*;

// ---------------------------------------------------------------------------------------------
// Case 6: cross-environment and cross-owner
// ---------------------------------------------------------------------------------------------

#[test]
fn case_06_staging_snapshot_to_a_production_client_is_rejected() {
    for environment in ["staging", "Production", "production ", "prod", "productio"] {
        let p = payload(environment, "shop", 6, "staging!");
        let env = sign_payload(&p, &key(1), &Limits::default()).unwrap();
        assert_eq!(
            refused_by_host(env.as_bytes()),
            Error::Environment {
                expected: "production".into(),
                found: environment.into()
            }
        );
    }
}

#[test]
fn case_06_snapshot_of_another_owner_is_rejected() {
    for owner in ["other-service", "Shop", "shop2", "sho"] {
        let p = payload("production", owner, 6, "theirs");
        let env = sign_payload(&p, &key(1), &Limits::default()).unwrap();
        assert_eq!(
            refused_by_host(env.as_bytes()),
            Error::Owner {
                expected: "shop".into(),
                found: owner.into()
            }
        );
    }
    // A policy that opts out of the owner check accepts any owner, but never another
    // environment.
    let any_owner = TrustPolicy::builder("production")
        .public_key(key(1).public_key())
        .any_owner()
        .build()
        .unwrap();
    let env = sign_payload(
        &payload("production", "other-service", 6, "x"),
        &key(1),
        &Limits::default(),
    )
    .unwrap();
    accepted(verify(env.as_bytes(), &any_owner, None, NOW));
}

// ---------------------------------------------------------------------------------------------
// Case 7: rollback, replay, conflicts
// ---------------------------------------------------------------------------------------------

#[test]
fn case_07_version_lower_than_the_high_water_mark_is_rejected_and_the_old_snapshot_kept() {
    let mut host = Host::new(policy(&[1], 1));
    assert_eq!(host.offer(&signed(5), NOW), Ok(Outcome::Swapped(5)));
    assert_eq!(host.offer(&signed(7), NOW), Ok(Outcome::Swapped(7)));
    let before = host.observe(NOW);
    assert_eq!(before.banner, "v7");
    for old in [6, 5, 1, 0] {
        assert_eq!(
            host.offer(&signed(old), NOW),
            Err(Error::Rollback {
                version: old,
                high_water: 7
            })
        );
        // The snapshot in use is untouched and still evaluates version 7's values.
        assert_eq!(host.observe(NOW), before);
        let details = host.banner_details(NOW);
        assert_eq!(details.value, "v7");
        assert_eq!(details.reason, Reason::Static);
    }
    assert_eq!(host.offer(&signed(8), NOW), Ok(Outcome::Swapped(8)));
    assert_eq!(host.observe(NOW).banner, "v8");
}

#[test]
fn case_07_equal_version_same_bytes_is_unchanged() {
    let mut host = host_at_v5();
    let before = host.observe(NOW);
    assert_eq!(host.offer(&signed(5), NOW), Ok(Outcome::Unchanged(5)));
    assert_eq!(host.observe(NOW), before);
    // The same payload bytes in another envelope (signed by another pinned key, with an extra
    // envelope field) are the same snapshot.
    let p = payload("production", "shop", 5, "v5");
    let policy = policy(&[1, 2], 1);
    let other = sign_payload(&p, &key(2), &Limits::default()).unwrap();
    let other = other.replacen('{', r#"{"x-cache":"hit","#, 1);
    let mark = host.current.as_ref().unwrap().1;
    match verify(other.as_bytes(), &policy, Some(&mark), NOW).unwrap() {
        Verified::Unchanged(identity) => {
            assert_eq!(identity.version, 5);
            assert_eq!(identity.keyid, key(2).keyid());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn case_07_equal_version_other_bytes_is_a_version_conflict() {
    let p = payload("production", "shop", 5, "forged v5");
    let env = sign_payload(&p, &key(1), &Limits::default()).unwrap();
    assert_eq!(
        refused_by_host(env.as_bytes()),
        Error::VersionConflict { version: 5 }
    );
    // Even a difference in whitespace only is other bytes.
    let spaced = String::from_utf8(payload("production", "shop", 5, "v5")).unwrap() + " ";
    let env = sign_payload(spaced.as_bytes(), &key(1), &Limits::default()).unwrap();
    assert_eq!(
        refused_by_host(env.as_bytes()),
        Error::VersionConflict { version: 5 }
    );
}

// ---------------------------------------------------------------------------------------------
// Case 8: expiry and clock skew
// ---------------------------------------------------------------------------------------------

#[test]
fn case_08_expired_snapshot_is_rejected() {
    let env = signed(6);
    let skew = DEFAULT_CLOCK_SKEW_MS as i64;
    for now in [EXPIRES + skew + 1, EXPIRES + 86_400_000, i64::MAX] {
        let mut host = host_at_v5();
        let before = host.observe(EXPIRES);
        assert_eq!(
            host.offer(&env, now),
            Err(Error::Expired {
                expires_at: EXPIRES,
                now
            })
        );
        assert_eq!(host.observe(EXPIRES), before);
    }
    // Expiry is checked before the high-water mark: an expired replay of the snapshot in use
    // is refused rather than reported unchanged.
    let mut host = host_at_v5();
    assert!(matches!(
        host.offer(&signed(5), EXPIRES + skew + 1),
        Err(Error::Expired { .. })
    ));
    // A policy with no skew allowance refuses one millisecond after `expiresAt`.
    let strict = TrustPolicy::builder("production")
        .public_key(key(1).public_key())
        .owner("shop")
        .clock_skew_ms(0)
        .build()
        .unwrap();
    accepted(verify(&env, &strict, None, EXPIRES));
    assert!(matches!(
        verify(&env, &strict, None, EXPIRES + 1),
        Err(Error::Expired { .. })
    ));
}

#[test]
fn case_08_clock_skew_inside_the_allowance_is_accepted() {
    let env = signed(6);
    let skew = DEFAULT_CLOCK_SKEW_MS as i64;
    // The host's clock runs up to five minutes past `expiresAt`: still accepted.
    for now in [EXPIRES, EXPIRES + 1, EXPIRES + skew - 1, EXPIRES + skew] {
        let mut host = host_at_v5();
        assert_eq!(host.offer(&env, now), Ok(Outcome::Swapped(6)), "now {now}");
    }
    // A client whose clock is behind `issuedAt` accepts within the same allowance, and
    // refuses beyond it: a snapshot from the future would outlive its real validity.
    accepted(verify(&env, &policy(&[1], 1), None, ISSUED - skew));
    assert!(matches!(
        verify(&env, &policy(&[1], 1), None, ISSUED - skew - 1),
        Err(Error::IssuedInFuture { .. })
    ));
    // The largest allowance a policy takes is a day, and it holds to the millisecond.
    let day = TrustPolicy::builder("production")
        .public_key(key(1).public_key())
        .owner("shop")
        .clock_skew_ms(MAX_CLOCK_SKEW_MS)
        .build()
        .unwrap();
    let max = MAX_CLOCK_SKEW_MS as i64;
    accepted(verify(&env, &day, None, EXPIRES + max));
    assert!(matches!(
        verify(&env, &day, None, EXPIRES + max + 1),
        Err(Error::Expired { .. })
    ));
}
