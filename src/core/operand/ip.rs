//! Strict textual IP addresses: the forms `core::net` accepts, read by a parser a tenth of its
//! size in wasm (core's is generic over its number types and `read_atomically` closures).
//!
//! IPv4: four decimal octets of 1–3 digits, no leading zeros (`010.0.0.1` is refused: it is
//! octal to some readers). IPv6: eight groups of 1–4 hex digits separated by `:`, at most one
//! `::` standing for one or more zero groups, and optionally an IPv4 address in place of the
//! last two groups; no zone (`%eth0`), brackets, port or whitespace. The tests compare every
//! answer with `core::net`'s parsers.

/// An IPv4 address's four octets, or `None`.
pub(crate) fn parse_v4(text: &[u8]) -> Option<[u8; 4]> {
    let mut octets = [0u8; 4];
    let mut parts = text.split(|b| *b == b'.');
    for slot in &mut octets {
        *slot = octet(parts.next()?)?;
    }
    match parts.next() {
        None => Some(octets),
        Some(_) => None,
    }
}

/// One IPv4 octet: `0`, or 1–3 digits without a leading zero, at most 255.
fn octet(digits: &[u8]) -> Option<u8> {
    if digits.is_empty() || digits.len() > 3 || (digits.len() > 1 && digits.first() == Some(&b'0'))
    {
        return None;
    }
    let mut value: u16 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u16::from(d - b'0');
    }
    u8::try_from(value).ok()
}

/// An IPv6 address's sixteen bytes, or `None`.
pub(crate) fn parse_v6(text: &[u8]) -> Option<[u8; 16]> {
    let mut groups = [0u16; 8];
    let gap = text.windows(2).position(|w| w == b"::");
    let Some(gap) = gap else {
        // No `::`: exactly eight groups, the last two possibly as IPv4.
        return (read_groups(text, &mut groups, true)? == 8).then(|| bytes(&groups));
    };
    let (head, tail) = (text.get(..gap)?, text.get(gap + 2..)?);
    // IPv4 only at the very end, so never before the `::`; and `::` is at least one group.
    let head_len = read_groups(head, &mut groups, false)?;
    let mut tail_groups = [0u16; 8];
    let tail_len = read_groups(tail, &mut tail_groups, true)?;
    if head_len + tail_len > 7 {
        return None;
    }
    let tail_at = 8 - tail_len;
    for (slot, g) in groups.iter_mut().skip(tail_at).zip(tail_groups) {
        *slot = g;
    }
    Some(bytes(&groups))
}

/// Reads `:`-separated groups into `groups` (an empty text is no groups); the last may be an
/// IPv4 address (two groups) if `v4_last`. Returns how many groups were read; `None` for an
/// empty or malformed group, or more than eight.
fn read_groups(text: &[u8], groups: &mut [u16; 8], v4_last: bool) -> Option<usize> {
    if text.is_empty() {
        return Some(0);
    }
    let mut count = 0;
    let mut parts = text.split(|b| *b == b':').peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        if last && v4_last && part.contains(&b'.') {
            let [a, b, c, d] = parse_v4(part)?;
            *groups.get_mut(count)? = u16::from_be_bytes([a, b]);
            *groups.get_mut(count + 1)? = u16::from_be_bytes([c, d]);
            return Some(count + 2);
        }
        *groups.get_mut(count)? = group(part)?;
        count += 1;
    }
    Some(count)
}

/// One IPv6 group: 1–4 hex digits (leading zeros allowed).
fn group(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    let mut value = 0u16;
    for &d in digits {
        let nibble = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        };
        value = value << 4 | u16::from(nibble);
    }
    Some(value)
}

/// The groups in network byte order.
fn bytes(groups: &[u16; 8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (pair, g) in out.chunks_exact_mut(2).zip(groups) {
        pair.copy_from_slice(&g.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use alloc::vec::Vec;
    use core::net::{Ipv4Addr, Ipv6Addr};

    /// A parse as IPv4 and as IPv6, as byte arrays.
    type Answers = (Option<[u8; 4]>, Option<[u8; 16]>);

    /// Our answers and core's for `text`.
    fn both(text: &str) -> (Answers, Answers) {
        let ours = (parse_v4(text.as_bytes()), parse_v6(text.as_bytes()));
        let core = (
            text.parse::<Ipv4Addr>().ok().map(|a| a.octets()),
            text.parse::<Ipv6Addr>().ok().map(|a| a.octets()),
        );
        (ours, core)
    }

    #[test]
    fn agrees_with_core_on_chosen_cases() {
        let cases = [
            "",
            "0.0.0.0",
            "255.255.255.255",
            "256.0.0.0",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "1..2.3",
            "1.2.3.4 ",
            " 1.2.3.4",
            "1.2.3.-4",
            "+1.2.3.4",
            "1.2.3.4/8",
            "1.2.3.0004",
            "::",
            ":",
            ":::",
            "::1",
            "1::",
            "1::2",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8",
            "1::2::3",
            "1:::2",
            ":1::",
            "::1:",
            "12345::",
            "0000::ffff",
            "FFFF::abcd",
            "g::",
            "::ffff:1.2.3.4",
            "::1.2.3.4",
            "1.2.3.4::",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "1:2:3:4:5::1.2.3.4",
            "1:2:3:4:5:6::1.2.3.4",
            "::1.2.3.4:5",
            "::1.2.3",
            "::01.2.3.4",
            "::256.1.1.1",
            "fe80::1%eth0",
            "[::1]",
            "::ffff:1.2.3.4.5",
            "1:2:3:4:5:6:7:8.9",
            "::.",
            "::1.",
            "1.2.3.4:1.2.3.4",
        ];
        for text in cases {
            let (ours, core) = both(text);
            assert_eq!(ours, core, "{text:?}");
        }
    }

    #[test]
    fn agrees_with_core_on_random_token_strings() {
        // Strings glued from tokens that sit near every boundary of the grammar; a fixed-seed
        // generator keeps the run reproducible.
        const TOKENS: [&str; 20] = [
            "0", "1", "9", "00", "255", "256", "010", "a", "F", "ff", "ffff", "12345", ":", ":",
            "::", ".", ".", "1.2.3.4", "g", "0x",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut accepted = 0;
        for _ in 0..300_000 {
            let n = 1 + next() % 16;
            let text: String = (0..n).map(|_| TOKENS[(next() % 20) as usize]).collect();
            let (ours, core) = both(&text);
            assert_eq!(ours, core, "{text:?}");
            accepted += usize::from(ours.0.is_some() || ours.1.is_some());
        }
        // The generator must reach valid addresses, or the comparison proves little.
        assert!(accepted > 1_000, "{accepted}");
    }

    #[test]
    fn agrees_with_core_on_the_display_of_random_addresses() {
        let mut state: u64 = 42;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            state >> 16
        };
        let mut texts: Vec<String> = Vec::new();
        for _ in 0..20_000 {
            // Runs of zero groups so that `::` appears in every position.
            let mut g = [0u16; 8];
            for slot in &mut g {
                if next() % 3 != 0 {
                    *slot = next() as u16;
                }
            }
            let v6 = Ipv6Addr::from(g);
            texts.push(alloc::format!("{v6}"));
            let v4 = Ipv4Addr::from(next() as u32);
            texts.push(alloc::format!("{v4}"));
            texts.push(alloc::format!("::ffff:{v4}"));
            texts.push(alloc::format!("{}:{}:{v4}", g[0], g[1]));
        }
        for text in texts {
            let (ours, core) = both(&text);
            assert_eq!(ours, core, "{text:?}");
        }
    }
}
