//! Cases 9 and 10: strict parsing, every cap at N and N + 1, unknown fields ignored.

use super::*;

// ---------------------------------------------------------------------------------------------
// Case 9: duplicate keys, schema, UTF-8, nesting, caps
// ---------------------------------------------------------------------------------------------

#[test]
fn case_09_duplicate_json_keys_in_the_payload_are_rejected() {
    let good = String::from_utf8(payload("production", "shop", 6, "v6")).unwrap();
    let duplicates = [
        // A second `version` that a lenient parser would let win.
        good.replacen(r#""version":6"#, r#""version":6,"version":99"#, 1),
        good.replacen(
            r#""environment":"production""#,
            r#""environment":"production","environment":"staging""#,
            1,
        ),
        good.replacen(r#""flags":{"#, r#""flags":{"banner":{},"#, 1),
        good.replacen(r#""variants":{"#, r#""variants":{"hidden":"x","#, 1),
        // Same key spelled with an escape: equal after decoding.
        good.replacen(
            r#""owner":"shop""#,
            r#""owner":"shop","\u006fwner":"shop""#,
            1,
        ),
    ];
    for (i, text) in duplicates.iter().enumerate() {
        assert_ne!(text, &good, "duplicate {i} was not inserted");
        let err = refused_by_host(&hand_signed(text.as_bytes()));
        assert!(matches!(err, Error::Json { .. }), "duplicate {i}: {err:?}");
        assert!(err.to_string().contains("duplicate"), "{err}");
        // The signer guard refuses to sign it at all.
        assert!(sign_payload(text.as_bytes(), &key(1), &Limits::default()).is_err());
    }
}

#[test]
fn case_09_duplicate_json_keys_in_the_envelope_are_rejected() {
    let v6 = payload("production", "shop", 6, "v6");
    let other = payload("production", "shop", 7, "v7");
    let sig = raw_sig(&key(1), &v6);
    let b64 = base64::encode(&sig.1);
    let envs = [
        // Two payloads: which one is verified and which one parsed must never differ.
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{}","payload":"{}","signatures":[{{"sig":"{b64}"}}]}}"#,
            base64::encode(&v6),
            base64::encode(&other)
        ),
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payloadType":"x","payload":"{}","signatures":[{{"sig":"{b64}"}}]}}"#,
            base64::encode(&v6)
        ),
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{}","signatures":[{{"sig":"{b64}","sig":"{b64}"}}]}}"#,
            base64::encode(&v6)
        ),
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{}","signatures":[],"signatures":[{{"sig":"{b64}"}}]}}"#,
            base64::encode(&v6)
        ),
    ];
    for env in &envs {
        let err = refused_by_host(env.as_bytes());
        assert!(matches!(err, Error::Envelope { .. }), "{env}: {err:?}");
    }
}

#[test]
fn case_09_unknown_schema_major_is_rejected() {
    for schema in [
        "edgeflag/v2",
        "edgeflag/v0",
        "edgeflag/v10",
        "EDGEFLAG/V1",
        "edgeflag/v1.",
        "edgeflag/v1.x",
        "edgeflag",
        "",
    ] {
        let mut p = payload_json("production", "shop", 6, "v6");
        p["schema"] = json!(schema);
        let err = refused_by_host(&hand_signed(&bytes(&p)));
        assert_eq!(
            err,
            Error::Schema {
                found: schema.into()
            },
            "{schema:?}"
        );
    }
    // A minor revision is additive by definition: accepted.
    let mut p = payload_json("production", "shop", 6, "v6");
    p["schema"] = json!("edgeflag/v1.7");
    accepted(verify(
        &hand_signed(&bytes(&p)),
        &policy(&[1], 1),
        None,
        NOW,
    ));
    assert_eq!(SCHEMA, "edgeflag/v1");
}

#[test]
fn case_09_non_utf8_payload_and_envelope_are_rejected() {
    let good = payload("production", "shop", 6, "v6");
    let at = find(&good, b"v6");
    let invalid: [&[u8]; 6] = [
        &[0xff],
        &[0xc0, 0xaf],             // overlong '/'
        &[0xed, 0xa0, 0x80],       // an encoded surrogate
        &[0xe2, 0x82],             // truncated sequence
        &[0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
        &[0x80],                   // lone continuation byte
    ];
    for bad in invalid {
        let mut p = good.clone();
        p.splice(at..at + 1, bad.iter().copied());
        let err = refused_by_host(&hand_signed(&p));
        assert!(matches!(err, Error::Json { .. }), "{bad:x?}: {err:?}");
        // In the envelope (an ignored field): malformed envelope, refused before any work.
        let env = signed(6);
        let env = [&env[..1], b"\"x\":\"", bad, b"\",", &env[1..]].concat();
        let err = refused_by_host(&env);
        assert!(matches!(err, Error::Envelope { .. }), "{bad:x?}: {err:?}");
    }
    // A lone surrogate escape is not a Unicode scalar value either.
    let text = String::from_utf8(good)
        .unwrap()
        .replacen("v6", r"\ud800", 1);
    let err = refused_by_host(&hand_signed(text.as_bytes()));
    assert!(matches!(err, Error::Json { .. }), "{err:?}");
}

#[test]
fn case_09_ten_thousand_levels_of_nesting_are_rejected_without_stack_overflow() {
    const LEVELS: usize = 10_000;
    let arrays = format!("{}{}", "[".repeat(LEVELS), "]".repeat(LEVELS));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(LEVELS), "}".repeat(LEVELS));
    let unclosed = "[".repeat(LEVELS);
    for deep in [arrays, objects, unclosed] {
        // In the payload, signed: a JSON error after the signature held.
        let mut p = payload_json("production", "shop", 6, "v6");
        let text = bytes(&p);
        let text = String::from_utf8(text).unwrap();
        let nested = text.replacen('{', &format!(r#"{{"deep":{deep},"#), 1);
        let env = hand_signed(nested.as_bytes());
        let err = on_small_stack(move || refused_by_host(&env));
        assert!(matches!(err, Error::Json { .. }), "{err:?}");
        // In the flags: the same.
        p["flags"]["banner"]["metadata"] = json!({});
        let text = String::from_utf8(bytes(&p)).unwrap().replacen(
            r#""metadata":{}"#,
            &format!(r#""metadata":{{"x":{deep}}}"#),
            1,
        );
        let env = hand_signed(text.as_bytes());
        let err = on_small_stack(move || refused_by_host(&env));
        assert!(matches!(err, Error::Json { .. }), "{err:?}");
        // In the envelope: malformed envelope.
        let env = String::from_utf8(signed(6)).unwrap();
        let env = env.replacen('{', &format!(r#"{{"deep":{deep},"#), 1);
        let err = on_small_stack(move || refused_by_host(env.as_bytes()));
        assert!(matches!(err, Error::Envelope { .. }), "{err:?}");
        // And as the whole envelope.
        let err = on_small_stack(move || refused_by_host(deep.as_bytes()));
        assert!(matches!(err, Error::Envelope { .. }), "{err:?}");
    }
}

#[test]
fn case_09_every_cap_exceeded_by_one_is_rejected() {
    for cap in caps() {
        let mut limits = Limits::default();
        (cap.set)(&mut limits, cap.n);
        let strict = policy_with(&[1], 1, limits.clone());
        // At the cap: signed (by a signer with default limits) and accepted.
        let at = bytes(&(cap.make)(cap.n));
        let env = sign_payload(&at, &key(1), &Limits::default()).unwrap();
        accepted(verify(env.as_bytes(), &strict, None, NOW));
        // One over: the same signer signs it (it is within the defaults) and a client with the
        // small cap refuses it in the payload stage, after the signature held.
        let over = bytes(&(cap.make)(cap.n + 1));
        let env = sign_payload(&over, &key(1), &Limits::default()).unwrap();
        accepted(verify(env.as_bytes(), &policy(&[1], 1), None, NOW));
        let err = refused(verify(env.as_bytes(), &strict, None, NOW));
        assert!(is_payload_stage(&err), "{}: {err:?}", cap.name);
        println!(
            "{:<48} {} ok, {} refused: {err}",
            cap.name,
            cap.n,
            cap.n + 1
        );
        // And a signer with the small cap refuses to sign it.
        assert!(
            sign_payload(&over, &key(1), &limits).is_err(),
            "{}",
            cap.name
        );
    }
}

#[test]
fn case_09_envelope_byte_cap_exceeded_by_one_is_rejected_before_parsing() {
    let env = signed(6);
    let at_cap = Limits {
        max_bytes: env.len(),
        ..Limits::default()
    };
    accepted(verify(&env, &policy_with(&[1], 1, at_cap), None, NOW));
    let under = Limits {
        max_bytes: env.len() - 1,
        ..Limits::default()
    };
    assert_eq!(
        refused(verify(
            &env,
            &policy_with(&[1], 1, under.clone()),
            None,
            NOW
        )),
        Error::TooLarge {
            what: "envelope",
            limit: env.len() - 1,
            actual: env.len()
        }
    );
    // Refused before parsing: even bytes that are not JSON get the same answer.
    let junk = vec![b'['; env.len()];
    assert!(matches!(
        verify(&junk, &policy_with(&[1], 1, under), None, NOW),
        Err(Error::TooLarge { .. })
    ));
    // The default cap, 4 MiB, exceeded by one byte of trailing whitespace.
    let mut big = signed(6);
    big.resize(4 * 1024 * 1024 + 1, b' ');
    assert_eq!(
        refused_by_host(&big),
        Error::TooLarge {
            what: "envelope",
            limit: 4 * 1024 * 1024,
            actual: 4 * 1024 * 1024 + 1
        }
    );
}

#[test]
fn case_09_context_caps_exceeded_by_one_are_refused_and_evaluation_serves_the_default() {
    let limits = ContextLimits {
        max_attributes: 3,
        max_string_bytes: 8,
        max_depth: 2,
        max_values: 4,
    };
    let cases = [
        (r#"{"a":1,"b":2,"c":3}"#, r#"{"a":1,"b":2,"c":3,"d":4}"#),
        (r#"{"a":"12345678"}"#, r#"{"a":"123456789"}"#),
        (r#"{"a":[[1]]}"#, r#"{"a":[[[1]]]}"#),
        // Every value counts, the attribute's own included: [1,2,3] is four.
        (r#"{"a":[1,2,3]}"#, r#"{"a":[1,2,3,4]}"#),
    ];
    for (ok, over) in cases {
        assert!(Context::from_json(ok.as_bytes(), &limits).is_ok(), "{ok}");
        assert!(
            matches!(
                Context::from_json(over.as_bytes(), &limits),
                Err(Error::InvalidContext { .. })
            ),
            "{over}"
        );
    }
    // A host turns a refused context into an invalid compiled one: defaults, INVALID_CONTEXT.
    let host = host_at_v5();
    let (snapshot, _) = host.current.as_ref().unwrap();
    let err = Context::from_json(b"[]", &limits).unwrap_err();
    let ctx = edgeflag::CompiledContext::invalid(err.to_string());
    let details = snapshot.bool_details("checkout", &ctx, true, NOW);
    assert!(details.value);
    assert_eq!(details.reason, Reason::Error);
    assert_eq!(details.error_code, Some(ErrorCode::InvalidContext));
}

// ---------------------------------------------------------------------------------------------
// Case 10: unknown fields
// ---------------------------------------------------------------------------------------------

#[test]
fn case_10_unknown_fields_in_payload_and_envelope_are_ignored_and_the_signature_holds() {
    let mut p = payload_json("production", "shop", 6, "v6");
    p["x-future"] = json!({ "nested": [1, { "deep": null }] });
    p["flags"]["banner"]["x-owner-team"] = json!("growth");
    p["flags"]["checkout"]["rules"][0]["x-note"] = json!(42);
    p["flags"]["checkout"]["rules"][0]["conditions"][0]["x-hint"] = json!(true);
    p["segments"] = json!({ "s": { "included": ["u1"], "x-size": 1 } });
    let p = bytes(&p);
    let env = sign_payload(&p, &key(1), &Limits::default()).unwrap();
    // Fields added to the envelope after signing (it is not signed, only its payload is).
    let env = env
        .replacen('{', r#"{"x-cache":{"age":3,"hit":[true]},"#, 1)
        .replace(r#"{"keyid""#, r#"{"x-sig-note":"hsm-2","keyid""#);
    let mut host = host_at_v5();
    assert_eq!(host.offer(env.as_bytes(), NOW), Ok(Outcome::Swapped(6)));
    let seen = host.observe(NOW);
    assert_eq!(seen.banner, "v6");
    assert!(seen.checkout_pro);
    // An unknown field added to the payload after signing is tampering, though.
    let mut q = String::from_utf8(p.clone()).unwrap();
    q.insert_str(1, r#""x-late":1,"#);
    let sig = raw_sig(&key(1), &p);
    assert_eq!(
        refused_by_host(&envelope(PAYLOAD_TYPE, q.as_bytes(), &[sig])),
        Error::Signature
    );
}

/// One cap of `Limits`: how to set it to `n`, and a payload that needs exactly `n` of it.
struct Cap {
    name: &'static str,
    n: usize,
    set: fn(&mut Limits, usize),
    make: fn(usize) -> Json,
}

fn caps() -> Vec<Cap> {
    vec![
        Cap {
            name: "max_flags",
            n: 3,
            set: |l, n| l.max_flags = n,
            make: |n| {
                let flags: serde_json::Map<String, Json> =
                    (0..n).map(|i| (format!("f{i}"), boolean_flag())).collect();
                with_flags(Json::Object(flags))
            },
        },
        Cap {
            name: "max_segments",
            n: 2,
            set: |l, n| l.max_segments = n,
            make: |n| {
                let mut p = with_flag(boolean_flag());
                let segments: serde_json::Map<String, Json> = (0..n)
                    .map(|i| (format!("s{i}"), json!({ "included": ["u1"] })))
                    .collect();
                p["segments"] = Json::Object(segments);
                p
            },
        },
        Cap {
            name: "max_rules_per_flag",
            n: 2,
            set: |l, n| l.max_rules_per_flag = n,
            make: |n| with_flag(flag_with_rules(n)),
        },
        Cap {
            name: "max_rules_per_flag (AND-lists of a segment)",
            n: 2,
            set: |l, n| l.max_rules_per_flag = n,
            make: |n| {
                let mut p = with_flag(boolean_flag());
                let rules: Vec<Json> = (0..n)
                    .map(|i| json!([ { "attribute": "plan", "op": "in", "values": [format!("p{i}")] } ]))
                    .collect();
                p["segments"] = json!({ "s": { "rules": rules } });
                p
            },
        },
        Cap {
            name: "max_conditions_per_rule",
            n: 2,
            set: |l, n| l.max_conditions_per_rule = n,
            make: |n| {
                let mut flag = flag_with_rules(1);
                let conditions: Vec<Json> = (0..n)
                    .map(|i| json!({ "attribute": format!("a{i}"), "op": "exists" }))
                    .collect();
                flag["rules"][0]["conditions"] = Json::Array(conditions);
                with_flag(flag)
            },
        },
        Cap {
            name: "max_values_per_condition",
            n: 3,
            set: |l, n| l.max_values_per_condition = n,
            make: |n| {
                let mut flag = flag_with_rules(1);
                let values: Vec<Json> = (0..n).map(|i| json!(format!("p{i}"))).collect();
                flag["rules"][0]["conditions"][0]["values"] = Json::Array(values);
                with_flag(flag)
            },
        },
        Cap {
            name: "max_values_per_condition (targets)",
            n: 3,
            set: |l, n| l.max_values_per_condition = n,
            make: |n| {
                let mut flag = boolean_flag();
                let values: Vec<Json> = (0..n).map(|i| json!(format!("u{i}"))).collect();
                flag["targets"] = json!([ { "variant": "on", "values": values } ]);
                with_flag(flag)
            },
        },
        Cap {
            name: "max_values_per_condition (segment included)",
            n: 3,
            set: |l, n| l.max_values_per_condition = n,
            make: |n| {
                let mut p = with_flag(boolean_flag());
                let values: Vec<Json> = (0..n).map(|i| json!(format!("u{i}"))).collect();
                p["segments"] = json!({ "s": { "included": values } });
                p
            },
        },
        Cap {
            name: "max_string_bytes",
            n: 32,
            set: |l, n| l.max_string_bytes = n,
            make: |n| {
                let mut flag = boolean_flag();
                flag["type"] = json!("string");
                flag["variants"] = json!({ "on": "x".repeat(n), "off": "" });
                with_flag(flag)
            },
        },
        Cap {
            name: "max_string_bytes (object key)",
            n: 32,
            set: |l, n| l.max_string_bytes = n,
            make: |n| {
                let mut flags = serde_json::Map::new();
                flags.insert("k".repeat(n), boolean_flag());
                with_flags(Json::Object(flags))
            },
        },
        Cap {
            name: "max_depth",
            n: 9,
            set: |l, n| l.max_depth = n,
            make: |n| {
                // root, flags, f, variants: 4 levels; each variant value adds the rest.
                let mut value = json!({});
                for _ in 0..n - 5 {
                    value = json!({ "a": value });
                }
                let flag = json!({ "type": "object", "enabled": true,
                                   "variants": { "on": value, "off": {} }, "offVariant": "off" });
                let p = with_flag(flag);
                assert_eq!(depth(&p), n);
                p
            },
        },
        Cap {
            name: "max_variants_per_flag",
            n: 3,
            set: |l, n| l.max_variants_per_flag = n,
            make: |n| {
                let mut flag = boolean_flag();
                flag["type"] = json!("number");
                let variants: serde_json::Map<String, Json> =
                    (0..n).map(|i| (format!("v{i}"), json!(i))).collect();
                flag["variants"] = Json::Object(variants);
                flag["offVariant"] = json!("v0");
                with_flag(flag)
            },
        },
        Cap {
            name: "max_dependency_depth",
            n: 4,
            set: |l, n| l.max_dependency_depth = n,
            make: |n| {
                // f0 -> f1 -> ... -> f(n-1): a chain of n flags.
                let flags: serde_json::Map<String, Json> = (0..n)
                    .map(|i| {
                        let mut flag = boolean_flag();
                        if i + 1 < n {
                            flag["prerequisites"] =
                                json!([ { "flag": format!("f{}", i + 1), "variants": ["on"] } ]);
                        }
                        (format!("f{i}"), flag)
                    })
                    .collect();
                with_flags(Json::Object(flags))
            },
        },
        Cap {
            name: "max_dependency_work",
            n: 5,
            set: |l, n| l.max_dependency_work = n,
            make: |n| {
                // `top` evaluates itself and n - 1 prerequisites: n evaluations.
                let mut flags = serde_json::Map::new();
                let mut top = boolean_flag();
                top["prerequisites"] = Json::Array(
                    (1..n)
                        .map(|i| json!({ "flag": format!("p{i}"), "variants": ["on"] }))
                        .collect(),
                );
                flags.insert("top".into(), top);
                for i in 1..n {
                    flags.insert(format!("p{i}"), boolean_flag());
                }
                with_flags(Json::Object(flags))
            },
        },
    ]
}
