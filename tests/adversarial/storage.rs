//! Case 13 and the host model: corrupted last-known-good, untouched snapshots, mutations.

use super::*;

// ---------------------------------------------------------------------------------------------
// Case 13: corrupted last-known-good
// ---------------------------------------------------------------------------------------------

#[test]
fn case_13_corrupted_last_known_good_is_discarded_and_defaults_served() {
    // A host ran, accepted version 7 and persisted its envelope and high-water mark.
    let mut before = Host::new(policy(&[1], 1));
    before.offer(&signed(6), NOW).unwrap();
    before.offer(&signed(7), NOW).unwrap();
    let stored = before.last_known_good.clone().unwrap();
    let mark = before.current.as_ref().unwrap().1;
    assert_eq!(stored, signed(7));

    // Intact, it is restored on start and serves version 7.
    let (host, result) = Host::start(policy(&[1], 1), &stored, Some(mark), NOW);
    assert_eq!(result, Ok(7));
    assert_eq!(host.observe(NOW).banner, "v7");

    let staging = sign_payload(
        &payload("staging", "shop", 9, "staging"),
        &key(1),
        &Limits::default(),
    )
    .unwrap()
    .into_bytes();
    let mut corruptions: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        (
            "truncated to half".into(),
            stored[..stored.len() / 2].to_vec(),
        ),
        ("last byte lost".into(), stored[..stored.len() - 1].to_vec()),
        (
            "only the payload JSON".into(),
            payload("production", "shop", 7, "v7"),
        ),
        ("another environment's envelope".into(), staging),
        ("the older version 6".into(), signed(6)),
        (
            "a forged version 7".into(),
            hand_signed(&payload("production", "shop", 7, "forged")),
        ),
        ("zeroed".into(), vec![0; stored.len()]),
        ("null".into(), b"null".to_vec()),
    ];
    // Bit rot: a flipped bit in the payload, in the signature, in the structure.
    let payload_text = base64::encode(&payload("production", "shop", 7, "v7"));
    let in_payload = find(&stored, payload_text.as_bytes()) + payload_text.len() / 2;
    let in_sig = stored.len() - 20;
    for (what, at) in [
        ("payload", in_payload),
        ("signature", in_sig),
        ("structure", 0),
    ] {
        let mut rotten = stored.clone();
        flip_bit(&mut rotten, at * 8 + 1);
        corruptions.push((format!("bit flipped in the {what}"), rotten));
    }
    for (what, corrupt) in corruptions {
        let (host, result) = Host::start(policy(&[1], 1), &corrupt, Some(mark), NOW);
        let err = result.expect_err(&what);
        println!("case 13: {what:<36} -> {} ({err})", err.code());
        // Discarded: no snapshot, defaults with PROVIDER_NOT_READY.
        assert!(
            host.current.is_none() && host.last_known_good.is_none(),
            "{what}"
        );
        let details = host.banner_details(NOW);
        assert_eq!(details.value, "DEFAULT");
        assert_eq!(details.reason, Reason::Error);
        assert_eq!(details.error_code, Some(ErrorCode::ProviderNotReady));
        assert!(!host.checkout("pro", NOW));
    }
    // A stored snapshot that expired while the host was down is discarded too.
    let (host, result) = Host::start(policy(&[1], 1), &stored, Some(mark), EXPIRES + 86_400_000);
    assert!(matches!(result, Err(Error::Expired { .. })));
    assert!(host.current.is_none());
}

// ---------------------------------------------------------------------------------------------
// Every rejection leaves the accepted snapshot untouched; nothing panics
// ---------------------------------------------------------------------------------------------

#[test]
fn every_rejection_leaves_the_accepted_snapshot_untouched() {
    let p6 = payload("production", "shop", 6, "v6");
    let mut bad: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"{}".to_vec(),
        envelope(PAYLOAD_TYPE, &p6, &[(None, vec![0; 64])]),
        envelope("application/json", &p6, &[raw_sig(&key(1), &p6)]),
        envelope(PAYLOAD_TYPE, &p6, &[raw_sig(&key(9), &p6)]),
        signed(4),
        hand_signed(&payload("production", "shop", 5, "other")),
        sign_payload(
            &payload("staging", "shop", 6, "s"),
            &key(1),
            &Limits::default(),
        )
        .unwrap()
        .into_bytes(),
        sign_payload(
            &payload("production", "them", 6, "t"),
            &key(1),
            &Limits::default(),
        )
        .unwrap()
        .into_bytes(),
        hand_signed(b"{\"schema\":\"edgeflag/v2\"}"),
        hand_signed(b"\xff"),
    ];
    bad.extend(
        loading::invalid_payloads()
            .into_iter()
            .map(|(_, p)| hand_signed(&bytes(&p))),
    );
    let mut host = host_at_v5();
    let before = host.observe(NOW);
    for env in &bad {
        assert!(host.offer(env, NOW).is_err());
        assert_eq!(host.observe(NOW), before);
    }
    // The host still moves on when a good snapshot comes.
    assert_eq!(host.offer(&signed(6), NOW), Ok(Outcome::Swapped(6)));
    assert_eq!(host.observe(NOW).banner, "v6");
}

/// A deterministic mutation fuzz of a valid envelope in the test suite (the cargo-fuzz targets
/// go much further): random byte edits never panic, and an accepted mutant always carries
/// exactly the original payload.
#[test]
fn random_mutations_never_panic_and_never_change_accepted_content() {
    let good = signed(6);
    let policy = policy(&[1], 1);
    let original = accepted(verify(&good, &policy, None, NOW)).1.payload_sha256;
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let (mut refused_count, mut harmless) = (0, 0);
    for _ in 0..1_500 {
        let mut env = good.clone();
        for _ in 0..=(next() % 4) {
            let at = (next() as usize) % env.len();
            match next() % 4 {
                0 => env[at] = next() as u8,
                1 => {
                    env.remove(at);
                }
                2 => env.insert(at, b"{}[]\":,=+/A0\\ "[(next() % 14) as usize]),
                _ => env.truncate(at),
            }
            if env.is_empty() {
                break;
            }
        }
        let result = std::panic::catch_unwind(|| verify(&env, &policy, None, NOW));
        match result.expect("verify panicked") {
            Err(_) => refused_count += 1,
            Ok(v) => {
                assert_eq!(v.identity().payload_sha256, original);
                harmless += 1;
            }
        }
    }
    println!("mutations: {refused_count} refused, {harmless} harmless");
}
