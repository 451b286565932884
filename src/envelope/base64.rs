//! Strict base64 (RFC 4648): the standard and the URL-safe alphabet, each with or without
//! padding, and nothing else. Strictness matters because the signature covers the decoded
//! bytes: a lenient decoder would let many different texts stand for one signed envelope,
//! which confuses caches and deduplication, and hides producer bugs.
//!
//! Written here rather than taken from a crate because it is small and keeps the wasm build
//! small.

use crate::text::Msg;
use alloc::string::String;
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

/// Encodes `bytes` as standard base64 with padding (what SNAPSHOT.md §1 asks producers for).
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Alphabet {
    Standard,
    UrlSafe,
}

/// The 6-bit value of `c`, and which alphabet it forces (`None` for characters shared by both).
fn sextet(c: u8) -> Option<(u8, Option<Alphabet>)> {
    match c {
        b'A'..=b'Z' => Some((c - b'A', None)),
        b'a'..=b'z' => Some((c - b'a' + 26, None)),
        b'0'..=b'9' => Some((c - b'0' + 52, None)),
        b'+' => Some((62, Some(Alphabet::Standard))),
        b'/' => Some((63, Some(Alphabet::Standard))),
        b'-' => Some((62, Some(Alphabet::UrlSafe))),
        b'_' => Some((63, Some(Alphabet::UrlSafe))),
        _ => None,
    }
}

/// Decodes strict base64: either alphabet (never both in one text), padded or not; rejects
/// whitespace, misplaced or wrong padding, impossible lengths and non-zero trailing bits.
pub fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    let bytes = text.as_bytes();
    let data_len = bytes.iter().rposition(|&b| b != b'=').map_or(0, |p| p + 1);
    let (data, padding) = bytes.split_at(data_len);

    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    let mut alphabet = None;
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for (at, &c) in data.iter().enumerate() {
        let (value, forced) = match sextet(c) {
            Some(s) => s,
            None if c == b'=' => return Err(Base64Error::BadPadding),
            None => return Err(Base64Error::InvalidByte { at }),
        };
        if let Some(forced) = forced {
            match alphabet {
                None => alphabet = Some(forced),
                Some(seen) if seen != forced => return Err(Base64Error::MixedAlphabets),
                Some(_) => {}
            }
        }
        acc = (acc << 6) | u32::from(value);
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
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use alloc::string::ToString;

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
