//! Strict base64 (RFC 4648): the standard and the URL-safe alphabet, each with or without
//! padding, and nothing else. Strictness matters because the signature covers the decoded
//! bytes: a lenient decoder would let many different texts stand for one signed envelope,
//! which confuses caches and deduplication, and hides producer bugs.
//!
//! Written here rather than taken from a crate because it is small and keeps the wasm build
//! small.

use crate::text::Msg;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

/// Why a text is not strict base64.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base64Error {
    /// A byte outside both alphabets (whitespace and line breaks included).
    InvalidByte {
        /// Position of the byte in the text.
        at: usize,
    },
    /// Characters of the standard (`+/`) and the URL-safe (`-_`) alphabet in one text.
    MixedAlphabets,
    /// `=` somewhere other than the end, or a count that does not complete the last quantum.
    BadPadding,
    /// The text length leaves a single character in the last quantum, which encodes no byte.
    BadLength,
    /// The last character has bits set that encode nothing (a non-canonical encoding).
    TrailingBits,
}

impl Base64Error {
    /// What is wrong, the same text as `Display` writes (built without `core::fmt`, which the
    /// wasm build does not link; see `crate::text`).
    pub fn message(&self) -> String {
        match self {
            Base64Error::InvalidByte { at } => {
                Msg::new("invalid character at offset ").num(*at).finish()
            }
            Base64Error::MixedAlphabets => "mixes the standard and URL-safe alphabets".into(),
            Base64Error::BadPadding => "wrong padding".into(),
            Base64Error::BadLength => "truncated (impossible length)".into(),
            Base64Error::TrailingBits => "non-zero trailing bits".into(),
        }
    }
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Encodes `bytes` as standard base64 with padding (what FORMAT.md §1 asks producers for).
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0);
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let n = (u32::from(b0) << 16) | (u32::from(b1) << 8) | u32::from(b2);
        // `chunks(3)` yields 1 to 3 bytes, which need 2 to 4 characters.
        let chars = chunk.len() + 1;
        for i in 0..4 {
            if i < chars {
                out.push(char::from(sextet_char(n >> (18 - 6 * i))));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn sextet_char(n: u32) -> u8 {
    // Masking to 6 bits makes the lookup total; `get` keeps clippy's indexing lint satisfied.
    STANDARD.get((n & 63) as usize).copied().unwrap_or(b'A')
}

/// [`SEXTETS`] entry of a byte outside both alphabets.
const INVALID: u8 = 0xff;
/// [`SEXTETS`] flag of `+` and `/`, which only the standard alphabet has.
const STANDARD_ONLY: u8 = 0x40;
/// [`SEXTETS`] flag of `-` and `_`, which only the URL-safe alphabet has.
const URL_SAFE_ONLY: u8 = 0x80;

/// Every byte's 6-bit value, with the alphabet flag of the four characters that force one
/// (both flags: [`INVALID`]): one lookup per character and one test per 4 characters.
const SEXTETS: [u8; 256] = sextets();

#[allow(clippy::indexing_slicing)] // constant evaluation: an out-of-range index fails the build
const fn sextets() -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 62 {
        table[STANDARD[i] as usize] = i as u8;
        i += 1;
    }
    table[b'+' as usize] = 62 | STANDARD_ONLY;
    table[b'/' as usize] = 63 | STANDARD_ONLY;
    table[b'-' as usize] = 62 | URL_SAFE_ONLY;
    table[b'_' as usize] = 63 | URL_SAFE_ONLY;
    table
}

/// The table entry of `c`.
fn sextet(c: u8) -> u8 {
    // 256 entries, so every byte has one.
    SEXTETS.get(usize::from(c)).copied().unwrap_or(INVALID)
}

/// Checks the character `c` at `at` (its entry `v`): refuses bytes outside both alphabets and
/// a second alphabet, recording the first one seen in `seen`.
fn check(c: u8, v: u8, at: usize, seen: &mut u8) -> Result<(), Base64Error> {
    if v == INVALID {
        return Err(if c == b'=' {
            Base64Error::BadPadding
        } else {
            Base64Error::InvalidByte { at }
        });
    }
    *seen |= v & (STANDARD_ONLY | URL_SAFE_ONLY);
    if *seen == STANDARD_ONLY | URL_SAFE_ONLY {
        return Err(Base64Error::MixedAlphabets);
    }
    Ok(())
}

/// Decodes strict base64: either alphabet (never both in one text), padded or not; rejects
/// whitespace, misplaced or wrong padding, impossible lengths and non-zero trailing bits.
pub fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let bytes = text.as_bytes();
    let data_len = bytes.iter().rposition(|&b| b != b'=').map_or(0, |p| p + 1);
    let (data, padding) = bytes.split_at(data_len);

    let whole = data.len() / 4;
    let mut out = vec![0u8; whole * 3];
    let mut seen = 0u8;
    // Whole quanta: 4 characters, 3 bytes. Only a quantum with a flagged entry (an invalid
    // byte, or one of the four alphabet-specific characters) is checked character by
    // character, in order, so errors are the ones a left-to-right scan meets first. A plain
    // loop: the size-first build would call iterator adapters for every quantum.
    let mut at = 0;
    while let (Some(&[c0, c1, c2, c3]), Some([d0, d1, d2])) = (
        data.get(at..at + 4),
        out.get_mut(at / 4 * 3..at / 4 * 3 + 3),
    ) {
        let (v0, v1, v2, v3) = (sextet(c0), sextet(c1), sextet(c2), sextet(c3));
        if (v0 | v1 | v2 | v3) & (STANDARD_ONLY | URL_SAFE_ONLY) != 0 {
            for (i, (c, v)) in [(c0, v0), (c1, v1), (c2, v2), (c3, v3)]
                .into_iter()
                .enumerate()
            {
                check(c, v, at + i, &mut seen)?;
            }
        }
        let n = u32::from(v0 & 63) << 18
            | u32::from(v1 & 63) << 12
            | u32::from(v2 & 63) << 6
            | u32::from(v3 & 63);
        // Truncations to the low byte are the point.
        (*d0, *d1, *d2) = ((n >> 16) as u8, (n >> 8) as u8, n as u8);
        at += 4;
    }
    let rest = data.get(whole * 4..).unwrap_or_default();
    // The last partial quantum: 0 to 3 characters.
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for (i, &c) in rest.iter().enumerate() {
        let v = sextet(c);
        check(c, v, data.len() - rest.len() + i, &mut seen)?;
        acc = (acc << 6) | u32::from(v & 63);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            // Truncation to the low byte is the point: `acc` carries at most 14 bits here.
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Length and padding are judged after the characters, so that a stray space or line
    // break is reported as such rather than as a length problem.
    if !padding.is_empty() {
        // Padding, when present, must complete the last 4-character quantum exactly.
        let expected = match data.len() % 4 {
            2 => 2,
            3 => 1,
            _ => return Err(Base64Error::BadPadding),
        };
        if padding.len() != expected {
            return Err(Base64Error::BadPadding);
        }
    }
    if data.len() % 4 == 1 {
        return Err(Base64Error::BadLength);
    }
    // 2 or 4 bits left over from the last partial quantum encode nothing and must be zero,
    // otherwise several texts would decode to the same bytes.
    if acc != 0 {
        return Err(Base64Error::TrailingBits);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::{String, ToString};
    use alloc::vec;

    #[test]
    fn encodes_rfc4648_test_vectors() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(encode(plain.as_bytes()), *encoded);
            assert_eq!(decode(encoded).as_deref(), Ok(plain.as_bytes()));
        }
    }

    #[test]
    fn accepts_both_alphabets_with_or_without_padding() {
        let bytes = [0xfb, 0xff, 0xbf, 0xfe];
        for text in ["+/+//g==", "+/+//g", "-_-__g==", "-_-__g"] {
            assert_eq!(decode(text).as_deref(), Ok(&bytes[..]), "{text}");
        }
        assert_eq!(decode("Zm9vYg").as_deref(), Ok(&b"foob"[..]));
        assert_eq!(decode("Zm9vYmE").as_deref(), Ok(&b"fooba"[..]));
    }

    #[test]
    fn round_trips_every_length_and_byte() {
        let all: Vec<u8> = (0..=255u8).collect();
        for len in 0..all.len() {
            let slice = all.get(..len).unwrap_or_default();
            assert_eq!(decode(&encode(slice)).as_deref(), Ok(slice));
        }
    }

    #[test]
    fn rejects_everything_that_is_not_strict_base64() {
        let cases: &[(&str, Base64Error)] = &[
            ("+/-_", Base64Error::MixedAlphabets),
            ("Zm9v\nYmFy", Base64Error::InvalidByte { at: 4 }),
            ("Zm9v Zg==", Base64Error::InvalidByte { at: 4 }),
            (" Zm9v", Base64Error::InvalidByte { at: 0 }),
            ("Zm9v\r\n", Base64Error::InvalidByte { at: 4 }),
            ("Zm9v*", Base64Error::InvalidByte { at: 4 }),
            ("Zg=", Base64Error::BadPadding),
            ("Zg===", Base64Error::BadPadding),
            ("Zm8==", Base64Error::BadPadding),
            ("Zm9v=", Base64Error::BadPadding),
            ("Zm9v====", Base64Error::BadPadding),
            ("====", Base64Error::BadPadding),
            ("=", Base64Error::BadPadding),
            ("Zg==Zg==", Base64Error::BadPadding),
            ("Z=g=", Base64Error::BadPadding),
            ("Z", Base64Error::BadLength),
            ("Zm9vY", Base64Error::BadLength),
            ("Zh==", Base64Error::TrailingBits),
            ("Zm9=", Base64Error::TrailingBits),
            ("Zh", Base64Error::TrailingBits),
            ("Zm9", Base64Error::TrailingBits),
        ];
        for (text, expected) in cases {
            assert_eq!(decode(text), Err(*expected), "{text:?}");
        }
    }

    /// The decoder as first written, one character at a time: the quantum-at-a-time one
    /// must give the same bytes and the same first error for every text.
    fn reference(text: &str) -> Result<Vec<u8>, Base64Error> {
        let bytes = text.as_bytes();
        let data_len = bytes.iter().rposition(|&b| b != b'=').map_or(0, |p| p + 1);
        let (data, padding) = bytes.split_at(data_len);
        let mut out = Vec::new();
        let mut alphabet = None;
        let (mut acc, mut bits) = (0u32, 0u32);
        for (at, &c) in data.iter().enumerate() {
            let (value, forced) = match c {
                b'A'..=b'Z' => (c - b'A', None),
                b'a'..=b'z' => (c - b'a' + 26, None),
                b'0'..=b'9' => (c - b'0' + 52, None),
                b'+' => (62, Some(true)),
                b'/' => (63, Some(true)),
                b'-' => (62, Some(false)),
                b'_' => (63, Some(false)),
                b'=' => return Err(Base64Error::BadPadding),
                _ => return Err(Base64Error::InvalidByte { at }),
            };
            if let Some(forced) = forced {
                if *alphabet.get_or_insert(forced) != forced {
                    return Err(Base64Error::MixedAlphabets);
                }
            }
            acc = (acc << 6) | u32::from(value);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        if !padding.is_empty() {
            let expected = match data.len() % 4 {
                2 => 2,
                3 => 1,
                _ => return Err(Base64Error::BadPadding),
            };
            if padding.len() != expected {
                return Err(Base64Error::BadPadding);
            }
        }
        if data.len() % 4 == 1 {
            return Err(Base64Error::BadLength);
        }
        if acc != 0 {
            return Err(Base64Error::TrailingBits);
        }
        Ok(out)
    }

    #[test]
    fn agrees_with_the_per_character_reference() {
        // Every text of up to 4 characters over an alphabet with every class of character,
        // then long random texts of those characters, valid ones more likely.
        let chars = b"AZaz09+/-_= \n*\x00\xff";
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        let mut layer: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..4 {
            layer = layer
                .iter()
                .flat_map(|t| chars.iter().map(move |&c| [t.as_slice(), &[c]].concat()))
                .collect();
            texts.extend(layer.iter().cloned());
        }
        let mut state: u64 = 7;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize
        };
        for _ in 0..20_000 {
            let len = next() % 40;
            let odd = next() % 4 == 0;
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    if odd && next() % 8 == 0 {
                        chars[next() % chars.len()]
                    } else {
                        STANDARD[next() % 62]
                    }
                })
                .collect();
            texts.push(text);
        }
        for text in texts {
            // Non-UTF-8 bytes stand in as U+FFFD, which is invalid too.
            let text = String::from_utf8_lossy(&text);
            assert_eq!(decode(&text), reference(&text), "{text:?}");
        }
    }

    #[test]
    fn rejects_non_ascii_text() {
        assert_eq!(decode("Zm9vé"), Err(Base64Error::InvalidByte { at: 4 }));
    }

    #[test]
    fn errors_read_as_sentences() {
        assert_eq!(
            Base64Error::MixedAlphabets.to_string(),
            "mixes the standard and URL-safe alphabets"
        );
    }
}
