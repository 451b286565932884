//! Cases 1, 2, 4, 5: tampered bytes, malformed signatures, unpinned keys, faked thresholds.

use super::*;

#[test]
fn case_01_flipped_bit_in_payload_is_rejected() {
    let p = payload("production", "shop", 5, "v5");
    let sig = raw_sig(&key(1), &p);
    assert!(
        accepted(verify(
            &envelope(PAYLOAD_TYPE, &p, std::slice::from_ref(&sig)),
            &policy(&[1], 1),
            None,
            NOW
        ))
        .1
        .version
            == 5
    );
    // Every bit of the first and last 8 bytes, and one bit of every 7th byte in between (a
    // debug build verifies slowly; the cargo-fuzz targets go much further).
    let bits = p.len() * 8;
    let chosen: Vec<usize> = (0..bits)
        .filter(|&b| b < 64 || b >= bits - 64 || (b % 56 == (b / 56) % 8))
        .collect();
    let mut host = AtV5::new();
    for &bit in &chosen {
        let mut tampered = p.clone();
        flip_bit(&mut tampered, bit);
        let env = envelope(PAYLOAD_TYPE, &tampered, std::slice::from_ref(&sig));
        assert_eq!(host.refuse(&env), Error::Signature, "payload bit {bit}");
    }
    println!("case 1: {} payload bit flips refused", chosen.len());
}

#[test]
fn case_01_flipped_bit_in_signature_is_rejected() {
    let p = payload("production", "shop", 5, "v5");
    let (hint, sig) = raw_sig(&key(1), &p);
    let policy = policy(&[1], 1);
    // One bit of every byte (rotating through the bit positions) and all bits of the first
    // and last byte of R and of S.
    let chosen =
        (0..512).filter(|&b: &usize| b % 8 == (b / 8) % 8 || [0, 31, 32, 63].contains(&(b / 8)));
    for bit in chosen {
        let mut tampered = sig.clone();
        flip_bit(&mut tampered, bit);
        let env = envelope(PAYLOAD_TYPE, &p, &[(hint.clone(), tampered)]);
        assert_eq!(
            refused(verify(&env, &policy, None, NOW)),
            Error::Signature,
            "signature bit {bit}"
        );
    }
}

#[test]
fn case_01_flipped_bit_in_payload_type_is_rejected() {
    let p = payload("production", "shop", 5, "v5");
    let policy = policy(&[1], 1);
    for bit in 0..PAYLOAD_TYPE.len() * 8 {
        let mut other = PAYLOAD_TYPE.as_bytes().to_vec();
        flip_bit(&mut other, bit);
        // A flip in the high bit of an ASCII byte is no longer UTF-8 text: that cannot even be
        // a JSON string, so flip it in the envelope bytes instead (below).
        let Ok(other) = String::from_utf8(other) else {
            continue;
        };
        // Signed over the original type but naming the flipped one: the exact type check.
        let env = envelope(&other, &p, &[raw_sig(&key(1), &p)]);
        assert_eq!(
            refused(verify(&env, &policy, None, NOW)),
            Error::PayloadType {
                found: other.clone()
            },
            "payloadType bit {bit}"
        );
        // Signed over the flipped type, envelope naming the right one: the PAE binds the type.
        let over_other = (None, key(1).sign(&pae(&other, &p)).to_vec());
        let env = envelope(PAYLOAD_TYPE, &p, &[over_other]);
        assert_eq!(refused(verify(&env, &policy, None, NOW)), Error::Signature);
    }
    // The same flips made in the envelope bytes, as a cache corrupting a byte would.
    let good = signed(6);
    let at = find(&good, PAYLOAD_TYPE.as_bytes());
    let mut host = AtV5::new();
    for bit in at * 8..(at + PAYLOAD_TYPE.len()) * 8 {
        let mut env = good.clone();
        flip_bit(&mut env, bit);
        let err = host.refuse(&env);
        assert!(
            matches!(err, Error::PayloadType { .. } | Error::Envelope { .. }),
            "bit {bit}: {err:?}"
        );
    }
}

/// Every single-bit flip anywhere in an envelope: refused, or (a flip in a `keyid` hint or a
/// field name that is then ignored) accepted with exactly the original payload. No flip can
/// make a client accept different content, and none panics.
#[test]
fn case_01_no_single_bit_flip_anywhere_in_the_envelope_changes_what_is_accepted() {
    let p = bytes(&{
        let mut h = header("production", "shop", 5);
        h["flags"] = json!({});
        h
    });
    let good = sign_payload(&p, &key(1), &Limits::default())
        .unwrap()
        .into_bytes();
    let policy = policy(&[1], 1);
    let original = accepted(verify(&good, &policy, None, NOW)).1.payload_sha256;
    let (mut refusals, mut harmless) = (0, 0);
    // One bit of every byte, rotating through the bit positions, plus the ASCII case bit.
    let chosen = (0..good.len() * 8).filter(|&b| b % 8 == (b / 8) % 8 || b % 8 == 5);
    for bit in chosen {
        let mut env = good.clone();
        flip_bit(&mut env, bit);
        match verify(&env, &policy, None, NOW) {
            Err(_) => refusals += 1,
            Ok(v) => {
                assert_eq!(v.identity().payload_sha256, original, "bit {bit}");
                harmless += 1;
            }
        }
    }
    println!("case 1: {refusals} envelope bit flips refused, {harmless} harmless (hint or ignored field)");
    assert!(refusals > harmless * 4);
}

#[test]
fn case_02_truncated_padded_and_non_reduced_signatures_are_rejected() {
    let p = payload("production", "shop", 5, "v5");
    let (hint, good) = raw_sig(&key(1), &p);
    let mut bad: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("1 byte", good[..1].to_vec()),
        ("R only", good[..32].to_vec()),
        ("63 bytes", good[..63].to_vec()),
        ("S only", good[32..].to_vec()),
        ("65 bytes", [good.as_slice(), &[0]].concat()),
        (
            "padded with garbage",
            [good.as_slice(), b"garbage"].concat(),
        ),
        ("doubled", [good.as_slice(), &good].concat()),
        ("all zero", vec![0; 64]),
        ("all ones", vec![0xff; 64]),
    ];
    // S + l: the same scalar mod l, not the canonical encoding RFC 8032 requires (S < l, so
    // S + l < 2^254 always fits the 32 bytes).
    let s_plus_l = [&good[..32], &add_l(&good[32..]).unwrap()[..]].concat();
    bad.push(("S + l", s_plus_l));
    let mut s_is_l = good.clone();
    s_is_l[32..].copy_from_slice(&L);
    bad.push(("S = l", s_is_l));
    for (what, sig) in bad {
        let env = envelope(PAYLOAD_TYPE, &p, &[(hint.clone(), sig)]);
        assert_eq!(refused_by_host(&env), Error::Signature, "{what}");
    }
    // Garbage that is not base64 at all is a malformed envelope, named at its field.
    let env =
        String::from_utf8(envelope(PAYLOAD_TYPE, &p, &[(hint.clone(), good.clone())])).unwrap();
    let sig_text = base64::encode(&good);
    for garbage in ["!!", " ", "\\n", "=", "====", "*"] {
        let broken = env.replace(&sig_text, &format!("{sig_text}{garbage}"));
        match refused_by_host(broken.as_bytes()) {
            Error::Envelope { path, .. } => assert_eq!(path, "signatures[0].sig", "{garbage:?}"),
            other => panic!("{garbage:?}: {other:?}"),
        }
    }
    // Padding removed and the URL-safe alphabet are the same bytes: accepted (FORMAT.md §1).
    let url_safe = sig_text
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_");
    let env2 = env.replace(&sig_text, &url_safe);
    accepted(verify(env2.as_bytes(), &policy(&[1], 1), None, NOW));
}

// ---------------------------------------------------------------------------------------------
// Case 4: unpinned keys and keyid hints
// ---------------------------------------------------------------------------------------------

#[test]
fn case_04_valid_signature_by_an_unpinned_key_is_rejected() {
    let p = payload("production", "shop", 5, "v5");
    // Key 9 signs validly but is not pinned; its hint even names a pinned key.
    let (_, by_nine) = raw_sig(&key(9), &p);
    for hint in [
        Some(key(9).keyid()),
        Some(key(1).keyid()),
        Some(key(2).keyid()),
        None,
    ] {
        let env = envelope(PAYLOAD_TYPE, &p, &[(hint, by_nine.clone())]);
        let mut host = Host::new(policy(&[1, 2], 1));
        assert_eq!(host.offer(&env, NOW), Err(Error::Signature));
        assert_eq!(host.observe(NOW).banner, "DEFAULT");
        assert_eq!(refused_by_host(&env), Error::Signature);
    }
    // sign_payload by the unpinned key: the same.
    let env = sign_payload(&p, &key(9), &Limits::default()).unwrap();
    assert_eq!(refused_by_host(env.as_bytes()), Error::Signature);
    // A weak (small-order) key, for which forged signatures are easy, cannot be pinned at all:
    // the identity point and the point of order 2.
    let mut order_two = [0xffu8; 32];
    order_two[0] = 0xec;
    order_two[31] = 0x7f;
    let mut identity = [0u8; 32];
    identity[0] = 1;
    for weak in [identity, order_two] {
        let text = format!("ed25519:{}", base64::encode(&weak));
        let refused = TrustPolicy::builder("production")
            .key(&text)
            .owner("shop")
            .build();
        assert!(matches!(refused, Err(Error::Policy { .. })), "{text}");
    }
}

#[test]
fn case_04_keyid_naming_a_wrong_key_with_a_valid_signature_by_another_pinned_key_is_accepted() {
    let p = payload("production", "shop", 5, "v5");
    let (_, by_one) = raw_sig(&key(1), &p);
    for hint in [
        Some(key(2).keyid()),
        Some(key(9).keyid()),
        Some("0000000000000000".into()),
        Some(String::new()),
        Some("x".repeat(10_000)),
        None,
    ] {
        let env = envelope(PAYLOAD_TYPE, &p, &[(hint.clone(), by_one.clone())]);
        let (snapshot, identity) = accepted(verify(&env, &policy(&[2, 1], 1), None, NOW));
        // The identity names the key that verified, not the hint.
        assert_eq!(identity.keyid, key(1).keyid(), "{hint:?}");
        assert_eq!(snapshot.header().version, 5);
    }
}

// ---------------------------------------------------------------------------------------------
// Case 5: the same key's signature repeated to fake a threshold
// ---------------------------------------------------------------------------------------------

#[test]
fn case_05_same_key_signature_repeated_does_not_fake_a_threshold() {
    let p = payload("production", "shop", 5, "v5");
    let (_, by_one) = raw_sig(&key(1), &p);
    let policy2 = policy(&[1, 2], 2);
    // Repeated 2, 3 and the maximum number of times, with hints naming each pinned key.
    for copies in [2, 3, MAX_SIGNATURES] {
        let entries: Vec<Entry> = (0..copies)
            .map(|i| {
                let hint = [key(1).keyid(), key(2).keyid()][i % 2].clone();
                (Some(hint), by_one.clone())
            })
            .collect();
        let env = envelope(PAYLOAD_TYPE, &p, &entries);
        let mut host = Host::new(policy2.clone());
        assert_eq!(
            host.offer(&env, NOW),
            Err(Error::Threshold {
                required: 2,
                verified: 1
            }),
            "{copies} copies"
        );
        assert_eq!(host.observe(NOW).high_water, None);
    }
    // The same key counted through a second, re-encoded copy (URL-safe, unpadded) of its sig.
    let text = base64::encode(&by_one);
    let alt = text
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_");
    let env = bytes(&json!({
        "payloadType": PAYLOAD_TYPE, "payload": base64::encode(&p),
        "signatures": [ { "sig": text }, { "sig": alt } ]
    }));
    assert_eq!(
        refused(verify(&env, &policy2, None, NOW)),
        Error::Threshold {
            required: 2,
            verified: 1
        }
    );
    // One pinned plus one unpinned signer is still one.
    let env = sign_payload_multi(&p, &[&key(1), &key(9)], &Limits::default()).unwrap();
    assert_eq!(
        refused(verify(env.as_bytes(), &policy2, None, NOW)),
        Error::Threshold {
            required: 2,
            verified: 1
        }
    );
    // Two distinct pinned keys meet it.
    let env = sign_payload_multi(&p, &[&key(2), &key(1)], &Limits::default()).unwrap();
    let (_, identity) = accepted(verify(env.as_bytes(), &policy2, None, NOW));
    assert_eq!(identity.keyid, key(2).keyid());
    // More signatures than a verifier will try: refused before any is checked.
    let entries: Vec<Entry> = (0..=MAX_SIGNATURES).map(|_| raw_sig(&key(1), &p)).collect();
    let env = envelope(PAYLOAD_TYPE, &p, &entries);
    assert!(matches!(
        refused(verify(&env, &policy2, None, NOW)),
        Error::Envelope { .. }
    ));
}
