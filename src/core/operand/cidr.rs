//! IP address ranges for the `inCidr` operator.
//!
//! IPv4 and IPv6 share one address space here: the IPv4 address `a.b.c.d` *is* the
//! IPv4-mapped IPv6 address `::ffff:a.b.c.d`, and `a.b.c.d/n` is `::ffff:a.b.c.d/(96 + n)`.
//! So a context IP of `::ffff:10.1.2.3` (what dual-stack sockets report for IPv4 clients) is in
//! `10.0.0.0/8`, `10.1.2.3` is in `::ffff:10.0.0.0/104`, and an IPv6 range that covers
//! `::ffff:0:0/96` — such as `::/0` — also contains every IPv4 address.

use super::ip;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Longest input read; the longest valid range (`ffff:…:255.255.255.255/128`) has 49 bytes.
const MAX_INPUT: usize = 64;
/// Prefix length of the IPv4-mapped block `::ffff:0:0/96`.
const MAPPED_PREFIX: u8 = 96;

/// An IPv4 or IPv6 network such as `10.0.0.0/8` or `2001:db8::/32`, or a single host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cidr {
    /// The network address in the shared IPv6 space, with host bits cleared.
    network: [u8; 16],
    /// Prefix length in the shared IPv6 space (an IPv4 `/n` is stored as `96 + n`).
    prefix_len: u8,
}

impl Cidr {
    /// Parses `address/length` (IPv4 lengths 0–32, IPv6 0–128) or a bare address, which means
    /// that single host. Addresses are read strictly (see [`parse_ip`]); the length is plain
    /// decimal without sign or leading zeros. Bits set beyond the prefix are accepted and
    /// cleared (`10.1.2.3/8` is `10.0.0.0/8`), as most routers and libraries do. Inputs over
    /// 64 bytes are `None`.
    pub fn parse(s: &str) -> Option<Cidr> {
        if s.len() > MAX_INPUT {
            return None;
        }
        let (addr, len) = match s.split_once('/') {
            Some((addr, len)) => (addr, Some(len)),
            None => (s, None),
        };
        let ip = parse_ip(addr)?;
        let max = match ip {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let len = match len {
            Some(len) => parse_prefix_len(len, max)?,
            None => max,
        };
        let prefix_len = match ip {
            IpAddr::V4(_) => MAPPED_PREFIX + len,
            IpAddr::V6(_) => len,
        };
        let bits = u128::from_be_bytes(to_shared(&ip)) & mask(prefix_len);
        Some(Cidr {
            network: bits.to_be_bytes(),
            prefix_len,
        })
    }

    /// Whether `ip` lies in this network (IPv4 and IPv4-mapped IPv6 addresses are the same).
    pub fn contains(&self, ip: &IpAddr) -> bool {
        let m = mask(self.prefix_len);
        u128::from_be_bytes(to_shared(ip)) & m == u128::from_be_bytes(self.network)
    }
}

/// Parses an IPv4 (`192.0.2.1`) or IPv6 (`2001:db8::1`, `::ffff:192.0.2.1`) address.
///
/// Strict: IPv4 needs four decimal octets without leading zeros (`010.0.0.1` is refused,
/// as it is ambiguous with octal); IPv6 takes at most one `::`, up to four hex digits per
/// group and an IPv4 tail, but no zone (`%eth0`), brackets, port or surrounding whitespace.
/// Inputs over 64 bytes are `None`.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    if s.len() > MAX_INPUT {
        return None;
    }
    // Strict in the ways core's parsers are (no leading zeros, no zones, no shorthand IPv4
    // forms like `127.1`), which the parsers' tests check; linear in the input.
    let bytes = s.as_bytes();
    if bytes.contains(&b':') {
        ip::parse_v6(bytes).map(|a| IpAddr::V6(Ipv6Addr::from(a)))
    } else {
        ip::parse_v4(bytes).map(|a| IpAddr::V4(Ipv4Addr::from(a)))
    }
}

/// The address as 16 bytes of the shared space: IPv4 becomes `::ffff:a.b.c.d`.
fn to_shared(ip: &IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// The top `len` bits set (`len` ≤ 128; callers never pass more).
fn mask(len: u8) -> u128 {
    // A shift by 128 does not exist (`checked_shl` says so): that is `/0`, an empty mask.
    u128::MAX
        .checked_shl(128u32.saturating_sub(u32::from(len)))
        .unwrap_or(0)
}

/// A prefix length: 1–3 ASCII digits, no leading zero, at most `max`.
fn parse_prefix_len(s: &str, max: u8) -> Option<u8> {
    let plain = !s.is_empty()
        && s.len() <= 3
        && s.bytes().all(|b| b.is_ascii_digit())
        && !(s.len() > 1 && s.starts_with('0'));
    if !plain {
        return None;
    }
    s.parse::<u8>().ok().filter(|len| *len <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Cidr {
        Cidr::parse(s).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        parse_ip(s).unwrap()
    }

    #[test]
    fn matches_ipv4_ranges() {
        let net = cidr("10.0.0.0/8");
        assert!(net.contains(&ip("10.0.0.0")));
        assert!(net.contains(&ip("10.255.255.255")));
        assert!(!net.contains(&ip("11.0.0.0")));
        assert!(!net.contains(&ip("9.255.255.255")));
        assert!(cidr("0.0.0.0/0").contains(&ip("203.0.113.9")));
        assert!(cidr("192.0.2.1/32").contains(&ip("192.0.2.1")));
        assert!(!cidr("192.0.2.1/32").contains(&ip("192.0.2.2")));
        assert!(cidr("192.0.2.128/25").contains(&ip("192.0.2.200")));
        assert!(!cidr("192.0.2.128/25").contains(&ip("192.0.2.127")));
    }

    #[test]
    fn matches_ipv6_ranges() {
        let net = cidr("2001:db8::/32");
        assert!(net.contains(&ip("2001:db8::1")));
        assert!(net.contains(&ip("2001:DB8:ffff:ffff:ffff:ffff:ffff:ffff")));
        assert!(!net.contains(&ip("2001:db9::")));
        assert!(cidr("::/0").contains(&ip("fe80::1")));
        assert!(cidr("2001:db8::1/128").contains(&ip("2001:db8:0:0:0:0:0:1")));
        assert!(!cidr("2001:db8::1/128").contains(&ip("2001:db8::2")));
        assert!(cidr("2001:db8:0:0:8000::/65").contains(&ip("2001:db8::ffff:0:0:1")));
        assert!(!cidr("2001:db8:0:0:8000::/65").contains(&ip("2001:db8::7fff:0:0:1")));
    }

    #[test]
    fn masks_cover_the_whole_length_range() {
        assert_eq!(mask(0), 0);
        assert_eq!(mask(1), 1 << 127);
        assert_eq!(mask(127), u128::MAX - 1);
        assert_eq!(mask(128), u128::MAX);
    }

    #[test]
    fn bare_address_is_a_single_host() {
        assert_eq!(cidr("192.0.2.7"), cidr("192.0.2.7/32"));
        assert_eq!(cidr("2001:db8::7"), cidr("2001:db8::7/128"));
        assert!(!cidr("192.0.2.7").contains(&ip("192.0.2.6")));
    }

    #[test]
    fn clears_host_bits_beyond_the_prefix() {
        assert_eq!(cidr("10.1.2.3/8"), cidr("10.0.0.0/8"));
        assert_eq!(cidr("2001:db8::1/32"), cidr("2001:db8::/32"));
        assert!(cidr("10.1.2.3/8").contains(&ip("10.200.0.1")));
    }

    #[test]
    fn ipv4_and_mapped_ipv6_are_the_same_address() {
        assert!(cidr("10.0.0.0/8").contains(&ip("::ffff:10.1.2.3")));
        assert!(cidr("10.0.0.0/8").contains(&ip("::ffff:a01:203")));
        assert!(!cidr("10.0.0.0/8").contains(&ip("::ffff:11.1.2.3")));
        assert!(cidr("::ffff:10.0.0.0/104").contains(&ip("10.9.9.9")));
        assert_eq!(cidr("::ffff:10.0.0.0/104"), cidr("10.0.0.0/8"));
        assert!(cidr("::/0").contains(&ip("10.9.9.9")));
        // IPv4-compatible (deprecated, `::a.b.c.d`) addresses are not IPv4.
        assert!(!cidr("10.0.0.0/8").contains(&ip("::10.1.2.3")));
        assert!(!cidr("2001:db8::/32").contains(&ip("10.1.2.3")));
        assert!(!cidr("0.0.0.0/0").contains(&ip("2001:db8::1")));
    }

    #[test]
    fn parses_ipv6_with_embedded_ipv4_and_compression() {
        assert_eq!(
            ip("::ffff:1.2.3.4"),
            IpAddr::V6(Ipv4Addr::new(1, 2, 3, 4).to_ipv6_mapped())
        );
        assert_eq!(ip("::"), IpAddr::V6(Ipv6Addr::UNSPECIFIED));
        assert_eq!(ip("1::"), ip("1:0:0:0:0:0:0:0"));
        assert_eq!(ip("0001:0db8::"), ip("1:db8::"));
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.0.0.1",
            "01.2.3.4",
            "1.2.3.04",
            "0x1.2.3.4",
            "127.1",
            " 1.2.3.4",
            "1.2.3.4 ",
            "1.2.3.-4",
            "1.2.3.+4",
            "1::2::3",
            ":::",
            "12345::",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7",
            "fe80::1%eth0",
            "fe80::1%1",
            "[::1]",
            "::ffff:1.2.3",
            "::ffff:01.2.3.4",
            "::1.2.3.4:5",
            "g::",
            "localhost",
        ] {
            assert_eq!(parse_ip(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rejects_malformed_ranges() {
        for bad in [
            "10.0.0.0/",
            "10.0.0.0/33",
            "10.0.0.0/08",
            "10.0.0.0/+8",
            "10.0.0.0/-1",
            "10.0.0.0/8/8",
            "10.0.0.0/ 8",
            "10.0.0.0/0008",
            "::/129",
            "::/1000",
            "/8",
            "10.0.0.0/8 ",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad:?}");
        }
        assert!(Cidr::parse("10.0.0.0/0").is_some());
        assert!(Cidr::parse("::/128").is_some());
    }

    #[test]
    fn refuses_long_inputs_up_front() {
        let longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128";
        assert!(Cidr::parse(longest).is_some());
        let padded = alloc::format!("0000:0000:0000:0000:0000:0000:0000:{}/8", "0".repeat(40));
        assert_eq!(Cidr::parse(&padded), None);
        assert_eq!(parse_ip(&"1".repeat(10_000)), None);
    }
}
