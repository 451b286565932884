//! The hand-written parsers held to reference implementations on generated inputs:
//! semantic versions (validity and precedence) against the `semver` crate, RFC 3339 instants
//! against the `time` crate, base64 against the `base64` crate, IP addresses against
//! `core::net` and CIDR ranges against `ipnet`. Where edgeflag deliberately differs, the test
//! says so and checks the difference is exactly that.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, missing_docs)]

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use edgeflag::unstable::base64 as own_base64;
use edgeflag::unstable::operand::{parse_ip, Cidr, Version};
use edgeflag::unstable::time::parse_rfc3339;
use proptest::prelude::*;
use std::net::IpAddr;
use std::str::FromStr;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 4_000,
        ..ProptestConfig::default()
    }
}

// ---- semantic versions -------------------------------------------------------------------

/// A numeric field: mostly small, sometimes with a leading zero, sometimes past u64.
fn numeric() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (0u64..20).prop_map(|n| n.to_string()),
        2 => any::<u64>().prop_map(|n| n.to_string()),
        1 => (0u64..20).prop_map(|n| format!("0{n}")),
        1 => Just("18446744073709551616".to_owned()),
    ]
}

/// A pre-release or build identifier: alphanumeric, numeric, with hyphens, or empty.
fn identifier() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[0-9A-Za-z-]{1,6}",
        3 => numeric(),
        1 => Just(String::new()),
        1 => "[0-9A-Za-z.+_ ]{1,3}",
    ]
}

fn version_text() -> impl Strategy<Value = String> {
    (
        numeric(),
        numeric(),
        numeric(),
        prop::option::of(prop::collection::vec(identifier(), 1..4)),
        prop::option::of(prop::collection::vec(identifier(), 1..3)),
        prop::bool::weighted(0.05),
    )
        .prop_map(|(major, minor, patch, pre, build, v)| {
            let mut s = format!("{}{major}.{minor}.{patch}", if v { "v" } else { "" });
            if let Some(pre) = pre {
                s.push('-');
                s.push_str(&pre.join("."));
            }
            if let Some(build) = build {
                s.push('+');
                s.push_str(&build.join("."));
            }
            s
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn semver_validity_matches_the_semver_crate(text in version_text()) {
        let ours = Version::parse(&text);
        let reference = semver::Version::parse(&text);
        prop_assert_eq!(ours.is_some(), reference.is_ok(), "{}", text);
        if let (Some(ours), Ok(reference)) = (ours, reference) {
            prop_assert_eq!(ours.major, reference.major);
            prop_assert_eq!(ours.minor, reference.minor);
            prop_assert_eq!(ours.patch, reference.patch);
            prop_assert_eq!(ours.pre_release().unwrap_or(""), reference.pre.as_str());
        }
    }

    #[test]
    fn semver_precedence_matches_the_semver_crate(a in version_text(), b in version_text()) {
        if let (Some(x), Some(y), Ok(rx), Ok(ry)) =
            (Version::parse(&a), Version::parse(&b), semver::Version::parse(&a), semver::Version::parse(&b))
        {
            // Precedence ignores build metadata (semver §10); the crate's `Ord` does not.
            prop_assert_eq!(x.cmp(&y), rx.cmp_precedence(&ry), "{} vs {}", a, b);
        }
    }
}

// ---- RFC 3339 ------------------------------------------------------------------------------

/// Instants in RFC 3339's shape, with every field sometimes out of range, and the variants
/// the RFC allows (lowercase `t`/`z`, fractions of any length, offsets).
fn instant_text() -> impl Strategy<Value = String> {
    (
        0u32..10_000,
        0u32..14,
        0u32..33,
        0u32..25,
        0u32..61,
        0u32..62,
        prop::option::of("[0-9]{1,12}"),
        prop_oneof![
            Just("Z".to_owned()),
            Just("z".to_owned()),
            (prop::bool::ANY, 0u32..25, 0u32..61).prop_map(|(minus, h, m)| format!(
                "{}{h:02}:{m:02}",
                if minus { '-' } else { '+' }
            )),
            Just(String::new()),
        ],
        prop_oneof![8 => Just('T'), 1 => Just('t'), 1 => Just(' ')],
    )
        .prop_map(|(y, mo, d, h, mi, s, frac, offset, sep)| {
            let frac = frac.map_or(String::new(), |f| format!(".{f}"));
            format!("{y:04}-{mo:02}-{d:02}{sep}{h:02}:{mi:02}:{s:02}{frac}{offset}")
        })
}

/// What the `time` crate reads, in ms since the epoch (floored, as edgeflag truncates).
fn reference_ms(text: &str) -> Option<i64> {
    let parsed =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(parsed.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rfc3339_matches_the_time_crate(text in instant_text()) {
        let ours = parse_rfc3339(&text);
        // Deliberate difference: RFC 3339 §5.6 lets a space stand for `T` "for the sake of
        // readability", which edgeflag accepts and the `time` crate does not.
        let reference = reference_ms(&text.replacen(' ', "T", 1));
        prop_assert_eq!(ours, reference, "{}", text);
    }
}

#[test]
fn rfc3339_leap_seconds_and_offsets_agree_with_the_time_crate() {
    for text in [
        "2016-12-31T23:59:60Z",
        "2016-12-31T23:59:60.5+00:00",
        "2016-12-31T15:59:60-08:00",
        "2017-01-01T05:29:60+05:30",
        "2016-12-31T12:00:60Z",
        "0000-05-01T23:59:60Z",
        "2016-02-28T23:59:60Z",
        "2016-02-29T23:59:60Z",
        "2016-12-31T23:59:60+01:00",
        "1969-12-31T23:59:59.9999Z",
        "0000-01-01T00:00:00+23:59",
        "9999-12-31T23:59:59.999-23:59",
        "2026-02-29T00:00:00Z",
        "2028-02-29T00:00:00Z",
    ] {
        assert_eq!(parse_rfc3339(text), reference_ms(text), "{text}");
    }
    assert_eq!(
        parse_rfc3339("2016-12-31T12:00:60Z"),
        None,
        ":60 outside a month's last minute"
    );
}

#[test]
fn base64_with_partial_padding_is_refused() {
    assert_eq!(own_base64::decode("aA==").unwrap(), b"h");
    assert_eq!(own_base64::decode("aA").unwrap(), b"h");
    assert!(own_base64::decode("aA=").is_err());
}

// ---- base64 --------------------------------------------------------------------------------

fn engine(alphabet: &base64::alphabet::Alphabet) -> GeneralPurpose {
    GeneralPurpose::new(
        alphabet,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

/// Text made of base64's characters (both alphabets, padding) and a few others.
fn base64_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| base64::engine::general_purpose::STANDARD.encode(b)),
        2 => prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)),
        3 => "[A-Za-z0-9+/=_-]{0,24}",
        1 => "[A-Za-z0-9+/= \n.]{0,12}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn base64_decoding_matches_the_base64_crate(text in base64_text()) {
        let ours = own_base64::decode(&text).ok();
        let standard = engine(&base64::alphabet::STANDARD).decode(&text).ok();
        let url_safe = engine(&base64::alphabet::URL_SAFE).decode(&text).ok();
        // Either alphabet, padded or not; never both alphabets in one text (which neither
        // engine decodes either).
        let reference = standard.or(url_safe);
        if ours.is_none() && reference.is_some() {
            // Deliberate difference: the format takes base64 "with or without padding",
            // not with some of it. The crate's indifferent mode also takes `aA=` (one `=`
            // where two complete the quantum); edgeflag refuses partial padding.
            let data = text.trim_end_matches('=').len();
            let padding = text.len() - data;
            prop_assert!(padding > 0 && padding < (4 - data % 4) % 4, "{:?}", text);
        } else {
            prop_assert_eq!(ours, reference, "{:?}", text);
        }
    }

    #[test]
    fn base64_encoding_is_the_standard_padded_form(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(own_base64::encode(&bytes), base64::engine::general_purpose::STANDARD.encode(&bytes));
    }
}

// ---- IP addresses and CIDR ranges ----------------------------------------------------------

/// Address-like text: real IPv4 and IPv6 addresses printed by core, and near-misses.
fn address_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<[u8; 4]>().prop_map(|b| std::net::Ipv4Addr::from(b).to_string()),
        3 => any::<[u16; 8]>().prop_map(|g| {
            // Mostly zeros, so `::` compression and IPv4-mapped forms come up.
            let g = g.map(|x| if x % 3 == 0 { 0 } else { x });
            std::net::Ipv6Addr::from(g).to_string()
        }),
        1 => any::<[u8; 4]>().prop_map(|b| format!("::ffff:{}", std::net::Ipv4Addr::from(b))),
        2 => "[0-9.]{1,16}",
        2 => "[0-9a-f:.]{1,24}",
        1 => "[0-9a-fA-F:.%x ]{1,12}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn ip_addresses_match_core_net(text in address_text()) {
        prop_assert_eq!(parse_ip(&text), IpAddr::from_str(&text).ok(), "{:?}", text);
    }

    #[test]
    fn cidr_ranges_match_ipnet_within_a_family(
        net in address_text(),
        len in prop_oneof![0u8..=32, 0u8..=128, 129u8..=200],
        probe in address_text(),
    ) {
        let text = format!("{net}/{len}");
        let ours = Cidr::parse(&text);
        // Deliberate difference: `ipnet`'s own address parser takes leading zeros
        // (`0.0.00.0/0`); edgeflag reads the address as `core::net` does, which refuses them.
        let reference = ipnet::IpNet::from_str(&text).ok().filter(|_| IpAddr::from_str(&net).is_ok());
        prop_assert_eq!(ours.is_some(), reference.is_some(), "{}", text);
        if let (Some(ours), Some(reference), Ok(ip)) = (ours, reference, IpAddr::from_str(&probe)) {
            let same_family = matches!(
                (reference, ip),
                (ipnet::IpNet::V4(_), IpAddr::V4(_)) | (ipnet::IpNet::V6(_), IpAddr::V6(_))
            );
            if same_family && !is_mapped(ip) {
                prop_assert_eq!(ours.contains(&ip), reference.contains(&ip), "{} contains {}", text, probe);
            }
        }
    }
}

/// An IPv4-mapped IPv6 address: edgeflag puts IPv4 and IPv4-mapped IPv6 in one space
/// (`::ffff:10.1.2.3` is in `10.0.0.0/8`), deliberately unlike `ipnet`, which keeps the
/// families apart; the test below checks that difference.
fn is_mapped(ip: IpAddr) -> bool {
    matches!(ip, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some())
}

#[test]
fn ipv4_and_ipv4_mapped_ipv6_are_one_space_unlike_ipnet() {
    let v4_range = Cidr::parse("10.0.0.0/8").unwrap();
    let mapped: IpAddr = "::ffff:10.1.2.3".parse().unwrap();
    assert!(v4_range.contains(&mapped));
    assert!(!ipnet::IpNet::from_str("10.0.0.0/8")
        .unwrap()
        .contains(&mapped));
    let mapped_range = Cidr::parse("::ffff:10.0.0.0/104").unwrap();
    assert!(mapped_range.contains(&"10.1.2.3".parse().unwrap()));
}
