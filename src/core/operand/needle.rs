//! Substring search for the `contains` operator: Knuth-Morris-Pratt over bytes, its table
//! built once when the snapshot compiles. Each search reads every byte of the attribute at
//! most twice, whatever the pattern, so a hostile context cannot make a long pattern slow.
//! (core's two-way search is linear too, but about 2 KB of wasm for this one operator.) Bytes
//! are enough: in UTF-8 a string contains another exactly when its bytes do.

use alloc::boxed::Box;
use alloc::vec;

/// A `contains` operand, ready to search for.
#[derive(Debug)]
pub(crate) struct Needle {
    text: Box<str>,
    /// `border[i]`: the length of the longest proper prefix of `text[..=i]` that is also its
    /// suffix, where a search resumes after a mismatch at `i + 1`.
    border: Box<[u32]>,
}

impl Needle {
    /// Prepares `text` for searching.
    pub(crate) fn new(text: Box<str>) -> Self {
        let p = text.as_bytes();
        let mut border = vec![0u32; p.len()].into_boxed_slice();
        let mut k = 0usize;
        let mut i = 1;
        while let Some(&c) = p.get(i) {
            k = resume(p, &border, k, c);
            if let Some(b) = border.get_mut(i) {
                // Pattern lengths are bounded by the payload size limit, far below u32::MAX.
                *b = k as u32;
            }
            i += 1;
        }
        Needle { text, border }
    }

    /// Whether `haystack` contains the pattern (the empty pattern is in every string).
    pub(crate) fn found_in(&self, haystack: &str) -> bool {
        self.found_in_bytes(haystack.as_bytes().iter().copied())
    }

    /// Whether the bytes of `haystack` contain the pattern: the same search over a stream,
    /// such as an attribute folded as it is read (`caseInsensitive`).
    #[inline]
    pub(crate) fn found_in_bytes(&self, haystack: impl Iterator<Item = u8>) -> bool {
        let p = self.text.as_bytes();
        if p.is_empty() {
            return true;
        }
        let mut k = 0;
        for c in haystack {
            k = resume(p, &self.border, k, c);
            if k == p.len() {
                return true;
            }
        }
        false
    }
}

/// After `k` matched bytes of `p`, reads `c`: the number of bytes matched afterwards.
#[inline(always)]
fn resume(p: &[u8], border: &[u32], mut k: usize, c: u8) -> usize {
    // A full match (k == p.len()) only happens at the end of a search, never here.
    while k > 0 && p.get(k) != Some(&c) {
        k = border.get(k - 1).map_or(0, |&b| b as usize);
    }
    if p.get(k) == Some(&c) {
        k + 1
    } else {
        k
    }
}

#[cfg(test)]
mod tests {
    use super::Needle;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn found(pattern: &str, haystack: &str) -> bool {
        Needle::new(pattern.into()).found_in(haystack)
    }

    #[test]
    fn agrees_with_str_contains() {
        let words = [
            "",
            "a",
            "aa",
            "ab",
            "aab",
            "aaab",
            "abab",
            "ababc",
            "abcabd",
            "abcabcabd",
            "bca",
            "é",
            "aé",
            "éé",
            "x",
            "aaaaaaab",
        ];
        let hay = [
            "",
            "a",
            "b",
            "aaaa",
            "aaab",
            "abababc",
            "abcabcabcabd",
            "xxabcabdxx",
            "éaéé",
            "aaaaaaaaaaaaaab",
            "aaaaaaaaaaaaaaa",
            "bcabca",
        ];
        for p in words {
            let needle = Needle::new(p.into());
            for h in hay {
                assert_eq!(needle.found_in(h), h.contains(p), "{p:?} in {h:?}");
            }
        }
    }

    #[test]
    fn agrees_with_str_contains_on_every_short_binary_string() {
        // Every pattern and haystack over {a, b} up to lengths 6 and 9.
        let all = |max: u32| -> Vec<String> {
            let mut out = Vec::new();
            for len in 0..=max {
                for bits in 0..(1u32 << len) {
                    out.push(
                        (0..len)
                            .map(|i| if bits >> i & 1 == 1 { 'b' } else { 'a' })
                            .collect(),
                    );
                }
            }
            out
        };
        let hay = all(9);
        for p in all(6) {
            let needle = Needle::new(p.as_str().into());
            for h in &hay {
                assert_eq!(needle.found_in(h), h.contains(p.as_str()), "{p:?} in {h:?}");
            }
        }
    }

    #[test]
    fn the_border_table_is_the_classic_one() {
        let n = Needle::new("abacabab".into());
        assert_eq!(&*n.border, &[0, 0, 1, 0, 1, 2, 3, 2]);
        let n = Needle::new("aaaa".into());
        assert_eq!(&*n.border, &[0, 1, 2, 3]);
    }

    #[test]
    fn a_pathological_pattern_is_found_late_without_rescanning() {
        let pattern: String = "a".repeat(4_000) + "b";
        let haystack: String = "a".repeat(8_000) + "b";
        assert!(found(&pattern, &haystack));
        assert!(!found(&pattern, &"a".repeat(8_192)));
    }
}
